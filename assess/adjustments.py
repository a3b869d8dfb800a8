"""Corrections after the test: a stored form never changes, but its items can be adjusted (pure: no I/O).

An adjustment is kept beside the frozen form (the store's `form_adjustments`, with who, when and why)
and applied by every scoring path (assess.scoring: one attempt and in bulk):

- `accept ANSWER...`: the answers listed are also right. For single choice and true/false any one of
  them; for multiple response the listed set (as a second key); for short answer an added accepted
  answer; for numeric an added value, with the item's own tolerances. An attempt earns the better of
  what the original key and each accepted answer give it.
- `full_credit`: every attempt gets the item's points, a blank and an unmarked essay too; the
  maximum stays.
- `drop`: the item leaves every attempt's points and the maximum.
- `points N`: the item's maximum becomes N, and every attempt's points on it are scaled by N / old.
- `undo N`: adjustment N no longer applies (undoing is an adjustment too: the log keeps both).

Matching, ordering, weighted options and essays take drop, full credit and points, not accept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assess.bank.model import (
    Accepted,
    ItemBase,
    MultipleResponse,
    Numeric,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from assess.responses import ResponseError, parse_number

ACCEPT, FULL_CREDIT, DROP, POINTS, UNDO = "accept", "full_credit", "drop", "points", "undo"
KINDS = (ACCEPT, FULL_CREDIT, DROP, POINTS, UNDO)
ACCEPTING = (SingleChoice, TrueFalse, MultipleResponse, ShortAnswer, Numeric)
TRUE_WORDS, FALSE_WORDS = {"true", "benar", "b"}, {"false", "salah", "s"}


@dataclass(frozen=True)
class Adjustment:
    """One adjustment as stored. `value`: accept, the answers (a list; for multiple response one list
    of option ids); points, the new maximum; undo, the number undone; else None."""

    n: int  # numbered per phase: undo names it
    phase_id: str
    item_id: str
    kind: str
    value: Any
    reason: str
    actor: str
    at: dt.datetime


@dataclass(frozen=True)
class ItemChange:
    """What applies to one item after folding its adjustments in order."""

    dropped: bool = False
    full_credit: bool = False
    points: float | None = None  # the new maximum
    accepted: tuple = ()  # the accepted answers, in order
    applied: tuple[Adjustment, ...] = field(default=())  # the adjustments in force, for reports

    @property
    def changes_score(self) -> bool:
        return self.dropped or self.full_credit or self.points is not None or bool(self.accepted)


class AdjustmentError(ValueError):
    """An adjustment that does not fit its item: a problem code and its parameters."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code, self.params = code, params


def in_force(adjustments: Sequence[Adjustment]) -> list[Adjustment]:
    """The adjustments not undone (an undo undone makes its target count again), in order."""
    undone: set[int] = set()
    for a in sorted(adjustments, key=lambda a: a.n, reverse=True):  # the latest undo decides
        if a.kind == UNDO and a.n not in undone:
            undone.add(int(a.value))
    return [a for a in sorted(adjustments, key=lambda a: a.n) if a.n not in undone and a.kind != UNDO]


def effective(adjustments: Sequence[Adjustment]) -> dict[str, ItemChange]:
    """Item id -> what applies to it, from a phase's adjustments."""
    changes: dict[str, ItemChange] = {}
    for a in in_force(adjustments):
        c = changes.get(a.item_id, ItemChange())
        if a.kind == ACCEPT:
            c = replace(c, accepted=(*c.accepted, *a.value))
        elif a.kind == FULL_CREDIT:
            c = replace(c, full_credit=True)
        elif a.kind == DROP:
            c = replace(c, dropped=True)
        elif a.kind == POINTS:
            c = replace(c, points=float(a.value))
        changes[a.item_id] = replace(c, applied=(*c.applied, a))
    return changes


def accepted_value(item: ItemBase, answers: Sequence[str]) -> list:
    """The answers given to `accept` for `item`, as stored; AdjustmentError when they do not fit it."""
    if not isinstance(item, ACCEPTING):
        raise AdjustmentError("ADJUST-ACCEPT-TYPE", item=item.id, type=item.type)
    if not answers:
        raise AdjustmentError("ADJUST-ACCEPT-EMPTY", item=item.id)
    if isinstance(item, SingleChoice | MultipleResponse):
        ids = [o.id for o in item.options]
        unknown = [a for a in answers if a not in ids]
        if unknown:
            raise AdjustmentError(
                "ADJUST-ACCEPT-OPTION", item=item.id, answer=unknown[0], options=", ".join(ids)
            )
        if isinstance(item, MultipleResponse):
            if sorted(set(answers)) == sorted(set(item.key)):
                raise AdjustmentError("ADJUST-ACCEPT-IS-KEY", item=item.id)
            return [sorted(set(answers), key=ids.index)]
        return _besides_key(item, list(dict.fromkeys(answers)))
    if isinstance(item, TrueFalse):
        values = []
        for a in answers:
            word = a.strip().casefold()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise AdjustmentError("ADJUST-ACCEPT-BOOLEAN", item=item.id, answer=a)
            values.append(word in TRUE_WORDS)
        return _besides_key(item, list(dict.fromkeys(values)))
    if isinstance(item, Numeric):
        try:
            return [parse_number(a, item.unit) for a in answers]
        except ResponseError:
            raise AdjustmentError("ADJUST-ACCEPT-NUMBER", item=item.id, answer=" ".join(answers)) from None
    return [a for a in answers if a.strip()]  # short answer


def _besides_key(item: SingleChoice | TrueFalse, values: list) -> list:
    """The answers that are not already the key (AdjustmentError when none is left)."""
    others = [v for v in values if v != item.key]
    if not others:
        raise AdjustmentError("ADJUST-ACCEPT-IS-KEY", item=item.id)
    return others


def alternatives(item: ItemBase, accepted: Sequence) -> list[ItemBase]:
    """The item as it would be with each accepted answer as its key (a short answer: one item accepting
    them all); an attempt earns the best of the item and these."""
    if not accepted:
        return []
    if isinstance(item, SingleChoice | TrueFalse | MultipleResponse):
        return [item.model_copy(update={"key": a}) for a in accepted]
    if isinstance(item, Numeric):
        return [item.model_copy(update={"value": float(v)}) for v in accepted]
    if isinstance(item, ShortAnswer):
        return [item.model_copy(update={"accepted": [*item.accepted, *(Accepted(text=t) for t in accepted)]})]
    return []
