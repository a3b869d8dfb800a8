"""The HR database's SQL (assess.hr): events added whole, people joined across them, the HR audit log.

An added event's rows are the same tables an event's own database has (assess.store.dump writes
them), beside the HR tables: `hr_events` (where each event came from, and its fingerprint),
`hr_people` and `hr_links` (which person each event's participant is) and `hr_audit`.
Adding an event again replaces its rows in one transaction; the links its participants had are kept
where they were the HR officer's (merged, split) or a participant's own, and taken again from the NIP
otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from assess.store import dump
from assess.store import schema as t
from assess.store.attempts import utcnow
from assess.store.records import StoreError

# The HR database's own tables: never in an event's backup (assess.store.dump.TABLES), never restored.
HR_TABLES: tuple[sa.Table, ...] = (
    t.hr_events,
    t.hr_people,
    t.hr_links,
    t.hr_audit,
    t.hr_ratings,
    t.hr_roster,
    t.hr_unit_aliases,
    t.hr_runs,
    t.hr_run_items,
    t.hr_run_measures,
)

# Where an event came from: a backup, another database, or this database itself (registered in place:
# removing it from HR leaves its rows, which are the trainer's).
BACKUP, DATABASE, HERE = "backup", "database", "here"
BY_NIP, OWN, MERGED, SPLIT = "nip", "own", "merged", "split"  # why a participant is a person
KEPT_LINKS = (MERGED, SPLIT)  # the HR officer's: kept when the event is added again, NIP or not


@dataclass(frozen=True)
class EventSource:
    """Where an event's rows came from, as `hr_events` keeps it."""

    source: str  # BACKUP | DATABASE | HERE
    origin: str  # the backup's file name, or the database's URL without its password
    source_time: dt.datetime  # when the backup was written, or the database read (naive UTC)
    fingerprint: str  # SHA-256 of the rows
    starts_on: dt.date | None
    ends_on: dt.date | None
    event_file: str | None  # its assessment.yaml, where known


@dataclass(frozen=True)
class AddedEvent:
    """An event of the HR database, as `assess hr events` lists it."""

    event_id: str
    title: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    participants: int  # not removed from the event
    phases: tuple[str, ...]
    source: str
    origin: str
    source_time: dt.datetime
    fingerprint: str
    added_at: dt.datetime


@dataclass(frozen=True)
class Put:
    """What adding an event did: `added` new, `replaced` an earlier copy, or neither (the same rows)."""

    event_id: str
    added: bool
    replaced: bool
    counts: dict[str, int]  # rows written per table ({} when nothing changed or registered in place)
    participants: int  # the event's participants linked to people (0 when nothing changed)
    people_new: int  # people first seen in this event


def stored_source(engine: sa.Engine, event_id: str) -> EventSource | None:
    """Where the HR database's copy of the event came from; None when it was not added."""
    with engine.connect() as c:
        row = c.execute(sa.select(t.hr_events).where(t.hr_events.c.event_id == event_id)).first()
    if row is None:
        return None
    return EventSource(
        row.source, row.origin, row.source_time, row.fingerprint, row.starts_on, row.ends_on, row.event_file
    )


def put_event(
    engine: sa.Engine,
    event_id: str,
    rows: Mapping[str, Sequence[dict]] | None,
    source: EventSource,
    actor: str,
) -> Put:
    """Add the event's rows, or replace the HR database's copy of them, in one transaction.

    `rows` None: the rows are in this database already (an event of the same database), and only
    registered. An event whose rows are here but were not added by HR is refused (HR-EVENT-NOT-ADDED)
    unless so registered.
    """
    with engine.begin() as c:
        before = c.execute(sa.select(t.hr_events).where(t.hr_events.c.event_id == event_id)).first()
        if before is not None and before.fingerprint == source.fingerprint:
            return Put(event_id, False, False, {}, 0, 0)
        kept = {r.person_id: (r.hr_person_id, r.how) for r in _links_of(c, event_id)}
        counts: dict[str, int] = {}
        if rows is not None:
            if before is not None and before.source == HERE:
                raise StoreError("HR-EVENT-HERE", event=event_id)  # the trainer's own rows: never replaced
            if before is None and dump.event_tables_holding(c, event_id):
                raise StoreError("HR-EVENT-NOT-ADDED", event=event_id)
            dump.delete_event(c, event_id)
            counts = dump.write_rows(c, rows).counts
        else:
            c.execute(t.hr_events.delete().where(t.hr_events.c.event_id == event_id))
        c.execute(t.hr_events.insert().values(event_id=event_id, added_at=utcnow(), **vars(source)))
        linked, new = _link_people(c, event_id, kept)
        _drop_unlinked_people(c)
        action = "event.replace" if before is not None else "event.add"
        write_hr_audit(
            c, actor, action, {"event": event_id, "source": source.source, "origin": source.origin}
        )
    return Put(event_id, before is None, before is not None, counts, linked, new)


def _links_of(c: sa.Connection, event_id: str) -> Sequence[Any]:
    return c.execute(sa.select(t.hr_links).where(t.hr_links.c.event_id == event_id)).all()


