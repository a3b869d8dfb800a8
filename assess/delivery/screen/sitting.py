"""A participant's sitting on a screen: joining, the lobby, the attempt, saving, the result.

The web app (assess.web) calls these functions and only translates HTTP; the
rules live here, in assess.delivery.screen.question_page (one question's page) and in the
store. Nothing of a key, an explanation or a source is put into a page's
context before the review policy allows it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from assess.adjustments import effective
from assess.bank.model import ItemBase
from assess.event.review import Moments, visible
from assess.forms import Form, ItemOrder, personal_order
from assess.participants import canonical_access_code
from assess.responses import stored_value
from assess.scoring import AttemptResult, score_attempt
from assess.store.attempts import HistoryBounds
from assess.store.store import (
    CLOSED,
    FINISHED,
    IN_PROGRESS,
    NOT_OPEN,
    OPEN,
    Attempt,
    NotFound,
    Participant,
    PhaseStanding,
)
from assess.workspace import Workspace

CHANNEL = "web"


# -- joining and the lobby -------------------------------------------------------------


def join(ws: Workspace, typed_code: str) -> str | None:
    """The person whose access code was typed (any case, spaces or dashes), else None."""
    code = canonical_access_code(typed_code or "")
    if not code:
        return None
    return ws.store.person_by_code(ws.event_id, code)


def person(ws: Workspace, person_id: str) -> Participant | None:
    return ws.store.participant(ws.event_id, person_id)


@dataclass(frozen=True)
class PhaseCard:
    """One phase as the lobby shows it to a participant."""

    id: str
    title: str
    state: str  # not_open | open | closed
    attempt: str | None  # the participant's attempt: in_progress | submitted | expired, or None
    minutes: int | None
    questions: int | None

    @property
    def can_start(self) -> bool:
        return self.state == OPEN and self.attempt in (None, IN_PROGRESS) and self.questions is not None

    @property
    def finished(self) -> bool:
        return self.attempt in FINISHED


NOTHING_YET = PhaseStanding(state=NOT_OPEN, form_hash=None, attempt=None)


def lobby(ws: Workspace, person_id: str) -> list[PhaseCard]:
    """Every phase as the participant's lobby shows it: one query, and forms from the cache (every
    waiting phone polls this every few seconds)."""
    event = ws.loaded.event
    standings = ws.store.standings(ws.event_id, person_id)
    cards = []
    for phase in event.phases:
        standing = standings.get(phase.id, NOTHING_YET)
        form = None if standing.form_hash is None else cached_form(ws, phase.id, standing.form_hash)
        cards.append(
            PhaseCard(
                id=phase.id,
                title=event.phase_title(phase.id),
                state=standing.state,
                attempt=standing.attempt,
                minutes=phase.time_limit_minutes,
                questions=None if form is None else len(form.items),
            )
        )
    return cards


# -- forms, attempts -------------------------------------------------------------------

FORMS_CACHED = 32  # a server runs one event (a few phases); rebuilt forms and other events age out
_forms: OrderedDict[str, Form] = OrderedDict()  # by hash, least recently used first
_forms_lock = threading.Lock()


def cached_form(ws: Workspace, phase_id: str, form_hash: str | None = None) -> Form:
    """A phase's stored form, parsed once per process: a form is an immutable snapshot named by its hash.

    Without `form_hash`, the phase's is looked up (a key lookup); the form is read and parsed only
    when no form of that hash is cached. The cache holds the FORMS_CACHED most recently used forms.
    """
    if form_hash is None:
        form_hash = ws.store.form_hash(ws.event_id, phase_id)  # None: store.form says there is none
    with _forms_lock:
        form = _forms.get(form_hash) if form_hash is not None else None
        if form is not None:
            _forms.move_to_end(form_hash)
            return form
    form = ws.store.form(ws.event_id, phase_id)
    with _forms_lock:
        _forms[form.hash] = form
        _forms.move_to_end(form.hash)
        while len(_forms) > FORMS_CACHED:
            _forms.popitem(last=False)
    return form


def grace(ws: Workspace, phase_id: str) -> dt.timedelta:
    return dt.timedelta(seconds=ws.loaded.event.phase(phase_id).grace_seconds)


def start(ws: Workspace, person_id: str, phase_id: str, now: dt.datetime) -> Attempt:
    """Start the participant's attempt on an open phase, or continue the one in progress."""
    phase = ws.loaded.event.phase(phase_id)
    form = cached_form(ws, phase_id)
    minutes = phase.time_limit_minutes
    return ws.store.start_attempt(
        ws.event_id,
        person_id,
        phase_id,
        channel=CHANNEL,
        now=now,
        personal_order=personal_order(form, person_id, ws.orders_secret()).model_dump(),
        time_limit=None if minutes is None else dt.timedelta(minutes=minutes),
        grace=grace(ws, phase_id),
    )


