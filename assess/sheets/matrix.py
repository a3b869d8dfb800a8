"""A matrix of marks for item analysis, read from a CSV or XLSX file.

A marks file has a header row of item ids, one row per person, one column per
item, and an optional first column `id`. CSV is UTF-8 (a byte-order mark
allowed), separated by `,` or `;` as its header line shows; a decimal comma
("0,5") is read as a decimal point. Every mark must be a number from -max to
max, the item's maximum being 1 unless given. Empty rows are skipped; an
empty cell is a problem (write 0 for an item not answered). Problems are
located by row (the header is row 1) and column, and at most MAX_PROBLEMS
are listed.

Clean CSV files take a fast path (pyarrow's reader over 1 MB, numpy's parser below); anything
it cannot read goes through the checking reader, which finds and locates every problem.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assess.problems import Problem, ProblemsFound
from assess.sheets.arrow import ARROW_MIN_BYTES, header_line, read_columns
from assess.sheets.read import CSV_SUFFIXES, XLSX_SUFFIXES, decode, read_table, sniff_separator

TEXT_SUFFIXES = (*CSV_SUFFIXES, ".txt")  # a marks matrix may come as plain text
MAX_PROBLEMS = 50
ID_HEADER = "id"
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Matrix:
    ids: tuple[str, ...]  # the items, as the header names them
    marks: np.ndarray  # people x items
    max_marks: np.ndarray
    people: tuple[str, ...] | None  # the `id` column, when there is one
    skipped: tuple[int, ...] = ()  # rows whose every cell is empty (",,,"), by line


# -- --max-marks ----------------------------------------------------------------------


def parse_max_marks(text: str | None, k: int) -> np.ndarray:
    """`N` for every item or `N1,N2,...` one per item; 1 for every item when None."""
    if text is None:
        return np.ones(k)
    parts = [p.strip() for p in text.split(",")]
    values = []
    for part in parts:
        value = float(part) if _NUMBER.match(part) else math.nan
        if not (math.isfinite(value) and value > 0):
            raise ProblemsFound([Problem("ANALYZE-MAX-MARKS-INVALID", {"value": part})])
        values.append(value)
    if len(values) not in (1, k):
        raise ProblemsFound([Problem("ANALYZE-MAX-MARKS-COUNT", {"n": len(values), "k": k})])
    return np.array(values * k if len(values) == 1 else values, dtype=np.float64)


# -- reading ----------------------------------------------------------------------


def read_matrix(path: Path, max_marks: str | None = None, *, scores: bool = False) -> Matrix:
    """A marks file read and checked; ProblemsFound with every (located) problem.

    `scores`: the Rasch model's input instead: whole numbers from 0, an empty cell an item not
    administered (NaN), and no maximum unless `max_marks` gives one."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES + XLSX_SUFFIXES:
        raise ProblemsFound([Problem("ANALYZE-MATRIX-FORMAT", {"suffix": path.suffix or path.name}, file)])
    if not path.exists():
        raise ProblemsFound([Problem("FILE-NOT-FOUND", {}, file)])
    if not path.is_file():
        raise ProblemsFound([Problem("FILE-NOT-REGULAR", {}, file)])
    if suffix in XLSX_SUFFIXES:
        table = read_table(path)
        records = [(1, list(table.headers))] if table.headers else []
        records += [(row.line, [c.value for c in row.cells]) for row in table.rows]
        return _checked(records, file, max_marks, scores)
    try:
        if path.stat().st_size > ARROW_MIN_BYTES:
            fast = _arrow(path, max_marks, scores)
            if fast is not None:
                return fast
        data = path.read_bytes()
    except OSError as e:
        raise ProblemsFound([Problem("FILE-UNREADABLE", {"reason": e.strerror or str(e)}, file)]) from None
    return read_matrix_text(decode(data, file), file, max_marks, scores)


MAX_CATEGORIES = 100  # scores 0..100 at most: the partial credit model's categories


def _top(max_marks: str | None, k: int, scores: bool) -> np.ndarray:
    """Each item's maximum: given, else 1 for marks and none (infinity) for scores. A maximum of scores
    is a whole number of categories (a fraction was once cut off without a word)."""
    if scores and max_marks is None:
        return np.full(k, np.inf)
    top = parse_max_marks(max_marks, k)
    if scores:
        for part, value in zip([p.strip() for p in max_marks.split(",")], top, strict=False):
            if value != round(value) or value > MAX_CATEGORIES:
                raise ProblemsFound(
                    [Problem("ANALYZE-MAX-MARKS-WHOLE", {"value": part, "max": MAX_CATEGORIES})]
                )
    return top