def _link_people(c: sa.Connection, event_id: str, kept: Mapping[str, tuple[int, str]]) -> tuple[int, int]:
    """Link each of the event's participants to a person: the HR officer's link where there was one, else
    by NIP (the person of that NIP, made when new), else the participant's own earlier person, else a
    new one. Returns how many participants were linked, and how many people were made."""
    persons = c.execute(
        sa.select(t.persons.c.person_id, t.persons.c.name, t.persons.c.nip)
        .where(t.persons.c.event_id == event_id)
        .order_by(t.persons.c.person_id)
    ).all()
    existing = {r.id for r in c.execute(sa.select(t.hr_people.c.id))} if kept else set()
    nips = {p.nip for p in persons if p.nip}
    hp = t.hr_people
    by_nip = {
        r.nip: final_person(c, r.id, r.merged_into)
        for r in c.execute(sa.select(hp.c.id, hp.c.nip, hp.c.merged_into).where(hp.c.nip.in_(nips)))
    }
    made, links = 0, []
    for p in persons:
        earlier = kept.get(p.person_id)
        if earlier and earlier[0] in existing and (earlier[1] in KEPT_LINKS or not p.nip):
            links.append((p.person_id, *earlier))
            continue
        if p.nip and p.nip in by_nip:
            links.append((p.person_id, by_nip[p.nip], BY_NIP))
            continue
        made += 1
        new_id = c.execute(
            t.hr_people.insert().values(nip=p.nip, name=p.name, created_at=utcnow())
        ).inserted_primary_key[0]
        if p.nip:
            by_nip[p.nip] = new_id
        links.append((p.person_id, new_id, BY_NIP if p.nip else OWN))
    c.execute(t.hr_links.delete().where(t.hr_links.c.event_id == event_id))
    if links:
        c.execute(
            t.hr_links.insert(),
            [{"event_id": event_id, "person_id": a, "hr_person_id": b, "how": h} for a, b, h in links],
        )
    return len(links), made


def final_person(c: sa.Connection, person: int, merged_into: int | None) -> int:
    """The person that `person` is, following merges (A merged into B merged into C: C)."""
    seen = {person}
    while merged_into is not None and merged_into not in seen:
        seen.add(merged_into)
        person = merged_into
        merged_into = c.execute(
            sa.select(t.hr_people.c.merged_into).where(t.hr_people.c.id == person)
        ).scalar()
    return person


def _drop_unlinked_people(c: sa.Connection) -> None:
    """People without a link left, unless a merge refers to them or they were merged (a merged person's
    NIP still finds the one it was merged into)."""
    hp = t.hr_people
    linked = sa.select(t.hr_links.c.hr_person_id)
    targets = sa.select(hp.c.merged_into).where(hp.c.merged_into.is_not(None)).scalar_subquery()
    c.execute(hp.delete().where(hp.c.id.not_in(linked), hp.c.merged_into.is_(None), hp.c.id.not_in(targets)))


def write_hr_audit(c: sa.Connection, actor: str, action: str, details: dict) -> int:
    """One entry of the HR audit log, in the caller's transaction; returns its number."""
    return c.execute(
        t.hr_audit.insert().values(at=utcnow(), actor=actor, action=action, details=details)
    ).inserted_primary_key[0]


def remove_event(engine: sa.Engine, event_id: str, actor: str) -> bool:
    """Take the event and everything of it out of the HR database; False when it was not added."""
    with engine.begin() as c:
        h = t.hr_events
        source = c.execute(sa.select(h.c.source).where(h.c.event_id == event_id)).scalar()
        if source is None:
            return False
        if source == HERE:
            c.execute(h.delete().where(h.c.event_id == event_id))  # and its links, by cascade
        else:
            dump.delete_event(c, event_id)
        _drop_unlinked_people(c)
        write_hr_audit(c, actor, "event.remove", {"event": event_id})
    return True


def added_events(engine: sa.Engine) -> list[AddedEvent]:
    """Every event added, oldest first (by first day, then id)."""
    h, e, p = t.hr_events, t.events, t.participations
    counted = (
        sa.select(p.c.event_id, sa.func.count().label("n"))
        .where(p.c.removed_at.is_(None))
        .group_by(p.c.event_id)
        .subquery()
    )
    query = (
        sa.select(h, e.c.title, sa.func.coalesce(counted.c.n, 0).label("n"))
        .join(e, e.c.id == h.c.event_id)
        .outerjoin(counted, counted.c.event_id == h.c.event_id)
    )
    with engine.connect() as c:
        rows = c.execute(query).all()
        phases: dict[str, list[str]] = {}
        ph, a = t.forms, t.attempts  # a phase without a form took no test
        started = (
            sa.select(sa.func.min(a.c.started_at))
            .where(a.c.event_id == ph.c.event_id, a.c.phase_id == ph.c.phase_id)
            .scalar_subquery()
        )
        found = c.execute(
            sa.select(ph.c.event_id, ph.c.phase_id, started.label("started"), ph.c.built_at).where(
                ph.c.event_id.in_([r.event_id for r in rows])
            )
        ).all()
        # the order the tests were taken, then built; a tie (forms built and tests simulated in one
        # second) by the usual names, pre before post
        for r in sorted(
            found, key=lambda r: (r.event_id, r.started or r.built_at, r.built_at, _name_rank(r.phase_id))
        ):
            phases.setdefault(r.event_id, []).append(r.phase_id)
    found = [
        AddedEvent(
            r.event_id,
            r.title,
            r.starts_on,
            r.ends_on,
            r.n,
            tuple(phases.get(r.event_id, ())),
            r.source,
            r.origin,
            r.source_time,
            r.fingerprint,
            r.added_at,
        )
        for r in rows
    ]
    return sorted(found, key=lambda a: (a.starts_on or dt.date.max, a.event_id))


