"""The attempt lifecycle: starting, saving answers, submitting, expiring, extending, reopening, importing,
essay marks, and reading attempts, answers and their history back.

Lifecycle: in_progress -> submitted | expired | superseded. Saving an answer
is idempotent and ordered: each save carries a sequence number (the server
hands out the next one when the client has none); a save whose number is not
newer than the stored answer's changes nothing. The history keeps changes, not
repeats, and a caller may bound it per answer and per attempt (`HistoryBounds`).
A finished attempt never changes. Deadlines are enforced here, when the next
request comes, when a phase closes and when results are computed, without
waiting for a phone that vanished.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from assess.store import schema as t
from assess.store.prepared import Prepared
from assess.store.records import (
    EXPIRED,
    IN_PROGRESS,
    OPEN,
    SUBMITTED,
    SUPERSEDED,
    Attempt,
    AttemptClosed,
    HistoryEntry,
    NotFound,
    Saved,
    StoreError,
)

# Sequence numbers live in 32-bit columns (PostgreSQL's integer). A client may give one up to MAX_SEQ;
# the server's own numbers continue after it, and the column holds another billion saves beyond that.
MAX_SEQ = 999_999_999

# The statements of every page and save, built once and run on the driver's cursor (prepared.py):
# building a select anew costs three times what SQLAlchemy takes to run it, and that is four times
# what the driver alone takes; a phone's save runs six of them.
_a, _r, _h = t.attempts, t.responses, t.answer_history
_SAVED = ("seq", "saved_at", "channel", "versions")  # what a save sets on its response, beside the value
_ATTEMPT = Prepared(sa.select(_a).where(_a.c.id == sa.bindparam("b_attempt")))
_ATTEMPT_LOCKED = Prepared(_ATTEMPT.statement.with_for_update())
_CURRENT = Prepared(
    sa.select(_a)
    .where(
        (_a.c.event_id == sa.bindparam("b_event"))
        & (_a.c.person_id == sa.bindparam("b_person"))
        & (_a.c.phase_id == sa.bindparam("b_phase"))
        & (_a.c.status != SUPERSEDED)
    )
    .order_by(_a.c.id.desc())
    .limit(1)
)
_ANSWERS = Prepared(sa.select(_r.c.item_id, _r.c.value).where(_r.c.attempt_id == sa.bindparam("b_attempt")))
_STORED = Prepared(
    sa.select(_r.c.seq, _r.c.value, _r.c.versions).where(
        (_r.c.attempt_id == sa.bindparam("b_attempt")) & (_r.c.item_id == sa.bindparam("b_item"))
    )
)
_INSERT_HISTORY = Prepared(
    _h.insert(), ("event_id", "attempt_id", "item_id", "value", "seq", "saved_at", "channel")
)
_INSERT_RESPONSE = Prepared(_r.insert(), ("event_id", "attempt_id", "item_id", "value", *_SAVED))
_WHERE_RESPONSE = (_r.c.attempt_id == sa.bindparam("b_attempt")) & (_r.c.item_id == sa.bindparam("b_item"))
_UPDATE_RESPONSE = Prepared(_r.update().where(_WHERE_RESPONSE), ("value", *_SAVED))
_UPDATE_REPEAT = Prepared(_r.update().where(_WHERE_RESPONSE), _SAVED)  # a repeat's value is there
_UPDATE_ATTEMPT = _a.update().where(_a.c.id == sa.bindparam("b_attempt"))
_UPDATE_SAVED = Prepared(_UPDATE_ATTEMPT, ("next_seq", "history_bytes"))
_COLUMN_MAX = 2**31 - 1


@dataclass(frozen=True)
class HistoryBounds:
    """How much answer history an attempt keeps: `versions` per item, `size` characters of stored JSON
    in all (ASCII: the JSON escapes the rest, so characters are bytes). The first and the last
    version of each answer are always kept, even when they alone are more than `size`."""

    versions: int
    size: int


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def write_audit(c: sa.Connection, event_id: str, actor: str, action: str, details: dict) -> None:
    """One line of the event's audit log, in the caller's transaction."""
    c.execute(
        t.audit_log.insert().values(
            event_id=event_id, at=utcnow(), actor=actor, action=action, details=details
        )
    )


class AttemptLifecycle:
    """The attempts' half of `Store` (which supplies `engine`, `postgres` and `single_read`)."""

    engine: sa.Engine
    postgres: bool
    single_read: sa.Engine

    def _attempt_row(self, c: sa.Connection, attempt_id: int, *, lock: bool = False) -> Attempt:
        query = _ATTEMPT_LOCKED if lock and self.postgres else _ATTEMPT
        row = query.first(c, {"b_attempt": attempt_id})
        if row is None:
            raise NotFound("STORE-NO-ATTEMPT", attempt=attempt_id)
        return Attempt(**row)

    def attempt(self, attempt_id: int) -> Attempt:
        with self.engine.connect() as c:
            return self._attempt_row(c, attempt_id)

    def current_attempt(self, event_id: str, person_id: str, phase_id: str) -> Attempt | None:
        """The participant's live attempt on a phase (not superseded), if any."""
        row = _CURRENT.first(self.engine, {"b_event": event_id, "b_person": person_id, "b_phase": phase_id})
        return None if row is None else Attempt(**row)

    def start_attempt(
        self,
        event_id: str,
        person_id: str,
        phase_id: str,
        *,
        channel: str,
        now: dt.datetime,
        personal_order: dict,
        time_limit: dt.timedelta | None = None,
        grace: dt.timedelta = dt.timedelta(0),
        variant: str | None = None,
        require_open: bool = True,
    ) -> Attempt:
        """Start the participant's attempt, or return the one in progress (a reload, a second phone)."""
        with self.engine.begin() as c:
            if require_open:
                state = c.execute(
                    sa.select(t.phases.c.state).where(
                        (t.phases.c.event_id == event_id) & (t.phases.c.phase_id == phase_id)
                    )
                ).scalar()
                if state != OPEN:
                    raise StoreError("STORE-PHASE-NOT-OPEN", phase=phase_id)
            form_hash = _form_hash(c, event_id, phase_id)
            a = t.attempts
            row = c.execute(
                sa.select(a.c.id).where(_live(event_id, person_id, phase_id)).order_by(a.c.id.desc())
            ).first()
            if row is not None:
                existing = self._expire_if_due(c, self._attempt_row(c, row.id, lock=True), now, grace)
                if existing.status == IN_PROGRESS:
                    return existing
                closed = existing.status
            else:
                closed = None
            if closed is None:
                new_id = c.execute(
                    a.insert().values(
                        event_id=event_id,
                        person_id=person_id,
                        phase_id=phase_id,
                        form_hash=form_hash,
                        personal_order=personal_order,
                        variant=variant,
                        status=IN_PROGRESS,
                        channel=channel,
                        started_at=now,
                        deadline=None if time_limit is None else now + time_limit,
                        next_seq=1,
                    )
                ).inserted_primary_key[0]
                write_audit(c, event_id, person_id, "attempt.start", {"attempt": new_id, "phase": phase_id})
                return self._attempt_row(c, new_id)
        # Raised after the commit, so that an expiry found just now stays recorded.
        raise AttemptClosed("STORE-ATTEMPT-CLOSED", status=closed)

    def expire_if_due(self, attempt_id: int, now: dt.datetime, grace: dt.timedelta) -> Attempt:
        """End the attempt if its deadline plus grace has passed (as the next save would); the attempt now."""
        with self.engine.begin() as c:
            return self._expire_if_due(c, self._attempt_row(c, attempt_id, lock=True), now, grace)

    def _expire_if_due(
        self, c: sa.Connection, attempt: Attempt, now: dt.datetime, grace: dt.timedelta
    ) -> Attempt:
        if attempt.status == IN_PROGRESS and attempt.deadline is not None and now > attempt.deadline + grace:
            c.execute(
                t.attempts.update()
                .where(t.attempts.c.id == attempt.id)
                .values(status=EXPIRED, finished_at=attempt.deadline)
            )
            return self._attempt_row(c, attempt.id)
        return attempt

    def save_answer(
        self,
        attempt_id: int,
        item_id: str,
        value: Any,
        *,
        seq: int | None,
        channel: str,
        now: dt.datetime,
        grace: dt.timedelta = dt.timedelta(0),
        bounds: HistoryBounds | None = None,
    ) -> Saved:
        """Store one answer (JSON form; None is blank) if it is newer than the stored one.

        The history gains a version only when the value differs from the stored one; `bounds` (None:
        none) then trims the attempt's history in the same transaction. A `seq` outside 1..MAX_SEQ is
        refused (StoreError STORE-SEQ-RANGE) before the database sees it.
        """
        if seq is not None and not 1 <= seq <= MAX_SEQ:
            raise StoreError("STORE-SEQ-RANGE", seq=seq, limit=MAX_SEQ)
        expired = False
        with self.engine.begin() as c:
            attempt = self._expire_if_due(c, self._attempt_row(c, attempt_id, lock=True), now, grace)
            if attempt.status != IN_PROGRESS:
                expired = attempt.status == EXPIRED
                result = None
            else:
                result = self._save(c, attempt, item_id, value, seq, channel, now, bounds)
        if result is None:
            # Committed above when the deadline has just passed, so the expiry sticks.
            raise AttemptClosed("STORE-ATTEMPT-CLOSED", status=EXPIRED if expired else attempt.status)
        return result

    def reserve_seq_block(self, attempt_id: int, size: int) -> int:
        """The first of `size` sequence numbers no other device of the attempt will be handed: the page
        that loads the whole test numbers its answers from there (`seq` of save_answer), so two phones
        answering offline never share a number. Refused (STORE-SEQ-RANGE) when the column runs out."""
        with self.engine.begin() as c:
            attempt = self._attempt_row(c, attempt_id, lock=True)
            first = attempt.next_seq
            if first + size >= min(MAX_SEQ, _COLUMN_MAX):
                raise StoreError("STORE-SEQ-RANGE", seq=first + size, limit=MAX_SEQ)
            c.execute(_UPDATE_ATTEMPT, {"b_attempt": attempt_id, "next_seq": first + size})
            return first

    def _save(self, c, attempt: Attempt, item_id, value, seq, channel, now, bounds) -> Saved:
        seq = attempt.next_seq if seq is None else seq
        if seq >= _COLUMN_MAX:  # the server's own numbers after a billion saves: the column holds no more
            raise StoreError("STORE-SEQ-RANGE", seq=seq, limit=_COLUMN_MAX - 1)
        key = {"b_attempt": attempt.id, "b_item": item_id}
        stored = _STORED.first(c, key)
        if stored is not None and stored["seq"] >= seq:
            return Saved(stored["seq"], False, max(attempt.next_seq, stored["seq"] + 1))
        row = {"value": value, "seq": seq, "saved_at": now, "channel": channel}
        repeat = stored is not None and _same(stored["value"], value)
        versions, history_bytes = (0 if stored is None else stored["versions"]), attempt.history_bytes
        if not repeat:  # the history keeps changes: a repeat is already its newest version
            _INSERT_HISTORY.run(
                c, {"event_id": attempt.event_id, "attempt_id": attempt.id, "item_id": item_id, **row}
            )
            versions, history_bytes = versions + 1, history_bytes + _json_size(value)
            if bounds is not None and (versions > bounds.versions or history_bytes > bounds.size):
                versions, history_bytes = _trim_history(c, attempt.id, item_id, bounds)
        if stored is None:
            _INSERT_RESPONSE.run(
                c,
                {
                    "event_id": attempt.event_id,
                    "attempt_id": attempt.id,
                    "item_id": item_id,
                    "versions": versions,
                    **row,
                },
            )
        else:
            # A repeat still takes its number (an older save arriving late must not undo it); its value
            # is written already.
            update = _UPDATE_REPEAT if repeat else _UPDATE_RESPONSE
            changes = {k: v for k, v in row.items() if k != "value"} if repeat else row
            update.run(c, {**key, **changes, "versions": versions})
        next_seq = max(attempt.next_seq, seq + 1)
        _UPDATE_SAVED.run(c, {"b_attempt": attempt.id, "next_seq": next_seq, "history_bytes": history_bytes})
        return Saved(seq, not repeat, next_seq)

    def submit(self, attempt_id: int, now: dt.datetime, grace: dt.timedelta = dt.timedelta(0)) -> Attempt:
        """Finish the attempt. Harmless when repeated; a finished attempt never changes."""
        with self.engine.begin() as c:
            attempt = self._expire_if_due(c, self._attempt_row(c, attempt_id, lock=True), now, grace)
            if attempt.status == IN_PROGRESS:
                c.execute(
                    t.attempts.update()
                    .where(t.attempts.c.id == attempt_id)
                    .values(status=SUBMITTED, finished_at=now)
                )
                write_audit(c, attempt.event_id, attempt.person_id, "attempt.submit", {"attempt": attempt_id})
                attempt = self._attempt_row(c, attempt_id)
            return attempt

    def expire_due(self, event_id: str, phase_id: str, now: dt.datetime, grace: dt.timedelta) -> int:
        """End every attempt of the phase whose deadline (plus grace) has passed; how many."""
        a = t.attempts
        with self.engine.begin() as c:
            due = c.execute(
                sa.select(a.c.id, a.c.deadline).where(
                    (a.c.event_id == event_id)
                    & (a.c.phase_id == phase_id)
                    & (a.c.status == IN_PROGRESS)
                    & (a.c.deadline.is_not(None))
                )
            ).all()
            ended = [row.id for row in due if now > row.deadline + grace]
            for row in due:
                if row.id in ended:
                    c.execute(
                        a.update().where(a.c.id == row.id).values(status=EXPIRED, finished_at=row.deadline)
                    )
            return len(ended)

    def extend(
        self,
        attempt_id: int,
        minutes: int,
        *,
        actor: str,
        now: dt.datetime,
        grace: dt.timedelta = dt.timedelta(0),
    ) -> Attempt:
        """Move an attempt's deadline `minutes` later (an attempt without a deadline has no time to extend).

        An attempt that has already ended is not extended: a trainer reopens it instead.
        """
        with self.engine.begin() as c:
            attempt = self._expire_if_due(c, self._attempt_row(c, attempt_id, lock=True), now, grace)
            if attempt.status == IN_PROGRESS and attempt.deadline is not None:
                deadline = attempt.deadline + dt.timedelta(minutes=minutes)
                c.execute(t.attempts.update().where(t.attempts.c.id == attempt_id).values(deadline=deadline))
                write_audit(
                    c, attempt.event_id, actor, "attempt.extend", {"attempt": attempt_id, "minutes": minutes}
                )
                return self._attempt_row(c, attempt_id)
        if attempt.status != IN_PROGRESS:
            raise AttemptClosed("STORE-ATTEMPT-CLOSED", status=attempt.status)
        return attempt

    def reopen(
        self,
        attempt_id: int,
        *,
        reason: str,
        actor: str,
        now: dt.datetime,
        time_limit: dt.timedelta | None = None,
    ) -> Attempt:
        """Supersede a finished attempt with a new one that carries its saved answers forward.

        The old attempt stays as it was (marked superseded); the reason is audit-logged.
        """
        with self.engine.begin() as c:
            old = self._attempt_row(c, attempt_id, lock=True)
            if old.status == SUPERSEDED:
                raise AttemptClosed("STORE-ATTEMPT-CLOSED", status=old.status)
            if old.status == IN_PROGRESS:
                raise StoreError("STORE-ATTEMPT-OPEN", attempt=attempt_id)
            a, r = t.attempts, t.responses
            c.execute(
                a.update()
                .where(a.c.id == old.id)
                .values(status=SUPERSEDED, finished_at=old.finished_at or now)
            )
            new_id = c.execute(
                a.insert().values(
                    event_id=old.event_id,
                    person_id=old.person_id,
                    phase_id=old.phase_id,
                    form_hash=old.form_hash,
                    personal_order=old.personal_order,
                    variant=old.variant,
                    status=IN_PROGRESS,
                    channel=old.channel,
                    started_at=now,
                    deadline=None if time_limit is None else now + time_limit,
                    supersedes=old.id,
                    next_seq=old.next_seq,
                )
            ).inserted_primary_key[0]
            carried = c.execute(sa.select(r).where(r.c.attempt_id == old.id)).all()
            if carried:
                c.execute(
                    r.insert(),
                    [
                        {**row._mapping, "attempt_id": new_id, "versions": 0} for row in carried
                    ],  # no history yet
                )
            write_audit(
                c, old.event_id, actor, "attempt.reopen", {"attempt": old.id, "new": new_id, "reason": reason}
            )
            return self._attempt_row(c, new_id)

    def answers(self, attempt_id: int) -> dict[str, Any]:
        """The latest stored answer per item (JSON form)."""
        return {row["item_id"]: row["value"] for row in _ANSWERS.rows(self.engine, {"b_attempt": attempt_id})}

    def history(self, attempt_id: int) -> list[HistoryEntry]:
        """The kept versions of the attempt's answers, oldest first: every change, within the bounds its
        saves were given (see `save_answer`)."""
        h = t.answer_history
        with self.engine.connect() as c:
            rows = c.execute(sa.select(h).where(h.c.attempt_id == attempt_id).order_by(h.c.id))
            return [HistoryEntry(**row._mapping) for row in rows]

    def attempts(
        self, event_id: str, phase_id: str | None = None, statuses: Iterable[str] | None = None
    ) -> list[Attempt]:
        a = t.attempts
        query = sa.select(a).where(a.c.event_id == event_id)
        if phase_id is not None:
            query = query.where(a.c.phase_id == phase_id)
        if statuses is not None:
            query = query.where(a.c.status.in_(list(statuses)))
        with self.engine.connect() as c:
            return [Attempt(**row._mapping) for row in c.execute(query.order_by(a.c.id))]

    def answers_of(self, attempt_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Latest answers of many attempts at once."""
        return self._per_attempt_item(t.responses.c.value, attempt_ids)

    def _per_attempt_item(self, column: sa.Column, attempt_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """attempt id -> item id -> `column` of its table, in chunks the databases' parameter limits allow."""
        table = column.table
        out: dict[int, dict[str, Any]] = {i: {} for i in attempt_ids}
        with self.engine.connect() as c:
            for chunk in range(0, len(attempt_ids), 500):
                ids = list(attempt_ids[chunk : chunk + 500])
                query = sa.select(table.c.attempt_id, table.c.item_id, column)
                for attempt_id, item_id, value in c.execute(query.where(table.c.attempt_id.in_(ids))):
                    out[attempt_id][item_id] = value
        return out

    def import_attempts(
        self,
        event_id: str,
        phase_id: str,
        records: Sequence[Mapping[str, Any]],
        *,
        channel: str,
        now: dt.datetime,
        actor: str = "import",
    ) -> list[int]:
        """Finished attempts from outside the web app (paper, an import, a simulation), in one transaction.

        Each record holds person_id, answers {item_id: JSON value}, and may hold
        marks {item_id: level_id}, personal_order and variant. A participant
        who already has a live attempt on the phase is refused (import nothing).
        """
        with self.engine.begin() as c:
            form_hash = _form_hash(c, event_id, phase_id)
            _refuse_live_attempts(c, event_id, phase_id, [rec["person_id"] for rec in records])
            ids = [
                _insert_finished_attempt(c, event_id, phase_id, form_hash, rec, channel, now, actor)
                for rec in records
            ]
            write_audit(
                c,
                event_id,
                actor,
                "attempts.import",
                {"phase": phase_id, "count": len(ids), "channel": channel},
            )
            return ids

    def type_paper_answers(
        self, attempt_id: int, typed: Mapping[str, str | None], *, now: dt.datetime, untyped: str, actor: str
    ) -> int:
        """Answers typed from a scanned paper sheet into an imported attempt, item id -> text, in one
        transaction: only where the stored answer is still `untyped` (the placeholder of a written answer
        nobody has typed), so a second run changes nothing; None is blank. Each change is in the history;
        returns how many."""
        changed, size = 0, 0
        r = t.responses
        with self.engine.begin() as c:
            attempt = self._attempt_row(c, attempt_id, lock=True)
            for item_id, text in typed.items():
                stored = _STORED.first(c, {"b_attempt": attempt_id, "b_item": item_id})
                if stored is None or stored["value"] != untyped:
                    continue
                seq = attempt.next_seq + changed
                row = {"value": text, "seq": seq, "saved_at": now, "channel": "scan"}
                where = (r.c.attempt_id == attempt_id) & (r.c.item_id == item_id)
                c.execute(r.update().where(where).values(**row, versions=stored["versions"] + 1))
                c.execute(
                    t.answer_history.insert().values(
                        event_id=attempt.event_id, attempt_id=attempt_id, item_id=item_id, **row
                    )
                )
                changed, size = changed + 1, size + _json_size(text)
            if changed:
                c.execute(
                    _UPDATE_ATTEMPT,
                    {
                        "b_attempt": attempt_id,
                        "next_seq": attempt.next_seq + changed,
                        "history_bytes": attempt.history_bytes + size,
                    },
                )
                write_audit(
                    c, attempt.event_id, actor, "answers.typed", {"attempt": attempt_id, "items": changed}
                )
        return changed

    # -- essay marks ---------------------------------------------------------------

    def marks_of(self, attempt_ids: Sequence[int]) -> dict[int, dict[str, str]]:
        return self._per_attempt_item(t.essay_marks.c.level_id, attempt_ids)

    def mark_comments_of(self, attempt_ids: Sequence[int]) -> dict[int, dict[str, str | None]]:
        """The markers' comments, as `marks_of` gives the levels."""
        return self._per_attempt_item(t.essay_marks.c.comment, attempt_ids)

    def set_mark(
        self,
        attempt_id: int,
        item_id: str,
        level_id: str,
        marker: str,
        now: dt.datetime,
        comment: str | None = None,
    ) -> None:
        self.set_marks([(attempt_id, item_id, level_id)], marker, now, comment)

    def set_marks(
        self,
        marks: Sequence[tuple[int, str, str]],
        marker: str,
        now: dt.datetime,
        comment: str | None = None,
    ) -> None:
        """Several essay marks, (attempt id, item id, level id) each, in one transaction; `comment`, the
        marker's, goes with each."""
        m = t.essay_marks
        with self.engine.begin() as c:
            for attempt_id, item_id, level_id in marks:
                attempt = self._attempt_row(c, attempt_id)
                c.execute(m.delete().where((m.c.attempt_id == attempt_id) & (m.c.item_id == item_id)))
                c.execute(
                    m.insert().values(
                        event_id=attempt.event_id,
                        attempt_id=attempt_id,
                        item_id=item_id,
                        level_id=level_id,
                        marker=marker,
                        marked_at=now,
                        comment=comment,
                    )
                )
                write_audit(
                    c, attempt.event_id, marker, "essay.mark", {"attempt": attempt_id, "item": item_id}
                )


def _refuse_live_attempts(c: sa.Connection, event_id: str, phase_id: str, people: list[str]) -> None:
    """An import is refused whole when any of its participants already has an attempt on the phase."""
    a = t.attempts
    taken = (
        c.execute(
            sa.select(a.c.person_id).where(
                (a.c.event_id == event_id)
                & (a.c.phase_id == phase_id)
                & (a.c.status != SUPERSEDED)
                & (a.c.person_id.in_(people))
            )
        )
        .scalars()
        .all()
    )
    if taken:
        raise StoreError("STORE-ATTEMPT-EXISTS", phase=phase_id, people=", ".join(sorted(taken)))


def _insert_finished_attempt(
    c: sa.Connection,
    event_id: str,
    phase_id: str,
    form_hash: str,
    rec: Mapping[str, Any],
    channel: str,
    now: dt.datetime,
    actor: str,
) -> int:
    """One imported attempt, submitted, with its answers (also in the history) and its essay marks."""
    answers = rec["answers"]
    attempt_id = c.execute(
        t.attempts.insert().values(
            event_id=event_id,
            person_id=rec["person_id"],
            phase_id=phase_id,
            form_hash=form_hash,
            personal_order=rec.get("personal_order") or {},
            variant=rec.get("variant"),
            status=SUBMITTED,
            channel=channel,
            started_at=rec.get("started_at") or now,
            finished_at=rec.get("finished_at") or now,
            next_seq=len(answers) + 1,
        )
    ).inserted_primary_key[0]
    rows = [
        {
            "event_id": event_id,
            "attempt_id": attempt_id,
            "item_id": item,
            "value": value,
            "seq": n,
            "saved_at": rec.get("finished_at") or now,
            "channel": channel,
        }
        for n, (item, value) in enumerate(answers.items(), 1)
    ]
    if rows:
        c.execute(t.responses.insert(), [{**row, "versions": 1} for row in rows])
        c.execute(t.answer_history.insert(), rows)
        size = sum(_json_size(row["value"]) for row in rows)
        c.execute(_UPDATE_ATTEMPT, {"b_attempt": attempt_id, "history_bytes": size})
    marks = rec.get("marks") or {}
    if marks:
        c.execute(
            t.essay_marks.insert(),
            [
                {
                    "event_id": event_id,
                    "attempt_id": attempt_id,
                    "item_id": item,
                    "level_id": level,
                    "marker": actor,
                    "marked_at": now,
                }
                for item, level in marks.items()
            ],
        )
    return attempt_id


def _json_size(value: Any) -> int:
    """A value's size as the JSON column stores it (ASCII-escaped, so characters are bytes)."""
    return len(json.dumps(value))


def _same(stored: Any, value: Any) -> bool:
    """The same answer as JSON (a dict's keys in any order)."""
    return json.dumps(stored, sort_keys=True) == json.dumps(value, sort_keys=True)


def _stored_size() -> sa.ColumnElement[int]:
    """A history version's stored JSON, in characters (the JSON is ASCII: characters are bytes)."""
    return sa.func.length(sa.cast(t.answer_history.c.value, sa.Text))


def _trim_history(c: sa.Connection, attempt_id: int, item_id: str, bounds: HistoryBounds) -> tuple[int, int]:
    """Drop the oldest versions beyond the bounds, never an answer's first or last (the newest); the
    item's versions and the attempt's history size after it.

    Run only when the counters kept with the attempt and the answer say a bound is passed: one listing
    of the attempt's versions with their sizes, on its index.
    """
    h = t.answer_history
    rows = c.execute(
        sa.select(h.c.id, h.c.item_id, _stored_size()).where(h.c.attempt_id == attempt_id).order_by(h.c.id)
    ).all()
    mine = [row_id for row_id, item, _size in rows if item == item_id]
    dropped = set(mine[1 : max(1, len(mine) - bounds.versions + 1)])  # the item's oldest after its first
    total = sum(size or 0 for row_id, _item, size in rows if row_id not in dropped)
    if total > bounds.size:
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        for row_id, item, _size in rows:
            first.setdefault(item, row_id)
            last[item] = row_id
        keep = set(first.values()) | set(last.values())
        for row_id, _item, size in rows:  # the attempt's oldest first
            if total <= bounds.size:
                break
            if row_id not in keep and row_id not in dropped:
                dropped.add(row_id)
                total -= size or 0
    _delete_history(c, sorted(dropped))
    return len([row_id for row_id in mine if row_id not in dropped]), total


def _delete_history(c: sa.Connection, ids: list[int]) -> None:
    h = t.answer_history
    for chunk in range(0, len(ids), 500):  # the databases' parameter limits
        c.execute(h.delete().where(h.c.id.in_(ids[chunk : chunk + 500])))


def _form_hash(c: sa.Connection, event_id: str, phase_id: str) -> str:
    """The hash of the phase's stored form; NotFound when the phase has none."""
    form_hash = c.execute(
        sa.select(t.forms.c.hash).where((t.forms.c.event_id == event_id) & (t.forms.c.phase_id == phase_id))
    ).scalar()
    if form_hash is None:
        raise NotFound("STORE-NO-FORM", phase=phase_id)
    return form_hash


def _live(event_id: str, person_id: str, phase_id: str) -> sa.ColumnElement[bool]:
    """The participant's attempts on a phase that count: every one but those a reopening superseded."""
    a = t.attempts
    return (
        (a.c.event_id == event_id)
        & (a.c.person_id == person_id)
        & (a.c.phase_id == phase_id)
        & (a.c.status != SUPERSEDED)
    )
