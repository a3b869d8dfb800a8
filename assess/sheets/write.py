"""Writing tables as CSV or XLSX, safe to open in a spreadsheet.

A text cell that a spreadsheet would run as a formula (it starts with `=`,
`+`, `-`, `@`, a tab or a carriage return) is neutralised: in CSV it gets a
single quote in front, which spreadsheets show as text; in XLSX it is written
as a string cell, never as a formula (openpyxl takes any text starting with
`=` for a formula unless the cell's type is set back to string). Numbers stay
numbers. CSV is UTF-8 with a byte-order mark (so that Excel reads it as
UTF-8), comma-separated, with CRLF line ends; XLSX sheets have a bold, frozen
header row, a filter and column widths.

A file is written to a temporary name beside it and moved into place, so a
failed write never leaves half a file.

Every file assess writes into an event's workspace holds what only the trainer
should read (access codes, NIPs, answers, keys): on POSIX it is made its
owner's only (0600) before anything is written into it, and every folder assess
makes is 0700 (`private_file`, `private_folder`, `private_tree`). On Windows the
folder's own permissions decide, as for any file.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assess.problems import Problem, ProblemsFound
from assess.sheets.table import Sheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_SUFFIX, XLSX_SUFFIX = ".csv", ".xlsx"
XLSX_MAX_TEXT = 32_767  # the most characters a spreadsheet cell holds
XLSX_MAX_TITLE = 31
MAX_WIDTH, MIN_WIDTH = 60, 6
WIDTH_SAMPLE = 500  # rows looked at to size a column
# Characters XML 1.0 cannot carry (openpyxl refuses them): shown as U+FFFD.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TITLE_ILLEGAL = re.compile(r"[\[\]:*?/\\]")


def neutralise(text: str) -> str:
    """`text` as a spreadsheet shows it but never runs it: a quote in front of a formula's first sign."""
    return "'" + text if text.startswith(FORMULA_START) else text


def number_text(value: float, decimal_comma: bool = False) -> str:
    """A number as CSV text: whole numbers without decimals, others to at most 6 decimals (with a
    decimal comma, as Indonesian-locale spreadsheets read them, when asked)."""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    text = "0" if text in ("-0", "") else text
    return text.replace(".", ",") if decimal_comma else text


def csv_text(value: Any, decimal_comma: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value, decimal_comma)
    return neutralise(str(value))


def format_of(path: Path) -> str | None:
    """ "csv" or "xlsx" by the file's suffix; None for any other."""
    suffix = path.suffix.lower()
    return {CSV_SUFFIX: "csv", XLSX_SUFFIX: "xlsx"}.get(suffix)


def write_table(path: Path, sheets: Sequence[Sheet], *, decimal_comma: bool = False) -> None:
    """CSV (the first sheet) or XLSX (every sheet), by the file's suffix. `decimal_comma`: a CSV with
    decimal commas and `;` between fields, as spreadsheets set to Indonesian read it."""
    kind = format_of(path)
    if kind is None:
        raise ProblemsFound([Problem("EXPORT-OUT-SUFFIX", {"suffix": path.suffix or path.name}, str(path))])
    if kind == "csv":
        write_csv(path, sheets[0], decimal_comma=decimal_comma)
    else:
        write_xlsx(path, sheets)


# -- CSV ---------------------------------------------------------------------------------------


