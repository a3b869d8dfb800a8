"""An event's own data for item analysis: the marks of a phase's scored results and the options chosen.

Files of marks from any other system are read by `assess.sheets.matrix`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assess.analysis.distractors import Choices
from assess.bank.model import (
    Essay,
    ItemBase,
    Matching,
    MultipleResponse,
    Ordering,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    WeightedOptions,
)
from assess.bank.model import Numeric as NumericItem
from assess.event.policy import ScoringPolicy
from assess.problems import Problem, ProblemsFound
from assess.responses import stored_value
from assess.scoring import item_max, score_item
from assess.sheets.matrix import Matrix
from assess.workspace.adjust import item_changes

# -- an event's own data ------------------------------------------------------------


def random_guess_score(item: ItemBase, policy: ScoringPolicy) -> float:
    """The expected mark, as a share of the maximum, of an answer chosen at random (NaN: not defined).

    As Moodle's question types define it: a choice item (single choice,
    true/false, weighted options) the mean share over its options, scored by
    the form's own policy (so negative marking counts); matching 1/choices per
    pair (all or nothing: (1/choices)^prompts); ordering 1/options per position
    (all or nothing: 1/options!); short answer and numeric 0; multiple response
    and essay NaN (Moodle: not computable).
    """
    top = item_max(item, policy)
    if isinstance(item, SingleChoice | WeightedOptions):
        return sum(score_item(item, policy, o.id).points for o in item.options) / len(item.options) / top
    if isinstance(item, TrueFalse):
        return sum(score_item(item, policy, v).points for v in (True, False)) / 2 / top
    if isinstance(item, Matching):
        share = 1 / len(item.choices)
        return share ** len(item.prompts) if policy.matching.rule == "all_or_nothing" else share
    if isinstance(item, Ordering):
        n = len(item.options)
        return 1 / math.factorial(n) if policy.ordering.rule == "all_or_nothing" else 1 / n
    if isinstance(item, ShortAnswer | NumericItem):
        return 0.0
    if isinstance(item, MultipleResponse | Essay):
        return math.nan
    raise TypeError(type(item).__name__)


def _choices(item: ItemBase, values: Sequence, accepted: Sequence = ()) -> Choices | None:
    """The options each person chose, for the item types whose answers are options; an answer accepted
    by a correction after the test counts as keyed."""
    if isinstance(item, SingleChoice | WeightedOptions | MultipleResponse):
        ids = [o.id for o in item.options]
        if isinstance(item, SingleChoice):
            keyed = [o.id == item.key or o.id in accepted for o in item.options]
        elif isinstance(item, WeightedOptions):
            keyed = [o.points == item.max_points for o in item.options]
        else:
            in_a_key = set(item.key).union(*accepted)
            keyed = [o.id in in_a_key for o in item.options]
        multiple = isinstance(item, MultipleResponse)
        chosen = np.array(
            [[(v is not None and (o in v if multiple else v == o)) for o in ids] for v in values], dtype=bool
        ).reshape(len(values), len(ids))
        return Choices(chosen, ids, keyed)
    if isinstance(item, TrueFalse):
        chosen = np.array([[v is True, v is False] for v in values], dtype=bool).reshape(len(values), 2)
        keys = {item.key, *accepted}
        return Choices(chosen, ["true", "false"], [True in keys, False in keys])
    return None


@dataclass(frozen=True)
class EventMatrix:
    phase: str
    matrix: Matrix  # people: the participants' ids
    random_guess: np.ndarray
    choices: dict[str, Choices]
    pending_items: tuple[str, ...]  # left out: some mark is still pending (an essay not marked)
    corrected_items: tuple[str, ...] = ()  # left out: dropped or given full credit after the test


def event_matrix(ws, phase_id: str) -> EventMatrix:
    """The marks of a phase's scored results and the options chosen, from a workspace's store."""
    form = ws.form(phase_id)
    store = ws.store
    results = store.results(ws.event_id, phase_id)
    if not results:
        raise ProblemsFound([Problem("ANALYZE-NO-RESULTS", {"phase": phase_id})])
    changes = item_changes(ws, phase_id)
    kept, pending, corrected = [], [], []
    for item in form.items:
        marks = [r.items.get(item.id) for r in results]
        change = changes.get(item.id)
        if change is not None and (change.dropped or change.full_credit):
            corrected.append(item.id)  # nothing left to tell the participants apart
        elif any(m is None or m.pending for m in marks):
            pending.append(item.id)
        else:
            kept.append(item)
    if not kept:
        raise ProblemsFound([Problem("ANALYZE-NO-RESULTS", {"phase": phase_id})])
    marks = np.array([[r.items[i.id].points for i in kept] for r in results], dtype=np.float64)
    # The maximum the results were scored against: a correction may have set new points.
    top = np.array([results[0].items[i.id].max_points for i in kept], dtype=np.float64)
    answers = store.answers_of([r.attempt_id for r in results])
    choices = {}
    for item in kept:
        values = [stored_value(item, answers[r.attempt_id].get(item.id)) for r in results]
        accepted = changes[item.id].accepted if item.id in changes else ()
        found = _choices(item, values, accepted)
        if found is not None:
            choices[item.id] = found
    matrix = Matrix(tuple(i.id for i in kept), marks, top, tuple(r.person_id for r in results))
    guess = np.array([random_guess_score(i, form.policy) for i in kept], dtype=np.float64)
    return EventMatrix(phase_id, matrix, guess, choices, tuple(pending), tuple(corrected))
