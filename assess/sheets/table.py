"""Tables as readers give them and writers take them, with no room's rules."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# -- a table to write ------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """A drop-down list of `values` on rows `first`..`last` (0-based data rows) of `column` (XLSX)."""

    column: int
    first: int
    last: int
    values: tuple[str, ...]


@dataclass(frozen=True)
class Sheet:
    """A table to write: a header row, then rows of text, numbers, booleans or None (empty)."""

    name: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    formats: Mapping[int, str] = field(default_factory=dict)  # column -> XLSX number format
    widths: Mapping[int, int] = field(default_factory=dict)  # column -> width (else from the content)
    wrap: frozenset[int] = frozenset()  # columns whose text wraps (XLSX)
    choices: tuple[Choice, ...] = ()


# -- a table read from a spreadsheet ------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: str  # the text of the cell ("" when empty); a number as the spreadsheet gave it
    number: bool = False  # the spreadsheet held it as a number (XLSX only)


@dataclass(frozen=True)
class Row:
    line: int  # the row number the spreadsheet shows (the header is row 1)
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]  # as written
    rows: tuple[Row, ...]
    header_line: int = 1
    separator: str | None = None  # a CSV's separator; None for a spreadsheet


# -- reading a table's cells --------------------------------------------------------


def header_key(text: str) -> str:
    """A header without case, spaces or punctuation: "Stempel waktu" -> "stempelwaktu"."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def cell(row: Row, index: int) -> Cell:
    return row.cells[index] if index < len(row.cells) else Cell("")


def rows_with_values(table: Table) -> list[Row]:
    return [r for r in table.rows if any(c.value.strip() for c in r.cells)]


def trimmed_headers(table: Table) -> list[str]:
    headers = [h.strip() for h in table.headers]
    while headers and not headers[-1]:
        headers.pop()
    return headers
