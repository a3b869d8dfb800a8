"""Paper answer sheets -> finished attempts, and the empty sheet (pure: no I/O).

One row per participant: the participant (internal id such as P0001, or
NIP), the paper variant (A, B, ...; optional when the form has one), and one
column per question number 1..N in the variant's printed order
(`Variant.items`). A cell holds what the participant marked, as printed:

    single choice, weighted options   a letter (B), or an option id
    multiple response                 letters: AC, A,C or A C (or option ids, comma-separated)
    true/false                        B or S, Benar or Salah (True or False)
    ordering                          letters in the order given: CAB, C,A,B
    matching                          prompt numbers with choice letters: 1C 2A 3B; or C,A,B
    numeric, short answer             as typed
    essay                             no cell: the answer is on the paper; it is stored as
                                      PAPER_ESSAY and waits for its mark (assess marks)

A letter is the option at that position in the variant's option order for
the item (`assess.forms.answer_at`); prompts of a matching item are numbered
in the item's own order, its choices lettered in the variant's order. A row
whose answer cells are all blank is a participant who did not sit the test:
no attempt. Every cell problem is located by row and column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assess.bank.model import (
    Essay,
    ItemBase,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    WeightedOptions,
)
from assess.bank.show import letters
from assess.delivery.imports import (
    IMPORTED,
    STRICT,
    AttemptsPlan,
    Leniency,
    Note,
    People,
    Person,
    Skipped,
    check_header_row,
    clean_nip,
    person_problem,
    text_problem,
    truth,
)
from assess.forms import Form, Variant, answer_at, shown
from assess.i18n import N_
from assess.problems import Found, Phrase, Problem, ProblemsFound
from assess.responses import ResponseError, normalise
from assess.sheets.table import Cell, Table, cell, header_key, rows_with_values, trimmed_headers

# What an essay answered on paper is stored as, so that it waits for a marker.
PAPER_ESSAY = "(jawaban uraian tertulis pada lembar kertas)"
PERSON, NAME, VARIANT = "person", "name", "variant"
HEADERS = {  # header key -> column
    "peserta": PERSON,
    "participant": PERSON,
    "id": PERSON,
    "idpeserta": PERSON,
    "participantid": PERSON,
    "nip": PERSON,
    "nama": NAME,
    "name": NAME,
    "varian": VARIANT,
    "variant": VARIANT,
    "paket": VARIANT,
    "paketsoal": VARIANT,
}
IGNORED = frozenset({"no", "nomor", "nourut", "number"})  # a running number
_QUESTION = re.compile(r"(?:soal|nomor|no|q|question)?(\d+)")
TEMPLATE_HEADERS = ("Peserta", "Nama", "Varian")
EXPECTED = "Peserta/Participant/NIP, Nama/Name, Varian/Variant, 1, 2, ..."
TRUE_LETTERS, FALSE_LETTERS = frozenset({"b"}), frozenset({"s"})  # Benar, Salah
_PAIR = re.compile(r"(\d+)\s*[-.:=)]?\s*([A-Za-z]+)")
BAD = object()  # a cell whose problem has been reported


def template_rows(form: Form, participants: Sequence[Person]) -> tuple[list[str], list[list]]:
    """The empty sheet's header and rows: every participant's id and name, the variant to fill in
    and one column per question number."""
    n = len(form.items)
    headers = [*TEMPLATE_HEADERS, *(str(k) for k in range(1, n + 1))]
    return headers, [[p.person_id, p.name, ""] + [""] * n for p in participants]


def plan_answer_sheet(
    table: Table,
    form: Form,
    participants: Sequence[Person],
    *,
    file: str,
    taken: frozenset[str] = frozenset(),
    leniency: Leniency = STRICT,
) -> AttemptsPlan:
    """The attempts of an answer sheet, or ProblemsFound with every problem located. `taken`: participants
    who already have an attempt on the phase (with `leniency.new_only`, their rows are left out)."""
    found, notes = Found(file), []
    headers = trimmed_headers(table)
    rows = rows_with_values(table)
    if not headers and not rows:
        raise ProblemsFound([Problem("FILE-EMPTY", {}, file)])
    check_header_row(table, headers, rows, found)
    columns, questions = _sheet_columns(headers, table.header_line, len(form.items), found)
    _check_sheet_columns(form, columns, questions, rows, table.header_line, found)
    found.raise_if_any()

    people = People(participants)
    seen: dict[str, int] = {}
    records, left_out = [], []
    skipped = 0  # rows without answers: participants who did not sit the test
    for row in rows:
        marked = any(cell(row, i).value.strip() for i in questions.values())
        if not marked:
            skipped += 1
            continue
        sitter = _sitter(row, columns, headers, form, people, seen, taken, found, leniency, left_out)
        if sitter is None:
            continue
        person, variant = sitter
        answers = _row_answers(row, questions, headers, form, variant, found)
        records.append(
            {
                "person_id": person,
                "answers": {i.id: answers[i.id] for i in form.items},
                "variant": variant.label,
                "personal_order": {"items": list(variant.items), "options": dict(variant.options)},
            }
        )
    found.raise_if_any()
    if skipped:
        notes.append(Note(Phrase(N_("rows without answers, so without an attempt: {n}"), {"n": skipped})))
    return AttemptsPlan(records, notes, skipped=left_out)


def _sheet_columns(
    headers: list[str], line: int, n: int, found: Found
) -> tuple[dict[str, int], dict[int, int]]:
    """Which column holds the participant, name and variant, and which each question number (1..n)."""
    columns: dict[str, int] = {}
    questions: dict[int, int] = {}  # question number -> column index
    for i, text in enumerate(headers):
        key = header_key(text)
        q = _QUESTION.fullmatch(key)
        kind = HEADERS.get(key)
        if not key or key in IGNORED:
            continue
        if kind is None and q is None:
            found.add("RESPONSES-SHEET-HEADER-UNKNOWN", line, i + 1, text, name=text, expected=EXPECTED)
            continue
        if q is not None:
            number = int(q.group(1))
            if not 1 <= number <= n:
                found.add("RESPONSES-SHEET-QUESTION-RANGE", line, i + 1, text, number=number, n=n)
                continue
            kind, where = number, questions
        else:
            where = columns
        if kind in where:
            first = where[kind]
            found.add(
                "PARTICIPANTS-HEADER-DUPLICATE", line, i + 1, text, other=first + 1, first=headers[first]
            )
        else:
            where[kind] = i
    return columns, questions


def _check_sheet_columns(
    form: Form, columns: dict[str, int], questions: dict[int, int], rows: list, line: int, found: Found
) -> None:
    """Report a missing participant or variant column, questions without a column, and no rows."""
    n = len(form.items)
    if PERSON not in columns:
        found.add("RESPONSES-SHEET-PERSON-COLUMN-MISSING", line)
    labels = [v.label for v in form.variants]
    if VARIANT not in columns and len(labels) > 1:
        found.add("RESPONSES-SHEET-VARIANT-COLUMN-MISSING", line, variants=", ".join(labels))
    absent = [
        k
        for k in range(1, n + 1)
        if k not in questions and not all(isinstance(form.item(v.items[k - 1]), Essay) for v in form.variants)
    ]
    if absent:
        found.add("RESPONSES-SHEET-QUESTIONS-MISSING", line, numbers=_ranges(absent))
    if not rows:
        found.add("RESPONSES-NO-ROWS", line)


def _sitter(
    row,
    columns: dict[str, int],
    headers: list[str],
    form: Form,
    people: People,
    seen: dict[str, int],
    taken: frozenset[str],
    found: Found,
    leniency: Leniency,
    left_out: list[Skipped],
) -> tuple[str, Variant] | None:
    """The row's participant and variant, or None after reporting (or, as `leniency` allows, listing in
    `left_out`) why the row makes no attempt."""
    pc = columns[PERSON]
    at = {"line": row.line, "column": pc + 1, "field": headers[pc]}
    person_cell = cell(row, pc)
    if person_cell.number and len(person_cell.value) > 15:
        found.add("PARTICIPANTS-NIP-NUMBER", **at, value=person_cell.value)
        return None
    value = person_cell.value
    matches = people.find("id", value) or people.find("nip", clean_nip(value))
    unknown = left_out if leniency.skip_unknown else None
    person = person_problem(found, Phrase(N_("id or NIP")), value, matches, at, unknown)
    variant = _variant(row, columns, headers, form, found)
    if person is None or variant is None:
        return None
    if person in seen:
        found.add("RESPONSES-SHEET-PERSON-DUPLICATE", **at, person=person, other=seen[person])
        return None
    seen[person] = row.line
    if person in taken:
        if leniency.new_only:
            left_out.append(Skipped(row.line, person, IMPORTED))
        else:
            found.add("RESPONSES-ATTEMPT-EXISTS", **at, person=person, phase=form.phase)
        return None
    return person, variant


def _row_answers(
    row, questions: dict[int, int], headers: list[str], form: Form, variant: Variant, found: Found
) -> dict[str, Any]:
    """Item id -> the row's answer, for every item of the form; reports each cell that is not an answer."""
    answers = {}
    for number, i in sorted(questions.items()):
        item = form.item(variant.items[number - 1])
        c = cell(row, i)
        at = {"line": row.line, "column": i + 1, "field": headers[i], "item": item.id}
        value = _value(item, variant, c, number, at, found)
        if value is BAD:
            continue
        try:
            normalise(item, value)
        except ResponseError as e:
            found.add(e.code, **at, **e.params)
            continue
        answers[item.id] = value
    for item in form.items:
        # An essay was written on the paper itself: it waits for its mark (assess marks
        # export/import) instead of counting as blank.
        answers.setdefault(item.id, PAPER_ESSAY if isinstance(item, Essay) else None)
    return answers


