"""People across events: who might be the same person (for the HR officer to confirm), and what looks
wrong about a person (one NIP under two names). Nothing here joins anyone: `merge` does, on command."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from assess.problems import Problem, ProblemsFound
from assess.store import hr_people as store
from assess.store.hr_people import Change, Person, comparable_name
from assess.store.records import StoreError

ACTOR = "hr"

# Short forms lists use for a unit's kind, and what they stand for ("Kel. Ibuh" is "Kelurahan Ibuh").
UNIT_WORDS = {"kel": "kelurahan", "kec": "kecamatan", "kab": "kabupaten", "pemkot": "pemerintah kota"}
_NOT_WORD = re.compile(r"[^\w]+")


def unit_key(name: str | None) -> str:
    """A unit's name as two lists may both write it: case, dots and spacing aside, short forms spelled out."""
    if not name:
        return ""
    words = _NOT_WORD.sub(" ", name.casefold()).split()
    return " ".join(UNIT_WORDS.get(w, w) for w in words)


@dataclass(frozen=True)
class Candidate:
    """Two people who might be one: a participant without a NIP, and someone of another event with the
    same name in the same unit."""

    without_nip: Person
    other: Person
    name: str
    unit: str


def candidates(everyone: Sequence[Person]) -> list[Candidate]:
    """Pairs to confirm: a person without a NIP whose name and unit are another person's in another event."""
    by_key: dict[tuple[str, str], list[tuple[Person, str]]] = defaultdict(list)
    for person in everyone:
        for p in person.participations:
            if p.unit:
                by_key[(comparable_name(p.name), unit_key(p.unit))].append((person, p.event_id))
    found, seen = [], set()
    for (name, _unit), entries in by_key.items():
        for person, event in entries:
            if person.nip is not None:
                continue
            for other, other_event in entries:
                pair = tuple(sorted((person.number, other.number)))
                if other.number == person.number or other_event == event or pair in seen:
                    continue
                if {e.event_id for e in person.participations} & {e.event_id for e in other.participations}:
                    continue  # both in one event: two people
                seen.add(pair)
                unit = next(p.unit for p in person.participations if p.event_id == event)
                found.append(Candidate(person, other, name, unit or ""))
    return found


@dataclass(frozen=True)
class Conflict:
    """One person whose events give different names for their NIP."""

    person: Person
    names: tuple[str, ...]


def conflicts(everyone: Sequence[Person]) -> list[Conflict]:
    found = []
    for person in everyone:
        names: dict[str, str] = {}
        for p in person.participations:
            names.setdefault(comparable_name(p.name), p.name)
        if person.nip is not None and len(names) > 1:
            found.append(Conflict(person, tuple(names.values())))
    return found


def _problem(e: StoreError) -> ProblemsFound:
    return ProblemsFound([Problem(e.code, e.params)])


def find_person(engine: sa.Engine, text: str) -> int:
    try:
        return store.find_person(engine, text)
    except StoreError as e:
        raise _problem(e) from None


def merge(engine: sa.Engine, keep: str, other: str) -> tuple[int, int, int]:
    """(the person kept, the one merged into them, the audit entry)."""
    a, b = find_person(engine, keep), find_person(engine, other)
    try:
        return a, b, store.merge(engine, a, b, ACTOR)
    except StoreError as e:
        raise _problem(e) from None


def split(engine: sa.Engine, person: str, event_id: str) -> tuple[int, int, int]:
    """(the person, the new person of the event's participation, the audit entry)."""
    number = find_person(engine, person)
    try:
        return (number, *store.split(engine, number, event_id, ACTOR))
    except StoreError as e:
        raise _problem(e) from None


def undo(engine: sa.Engine, number: int | None) -> Change:
    try:
        return store.undo(engine, number, ACTOR)
    except StoreError as e:
        raise _problem(e) from None
