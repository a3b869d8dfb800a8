"""Pre/post learning gain: normalised gains, paired t-test, effect sizes, Wilcoxon signed-rank.

Pure functions on arrays, in the manner of scipy.stats: conventions are
keyword parameters with documented defaults (each in its function's
docstring: the ceiling rule in `normalized_gain`, the t interval in
`PairedTTestResult.confidence_interval`, d_av's denominator in
`effect_sizes`, Hedges' exact J in `hedges_j`, R's rules in
`wilcoxon_signed_rank`), results are named objects. Differences are always
`post - pre`, so a learning gain is positive. `prepost` does it all at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from assess.analysis._common import (  # noqa: F401 - DegenerateDataWarning is part of this module's API
    ConfidenceInterval,
    DegenerateDataWarning,
    _choice,
    _level_iv,
    _max_iv,
    _paired_iv,
    _two_sided_p,
    _warn,
)
from assess.analysis.signrank import (  # noqa: F401 - re-exported
    WILCOXON_METHODS,
    WilcoxonResult,
    psignrank,
    signrank_pmf,
    wilcoxon_signed_rank,
)

GAIN_METHODS = ("hake", "marx-cummings")
CEILING_RULES = {
    "hake": "pre_at_max_left_out",  # pre == max: no individual gain
    "marx-cummings": "equal_at_0_or_max_left_out",  # pre == post == max or pre == post == 0
}


# -- normalised gain ------------------------------------------------------------------


@dataclass(frozen=True)
class NormalizedGain:
    """Hake's <g>, the average of individual gains, and what was left out.

    `individual` holds each pair's gain (or normalised change), NaN where the
    pair has none (ceiling rule, or a score outside 0..max).
    """

    hake_g: float
    g_ave: float
    individual: np.ndarray
    n_used: int  # pairs in g_ave
    n_ceiling: int  # pairs left out of g_ave by the ceiling rule
    n_out_of_range: int  # pairs with a score outside 0..max: no normalised gain at all
    method: str
    ceiling_rule: str


def normalized_gain(pre, post, *, max_score: float = 100.0, method: str = "hake") -> NormalizedGain:
    """Hake's class-average normalised gain <g> and the average of individual gains.

    <g> = (mean(post) - mean(pre)) / (max_score - mean(pre)) (Hake 1998,
    Am. J. Phys. 66, 64), over the pairs whose scores both lie in
    0..max_score; NaN when mean(pre) == max_score or there is no such pair.

    `method` chooses the individual quantity averaged into `g_ave`:

    - "hake" (default): g_i = (post - pre) / (max_score - pre). Ceiling rule:
      a pair with pre == max_score has no g_i; it is left out of g_ave and
      counted in `n_ceiling` (it stays in <g>).
    - "marx-cummings": the normalised change c of Marx & Cummings (2007,
      Am. J. Phys. 75, 87): (post - pre) / (max - pre) when post > pre,
      (post - pre) / pre when post < pre, 0 when post == pre; a pair with
      pre == post == max or pre == post == 0 is dropped, as they prescribe,
      and counted in `n_ceiling`.

    Pairs with a score outside 0..max_score get no normalised gain of either
    kind and are counted in `n_out_of_range`.
    """
    pre, post = _paired_iv(pre, post)
    max_score = _max_iv(max_score)
    method = _choice("method", method, GAIN_METHODS)
    in_range = (pre >= 0) & (pre <= max_score) & (post >= 0) & (post <= max_score)
    p, q = pre[in_range], post[in_range]
    individual = np.full(pre.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "hake":
            ceiling = in_range & (pre == max_score)
            g = (post - pre) / (max_score - pre)
        else:
            ceiling = in_range & (pre == post) & ((pre == max_score) | (pre == 0))
            g = np.where(post > pre, (post - pre) / (max_score - pre), (post - pre) / pre)
            g = np.where(post == pre, 0.0, g)
    used = in_range & ~ceiling
    individual[used] = g[used]
    if p.size and p.mean() < max_score:
        hake_g = float((q.mean() - p.mean()) / (max_score - p.mean()))
    else:
        hake_g = math.nan
    g_ave = float(individual[used].mean()) if used.any() else math.nan
    return NormalizedGain(
        hake_g=hake_g,
        g_ave=g_ave,
        individual=individual,
        n_used=int(used.sum()),
        n_ceiling=int(ceiling.sum()),
        n_out_of_range=int((~in_range).sum()),
        method=method,
        ceiling_rule=CEILING_RULES[method],
    )


# -- paired t-test and effect sizes -----------------------------------------------------


@dataclass(frozen=True)
class PairedTTestResult:
    """t = mean(d) / se with se = sd(d, ddof=1) / sqrt(n), df = n - 1, d = post - pre."""

    statistic: float
    pvalue: float
    df: int
    mean_difference: float
    standard_error: float

    def confidence_interval(self, confidence_level: float = 0.95) -> ConfidenceInterval:
        """The two-sided t interval of the mean gain: mean -/+ t(1 - alpha/2, df) * se.

        alpha = 1 - confidence_level; t(., df) is Student's t quantile with
        the test's df = n - 1 (as scipy's TtestResult.confidence_interval).
        """
        level = _level_iv(confidence_level)
        if self.df < 1:
            return ConfidenceInterval(math.nan, math.nan)
        h = float(special.stdtrit(self.df, 0.5 + level / 2) * self.standard_error)
        return ConfidenceInterval(self.mean_difference - h, self.mean_difference + h)


def paired_ttest(pre, post) -> PairedTTestResult:
    """Two-sided paired t-test of d = post - pre (as scipy.stats.ttest_rel(post, pre)).

    With fewer than 2 pairs every value is NaN; with no spread in d, t is
    +/-inf (p = 0) or NaN when d is all 0; both warn DegenerateDataWarning.
    """
    pre, post = _paired_iv(pre, post)
    d = post - pre
    n = d.size
    if n < 2:
        _warn("a paired t-test needs at least 2 pairs")
        mean = float(d.mean()) if n else math.nan
        return PairedTTestResult(math.nan, math.nan, max(n - 1, 0), mean, math.nan)
    mean = float(d.mean())
    se = float(d.std(ddof=1) / math.sqrt(n))
    if se == 0:
        _warn("the differences have no spread: t is infinite or undefined")
    with np.errstate(divide="ignore", invalid="ignore"):
        t = float(np.float64(mean) / se)
    return PairedTTestResult(t, _two_sided_p(t, lambda x: special.stdtr(n - 1, x)), n - 1, mean, se)


def hedges_j(df: float) -> float:
    """Hedges' exact small-sample correction J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)).

    Hedges (1981), J. Educ. Stat. 6, 107, eq. 6b; approximately 1 - 3/(4m - 1).
    Computed through log-gamma. J(1) = 0 (Gamma(0) is infinite); NaN for m < 1.
    """
    m = float(df)
    if not m >= 1:
        return math.nan
    if m == 1:
        return 0.0
    return math.exp(special.gammaln(m / 2) - special.gammaln((m - 1) / 2) - 0.5 * math.log(m / 2))


@dataclass(frozen=True)
class EffectSizes:
    """d_z, d_av and Hedges' g_z = J(df) * d_z with df = n - 1."""

    d_z: float
    d_av: float
    hedges_g_z: float
    j: float
    df: int


