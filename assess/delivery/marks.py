"""Essay marks: the file a marker fills in, and reading the chosen levels back (pure: no I/O).

`essays_sheets` lists the essays of one phase to mark: every submitted or
expired attempt whose essay answer is not blank, one row per essay, with the
participant's internal id (never a name or NIP), the answer, the rubric's
levels and the level stored so far (also filled into the Level column, so a
file read back unchanged changes nothing).

`plan_marks` reads such a file back. A level is given by its id (`r2`), as
the rubric cell lists it (`r2: ...`), by its label, or by its points when
exactly one level has them. Every row is checked first; any problem and
nothing is marked. A row whose Level is empty changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assess.bank.model import Essay, RubricLevel
from assess.forms import Form
from assess.i18n import LANGUAGES, N_, _, catalogue
from assess.i18n.numbers import numbers
from assess.problems import Problem, ProblemsFound
from assess.responses import ResponseError, parse_number, stored_value
from assess.sheets.table import Choice, Sheet, Table, header_key

PHASE, PARTICIPANT, ITEM, ANSWER, RUBRIC, STORED, LEVEL = (
    "phase",
    "participant",
    "item",
    "answer",
    "rubric",
    "stored",
    "level",
)
HEADERS = {  # column -> header msgid, in the order written
    PHASE: N_("Phase"),
    PARTICIPANT: N_("Participant"),
    ITEM: N_("Item"),
    ANSWER: N_("Answer"),
    RUBRIC: N_("Rubric levels"),
    STORED: N_("Stored level"),
    LEVEL: N_("Level"),
}
REQUIRED = (PHASE, PARTICIPANT, ITEM, LEVEL)
# Headers read back besides the catalogue's words in either language.
ALIASES = {
    PHASE: ("phase", "fase", "tahap"),
    PARTICIPANT: ("participant", "peserta", "participantid", "idpeserta"),
    ITEM: ("item", "soal", "itemid", "idsoal"),
    LEVEL: ("level", "tingkat"),
}
ANSWER_WIDTH, RUBRIC_WIDTH = 70, 45


def points_text(value: float) -> str:
    return numbers().upto(value, 3)


def level_text(level: RubricLevel) -> str:
    """ "r2: Aturan benar, langkah belum lengkap (2)"."""
    return f"{level.id}: {level.label} ({points_text(level.points)})"


def is_blank(item: Essay, raw: Any) -> bool:
    return stored_value(item, raw) is None


def essays(form: Form) -> list[Essay]:
    return [i for i in form.items if isinstance(i, Essay)]


@dataclass(frozen=True)
class Finished:
    """A finished (submitted or expired) attempt of one participant on the phase."""

    attempt_id: int
    person_id: str


def essays_sheets(
    form: Form,
    attempts: list[Finished],
    answers: Mapping[int, Mapping[str, Any]],
    marks: Mapping[int, Mapping[str, str]],
) -> list[Sheet]:
    """The essays to mark (item by item, then participant), and a sheet of the items and their rubrics."""
    headers = tuple(_(HEADERS[c]) for c in HEADERS)
    rows: list[tuple] = []
    choices = []
    for item in essays(form):
        first = len(rows)
        for a in sorted(attempts, key=lambda a: (a.person_id, a.attempt_id)):
            raw = answers.get(a.attempt_id, {}).get(item.id)
            if is_blank(item, raw):
                continue
            stored = marks.get(a.attempt_id, {}).get(item.id)
            level = next((lv for lv in item.rubric if lv.id == stored), None)
            rows.append(
                (
                    form.phase,
                    a.person_id,
                    item.id,
                    raw,
                    "\n".join(level_text(lv) for lv in item.rubric),
                    None if level is None else level_text(level),
                    stored,
                )
            )
        if len(rows) > first:
            choices.append(Choice(6, first, len(rows) - 1, tuple(lv.id for lv in item.rubric)))
    essays_sheet = Sheet(
        _("Essays"),
        headers,
        rows,
        widths={3: ANSWER_WIDTH, 4: RUBRIC_WIDTH, 5: 30},
        wrap=frozenset({3, 4}),
        choices=tuple(choices),
    )
    return [essays_sheet, items_sheet(form)]


def items_sheet(form: Form) -> Sheet:
    """The essay items: question, rubric with its descriptions, model answer (for markers only)."""
    headers = (_("Item"), _("Question"), _("Rubric levels"), _("Model answer"))
    rows = []
    for item in essays(form):
        rubric = "\n".join(
            level_text(lv) + (f"\n    {lv.description.strip()}" if lv.description else "")
            for lv in item.rubric
        )
        rows.append((item.id, item.stem.strip(), rubric, (item.model_answer or "").strip() or None))
    return Sheet(_("Questions"), headers, rows, widths={1: 60, 2: 60, 3: 60}, wrap=frozenset({1, 2, 3}))


# -- reading the marks back ------------------------------------------------------------------


@dataclass(frozen=True)
class MarksContext:
    """What the file is checked against: the stored forms, participants, finished attempts and marks."""

    forms: Mapping[str, Form]  # phases with a form
    participants: frozenset[str]
    attempts: Mapping[tuple[str, str], int]  # (phase, participant) -> finished attempt
    answers: Mapping[int, Mapping[str, Any]]
    marks: Mapping[int, Mapping[str, str]]


@dataclass(frozen=True)
class MarkChange:
    phase: str
    attempt_id: int
    person_id: str
    item_id: str
    level_id: str
    before: str | None


@dataclass(frozen=True)
class MarksPlan:
    changes: list[MarkChange]
    unchanged: int  # rows whose level is already stored
    phases: tuple[str, ...]  # the phases the file names, in order


class LevelError(ValueError):
    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def resolve_level(item: Essay, text: str) -> str:
    """The id of the rubric level `text` names: its id, `id: ...`, its label, or its points."""
    given = text.strip()
    candidates = [given, given.removeprefix("'").strip()] if given.startswith("'") else [given]
    ids = [lv.id for lv in item.rubric]
    for value in candidates:
        if value in ids:
            return value
        folded = [lv.id for lv in item.rubric if lv.id.casefold() == value.casefold()]
        if len(folded) == 1:
            return folded[0]
        head = value.split(":", 1)[0].strip()
        if ":" in value and head in ids:
            return head
        labelled = [lv.id for lv in item.rubric if _words(lv.label) == _words(value)]
        if len(labelled) == 1:
            return labelled[0]
        if len(labelled) > 1:
            raise LevelError("MARKS-LEVEL-AMBIGUOUS", value=text, levels=", ".join(labelled))
        try:
            points = parse_number(value)
        except ResponseError:
            continue
        scored = [lv.id for lv in item.rubric if math.isclose(lv.points, points, abs_tol=1e-9)]
        if len(scored) == 1:
            return scored[0]
        if len(scored) > 1:
            raise LevelError("MARKS-LEVEL-AMBIGUOUS", value=text, levels=", ".join(scored))
    raise LevelError("MARKS-LEVEL-UNKNOWN", value=text, levels=", ".join(ids))


def _header_keys() -> dict[str, str]:
    """Normalised header -> column, for the catalogue's words in every language and the aliases."""
    keys = {}
    for column, msgid in HEADERS.items():
        for lang in LANGUAGES:
            keys[header_key(catalogue(lang).gettext(msgid))] = column
        keys[header_key(msgid)] = column
    for column, aliases in ALIASES.items():
        for alias in aliases:
            keys[alias] = column
    return keys


