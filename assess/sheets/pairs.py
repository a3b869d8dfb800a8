"""A pairs file for `assess analyze prepost`: CSV or XLSX with columns id, pre, post (others ignored).

Every problem is located by row and column.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assess.problems import Found, Problem, ProblemsFound
from assess.sheets.read import read_table
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