@dataclass(frozen=True)
class Sitting:
    """An attempt with its form and the participant's order: what every test page needs."""

    attempt: Attempt
    form: Form
    order: ItemOrder
    items: tuple[ItemBase, ...]  # in the participant's order

    @property
    def total(self) -> int:
        return len(self.items)

    def item(self, number: int) -> ItemBase:
        """The item at `number` (1-based) in the participant's order."""
        if not 1 <= number <= self.total:
            raise NotFound("STORE-NO-ITEM", number=number)
        return self.items[number - 1]


def sitting(ws: Workspace, person_id: str, phase_id: str, now: dt.datetime | None = None) -> Sitting | None:
    """The participant's own latest attempt on the phase (never anyone else's), or None.

    With `now`, an attempt whose deadline and grace have passed is ended first, so that a page
    asked for after the time ran out shows the end rather than the question.
    """
    attempt = ws.store.current_attempt(ws.event_id, person_id, phase_id)
    if attempt is None:
        return None
    if now is not None and attempt.status == IN_PROGRESS and attempt.deadline is not None:
        if now > attempt.deadline + grace(ws, phase_id):
            attempt = ws.store.expire_if_due(attempt.id, now, grace(ws, phase_id))
    form = cached_form(ws, phase_id, attempt.form_hash)
    order = ItemOrder.model_validate(attempt.personal_order)
    by_id = {i.id: i for i in form.items}
    return Sitting(attempt, form, order, tuple(by_id[i] for i in order.items))


def seconds_left(attempt: Attempt, now: dt.datetime) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


def save(ws: Workspace, s: Sitting, number: int, value: Any, seq: int | None, now: dt.datetime):
    """Store the answer to question `number`; returns the store's Saved (its seq and next_seq).

    The history is kept within the event's `web.history` limits."""
    item = s.item(number)
    limits = ws.loaded.event.web.history
    return ws.store.save_answer(
        s.attempt.id,
        item.id,
        value,
        seq=seq,
        channel=CHANNEL,
        now=now,
        grace=grace(ws, s.attempt.phase_id),
        bounds=HistoryBounds(limits.versions_per_item, limits.bytes_per_attempt),
    )


def save_posted_page(ws: Workspace, s: Sitting, number: int, value: Any, seq: int | None, now: dt.datetime):
    """A question's page posted without JavaScript: leaving a question untouched stores nothing;
    clearing an answer given before stores the blank. The store's Saved, or None when nothing was stored."""
    if value is None and ws.store.answers(s.attempt.id).get(s.item(number).id) is None:
        return None
    return save(ws, s, number, value, seq, now)


def submit(ws: Workspace, s: Sitting, now: dt.datetime) -> Attempt:
    return ws.store.submit(s.attempt.id, now, grace(ws, s.attempt.phase_id))


# -- after the attempt -------------------------------------------------------------------


def moments(ws: Workspace, attempt: Attempt) -> Moments:
    phases = ws.loaded.event.phases
    state = ws.store.phase_state
    return Moments(
        attempt_finished=attempt.status in FINISHED,
        phase_closed=state(ws.event_id, attempt.phase_id) == CLOSED,
        last_phase_closed=state(ws.event_id, phases[-1].id) == CLOSED,
    )


def review_aspects(ws: Workspace, attempt: Attempt) -> frozenset[str]:
    """What the phase's review policy lets the participant see of this attempt now."""
    return visible(ws.loaded.event.phase(attempt.phase_id).review, moments(ws, attempt))


def live_result(ws: Workspace, s: Sitting, aspects: frozenset[str]) -> AttemptResult | None:
    """The attempt scored now from its stored answers and marks, when its score or band may be shown."""
    if not aspects & {"score", "band"} or s.attempt.status not in FINISHED:
        return None
    answers = ws.store.answers(s.attempt.id)
    values = {}
    for item in s.form.items:
        values[item.id] = stored_value(item, answers.get(item.id))
    marks = ws.store.marks_of([s.attempt.id])[s.attempt.id]
    changes = effective(ws.store.adjustments(ws.event_id, s.attempt.phase_id))
    return score_attempt(list(s.form.items), s.form.policy, s.form.grading, values, marks, changes)


def has_report(ws: Workspace, person_id: str) -> bool:
    """Whether the trainer has scored a phase this participant finished (so a report has something in it)."""
    return ws.store.has_result(ws.event_id, person_id)
