"""The HR report's tables for Excel (assess hr export --format xlsx): people, history, competencies
against positions, units, events, training needs and the talent map, one sheet each. With
`pseudonymise`, names and NIPs become stable keyed pseudonyms (assess.reports.tables.pseudonym, the HR
workspace's own key). The file is its owner's only."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from assess.hr import HrWorkspace
from assess.hr import compare as cmp
from assess.hr.data import HrData, load_hr
from assess.i18n import _
from assess.reports.tables import pseudonym
from assess.sheets.table import Sheet
from assess.sheets.write import write_xlsx
from assess.store.hr_people import Person
from assess.workspace import secret
from assess.workspace.files import HR_EXPORT_FILE, PSEUDONYMISED

Who = Callable[[Person], tuple[str, str | None]]


def _n(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(x, 3)


def export_hr(ws: HrWorkspace, out: Path | None, pseudonymise: bool) -> tuple[Path, int]:
    """Write the workbook; returns its path and the number of people."""
    data = load_hr(ws)
    key = secret(ws, "pseudonym") if pseudonymise else None

    def who(person: Person) -> tuple[str, str | None]:
        if key is None:
            return person.name, person.nip
        nip = pseudonym(key, "nip", person.nip) if person.nip else None
        return pseudonym(key, "orang", str(person.number)), nip

    cuts = ws.settings.talent_map
    sheets = [
        *_people_sheets(data, who),
        _units_sheet(data),
        _events_sheet(data),
        *_needs_sheets(data, who, cuts),
    ]
    if pseudonymise:  # the person's number names their report page: not kept beside a pseudonym
        sheets = [_without_numbers(sheet) for sheet in sheets]
    path = out or ws.folder / HR_EXPORT_FILE.format(suffix=f"-{PSEUDONYMISED}" if pseudonymise else "")
    write_xlsx(path, sheets)
    return path, len(data.people)


def _without_numbers(sheet: Sheet) -> Sheet:
    if not sheet.headers or sheet.headers[0] != "#":
        return sheet
    return Sheet(sheet.name, sheet.headers[1:], [row[1:] for row in sheet.rows])


def _people_sheets(data: HrData, who: Who) -> list[Sheet]:
    people, history, gaps = [], [], []
    for person in data.people:
        name, nip = who(person)
        position, unit = cmp.current_position(data, person), cmp.current_unit(data, person)
        scaled = _n(cmp.latest_scaled(data, person))
        people.append((person.number, name, nip, position, unit, len(person.participations), scaled))
        for row in cmp.history(data, person):
            for s in row.phases:
                measure = (_n(s.percentage), _n(s.scaled), _n(s.se_scaled))
                history.append(
                    (person.number, name, row.event_id, row.year, row.position, row.unit, s.phase, *measure)
                )
        for g in cmp.gaps(data, person):
            below = "yes" if g.below else None
            gaps.append((person.number, name, g.competency, g.level, g.required, below, g.event_id))
    return [
        Sheet(
            _("People"),
            ("#", _("Name"), "NIP", _("Position now"), _("Unit now"), _("Events"), _("Latest measure")),
            people,
        ),
        Sheet(
            _("History"),
            (
                "#",
                _("Name"),
                _("Event"),
                _("Year"),
                _("Position then"),
                _("Unit then"),
                _("Test"),
                "%",
                _("Measure"),
                "SE",
            ),
            history,
        ),
        Sheet(
            _("Competencies"),
            ("#", _("Name"), _("Competency"), _("Level"), _("Required"), _("below"), _("From")),
            gaps,
        ),
    ]


def _units_sheet(data: HrData) -> Sheet:
    rows = []
    for u in cmp.units(data):
        for y in u.years:
            if y.interval.n < cmp.MIN_GROUP:
                continue  # a group under the minimum is not named
            shown = y.change is not None and y.change.n >= cmp.MIN_GROUP  # both years: a group of at least 3
            change = (_n(y.change.mean), _n(y.change.low), _n(y.change.high)) if shown else (None,) * 3
            interval = (_n(y.interval.mean), _n(y.interval.low), _n(y.interval.high))
            rows.append((u.code, u.name, y.year, y.interval.n, *interval, *change))
    head = (_("Code"), _("Unit"), _("Year"), _("People"), _("Mean"), "CI-", "CI+", _("Change"), "CI-", "CI+")
    return Sheet(_("Units"), head, rows)


def _events_sheet(data: HrData) -> Sheet:
    rows = [
        (
            e.event_id,
            e.title,
            e.year,
            e.pairs,
            _n(e.gain.mean),
            _n(e.gain.low),
            _n(e.gain.high),
            _n(e.d_z),
            _n(e.d_low),
            _n(e.d_high),
            _n(e.gain_scaled.mean),
        )
        for e in cmp.events(data)
        if e.pairs >= cmp.MIN_GROUP
    ]
    head = (
        _("Event"),
        _("Title"),
        _("Year"),
        _("Pairs"),
        _("Gain"),
        "CI-",
        "CI+",
        "d_z",
        "CI-",
        "CI+",
        _("Gain on the scale"),
    )
    return Sheet(_("Events"), head, rows)


def _needs_sheets(data: HrData, who: Who, cuts) -> list[Sheet]:
    needs = [
        (n.competency, n.unit_name, len(n.below), n.assessed, ", ".join(who(p)[0] for p in n.below))
        for n in cmp.needs(data, data.people)
    ]
    entries, _cuts = cmp.talent_map(data, data.people, cuts.measure_cuts, cuts.rating_cuts)
    talent = [
        (e.person.number, who(e.person)[0], e.year, e.rating, _n(e.scaled), e.performance, e.potential, e.box)
        for e in entries
    ]
    return [
        Sheet(_("Training needs"), (_("Competency"), _("Unit"), _("Below"), _("Assessed"), _("Who")), needs),
        Sheet(
            _("Talent map"),
            (
                "#",
                _("Name"),
                _("Year"),
                _("Rating"),
                _("Measure"),
                _("Performance"),
                _("Potential"),
                _("Box"),
            ),
            talent,
        ),
    ]