def _ranges(numbers: list[int]) -> str:
    """1, 2, 3, 7 -> "1-3, 7"."""
    out, start = [], numbers[0]
    for a, b in zip(numbers, [*numbers[1:], None], strict=True):
        if b != a + 1:
            out.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ", ".join(out)


def _variant(row, columns: dict, headers: list[str], form: Form, found: Found) -> Variant | None:
    labels = [v.label for v in form.variants]
    if VARIANT not in columns:
        return form.variants[0]
    i = columns[VARIANT]
    at = {"line": row.line, "column": i + 1, "field": headers[i]}
    text = re.sub(r"^(paket|varian|variant)\s*", "", cell(row, i).value.strip(), flags=re.IGNORECASE)
    if not text:
        if len(labels) == 1:
            return form.variants[0]
        found.add("RESPONSES-SHEET-VARIANT-EMPTY", **at, variants=", ".join(labels))
        return None
    if text.upper() not in labels:
        found.add("RESPONSES-SHEET-VARIANT-UNKNOWN", **at, value=text, variants=", ".join(labels))
        return None
    return form.variant(text.upper())


# -- cells ---------------------------------------------------------------------------


def cell_answer(item: ItemBase, variant: Variant, text: str, number: int, at: dict, found: Found) -> Any:
    """One cell of an answer sheet as the import reads it: the normalised answer (None blank), or BAD
    after adding its problem, located by `at` (line, column, field, item), to `found`."""
    value = _value(item, variant, Cell(text), number, at, found)
    if value is BAD:
        return BAD
    try:
        return normalise(item, value)
    except ResponseError as e:
        found.add(e.code, **at, **e.params)
        return BAD