def _whole(marks: np.ndarray) -> bool:
    """Every mark a whole number from 0, or NaN (not administered), column by column."""
    for j in range(marks.shape[1]):
        column = marks[:, j]
        column = column[~np.isnan(column)]
        if len(column) and (column.min() < 0 or not np.array_equal(column, np.floor(column))):
            return False
    return True


def _arrow(path: Path, max_marks: str | None, scores: bool = False) -> Matrix | None:
    """The matrix of a large, clean file by pyarrow; None when anything needs the checking reader."""
    header = header_line(path)
    if header is None:
        return None
    separator = sniff_separator(header)
    cells = next(csv.reader([header], delimiter=separator), [])  # names may be quoted
    has_id, items = _header(cells)
    if not items or len(set(items)) != len(items) or not all(items) or len(cells) != len(items) + has_id:
        return None
    width = len(items) + has_id
    columns = read_columns(
        path, separator, width, [0] if has_id else [], list(range(has_id, width)), empty_is_nan=scores
    )
    if columns is None or (scores and not _whole(columns.numbers)):
        return None
    if has_id and not columns.unique[0]:
        return None  # a repeated id: the checking reader says where
    people = columns.texts[0] if has_id else None
    return _clean(items, columns.numbers, _top(max_marks, len(items), scores), people, ids_checked=True)


def _clean(
    items: list[str], marks: np.ndarray, top: np.ndarray, people: list[str] | None, ids_checked: bool = False
) -> Matrix | None:
    """The matrix, when every mark is within its item's range and no id repeats; else None."""
    # fmax/fmin skip NaN (an item not given, when reading scores): every given mark is checked
    if (np.fmax.reduce(marks, axis=0, initial=-np.inf) > top).any() or (
        np.fmin.reduce(marks, axis=0, initial=np.inf) < -top
    ).any():
        return None
    if people is not None and not ids_checked:
        named = [p for p in people if p]
        if len(set(named)) != len(named):
            return None  # a repeated id: the checking reader says where
    return Matrix(tuple(items), marks, top, tuple(people) if people is not None else None)


def read_matrix_text(text: str, file: str, max_marks: str | None = None, scores: bool = False) -> Matrix:
    """A marks matrix from the text of a CSV file."""
    separator = sniff_separator(text.split("\n", 1)[0])
    if '"' not in text and not scores:  # no quoting: every line is one row
        fast = _fast(text.replace("\r\n", "\n"), separator, max_marks)
        if fast is not None:
            return fast
    records = []
    try:
        for n, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=separator), 1):
            records.append((n, record))
    except csv.Error as e:
        raise ProblemsFound(
            [Problem("ANALYZE-MATRIX-CSV-SYNTAX", {"reason": str(e)}, file, len(records) + 1)]
        ) from None
    return _checked(records, file, max_marks, scores)


def _header(cells: list[str]) -> tuple[bool, list[str]]:
    """(whether the first column is `id`, the item ids); empty cells at the end are not columns."""
    names = [c.strip() for c in cells]
    while names and not names[-1]:
        names.pop()
    has_id = bool(names) and names[0].casefold() == ID_HEADER
    return has_id, names[1 if has_id else 0 :]


def _fast(text: str, separator: str, max_marks: str | None) -> Matrix | None:
    """The matrix of a clean, unquoted file; None when anything needs the checking reader."""
    lines = text.split("\n")
    has_id, items = _header(lines[0].split(separator))
    rows = [line for line in lines[1:] if line.strip()]
    width = len(items) + has_id
    if not rows or not items or len(set(items)) != len(items) or not all(items):
        return None
    if text.count(separator) != (len(rows) + 1) * (width - 1):
        return None  # some row has too many or too few cells
    body = "\n".join(rows)
    if separator == ";":
        body = body.replace(",", ".")  # decimal commas
    try:
        marks = np.loadtxt(
            io.StringIO(body),
            delimiter=separator,
            usecols=range(has_id, width),
            comments=None,
            ndmin=2,
            dtype=np.float64,
        )
    except ValueError:
        return None
    if marks.shape != (len(rows), len(items)) or not np.isfinite(marks).all():
        return None
    people = [r.split(separator, 1)[0].strip() for r in rows] if has_id else None
    return _clean(items, marks, parse_max_marks(max_marks, len(items)), people)


def _number(cell: str) -> float | None:
    text = cell.strip()
    if not _NUMBER.match(text):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


