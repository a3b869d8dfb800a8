"""The comparisons HR asks for (issue 19, point 7), each with its uncertainty and group size; a group of
fewer than MIN_GROUP people is never shown by name. Pure: everything comes from an HrData.

- A person's history: every event with the position and unit then, each phase's percent correct and
  measure on the common scale, and the gain.
- Units at any level: the mean scaled measure of their people per year, with a t interval, and the
  change between years with Welch's interval.
- Events: the mean gain (post minus pre, percent correct) with its t interval, and the effect size d_z
  with an approximate interval (SE = sqrt(1/n + d_z^2 / (2n))).
- Competency gaps: a person's level on a competency is the level their event's own thresholds gave
  their latest result on it, where that phase's form carried it on at least the reports' minimum of
  items; compared with the level their position (the roster's, else the latest event's) requires.
- Training needs: per competency and unit, who is below the required level.
- The talent map: the latest rating x the latest scaled measure, in thirds (cut points configurable),
  as the nine boxes of Permenpan RB 3/2020: indicative, not a decision.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import special

from assess.hr.data import HrData
from assess.hr.ratings import PREDICATES
from assess.hr.units import code_of
from assess.store.hr_people import Participation, Person

MIN_GROUP = 3  # groups smaller than this are not named in a comparison
JP_MINIMUM = 20  # PP 11/2017 Pasal 203 ayat (4): at least 20 JP a year
# Permenpan RB 3/2020 (as its secondary copies give it, mark P): box by potential (row) x performance
# (column: below, as expected, above expectation).
BOXES = {"low": (1, 2, 4), "middle": (3, 5, 7), "high": (6, 8, 9)}


def _t(df: float) -> float:
    return float(special.stdtrit(df, 0.975)) if df >= 1 else math.nan


@dataclass(frozen=True)
class Interval:
    n: int
    mean: float
    low: float
    high: float


def mean_interval(values: Sequence[float]) -> Interval:
    n = len(values)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan)
    mean = statistics.fmean(values)
    if n < 2:
        return Interval(n, mean, math.nan, math.nan)
    half = _t(n - 1) * statistics.stdev(values) / math.sqrt(n)
    return Interval(n, mean, mean - half, mean + half)


def welch(a: Sequence[float], b: Sequence[float]) -> Interval:
    """mean(b) - mean(a) with Welch's 95% interval; n is the smaller group's size."""
    if len(a) < 2 or len(b) < 2:
        return Interval(min(len(a), len(b)), math.nan, math.nan, math.nan)
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    diff = statistics.fmean(b) - statistics.fmean(a)
    se = math.sqrt(va + vb)
    if se == 0:
        return Interval(min(len(a), len(b)), diff, diff, diff)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = _t(max(1.0, df)) * se  # Welch-Satterthwaite df, not rounded
    return Interval(min(len(a), len(b)), diff, diff - half, diff + half)


# -- a person's history ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseScore:
    phase: str
    percentage: float | None
    scaled: float | None
    se_scaled: float | None  # the measure's standard error on the reported scale


@dataclass(frozen=True)
class HistoryRow:
    event_id: str
    title: str
    year: int | None
    position: str | None
    unit: str | None
    phases: tuple[PhaseScore, ...]
    gain: float | None  # last phase minus first, percent correct
    gain_scaled: float | None


def history(data: HrData, person: Person) -> list[HistoryRow]:
    rows = []
    for p in sorted(person.participations, key=lambda p: _when(data, p)):
        event = data.events[p.event_id]
        scores = tuple(_phase_score(data, p, phase) for phase in event.phases)
        have = [s for s in scores if s.percentage is not None]
        gain = have[-1].percentage - have[0].percentage if len(have) >= 2 else None
        measured = [s for s in scores if s.scaled is not None]
        gain_scaled = measured[-1].scaled - measured[0].scaled if len(measured) >= 2 else None
        rows.append(
            HistoryRow(p.event_id, event.title, event.year, p.position, p.unit, scores, gain, gain_scaled)
        )
    return rows


def _when(data: HrData, p: Participation):
    event = data.events[p.event_id]
    return (event.starts_on is None, event.starts_on, p.event_id)


def _phase_score(data: HrData, p: Participation, phase: str) -> PhaseScore:
    result = data.results.get((p.event_id, phase, p.person_id))
    measure = data.measures.get((p.event_id, phase, p.person_id))
    se = None
    if measure is not None and measure.se is not None and data.run is not None:
        se = 100 * measure.se / data.run.scale_sd
    return PhaseScore(
        phase,
        result.percentage if result else None,
        measure.scaled if measure else None,
        se,
    )


def latest_scaled(data: HrData, person: Person) -> float | None:
    """The person's latest measure on the common scale (the last phase measured of their latest event)."""
    for row in reversed(history(data, person)):
        for score in reversed(row.phases):
            if score.scaled is not None:
                return score.scaled
    return None


