"""Empty templates for bank authors: the Excel sheet and the Word document, each with one example per
item type it carries (taken from the shipped banks) and instructions in the language of messages."""

from __future__ import annotations

from pathlib import Path

from assess.bank.documents import Bank
from assess.bank.formats.spreadsheet_write import item_row, sheets
from assess.bank.model import ITEM_TYPES, ItemBase
from assess.i18n import _
from assess.sheets.write import replace_atomically, write_xlsx

WORD_TYPES = ("single_choice", "multiple_response", "true_false", "essay")


def examples(types) -> list[ItemBase]:
    """One ready shipped item per type, as much of it as the templates hold (no model answer, word
    limits or regular-expression answers)."""
    from assess.bank.loader import load, shipped_banks_dir

    found: dict[str, ItemBase] = {}
    for bank in load((str(shipped_banks_dir()),)).banks:
        for item in bank.items:
            if item.type in types and item.type not in found and item.status == "ready":
                item = _held(item)
                lost: list[str] = []
                item_row(item, 5, False, lost.append)
                if not lost and len(getattr(item, "options", [])) <= 5:
                    found[item.type] = item
    # Example ids of their own: a filled-in template imports beside the shipped banks.
    return [
        found[t].model_copy(update={"id": f"contoh-{n:02d}"}) for n, t in enumerate(types, 1) if t in found
    ]


def _held(item: ItemBase) -> ItemBase:
    if item.type == "essay":
        return item.model_copy(update={"model_answer": None, "min_words": None, "max_words": None})
    if item.type == "short_answer":
        texts = [a for a in item.accepted if a.text is not None]
        return item.model_copy(update={"accepted": texts}) if texts else item
    return item


def write_xlsx_template(path: Path) -> None:
    bank = Bank(kind="bank", id="template", title="template", items=examples(tuple(ITEM_TYPES)))
    write_xlsx(path, sheets([bank], str(path)))


def write_docx_template(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading(_("Questions for assess"), level=1)
    for line in (
        _("Number every question (1., 2., ...) or use Word's numbered list; put each option on its own line "
          "as A., B., C. ... Then write the key on a line of its own: Kunci: B (several letters for "
          "questions with more than one right answer: Kunci: A, C)."),
        _("A question without options is true/false when its key is Benar or Salah, and an essay otherwise; "
          "give an essay its rubric after a line 'Rubrik:', one level per line: "
          "4 = Sangat baik: description."),
        _("Optional lines: Pembahasan: (the explanation), Kompetensi: M.05, Tingkat: mudah, sedang or sulit, "
          "Topik: ..."),
        _("Import it with: assess bank import FILE.docx --competency M.05"),
    ):  # fmt: skip
        document.add_paragraph(line)
    for n, item in enumerate(examples(WORD_TYPES), 1):
        _example(document, n, item)
    replace_atomically(path, lambda tmp: document.save(str(tmp)))


def _example(document, n: int, item: ItemBase) -> None:
    document.add_paragraph(f"{n}. {item.stem}")
    letters = "ABCDEFGHIJ"
    options = getattr(item, "options", [])
    for letter, option in zip(letters, options, strict=False):
        document.add_paragraph(f"{letter}. {option.text}")
    if item.type == "single_choice":
        key = letters[[o.id for o in options].index(item.key)]
    elif item.type == "multiple_response":
        key = ", ".join(letters[[o.id for o in options].index(k)] for k in item.key)
    elif item.type == "true_false":
        key = "Benar" if item.key else "Salah"
    else:
        key = None
    if key is not None:
        document.add_paragraph(f"Kunci: {key}")
    if item.type == "essay":
        document.add_paragraph("Rubrik:")
        for level in item.rubric:
            text = f"{level.points:g} = {level.label}" + (
                f": {level.description}" if level.description else ""
            )
            document.add_paragraph(text)
    if item.explanation:
        document.add_paragraph(f"Pembahasan: {item.explanation}")
    document.add_paragraph(f"Kompetensi: {', '.join(item.competencies)}")
    document.add_paragraph("")