def plan_marks(table: Table, *, file: str, context: MarksContext) -> MarksPlan:
    """The marks to store for `table`, or ProblemsFound with every problem located."""
    problems: list[Problem] = []

    def problem(code: str, line: int | None, column: int | None = None, field=None, item=None, **params):
        problems.append(Problem(code, params, file, line, column, item=item, field=field))

    rows = [r for r in table.rows if any(c.value.strip() for c in r.cells)]
    if not table.headers and not rows:
        raise ProblemsFound([Problem("FILE-EMPTY", {}, file)])
    columns = _marks_columns(table, problem)
    if not rows:
        problem("MARKS-NO-ROWS", table.header_line)
    if problems:
        raise ProblemsFound(problems)

    changes: list[MarkChange] = []
    unchanged = 0
    seen: dict[tuple[str, str, str], int] = {}
    phases: dict[str, None] = {}
    known_phases = ", ".join(context.forms)
    for row in rows:
        (phase, at_phase), (person, at_person), (item_id, at_item), (level, at_level) = (
            _cell(table, columns, row, c) for c in (PHASE, PARTICIPANT, ITEM, LEVEL)
        )
        if not (phase and person and item_id):
            if level:
                cells = ((phase, at_phase, PHASE), (person, at_person, PARTICIPANT), (item_id, at_item, ITEM))
                _report_empty_cells(cells, problem)
            continue  # an incomplete row without a level: nothing to do
        form = context.forms.get(phase)
        if form is None:
            problem("MARKS-PHASE-UNKNOWN", **at_phase, value=phase, known=known_phases)
            continue
        phases[phase] = None
        essay = _essay_and_attempt(form, phase, (item_id, at_item), (person, at_person), context, problem)
        if essay is None:
            continue
        item, attempt = essay
        key = (phase, person, item_id)
        if key in seen:
            problem("MARKS-ROW-DUPLICATE", row.line, item=item_id, other=seen[key])
            continue
        seen[key] = row.line
        level_id = _chosen_level(item, attempt, level, at_level, context, problem) if level else None
        if level_id is None:
            continue
        before = context.marks.get(attempt, {}).get(item_id)
        if before == level_id:
            unchanged += 1
        else:
            changes.append(MarkChange(phase, attempt, person, item_id, level_id, before))
    if problems:
        raise ProblemsFound(problems)
    return MarksPlan(changes, unchanged, tuple(phases))