def effect_sizes(pre, post) -> EffectSizes:
    """Standardised mean gains of paired scores (d = post - pre; every SD with ddof=1).

    - d_z = mean(d) / sd(d) (Cohen 1988; Lakens 2013, eq. 8): t / sqrt(n).
    - d_av = mean(d) / ((sd(pre) + sd(post)) / 2): the mean gain over the
      average of the two standard deviations (Cumming 2012; Lakens 2013, eq. 10).
    - hedges_g_z = J(n - 1) * d_z with the exact J of `hedges_j`.

    NaN (with DegenerateDataWarning) for fewer than 2 pairs or a zero denominator.
    """
    pre, post = _paired_iv(pre, post)
    n = pre.size
    if n < 2:
        _warn("effect sizes need at least 2 pairs")
        return EffectSizes(math.nan, math.nan, math.nan, math.nan, max(n - 1, 0))
    d = post - pre
    mean = d.mean()
    sd_d = d.std(ddof=1)
    sd_av = (pre.std(ddof=1) + post.std(ddof=1)) / 2
    if sd_d == 0 or sd_av == 0:
        _warn("no spread: an effect size is infinite or undefined")
    with np.errstate(divide="ignore", invalid="ignore"):
        d_z = float(mean / sd_d)
        d_av = float(mean / sd_av)
    j = hedges_j(n - 1)
    return EffectSizes(d_z, d_av, j * d_z, j, n - 1)


