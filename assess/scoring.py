"""Scoring: one rule per item type, per attempt and in bulk (pure: no I/O).

Two paths that must agree (a property test holds them to it):
- `score_item` / `score_attempt` work on one attempt's normalised values;
- `score_bulk` works on the arrays of `assess.responses.encode_item` for many
  attempts at once, with numpy.

Every item scores between its minimum (0, or less under negative marking)
and its maximum; a blank always scores 0 and is reported as blank, apart from
a wrong answer. An essay without a marker's level is "pending" and makes the
result provisional.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from assess.adjustments import ItemChange, alternatives
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
from assess.event.policy import Band, ChoicePolicy, Grading, MultipleResponsePolicy, ScoringPolicy
from assess.responses import BLANK, PAPER_UNTYPED, EncodedItem

# Floating-point slack when comparing a numeric answer with its tolerance.
_EPS = 1e-9


def item_weight(item: ItemBase, policy: ScoringPolicy) -> float:
    return policy.type_weights.get(item.type, 1.0)  # type: ignore[attr-defined]


def item_max(item: ItemBase, policy: ScoringPolicy) -> float:
    """The item's maximum in the form: its points times its type's weight."""
    return item.max_points * item_weight(item, policy)


def choice_penalty(policy: ChoicePolicy, n_options: int) -> float:
    """The share of the item's points a wrong choice costs."""
    if policy.penalty == "auto":
        return 1.0 / (n_options - 1)
    return float(policy.penalty)


def multiple_response_weights(item: MultipleResponse, policy: MultipleResponsePolicy) -> tuple[float, float]:
    """(gain per chosen correct option, cost per chosen wrong option) as shares of the item."""
    n_correct = len(set(item.key))
    return option_weights(n_correct, len(item.options) - n_correct, policy)


def option_weights(n_correct: int, n_wrong: int, policy: MultipleResponsePolicy) -> tuple[float, float]:
    """The weights of `multiple_response_weights` for an item of that many right and wrong options."""
    cost = {
        "false2": 1.0 / max(n_wrong, 2),
        "false": 1.0 / n_wrong if n_wrong else 0.0,
        "true": 1.0 / n_correct,
        "all": 1.0,
        "none": 0.0,
    }[policy.penalty]
    return 1.0 / n_correct, cost


def normalise_text(text: str, item: ShortAnswer) -> str:
    """Unicode form, white space stripped and collapsed, case folded unless case_sensitive."""
    if item.unicode_form != "none":
        text = unicodedata.normalize(item.unicode_form, text)
    if item.normalize_whitespace:
        text = " ".join(text.split())
    return text if item.case_sensitive else text.casefold()


def short_answer_credit(item: ShortAnswer, text: str) -> float:
    """The credit of the first accepted answer that matches (0 when none does)."""
    answer = normalise_text(text, item)
    flags = 0 if item.case_sensitive else re.IGNORECASE
    for accepted in item.accepted:
        if accepted.text is not None and normalise_text(accepted.text, item) == answer:
            return accepted.credit
        if accepted.regex is not None and re.fullmatch(accepted.regex, answer, flags):
            return accepted.credit
    return 0.0


def numeric_credit(item: Numeric, value: float) -> float:
    scale = abs(item.value) if item.tolerance_mode == "relative" else 1.0
    diff = abs(value - item.value)
    slack = _EPS * max(1.0, abs(item.value))
    if diff <= item.tolerance * scale + slack:
        return 1.0
    if item.partial_tolerance is not None and diff <= item.partial_tolerance * scale + slack:
        return item.partial_credit
    return 0.0


@dataclass(frozen=True)
class ItemScore:
    points: float
    max_points: float
    blank: bool
    pending: bool = False  # an essay waiting for its mark


