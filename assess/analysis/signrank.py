"""Wilcoxon signed-rank test as R's wilcox.test does it by default (pure: no I/O)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import special

from assess.analysis._common import _choice, _paired_iv, _two_sided_p, _warn

WILCOXON_METHODS = ("auto", "exact", "approx")
EXACT_LIMIT = 50  # R: exact <- (n < 50)


@lru_cache(maxsize=64)
def signrank_pmf(n: int) -> np.ndarray:
    """The exact null distribution of V (sum of positive ranks 1..n): P(V = k), k = 0..n(n+1)/2.

    Dynamic programming over the ranks: adding rank i, P_i(k) = (P_{i-1}(k) +
    P_{i-1}(k - i)) / 2. Every value is count / 2**n, a dyadic fraction, so
    for n <= 53 the probabilities (and their cumulative sums) are exact floats.
    """
    if n < 0:
        raise ValueError("`n` must be 0 or more")
    p = np.zeros(n * (n + 1) // 2 + 1)
    p[0] = 1.0
    top = 0
    for i in range(1, n + 1):
        shifted = p[: top + 1].copy()
        p[: top + 1] *= 0.5
        p[i : i + top + 1] += 0.5 * shifted
        top += i
    p.setflags(write=False)
    return p


def psignrank(v: float, n: int, *, lower_tail: bool = True) -> float:
    """P(V <= v), or P(V > v) with lower_tail=False, under the null (R's psignrank).

    As R, v is first rounded to the nearest whole number (after adding 1e-7).
    """
    pmf = signrank_pmf(n)
    k = min(max(round(v + 1e-7), -1), pmf.size - 1)
    return float(pmf[: k + 1].sum()) if lower_tail else float(pmf[k + 1 :].sum())


@dataclass(frozen=True)
class WilcoxonResult:
    """V = sum of the ranks of the positive differences post - pre (R's statistic)."""

    statistic: float
    pvalue: float
    method: str  # "exact" or "approx", as used
    n: int  # non-zero differences ranked
    n_zero: int  # zero differences dropped
    ties: bool
    z: float  # the standardised statistic (approx only; NaN for exact)
    correction: bool


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n of `x`, ties sharing the mean of their ranks (as scipy.stats.rankdata's default)."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="stable")
    ordered = x[order]
    # Each run of equal values gets the mean of the ranks it spans: (first + last) / 2.
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], x.size]
    ranks = np.empty(x.size)
    ranks[order] = np.repeat((starts + ends + 1) / 2, ends - starts)
    return ranks


def _signif(x: np.ndarray, digits: int) -> np.ndarray:
    return np.array([float(f"{v:.{digits}g}") for v in x])


def wilcoxon_signed_rank(
    pre,
    post,
    *,
    method: str = "auto",
    correction: bool = True,
    digits_rank: int | None = None,
) -> WilcoxonResult:
    """Wilcoxon signed-rank test exactly as R's `wilcox.test(post, pre, paired = TRUE)` by default.

    - d = post - pre; zero differences are dropped (Wilcoxon's convention,
      R's default, scipy's zero_method="wilcox") and counted in `n_zero`.
    - The |d| get mid-ranks for ties (R's rank(), ties.method "average");
      with `digits_rank` (R's digits.rank; default None = Inf) they are ranked
      after rounding to that many significant digits (R's signif).
    - V = the sum of the ranks of the positive differences.
    - method "auto" (R's exact = NULL): the exact p-value when fewer than 50
      differences remain and there are neither ties nor zeros; otherwise the
      normal approximation. "exact" forces the exact distribution, except
      with ties or zeros, where R (up to 4.5) falls back to the normal
      approximation with a warning, and so does this. "approx" always uses it.
    - Exact: two-sided p = min(1, 2 P(V >= v)) when v > n(n+1)/4, else
      min(1, 2 P(V <= v)); from the exact null distribution (`signrank_pmf`).
    - Normal approximation: z = (V - n(n+1)/4 - c) / sigma with
      sigma^2 = n(n+1)(2n+1)/24 - sum(t^3 - t)/48 over tie groups t; the
      continuity correction c = sign(V - n(n+1)/4) / 2 (0 with
      correction=False); p = 2 min(Phi(z), 1 - Phi(z)).
    - Two-sided, as R's default alternative.
    - With no non-zero difference, V = 0 and p is NaN (as R), with a warning;
      with no pairs at all (R stops), V and p are NaN.
    """
    pre, post = _paired_iv(pre, post)
    method = _choice("method", method, WILCOXON_METHODS)
    if digits_rank is not None and (int(digits_rank) != digits_rank or digits_rank < 1):
        raise ValueError(f"`digits_rank` must be a whole number of 1 or more; got {digits_rank!r}")
    d = post - pre
    if not d.size:  # R: "not enough (non-missing) 'x' observations"
        _warn("no pairs: the Wilcoxon test is undefined")
        return WilcoxonResult(math.nan, math.nan, "approx", 0, 0, False, math.nan, correction)
    zero = d == 0
    d = d[~zero]
    n = d.size
    ranks = average_ranks(np.abs(d if digits_rank is None else _signif(d, digits_rank)))
    v = float(ranks[d > 0].sum())
    _, counts = np.unique(ranks, return_counts=True)
    ties = bool((counts > 1).any())
    zeros = bool(zero.any())
    exact = n < EXACT_LIMIT if method == "auto" else method == "exact"
    if exact and (ties or zeros) and method == "exact":
        _warn("cannot compute an exact p-value with ties or zeros: normal approximation used")
    if exact and not ties and not zeros:
        tail = psignrank(v - 1, n, lower_tail=False) if v > n * (n + 1) / 4 else psignrank(v, n)
        return WilcoxonResult(v, min(1.0, 2 * tail), "exact", n, int(zero.sum()), ties, math.nan, correction)
    centre = v - n * (n + 1) / 4
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - float((counts**3 - counts).sum()) / 48)
    c = float(np.sign(centre)) * 0.5 if correction else 0.0
    if sigma == 0:
        _warn("no non-zero differences: the Wilcoxon p-value is undefined")
        z = p = math.nan
    else:
        z = (centre - c) / sigma
        p = _two_sided_p(z, special.ndtr)
    return WilcoxonResult(v, p, "approx", n, int(zero.sum()), ties, z, correction)
