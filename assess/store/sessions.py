"""Revocable web sessions: the cookie carries a random token, the store a row for it.

Logging out, leaving, a new trainer password or a participant's new access code end rows, and a
browser whose row has ended is logged out at its next request. The row keeps the token's SHA-256,
so a copy of the database opens no session; `last_seen` is written at most once a minute a session
(a phone asks many times a minute; the trainer's device list needs minutes, not seconds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from assess.store import schema as t
from assess.store.attempts import write_audit
from assess.store.prepared import Prepared
from assess.store.records import (
    KNOWN_DEVICE,
    LOGIN_LINK,
    PARTICIPANT_SESSION,
    TRAINER_SESSION,
    NotFound,
    WebSession,
)

__all__ = [
    "KNOWN_DEVICE",
    "LOGIN_LINK",
    "PARTICIPANT_SESSION",
    "TRAINER_SESSION",
    "WebSession",
    "WebSessions",
    "token_hash",
]

SESSION_DAYS = 4  # a two-day course and its follow-up: nobody is logged out overnight
LIFETIME = dt.timedelta(days=SESSION_DAYS)  # a session unseen for as long has ended
TOUCH_EVERY = dt.timedelta(minutes=1)
DEVICE_CHARS = 120  # the column's width
ADDRESS_CHARS = 64


_s = t.web_sessions
# Every request of a logged-in browser runs the first: built once (building costs more than running).
_LIVE = Prepared(sa.select(_s).where((_s.c.token_hash == sa.bindparam("b_hash")) & _s.c.ended_at.is_(None)))
_TOUCH = Prepared(_s.update().where(_s.c.token_hash == sa.bindparam("b_hash")), ("last_seen", "address"))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class WebSessions:
    """The sessions' part of `Store` (which supplies `engine` and `single_read`)."""

    engine: sa.Engine
    single_read: sa.Engine

    def open_session(
        self,
        event_id: str,
        kind: str,
        now: dt.datetime,
        *,
        person_id: str | None = None,
        address: str = "",
        device: str = "",
    ) -> str:
        """A new session's token (for the cookie; the store keeps only its hash)."""
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as c:
            c.execute(
                t.web_sessions.insert().values(
                    token_hash=token_hash(token),
                    event_id=event_id,
                    kind=kind,
                    person_id=person_id,
                    created_at=now,
                    last_seen=now,
                    address=address[:ADDRESS_CHARS],
                    device=device[:DEVICE_CHARS],
                )
            )
        return token

    def live_session(
        self, token: str, now: dt.datetime, lifetime: dt.timedelta = LIFETIME, *, address: str = ""
    ) -> WebSession | None:
        """The token's session when it has not ended and was seen within `lifetime`; notes that it is seen."""
        h = token_hash(token)
        row = _LIVE.first(self.engine, {"b_hash": h})
        if row is None or now - row["last_seen"] > lifetime:
            return None
        if now - row["last_seen"] >= TOUCH_EVERY or (address and address[:ADDRESS_CHARS] != row["address"]):
            with self.engine.begin() as c:
                _TOUCH.run(
                    c, {"b_hash": h, "last_seen": now, "address": (address or row["address"])[:ADDRESS_CHARS]}
                )
        return _session(row)

    def end_session(self, token: str, why: str, now: dt.datetime) -> None:
        s = t.web_sessions
        with self.engine.begin() as c:
            c.execute(
                s.update()
                .where((s.c.token_hash == token_hash(token)) & s.c.ended_at.is_(None))
                .values(ended_at=now, ended_why=why)
            )

    def end_sessions(
        self,
        event_id: str,
        kinds: tuple[str, ...],
        why: str,
        now: dt.datetime,
        *,
        person_id: str | None = None,
        keep: str | None = None,
        only: str | None = None,
    ) -> int:
        """End every live session of these kinds (of one person, when given), except the one whose hash
        is `keep`, or only the one whose hash is `only`; how many ended."""
        s = t.web_sessions
        where = (s.c.event_id == event_id) & s.c.kind.in_(kinds) & s.c.ended_at.is_(None)
        if person_id is not None:
            where &= s.c.person_id == person_id
        if keep is not None:
            where &= s.c.token_hash != keep
        if only is not None:
            where &= s.c.token_hash == only
        with self.engine.begin() as c:
            return c.execute(s.update().where(where).values(ended_at=now, ended_why=why)).rowcount

    def use_once(self, event_id: str, token: str, kind: str, now: dt.datetime) -> bool:
        """End the token's live row of this kind: True for the one call that ends it, False after."""
        s = t.web_sessions
        where = (
            (s.c.token_hash == token_hash(token))
            & (s.c.event_id == event_id)
            & (s.c.kind == kind)
            & s.c.ended_at.is_(None)
        )
        with self.engine.begin() as c:
            return c.execute(s.update().where(where).values(ended_at=now, ended_why="used")).rowcount == 1

    def most_shared_address(
        self, event_id: str, now: dt.datetime, lifetime: dt.timedelta = LIFETIME
    ) -> tuple[str | None, int]:
        """The address the most participants' live sessions were last seen from, and how many
        participants."""
        s = t.web_sessions
        people = sa.func.count(sa.distinct(s.c.person_id))
        query = (
            sa.select(s.c.address, people)
            .where(_live(event_id, PARTICIPANT_SESSION, now, lifetime))
            .group_by(s.c.address)
            .order_by(people.desc(), s.c.address)
            .limit(1)
        )
        with self.single_read.connect() as c:
            row = c.execute(query).first()
        return (row[0], row[1]) if row else (None, 0)

    def live_sessions(
        self,
        event_id: str,
        kind: str,
        now: dt.datetime,
        person_id: str | None = None,
        lifetime: dt.timedelta = LIFETIME,
    ) -> list[WebSession]:
        """The live sessions of a kind (of one person, when given), the most recently seen first."""
        s = t.web_sessions
        where = _live(event_id, kind, now, lifetime)
        if person_id is not None:
            where &= s.c.person_id == person_id
        with self.single_read.connect() as c:
            rows = c.execute(sa.select(s).where(where).order_by(s.c.last_seen.desc(), s.c.created_at.desc()))
            return [_session(r) for r in rows]

    def live_session_counts(
        self, event_id: str, kind: str, now: dt.datetime, lifetime: dt.timedelta = LIFETIME
    ) -> dict[str, int]:
        """person id -> how many live sessions of the kind they have (people with none left out)."""
        s = t.web_sessions
        query = (
            sa.select(s.c.person_id, sa.func.count())
            .where(_live(event_id, kind, now, lifetime))
            .group_by(s.c.person_id)
        )
        with self.single_read.connect() as c:
            return {person: n for person, n in c.execute(query) if person is not None}

    def replace_access_code(
        self, event_id: str, person_id: str, code: str, now: dt.datetime, actor: str = "trainer"
    ) -> int:
        """Give the participant a new access code: the old one stops working and every session opened with
        it ends, in one transaction (audited); how many sessions ended."""
        q, s = t.participations, t.web_sessions
        with self.engine.begin() as c:
            changed = c.execute(
                q.update()
                .where((q.c.event_id == event_id) & (q.c.person_id == person_id))
                .values(access_code=code)
            ).rowcount
            if not changed:
                raise NotFound("STORE-NO-PARTICIPANT", person=person_id)
            ended = c.execute(
                s.update()
                .where(
                    (s.c.event_id == event_id)
                    & (s.c.kind == PARTICIPANT_SESSION)
                    & (s.c.person_id == person_id)
                    & s.c.ended_at.is_(None)
                )
                .values(ended_at=now, ended_why="new_code")
            ).rowcount
            write_audit(
                c, event_id, actor, "participant.new_code", {"person": person_id, "sessions_ended": ended}
            )
        return ended


def _live(event_id: str, kind: str, now: dt.datetime, lifetime: dt.timedelta):
    """The rows of the event's live sessions of a kind: not ended, seen within `lifetime`."""
    s = t.web_sessions
    return (
        (s.c.event_id == event_id)
        & (s.c.kind == kind)
        & s.c.ended_at.is_(None)
        & (s.c.last_seen >= now - lifetime)
    )


def _session(row) -> WebSession:
    m = row if isinstance(row, dict) else row._mapping
    return WebSession(**{k: m[k] for k in WebSession.__dataclass_fields__})