def hours(data: HrData, person: Person) -> dict[int, float]:
    """Learning hours (JP) per year, from the events that carry `jp:`."""
    out: dict[int, float] = defaultdict(float)
    for p in person.participations:
        event = data.events[p.event_id]
        if event.jp is not None and event.year is not None:
            out[event.year] += event.jp
    return dict(sorted(out.items()))


# -- units ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitYear:
    year: int
    interval: Interval  # of the people's scaled measures; n people
    change: Interval | None  # from the year before it with data (Welch)


@dataclass(frozen=True)
class UnitSummary:
    code: str
    name: str
    level: int
    years: tuple[UnitYear, ...]


def units(data: HrData) -> list[UnitSummary]:
    """Every unit of the tree with, per year, its people's mean measure (a unit's own and those below)."""
    tree = data.tree
    by_unit_year: dict[str, dict[int, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    aliases = data.aliases
    for person in data.people:
        for row, p in zip(
            history(data, person), sorted(person.participations, key=lambda p: _when(data, p)), strict=True
        ):
            measured = [s.scaled for s in row.phases if s.scaled is not None]
            if not measured or row.year is None:
                continue
            for name in (p.unit, p.group, p.agency):
                if not name:
                    continue
                code = code_of(name, aliases)
                for above in _up(tree, code):
                    by_unit_year[above][row.year][person.number] = measured[-1]  # the latest of that year
    found = []
    for code, unit in sorted(tree.units.items(), key=lambda kv: (kv[1].level, kv[1].name)):
        years, before = [], None
        for year in sorted(by_unit_year.get(code, {})):
            values = list(by_unit_year[code][year].values())
            change = welch(before, values) if before is not None else None
            years.append(UnitYear(year, mean_interval(values), change))
            before = values
        found.append(UnitSummary(code, unit.name, unit.level, tuple(years)))
    return found


def _up(tree, code: str) -> list[str]:
    """The unit and every unit above it."""
    out, seen = [], set()
    while code is not None and code in tree.units and code not in seen:
        out.append(code)
        seen.add(code)
        code = tree.units[code].parent
    return out


# -- events -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventGain:
    event_id: str
    title: str
    year: int | None
    pairs: int
    gain: Interval  # post - pre, percent correct
    d_z: float
    d_low: float
    d_high: float
    gain_scaled: Interval  # on the common scale, where both phases are measured


def events(data: HrData) -> list[EventGain]:
    found = []
    by_phase: dict[tuple[str, str], list] = defaultdict(list)
    for (event_id, phase, person), result in data.results.items():
        by_phase[(event_id, phase)].append((person, result))
    for event in sorted(data.events.values(), key=lambda e: (e.starts_on is None, e.starts_on, e.event_id)):
        if len(event.phases) < 2:
            continue
        event_id, first, last = event.event_id, event.phases[0], event.phases[-1]
        diffs, scaled = [], []
        for person, result in by_phase[(event_id, first)]:
            after = data.results.get((event_id, last, person))
            if after is not None:
                diffs.append(after.percentage - result.percentage)
            a, b = data.measures.get((event_id, first, person)), data.measures.get((event_id, last, person))
            if a is not None and b is not None and a.scaled is not None and b.scaled is not None:
                scaled.append(b.scaled - a.scaled)
        gain = mean_interval(diffs)
        d = math.nan
        if len(diffs) >= 2 and statistics.stdev(diffs) > 0:
            d = statistics.fmean(diffs) / statistics.stdev(diffs)
        se = (
            math.sqrt(1 / len(diffs) + d * d / (2 * len(diffs)))
            if len(diffs) >= 2 and not math.isnan(d)
            else math.nan
        )
        found.append(
            EventGain(
                event.event_id,
                event.title,
                event.year,
                len(diffs),
                gain,
                d,
                d - 1.96 * se,
                d + 1.96 * se,
                mean_interval(scaled),
            )
        )
    return found


# -- competency gaps and training needs ----------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    competency: str
    name: str
    level: int | None  # from the event's own thresholds, the latest result resting on enough items
    event_id: str | None  # where that level comes from
    required: int | None  # the position's
    scaled: float | None  # the common-scale measure beside it (it does not set the level)

    @property
    def below(self) -> bool:
        return self.level is not None and self.required is not None and self.level < self.required


def _current(data: HrData, person: Person, field: str) -> str | None:
    """The roster's `field` (position or unit) of the person, else the one of their latest event."""
    roster = data.roster.get(person.nip) if person.nip else None
    if roster is not None and getattr(roster, field):
        return getattr(roster, field)
    rows = sorted(person.participations, key=lambda p: _when(data, p))
    return getattr(rows[-1], field) if rows else None


def current_position(data: HrData, person: Person) -> str | None:
    return _current(data, person, "position")


def current_unit(data: HrData, person: Person) -> str | None:
    return _current(data, person, "unit")


def gaps(data: HrData, person: Person) -> list[Gap]:
    position = data.position(current_position(data, person))
    latest: dict[str, tuple[int, str]] = {}
    for p in sorted(person.participations, key=lambda p: _when(data, p)):
        for phase in data.events[p.event_id].phases:
            result = data.results.get((p.event_id, phase, p.person_id))
            if result is None:
                continue
            for c, score in result.competencies.items():
                if score.level is not None and c in data.measured.get((p.event_id, phase), set()):
                    latest[c] = (score.level, p.event_id)
    scaled = latest_scaled(data, person)
    out = []
    for competency in data.framework.competencies:
        level, event_id = latest.get(competency.id, (None, None))
        required = position.requires.get(competency.id) if position else None
        if level is None and required is None:
            continue
        out.append(Gap(competency.id, competency.name, level, event_id, required, scaled))
    return out


@dataclass(frozen=True)
class Need:
    competency: str
    name: str
    unit: str  # the unit's code
    unit_name: str
    below: tuple[Person, ...]
    assessed: int  # people of the unit with a level and a requirement


def needs(data: HrData, people: Sequence[Person]) -> list[Need]:
    """Per competency and unit (the person's current unit), who is below their position's level."""
    table: dict[tuple[str, str], list] = defaultdict(lambda: [[], 0])
    names = {c.id: c.name for c in data.framework.competencies}
    for person in people:
        unit = current_unit(data, person)
        if not unit:
            continue
        code = code_of(unit, data.aliases)
        for gap in gaps(data, person):
            if gap.level is None or gap.required is None:
                continue
            cell = table[(gap.competency, code)]
            cell[1] += 1
            if gap.below:
                cell[0].append(person)
    unit_names = {u.code: u.name for u in data.tree.units.values()} if data.tree else {}
    return [
        Need(c, names.get(c, c), code, unit_names.get(code, code), tuple(below), n)
        for (c, code), (below, n) in sorted(table.items())
        if below
    ]


# -- the talent map ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TalentEntry:
    person: Person
    year: int
    performance: str  # below | expected | above
    potential: str  # low | middle | high
    box: int
    scaled: float
    rating: str


def talent_map(
    data: HrData, people: Sequence[Person], measure_cuts=None, value_cuts=None
) -> tuple[list[TalentEntry], tuple[float, float]]:
    """Each person with a rating and a measure in a box; returns the entries and the measure cut points
    used (the thirds of the measures, unless given)."""
    rows = []
    for person in people:
        if not person.nip or person.nip not in data.ratings:
            continue
        scaled = latest_scaled(data, person)
        if scaled is None:
            continue
        year = max(data.ratings[person.nip])
        rows.append((person, year, data.ratings[person.nip][year], scaled))
    if not rows:
        return [], (math.nan, math.nan)
    cuts = tuple(measure_cuts) if measure_cuts else _thirds([r[3] for r in rows])
    numbers = [r[2].value for r in rows if r[2].value is not None]
    vcuts = tuple(value_cuts) if value_cuts else (_thirds(numbers) if numbers else (math.nan, math.nan))
    out = []
    for person, year, rating, scaled in rows:
        performance = _performance(rating, vcuts)
        potential = "low" if scaled < cuts[0] else ("middle" if scaled < cuts[1] else "high")
        box = BOXES[potential][("below", "expected", "above").index(performance)]
        shown = PREDICATES[rating.predicate][0] if rating.predicate else f"{rating.value:g}"
        out.append(TalentEntry(person, year, performance, potential, box, scaled, shown))
    return out, cuts


def _thirds(values: Sequence[float]) -> tuple[float, float]:
    q = statistics.quantiles(values, n=3, method="inclusive") if len(values) >= 2 else [values[0], values[0]]
    return (q[0], q[1])


def _performance(rating, value_cuts) -> str:
    if rating.predicate is not None:
        rank = PREDICATES[rating.predicate][1]
        return "above" if rank == 5 else ("expected" if rank == 4 else "below")
    low, high = value_cuts
    return "below" if rating.value < low else ("expected" if rating.value < high else "above")
