"""Statistics of a test as a whole: the distribution of total scores and its reliability (pure: no I/O).

Input is a matrix of item marks, people x items, every row one person's marks
(negative marks allowed); each item has a positive maximum. The total score is
the row sum. Conventions, as Moodle's quiz statistics report computes them
(`mod/quiz/report/statistics/classes/calculator.php`):

- variances and covariances divide by n - 1;
- skewness k3 / k2^(3/2) and excess kurtosis k4 / k2^2 from the unbiased
  cumulants k2, k3, k4 (equal to scipy.stats.skew / kurtosis with bias=False);
- Cronbach's alpha is Moodle's coefficient of internal consistency (as a
  proportion, not a percentage); SEM = sd * sqrt(1 - alpha), Moodle's
  "standard error", used as it is even when alpha is negative.

Others:

- KR-20 and KR-21 are computed on number-correct scores (each item right or
  wrong, 1 or 0) and only when every item is dichotomous (every mark is 0 or
  the item's maximum); otherwise they are NaN. KR-20 equals alpha of the 0/1
  matrix whatever the variance divisor. KR-21's variance divides by n - ddof,
  `kr21_ddof` = 0 by default: the population variance, as Kuder and
  Richardson (1937) wrote it, which keeps KR-21 <= KR-20.
- Standardised alpha: k r / (1 + (k - 1) r), r the mean inter-item correlation.
- Feldt's confidence interval for alpha (Feldt, Woodruff & Salih 1987, formulas
  6 and 7): 1 - (1 - alpha) F, F the quantiles of F(n - 1, (n - 1)(k - 1)).
- Spearman-Brown: the length factor m = r*(1 - r) / (r (1 - r*)) that takes
  reliability r to r*; the items needed are ceil(m k).

A value that cannot be derived from the data is NaN (None for counts), with a
DegenerateDataWarning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from assess.analysis._common import (  # noqa: F401 - both are part of this module's API
    ConfidenceInterval,
    DegenerateDataWarning,
    _warn,
)

CHUNK_ROWS = 65_536  # rows centred at a time when the covariance matrix is built


def matrix_iv(marks, max_marks=1.0) -> tuple[np.ndarray, np.ndarray]:
    """The marks as a float64 people x items array and the items' maxima, checked."""
    x = np.asarray(marks, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("`marks` must be a 2-D array: one row per person, one column per item")
    n, k = x.shape
    if n < 1 or k < 1:
        raise ValueError("`marks` needs at least one person (row) and one item (column)")
    if not np.isfinite(x).all():
        raise ValueError("`marks` must be finite numbers (no NaN, no infinity)")
    top = np.asarray(max_marks, dtype=np.float64)
    if top.ndim == 0:
        top = np.full(k, float(top))
    if top.shape != (k,):
        raise ValueError(f"`max_marks` must be one number or one per item ({k}), got shape {top.shape}")
    if not (np.isfinite(top) & (top > 0)).all():
        raise ValueError("`max_marks` must be finite and positive")
    return x, top


@dataclass(frozen=True)
class Moments:
    """What every statistic here needs, computed once: totals, item means, covariances (n - 1)."""

    n: int
    k: int
    totals: np.ndarray  # (n,) row sums
    means: np.ndarray  # (k,)
    cov: np.ndarray  # (k, k), divisor n - 1; NaN when n < 2

    @classmethod
    def of(cls, x: np.ndarray) -> Moments:
        n, k = x.shape
        means = x.mean(axis=0)
        gram = np.zeros((k, k))
        for start in range(0, n, CHUNK_ROWS):  # centred in chunks: accurate, and no copy of x
            c = x[start : start + CHUNK_ROWS] - means
            gram += c.T @ c
        cov = gram / (n - 1) if n > 1 else np.full((k, k), np.nan)
        return cls(n, k, x.sum(axis=1), means, cov)


@dataclass(frozen=True)
class ScoreStatistics:
    """The test as a whole. Floats are NaN where the data cannot give them."""

    n: int
    k: int
    mean: float
    median: float
    sd: float
    skewness: float
    kurtosis: float  # excess kurtosis
    alpha: float
    kr20: float
    kr21: float
    standardized_alpha: float
    sem: float
    kr21_ddof: int

    def alpha_ci(self, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Feldt's confidence interval for alpha."""
        return feldt_interval(self.alpha, self.n, self.k, confidence_level)

    def items_for_reliability(self, target: float = 0.8) -> int | None:
        """Items of the same kind needed for alpha to reach `target` (Spearman-Brown)."""
        return items_for_reliability(self.alpha, self.k, target)


def alpha_from_cov(cov: np.ndarray) -> float:
    """Cronbach's alpha from the items' covariance matrix: k/(k-1) (1 - sum var_j / var T)."""
    k = cov.shape[0]
    total_var = float(cov.sum())
    if k < 2 or not total_var > 0:
        return math.nan
    return k / (k - 1) * (1.0 - float(np.trace(cov)) / total_var)


def cronbach_alpha(marks) -> float:
    """Cronbach's alpha of a people x items matrix (Moodle's coefficient of internal consistency / 100)."""
    x, _ = matrix_iv(marks)
    return alpha_from_cov(Moments.of(x).cov)


def standardized_alpha_from_cov(cov: np.ndarray) -> float:
    k = cov.shape[0]
    sd = np.sqrt(np.diag(cov))
    if k < 2 or not (sd > 0).all():
        return math.nan
    corr = cov / np.outer(sd, sd)
    r = (float(corr.sum()) - k) / (k * (k - 1))  # mean of the off-diagonal correlations
    denominator = 1 + (k - 1) * r
    return k * r / denominator if denominator != 0 else math.nan


def dichotomous(x: np.ndarray, max_marks: np.ndarray) -> bool:
    """Every mark is 0 or its item's maximum."""
    return bool(((x == 0) | (x == max_marks)).all())


def kr21(k: int, mean: float, variance: float) -> float:
    """KR-21 from the mean and variance of number-correct scores on k items."""
    if k < 2 or not variance > 0:
        return math.nan
    return k / (k - 1) * (1.0 - mean * (k - mean) / (k * variance))


def feldt_interval(alpha: float, n: int, k: int, confidence_level: float = 0.95) -> ConfidenceInterval:
    """Feldt, Woodruff & Salih (1987), formulas 6 and 7, with F(n - 1, (n - 1)(k - 1))."""
    if not 0 < confidence_level < 1:
        raise ValueError("`confidence_level` must be between 0 and 1")
    if math.isnan(alpha) or n < 2 or k < 2:
        return ConfidenceInterval(math.nan, math.nan)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - confidence_level) / 2
    f_high, f_low = special.fdtri(df1, df2, [1 - tail, tail])  # the F quantiles, as scipy.stats.f.ppf
    return ConfidenceInterval(1 - (1 - alpha) * float(f_high), 1 - (1 - alpha) * float(f_low))


def spearman_brown(reliability: float, factor: float) -> float:
    """The reliability of a test `factor` times as long: m r / (1 + (m - 1) r)."""
    return factor * reliability / (1 + (factor - 1) * reliability)


def spearman_brown_factor(reliability: float, target: float) -> float:
    """The length factor that takes `reliability` to `target`; NaN unless 0 < reliability < 1."""
    if not 0 < target < 1:
        raise ValueError("`target` must be between 0 and 1")
    if math.isnan(reliability) or not 0 < reliability < 1:
        return math.nan
    return target * (1 - reliability) / (reliability * (1 - target))


def items_for_reliability(reliability: float, k: int, target: float = 0.8) -> int | None:
    """Items needed (ceil(m k), at least 1) for `reliability` on k items to become `target`."""
    factor = spearman_brown_factor(reliability, target)
    if math.isnan(factor):
        return None
    return max(1, math.ceil(round(factor * k, 9)))  # 30.000000000004 is 30 items


def _moodle_shape(totals: np.ndarray) -> tuple[float, float, float]:
    """(sd, skewness, excess kurtosis) of the totals, by Moodle's formulas."""
    s = totals.size
    if s < 2:
        return math.nan, math.nan, math.nan
    d = totals - totals.mean()
    d2 = d * d
    power2, power3, power4 = float(d2.sum()), float((d2 * d).sum()), float((d2 * d2).sum())
    sd = math.sqrt(power2 / (s - 1))
    skew = kurt = math.nan
    if s > 2:
        m2, m3, m4 = power2 / s, power3 / s, power4 / s
        k2 = s * m2 / (s - 1)
        k3 = s * s * m3 / ((s - 1) * (s - 2))
        if k2 != 0:
            skew = k3 / k2**1.5
            if s > 3:
                k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
                kurt = k4 / (k2 * k2)
    return sd, skew, kurt


def statistics_from_moments(
    m: Moments, x: np.ndarray, max_marks: np.ndarray, *, kr21_ddof: int = 0
) -> ScoreStatistics:
    """ScoreStatistics from precomputed moments (shared with the item statistics)."""
    if kr21_ddof not in (0, 1):
        raise ValueError("`kr21_ddof` must be 0 (population variance) or 1 (sample variance)")
    sd, skew, kurt = _moodle_shape(m.totals)
    alpha = standardized = kr20 = kr_21 = sem = math.nan
    if m.n > 1:
        alpha = alpha_from_cov(m.cov)
        standardized = standardized_alpha_from_cov(m.cov)
        if not math.isnan(alpha):
            sem = sd * math.sqrt(1 - alpha)
        if dichotomous(x, max_marks):
            kr20 = alpha_from_cov(m.cov / np.outer(max_marks, max_marks))
            right = m.totals if (max_marks == 1).all() else (x / max_marks).sum(axis=1)
            if m.n > kr21_ddof:
                kr_21 = kr21(m.k, float(right.mean()), float(right.var(ddof=kr21_ddof)))
    if m.n < 2 or not (sd > 0):
        _warn("the total scores have no variance (or fewer than two people): reliability is undefined")
    return ScoreStatistics(
        n=m.n,
        k=m.k,
        mean=float(m.totals.mean()),
        median=float(np.median(m.totals)),
        sd=sd,
        skewness=skew,
        kurtosis=kurt,
        alpha=alpha,
        kr20=kr20,
        kr21=kr_21,
        standardized_alpha=standardized,
        sem=sem,
        kr21_ddof=kr21_ddof,
    )


def score_statistics(marks, max_marks=1.0, *, kr21_ddof: int = 0) -> ScoreStatistics:
    """Statistics of the test as a whole from a people x items matrix of marks.

    `max_marks`: one number for every item, or one per item (default 1).
    `kr21_ddof`: KR-21's variance divisor n - ddof (default 0, see the module).
    """
    x, top = matrix_iv(marks, max_marks)
    return statistics_from_moments(Moments.of(x), x, top, kr21_ddof=kr21_ddof)
