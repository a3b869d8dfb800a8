"""What a phase's form measured of each competency, and how precisely.

The reports claim a competency's score, level and gain for a phase only when its
form carries the competency on at least `reporting.min_items_per_competency`
items (counted as scoring counts them: every item that names it, dropped items
left out), and give each score with its standard error of measurement:

- SD x sqrt(1 - alpha), in percentage points, with alpha the subscore's own
  Cronbach's alpha across the cohort and SD the standard deviation of the
  cohort's subscores, when alpha can be computed (at least 3 items and 10
  people with every mark in) and is positive;
- else the binomial error of one person's share p over the k items,
  100 x sqrt(p (1 - p) / k), said to be the binomial estimate.

No I/O: everything comes from the stored form, its corrections and results.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assess.adjustments import ItemChange
from assess.analysis.test_stats import cronbach_alpha
from assess.bank.model import ItemBase, WeightedOptions
from assess.event import Reporting
from assess.forms import Form
from assess.scoring import competency_points, item_max, items_by_competency, lowest_share
from assess.store.records import Result

MIN_ITEMS_FOR_ALPHA = 3
MIN_PEOPLE_FOR_ALPHA = 10
ALPHA, BINOMIAL = "alpha", "binomial"


@dataclass(frozen=True)
class Measured:
    """One competency on one phase's form."""

    competency: str
    items: tuple[ItemBase, ...]
    points: float  # the most its items can give it
    enough: bool  # carried by at least the minimum of items: reported
    levels_only: bool  # every item weighted options whose points are the framework's levels
    alpha: float  # the subscore's Cronbach's alpha across the cohort (NaN: not computed)
    sd: float  # the cohort's standard deviation of the subscore, in percentage points

    @property
    def method(self) -> str:
        return ALPHA if self.alpha > 0 and not math.isnan(self.sd) else BINOMIAL

    def sem(self, percentage: float) -> float:
        """The standard error of measurement of a subscore of `percentage`, in percentage points."""
        if self.method == ALPHA:
            return self.sd * math.sqrt(1.0 - self.alpha)
        p = min(max(percentage / 100.0, 0.0), 1.0)
        return 100.0 * math.sqrt(p * (1.0 - p) / len(self.items))


def measured(
    form: Form,
    changes: Mapping[str, ItemChange],
    results: Sequence[Result],
    reporting: Reporting,
    levels: int,
) -> dict[str, Measured]:
    """Each competency the form measures (of `reporting.competencies`, when set), in the order the form
    first names them."""
    carried = items_by_competency(form.items, changes, reporting.competencies)
    return {
        c: _measure(c, items, form, changes, results, reporting.min_items_per_competency, levels)
        for c, items in carried.items()
    }


def _measure(
    competency: str,
    items: list[ItemBase],
    form: Form,
    changes: Mapping[str, ItemChange],
    results: Sequence[Result],
    minimum: int,
    levels: int,
) -> Measured:
    def top(item: ItemBase) -> float:
        change = changes.get(item.id)
        return (
            change.points if change is not None and change.points is not None else item_max(item, form.policy)
        )

    complete = [r for r in results if all(_mark_in(r, i.id) for i in items)]
    alpha = math.nan
    if len(items) >= MIN_ITEMS_FOR_ALPHA and len(complete) >= MIN_PEOPLE_FOR_ALPHA:
        marks = np.array(
            [
                [
                    competency_points(r.items[i.id].points, r.items[i.id].max_points, lowest_share(i))
                    for i in items
                ]
                for r in complete
            ],
            dtype=float,
        )
        alpha = cronbach_alpha(marks)
    shares = np.array(
        [r.competencies[competency].percentage for r in results if competency in r.competencies]
    )
    return Measured(
        competency=competency,
        items=tuple(items),
        points=sum(top(i) for i in items),
        enough=len(items) >= minimum,
        levels_only=all(_levels_only(i, levels) for i in items),
        alpha=alpha,
        sd=float(shares.std(ddof=1)) if shares.size >= 2 else math.nan,
    )


def _mark_in(result: Result, item_id: str) -> bool:
    mark = result.items.get(item_id)
    return mark is not None and not mark.pending


def _levels_only(item: ItemBase, levels: int) -> bool:
    return isinstance(item, WeightedOptions) and all(
        float(o.points).is_integer() and 1 <= o.points <= levels for o in item.options
    )


def median_level(m: Measured, result: Result) -> int | None:
    """For a competency measured only by weighted-options items whose points are levels: the (lower)
    median of the levels the participant's chosen options stand for; None without an answer."""
    chosen = []
    for item in m.items:
        mark = result.items.get(item.id)
        if mark is None or mark.blank or mark.pending or mark.max_points <= 0:
            continue
        chosen.append(round(mark.points / mark.max_points * item.max_points))
    return int(statistics.median_low(chosen)) if chosen else None
