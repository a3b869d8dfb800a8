"""Questions in and out of the formats trainers already have.

In: Moodle XML, GIFT, Aiken, the Excel and Word templates, IMS QTI 2.1. Out: Moodle XML, GIFT,
the Excel template, IMS QTI 2.1. Each reader gives `Draft`s; `common.finish` makes them a bank
with a report of what was and was not carried over.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from assess.bank.documents import Bank
from assess.bank.formats import (
    aiken,
    gift_read,
    gift_write,
    moodle_read,
    moodle_write,
    qti_read,
    spreadsheet,
    word,
)
from assess.bank.formats.common import Imported, Options, finish
from assess.bank.formats.source import check_zip, read_bytes, text_of
from assess.bank.yamlwrite import dump
from assess.problems import Problem, ProblemsFound
from assess.sheets.write import replace_atomically

IMPORT_FORMATS = ("moodle-xml", "gift", "aiken", "xlsx", "docx", "qti")
EXPORT_FORMATS = ("moodle-xml", "gift", "xlsx", "qti")
BINARY_EXPORTS = ("xlsx", "qti")  # written to a file only
EXPORT_SUFFIXES = {"moodle-xml": ".xml", "gift": ".gift.txt", "xlsx": ".xlsx", "qti": ".zip"}
FORMAT_NAMES = {
    "moodle-xml": "Moodle XML", "gift": "GIFT", "aiken": "Aiken", "xlsx": "Excel", "docx": "Word",
    "qti": "QTI 2.1",
}  # fmt: skip
_ZIPPED = {"xlsx": "Excel", "docx": "Word"}


def shipped_competencies() -> frozenset[str]:
    """The competency ids of the shipped framework, which an imported bank uses."""
    from assess.bank.loader import load_file, shipped_banks_dir

    framework = load_file(shipped_banks_dir() / "competencies.yaml").document
    return frozenset(c.id for c in framework.competencies)


def guess_format(data: bytes) -> str | None:
    """The format a file's content shows, or None."""
    if data.startswith(b"PK\x03\x04"):  # a zip: which kind its parts' names say
        for part, form in (
            (b"imsmanifest.xml", "qti"),
            (b"xl/workbook.xml", "xlsx"),
            (b"word/document.xml", "docx"),
        ):
            if part in data:
                return form
        return None
    if qti_read.looks_like(data):
        return "qti"
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
        heard: list[Problem] = []
        drafts = spreadsheet.read(path, file) if form == "xlsx" else word.read(path, file, heard)
        warnings = tuple(heard)
    elif form == "qti":
        packaged = data.startswith(b"PK\x03\x04")
        drafts = qti_read.read_package(path, file) if packaged else qti_read.read_file(data, file)
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


def export_file(banks: Sequence[Bank], form: str, path: Path) -> list[Problem]:
    """`banks` written to `path` as the Excel template or a QTI package; what the format could not hold."""
    if form == "qti":
        from assess.bank.formats.qti_write import write

        data, notes = write(banks, str(path))
        replace_atomically(path, lambda tmp: tmp.write_bytes(data))
        return notes
    from assess.bank.formats.spreadsheet_write import sheets
    from assess.sheets.write import write_xlsx

    notes = []
    write_xlsx(path, sheets(banks, str(path), notes))
    return notes
