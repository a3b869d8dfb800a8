"""Exports of an event's results as tables (pure: no I/O).

`assess export` writes them; this module only builds the rows, from what the
store holds: participants, the stored forms, answers and results. Three
shapes:

- long: one row per attempt and item, with the response (its JSON form) and
  the points;
- wide: one row per attempt, with the total, band, pass, each item's points
  and the competency percentages;
- a workbook of sheets: participants, results (the wide rows) and per item
  (facility: mean points over the maximum, per item and phase).

With pseudonyms, names and NIPs are replaced by stable keyed pseudonyms
(HMAC-SHA256 with the workspace's key, the same person giving the same
pseudonym in every export) and email addresses are left out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assess.delivery.paper import TYPE_NAMES
from assess.forms import Form
from assess.i18n import _
from assess.reports.measured import Measured, median_level
from assess.sheets.table import Sheet
from assess.store.records import Participant, Result

PSEUDONYM_HEX = 10  # 40 bits: no two of thousands of participants share one by chance


# Excel's "0.##" shows a whole number with a trailing dot ("4."): two decimals always.
POINTS_FORMAT = "0.00"
PERCENT_FORMAT = "0.0"


# -- the data an export reads ------------------------------------------------------------


@dataclass(frozen=True)
class ExportData:
    event_id: str
    participants: list[Participant]  # Store.participants
    units: Mapping[str, str]  # code -> name
    groups: Mapping[str, str]
    forms: Mapping[str, Form]  # phase -> form, in the event's order of phases
    results: list[Result]  # Store.results
    answers: Mapping[int, Mapping[str, Any]]  # attempt -> item -> JSON value
    phase_titles: Mapping[str, str] = field(default_factory=dict)  # phase -> its title (else its id)
    competency_names: Mapping[str, str] = field(default_factory=dict)  # id -> name, in the language
    # phase -> what its form measured of each reported competency (`assess.reports.measured`); None:
    # every stored subscore as it is
    measured: Mapping[str, Mapping[str, Measured]] | None = None

    def phase(self, phase_id: str) -> str:
        return self.phase_titles.get(phase_id) or phase_id

    def competency(self, competency_id: str) -> str:
        name = self.competency_names.get(competency_id)
        return f"{name} ({competency_id})" if name else competency_id


def type_name(item) -> str:
    """The item's type in the interface's language."""
    return _(TYPE_NAMES[item.type])


@dataclass(frozen=True)
class Person:
    person_id: str
    name: str
    nip: str | None
    email: str | None
    position: str | None
    unit: str | None
    group: str | None


def pseudonym(key: bytes, kind: str, value: str) -> str:
    """A stable keyed pseudonym, e.g. "peserta-3f9a1c07b2": the same key and value give the same text."""
    digest = hmac.new(key, f"{kind}\0{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}-{digest[:PSEUDONYM_HEX]}"


def people(data: ExportData, key: bytes | None = None) -> dict[str, Person]:
    """Everyone by participant id; with `key`, names and NIPs pseudonymised and no email."""
    out = {}
    for p in data.participants:
        name, nip, email = p.name, p.nip, p.email
        if key is not None:
            name = pseudonym(key, "peserta", p.person_id)
            nip = None if not nip else pseudonym(key, "nip", nip)
            email = None
        out[p.person_id] = Person(
            p.person_id,
            name,
            nip,
            email,
            p.position,
            data.units.get(p.unit_code) if p.unit_code else None,
            data.groups.get(p.group_code) if p.group_code else None,
        )
    return out


def response_cell(value: Any) -> Any:
    """A response as one cell: a number as a number, anything else as its JSON text; None blank."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return json.dumps(value, ensure_ascii=False)


def _ordered_results(data: ExportData, phases: Sequence[str]) -> list[Result]:
    rank = {p: i for i, p in enumerate(phases)}
    chosen = [r for r in data.results if r.phase_id in rank]
    return sorted(chosen, key=lambda r: (rank[r.phase_id], r.person_id, r.attempt_id))


