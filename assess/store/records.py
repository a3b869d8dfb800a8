"""What the store hands out: the statuses it speaks, the errors it raises and its rows as frozen objects.

A row's nested JSON (a result's items and competencies, an answer's value, an
audit entry's details) stays plain JSON (dicts, lists, strings, numbers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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
    history_bytes: int = 0  # the stored size of its answer history


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
    agency: str | None = None  # Instansi
    removed: bool = False  # taken out after taking a test (listed only when asked for)


@dataclass(frozen=True)
class PhaseStanding:
    """One phase as one participant stands on it: what `Store.standings` gives the lobby."""

    state: str  # not_open | open | closed
    form_hash: str | None  # the stored form's, None before it is built
    attempt: str | None  # the status of the participant's live attempt, None before one starts


@dataclass(frozen=True)
class ItemMark:
    """One item's mark in a result."""

    points: float
    max_points: float
    blank: bool  # no answer given (or one that no longer fits the item)
    pending: bool  # an essay waiting for its mark

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> ItemMark:
        return cls(d["points"], d["max"], bool(d.get("blank")), bool(d.get("pending")))

    def to_json(self) -> dict[str, Any]:
        return {"points": self.points, "max": self.max_points, "blank": self.blank, "pending": self.pending}


@dataclass(frozen=True)
class CompetencyScore:
    """One competency's subscore in a result."""

    points: float
    max_points: float
    percentage: float
    level: int | None  # the level reached (1..levels), where the framework defines levels

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> CompetencyScore:
        return cls(d["points"], d["max"], d["percentage"], d.get("level"))

    def to_json(self) -> dict[str, Any]:
        return {
            "points": self.points,
            "max": self.max_points,
            "percentage": self.percentage,
            "level": self.level,
        }


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
    competencies: Mapping[str, CompetencyScore]
    items: Mapping[str, ItemMark]
    scored_at: dt.datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Result:
        """A stored row, its JSON columns read into their types."""
        return cls(
            **{
                **row,
                "competencies": {
                    c: CompetencyScore.from_json(s) for c, s in (row["competencies"] or {}).items()
                },
                "items": {i: ItemMark.from_json(m) for i, m in (row.get("items") or {}).items()},
            }
        )

    def as_row(self) -> dict[str, Any]:
        """The row `Store.replace_results` stores (without event and phase), JSON columns as JSON."""
        return {
            "attempt_id": self.attempt_id,
            "person_id": self.person_id,
            "points": self.points,
            "max_points": self.max_points,
            "percentage": self.percentage,
            "band": self.band,
            "passed": self.passed,
            "provisional": self.provisional,
            "competencies": {c: s.to_json() for c, s in self.competencies.items()},
            "items": {i: m.to_json() for i, m in self.items.items()},
            "scored_at": self.scored_at,
        }


@dataclass(frozen=True)
class HistoryEntry:
    """One version of an answer, in its history: what `Store.history` lists."""

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


PARTICIPANT_SESSION, TRAINER_SESSION, KNOWN_DEVICE = "participant", "trainer", "known_device"
LOGIN_LINK = "login_link"  # the one-time link `assess serve` prints: a "session" that is used once


@dataclass(frozen=True)
class WebSession:
    """One logged-in browser: a participant's phone, the trainer's, or a browser known to have logged in."""

    token_hash: str
    event_id: str
    kind: str
    person_id: str | None
    created_at: dt.datetime
    last_seen: dt.datetime
    address: str
    device: str