def csv_bytes(sheet: Sheet, *, decimal_comma: bool = False) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", delimiter=";" if decimal_comma else ",")
    writer.writerow([neutralise(h) for h in sheet.headers])
    for row in sheet.rows:
        writer.writerow([csv_text(v, decimal_comma) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8", "replace")


def write_csv(path: Path, sheet: Sheet, *, decimal_comma: bool = False) -> None:
    data = csv_bytes(sheet, decimal_comma=decimal_comma)
    replace_atomically(path, lambda tmp: tmp.write_bytes(data))


# -- XLSX ------------------------------------------------------------------------------------


def xlsx_text(text: str) -> str:
    """Text a spreadsheet cell can hold: no characters XML refuses, at most 32,767 characters.

    A carriage return becomes a line feed, as every XML reader would read it anyway.
    """
    text = _XML_ILLEGAL.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > XLSX_MAX_TEXT:
        text = text[: XLSX_MAX_TEXT - 1] + "…"
    return text


def _titles(sheets: Sequence[Sheet]) -> list[str]:
    titles: list[str] = []
    for sheet in sheets:
        base = _TITLE_ILLEGAL.sub("_", sheet.name).strip("'")[:XLSX_MAX_TITLE] or "Sheet"
        title, n = base, 1
        while title.casefold() in (t.casefold() for t in titles):
            n += 1
            title = f"{base[: XLSX_MAX_TITLE - len(str(n)) - 1]} {n}"
        titles.append(title)
    return titles


def _width(sheet: Sheet, column: int) -> float:
    if column in sheet.widths:
        return sheet.widths[column]
    longest = len(sheet.headers[column])
    for row in sheet.rows[:WIDTH_SAMPLE]:
        value = row[column]
        if value is None:
            continue
        text = csv_text(value)
        longest = max(longest, max((len(line) for line in text.split("\n")), default=0))
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def _set(cell, value: Any) -> None:
    """Put `value` into `cell`; text always as a string cell, never a formula."""
    if isinstance(value, str):
        cell.value = xlsx_text(value)
        cell.data_type = "s"  # openpyxl made text starting with "=" a formula
    elif isinstance(value, float) and not math.isfinite(value):
        cell.value = None
    else:
        cell.value = value


def xlsx_workbook(sheets: Sequence[Sheet]):
    import openpyxl  # only when a spreadsheet is written
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    book.remove(book.active)
    bold, wrapped = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for sheet, title in zip(sheets, _titles(sheets), strict=True):
        ws = book.create_sheet(title)
        for c, header in enumerate(sheet.headers, start=1):
            cell = ws.cell(1, c)
            _set(cell, header)
            cell.font = bold
        for r, row in enumerate(sheet.rows, start=2):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(r, c)
                _set(cell, value)
                if c - 1 in sheet.formats and isinstance(value, int | float) and not isinstance(value, bool):
                    cell.number_format = sheet.formats[c - 1]
                if c - 1 in sheet.wrap:
                    cell.alignment = wrapped
        for c in range(len(sheet.headers)):
            ws.column_dimensions[get_column_letter(c + 1)].width = _width(sheet, c)
        ws.freeze_panes = "A2"
        if sheet.headers:
            last = get_column_letter(len(sheet.headers))
            ws.auto_filter.ref = f"A1:{last}{max(1, len(sheet.rows) + 1)}"
        for choice in sheet.choices:
            listed = ",".join(choice.values)
            if not choice.values or len(listed) > 255 or '"' in listed:
                continue  # a list a spreadsheet cannot hold inline: no drop-down
            column = get_column_letter(choice.column + 1)
            rule = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
            rule.errorStyle = "warning"  # a label or points may be typed instead
            rule.add(f"{column}{choice.first + 2}:{column}{choice.last + 2}")
            ws.add_data_validation(rule)
    return book


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> None:
    book = xlsx_workbook(sheets)
    replace_atomically(path, lambda tmp: book.save(tmp))


# -- writing safely ---------------------------------------------------------------------------


def replace_atomically(path: Path, write, code: str = "EXPORT-CANNOT-WRITE") -> None:
    """Write through a temporary file beside `path`, flushed to disk, then move it into place:
    never a half-written file. `write(tmp)` writes the content; a failure is the problem `code`."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        write(private_file(tmp))
        with open(tmp, "ab") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        raise ProblemsFound([Problem(code, {"reason": e.strerror or str(e)}, str(path))]) from None
    finally:
        tmp.unlink(missing_ok=True)


# -- private files and folders ----------------------------------------------------------------

PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700


def _set_mode(path: Path | str, mode: int) -> None:
    if os.name == "posix":  # Windows keeps only a read-only flag: the folder's permissions decide there
        os.chmod(path, mode)


def private_file(path: Path) -> Path:
    """`path` made its owner's only before anything is written into it: created empty at 0600 when
    missing, set to 0600 when it exists. Opening it for writing afterwards keeps the mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        pass
    _set_mode(path, PRIVATE_FILE)  # also where the umask took the owner's own bits away
    return path


def private_folder(path: Path) -> Path:
    """The folder, with any missing parent, each made at 0700; a folder that exists is left as it is."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for folder in reversed(missing):
        _set_mode(folder, PRIVATE_FOLDER)
    return path


def private_tree(root: Path) -> None:
    """`root` and every folder (0700) and file (0600) in it, e.g. a worked example just copied."""
    if os.name != "posix":
        return
    for folder, _folders, files in os.walk(root):
        _set_mode(folder, PRIVATE_FOLDER)
        for name in files:
            file = os.path.join(folder, name)
            if not os.path.islink(file):  # a link's target may be anyone's
                _set_mode(file, PRIVATE_FILE)
