"""People across the HR database's events (assess.hr.people): listed, merged, split, and undone.

A merge moves every link of one person to another and keeps the merged person, without links, pointing
at the one it became: its NIP still finds them when a later event brings it. A split gives a person's
participation in one event a person of its own. Both are written to `hr_audit` with what they changed,
so that `undo` puts it back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from assess.store import schema as t
from assess.store.attempts import utcnow
from assess.store.hr import MERGED, SPLIT, final_person, write_hr_audit
from assess.store.records import StoreError

MERGE, SPLIT_ACTION, UNDO = "people.merge", "people.split", "people.undo"


@dataclass(frozen=True)
class Participation:
    """One event's participant, as linked to a person."""

    event_id: str
    person_id: str  # the event's own id
    name: str
    nip: str | None
    unit: str | None  # the unit's name in that event
    position: str | None
    how: str  # nip | own | merged | split
    group: str | None = None  # the unit's group in that event (the kecamatan)
    agency: str | None = None  # the agency as that event's list gave it (Pemerintah Kota Payakumbuh)


@dataclass(frozen=True)
class Person:
    number: int
    nip: str | None
    name: str
    participations: tuple[Participation, ...]


@dataclass(frozen=True)
class Change:
    """One merge, split or undo of the HR audit log."""

    number: int
    action: str
    details: dict
    undone: bool


def _participations(c: sa.Connection, where=None) -> dict[int, list[Participation]]:
    ln, p, pa, u, g = t.hr_links, t.persons, t.participations, t.units, t.groups
    query = (
        sa.select(
            ln.c.hr_person_id,
            ln.c.event_id,
            ln.c.person_id,
            ln.c.how,
            p.c.name,
            p.c.nip,
            u.c.name.label("unit"),
            pa.c.position,
            g.c.name.label("group"),
            pa.c.agency,
        )
        .join(p, sa.and_(p.c.event_id == ln.c.event_id, p.c.person_id == ln.c.person_id))
        .join(pa, sa.and_(pa.c.event_id == ln.c.event_id, pa.c.person_id == ln.c.person_id))
        .outerjoin(u, sa.and_(u.c.event_id == pa.c.event_id, u.c.code == pa.c.unit_code))
        .outerjoin(g, sa.and_(g.c.event_id == pa.c.event_id, g.c.code == pa.c.group_code))
        .join(t.hr_events, t.hr_events.c.event_id == ln.c.event_id)
        .where(pa.c.removed_at.is_(None))
        .order_by(t.hr_events.c.starts_on, ln.c.event_id, ln.c.person_id)
    )
    if where is not None:
        query = query.where(where)
    found: dict[int, list[Participation]] = {}
    for r in c.execute(query):
        found.setdefault(r.hr_person_id, []).append(
            Participation(
                r.event_id, r.person_id, r.name, r.nip, r.unit, r.position, r.how, r.group, r.agency
            )
        )
    return found


def people(engine: sa.Engine, numbers: Sequence[int] | None = None) -> list[Person]:
    """The people with their participations (every person, or those numbered), by name."""
    hp = t.hr_people
    with engine.connect() as c:
        query = sa.select(hp).where(hp.c.merged_into.is_(None))
        where = None
        if numbers is not None:
            query = query.where(hp.c.id.in_(list(numbers)))
            where = t.hr_links.c.hr_person_id.in_(list(numbers))
        rows = c.execute(query).all()
        linked = _participations(c, where)
    found = [Person(r.id, r.nip, r.name, tuple(linked.get(r.id, ()))) for r in rows if r.id in linked]
    return sorted(found, key=lambda p: (comparable_name(p.name), p.number))


def find_person(engine: sa.Engine, text: str) -> int:
    """The person a command names: by number, or by NIP (spaces and dots removed); merges followed."""
    hp = t.hr_people
    plain = re.sub(r"[\s.]", "", text)
    with engine.connect() as c:
        row = None
        if re.fullmatch(r"[0-9]{18}", plain):
            row = c.execute(sa.select(hp.c.id, hp.c.merged_into).where(hp.c.nip == plain)).first()
        elif re.fullmatch(r"[0-9]{1,9}", plain):
            row = c.execute(sa.select(hp.c.id, hp.c.merged_into).where(hp.c.id == int(plain))).first()
        if row is None:
            raise StoreError("HR-PERSON-UNKNOWN", person=text)
        return final_person(c, row.id, row.merged_into)


def merge(engine: sa.Engine, keep: int, other: int, actor: str) -> int:
    """Every participation of `other` becomes `keep`'s; returns the audit entry's number."""
    if keep == other:
        raise StoreError("HR-MERGE-SAME", person=str(keep))
    ln = t.hr_links
    with engine.begin() as c:
        moved = c.execute(
            sa.select(ln.c.event_id, ln.c.person_id, ln.c.how).where(ln.c.hr_person_id == other)
        ).all()
        mine = {r.event_id for r in c.execute(sa.select(ln.c.event_id).where(ln.c.hr_person_id == keep))}
        both = sorted(mine & {r.event_id for r in moved})
        if both:
            raise StoreError("HR-MERGE-SAME-EVENT", event=both[0], a=str(keep), b=str(other))
        c.execute(ln.update().where(ln.c.hr_person_id == other).values(hr_person_id=keep, how=MERGED))
        c.execute(t.hr_people.update().where(t.hr_people.c.id == other).values(merged_into=keep))
        details = {"keep": keep, "other": other, "links": [[r.event_id, r.person_id, r.how] for r in moved]}
        return write_hr_audit(c, actor, MERGE, details)