def _person_headers(pseudonymised: bool) -> list[str]:
    heads = [_("Participant"), _("Name"), "NIP", _("Position"), _("Unit"), _("Group")]
    return heads if pseudonymised else [*heads, _("Email")]


def _person_cells(who: Person, pseudonymised: bool) -> list[Any]:
    cells = [who.person_id, who.name, who.nip, who.position, who.unit, who.group]
    return cells if pseudonymised else [*cells, who.email]


def _unknown(person_id: str) -> Person:
    return Person(person_id, "", None, None, None, None, None)


# -- long: one row per attempt and item ---------------------------------------------------


def long_sheet(data: ExportData, who: Mapping[str, Person], phases: Sequence[str]) -> Sheet:
    headers = (
        _("Event"),
        _("Phase"),
        _("Participant"),
        _("Name"),
        _("Unit"),
        _("Group"),
        _("Item"),
        _("Item type"),
        _("Response"),
        _("Points"),
        _("Max"),
        _("Blank"),
        _("Pending"),
    )
    rows = []
    for r in _ordered_results(data, phases):
        person = who.get(r.person_id) or _unknown(r.person_id)
        answers = data.answers.get(r.attempt_id, {})
        for item in data.forms[r.phase_id].items:
            score = r.items.get(item.id)
            if score is None:
                continue
            rows.append(
                (
                    data.event_id,
                    data.phase(r.phase_id),
                    person.person_id,
                    person.name,
                    person.unit,
                    person.group,
                    item.id,
                    type_name(item),
                    response_cell(answers.get(item.id)),
                    score.points,
                    score.max_points,
                    score.blank,
                    score.pending,
                )
            )
    return Sheet(_("Responses"), headers, rows, formats={9: POINTS_FORMAT, 10: POINTS_FORMAT})


# -- wide: one row per attempt --------------------------------------------------------------


def _item_columns(data: ExportData, phases: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(i.id for p in phases for i in data.forms[p].items))


def _competency_columns(data: ExportData, results: list[Result]) -> list[str]:
    if data.measured is not None:
        return sorted({c for found in data.measured.values() for c in found})
    return sorted({c for r in results for c in r.competencies})


def competency_cell(data: ExportData, result: Result, competency: str) -> float | str | None:
    """A competency's percentage in one result, or why there is none: not measured by that phase's
    form, or on too few items; a competency of level-valued attitude items gives its median level."""
    if data.measured is None:
        score = result.competencies.get(competency)
        return score.percentage if score else None
    m = data.measured.get(result.phase_id, {}).get(competency)
    if m is None:
        return _("not measured")
    if not m.enough:
        return _("too few items")
    if m.levels_only:
        level = median_level(m, result)
        return _("level {level}").format(level=level) if level else None
    score = result.competencies.get(competency)
    return score.percentage if score else None


def wide_sheet(
    data: ExportData, who: Mapping[str, Person], phases: Sequence[str], *, pseudonymised: bool
) -> Sheet:
    results = _ordered_results(data, phases)
    items = _item_columns(data, phases)
    competencies = _competency_columns(data, results)
    people_heads = _person_headers(pseudonymised)
    headers = (
        _("Phase"),
        *people_heads,
        _("Points"),
        _("Max"),
        _("Percentage"),
        _("Band"),
        _("Passed"),
        _("Provisional"),
        *items,
        *(f"{data.competency(c)} %" for c in competencies),
    )
    rows = []
    for r in results:
        person = who.get(r.person_id) or _unknown(r.person_id)
        item_points = [r.items[i].points if i in r.items else None for i in items]
        comp_pct = [competency_cell(data, r, c) for c in competencies]
        rows.append(
            (
                data.phase(r.phase_id),
                *_person_cells(person, pseudonymised),
                r.points,
                r.max_points,
                r.percentage,
                r.band,
                r.passed,
                r.provisional,
                *item_points,
                *comp_pct,
            )
        )
    first_points = 1 + len(people_heads)
    formats = {first_points: POINTS_FORMAT, first_points + 1: POINTS_FORMAT, first_points + 2: PERCENT_FORMAT}
    first_item = first_points + 6
    formats.update({first_item + k: POINTS_FORMAT for k in range(len(items))})
    first_comp = first_item + len(items)
    formats.update({first_comp + k: PERCENT_FORMAT for k in range(len(competencies))})
    return Sheet(_("Results"), headers, rows, formats=formats)


