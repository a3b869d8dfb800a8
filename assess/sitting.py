"""A participant's sitting on a screen: what each page shows and what a posted page means.

The web app (assess.web) calls these functions and only translates HTTP; the
rules live here and in the store. What a page shows is safe by construction:
options are named by their shown position, never by their ids (an ordering
item's ids may follow the key), and nothing of a key, an explanation, a
source or an option's points is put into a page's context before the review
policy allows it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assess.bank.model import (
    Essay,
    ItemBase,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    WeightedOptions,
)
from assess.bank.show import matching_rule
from assess.forms import Form, ItemOrder, personal_order, shown
from assess.i18n import _, current_language
from assess.participants import canonical_access_code
from assess.responses import ResponseError, normalise, parse_number, to_json
from assess.review import Moments, visible
from assess.scoring import AttemptResult, score_attempt
from assess.store.store import CLOSED, FINISHED, IN_PROGRESS, OPEN, Attempt, NotFound
from assess.templating import markdown_block, markdown_inline
from assess.workspace import Workspace

CHANNEL = "web"


class AnswerProblem(ValueError):
    """A posted answer that cannot be stored as it is; the message says what to fix."""


# -- joining and the lobby -------------------------------------------------------------


def join(ws: Workspace, typed_code: str) -> str | None:
    """The person whose access code was typed (any case, spaces or dashes), else None."""
    code = canonical_access_code(typed_code or "")
    if not code:
        return None
    return ws.store.person_by_code(ws.event_id, code)


def person(ws: Workspace, person_id: str) -> dict | None:
    return next((p for p in ws.store.participants(ws.event_id) if p["person_id"] == person_id), None)


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


def lobby(ws: Workspace, person_id: str) -> list[PhaseCard]:
    event, store = ws.loaded.event, ws.store
    cards = []
    for phase in event.phases:
        attempt = store.current_attempt(ws.event_id, person_id, phase.id)
        form = cached_form(ws, phase.id) if store.has_form(ws.event_id, phase.id) else None
        cards.append(
            PhaseCard(
                id=phase.id,
                title=phase.title or phase.id,
                state=store.phase_state(ws.event_id, phase.id),
                attempt=None if attempt is None else attempt.status,
                minutes=phase.time_limit_minutes,
                questions=None if form is None else len(form.items),
            )
        )
    return cards


# -- forms, attempts -------------------------------------------------------------------

_forms: dict[str, Form] = {}
_forms_lock = threading.Lock()


def cached_form(ws: Workspace, phase_id: str, form_hash: str | None = None) -> Form:
    """A phase's stored form; forms are immutable snapshots, so each is read once per process."""
    if form_hash is not None and form_hash in _forms:
        return _forms[form_hash]
    form = ws.store.form(ws.event_id, phase_id)
    with _forms_lock:
        _forms.setdefault(form.hash, form)
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
        personal_order=personal_order(form, person_id).model_dump(),
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


# -- what a page shows -----------------------------------------------------------------


def _translation(item: ItemBase, lang: str):
    return item.translations.get(lang) if lang != "id" else None


def _texts(item: ItemBase, lang: str) -> tuple[str, dict[str, str], dict[str, str], str | None]:
    """The stem, option (or choice) and prompt texts by id, and the unit, in `lang` where translated."""
    tr = _translation(item, lang)
    stem = (tr.stem if tr and tr.stem else None) or item.stem
    texts = {o.id: (tr.options.get(o.id) if tr else None) or o.text for o in getattr(item, "options", [])}
    prompts = {}
    if isinstance(item, Matching):
        texts = {c.id: (tr.choices.get(c.id) if tr else None) or c.text for c in item.choices}
        prompts = {p.id: (tr.prompts.get(p.id) if tr else None) or p.text for p in item.prompts}
    unit = (tr.unit if tr and tr.unit else None) or getattr(item, "unit", None)
    return stem, texts, prompts, unit