def _value(item: ItemBase, variant: Variant, c: Cell, number: int, at: dict, found: Found) -> Any:
    """A cell as the raw response in ids; None for blank, BAD after reporting a problem."""
    text = c.value.strip()
    if isinstance(item, Essay):
        # The essay is on the paper: an empty cell means it waits for its mark, not blank.
        if not text:
            return PAPER_ESSAY
        found.add("RESPONSES-SHEET-ESSAY", **at, number=number, variant=variant.label)
        return BAD
    if not text:
        return None
    if isinstance(item, Numeric) and c.number:
        return float(c.value)
    if isinstance(item, Numeric | ShortAnswer):
        bad = text_problem(c.value)
        if bad:
            found.add(bad[0], **at, **bad[1])
            return BAD
        return c.value
    if isinstance(item, TrueFalse):
        word = text.casefold()
        value = True if word in TRUE_LETTERS else False if word in FALSE_LETTERS else truth(text)
        if value is None:
            found.add("RESPONSES-SHEET-TRUE-FALSE", **at, value=text)
            return BAD
        return value
    if isinstance(item, Matching):
        return _matching(item, variant, text, at, found)
    ids = shown(variant, item)
    positions = {label: k for k, label in enumerate(letters(len(ids)))}
    last = letters(len(ids))[-1]
    if isinstance(item, SingleChoice | WeightedOptions):
        picked = _picks(text, ids, positions, variant, item, single=True)
        if picked is None or len(picked) != 1:
            found.add("RESPONSES-SHEET-LETTER", **at, value=text, last=last)
            return BAD
        return picked[0]
    if isinstance(item, MultipleResponse | Ordering):
        picked = _picks(text, ids, positions, variant, item, single=False)
        if picked is None:
            found.add("RESPONSES-SHEET-LETTERS", **at, value=text, last=last)
            return BAD
        return picked
    raise TypeError(type(item).__name__)