# -- the workbook ------------------------------------------------------------------------------


def participants_sheet(
    data: ExportData, who: Mapping[str, Person], phases: Sequence[str], *, pseudonymised: bool
) -> Sheet:
    """Everyone, with their percentage in each phase (empty where there is no result) and, with two
    phases or more, the gain from the first to the last in percentage points."""
    percent: dict[tuple[str, str], float] = {
        (r.person_id, r.phase_id): r.percentage for r in _ordered_results(data, phases)
    }
    people_heads = _person_headers(pseudonymised)
    two = len(phases) >= 2
    gain_head = [
        _("Gain, {first} to {last} (points)").format(first=data.phase(phases[0]), last=data.phase(phases[-1]))
    ]
    headers = (*people_heads, *(f"{data.phase(p)} %" for p in phases), *(gain_head if two else []))
    rows = []
    for pid, person in sorted(who.items()):
        scores = [percent.get((pid, p)) for p in phases]
        gain = [scores[-1] - scores[0] if None not in (scores[0], scores[-1]) else None] if two else []
        rows.append((*_person_cells(person, pseudonymised), *scores, *gain))
    formats = {len(people_heads) + k: PERCENT_FORMAT for k in range(len(phases) + int(two))}
    return Sheet(_("Participants"), headers, rows, formats=formats)


def items_sheet(data: ExportData, phases: Sequence[str]) -> Sheet:
    """Per item and phase: attempts, mean points, facility (mean points / max), blanks, pending essays.

    Pending essays (no mark yet) are left out of the mean and the facility.
    """
    headers = (
        _("Phase"),
        _("Item"),
        _("Item type"),
        _("Bank"),
        _("Competency"),
        _("Difficulty"),
        _("Max"),
        _("Attempts"),
        _("Mean points"),
        _("Facility"),
        _("Blank share"),
        _("Pending"),
    )
    results = _ordered_results(data, phases)
    rows = []
    for phase in phases:
        form = data.forms[phase]
        scored = [r for r in results if r.phase_id == phase]
        for item in form.items:
            scores = [r.items[item.id] for r in scored if item.id in r.items]
            done = [s for s in scores if not s.pending]
            top = scores[0].max_points if scores else None
            mean = sum(s.points for s in done) / len(done) if done else None
            facility = mean / top if mean is not None and top else None
            blanks = sum(s.blank for s in scores) / len(scores) if scores else None
            rows.append(
                (
                    data.phase(phase),
                    item.id,
                    type_name(item),
                    form.banks.get(item.id) or None,
                    data.competency(item.primary_competency),
                    _(item.difficulty),
                    top,
                    len(done),
                    mean,
                    facility,
                    blanks,
                    len(scores) - len(done),
                )
            )
    formats = {6: POINTS_FORMAT, 8: POINTS_FORMAT, 9: "0.00", 10: "0%"}
    return Sheet(_("Items"), headers, rows, formats=formats)


def workbook(
    data: ExportData, who: Mapping[str, Person], phases: Sequence[str], *, pseudonymised: bool
) -> list[Sheet]:
    return [
        participants_sheet(data, who, phases, pseudonymised=pseudonymised),
        wide_sheet(data, who, phases, pseudonymised=pseudonymised),
        items_sheet(data, phases),
    ]