def question(s: Sitting, number: int, answer: Any, lang: str | None = None) -> dict:
    """The page of one question: texts, its fields and the stored answer put back into them.

    Options are numbered by their shown position (0, 1, ...); the keys, points,
    explanations and sources of the item are not in here.
    """
    lang = lang or current_language()
    item = s.item(number)
    stem, texts, prompts, unit = _texts(item, lang)
    ids = shown(s.order, item)
    q: dict[str, Any] = {
        "number": number,
        "total": s.total,
        "stem": markdown_block(stem),
        "instruction": "",
        "layout": "",
        "options": [],
        "prompts": [],
        "text": "",
        "unit": unit or "",
        "multiline": False,
        "numeric": isinstance(item, Numeric),
    }

    def options(chosen: Sequence[str] = ()) -> list[dict]:
        return [
            {"value": str(k), "text": markdown_inline(texts[oid]), "checked": oid in chosen}
            for k, oid in enumerate(ids)
        ]

    if isinstance(item, SingleChoice | WeightedOptions):
        q.update(
            layout="radio", instruction=_("Choose one answer."), options=options([answer] if answer else [])
        )
    elif isinstance(item, MultipleResponse):
        q.update(
            layout="checkbox",
            instruction=_("Choose every right answer: one or more."),
            options=options(answer or []),
        )
    elif isinstance(item, TrueFalse):
        q.update(
            layout="radio",
            instruction=_("Is the statement true or false?"),
            options=[
                {"value": "true", "text": _("True"), "checked": answer is True},
                {"value": "false", "text": _("False"), "checked": answer is False},
            ],
        )
    elif isinstance(item, Matching):
        given = answer or {}
        q.update(
            layout="matching",
            instruction=matching_rule() + " " + _("For each statement, choose its match."),
            options=[{"value": str(k), "text": texts[oid]} for k, oid in enumerate(ids)],
            prompts=[
                {
                    "field": f"m{k}",
                    "text": markdown_inline(prompts[p.id]),
                    "selected": str(ids.index(given[p.id])) if given.get(p.id) in ids else "",
                }
                for k, p in enumerate(item.prompts)
            ],
        )
    elif isinstance(item, Ordering):
        ranks = {oid: r for r, oid in enumerate(answer or [], 1)}
        q.update(
            layout="ordering",
            instruction=_("Put the steps in order: give each its place, 1 for the first."),
            options=[
                {
                    "field": f"r{k}",
                    "text": markdown_inline(texts[oid]),
                    "rank": str(ranks.get(oid, "")),
                }
                for k, oid in enumerate(ids)
            ],
            places=[str(r) for r in range(1, len(ids) + 1)],
        )
    elif isinstance(item, Numeric):
        q.update(layout="text", instruction=_("Write a number."), text="" if answer is None else str(answer))
    elif isinstance(item, ShortAnswer):
        q.update(layout="text", instruction=_("Write a short answer."), text=answer or "")
    elif isinstance(item, Essay):
        q.update(layout="text", multiline=True, instruction=_("Write your answer."), text=answer or "")
    else:  # pragma: no cover - every item type is handled above
        raise TypeError(type(item).__name__)
    return q


def refill(q: dict, fields: Mapping[str, Any], getlist) -> dict:
    """The question page `q` with the fields as they were posted (a refused post shows what was given)."""
    chosen = set(getlist("answer"))
    options = (
        [{**o, "checked": o["value"] in chosen} for o in q["options"]]
        if q["layout"] in ("radio", "checkbox")
        else q["options"]
    )
    if q["layout"] == "ordering":
        options = [{**o, "rank": fields.get(o["field"]) or ""} for o in q["options"]]
    prompts = [{**p, "selected": fields.get(p["field"]) or ""} for p in q["prompts"]]
    text = fields.get("answer") or "" if q["layout"] == "text" else q["text"]
    return {**q, "options": options, "prompts": prompts, "text": text}


def navigator(s: Sitting, answers: Mapping[str, Any], current: int | None = None) -> list[dict]:
    return [
        {"number": n, "answered": answered(answers.get(item.id)), "current": n == current}
        for n, item in enumerate(s.items, 1)
    ]


def answered(value: Any) -> bool:
    return value not in (None, "", [], {})


