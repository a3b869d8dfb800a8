"""Google Forms quiz exports -> finished attempts (pure: no I/O).

What is known of the export (headers, timestamps, scores, checkbox cells)
is partly unconfirmed, so this reader is tolerant where it must be and says
plainly what it could not match. The fixed columns are found by a small
table of English and Indonesian headers; each question column is matched to
an item of the phase's stored form by its stem (or its translation), or by
an explicit mapping (column title -> item id); a grid column "Title [Row]"
gives one prompt of a matching item (the cell: the choice's text) or one
option of an ordering item (the cell: its position, 1..n). Answers are
matched to options by their text. The export's own Score is read and
reported, never used: the engine scores with its own rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assess.bank.model import (
    Essay,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    WeightedOptions,
)
from assess.delivery.gforms.columns import MappingEntry, Target, match_columns
from assess.delivery.gforms.text import day_first, parse_score, parse_timestamp, plain, split_choices, texts
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
    person_problem,
    text_problem,
    truth,
)
from assess.forms import Form
from assess.i18n import N_
from assess.problems import Found, Phrase, Problem, ProblemsFound
from assess.responses import ResponseError, normalise
from assess.sheets.table import Cell, Table, cell, header_key, rows_with_values, trimmed_headers

TIMESTAMP, EMAIL, SCORE = "timestamp", "email", "score"
FIXED = {  # header key -> (column, Indonesian?)
    "timestamp": (TIMESTAMP, False),
    "stempelwaktu": (TIMESTAMP, True),
    "capwaktu": (TIMESTAMP, True),
    "emailaddress": (EMAIL, False),
    "alamatemail": (EMAIL, True),
    "email": (EMAIL, False),
    "score": (SCORE, False),
    "skor": (SCORE, True),
    "nilai": (SCORE, True),
}
PERSON_HEADERS = {
    "nip": {"nip", "nipeserta", "nippeserta"},
    "name": {"nama", "name", "namalengkap", "fullname", "namapeserta"},
}
WHAT = {"email": N_("email address"), "nip": N_("civil-servant number (NIP)"), "name": N_("name")}
MATCH_KINDS = tuple(WHAT)


@dataclass(frozen=True)
class Settings:
    match_by: str = "email"  # email | nip | name
    column: str | None = None  # the header of the column holding it, when not a usual one
    time_zone: str = "Asia/Jakarta"  # of timestamps that carry no GMT offset


# -- the plan ---------------------------------------------------------------------------


def plan_google_forms(
    table: Table,
    form: Form,
    participants: Sequence[Person],
    *,
    file: str,
    settings: Settings = Settings(),
    mapping: Sequence[MappingEntry] = (),
    mapping_file: str | None = None,
    taken: frozenset[str] = frozenset(),
    imported: frozenset[tuple[str, dt.datetime]] = frozenset(),
    leniency: Leniency = STRICT,
) -> AttemptsPlan:
    """The attempts of a Google Forms export, or ProblemsFound with every problem located.

    `taken`: participants who already have an attempt on the phase; `imported`: (participant, time
    submitted) of those that came from an import, which `leniency.new_only` skips.
    """
    found, notes = Found(file), []
    headers = trimmed_headers(table)
    rows = rows_with_values(table)
    if not headers and not rows:
        raise ProblemsFound([Problem("FILE-EMPTY", {}, file)])
    check_header_row(table, headers, rows, found)
    line = table.header_line

    fixed, indonesian = _fixed_columns(headers)
    person_col = _person_column(headers, fixed, settings, found, line)
    used = set(fixed.values()) | ({person_col} if person_col is not None else set())
    targets, unmatched = match_columns(headers, used, form, mapping, mapping_file, found, notes, line)
    if not rows:
        found.add("RESPONSES-NO-ROWS", line)
    found.raise_if_any()

    # Who answered, and when; a second submission replaces the first.
    stamp_col = fixed.get(TIMESTAMP)
    dayfirst = _read_day_first(rows, stamp_col, indonesian, notes)
    people, what = People(participants), Phrase(WHAT[settings.match_by])
    skipped: list[Skipped] = []
    latest: dict[str, tuple] = {}  # person -> (sort key, row, time)
    for n, row in enumerate(rows):
        value = cell(row, person_col).value
        matches = people.find(settings.match_by, value)
        at = _at(row, person_col, headers)
        person = person_problem(found, what, value, matches, at, skipped if leniency.skip_unknown else None)
        when = _submitted_at(row, stamp_col, dayfirst, settings.time_zone, notes)
        if person is None:
            continue
        _keep_latest(latest, person, ((when or dt.datetime.min, n), row, when), notes)

    records, scores = [], []
    for person, (_, row, when) in sorted(latest.items(), key=lambda kv: kv[1][1].line):
        if person in taken:
            if leniency.new_only and (person, when) in imported:
                skipped.append(Skipped(row.line, person, IMPORTED))
            else:
                at = _at(row, person_col, headers)
                found.add("RESPONSES-ATTEMPT-EXISTS", **at, person=person, phase=form.phase)
            continue
        records.append(_record(person, when, _answers(row, targets, form, headers, found)))
        score = _export_score(row, fixed)
        if score is not None:
            scores.append(score)
    found.raise_if_any()
    notes.extend(_ignored_column_note(i, headers, line) for i in unmatched)
    return AttemptsPlan(records, notes, scores, sorted(skipped, key=lambda s: s.line))


def _record(person: str, when: dt.datetime | None, answers: dict) -> dict:
    record = {"person_id": person, "answers": answers, "personal_order": {}}
    if when is not None:
        record["started_at"] = record["finished_at"] = when
    return record


def _fixed_columns(headers: list[str]) -> tuple[dict[str, int], bool]:
    """The first column of each fixed kind (timestamp, email, score), and whether a header is Indonesian."""
    fixed: dict[str, int] = {}
    indonesian = False
    for i, h in enumerate(headers):
        known = FIXED.get(header_key(h))
        if known and known[0] not in fixed:
            fixed[known[0]] = i
            indonesian |= known[1]
    return fixed, indonesian


def _read_day_first(rows: list, stamp_col: int | None, indonesian: bool, notes: list) -> bool:
    """Whether the timestamps put the day first, with a note of the order when a date is ambiguous."""
    stamps = [cell(r, stamp_col).value for r in rows] if stamp_col is not None else []
    dayfirst = day_first(stamps, indonesian)
    if any(re.fullmatch(r"\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\D.*", s) for s in stamps):
        notes.append(
            Note(
                Phrase(N_("dates read as day/month/year") if dayfirst else N_("dates read as month/day/year"))
            )
        )
    return dayfirst


def _submitted_at(
    row, stamp_col: int | None, dayfirst: bool, time_zone: str, notes: list
) -> dt.datetime | None:
    """The row's timestamp, or None when it has none or one not understood (with a note)."""
    if stamp_col is None or not cell(row, stamp_col).value.strip():
        return None
    when = parse_timestamp(cell(row, stamp_col).value, dayfirst, time_zone)
    if when is None:
        notes.append(
            Note(
                Phrase(N_("timestamp {value!r} not understood"), {"value": cell(row, stamp_col).value}),
                row.line,
                stamp_col + 1,
            )
        )
    return when


