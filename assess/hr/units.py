"""Units as a tree: agency (the city's government) > kecamatan > kelurahan, from each event's unit, group
and agency and from the roster's unit and its parent, so that HR compares at any level.

Names vary between lists ("Kel. Ibuh", "Kelurahan Ibuh"): a name is matched by its key (case, dots
and short forms aside: assess.hr.people.unit_key) and by the joins the HR officer made (assess hr units
merge). A unit is named by its code, the slug of its key (kelurahan-ibuh).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assess.hr.people import unit_key
from assess.participants import slug
from assess.problems import Problem, ProblemsFound
from assess.store import hr as hr_store
from assess.store import hr_people
from assess.store.hr_people import Person

ACTOR = "hr"
AGENCY, GROUP, UNIT = 0, 1, 2  # levels, from the top
SIMILAR = 0.8  # two words at least this alike (difflib's ratio) may be one word mistyped


@dataclass
class Unit:
    code: str
    name: str  # the roster's name where it has one, else the first seen
    level: int
    parent: str | None = None  # the parent's code
    spellings: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    people: set[int] = field(default_factory=set)
    in_roster: bool = False


@dataclass(frozen=True)
class Tree:
    units: dict[str, Unit]  # code -> unit
    roster: bool  # a roster was imported

    def children(self, code: str | None) -> list[Unit]:
        return sorted((u for u in self.units.values() if u.parent == code), key=lambda u: (u.level, u.name))

    def below(self, code: str) -> set[str]:
        """The unit's code and those of every unit under it."""
        found, todo = {code}, [code]
        while todo:
            here = todo.pop()
            for unit in self.units.values():
                if unit.parent == here and unit.code not in found:
                    found.add(unit.code)
                    todo.append(unit.code)
        return found


def code_of(name: str, aliases: Mapping[str, str]) -> str:
    """The code of the unit a name is, after the HR officer's joins. A leading "Kecamatan" is dropped:
    the kecamatan an event's group names ("Payakumbuh Barat") is the unit its office is
    ("Kecamatan Payakumbuh Barat")."""
    key = unit_key(name)
    if key in aliases:
        key = unit_key(aliases[key])
    return slug(key.removeprefix("kecamatan "), "unit")


def build_tree(people: Sequence[Person], roster: Sequence, aliases: Mapping[str, str]) -> Tree:
    """Every unit named by the events' participations and by the roster, with its parent."""
    units: dict[str, Unit] = {}

    def add(
        name: str | None,
        level: int,
        parent: str | None,
        *,
        event: str | None = None,
        person: int | None = None,
        from_roster: bool = False,
    ) -> str | None:
        if not name:
            return parent
        code = code_of(name, aliases)
        unit = units.get(code)
        if unit is None:  # named as the unit a joined name was joined to
            unit = units[code] = Unit(code, aliases.get(unit_key(name), name), level, parent)
        if from_roster and not unit.in_roster:
            unit.name, unit.in_roster = name, True
            unit.parent = parent or unit.parent  # the roster's parent is the unit's parent now
        elif unit.parent is None:
            unit.parent = parent
        unit.level = min(unit.level, level)
        unit.spellings.add(name)
        if event is not None:
            unit.events.add(event)
        if person is not None:
            unit.people.add(person)
        return code

    for row in roster:
        parent = add(row.parent_unit, GROUP, None, from_roster=True)
        add(row.unit, UNIT, parent, from_roster=True)
    for person in people:
        for p in person.participations:
            top = add(p.agency, AGENCY, None, event=p.event_id, person=person.number)
            middle = add(p.group, GROUP, top, event=p.event_id, person=person.number)
            add(p.unit, UNIT, middle, event=p.event_id, person=person.number)
    for unit in units.values():
        if unit.parent == unit.code:
            unit.parent = None
    return Tree(units, bool(roster))


@dataclass(frozen=True)
class Unmatched:
    unit: Unit
    suggestion: Unit | None  # a unit whose name is alike, to merge with


def unmatched(tree: Tree) -> list[Unmatched]:
    """Units of the events that the roster does not have (when there is a roster), and units whose name
    is much like another's at the same level: each with the unit it may be."""
    found, pairs = [], set()
    units = sorted(tree.units.values(), key=lambda u: (u.level, u.name))
    for unit in units:
        if not unit.events or (tree.roster and unit.in_roster):
            continue  # the roster's own, or matched to it
        candidates = [u for u in units if u.level == unit.level and u.code != unit.code]
        if tree.roster:
            candidates = [u for u in candidates if u.in_roster]
        alike = _alike(unit, candidates)
        pair = frozenset((unit.code, alike.code)) if alike is not None else None
        if pair is not None and pair in pairs:
            continue
        if alike is not None and not tree.roster and _weight(alike) < _weight(unit):
            unit, alike = alike, unit  # the name fewer events use is the one to check
        if tree.roster or alike is not None:
            found.append(Unmatched(unit, alike))
            if pair is not None:
                pairs.add(pair)
    return found


def _weight(unit: Unit) -> tuple:
    """Which of two alike names is more likely the right one: in more events, for more people, first by
    name."""
    return (len(unit.events), len(unit.people), [-ord(ch) for ch in unit.name])


def _alike(unit: Unit, others: Sequence[Unit]) -> Unit | None:
    """Another unit whose name may be this one's mistyped: the same without spaces ("Balainan Duo"), or
    one word of the same count of words differing a little ("Kelurahan Ibu")."""
    mine = unit.code.split("-")
    for other in others:
        theirs = other.code.split("-")
        if "".join(mine) == "".join(theirs):
            return other
        if len(mine) == len(theirs):
            differ = [(a, b) for a, b in zip(mine, theirs, strict=True) if a != b]
            if len(differ) == 1 and difflib.SequenceMatcher(None, *differ[0]).ratio() >= SIMILAR:
                return other
    return None


def find_unit(tree: Tree, text: str) -> Unit | None:
    """A unit by its code, or by a name it has."""
    if text in tree.units:
        return tree.units[text]
    key = unit_key(text)
    return next((u for u in tree.units.values() if key in {unit_key(n) for n in u.spellings}), None)


def merge_units(engine, keep: str, other: str) -> tuple[str, str, int]:
    """Join unit `other` to unit `keep` (codes or names): every name `other` goes by, and every name joined
    to it before, is `keep` from now on. Returns (keep's code, other's code, the audit entry)."""
    aliases = hr_store.unit_aliases(engine)
    tree = build_tree(hr_people.people(engine), hr_store.roster(engine), aliases)
    a, b = find_unit(tree, keep), find_unit(tree, other)
    for given, unit in ((keep, a), (other, b)):
        if unit is None:
            raise ProblemsFound([Problem("UNITS-UNKNOWN", {"unit": given})])
    if a.code == b.code:
        raise ProblemsFound([Problem("UNITS-MERGE-SAME", {"unit": a.code})])
    keys = {unit_key(n) for n in b.spellings} | {
        k for k, target in aliases.items() if code_of(target, {}) == b.code
    }
    number = hr_store.put_unit_aliases(engine, sorted(keys), a.name, ACTOR)
    return a.code, b.code, number
