"""Questions in and out of the formats trainers already have.

In: Moodle XML, GIFT, Aiken, the Excel and Word templates. Out: Moodle XML, GIFT, the Excel
template. Each reader gives `Draft`s; `common.finish` makes them a bank with a report of what was
and was not carried over.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from assess.bank.documents import Bank
from assess.bank.formats import aiken, gift_read, gift_write, moodle_read, moodle_write, spreadsheet, word
from assess.bank.formats.common import Imported, Options, finish
from assess.bank.formats.source import check_zip, read_bytes, text_of
from assess.bank.yamlwrite import dump
from assess.problems import Problem, ProblemsFound
from assess.sheets.write import replace_atomically

IMPORT_FORMATS = ("moodle-xml", "gift", "aiken", "xlsx", "docx")
EXPORT_FORMATS = ("moodle-xml", "gift", "xlsx")
FORMAT_NAMES = {"moodle-xml": "Moodle XML", "gift": "GIFT", "aiken": "Aiken", "xlsx": "Excel", "docx": "Word"}
_ZIPPED = {"xlsx": "Excel", "docx": "Word"}


def shipped_competencies() -> frozenset[str]:
    """The competency ids of the shipped framework, which an imported bank uses."""
    from assess.bank.loader import load_file, shipped_banks_dir

    framework = load_file(shipped_banks_dir() / "competencies.yaml").document
    return frozenset(c.id for c in framework.competencies)


def guess_format(data: bytes) -> str | None:
    """The format a file's content shows, or None."""
    if data.startswith(b"PK\x03\x04"):  # a zip: which Office file its parts say
        return "xlsx" if b"xl/workbook.xml" in data else "docx" if b"word/document.xml" in data else None
    if moodle_read.looks_like(data):
        return "moodle-xml"
    sample = data[:65536].decode("utf-8", "replace")
    if aiken.looks_like(sample):
        return "aiken"
    if gift_read.looks_like(sample):
        return "gift"
    return None


def import_file(path: Path, form: str | None, options: Options) -> tuple[Imported, str, bool]:
    """The bank the file holds, the format it was read as, and whether that was guessed."""
    file = str(path)
    data = read_bytes(path)
    guessed = form is None
    if form is None:
        form = guess_format(data)
        if form is None:
            raise ProblemsFound(
                [Problem("IMPORT-FORMAT-UNKNOWN", {"formats": ", ".join(IMPORT_FORMATS)}, file)]
            )
    warnings: tuple[Problem, ...] = ()
    if form in _ZIPPED:
        check_zip(path, _ZIPPED[form])
        drafts = spreadsheet.read(path, file) if form == "xlsx" else word.read(path, file)
    elif form == "moodle-xml":
        drafts = moodle_read.read(data, file)
    else:
        text = text_of(data, file)
        warnings = text.warnings
        reader: Callable = aiken.read if form == "aiken" else gift_read.read
        drafts = reader(text.text, file)
    if not drafts:
        raise ProblemsFound([*warnings, Problem("IMPORT-NOTHING", {}, file)])
    imported = finish(drafts, file, options)
    if not imported.bank.items:
        raise ProblemsFound([*warnings, *imported.skipped])
    return replace(imported, warnings=warnings), form, guessed


def bank_yaml(bank: Bank) -> str:
    """A bank as the YAML authors write: fields at their defaults left out."""
    return dump(bank.model_dump(mode="json", exclude_none=True, exclude_defaults=True))


def write_bank(path: Path, bank: Bank) -> None:
    text = bank_yaml(bank)
    replace_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), "IMPORT-CANNOT-WRITE")


def export_text(banks: Sequence[Bank], form: str, file: str) -> tuple[str, list[Problem]]:
    """The text of `banks` in `form`, and what of the items the format could not hold."""
    writer = moodle_write.write if form == "moodle-xml" else gift_write.write
    return writer(banks, file)


def export_xlsx(banks: Sequence[Bank], path: Path) -> list[Problem]:
    """The Excel template holding `banks`, written to `path`; what it could not hold."""
    from assess.bank.formats.spreadsheet_write import sheets
    from assess.sheets.write import write_xlsx

    notes: list[Problem] = []
    write_xlsx(path, sheets(banks, str(path), notes))
    return notes