# -- all of it at once ----------------------------------------------------------------


@dataclass(frozen=True)
class PrePostResult:
    """Every pre/post statistic of one set of scores; see `prepost`."""

    n: int  # pairs
    n_unpaired: int  # rows lacking a score
    unpaired: np.ndarray  # their row indices
    mean_pre: float
    mean_post: float
    mean_gain: float
    sd_pre: float
    sd_post: float
    sd_gain: float
    max_score: float
    confidence_level: float
    gain: NormalizedGain
    ttest: PairedTTestResult
    effects: EffectSizes
    wilcoxon: WilcoxonResult

    def confidence_interval(self) -> ConfidenceInterval:
        """The t interval of the mean gain at this result's confidence level."""
        return self.ttest.confidence_interval(self.confidence_level)


def prepost(
    pre,
    post,
    *,
    max_score: float = 100.0,
    gain: str = "hake",
    confidence_level: float = 0.95,
    wilcoxon_method: str = "auto",
    correction: bool = True,
    digits_rank: int | None = None,
) -> PrePostResult:
    """Pair the scores and compute every pre/post statistic.

    `pre[i]` and `post[i]` are one participant's scores; NaN marks a missing
    score. Rows with both scores are the pairs; a row lacking either is
    unpaired (counted in `n_unpaired`, its index in `unpaired`). The rest is `normalized_gain` (with
    `max_score`, `gain` as its method), `paired_ttest`, `effect_sizes` and
    `wilcoxon_signed_rank` (with `wilcoxon_method`, `correction`,
    `digits_rank`) on the pairs, and means and SDs (ddof=1) of pre, post and
    the gain post - pre.
    """
    pre, post = np.asarray(pre, dtype=float), np.asarray(post, dtype=float)
    if pre.ndim != 1 or pre.shape != post.shape:
        raise ValueError("`pre` and `post` must be one-dimensional and of the same length")
    if np.isinf(pre).any() or np.isinf(post).any():
        raise ValueError("`pre` and `post` must be finite numbers or NaN (missing)")
    level = _level_iv(confidence_level)
    missing_pre, missing_post = np.isnan(pre), np.isnan(post)
    paired = ~missing_pre & ~missing_post
    p, q = pre[paired], post[paired]
    n = int(paired.sum())

    def mean(x):
        return float(x.mean()) if x.size else math.nan

    def sd(x):
        return float(x.std(ddof=1)) if x.size > 1 else math.nan

    return PrePostResult(
        n=n,
        n_unpaired=int((~paired).sum()),
        unpaired=np.flatnonzero(~paired),
        mean_pre=mean(p),
        mean_post=mean(q),
        mean_gain=mean(q - p),
        sd_pre=sd(p),
        sd_post=sd(q),
        sd_gain=sd(q - p),
        max_score=_max_iv(max_score),
        confidence_level=level,
        gain=normalized_gain(p, q, max_score=max_score, method=gain),
        ttest=paired_ttest(p, q),
        effects=effect_sizes(p, q),
        wilcoxon=wilcoxon_signed_rank(
            p, q, method=wilcoxon_method, correction=correction, digits_rank=digits_rank
        ),
    )
