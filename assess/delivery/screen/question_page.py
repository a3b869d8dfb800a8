"""One question on a participant's screen: what its page shows, and what a posted page means (no HTTP here).

Options are named by their shown position (0, 1, ...), never by their ids (an
ordering item's ids may follow its key); nothing of a key, an explanation, a
source or an option's points goes into a page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

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
from assess.delivery.screen.sitting import Sitting
from assess.event import AnswerLimits
from assess.forms import shown
from assess.i18n import _, current_language
from assess.i18n.numbers import numbers
from assess.responses import (
    PAPER_UNTYPED,
    NotAFieldNumber,
    ResponseError,
    answered,
    field_number,
    normalise,
    parse_number,
    to_json,
)
from assess.templating import markdown_block, markdown_inline


class AnswerProblem(ValueError):
    """A posted answer that cannot be stored as it is; the message says what to fix."""


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
    for kinds, fields in _PAGE_FIELDS:
        if isinstance(item, kinds):
            q.update(fields(item, answer, ids, texts, prompts))
            return q
    raise TypeError(type(item).__name__)  # pragma: no cover - every item type has its fields


# Each gives the page fields of one item type: (item, stored answer, option ids as shown, option texts by
# id, prompt texts by id) -> the layout, instruction and fields with the answer put back into them.


def _options(ids: Sequence[str], texts: dict[str, str], chosen: Sequence[str] = ()) -> list[dict]:
    """The options in their shown order, named by position, those in `chosen` checked."""
    return [
        {"value": str(k), "text": markdown_inline(texts[oid]), "checked": oid in chosen}
        for k, oid in enumerate(ids)
    ]


def _choose_one_fields(item, answer, ids, texts, prompts) -> dict:
    """Radio buttons, one per option."""
    return {
        "layout": "radio",
        "instruction": _("Choose one answer."),
        "options": _options(ids, texts, [answer] if answer else []),
    }


def _choose_many_fields(item, answer, ids, texts, prompts) -> dict:
    """Checkboxes, one per option."""
    return {
        "layout": "checkbox",
        "instruction": _("Choose every right answer: one or more."),
        "options": _options(ids, texts, answer or []),
    }


def _true_false_fields(item, answer, ids, texts, prompts) -> dict:
    """Two radio buttons, true and false."""
    return {
        "layout": "radio",
        "instruction": _("Is the statement true or false?"),
        "options": [
            {"value": "true", "text": _("True"), "checked": answer is True},
            {"value": "false", "text": _("False"), "checked": answer is False},
        ],
    }


def _matching_fields(item, answer, ids, texts, prompts) -> dict:
    """One choice field per prompt, over the choices in their shown order."""
    given = answer or {}
    return {
        "layout": "matching",
        "instruction": matching_rule() + " " + _("For each statement, choose its match."),
        "options": [{"value": str(k), "text": texts[oid]} for k, oid in enumerate(ids)],
        "prompts": [
            {
                "field": f"m{k}",
                "text": markdown_inline(prompts[p.id]),
                "selected": str(ids.index(given[p.id])) if given.get(p.id) in ids else "",
            }
            for k, p in enumerate(item.prompts)
        ],
    }


def _ordering_fields(item, answer, ids, texts, prompts) -> dict:
    """One place field (1, 2, ...) per step; the steps listed in the participant's own arrangement
    when there is one (a step keeps its field, r<k> for the k-th of `ids`, wherever it is listed)."""
    ranks = {oid: r for r, oid in enumerate(answer or [], 1)}
    listed = sorted(range(len(ids)), key=lambda k: (ranks.get(ids[k], len(ids) + 1), k))
    return {
        "layout": "ordering",
        "instruction": _("Put the steps in order: give each its place, 1 for the first."),
        "options": [
            {
                "field": f"r{k}",
                "text": markdown_inline(texts[ids[k]]),
                "rank": str(ranks.get(ids[k], "")),
            }
            for k in listed
        ],
        "places": [str(r) for r in range(1, len(ids) + 1)],
    }


def _numeric_fields(item, answer, ids, texts, prompts) -> dict:
    """A text field for a number."""
    return {
        "layout": "text",
        "instruction": _("Write a number."),
        "text": "" if answer is None else str(answer),
    }


def _short_answer_fields(item, answer, ids, texts, prompts) -> dict:
    """A one-line text field."""
    return {"layout": "text", "instruction": _("Write a short answer."), "text": answer or ""}


def _essay_fields(item, answer, ids, texts, prompts) -> dict:
    """A text area."""
    return {"layout": "text", "multiline": True, "instruction": _("Write your answer."), "text": answer or ""}


_PAGE_FIELDS = (
    (SingleChoice | WeightedOptions, _choose_one_fields),
    (MultipleResponse, _choose_many_fields),
    (TrueFalse, _true_false_fields),
    (Matching, _matching_fields),
    (Ordering, _ordering_fields),
    (Numeric, _numeric_fields),
    (ShortAnswer, _short_answer_fields),
    (Essay, _essay_fields),
)


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


class NavButton(NamedTuple):
    """One question's button. Attributes, not a dict's keys: the template reads five of each of 30
    buttons a page, and Jinja tries an attribute before a key (a dict costs an exception each time)."""

    number: int
    answered: bool
    current: bool
    label: str
    css: str


def navigator(s: Sitting, answers: Mapping[str, Any], current: int | None = None) -> list[NavButton]:
    """A button per question, with its screen reader's label and its class: translated once here, not
    twice a button in the template (that was half the question page's rendering)."""
    question, done = _("Question %(n)s"), _("answered")
    buttons = []
    for n, item in enumerate(s.items, 1):
        is_answered = answered(answers.get(item.id))
        label = question % {"n": n} + (f" ({done})" if is_answered else "")
        css = ("answered" if is_answered else "open") + (" current" if n == current else "")
        buttons.append(NavButton(n, is_answered, n == current, label, css))
    return buttons


# -- what a posted page means ----------------------------------------------------------

NUMBER_CHARACTERS = 64  # the longest text a number's field takes: a longer one is no number anyone types


def _choice_problem() -> AnswerProblem:
    return AnswerProblem(_("That choice is not one of this question's options."))


def _position(ids: Sequence[str], text: str | None) -> str | None:
    """The option at a posted position (0, 1, ...); None when none is chosen."""
    if text is None or text == "":
        return None
    try:
        return ids[field_number(text, high=len(ids) - 1)]
    except NotAFieldNumber:
        raise _choice_problem() from None


def _within(text: str, limit: int) -> str:
    """`text` when it is at most `limit` characters long (a line break counted once, though a browser sends a
    text area's as two), checked before anything reads it; AnswerProblem otherwise."""
    length = len(text) - text.count("\r\n")
    if length > limit:
        n = numbers(current_language())
        raise AnswerProblem(
            _(
                "This answer is too long: {length} characters, and at most {limit} fit here. Shorten it."
            ).format(length=n.count(length), limit=n.count(limit))
        )
    return text


# Each reads the posted fields of one item type: (item, option ids as shown, fields, getlist, answer limits)
# -> the raw answer (option ids, not positions; None blank), or AnswerProblem. Every field is bounded
# before it is read.


def _read_choice(item, ids, fields, getlist, limits) -> Any:
    """One option's position."""
    return _position(ids, fields.get("answer"))


def _read_choices(item, ids, fields, getlist, limits) -> Any:
    """Positions of the options checked; never more than the options there are."""
    values = getlist("answer") if getlist else fields.get("answer") or []
    if len(values) > len(ids):
        raise _choice_problem()
    return sorted({_position(ids, v) for v in values if v} - {None}) or None


def _read_truth(item, ids, fields, getlist, limits) -> Any:
    """true or false."""
    return {"true": True, "false": False}.get(fields.get("answer") or "")


def _read_pairs(item, ids, fields, getlist, limits) -> Any:
    """A choice's position per prompt (m0, m1, ...)."""
    pairs = {}
    for k, p in enumerate(item.prompts):
        choice = _position(ids, fields.get(f"m{k}"))
        if choice is not None:
            pairs[p.id] = choice
    return pairs or None


def _read_order(item, ids, fields, getlist, limits) -> Any:
    """A place (1, 2, ...) per step (r0, r1, ...)."""
    return _ordering(ids, [fields.get(f"r{k}") or "" for k in range(len(ids))])


def _read_number(item, ids, fields, getlist, limits) -> Any:
    """Text as typed (read as a number when scored), at most NUMBER_CHARACTERS long."""
    text = _within(fields.get("answer") or "", NUMBER_CHARACTERS).strip()
    if text:
        try:
            parse_number(text, item.unit)
        except ResponseError:
            raise AnswerProblem(_("Write a number, such as 2,5 or 1.500.")) from None
    return text or None


def _read_text(item, ids, fields, getlist, limits) -> Any:
    """Text, at most the event's limit for short answers or essays."""
    limit = limits.essay if isinstance(item, Essay) else limits.short_answer
    text = _within(fields.get("answer") or "", limit)
    if text.strip() == PAPER_UNTYPED:  # what a scanned paper answer waits as: never typed on a phone
        raise AnswerProblem(_("That answer does not fit this question."))
    return text if text.strip() else None


_READERS = (
    (SingleChoice | WeightedOptions, _read_choice),
    (MultipleResponse, _read_choices),
    (TrueFalse, _read_truth),
    (Matching, _read_pairs),
    (Ordering, _read_order),
    (Numeric, _read_number),
    (ShortAnswer | Essay, _read_text),
)


def read_answer(
    s: Sitting, number: int, fields: Mapping[str, Any], getlist=None, limits: AnswerLimits | None = None
) -> Any:
    """The JSON form of the answer posted for question `number` (None: blank).

    `fields` maps field names to their (first) values; `getlist(name)` gives
    every value of a repeated field (checkboxes). `limits`: the event's
    `web.answer_limits` (the defaults when None); a text over its limit is
    refused before it is read.
    """
    item = s.item(number)
    ids = shown(s.order, item)
    reader = next((read for kinds, read in _READERS if isinstance(item, kinds)), None)
    if reader is None:  # pragma: no cover - every item type has its reader
        raise TypeError(type(item).__name__)
    raw = reader(item, ids, fields, getlist, limits or AnswerLimits())
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
    try:
        places = [field_number(r, 1, len(ids)) if r else 0 for r in ranks]
    except NotAFieldNumber:
        places = []
    if sorted(places) != list(range(1, len(ids) + 1)):
        raise AnswerProblem(_("Give every step its own place, from 1 to {n}.").format(n=len(ids)))
    return [oid for _place, oid in sorted(zip(places, ids, strict=True))]


# -- the whole test at once, for a page that goes on without the network ------------------------

SEQ_BLOCK = 1000  # sequence numbers handed to each page load of the whole test


def offline_form(ws, s: Sitting, answers: Mapping[str, Any], now, grace_seconds: int) -> dict:
    """Every question of the participant's attempt as its page shows it (texts, fields, the stored answer
    put back; no keys, points, explanations or sources: `question` holds none), the server's clock and
    the deadline, and a block of SEQ_BLOCK sequence numbers of this page load's own."""
    from assess.delivery.screen.sitting import seconds_left

    first = ws.store.reserve_seq_block(s.attempt.id, SEQ_BLOCK)
    return {
        "attempt": s.attempt.id,
        "total": s.total,
        "server_time": now.isoformat(),
        "seconds_left": seconds_left(s.attempt, now),
        "grace": grace_seconds,
        "seq_block": [first, first + SEQ_BLOCK - 1],
        "questions": [question(s, n, answers.get(s.item(n).id)) for n in range(1, s.total + 1)],
    }
