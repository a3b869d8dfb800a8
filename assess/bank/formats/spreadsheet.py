"""The Excel template: one row per question, as Indonesian trainers already keep them.

Columns (Indonesian headers; the English ones are accepted too): `id, tipe, soal, A..E, kunci,
bobot A..E, pasangan A..E, jawaban, toleransi, rubrik, pembahasan, sumber, kompetensi, tingkat,
topik`, and optionally `poin` and `tag`. Options sit in `A..E` (more letters when a question has
more); matching has its prompts in `A..E` and their matches in `pasangan A..E`; ordering its
options in `A..E` and `kunci` the letters in order (`B,D,A,C`); multiple response `kunci` as
`A,C`; weighted options their points in `bobot A..E`; essays one rubric level per line in
`rubrik` (`4 = Sangat baik: description`). Cells hold the bank's Markdown.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assess.bank.formats import answers
from assess.bank.formats.common import Draft, option_id
from assess.problems import Problem, ProblemsFound
from assess.sheets.table import header_key

SHEET_NAMES = ("soal", "questions", "items")
TYPE_NAMES = {
    "single_choice": ("pilihan ganda", "pg"),
    "multiple_response": ("pilihan ganda kompleks", "pgk", "pilihan jamak"),
    "true_false": ("benar salah", "bs", "benar/salah"),
    "matching": ("menjodohkan", "jodohkan"),
    "ordering": ("mengurutkan", "urutan"),
    "short_answer": ("isian singkat", "isian"),
    "numeric": ("isian angka", "angka"),
    "weighted_options": ("pilihan berbobot", "berbobot"),
    "essay": ("uraian", "esai", "essay"),
}
_TYPES = {header_key(name): t for t, names in TYPE_NAMES.items() for name in (t, *names)}
TRUE_WORDS, FALSE_WORDS = {"benar", "b", "true", "t", "ya", "betul"}, {"salah", "s", "false", "f", "tidak"}
# field -> (Indonesian header, English header)
HEADERS = {
    "id": ("id", "id"),
    "type": ("tipe", "type"),
    "stem": ("soal", "question"),
    "key": ("kunci", "key"),
    "answer": ("jawaban", "answer"),
    "tolerance": ("toleransi", "tolerance"),
    "rubric": ("rubrik", "rubric"),
    "explanation": ("pembahasan", "explanation"),
    "source": ("sumber", "source"),
    "competency": ("kompetensi", "competency"),
    "difficulty": ("tingkat", "difficulty"),
    "topic": ("topik", "topic"),
    "points": ("poin", "points"),
    "tags": ("tag", "tags"),
}
LETTERS = string.ascii_uppercase
_NUMBER_AND_UNIT = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Columns:
    """Where each column is: field -> index, and the option letters' columns."""

    fields: dict[str, int]
    options: dict[str, int]  # "A" -> column of option A
    weights: dict[str, int]  # "A" -> column of `bobot A`
    pairs: dict[str, int]  # "A" -> column of `pasangan A`
    headers: tuple[str, ...]


def columns_of(headers: tuple[str, ...]) -> Columns:
    keys = [header_key(h) for h in headers]
    names = {header_key(name): f for f, pair in HEADERS.items() for name in pair}
    fields, options, weights, pairs = {}, {}, {}, {}
    for index, key in enumerate(keys):
        if key in names:
            fields.setdefault(names[key], index)
        elif len(key) == 1 and key.upper() in LETTERS:
            options.setdefault(key.upper(), index)
        elif re.fullmatch(r"(bobot|weight)[a-z]", key):
            weights.setdefault(key[-1].upper(), index)
        elif re.fullmatch(r"(pasangan|match)[a-z]", key):
            pairs.setdefault(key[-1].upper(), index)
    return Columns(fields, options, weights, pairs, headers)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


# -- reading -----------------------------------------------------------------------------------------


MAX_COLUMNS = 200  # the template has about forty
MAX_ROWS = 20_000
MAX_BLANK_RUN = 1_000  # so many blank rows one after another: the questions have ended


