"""Everything the HR comparisons and pages read, gathered once from the HR database (assess hr report,
assess hr export): events, people with their participations, results, the latest calibration run's
measures, ratings, the roster, the units tree and what each position requires."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import yaml
from pydantic import TypeAdapter, ValidationError

from assess.adjustments import effective
from assess.bank.documents import Framework, Position, Positions
from assess.event import Event, Reporting
from assess.hr import HrWorkspace
from assess.hr.events import phase_order
from assess.hr.people import unit_key
from assess.hr.settings import load_requirements
from assess.hr.units import Tree, build_tree
from assess.reports.measured import measured
from assess.store import hr as hr_store
from assess.store import hr_people, hr_runs
from assess.store.records import Result

_EVENT = TypeAdapter(Event)


@dataclass(frozen=True)
class EventInfo:
    event_id: str
    title: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    jp: float | None  # learning hours, from its assessment.yaml's event.jp
    phases: tuple[str, ...]  # with a form, in the order built
    participants: int

    @property
    def year(self) -> int | None:
        return self.starts_on.year if self.starts_on else None


@dataclass
class HrData:
    organisation: str
    framework: Framework
    positions: Positions | None
    events: dict[str, EventInfo]
    people: list[hr_people.Person]
    results: dict[tuple[str, str, str], Result]  # (event, phase, event's person id) -> result, no items
    measured: dict[tuple[str, str], set[str]]  # (event, phase) -> competencies resting on enough items
    run: hr_runs.Run | None
    measures: dict[tuple[str, str, str], hr_runs.Measure]  # the latest run's, as results
    ratings: dict[str, dict[int, object]] = field(default_factory=dict)  # NIP -> year -> rating row
    roster: dict[str, object] = field(default_factory=dict)  # NIP -> roster row
    tree: Tree | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # unit names joined by the HR officer

    def position(self, name: str | None) -> Position | None:
        """The position of the positions file a list's name is (by name or alias, compared by key)."""
        if not name or self.positions is None:
            return None
        key = unit_key(name)
        for position in self.positions.positions:
            if key in {unit_key(n) for n in (position.name, *position.aliases)}:
                return position
        return None


def _event_file(text: str | None) -> Event | None:
    """The event's assessment.yaml, validated without its banks; None where it is missing or invalid."""
    if not text:
        return None
    try:
        return _EVENT.validate_python(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError, TypeError):
        return None


def load_hr(ws: HrWorkspace) -> HrData:
    engine, store = ws.store.engine, ws.store
    requirements = load_requirements(ws.folder, ws.settings)
    events, reporting = {}, {}
    for added in hr_store.added_events(engine):
        source = hr_store.stored_source(engine, added.event_id)
        event = _event_file(source.event_file if source else None)
        jp = event.event.jp if event is not None else None
        reporting[added.event_id] = event.reporting if event is not None else Reporting()
        phases = phase_order(added.phases, source.event_file if source else None)
        events[added.event_id] = EventInfo(
            added.event_id, added.title, added.starts_on, added.ends_on, jp, phases, added.participants
        )
    results, measured_by = {}, {}
    levels = len(requirements.framework.competencies[0].levels) or 5
    for event_id, info in events.items():
        for r in store.results(event_id, with_items=False):  # totals and subscores: HR reads no item
            results[(event_id, r.phase_id, r.person_id)] = r
        for phase in info.phases:
            form = store.form(event_id, phase)
            changes = effective(store.adjustments(event_id, phase))
            # which competencies the form carries on enough items: the form's, not the results'
            found = measured(form, changes, [], reporting[event_id], levels)
            measured_by[(event_id, phase)] = {c for c, m in found.items() if m.enough}
    run = hr_runs.latest_run(engine)
    measures = {}
    if run is not None:
        measures = {
            (m.event_id, m.phase_id, m.person_id): m for m in hr_runs.run_measures(engine, run.number)
        }
    ratings: dict[str, dict[int, object]] = defaultdict(dict)
    for r in hr_store.ratings(engine):
        ratings[r.nip][r.year] = r
    roster_rows = hr_store.roster(engine)
    people = hr_people.people(engine)
    aliases = hr_store.unit_aliases(engine)
    tree = build_tree(people, roster_rows, aliases)
    return HrData(
        ws.settings.organisation.name,
        requirements.framework,
        requirements.positions,
        events,
        people,
        results,
        measured_by,
        run,
        measures,
        dict(ratings),
        {r.nip: r for r in roster_rows},
        tree,
        aliases,
    )