# -- what a posted page means ----------------------------------------------------------


def _position(ids: Sequence[str], text: str | None) -> str | None:
    if text is None or text == "":
        return None
    if not text.isdigit() or int(text) >= len(ids):
        raise AnswerProblem(_("That choice is not one of this question's options."))
    return ids[int(text)]


def read_answer(s: Sitting, number: int, fields: Mapping[str, Any], getlist=None) -> Any:
    """The JSON form of the answer posted for question `number` (None: blank).

    `fields` maps field names to their (first) values; `getlist(name)` gives
    every value of a repeated field (checkboxes).
    """
    item = s.item(number)
    ids = shown(s.order, item)
    raw: Any
    if isinstance(item, SingleChoice | WeightedOptions):
        raw = _position(ids, fields.get("answer"))
    elif isinstance(item, MultipleResponse):
        values = getlist("answer") if getlist else fields.get("answer") or []
        raw = sorted({_position(ids, v) for v in values if v} - {None}) or None
    elif isinstance(item, TrueFalse):
        raw = {"true": True, "false": False}.get(fields.get("answer") or "")
    elif isinstance(item, Matching):
        pairs = {}
        for k, p in enumerate(item.prompts):
            choice = _position(ids, fields.get(f"m{k}"))
            if choice is not None:
                pairs[p.id] = choice
        raw = pairs or None
    elif isinstance(item, Ordering):
        raw = _ordering(ids, [fields.get(f"r{k}") or "" for k in range(len(ids))])
    elif isinstance(item, Numeric):
        text = (fields.get("answer") or "").strip()
        raw = text or None  # stored as typed; read as a number when scored
        if text:
            try:
                parse_number(text, item.unit)
            except ResponseError:
                raise AnswerProblem(_("Write a number, such as 2,5 or 1.500.")) from None
    elif isinstance(item, ShortAnswer | Essay):
        text = fields.get("answer") or ""
        raw = text if text.strip() else None
    else:  # pragma: no cover
        raise TypeError(type(item).__name__)
    try:
        value = normalise(item, raw)
    except ResponseError:
        raise AnswerProblem(_("That answer does not fit this question.")) from None
    if isinstance(item, Numeric):
        return raw if value is not None else None
    return to_json(value)


def _ordering(ids: Sequence[str], ranks: Sequence[str]) -> list[str] | None:
    if not any(ranks):
        return None
    places = [int(r) if r.isdigit() else 0 for r in ranks]
    if sorted(places) != list(range(1, len(ids) + 1)):
        raise AnswerProblem(_("Give every step its own place, from 1 to {n}.").format(n=len(ids)))
    return [oid for _place, oid in sorted(zip(places, ids, strict=True))]


def save(ws: Workspace, s: Sitting, number: int, value: Any, seq: int | None, now: dt.datetime):
    """Store the answer to question `number`; returns the store's Saved (its seq and next_seq)."""
    item = s.item(number)
    return ws.store.save_answer(
        s.attempt.id, item.id, value, seq=seq, channel=CHANNEL, now=now, grace=grace(ws, s.attempt.phase_id)
    )


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
        try:
            values[item.id] = normalise(item, answers.get(item.id))
        except ResponseError:
            values[item.id] = None  # as scoring the phase does: an answer that no longer fits is blank
    marks = ws.store.marks_of([s.attempt.id])[s.attempt.id]
    return score_attempt(list(s.form.items), s.form.policy, s.form.grading, values, marks)


def has_report(ws: Workspace, person_id: str) -> bool:
    """Whether the trainer has scored a phase this participant finished (so a report has something in it)."""
    return any(r["person_id"] == person_id for r in ws.store.results(ws.event_id))


def own_report_html(ws: Workspace, person_id: str) -> str | None:
    """The participant's own report, as the review policies allow it now (see assess.reports)."""
    from assess.reports.context import load, participant_context
    from assess.templating import render

    data = load(ws)
    found = next((p for p in data.people if p["person_id"] == person_id), None)
    if found is None:
        return None
    return render("report/participant.html", **participant_context(data, found))
