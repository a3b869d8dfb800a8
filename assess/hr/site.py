"""The HR report (assess hr report): a self-contained site in the reports' style, for the whole
organisation or one unit's people: index, people, a page per person, units, events, gaps and needs, the
talent map. Offline (no network, inline CSS and SVG), for a phone and for A4. Written whole into a
temporary folder, then moved into place; every file its owner's only.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assess.hr import HrWorkspace
from assess.hr import compare as cmp
from assess.hr.data import HrData, load_hr
from assess.hr.units import code_of
from assess.i18n import _, current_language
from assess.i18n.numbers import numbers
from assess.problems import Problem, ProblemsFound
from assess.reports.charts import radar
from assess.sheets.write import private_file, private_folder
from assess.store.hr_people import Person
from assess.templating import environment
from assess.workspace.files import HR_REPORTS_FOLDER, REPORTS_MARKER

PEOPLE = "orang"  # a page per person: orang/<number>.html
PAGES = ("index", "people", "units", "events", "gaps", "talent")


@dataclass(frozen=True)
class Written:
    index: Path
    people: int


def write_hr_report(ws: HrWorkspace, out: Path | None = None, unit: str | None = None) -> Written:
    out = Path(out or ws.folder / HR_REPORTS_FOLDER)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / REPORTS_MARKER).exists())):
        raise ProblemsFound([Problem("REPORTS-OUT-NOT-EMPTY", {}, str(out))])
    data = load_hr(ws)
    people = _people_of(data, unit)
    private_folder(out.parent)
    tmp = out.parent / f".{out.name}.tmp-{secrets.token_hex(4)}"
    try:
        private_folder(tmp)
        private_folder(tmp / PEOPLE)
        # each page written as it is made: 30,000 people's pages are not held in memory at once
        for name, html in _pages(
            data, people, unit, ws.settings.organisation.time_zone, ws.settings.talent_map
        ):
            _write(tmp / name, html)
        _write(tmp / REPORTS_MARKER, "assess hr report\n")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return Written(out / "index.html", len(people))


def _write(path: Path, text: str) -> None:
    with private_file(path).open("w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def _people_of(data: HrData, unit: str | None) -> list[Person]:
    """Everyone, or the people whose current unit, or a unit they were in at an event, is `unit` or
    below it."""
    if unit is None:
        return data.people
    if unit not in data.tree.units:
        known = ", ".join(sorted(data.tree.units)[:20])
        raise ProblemsFound([Problem("UNITS-UNKNOWN", {"unit": unit, "known": known})])
    below = data.tree.below(unit)
    chosen = []
    for person in data.people:
        names = [cmp.current_unit(data, person)] + [
            n for p in person.participations for n in (p.unit, p.group)
        ]
        if any(name and code_of(name, data.aliases) in below for name in names):
            chosen.append(person)
    return chosen


def _local(moment: dt.datetime, zone: str) -> dt.datetime:
    """A stored time (naive UTC) in the organisation's time zone."""
    return moment.replace(tzinfo=dt.UTC).astimezone(zoneinfo.ZoneInfo(zone))


def _pages(
    data: HrData, people: list[Person], unit: str | None, ws_zone: str, cut_points
) -> Iterator[tuple[str, str]]:
    env = environment()
    fmt = numbers()
    talent, cuts = cmp.talent_map(data, people, cut_points.measure_cuts, cut_points.rating_cuts)
    common = {
        "data": data,
        "fmt": fmt,
        "run": data.run,
        "unit": data.tree.units[unit] if unit else None,
        "example_positions": bool(data.positions and data.positions.example),
        "min_group": cmp.MIN_GROUP,
        "written": dt.date.today().isoformat(),
        "depth": "",
        "lang": current_language(),
        "run_date": _local(data.run.created_at, ws_zone).strftime("%Y-%m-%d") if data.run else None,
    }
    row_of = {p.number: _person_row(data, p) for p in people}
    rows = sorted(row_of.values(), key=lambda r: (r.unit or "", r.person.name))
    allowed = set(row_of)
    units = [u for u in cmp.units(data) if unit is None or u.code in data.tree.below(unit)]
    yield (
        "index.html",
        env.get_template("hr/index.html").render(**common, people=rows, events=list(data.events.values())),
    )
    yield "people.html", env.get_template("hr/people.html").render(**common, people=rows)
    yield "units.html", env.get_template("hr/units.html").render(**common, units=units)
    yield "events.html", env.get_template("hr/events.html").render(**common, events=cmp.events(data))
    yield "gaps.html", env.get_template("hr/gaps.html").render(**common, needs=cmp.needs(data, people))
    yield (
        "talent.html",
        env.get_template("hr/talent.html").render(**common, entries=talent, cuts=cuts, boxes=_boxes(talent)),
    )
    page = env.get_template("hr/person.html")
    for person in people:
        yield (
            f"{PEOPLE}/{person.number}.html",
            page.render(
                **{**common, "depth": "../"},
                person=person,
                row=row_of[person.number],
                history=cmp.history(data, person),
                gaps=(gaps := cmp.gaps(data, person)),
                radar=_radar(person, gaps),
                hours=cmp.hours(data, person),
                jp_minimum=cmp.JP_MINIMUM,
                ratings=data.ratings.get(person.nip, {}) if person.nip else {},
                allowed=allowed,
            ),
        )


@dataclass(frozen=True)
class PersonRow:
    person: Person
    position: str | None
    unit: str | None
    unit_code: str | None
    events: int
    scaled: float | None


def _person_row(data: HrData, person: Person) -> PersonRow:
    unit = cmp.current_unit(data, person)
    return PersonRow(
        person,
        cmp.current_position(data, person),
        unit,
        code_of(unit, data.aliases) if unit else None,
        len(person.participations),
        cmp.latest_scaled(data, person),
    )


def _radar(person: Person, gaps: list[cmp.Gap]):
    shown = [g for g in gaps if g.level is not None or g.required is not None]
    if len(shown) < 3:
        return None
    return radar(
        f"radar-{person.number}",
        _("Competency levels against what the position requires"),
        [g.competency for g in shown],
        [(_("level reached"), [g.level for g in shown]), (_("required"), [g.required for g in shown])],
    )


def _boxes(entries: list[cmp.TalentEntry]) -> dict[int, list[cmp.TalentEntry]]:
    out: dict[int, list[cmp.TalentEntry]] = {box: [] for box in range(1, 10)}
    for entry in entries:
        out[entry.box].append(entry)
    return out
