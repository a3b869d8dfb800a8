"""The one table reader: a CSV or XLSX file read into a `Table`, and the one UTF-8 decoder.

CSV is UTF-8 (a byte-order mark allowed), separated by `,` or `;` as its
header line shows; XLSX is read from its first worksheet, values only,
numbers kept as numbers so that a NIP stored as a number can be refused.
Participants, response imports, marks and pairs files all come through here.
The problem codes of an unreadable file are the participants import's, as
they always were.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from assess.problems import Problem, ProblemsFound
from assess.sheets.table import Cell, Row, Table

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def read_table(path: Path) -> Table:
    """The rows of a CSV or XLSX file, or ProblemsFound for a file that cannot be read."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise ProblemsFound(
            [Problem("PARTICIPANTS-FORMAT-UNKNOWN", {"suffix": path.suffix or path.name}, file)]
        )
    if not path.exists():
        raise ProblemsFound([Problem("FILE-NOT-FOUND", {}, file)])
    if not path.is_file():
        raise ProblemsFound([Problem("FILE-NOT-REGULAR", {}, file)])
    try:
        if suffix in CSV_SUFFIXES:
            return _read_csv(path.read_bytes(), file)
        return _read_xlsx(path, file)
    except OSError as e:
        raise ProblemsFound([Problem("FILE-UNREADABLE", {"reason": e.strerror or str(e)}, file)]) from None


# -- CSV -------------------------------------------------------------------------------


def decode(data: bytes, file: str, code: str = "FILE-NOT-UTF8") -> str:
    """UTF-8 text without its byte-order mark, or the problem `code` located at the first bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        # Columns count characters everywhere, so decode what precedes the bad byte.
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise ProblemsFound([Problem(code, {}, file, line, column)]) from None
    return text.removeprefix("\ufeff")


def sniff_separator(header_line: str) -> str:
    """`;` when the header line has more semicolons than commas (outside quotes), else `,`."""
    bare = re.sub(r'"[^"]*"', "", header_line)
    return ";" if bare.count(";") > bare.count(",") else ","


def _read_csv(data: bytes, file: str) -> Table:
    text = decode(data, file, "PARTICIPANTS-CSV-NOT-UTF8")
    separator = sniff_separator(text.split("\n", 1)[0])
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        for record in reader:
            records.append(record)
    except csv.Error as e:
        # A row as a spreadsheet shows it: the number of the record, not of the text line.
        raise ProblemsFound(
            [Problem("PARTICIPANTS-CSV-SYNTAX", {"reason": str(e)}, file, len(records) + 1)]
        ) from None
    if not records:
        return Table((), (), separator=separator)
    rows = [Row(i + 1, tuple(Cell(v) for v in record)) for i, record in enumerate(records)][1:]
    return Table(tuple(records[0]), tuple(_trim(rows)), separator=separator)


# -- XLSX ------------------------------------------------------------------------------


def _cell(value: object) -> Cell:
    if value is None:
        return Cell("")
    if isinstance(value, bool):
        return Cell("TRUE" if value else "FALSE")
    if isinstance(value, int):
        return Cell(str(value), number=True)
    if isinstance(value, float):
        shown = str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".15g")
        return Cell(shown, number=True)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return Cell(value.date().isoformat())
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return Cell(value.isoformat())
    return Cell(str(value))


def _read_xlsx(path: Path, file: str) -> Table:
    import openpyxl  # only when a spreadsheet is read

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a damaged or foreign file
        reason = str(e) or type(e).__name__
        raise ProblemsFound([Problem("PARTICIPANTS-XLSX-UNREADABLE", {"reason": reason}, file)]) from None
    try:
        if not book.worksheets:
            raise ProblemsFound([Problem("PARTICIPANTS-XLSX-UNREADABLE", {"reason": "no worksheet"}, file)])
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a wrong <dimension> in the file must not hide rows
        rows = [
            Row(line, tuple(_cell(v) for v in values))
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    except ProblemsFound:
        raise
    except Exception as e:  # noqa: BLE001 - as above, while the sheet streams
        reason = str(e) or type(e).__name__
        raise ProblemsFound([Problem("PARTICIPANTS-XLSX-UNREADABLE", {"reason": reason}, file)]) from None
    finally:
        book.close()
    if not rows:
        return Table((), ())
    return Table(tuple(c.value for c in rows[0].cells), tuple(_trim(rows[1:])))


def _trim(rows: list[Row]) -> list[Row]:
    """Without the empty rows at the end (a spreadsheet's formatted but unused rows)."""
    end = len(rows)
    while end and not any(c.value.strip() for c in rows[end - 1].cells):
        end -= 1
    return rows[:end]