def _picks(
    text: str, ids: list[str], positions: dict[str, int], variant: Variant, item: ItemBase, *, single: bool
) -> list[str] | None:
    """The option ids that letters (as printed) or ids name; None when something is neither."""
    tokens = [t for t in re.split(r"[\s,;/]+", text) if t]
    if not single and len(tokens) == 1 and all(ch.upper() in positions for ch in tokens[0]):
        tokens = list(tokens[0])  # "CAB", "ac"
    out = []
    for t in tokens:
        if t.upper() in positions:
            out.extend(answer_at(variant, item, [positions[t.upper()]]))
        elif t in ids:
            out.append(t)
        else:
            return None
    return out


def _matching(item: Matching, variant: Variant, text: str, at: dict, found: Found) -> Any:
    """ "1C 2A 3B" (prompt numbers, choice letters) or "C,A,B" (by position); "-" leaves one out."""
    choices = shown(variant, item)
    positions = {label: k for k, label in enumerate(letters(len(choices)))}
    prompts = [p.id for p in item.prompts]
    pairs: list[tuple[int, str]] = []
    if _PAIR.match(text) and not _PAIR.sub("", text).strip(" \t,;"):
        pairs = [(int(a), b) for a, b in _PAIR.findall(text)]
    else:
        tokens = [t.strip() for t in re.split(r"[,;]", text)] if re.search(r"[,;]", text) else text.split()
        if len(tokens) == 1 and len(tokens[0]) > 1:
            tokens = list(tokens[0])
        pairs = [(k, t) for k, t in enumerate(tokens, start=1) if t not in ("", "-", "_", "?")]
        if len(tokens) > len(prompts):
            found.add("RESPONSES-SHEET-MATCHING", **at, value=text)
            return BAD
    out: dict[str, str] = {}
    for number, label in pairs:
        if not 1 <= number <= len(prompts) or prompts[number - 1] in out:
            found.add("RESPONSES-SHEET-PROMPT", **at, number=number, n=len(prompts))
            return BAD
        if label.upper() not in positions:
            found.add("RESPONSES-SHEET-LETTER", **at, value=label, last=letters(len(choices))[-1])
            return BAD
        out[prompts[number - 1]] = choices[positions[label.upper()]]
    return out
