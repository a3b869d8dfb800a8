"""People across events: who might be the same person (for the HR officer to confirm), and what looks
wrong about a person (one NIP under two names). Nothing here joins anyone: `merge` does, on command."""

from __future__ import annotations

import datetime as dt
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
                # the one kept is the one with a NIP (else in more events): the other joins them
                if other.nip is None and len(other.participations) < len(person.participations):
                    person, other = other, person
                found.append(Candidate(person, other, name, unit or ""))
    return found


@dataclass(frozen=True)
class Conflict:
    """What does not agree about one NIP: the names events and the roster give it, or the roster's birth
    date and the one the NIP holds (its first 8 digits)."""

    nip: str
    person: Person | None  # None: a NIP of the roster only
    names: tuple[str, ...] = ()  # more than one: the names differ
    birth: tuple[dt.date, str] | None = None  # (the roster's birth date, the NIP's digits) when they differ


def conflicts(everyone: Sequence[Person], roster: Sequence = ()) -> list[Conflict]:
    """Every NIP whose names differ (degrees after a comma, case and spacing aside) between its events and
    the roster, and every roster birth date the NIP does not hold. Nothing is changed."""
    by_nip = {p.nip: p for p in everyone if p.nip}
    names: dict[str, dict[str, str]] = defaultdict(dict)
    for person in by_nip.values():
        for p in person.participations:
            names[person.nip].setdefault(comparable_name(p.name), p.name)
    births = {}
    for row in roster:
        names[row.nip].setdefault(comparable_name(row.name), row.name)
        if row.birth_date is not None and row.nip[:8] != row.birth_date.strftime("%Y%m%d"):
            births[row.nip] = (row.birth_date, row.nip[:8])
    found = []
    for nip in sorted(names):
        differ = tuple(names[nip].values()) if len(names[nip]) > 1 else ()
        if differ or nip in births:
            found.append(Conflict(nip, by_nip.get(nip), differ, births.get(nip)))
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