def _rows(sheet, file: str):
    """(row number, cell texts) of the header and of every row with a value: at most as wide as the
    header, and bounded however far a (hostile) file says its cells reach."""
    header = next(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
    cells = [_text(v) for v in header]
    while cells and not cells[-1]:
        cells.pop()
    yield 1, tuple(cells)
    if not cells:
        return
    blank = 0
    for line, row in enumerate(sheet.iter_rows(min_row=2, max_col=len(cells), values_only=True), start=2):
        if line > MAX_ROWS:
            raise ProblemsFound([Problem("IMPORT-SHEET-TOO-LARGE", {"max": MAX_ROWS}, file, line)])
        values = tuple(_text(v) for v in row)
        if any(values):
            blank = 0
            yield line, values
        else:
            blank += 1
            if blank >= MAX_BLANK_RUN:
                return


def read(path: Path, file: str) -> list[Draft]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ProblemsFound([Problem("IMPORT-NOT-ZIP", {"kind": "Excel", "reason": str(e)}, file)]) from None
    try:
        sheet = next((ws for ws in book.worksheets if ws.title.casefold() in SHEET_NAMES), book.worksheets[0])
        sheet.reset_dimensions()
        title = sheet.title
        rows = list(_rows(sheet, file))
    except ProblemsFound:
        raise
    except Exception as e:  # noqa: BLE001 - a damaged cell (a number that is not one, a bad string index)
        reason = str(e) or type(e).__name__
        raise ProblemsFound(
            [Problem("IMPORT-UNREADABLE", {"kind": "Excel", "reason": reason}, file)]
        ) from None
    finally:
        book.close()
    if not rows or not rows[0][1]:
        return []
    columns = columns_of(rows[0][1])
    missing = [HEADERS[f][0] for f in ("type", "stem") if f not in columns.fields]
    if missing:
        raise ProblemsFound([Problem("IMPORT-SHEET-HEADERS", {"missing": ", ".join(missing)}, file, 1,
                                     field=title)])  # fmt: skip
    return [_row(Row(row, line, columns, title), n) for n, (line, row) in enumerate(rows[1:], start=1)]


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    line: int
    columns: Columns
    sheet: str

    def get(self, name: str) -> str:
        index = self.columns.fields.get(name)
        return self.cells[index] if index is not None and index < len(self.cells) else ""

    def at(self, index: int | None) -> str:
        return self.cells[index] if index is not None and index < len(self.cells) else ""

    def place(self, name: str) -> tuple[int | None, str]:
        index = self.columns.fields.get(name)
        header = self.columns.headers[index] if index is not None else HEADERS[name][0]
        return (index + 1 if index is not None else None), f"{self.sheet}!{header}"

    def lettered(self, which: dict[str, int]) -> dict[str, str]:
        return {letter: self.at(index) for letter, index in sorted(which.items()) if self.at(index)}


def _row(row: Row, number: int) -> Draft:
    draft = Draft(number, row.line, given_id=row.get("id") or None)
    kind = _TYPES.get(header_key(row.get("type")))
    if kind is None:
        return draft.refuse_at(*row.place("type"), "IMPORT-SHEET-TYPE", value=row.get("type"),
                               expected=", ".join(n[0] for n in TYPE_NAMES.values()))  # fmt: skip
    fields = draft.fields
    fields["stem"] = row.get("stem")
    for name in ("explanation", "topic"):
        if row.get(name):
            fields[name] = row.get(name)
    draft.tags += [f"kompetensi:{c}" for c in re.split(r"[,;\s]+", row.get("competency")) if c]
    draft.tags += [f"sumber:{c}" for c in re.split(r"[,;\s]+", row.get("source")) if c]
    if row.get("difficulty"):
        draft.tags.append(f"tingkat:{row.get('difficulty')}")
    if row.get("points"):
        draft.tags.append(f"poin:{row.get('points').replace(',', '.')}")
    draft.tags += [t.strip() for t in re.split(r"[;\n]", row.get("tags")) if t.strip()]
    if not fields["stem"]:
        return draft.refuse_at(*row.place("stem"), "IMPORT-NO-STEM")
    _READERS[kind](row, draft)
    return draft


def _options(row: Row) -> tuple[list[dict], list[str]]:
    given = row.lettered(row.columns.options)
    return [{"id": option_id(n), "text": text} for n, text in enumerate(given.values(), 1)], list(given)


def _letters(text: str) -> list[str]:
    return [p.upper() for p in re.split(r"[\s,;]+", text.strip()) if p]


def _key_letters(row: Row, draft: Draft, letters: list[str], many: bool) -> list[str] | None:
    key = _letters(row.get("key"))
    unknown = [k for k in key if k not in letters]
    if not key or unknown or (not many and len(key) != 1):
        draft.refuse_at(
            *row.place("key"), "IMPORT-SHEET-KEY", value=row.get("key"), letters=", ".join(letters)
        )
        return None
    return key


def _choice(row: Row, draft: Draft) -> None:
    options, letters = _options(row)
    key = _key_letters(row, draft, letters, many=False)
    if key is not None:
        answers.choices(draft, options, [float(x == key[0]) for x in letters], single=True)


def _keyed_list(kind: str):
    """Multiple response (`A,C`) and ordering (`B,D,A,C`): options and a key of several letters."""

    def read_row(row: Row, draft: Draft) -> None:
        options, letters = _options(row)
        key = _key_letters(row, draft, letters, many=True)
        if key is not None:
            draft.fields.update(
                type=kind, options=options, key=[option_id(letters.index(k) + 1) for k in key]
            )

    return read_row


def _true_false(row: Row, draft: Draft) -> None:
    word = row.get("key").strip().casefold()
    if word not in TRUE_WORDS | FALSE_WORDS:
        draft.refuse_at(*row.place("key"), "IMPORT-SHEET-KEY", value=row.get("key"), letters="Benar, Salah")
        return
    draft.fields.update(type="true_false", key=word in TRUE_WORDS)


def _matching(row: Row, draft: Draft) -> None:
    prompts, matches = row.lettered(row.columns.options), row.lettered(row.columns.pairs)
    lonely = [letter for letter in prompts if letter not in matches]
    if lonely:
        column = row.columns.options[lonely[0]]
        draft.refuse_at(column + 1, f"{row.sheet}!{row.columns.headers[column]}", "IMPORT-SHEET-PAIR",
                        letter=lonely[0])  # fmt: skip
        return
    letters = sorted(set(prompts) | set(matches))
    answers.matching(
        draft, [(prompts.get(letter), matches[letter]) for letter in letters if letter in matches]
    )


def _short(row: Row, draft: Draft) -> None:
    given = [(a.strip(), 1.0) for a in re.split(r"[;\n]", row.get("answer")) if a.strip()]
    if not given:
        draft.refuse_at(*row.place("answer"), "IMPORT-NO-KEY")
        return
    answers.short_answer(draft, given, case_sensitive=False)


def _numeric(row: Row, draft: Draft) -> None:
    m = _NUMBER_AND_UNIT.match(row.get("answer"))
    value = _number(m.group(1)) if m else None
    if value is None:
        draft.refuse_at(*row.place("answer"), "IMPORT-SHEET-NUMBER", value=row.get("answer"))
        return
    tolerance_text = row.get("tolerance").strip()
    relative = tolerance_text.endswith("%")
    tolerance = _number(tolerance_text.rstrip("%").strip()) if tolerance_text else 0.0
    if tolerance is None:
        draft.refuse_at(*row.place("tolerance"), "IMPORT-SHEET-NUMBER", value=tolerance_text)
        return
    draft.fields.update(type="numeric", value=value, tolerance=abs(tolerance) / (100 if relative else 1))
    if relative:
        draft.fields["tolerance_mode"] = "relative"
    if m.group(2):
        draft.fields["unit"] = m.group(2)


def _weighted(row: Row, draft: Draft) -> None:
    options, letters = _options(row)
    weights = row.lettered(row.columns.weights)
    points = [_number(weights.get(letter, "")) for letter in letters]
    if any(p is None for p in points):
        letter = letters[points.index(None)]
        column = row.columns.weights.get(letter)
        field = f"{row.sheet}!{row.columns.headers[column]}" if column is not None else f"bobot {letter}"
        draft.refuse_at(column + 1 if column is not None else None, field, "IMPORT-SHEET-NUMBER",
                        value=weights.get(letter, ""))  # fmt: skip
        return
    draft.fields.update(
        type="weighted_options", options=[{**o, "points": p} for o, p in zip(options, points, strict=True)]
    )


def _essay(row: Row, draft: Draft) -> None:
    levels, bad = answers.rubric_levels([row.get("rubric")])
    if bad is not None or len(levels) < 2:
        draft.refuse_at(
            *row.place("rubric"), "IMPORT-SHEET-RUBRIC", line=bad or row.get("rubric").strip() or "-"
        )
        return
    draft.fields.update(type="essay", rubric=levels)


_READERS = {
    "single_choice": _choice,
    "multiple_response": _keyed_list("multiple_response"),
    "true_false": _true_false,
    "matching": _matching,
    "ordering": _keyed_list("ordering"),
    "short_answer": _short,
    "numeric": _numeric,
    "weighted_options": _weighted,
    "essay": _essay,
}