def _keep_latest(latest: dict[str, tuple], person: str, submission: tuple, notes: list) -> None:
    """Keep the person's later submission (sort key, row, time), with a note of the earlier one's row."""
    if person not in latest:
        latest[person] = submission
        return
    earlier, later = sorted([latest[person], submission], key=lambda x: x[0])
    notes.append(
        Note(
            Phrase(
                N_("row {row}: an earlier submission of {person}; row {kept} is taken"),
                {"row": earlier[1].line, "person": person, "kept": later[1].line},
            ),
            earlier[1].line,
        )
    )
    latest[person] = later


def _export_score(row, fixed: dict[str, int]) -> float | None:
    """The score the export itself gives the row, if it has one that can be read."""
    if SCORE in fixed and cell(row, fixed[SCORE]).value.strip():
        return parse_score(cell(row, fixed[SCORE]).value)
    return None


def _ignored_column_note(i: int, headers: list[str], line: int) -> Note:
    """The note that column `i` is ignored because no item of the form matches it."""
    return Note(
        Phrase(
            N_("column {column} {title!r} ignored: no item of the form"),
            {"column": i + 1, "title": headers[i]},
        ),
        line,
        i + 1,
    )


def _at(row, i: int, headers: list[str]) -> dict:
    return {"line": row.line, "column": i + 1, "field": headers[i]}


