"""McNemar's test of a dichotomous item answered before and after (pure: no I/O).

For one item and n paired participants, the 2x2 table of (pre, post)
outcomes has two discordant cells: b = right before and wrong after
(1 -> 0) and c = wrong before and right after (0 -> 1). Under the null
hypothesis of no change, c ~ Binomial(b + c, 1/2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import special


@dataclass(frozen=True)
class McNemarResult:
    """McNemar's test: the exact binomial p-value and the continuity-corrected chi-square."""

    n: int | None  # pairs (None when only the counts were given)
    b: int  # right before, wrong after (1 -> 0)
    c: int  # wrong before, right after (0 -> 1)
    pre_proportion: float  # proportion right before
    post_proportion: float  # proportion right after
    exact_pvalue: float  # two-sided exact binomial test of c out of b + c at 1/2
    statistic: float  # chi-square with df 1
    pvalue: float  # its p-value
    correction: bool  # whether the continuity correction was applied to `statistic`


def _half_binomial_cdf(k: int, m: int) -> float:
    """P(X <= k) for X ~ Binomial(m, 1/2): the regularized incomplete beta I_1/2(m - k, k + 1)."""
    return 1.0 if k >= m else float(special.betainc(m - k, k + 1, 0.5))


def mcnemar_counts(b: int, c: int, *, n: int | None = None, correction: bool = True) -> McNemarResult:
    """McNemar's test from the two discordant counts (proportions need `n`, else NaN).

    - Exact: two-sided p = min(1, 2 P(X <= min(b, c))) with X ~ Binomial(b + c, 1/2),
      the same as scipy.stats.binomtest(c, b + c, 0.5) (symmetric at 1/2);
      1 when b + c = 0 (no discordant pair: no evidence of change).
    - Chi-square, df 1, as R's mcnemar.test: (|b - c| - 1)^2 / (b + c) with the
      continuity correction (Edwards 1948), (b - c)^2 / (b + c) without; as R,
      the correction is not applied when b == c (the statistic is then 0).
      NaN (p NaN) when b + c = 0.
    """
    b, c = int(b), int(c)
    if b < 0 or c < 0:
        raise ValueError("`b` and `c` must be counts (0 or more)")
    m = b + c
    exact = 1.0 if m == 0 else min(1.0, 2 * _half_binomial_cdf(min(b, c), m))
    corrected = correction and b != c
    if m == 0:
        statistic = pvalue = math.nan
    else:
        statistic = (abs(b - c) - (1.0 if corrected else 0.0)) ** 2 / m
        pvalue = float(special.chdtrc(1, statistic))
    return McNemarResult(
        n=None if n is None else int(n),
        b=b,
        c=c,
        pre_proportion=math.nan,
        post_proportion=math.nan,
        exact_pvalue=exact,
        statistic=float(statistic),
        pvalue=pvalue,
        correction=corrected,
    )


def mcnemar(pre, post, *, correction: bool = True) -> McNemarResult:
    """McNemar's test of paired dichotomous outcomes (True or 1 = right), see `mcnemar_counts`.

    `pre[i]` and `post[i]` are one participant's outcomes on the item.
    """
    pre, post = np.asarray(pre), np.asarray(post)
    if pre.ndim != 1 or pre.shape != post.shape:
        raise ValueError("`pre` and `post` must be one-dimensional and of the same length")
    if not (np.isin(pre, (0, 1)).all() and np.isin(post, (0, 1)).all()):
        raise ValueError("`pre` and `post` must hold dichotomous outcomes: 0/1 or False/True")
    pre, post = pre.astype(bool), post.astype(bool)
    n = pre.size
    result = mcnemar_counts(int((pre & ~post).sum()), int((~pre & post).sum()), n=n, correction=correction)
    return replace(
        result,
        pre_proportion=float(pre.mean()) if n else math.nan,
        post_proportion=float(post.mean()) if n else math.nan,
    )