def score_item(item: ItemBase, policy: ScoringPolicy, value: Any, mark: str | None = None) -> ItemScore:
    """One item of one attempt; `value` normalised (None blank), `mark` an essay's rubric level id."""
    top = item_max(item, policy)
    weight = item_weight(item, policy)
    if value is None:
        return ItemScore(0.0, top, blank=True)
    if isinstance(item, SingleChoice):
        share = 1.0 if value == item.key else -choice_penalty(policy.single_choice, len(item.options))
    elif isinstance(item, TrueFalse):
        share = 1.0 if value == item.key else -choice_penalty(policy.true_false, 2)
    elif isinstance(item, MultipleResponse):
        share = _multiple_response_share(item, policy.multiple_response, value)
    elif isinstance(item, Matching):
        right = sum(1 for p, c in item.key.items() if value.get(p) == c)
        share = _parts_share(right, len(item.key), policy.matching.rule)
    elif isinstance(item, Ordering):
        right = sum(1 for got, want in zip(value, item.key, strict=True) if got == want)
        share = _parts_share(right, len(item.key), policy.ordering.rule)
    elif isinstance(item, ShortAnswer):
        if value == PAPER_UNTYPED:
            return ItemScore(0.0, top, blank=False, pending=True)
        share = short_answer_credit(item, value)
    elif isinstance(item, Numeric):
        share = numeric_credit(item, value)
    elif isinstance(item, WeightedOptions):
        return ItemScore(next(o.points for o in item.options if o.id == value) * weight, top, blank=False)
    elif isinstance(item, Essay):
        return _essay_score(item, mark, weight, top)
    else:
        raise TypeError(type(item).__name__)
    return ItemScore(share * top, top, blank=False)


def _multiple_response_share(item: MultipleResponse, policy: MultipleResponsePolicy, value: Any) -> float:
    """The share of the item the chosen options earn: all or nothing, or per option chosen right and wrong."""
    chosen, key = set(value), set(item.key)
    if policy.rule == "all_or_nothing":
        return 1.0 if chosen == key else 0.0
    gain, cost = multiple_response_weights(item, policy)
    return max(len(chosen & key) * gain - len(chosen - key) * cost, policy.floor)


def _parts_share(right: int, n: int, rule: str) -> float:
    """The share of an item of `n` parts with `right` of them right: per part, or all or nothing."""
    share = right / n
    if rule == "all_or_nothing":
        share = float(right == n)
    return share


def _essay_score(item: Essay, mark: str | None, weight: float, top: float) -> ItemScore:
    """An essay's points for the rubric level `mark`, pending without a mark."""
    if mark is None:
        return ItemScore(0.0, top, blank=False, pending=True)
    level = next((r for r in item.rubric if r.id == mark), None)
    if level is None:
        raise ValueError(f"{mark!r} is not a rubric level of item {item.id!r}")
    return ItemScore(level.points * weight, top, blank=False)


