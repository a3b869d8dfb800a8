"""The store: every read and write of an event's data, in transactions.

`Store` is the one object callers use. This module holds the event, its
units, groups and participants, phases, forms, results and the audit log; the
attempt lifecycle (attempts, answers, essay marks) is `AttemptLifecycle` in
attempts.py, which `Store` inherits, as it inherits the web sessions
(`WebSessions`, sessions.py) and the web app's counted tries (`WebTries`,
tries.py). What the store hands out (statuses, errors, frozen rows) is
defined in records.py and importable from here.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from assess.adjustments import Adjustment
from assess.forms import Form
from assess.store import migrate
from assess.store import schema as t
from assess.store.attempts import AttemptLifecycle, utcnow, write_audit
from assess.store.engine import SINGLE_READ, make_engine
from assess.store.records import (
    CLOSED,
    EXPIRED,
    FINISHED,
    IN_PROGRESS,
    NOT_OPEN,
    OPEN,
    SUBMITTED,
    SUPERSEDED,
    Attempt,
    AttemptClosed,
    AuditEntry,
    CompetencyScore,
    HistoryEntry,
    ItemMark,
    NotFound,
    Participant,
    PhaseStanding,
    Result,
    Saved,
    StoreError,
)
from assess.store.sessions import WebSessions
from assess.store.tries import WebTries

__all__ = [
    "CompetencyScore",
    "ItemMark",
    "CLOSED",
    "EXPIRED",
    "FINISHED",
    "IN_PROGRESS",
    "NOT_OPEN",
    "OPEN",
    "SUBMITTED",
    "SUPERSEDED",
    "Attempt",
    "AttemptClosed",
    "AuditEntry",
    "HistoryEntry",
    "NotFound",
    "Participant",
    "PhaseStanding",
    "Result",
    "Saved",
    "Store",
    "StoreError",
    "utcnow",
]


def _standings_query() -> sa.CompoundSelect:
    """Built once: a phase's state, its form's hash and the person's live attempts (oldest first) as
    (kind, phase, value) rows, kind naming the PhaseStanding field."""
    event, person = sa.bindparam("event"), sa.bindparam("person")
    p, f, a = t.phases, t.forms, t.attempts
    order = sa.literal_column("0", sa.Integer)
    return sa.union_all(
        sa.select(sa.literal_column("'state'"), p.c.phase_id, p.c.state, order.label("o")).where(
            p.c.event_id == event
        ),
        sa.select(sa.literal_column("'form_hash'"), f.c.phase_id, f.c.hash, order).where(
            f.c.event_id == event
        ),
        sa.select(sa.literal_column("'attempt'"), a.c.phase_id, a.c.status, a.c.id).where(
            (a.c.event_id == event) & (a.c.person_id == person) & (a.c.status != SUPERSEDED)
        ),
    ).order_by(sa.literal_column("o"))


_STANDINGS = _standings_query()


def _participants_query() -> sa.Select:
    p, q = t.persons, t.participations
    return (
        sa.select(
            p.c.person_id,
            p.c.name,
            p.c.nip,
            p.c.email,
            q.c.position,
            q.c.unit_code,
            q.c.group_code,
            q.c.access_code,
            q.c.agency,
            q.c.removed_at.is_not(None).label("removed"),
        )
        .join(q, (q.c.event_id == p.c.event_id) & (q.c.person_id == p.c.person_id))
        .where(p.c.event_id == sa.bindparam("b_event"))
        .order_by(p.c.person_id)
    )


_EVERY_PARTICIPANT = _participants_query()
# A participant removed after taking a test is left out of every list and summary (and cannot join).
_PARTICIPANTS = _EVERY_PARTICIPANT.where(t.participations.c.removed_at.is_(None))
_PARTICIPANT = _PARTICIPANTS.where(t.persons.c.person_id == sa.bindparam("b_person"))
# A result of a participant removed since (left out of results like the participant of lists).
_RESULT_OF_REMOVED = sa.exists().where(
    (t.participations.c.event_id == t.results.c.event_id)
    & (t.participations.c.person_id == t.results.c.person_id)
    & t.participations.c.removed_at.is_not(None)
)

# event_secrets.purpose of the key of personal orders and default form seeds (assess.forms).
ORDERS = "orders"
SECRET_BYTES = 32


def _make_secret(c: sa.Connection, event_id: str, purpose: str, now: dt.datetime | None = None) -> str:
    """A new random secret of the event for `purpose`, inserted; in hex."""
    key = secrets.token_hex(SECRET_BYTES)
    c.execute(
        t.event_secrets.insert().values(
            event_id=event_id, purpose=purpose, secret=key, created_at=now or utcnow()
        )
    )
    return key


class Store(AttemptLifecycle, WebSessions, WebTries):
    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        # For reads of one SELECT (the lobby's poll, key lookups): no write lock on SQLite.
        self.single_read = engine.execution_options(**{SINGLE_READ: True})

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect and bring the schema up to date (refusing a newer database)."""
        engine = make_engine(url)
        migrate.upgrade(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def reachable(self) -> bool:
        """Whether the database answers a query now (the server's health check)."""
        try:
            with self.engine.connect() as c:
                c.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def after_fork(self) -> None:
        """In a forked process: open connections of its own (the parent's stay the parent's)."""
        self.engine.dispose(close=False)

    # -- events, units, groups, people ------------------------------------

    def ensure_event(self, event_id: str, title: str, time_zone: str, now: dt.datetime | None = None) -> None:
        """Record the event (or its new title or time zone); writes only when something changed."""
        with self.engine.connect() as c:
            row = c.execute(sa.select(t.events).where(t.events.c.id == event_id)).first()
        if row is not None and (row.title, row.time_zone) == (title, time_zone):
            return
        with self.engine.begin() as c:
            if row is None:
                c.execute(
                    t.events.insert().values(
                        id=event_id, title=title, time_zone=time_zone, created_at=now or utcnow()
                    )
                )
                _make_secret(c, event_id, ORDERS, now)  # made with the event, kept with its data
            else:
                c.execute(
                    t.events.update()
                    .where(t.events.c.id == event_id)
                    .values(title=title, time_zone=time_zone)
                )

    def units(self, event_id: str) -> dict[str, str]:
        """The event's units: code -> name."""
        return self._codes(event_id, t.units)

    def groups(self, event_id: str) -> dict[str, str]:
        """The event's groups: code -> name."""
        return self._codes(event_id, t.groups)

    def _codes(self, event_id: str, table: sa.Table) -> dict[str, str]:
        with self.engine.connect() as c:
            rows = c.execute(sa.select(table.c.code, table.c.name).where(table.c.event_id == event_id))
            return {r.code: r.name for r in rows}

    def add_participants(
        self,
        event_id: str,
        people: Sequence[Mapping[str, Any]],
        units: Mapping[str, str],
        groups: Mapping[str, str],
        updates: Sequence[tuple[str, Mapping[str, Any], Mapping[str, Any]]] = (),
        actor: str = "system",
    ) -> None:
        """Add units, groups, persons and participations in one transaction, and apply `updates`
        (person id, the person's changes, the participation's changes) in it too.

        Each of `people` holds person_id, name, nip, email, position,
        unit_code, group_code and access_code.
        """
        with self.engine.begin() as c:
            for table, new in ((t.units, units), (t.groups, groups)):
                if new:
                    c.execute(
                        table.insert(), [{"event_id": event_id, "code": k, "name": v} for k, v in new.items()]
                    )
            if people:
                c.execute(
                    t.persons.insert(),
                    [
                        {"event_id": event_id, **{k: p.get(k) for k in ("person_id", "name", "nip", "email")}}
                        for p in people
                    ],
                )
                c.execute(
                    t.participations.insert(),
                    [
                        {
                            "event_id": event_id,
                            **{
                                k: p.get(k)
                                for k in (
                                    "person_id",
                                    "position",
                                    "agency",
                                    "unit_code",
                                    "group_code",
                                    "access_code",
                                )
                            },
                        }
                        for p in people
                    ],
                )
            for person_id, person, participation in updates:
                _correct(c, event_id, person_id, person, participation)
            details = {"count": len(people)}
            if updates:
                details["updated"] = {p: sorted({*a, *b}) for p, a, b in updates}  # fields, not values
            write_audit(c, event_id, actor, "participants.import", details)

    def update_participant(
        self,
        event_id: str,
        person_id: str,
        person: Mapping[str, Any],
        participation: Mapping[str, Any],
        units: Mapping[str, str],
        groups: Mapping[str, str],
        actor: str,
    ) -> None:
        """Correct one participant (name, NIP, email; position, unit, group), adding the new unit and group
        codes, in one transaction; the audit log names the fields changed, not their values."""
        with self.engine.begin() as c:
            for table, new in ((t.units, units), (t.groups, groups)):
                if new:
                    c.execute(
                        table.insert(), [{"event_id": event_id, "code": k, "name": v} for k, v in new.items()]
                    )
            _correct(c, event_id, person_id, person, participation)
            fields = sorted({*person, *participation})
            write_audit(c, event_id, actor, "participant.edit", {"person": person_id, "fields": fields})

    def remove_participant(
        self, event_id: str, person_id: str, now: dt.datetime, actor: str, *, with_attempts: bool = False
    ) -> None:
        """Take a participant out of the event; their sessions end. One who never started a test (a wrong
        row, someone who did not come) goes with their participation and person. Once they have an
        attempt this is refused (STORE-PARTICIPANT-HAS-ATTEMPTS) unless `with_attempts`: then their rows,
        attempts and results stay (in backups too) and they are left out of every list and summary."""
        a, s, q = t.attempts, t.web_sessions, t.participations
        with self.engine.begin() as c:
            key = (q.c.event_id == event_id) & (q.c.person_id == person_id) & q.c.removed_at.is_(None)
            if c.execute(sa.select(q.c.person_id).where(key)).first() is None:
                raise NotFound("STORE-NO-PARTICIPANT", person=person_id)
            taken = c.execute(
                sa.select(sa.func.count()).where((a.c.event_id == event_id) & (a.c.person_id == person_id))
            ).scalar()
            if taken and not with_attempts:
                raise StoreError("STORE-PARTICIPANT-HAS-ATTEMPTS", person=person_id, n=taken)
            c.execute(
                s.update()
                .where((s.c.event_id == event_id) & (s.c.person_id == person_id) & s.c.ended_at.is_(None))
                .values(ended_at=now, ended_why="removed")
            )
            if taken:
                c.execute(q.update().where(key).values(removed_at=now))
            else:
                for table in (t.participations, t.persons):
                    c.execute(
                        table.delete().where(
                            (table.c.event_id == event_id) & (table.c.person_id == person_id)
                        )
                    )
            details = {"person": person_id, "attempts_kept": taken}
            write_audit(c, event_id, actor, "participant.remove", details)

    def participants(self, event_id: str, *, with_removed: bool = False) -> list[Participant]:
        """Every participation with its person, unit and group, by person id (those removed after taking
        a test only `with_removed`)."""
        query = _EVERY_PARTICIPANT if with_removed else _PARTICIPANTS
        with self.single_read.connect() as c:
            return [Participant(**r._mapping) for r in c.execute(query, {"b_event": event_id})]

    def participant(self, event_id: str, person_id: str) -> Participant | None:
        """One participation (a key lookup: the lobby asks on every load)."""
        with self.single_read.connect() as c:
            row = c.execute(_PARTICIPANT, {"b_event": event_id, "b_person": person_id}).first()
        return None if row is None else Participant(**row._mapping)

    def person_by_code(self, event_id: str, access_code: str) -> str | None:
        q = t.participations
        with self.engine.connect() as c:
            return c.execute(
                sa.select(q.c.person_id).where(
                    (q.c.event_id == event_id) & (q.c.access_code == access_code) & q.c.removed_at.is_(None)
                )
            ).scalar()

    # -- phases and forms --------------------------------------------------

    def phase_state(self, event_id: str, phase_id: str) -> str:
        with self.engine.connect() as c:
            state = c.execute(
                sa.select(t.phases.c.state).where(
                    (t.phases.c.event_id == event_id) & (t.phases.c.phase_id == phase_id)
                )
            ).scalar()
        return state or NOT_OPEN

    def set_phase_state(
        self, event_id: str, phase_id: str, state: str, now: dt.datetime, actor: str = "trainer"
    ) -> None:
        """Open or close a phase. Closing ends every attempt still in progress (expired, with its answers)."""
        stamp = {"opened_at": now} if state == OPEN else {"closed_at": now}
        with self.engine.begin() as c:
            where = (t.phases.c.event_id == event_id) & (t.phases.c.phase_id == phase_id)
            if c.execute(sa.select(t.phases.c.state).where(where)).first() is None:
                c.execute(
                    t.phases.insert().values(event_id=event_id, phase_id=phase_id, state=state, **stamp)
                )
            else:
                c.execute(t.phases.update().where(where).values(state=state, **stamp))
            if state == CLOSED:
                a = t.attempts
                running = (
                    (a.c.event_id == event_id) & (a.c.phase_id == phase_id) & (a.c.status == IN_PROGRESS)
                )
                # An attempt whose deadline had passed ended then, not when the phase closed.
                c.execute(
                    a.update()
                    .where(running & a.c.deadline.is_not(None) & (a.c.deadline < now))
                    .values(status=EXPIRED, finished_at=a.c.deadline)
                )
                c.execute(a.update().where(running).values(status=EXPIRED, finished_at=now))
            write_audit(c, event_id, actor, f"phase.{state}", {"phase": phase_id})

    def save_form(self, form: Form, now: dt.datetime | None = None) -> None:
        """Store a phase's form; refused once any attempt exists on the phase."""
        with self.engine.begin() as c:
            a = t.attempts
            started = c.execute(
                sa.select(sa.func.count()).where((a.c.event_id == form.event) & (a.c.phase_id == form.phase))
            ).scalar()
            if started:
                raise StoreError("STORE-FORM-IN-USE", phase=form.phase, attempts=started)
            where = (t.forms.c.event_id == form.event) & (t.forms.c.phase_id == form.phase)
            c.execute(t.forms.delete().where(where))
            c.execute(
                t.forms.insert().values(
                    event_id=form.event,
                    phase_id=form.phase,
                    hash=form.hash,
                    snapshot=form.model_dump_json(),
                    built_at=now or utcnow(),
                )
            )
            write_audit(c, form.event, "trainer", "form.build", {"phase": form.phase, "hash": form.hash})

    def form(self, event_id: str, phase_id: str) -> Form:
        with self.engine.connect() as c:
            snapshot = c.execute(
                sa.select(t.forms.c.snapshot).where(
                    (t.forms.c.event_id == event_id) & (t.forms.c.phase_id == phase_id)
                )
            ).scalar()
        if snapshot is None:
            raise NotFound("STORE-NO-FORM", phase=phase_id)
        return Form.model_validate_json(snapshot)

    def add_adjustment(
        self,
        event_id: str,
        phase_id: str,
        item_id: str,
        kind: str,
        value: Any,
        reason: str,
        actor: str,
        now: dt.datetime,
    ) -> Adjustment:
        """Record one adjustment of a phase's form (numbered next in the phase), audited in the same
        transaction."""
        a = t.form_adjustments
        with self.engine.begin() as c:
            last = c.execute(
                sa.select(sa.func.max(a.c.n)).where((a.c.event_id == event_id) & (a.c.phase_id == phase_id))
            ).scalar()
            n = (last or 0) + 1
            c.execute(
                a.insert().values(
                    event_id=event_id,
                    phase_id=phase_id,
                    n=n,
                    item_id=item_id,
                    kind=kind,
                    value=value,
                    reason=reason,
                    actor=actor,
                    at=now,
                )
            )
            details = {
                "phase": phase_id,
                "n": n,
                "item": item_id,
                "kind": kind,
                "value": value,
                "reason": reason,
            }
            write_audit(c, event_id, actor, "form.adjust", details)
        return Adjustment(n, phase_id, item_id, kind, value, reason, actor, now)

    def adjustments(self, event_id: str, phase_id: str | None = None) -> list[Adjustment]:
        """The adjustments of the event's forms (of one phase, when given), by phase and number."""
        a = t.form_adjustments
        query = sa.select(a).where(a.c.event_id == event_id).order_by(a.c.phase_id, a.c.n)
        if phase_id is not None:
            query = query.where(a.c.phase_id == phase_id)
        with self.engine.connect() as c:
            return [
                Adjustment(r.n, r.phase_id, r.item_id, r.kind, r.value, r.reason, r.actor, r.at)
                for r in c.execute(query)
            ]

    def has_form(self, event_id: str, phase_id: str) -> bool:
        """Whether the phase has a stored form (a key lookup: the form is not read)."""
        return self.form_hash(event_id, phase_id) is not None

    def form_hash(self, event_id: str, phase_id: str) -> str | None:
        """The hash of the phase's stored form (a key lookup: the form is not read), None without one."""
        f = t.forms
        with self.single_read.connect() as c:
            return c.execute(
                sa.select(f.c.hash).where((f.c.event_id == event_id) & (f.c.phase_id == phase_id))
            ).scalar()

    def standings(self, event_id: str, person_id: str) -> dict[str, PhaseStanding]:
        """Every phase's state, form hash and the participant's live attempt, in one query (the lobby's
        poll); a phase that has none of them is missing: not open, no form, no attempt."""
        found: dict[str, dict[str, Any]] = {}
        with self.single_read.connect() as c:
            for kind, phase_id, value, _ in c.execute(_STANDINGS, {"event": event_id, "person": person_id}):
                found.setdefault(phase_id, {"state": NOT_OPEN, "form_hash": None, "attempt": None})
                found[phase_id][kind] = value  # attempts come oldest first: the latest live one stays
        return {phase_id: PhaseStanding(**v) for phase_id, v in found.items()}

    # -- event secrets -----------------------------------------------------------------

    def event_secret(self, event_id: str, purpose: str = ORDERS) -> bytes:
        """The event's secret for `purpose` (32 random bytes), kept in `event_secrets` (a backup carries
        it). Made with the event; an event stored before secrets existed gets one on first use."""
        found = self._secret(self.single_read, event_id, purpose)
        if found is None:
            try:
                with self.engine.begin() as c:
                    found = self._secret(c, event_id, purpose) or _make_secret(c, event_id, purpose)
            except sa.exc.IntegrityError:  # another process made it at the same moment: theirs stands
                found = self._secret(self.engine, event_id, purpose)
                if found is None:  # not that: the event itself is missing
                    raise
        return bytes.fromhex(found)

    @staticmethod
    def _secret(on: sa.Engine | sa.Connection, event_id: str, purpose: str) -> str | None:
        s = t.event_secrets
        query = sa.select(s.c.secret).where((s.c.event_id == event_id) & (s.c.purpose == purpose))
        if isinstance(on, sa.Connection):
            return on.execute(query).scalar()
        with on.connect() as c:
            return c.execute(query).scalar()

    # -- results -------------------------------------------------------------------

    def replace_results(
        self, event_id: str, phase_id: str, rows: Sequence[Mapping[str, Any] | Result]
    ) -> None:
        """The phase's results, recomputed: old rows replaced in one transaction."""
        res = t.results
        stored = [r.as_row() if isinstance(r, Result) else r for r in rows]
        with self.engine.begin() as c:
            c.execute(res.delete().where((res.c.event_id == event_id) & (res.c.phase_id == phase_id)))
            if stored:
                c.execute(res.insert(), [{"event_id": event_id, "phase_id": phase_id, **r} for r in stored])

    def has_result(self, event_id: str, person_id: str) -> bool:
        """Whether any phase of the event has a stored result for the person (one key, LIMIT 1)."""
        res = t.results
        with self.single_read.connect() as c:
            found = c.execute(
                sa.select(res.c.attempt_id)
                .where((res.c.event_id == event_id) & (res.c.person_id == person_id))
                .limit(1)
            ).first()
        return found is not None

    def results(self, event_id: str, phase_id: str | None = None, with_items: bool = True) -> list[Result]:
        """The stored results, by phase and person; `with_items` False leaves each result's item marks
        out (unread, empty): for many events at once, where only totals and subscores are wanted."""
        res = t.results
        columns = [c for c in res.c if with_items or c.name != "items"]
        query = sa.select(*columns).where((res.c.event_id == event_id) & ~_RESULT_OF_REMOVED)
        if phase_id is not None:
            query = query.where(res.c.phase_id == phase_id)
        with self.engine.connect() as c:
            rows = c.execute(query.order_by(res.c.phase_id, res.c.person_id))
            return [Result.from_row(row._mapping) for row in rows]

    def result_marks(self, event_ids: Sequence[str]) -> Iterator[tuple[str, str, str, float, dict[str, Any]]]:
        """Each stored result of the events: event, phase, person, percentage and item marks as stored
        (JSON objects: points, max, blank, pending), by event, phase and person; read in one query and
        streamed (assess hr calibrate reads 100,000)."""
        res = t.results
        query = (
            sa.select(res.c.event_id, res.c.phase_id, res.c.person_id, res.c.percentage, res.c["items"])
            .where(res.c.event_id.in_(list(event_ids)) & ~_RESULT_OF_REMOVED)
            .order_by(res.c.event_id, res.c.phase_id, res.c.person_id)
        )
        with self.engine.connect() as c:
            for row in c.execution_options(yield_per=2000).execute(query):
                yield tuple(row)

    # -- audit -----------------------------------------------------------------

    def audit_log(self, event_id: str) -> list[AuditEntry]:
        """The event's audit log, oldest first."""
        log = t.audit_log
        with self.engine.connect() as c:
            return [
                AuditEntry(**r._mapping)
                for r in c.execute(sa.select(log).where(log.c.event_id == event_id).order_by(log.c.id))
            ]


def _correct(
    c: sa.Connection,
    event_id: str,
    person_id: str,
    person: Mapping[str, Any],
    participation: Mapping[str, Any],
) -> None:
    """Apply a participant's corrections (the person's row, the participation's) in `c`'s transaction."""
    for table, changes in ((t.persons, person), (t.participations, participation)):
        if changes:
            key = (table.c.event_id == event_id) & (table.c.person_id == person_id)
            if not c.execute(table.update().where(key).values(**changes)).rowcount:
                raise NotFound("STORE-NO-PARTICIPANT", person=person_id)
