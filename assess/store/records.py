"""What the store hands out: the statuses it speaks, the errors it raises and its rows as frozen objects.

A row's nested JSON (a result's items and competencies, an answer's value, an
audit entry's details) stays plain JSON (dicts, lists, strings, numbers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

IN_PROGRESS, SUBMITTED, EXPIRED, SUPERSEDED = "in_progress", "submitted", "expired", "superseded"
NOT_OPEN, OPEN, CLOSED = "not_open", "open", "closed"
FINISHED = (SUBMITTED, EXPIRED)


class StoreError(Exception):
    """A request the store refuses; `code` and `params` say why."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code, params)
        self.code = code
        self.params = params


class NotFound(StoreError):
    """No such event, participant, form or attempt."""


class AttemptClosed(StoreError):
    """The attempt is finished (submitted, expired or superseded) and takes no more answers."""


@dataclass(frozen=True)
class Attempt:
    id: int
    event_id: str
    person_id: str
    phase_id: str
    form_hash: str
    personal_order: dict
    variant: str | None
    status: str
    channel: str
    started_at: dt.datetime
    deadline: dt.datetime | None
    finished_at: dt.datetime | None
    supersedes: int | None
    next_seq: int


@dataclass(frozen=True)
class Saved:
    seq: int  # the sequence number of the answer now stored
    changed: bool  # False when the save was stale or a repeat
    next_seq: int  # what the client should send with its next save


@dataclass(frozen=True)
class Participant:
    """One participation with its person: what `Store.participants` lists."""

    person_id: str
    name: str
    nip: str | None
    email: str | None
    position: str | None
    unit_code: str | None
    group_code: str | None
    access_code: str


@dataclass(frozen=True)
class Result:
    """The stored score of one attempt: what `Store.results` lists."""

    event_id: str
    attempt_id: int
    phase_id: str
    person_id: str
    points: float
    max_points: float
    percentage: float
    band: str
    passed: bool | None
    provisional: bool
    competencies: dict  # competency id -> its subscore (JSON)
    items: dict  # item id -> its mark (JSON)
    scored_at: dt.datetime


@dataclass(frozen=True)
class HistoryEntry:
    """One save of an answer, in the append-only history: what `Store.history` lists."""

    id: int
    event_id: str
    attempt_id: int
    item_id: str
    value: Any  # the answer's JSON value; None is blank
    seq: int
    saved_at: dt.datetime
    channel: str


@dataclass(frozen=True)
class AuditEntry:
    """One line of the event's audit log: what `Store.audit_log` lists."""

    id: int
    event_id: str
    at: dt.datetime
    actor: str
    action: str
    details: dict