def _checked(
    records: list[tuple[int, list[str]]], file: str, max_marks: str | None, scores: bool = False
) -> Matrix:
    """Every row checked, every problem located."""
    has_id, items = _checked_header(records, file)
    top = _top(max_marks, len(items), scores)
    width = len(items) + has_id
    rows, people, skipped = [], [], []
    first_row_of: dict[str, int] = {}
    problems = _CappedProblems()
    for line, cells in records[1:]:
        if not any(c.strip() for c in cells):
            if cells:  # a row of empty cells, not a blank line: said, so that no row goes unnoticed
                skipped.append(line)
            continue
        if len(cells) > width and not any(c.strip() for c in cells[width:]):
            cells = cells[:width]  # empty cells at the end, as spreadsheets write them
        if scores and len(cells) < width:
            cells = cells + [""] * (width - len(cells))  # XLSX leaves out empty cells at a row's end
        if len(cells) != width:
            problems.add(
                Problem("ANALYZE-MATRIX-ROW-LENGTH", {"n": len(cells), "expected": width}, file, line)
            )
            continue
        if has_id:
            people.append(_person(cells[0].strip(), line, first_row_of, file, problems))
        rows.append(_row_marks(cells[has_id:], line, has_id, top, file, problems, scores))
    problems.raise_if_any(file)
    if not rows:
        raise ProblemsFound([Problem("ANALYZE-MATRIX-NO-ROWS", {}, file)])
    return Matrix(
        tuple(items), np.array(rows, dtype=np.float64), top, tuple(people) if has_id else None, tuple(skipped)
    )


def _checked_header(records: list[tuple[int, list[str]]], file: str) -> tuple[bool, list[str]]:
    """(whether the first column is `id`, the item ids) of the header row; ProblemsFound with its problems."""
    if not records or not any(c.strip() for c in records[0][1]):
        raise ProblemsFound([Problem("ANALYZE-MATRIX-NO-HEADER", {}, file, 1)])
    has_id, items = _header(records[0][1])
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for j, name in enumerate(items):
        column = j + 1 + has_id
        if not name:
            problems.append(Problem("ANALYZE-MATRIX-HEADER-EMPTY", {}, file, 1, column))
        elif name in seen:
            problems.append(
                Problem("ANALYZE-MATRIX-HEADER-DUPLICATE", {"other": seen[name]}, file, 1, column)
            )
        else:
            seen[name] = column
    if not items:
        problems.append(Problem("ANALYZE-MATRIX-NO-ITEMS", {}, file, 1))
    if problems:
        raise ProblemsFound(problems)
    return has_id, items


class _CappedProblems:
    """The problems of the rows: at most MAX_PROBLEMS listed, the others counted."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.more = 0

    def add(self, p: Problem) -> None:
        """List `p`, or count it once MAX_PROBLEMS are listed."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(p)
        else:
            self.more += 1

    def raise_if_any(self, file: str) -> None:
        """ProblemsFound with the problems listed and how many more there are, if there is one."""
        if self.more:
            self.problems.append(Problem("ANALYZE-MATRIX-MORE-PROBLEMS", {"n": self.more}, file))
        if self.problems:
            raise ProblemsFound(self.problems)


def _person(
    person: str, line: int, first_row_of: dict[str, int], file: str, problems: _CappedProblems
) -> str:
    """The row's `id`, reported when an earlier row has it."""
    if person and person in first_row_of:
        problems.add(
            Problem(
                "ANALYZE-MATRIX-ID-DUPLICATE",
                {"id": person, "other": first_row_of[person]},
                file,
                line,
                1,
            )
        )
    first_row_of.setdefault(person, line)
    return person


def _row_marks(
    cells: list[str],
    line: int,
    has_id: bool,
    top: np.ndarray,
    file: str,
    problems: _CappedProblems,
    scores: bool = False,
) -> list[float]:
    """The row's marks (0 for a cell in error), each empty, non-number or out-of-range cell reported.
    For `scores`, an empty cell is NaN (not administered) and a mark must be a whole number."""
    row = []
    for j, cell in enumerate(cells):
        column = j + 1 + has_id
        value = _number(cell)
        if not cell.strip() and scores:
            row.append(math.nan)
            continue
        if not cell.strip():
            problems.add(Problem("ANALYZE-MATRIX-CELL-EMPTY", {}, file, line, column))
        elif value is None:
            problems.add(Problem("ANALYZE-MATRIX-NOT-NUMBER", {"value": cell.strip()}, file, line, column))
        elif scores and (value < 0 or value != math.floor(value)):
            problems.add(Problem("ANALYZE-MATRIX-NOT-WHOLE", {"value": cell.strip()}, file, line, column))
        elif not -top[j] <= value <= top[j]:
            problems.add(
                Problem(
                    "ANALYZE-MATRIX-MARK-RANGE",
                    {"value": value, "max": float(top[j])},
                    file,
                    line,
                    column,
                )
            )
        row.append(0.0 if value is None else value)
    return row
