"""What a pre/post gain compares: the same form, or two forms, and whether they were equally difficult.

A parallel post-test draws other items from the same cells: a difference of
scores is then also a difference of forms. The reports say so, with each form's
mean intended difficulty (the bank authors' easy 1, medium 2, hard 3) and,
where the forms share anchor items, the anchors' facility in each test. They
call the difference a gain only when the forms are the same, or when the
anchors show them to be of equal difficulty: per participant, the gain on the
other items minus the gain on the anchors (percentage points), whose 95%
confidence interval must lie within +-EQUIVALENCE points (an equivalence test,
two one-sided at 2.5% each).

No I/O: everything comes from the stored forms and results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from assess.forms import Form
from assess.store.records import Result

DIFFICULTY_VALUE = {"easy": 1.0, "medium": 2.0, "hard": 3.0}
EQUIVALENCE = 5.0  # percentage points


@dataclass(frozen=True)
class FormsCompared:
    same: bool  # one form, the same items
    shared: tuple[str, ...]  # items on both forms (anchors)
    difficulty: tuple[float, float]  # mean intended difficulty of each form, 1..3
    anchor_facility: tuple[float, float] | None  # the anchors' mean share of their points, per test
    difference_ci: tuple[float, float] | None  # 95% CI of (gain on the rest - gain on the anchors)

    @property
    def equal(self) -> bool:
        """The same form, or anchors that show the two forms of equal difficulty."""
        if self.same:
            return True
        ci = self.difference_ci
        return ci is not None and -EQUIVALENCE < ci[0] and ci[1] < EQUIVALENCE


def mean_difficulty(form: Form) -> float:
    values = [DIFFICULTY_VALUE[i.difficulty] for i in form.items if i.difficulty in DIFFICULTY_VALUE]
    return float(np.mean(values)) if values else math.nan


def _share(result: Result, ids: Sequence[str]) -> float:
    marks = [result.items[i] for i in ids if i in result.items]
    top = sum(m.max_points for m in marks)
    return 100.0 * sum(m.points for m in marks) / top if top > 0 else math.nan


def compare_forms(
    pre: Form, post: Form, pre_results: Mapping[str, Result], post_results: Mapping[str, Result]
) -> FormsCompared:
    """`pre_results` and `post_results`: person id -> the result of each test."""
    pre_ids, post_ids = [i.id for i in pre.items], [i.id for i in post.items]
    shared = tuple(i for i in pre_ids if i in set(post_ids))
    same = set(pre_ids) == set(post_ids)
    facility = None
    ci = None
    if shared and not same:
        facility = (
            float(np.nanmean([_share(r, shared) for r in pre_results.values()] or [math.nan])) / 100,
            float(np.nanmean([_share(r, shared) for r in post_results.values()] or [math.nan])) / 100,
        )
        rest_pre = [i for i in pre_ids if i not in shared]
        rest_post = [i for i in post_ids if i not in shared]
        d = np.array(
            [
                (_share(post_results[p], rest_post) - _share(pre_results[p], rest_pre))
                - (_share(post_results[p], shared) - _share(pre_results[p], shared))
                for p in pre_results
                if p in post_results
            ],
            dtype=float,
        )
        d = d[np.isfinite(d)]
        if d.size >= 2:
            half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / math.sqrt(d.size)
            ci = (float(d.mean() - half), float(d.mean() + half))
    return FormsCompared(
        same=same,
        shared=shared,
        difficulty=(mean_difficulty(pre), mean_difficulty(post)),
        anchor_facility=facility,
        difference_ci=ci,
    )