def _person_column(
    headers: list[str], fixed: dict, settings: Settings, found: Found, line: int
) -> int | None:
    if settings.column is not None:
        wanted = {header_key(settings.column)}
    elif settings.match_by == EMAIL:
        if EMAIL in fixed:
            return fixed[EMAIL]
        wanted = set()
    else:
        wanted = PERSON_HEADERS[settings.match_by]
    for i, h in enumerate(headers):
        if header_key(h) in wanted:
            return i
    expected = (
        settings.column
        or {
            "email": "Email Address, Alamat email",
            "nip": "NIP",
            "name": "Nama, Name, Nama lengkap",
        }[settings.match_by]
    )
    found.add(
        "RESPONSES-PERSON-COLUMN-MISSING", line, what=Phrase(WHAT[settings.match_by]), expected=expected
    )
    return None


# -- answers -------------------------------------------------------------------------


BAD = object()  # a cell whose problem has been reported


def _answers(row, targets: dict[int, Target], form: Form, headers: list[str], found: Found) -> dict:
    """The row's response to every item of the form, in ids (None: blank)."""
    raw: dict[str, Any] = {}
    parts: dict[str, dict[str, Any]] = {}
    where: dict[str, dict] = {}
    for i, target in targets.items():
        at = {"line": row.line, "column": i + 1, "field": headers[i], "item": target.item.id}
        where.setdefault(target.item.id, at)
        value = _value(target, cell(row, i), at, found)
        if target.part is None:
            raw[target.item.id] = value
        else:
            parts.setdefault(target.item.id, {})[target.part] = value
    for item_id, got in parts.items():
        if BAD in got.values():
            raw[item_id] = BAD
        elif isinstance(form.item(item_id), Matching):
            raw[item_id] = {p: c for p, c in got.items() if c is not None}
        elif all(v is None for v in got.values()):
            raw[item_id] = None
        elif sorted(v or 0 for v in got.values()) != list(range(1, len(got) + 1)):
            found.add("RESPONSE-ORDER-INCOMPLETE", **where[item_id])
            raw[item_id] = BAD
        else:
            raw[item_id] = sorted(got, key=lambda o: got[o])
    answers = {}
    for item in form.items:
        value = raw.get(item.id)
        if value is BAD:
            continue
        try:
            normalise(item, value)
        except ResponseError as e:
            found.add(e.code, **where[item.id], **e.params)
            continue
        answers[item.id] = value
    return answers


def _value(target: Target, c: Cell, at: dict, found: Found) -> Any:
    """A cell as the raw response (ids, not texts); None for blank, BAD after reporting a problem."""
    item, text = target.item, c.value
    if not text.strip():
        return None
    if isinstance(item, Numeric) and c.number:
        return float(text)
    if isinstance(item, Numeric | ShortAnswer | Essay):
        bad = text_problem(text)
        if bad:
            found.add(bad[0], **at, **bad[1])
            return BAD
        return text
    if isinstance(item, TrueFalse):
        value = truth(text)
        if value is None:
            found.add("RESPONSES-ANSWER-TRUE-FALSE", **at, value=text.strip())
            return BAD
        return value
    if isinstance(item, Matching):
        choice = texts(item, "choices").get(plain(text))
        if choice is None:
            found.add("RESPONSES-ANSWER-UNKNOWN", **at, value=text.strip())
            return BAD
        return choice
    if isinstance(item, Ordering) and target.part is not None:
        n = len(item.options)
        if not re.fullmatch(r"\s*\d+\s*", text) or not 1 <= int(text) <= n:
            found.add("RESPONSES-ANSWER-POSITION", **at, value=text.strip(), n=n)
            return BAD
        return int(text)
    options = texts(item, "options")
    if isinstance(item, SingleChoice | WeightedOptions):
        oid = options.get(plain(text))
        if oid is None:
            found.add("RESPONSES-ANSWER-UNKNOWN", **at, value=text.strip())
            return BAD
        return oid
    if isinstance(item, MultipleResponse | Ordering):
        ids, bad_piece = split_choices(text, options)
        if bad_piece is not None:
            found.add("RESPONSES-ANSWER-UNKNOWN", **at, value=_as_typed(text, bad_piece))
            return BAD
        return ids
    raise TypeError(type(item).__name__)


def _as_typed(text: str, piece: str) -> str:
    """The piece of a checkbox cell as the participant's cell has it (`piece` is plain text)."""
    first = piece.split(",")[0].strip()
    return next((seg.strip() for seg in re.split(r",", text) if plain(seg) == first), piece)