USUAL_ORDER = ("pre", "awal", "tengah", "post", "akhir")


def _name_rank(phase: str) -> tuple[int, str]:
    return (USUAL_ORDER.index(phase) if phase in USUAL_ORDER else len(USUAL_ORDER) // 2, phase)


def event_rows_here(engine: sa.Engine, event_id: str) -> bool:
    """Whether this database holds rows of the event (beyond a bare events entry)."""
    with engine.connect() as c:
        return bool(
            c.execute(sa.select(t.events.c.id).where(t.events.c.id == event_id)).first()
            and dump.event_tables_holding(c, event_id)
        )


# -- ratings and the roster, by NIP -------------------------------------------------------------------


def known_nips(engine: sa.Engine) -> set[str]:
    """Every NIP of a person of the HR database (those merged into another included)."""
    with engine.connect() as c:
        return set(c.execute(sa.select(t.hr_people.c.nip).where(t.hr_people.c.nip.is_not(None))).scalars())


def put_ratings(engine: sa.Engine, rows: Sequence[dict], source: str, actor: str) -> tuple[int, int]:
    """Write ratings (nip, year, predicate, value) in one transaction, each replacing the one of its NIP
    and year; returns (new, replaced)."""
    r = t.hr_ratings
    now = utcnow()
    with engine.begin() as c:
        existing = {
            (x.nip, x.year)
            for x in c.execute(sa.select(r.c.nip, r.c.year).where(r.c.nip.in_({row["nip"] for row in rows})))
        }
        replaced = [row for row in rows if (row["nip"], row["year"]) in existing]
        for row in replaced:
            c.execute(r.delete().where(r.c.nip == row["nip"], r.c.year == row["year"]))
        for start in range(0, len(rows), 1000):
            c.execute(
                r.insert(),
                [{**row, "source": source, "imported_at": now} for row in rows[start : start + 1000]],
            )
        details = {"file": source, "new": len(rows) - len(replaced), "replaced": len(replaced)}
        write_hr_audit(c, actor, "ratings.import", details)
    return len(rows) - len(replaced), len(replaced)


def ratings(engine: sa.Engine) -> list[Any]:
    """Every rating, by NIP and year."""
    r = t.hr_ratings
    with engine.connect() as c:
        return c.execute(sa.select(r).order_by(r.c.nip, r.c.year)).all()


def put_roster(engine: sa.Engine, rows: Sequence[dict], source: str, actor: str) -> tuple[int, int]:
    """The roster replaced whole by `rows` (nip, name, position, unit, parent_unit, birth_date), in one
    transaction; returns (people now, people before)."""
    r = t.hr_roster
    now = utcnow()
    with engine.begin() as c:
        before = c.execute(sa.select(sa.func.count()).select_from(r)).scalar()
        c.execute(r.delete())
        for start in range(0, len(rows), 1000):
            c.execute(
                r.insert(),
                [{**row, "source": source, "imported_at": now} for row in rows[start : start + 1000]],
            )
        write_hr_audit(c, actor, "roster.import", {"file": source, "people": len(rows), "before": before})
    return len(rows), before


def roster(engine: sa.Engine) -> list[Any]:
    r = t.hr_roster
    with engine.connect() as c:
        return c.execute(sa.select(r).order_by(r.c.nip)).all()


def unit_aliases(engine: sa.Engine) -> dict[str, str]:
    """A unit name's key -> the name of the unit it was joined to."""
    a = t.hr_unit_aliases
    with engine.connect() as c:
        return {r.alias_key: r.unit for r in c.execute(sa.select(a))}


def put_unit_aliases(engine: sa.Engine, keys: Sequence[str], unit: str, actor: str) -> int:
    """Join unit names (by their keys) to `unit`, in one transaction; returns the audit entry's number."""
    a = t.hr_unit_aliases
    with engine.begin() as c:
        c.execute(a.delete().where(a.c.alias_key.in_(list(keys))))
        c.execute(a.insert(), [{"alias_key": k, "unit": unit, "created_at": utcnow()} for k in keys])
        return write_hr_audit(c, actor, "units.merge", {"names": list(keys), "unit": unit})