def score_item_bulk(
    item: ItemBase, policy: ScoringPolicy, encoded: EncodedItem, marks: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(points, blank, pending) for every attempt of one item.

    `marks` (essays only): the marked level's points per attempt, NaN where unmarked.
    """
    data = encoded.data
    n = data.shape[0]
    top = item_max(item, policy)
    weight = item_weight(item, policy)
    pending = np.zeros(n, dtype=bool)
    if isinstance(item, SingleChoice | TrueFalse):
        if isinstance(item, SingleChoice):
            key = next(i for i, o in enumerate(item.options) if o.id == item.key)
            cost = choice_penalty(policy.single_choice, len(item.options))
        else:
            key, cost = int(item.key), choice_penalty(policy.true_false, 2)
        blank = data == BLANK
        share = np.where(data == key, 1.0, -cost)
    elif isinstance(item, MultipleResponse):
        key = sum(1 << i for i, o in enumerate(item.options) if o.id in set(item.key))
        everything = (1 << len(item.options)) - 1
        blank = data == 0
        if policy.multiple_response.rule == "all_or_nothing":
            share = (data == np.uint64(key)).astype(np.float64)
        else:
            gain, cost = multiple_response_weights(item, policy.multiple_response)
            right = np.bitwise_count(data & np.uint64(key)).astype(np.float64)
            wrong = np.bitwise_count(data & np.uint64(everything & ~key)).astype(np.float64)
            share = np.maximum(right * gain - wrong * cost, policy.multiple_response.floor)
    elif isinstance(item, Matching | Ordering):
        if isinstance(item, Matching):
            choice = {c.id: i for i, c in enumerate(item.choices)}
            want = np.array([choice[item.key[p.id]] for p in item.prompts], dtype=np.int16)
            blank = (data == BLANK).all(axis=1)
            rule = policy.matching.rule
        else:
            index = {o.id: i for i, o in enumerate(item.options)}
            want = np.array([index[k] for k in item.key], dtype=np.int16)
            blank = data[:, 0] == BLANK
            rule = policy.ordering.rule
        right = (data == want).sum(axis=1)
        share = right / len(want) if rule == "per_part" else (right == len(want)).astype(np.float64)
    elif isinstance(item, ShortAnswer):
        credits = np.array([short_answer_credit(item, t) for t in encoded.texts] + [0.0])
        blank = data == BLANK
        at = np.where(blank, len(encoded.texts), data)
        pending = np.array([t == PAPER_UNTYPED for t in encoded.texts] + [False])[at]
        share = np.where(pending, 0.0, credits[at])
    elif isinstance(item, Numeric):
        blank = np.isnan(data)
        scale = abs(item.value) if item.tolerance_mode == "relative" else 1.0
        diff = np.abs(np.where(blank, item.value, data) - item.value)
        slack = _EPS * max(1.0, abs(item.value))
        share = np.where(diff <= item.tolerance * scale + slack, 1.0, 0.0)
        if item.partial_tolerance is not None:
            partial = (share == 0) & (diff <= item.partial_tolerance * scale + slack)
            share = np.where(partial, item.partial_credit, share)
    elif isinstance(item, WeightedOptions):
        table = np.array([o.points for o in item.options] + [0.0]) * weight
        blank = data == BLANK
        points = table[np.where(blank, len(item.options), data)]
        return points, blank, pending
    elif isinstance(item, Essay):
        blank = data == BLANK
        given = np.full(n, np.nan) if marks is None else marks
        allowed = {r.points for r in item.rubric}
        if not set(given[~np.isnan(given)].tolist()) <= allowed:
            raise ValueError(f"essay marks of item {item.id!r} must be its rubric levels' points")
        pending = ~blank & np.isnan(given)
        points = np.where(blank | pending, 0.0, np.nan_to_num(given) * weight)
        return points, blank, pending
    else:
        raise TypeError(type(item).__name__)
    return np.where(blank, 0.0, share * top), blank, pending


@dataclass(frozen=True)
class CompetencyScore:
    competency: str
    points: float
    max_points: float
    percentage: float
    level: int


@dataclass(frozen=True)
class AttemptResult:
    points: float
    max_points: float
    percentage: float
    band: Band
    passed: bool | None  # None when the event sets no pass mark
    provisional: bool  # an essay still waits for its mark
    items: tuple[ItemScore, ...]
    competencies: dict[str, CompetencyScore]


# Percentages are rounded before they meet a band, the pass mark or a level
# threshold: 70 must be 70, however the floating-point sums were ordered.
PERCENT_DECIMALS = 9


def _percent(points: float, top: float) -> float:
    return round(100.0 * points / top, PERCENT_DECIMALS) if top > 0 else 0.0


def lowest_share(item: ItemBase) -> float:
    """The share of its maximum that a weighted-options item's worst option earns (0 for other types):
    in a competency subscore that answer counts as 0%, so that the subscore ranges over what the item
    can tell apart (an attitude item whose options earn 1..5 would otherwise give 20% for its worst)."""
    if isinstance(item, WeightedOptions) and item.max_points > 0:
        return max(min(o.points for o in item.options), 0.0) / item.max_points
    return 0.0


def competency_points(points, top, low_share: float):
    """An item's points as they count in a competency subscore: (points - low) / (top - low) x top with
    low = `low_share` x top, never below 0 (a blank answer to a weighted-options item earns 0). Works on
    numbers and on numpy arrays."""
    if low_share <= 0 or low_share >= 1:
        return points
    low = low_share * top
    return np.maximum(points - low, 0.0) / (top - low) * top


def items_by_competency(
    items: list[ItemBase], changes: Mapping[str, ItemChange], only: list[str] | None = None
) -> dict[str, list[ItemBase]]:
    """The items each competency rests on, counted as scoring counts them: every item that names it,
    dropped items left out; only the competencies in `only` when given. In the order the items first
    name them."""
    carried: dict[str, list[ItemBase]] = {}
    for item in items:
        if item.id in changes and changes[item.id].dropped:
            continue
        for c in dict.fromkeys(item.competencies):
            if only is None or c in only:
                carried.setdefault(c, []).append(item)
    return carried


def summarise(
    items: list[ItemBase], scores: list[ItemScore], grading: Grading, *, floor_total: bool = True
) -> AttemptResult:
    """Totals, band, pass/fail and competency subscores of one attempt's item scores.

    An item with several competencies counts fully in each of them; a weighted-options item counts in
    them from its worst option up (`competency_points`). With `floor_total`, negative marking can bring
    a total down to 0, not below.
    """
    floor = 0.0 if floor_total else -np.inf
    points = max(sum(s.points for s in scores), floor)
    top = sum(s.max_points for s in scores)
    pct = _percent(points, top)
    comp: dict[str, list[float]] = {}
    for item, s in zip(items, scores, strict=True):
        counted = float(competency_points(s.points, s.max_points, lowest_share(item)))
        for c in dict.fromkeys(item.competencies):
            acc = comp.setdefault(c, [0.0, 0.0])
            acc[0] += counted
            acc[1] += s.max_points
    subscores = {}
    for c, (p, t) in comp.items():
        p = max(p, floor)
        subscores[c] = CompetencyScore(c, p, t, _percent(p, t), grading.level_for(max(_percent(p, t), 0.0)))
    return AttemptResult(
        points=points,
        max_points=top,
        percentage=pct,
        band=grading.band_for(max(pct, 0.0)),
        passed=None if grading.pass_mark is None else pct >= grading.pass_mark,
        provisional=any(s.pending for s in scores),
        items=tuple(scores),
        competencies=subscores,
    )


def score_attempt(
    items: list[ItemBase],
    policy: ScoringPolicy,
    grading: Grading,
    responses: dict[str, Any],
    marks: dict[str, str] | None = None,
    changes: Mapping[str, ItemChange] | None = None,
) -> AttemptResult:
    """One attempt: `responses` maps item ids to normalised values; `marks` essay ids to level ids;
    `changes` the adjustments made after the test (assess.adjustments), item id -> what applies."""
    marks, changes = marks or {}, changes or {}
    kept = [i for i in items if not (i.id in changes and changes[i.id].dropped)]
    scores = [
        _adjusted_score(i, policy, responses.get(i.id), marks.get(i.id), changes.get(i.id)) for i in kept
    ]
    return summarise(kept, scores, grading, floor_total=policy.floor_total)


def _adjusted_score(
    item: ItemBase, policy: ScoringPolicy, value: Any, mark: str | None, change: ItemChange | None
) -> ItemScore:
    score = score_item(item, policy, value, mark)
    if change is None:
        return score
    for other in alternatives(item, change.accepted):
        better = score_item(other, policy, value, mark)
        if better.points > score.points:
            score = better
    if change.full_credit:
        score = ItemScore(score.max_points, score.max_points, blank=False)
    if change.points is not None:
        factor = change.points / score.max_points if score.max_points else 0.0
        score = ItemScore(score.points * factor, change.points, score.blank, score.pending)
    return score


@dataclass(frozen=True)
class BulkResult:
    """Many attempts of one form: arrays with one row per attempt."""

    item_ids: list[str]
    competencies: list[str]
    points: np.ndarray  # [attempts, items]
    blank: np.ndarray  # [attempts, items] bool
    pending: np.ndarray  # [attempts, items] bool
    item_max: np.ndarray  # [items]
    total: np.ndarray  # [attempts]
    max_points: float
    percentage: np.ndarray  # [attempts]
    band: np.ndarray  # [attempts] index into grading.bands
    passed: np.ndarray | None  # [attempts] bool
    provisional: np.ndarray  # [attempts] bool
    competency_points: np.ndarray  # [attempts, competencies]
    competency_max: np.ndarray  # [competencies]
    competency_percentage: np.ndarray  # [attempts, competencies]
    competency_level: np.ndarray  # [attempts, competencies]
    grading: Grading

    def attempt(self, row: int) -> AttemptResult:
        """The same result as `score_attempt` gives for this attempt."""
        scores = tuple(
            ItemScore(float(p), float(t), bool(b), bool(q))
            for p, t, b, q in zip(
                self.points[row], self.item_max, self.blank[row], self.pending[row], strict=True
            )
        )
        return AttemptResult(
            points=float(self.total[row]),
            max_points=self.max_points,
            percentage=float(self.percentage[row]),
            band=self.grading.bands[int(self.band[row])],
            passed=None if self.passed is None else bool(self.passed[row]),
            provisional=bool(self.provisional[row]),
            items=scores,
            competencies={
                c: CompetencyScore(
                    c,
                    float(self.competency_points[row, j]),
                    float(self.competency_max[j]),
                    float(self.competency_percentage[row, j]),
                    int(self.competency_level[row, j]),
                )
                for j, c in enumerate(self.competencies)
            },
        )


def _adjusted_column(
    item: ItemBase,
    policy: ScoringPolicy,
    encoded: EncodedItem,
    marks: np.ndarray | None,
    change: ItemChange,
    column: tuple[np.ndarray, np.ndarray, np.ndarray],
    top: float,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], float]:
    """One item's (points, blank, pending) for every attempt, and its maximum, adjusted as `_adjusted_score`
    adjusts one attempt's."""
    points, blank, pending = column
    for other in alternatives(item, change.accepted):
        points = np.maximum(points, score_item_bulk(other, policy, encoded, marks)[0])
    if change.full_credit:
        n = points.shape[0]
        points, blank, pending = np.full(n, top), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if change.points is not None:
        points = points * (change.points / top if top else 0.0)
        top = change.points
    return (points, blank, pending), top


def score_bulk(
    items: list[ItemBase],
    policy: ScoringPolicy,
    grading: Grading,
    encoded: list[EncodedItem],
    marks: dict[int, np.ndarray] | None = None,
    changes: Mapping[str, ItemChange] | None = None,
) -> BulkResult:
    """Every attempt of a form at once. `marks` maps an essay's item index to its marks array; `changes`
    as for `score_attempt` (a dropped item leaves the result's columns)."""
    marks, changes = marks or {}, changes or {}
    columns, kept, maxima_kept = [], [], []
    for k, (it, enc) in enumerate(zip(items, encoded, strict=True)):
        change = changes.get(it.id)
        if change is not None and change.dropped:
            continue
        column = score_item_bulk(it, policy, enc, marks.get(k))
        top = item_max(it, policy)
        if change is not None:
            column, top = _adjusted_column(it, policy, enc, marks.get(k), change, column, top)
        columns.append(column)
        kept.append(it)
        maxima_kept.append(top)
    items = kept
    n = encoded[0].data.shape[0] if encoded else 0
    points = np.column_stack([c[0] for c in columns]) if columns else np.zeros((n, 0))
    blank = np.column_stack([c[1] for c in columns]) if columns else np.zeros((n, 0), dtype=bool)
    pending = np.column_stack([c[2] for c in columns]) if columns else np.zeros((n, 0), dtype=bool)
    maxima = np.array(maxima_kept, dtype=float)
    floor = 0.0 if policy.floor_total else -np.inf
    total = np.maximum(points.sum(axis=1), floor)
    top = float(maxima.sum())
    pct = np.round(100.0 * total / top, PERCENT_DECIMALS) if top > 0 else np.zeros_like(total)
    competencies = list(dict.fromkeys(c for it in items for c in it.competencies))
    incidence = np.array([[float(c in it.competencies) for c in competencies] for it in items])
    counted = points.copy()
    for j, it in enumerate(items):
        counted[:, j] = competency_points(points[:, j], maxima[j], lowest_share(it))
    comp_points = np.maximum(counted @ incidence, floor)
    comp_max = maxima @ incidence
    with np.errstate(divide="ignore", invalid="ignore"):
        comp_pct = np.round(np.where(comp_max > 0, 100.0 * comp_points / comp_max, 0.0), PERCENT_DECIMALS)
    thresholds = np.array(grading.level_thresholds)
    mins = np.array([b.min for b in grading.bands])
    order = np.argsort(mins)
    band = order[np.searchsorted(mins[order], np.maximum(pct, 0.0), side="right") - 1]
    return BulkResult(
        item_ids=[it.id for it in items],
        competencies=competencies,
        points=points,
        blank=blank,
        pending=pending,
        item_max=maxima,
        total=total,
        max_points=top,
        percentage=pct,
        band=band,
        passed=None if grading.pass_mark is None else pct >= grading.pass_mark,
        provisional=pending.any(axis=1),
        competency_points=comp_points,
        competency_max=comp_max,
        competency_percentage=comp_pct,
        competency_level=np.searchsorted(thresholds, np.maximum(comp_pct, 0.0), side="right"),
        grading=grading,
    )
