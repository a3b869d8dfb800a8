"""A pairs file for `assess analyze prepost`: CSV or XLSX with columns id, pre, post (others ignored).

Every problem is located by row and column.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assess.problems import Found, Problem, ProblemsFound
from assess.sheets.arrow import ARROW_MIN_BYTES, header_line, read_columns
from assess.sheets.read import CSV_SUFFIXES, read_table, sniff_separator
from assess.sheets.table import cell, header_key, rows_with_values

COLUMNS = ("id", "pre", "post")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


# -- a pairs file -----------------------------------------------------------------------


@dataclass(frozen=True)
class PairsFile:
    ids: list[str]
    pre: np.ndarray  # NaN where the cell is empty
    post: np.ndarray
    lines: list[int] = field(default_factory=list)  # each row's number in the file


def score(text: str) -> float | None:
    """A score cell: None when empty; a decimal comma ("72,5") is read as a point."""
    text = text.strip()
    if not text:
        return None
    if _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    value = float(text)  # ValueError for text that is not a number
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def read_pairs(path: Path) -> PairsFile:
    """The rows of a pairs file (CSV or XLSX with columns id, pre, post; others ignored).

    Raises ProblemsFound with every problem, located: a missing or repeated
    column, an empty or repeated id, a score that is not a finite number. An
    empty score cell leaves that row unpaired.
    """
    if path.suffix.lower() in CSV_SUFFIXES and path.is_file() and path.stat().st_size > ARROW_MIN_BYTES:
        fast = _arrow(path)
        if fast is not None:
            return fast
    table = read_table(path)
    found = Found(str(path))
    if not table.headers:
        raise ProblemsFound([Problem("FILE-EMPTY", {}, str(path))])
    where: dict[str, int] = {}
    for k, header in enumerate(table.headers):
        key = header_key(header)
        if key in COLUMNS:
            if key in where:
                found.add("PREPOST-COLUMN-DUPLICATE", 1, k + 1, name=key, other=where[key] + 1)
            else:
                where[key] = k
    for name in COLUMNS:
        if name not in where:
            found.add("PREPOST-COLUMN-MISSING", 1, name=name, expected=", ".join(COLUMNS))
    found.raise_if_any()
    ids, pre, post, lines = [], [], [], []
    seen: dict[str, int] = {}
    for row in rows_with_values(table):
        person = cell(row, where["id"]).value.strip()
        if not person:
            found.add("PREPOST-ID-EMPTY", row.line, where["id"] + 1)
        elif person in seen:
            found.add("PREPOST-ID-DUPLICATE", row.line, where["id"] + 1, id=person, other=seen[person])
        else:
            seen[person] = row.line
        values = []
        for name in ("pre", "post"):
            text = cell(row, where[name]).value
            try:
                values.append(score(text))
            except ValueError:
                found.add(
                    "PREPOST-SCORE-NOT-NUMBER", row.line, where[name] + 1, value=text.strip(), header=name
                )
                values.append(None)
        ids.append(person)
        pre.append(math.nan if values[0] is None else values[0])
        post.append(math.nan if values[1] is None else values[1])
        lines.append(row.line)
    found.raise_if_any()
    pairs = PairsFile(ids, np.array(pre, dtype=float), np.array(post, dtype=float), lines)
    if not (np.isfinite(pairs.pre) & np.isfinite(pairs.post)).any():
        raise ProblemsFound([Problem("PREPOST-NO-PAIRS", {"rows": len(ids)}, str(path))])
    return pairs


def _arrow(path: Path) -> PairsFile | None:
    """The pairs of a large, clean CSV file by pyarrow; None when anything needs the checking reader."""
    header = header_line(path)
    if header is None:
        return None
    separator = sniff_separator(header)
    names = next(csv.reader([header], delimiter=separator), [])
    where: dict[str, int] = {}
    for k, name in enumerate(names):
        key = header_key(name)
        if key in COLUMNS:
            if key in where:
                return None
            where[key] = k
    if len(where) != len(COLUMNS):
        return None
    columns = read_columns(
        path, separator, len(names), [where["id"]], [where["pre"], where["post"]], empty_is_nan=True
    )
    if columns is None:
        return None
    ids = columns.texts[0]
    pre, post = columns.numbers[:, 0].copy(), columns.numbers[:, 1].copy()
    if not all(ids) or not columns.unique[0] or not (np.isfinite(pre) & np.isfinite(post)).any():
        return None  # an empty or repeated id, or no pair: the checking reader says where
    return PairsFile(ids, pre, post, list(range(2, len(ids) + 2)))  # no blank lines: row k is line k + 2