def _marks_columns(table: Table, problem) -> dict[str, int]:
    """Which column holds what (column -> 0-based index), reporting doubled and missing columns."""
    keys = _header_keys()
    columns: dict[str, int] = {}
    for i, text in enumerate(table.headers):
        column = keys.get(header_key(text))
        if column is None:
            continue  # a marker's own column (notes): read past
        if column in columns:
            first = columns[column]
            problem(
                "MARKS-HEADER-DUPLICATE",
                table.header_line,
                i + 1,
                text,
                other=first + 1,
                first=table.headers[first],
            )
        else:
            columns[column] = i
    missing = [c for c in REQUIRED if c not in columns]
    expected = ", ".join(_(HEADERS[c]) for c in REQUIRED)
    for c in missing:
        problem("MARKS-COLUMN-MISSING", table.header_line, name=_(HEADERS[c]), expected=expected)
    return columns


def _cell(table: Table, columns: dict[str, int], row, column: str) -> tuple[str, dict]:
    """The row's stripped value in `column`, and where it is (line, column, field)."""
    i = columns[column]
    value = row.cells[i].value.strip() if i < len(row.cells) else ""
    return value, {"line": row.line, "column": i + 1, "field": table.headers[i]}


def _report_empty_cells(cells, problem) -> None:
    """Report each of the (value, where, column) cells that is empty, in a row that gives a level."""
    for value, at, column in cells:
        if not value:
            problem("MARKS-CELL-EMPTY", **at, name=_(HEADERS[column]).lower())


def _essay_and_attempt(
    form: Form,
    phase: str,
    item_cell: tuple[str, dict],
    person_cell: tuple[str, dict],
    context: MarksContext,
    problem,
) -> tuple[Essay, int] | None:
    """The essay item and the participant's attempt a row names, or None after reporting what is wrong."""
    (item_id, at_item), (person, at_person) = item_cell, person_cell
    item = next((i for i in form.items if i.id == item_id), None)
    ok = True
    if item is None:
        problem("MARKS-ITEM-UNKNOWN", **at_item, value=item_id, phase=phase)
        ok = False
    elif not isinstance(item, Essay):
        problem("MARKS-ITEM-NOT-ESSAY", **at_item, value=item_id)
        ok = False
    attempt = context.attempts.get((phase, person))
    if person not in context.participants:
        problem("MARKS-PARTICIPANT-UNKNOWN", **at_person, value=person)
        ok = False
    elif attempt is None:
        problem("MARKS-NO-ATTEMPT", **at_person, person=person, phase=phase)
        ok = False
    if not ok:
        return None
    assert isinstance(item, Essay) and attempt is not None
    return item, attempt


def _chosen_level(
    item: Essay, attempt: int, level: str, at_level: dict, context: MarksContext, problem
) -> str | None:
    """The id of the rubric level the Level cell names, or None after reporting why it cannot be stored."""
    if is_blank(item, context.answers.get(attempt, {}).get(item.id)):
        problem("MARKS-ANSWER-BLANK", **at_level, item=item.id)
        return None
    try:
        return resolve_level(item, level)
    except LevelError as e:
        problem(e.code, **at_level, item=item.id, **e.params)
        return None


def unmarked(
    form: Form,
    attempt_ids: list[int],
    answers: Mapping[int, Mapping[str, Any]],
    marks: Mapping[int, Mapping[str, str]],
) -> int:
    """How many essays of these attempts wait for a mark (blank answers need none)."""
    return sum(
        1
        for item in essays(form)
        for a in attempt_ids
        if not is_blank(item, answers.get(a, {}).get(item.id)) and item.id not in marks.get(a, {})
    )