def split(engine: sa.Engine, person: int, event_id: str, actor: str) -> tuple[int, int]:
    """The person's participation in `event_id` given a new person of its own; returns (the new person's
    number, the audit entry's number)."""
    ln = t.hr_links
    with engine.begin() as c:
        links = c.execute(sa.select(ln.c.person_id, ln.c.how).where(ln.c.hr_person_id == person)).all()
        here = c.execute(
            sa.select(ln.c.person_id, ln.c.how).where(ln.c.hr_person_id == person, ln.c.event_id == event_id)
        ).all()
        if not here:
            raise StoreError("HR-SPLIT-NOT-IN-EVENT", person=str(person), event=event_id)
        if len(here) == len(links):
            raise StoreError("HR-SPLIT-ONLY-EVENT", person=str(person), event=event_id)
        name = c.execute(
            sa.select(t.persons.c.name).where(
                t.persons.c.event_id == event_id, t.persons.c.person_id == here[0].person_id
            )
        ).scalar()
        new = c.execute(
            t.hr_people.insert().values(nip=None, name=name, created_at=utcnow())
        ).inserted_primary_key[0]
        c.execute(
            ln.update()
            .where(ln.c.hr_person_id == person, ln.c.event_id == event_id)
            .values(hr_person_id=new, how=SPLIT)
        )
        details = {
            "person": person,
            "event": event_id,
            "new": new,
            "links": [[r.person_id, r.how] for r in here],
        }
        return new, write_hr_audit(c, actor, SPLIT_ACTION, details)


def undo(engine: sa.Engine, number: int | None, actor: str) -> Change:
    """Put back a merge or split: the latest not undone, or the one numbered, when no later change that
    is not undone touches the same people."""
    a = t.hr_audit
    with engine.begin() as c:
        changes = [
            Change(r.id, r.action, r.details, r.undone_at is not None)
            for r in c.execute(sa.select(a).where(a.c.action.in_([MERGE, SPLIT_ACTION])).order_by(a.c.id))
        ]
        open_changes = [ch for ch in changes if not ch.undone]
        if number is None:
            if not open_changes:
                raise StoreError("HR-UNDO-NOTHING")
            change = open_changes[-1]
        else:
            change = next((ch for ch in changes if ch.number == number), None)
            if change is None or change.undone:
                raise StoreError("HR-UNDO-UNKNOWN", n=str(number))
            later = [ch for ch in open_changes if ch.number > number and _touched(ch) & _touched(change)]
            if later:
                raise StoreError("HR-UNDO-LATER", n=str(number), later=str(later[0].number))
        (_undo_merge if change.action == MERGE else _undo_split)(c, change.details)
        c.execute(a.update().where(a.c.id == change.number).values(undone_at=utcnow()))
        write_hr_audit(c, actor, UNDO, {"undone": change.number})
        return change


def _touched(change: Change) -> set[int]:
    d = change.details
    return {d["keep"], d["other"]} if change.action == MERGE else {d["person"], d["new"]}


def _undo_merge(c: sa.Connection, d: dict) -> None:
    ln, p = t.hr_links, t.persons
    for event_id, person_id, how in d["links"]:
        c.execute(
            ln.update()
            .where(ln.c.event_id == event_id, ln.c.person_id == person_id, ln.c.hr_person_id == d["keep"])
            .values(hr_person_id=d["other"], how=how)
        )
    # participations linked after the merge through the merged person's NIP go back to them too
    nip = c.execute(sa.select(t.hr_people.c.nip).where(t.hr_people.c.id == d["other"])).scalar()
    if nip is not None:
        later = c.execute(
            sa.select(ln.c.event_id, ln.c.person_id)
            .join(p, sa.and_(p.c.event_id == ln.c.event_id, p.c.person_id == ln.c.person_id))
            .where(ln.c.hr_person_id == d["keep"], ln.c.how == "nip", p.c.nip == nip)
        ).all()
        for event_id, person_id in later:
            c.execute(
                ln.update()
                .where(ln.c.event_id == event_id, ln.c.person_id == person_id)
                .values(hr_person_id=d["other"])
            )
    c.execute(t.hr_people.update().where(t.hr_people.c.id == d["other"]).values(merged_into=None))


def _undo_split(c: sa.Connection, d: dict) -> None:
    ln = t.hr_links
    for person_id, how in d["links"]:
        c.execute(
            ln.update()
            .where(ln.c.event_id == d["event"], ln.c.person_id == person_id, ln.c.hr_person_id == d["new"])
            .values(hr_person_id=d["person"], how=how)
        )
    left = c.execute(sa.select(ln.c.person_id).where(ln.c.hr_person_id == d["new"]).limit(1)).first()
    if left is None:
        c.execute(t.hr_people.delete().where(t.hr_people.c.id == d["new"]))


def changes(engine: sa.Engine) -> list[Change]:
    """Every entry of the HR audit log, oldest first."""
    a = t.hr_audit
    with engine.connect() as c:
        return [
            Change(r.id, r.action, r.details, r.undone_at is not None)
            for r in c.execute(sa.select(a).order_by(a.c.id))
        ]


# -- names compared ---------------------------------------------------------------------------------------

_DEGREE = re.compile(r",.*$")  # "Afrizal, S.Sos": the degrees after the first comma
_SPACES = re.compile(r"\s+")


def comparable_name(name: str) -> str:
    """A name as two lists may both write it: without degrees after a comma, case and spacing."""
    return _SPACES.sub(" ", _DEGREE.sub("", name)).strip().casefold()
