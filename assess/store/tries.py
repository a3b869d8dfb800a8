"""Counted tries against the web app's limits, kept in the store so that every worker process of
`assess serve` counts the same ones (a limit kept in one process's memory would be a limit per process).

A budget is a number of tries of one kind and key (an address, a code, '' for a global one) in a
sliding window. Taking tries is all or nothing, in one transaction: a refused try writes no row.
Rows that have left their window are swept as new ones arrive, and each kind holds at most
`max_rows` rows (the oldest go first), so a flood from many addresses cannot grow the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from assess.store import schema as t

JOIN_ADDRESS, JOIN_CODE = "join_address", "join_code"
PASSWORD_CHECK, LOGIN_FAILED = "password", "login_failed"
MAX_ROWS = 4096  # per kind: a class of 500 joining within a minute writes about 1,000
KEY_CHARS = 64  # the column's width

_w = t.web_tries


@dataclass(frozen=True)
class Budget:
    kind: str
    key: str
    limit: int  # tries in the window


@dataclass(frozen=True)
class TriesOf:
    """The tries of one key: how many, the first and the last (naive UTC)."""

    key: str
    count: int
    first: dt.datetime
    last: dt.datetime


def _of(event_id: str, kind: str, key: str | None = None):
    where = (_w.c.event_id == event_id) & (_w.c.kind == kind)
    return where if key is None else where & (_w.c.key == key[:KEY_CHARS])


class WebTries:
    """The tries' part of `Store` (which supplies `engine`)."""

    engine: sa.Engine

    def take_tries(
        self,
        event_id: str,
        budgets: Sequence[Budget],
        now: dt.datetime,
        window: dt.timedelta,
        *,
        max_rows: int = MAX_ROWS,
    ) -> bool:
        """One try on each budget when every one has had fewer than its limit in the `window` that ends
        at `now` (a try exactly `window` old has left it); False (and nothing written) when one has not."""
        since = now - window
        kinds = sorted({b.kind for b in budgets})
        with self.engine.begin() as c:
            c.execute(
                _w.delete().where((_w.c.event_id == event_id) & _w.c.kind.in_(kinds) & (_w.c.at <= since))
            )
            for b in budgets:
                counted = c.execute(
                    sa.select(sa.func.count()).where(_of(event_id, b.kind, b.key) & (_w.c.at > since))
                ).scalar_one()
                if counted >= b.limit:
                    return False
            c.execute(
                _w.insert(),
                [
                    {"event_id": event_id, "kind": b.kind, "key": b.key[:KEY_CHARS], "at": now}
                    for b in budgets
                ],
            )
            for kind in kinds:
                _cap(c, event_id, kind, max_rows)
        return True

    def add_try(
        self,
        event_id: str,
        kind: str,
        key: str,
        now: dt.datetime,
        keep: dt.timedelta,
        *,
        max_rows: int = MAX_ROWS,
    ) -> None:
        """Note one try (a failed login), forgetting the kind's tries older than `keep`."""
        with self.engine.begin() as c:
            c.execute(_w.delete().where(_of(event_id, kind) & (_w.c.at < now - keep)))
            c.execute(_w.insert().values(event_id=event_id, kind=kind, key=key[:KEY_CHARS], at=now))
            _cap(c, event_id, kind, max_rows)

    def forget_tries(self, event_id: str, kind: str, key: str) -> None:
        with self.engine.begin() as c:
            c.execute(_w.delete().where(_of(event_id, kind, key)))

    def tries_of(
        self, event_id: str, kind: str, key: str | None = None, since: dt.datetime | None = None
    ) -> list[TriesOf]:
        """The tries of each key of a kind (of one key, when given; after `since`, when given), the
        most recent first."""
        where = _of(event_id, kind, key)
        if since is not None:
            where &= _w.c.at > since
        last = sa.func.max(_w.c.at)
        query = (
            sa.select(_w.c.key, sa.func.count(), sa.func.min(_w.c.at), last)
            .where(where)
            .group_by(_w.c.key)
            .order_by(last.desc(), _w.c.key)
        )
        with self.engine.connect() as c:
            return [TriesOf(*row) for row in c.execute(query)]


def _cap(c: sa.Connection, event_id: str, kind: str, max_rows: int) -> None:
    """At most `max_rows` rows of the kind: the oldest beyond go."""
    held = c.execute(sa.select(sa.func.count()).where(_of(event_id, kind))).scalar_one()
    if held <= max_rows:
        return
    beyond = (
        sa.select(_w.c.id)
        .where(_of(event_id, kind))
        .order_by(_w.c.at.desc(), _w.c.id.desc())
        .offset(max_rows)
    )
    c.execute(_w.delete().where(_w.c.id.in_(beyond.scalar_subquery())))
