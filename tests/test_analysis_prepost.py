"""Pre/post statistics (assess.analysis.prepost, assess.analysis.mcnemar): hand-checked and published
values, and cross-checks against scipy where the conventions agree."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from assess.analysis.mcnemar import mcnemar, mcnemar_counts
from assess.analysis.prepost import (
    DegenerateDataWarning,
    effect_sizes,
    hedges_j,
    normalized_gain,
    paired_ttest,
    prepost,
    psignrank,
    signrank_pmf,
    wilcoxon_signed_rank,
)
from assess.analysis.records import record, run_prepost

# Lakens (2013), "Calculating and reporting effect sizes", Front. Psychol. 4:863, Table 1: ten people
# rate two movies; the paper reports t(9) = 4.74, p = 0.001, d_z = 1.50, d_av = 1.13, CI [0.52, 1.48].
MOVIE_1 = np.array([9, 7, 8, 9, 8, 9, 9, 10, 9, 9], dtype=float)
MOVIE_2 = np.array([9, 6, 7, 8, 7, 9, 8, 8, 8, 7], dtype=float)
# R's ?wilcox.test (Hollander & Wolfe 1973, p. 29: depression scale before and after a tranquilizer):
# wilcox.test(x, y, paired = TRUE, alternative = "greater") gives V = 40, p-value = 0.01953.
HW_X = np.array([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30])
HW_Y = np.array([0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29])


# -- normalised gain ---------------------------------------------------------------------


def test_hake_class_gain_and_average_of_individual_gains_with_the_ceiling_rule():
    pre, post = [20, 50, 80, 100], [60, 60, 90, 90]
    g = normalized_gain(pre, post)
    # <g> = (75 - 62.5) / (100 - 62.5) = 1/3; g_i = 40/80, 10/50, 10/20; the pre = 100 row left out
    assert g.hake_g == pytest.approx(1 / 3)
    assert g.g_ave == pytest.approx((0.5 + 0.2 + 0.5) / 3)
    assert (g.n_used, g.n_ceiling, g.n_out_of_range) == (3, 1, 0)
    assert g.ceiling_rule == "pre_at_max_left_out"
    assert np.isnan(g.individual[3]) and g.individual[1] == pytest.approx(0.2)


def test_hake_gain_out_of_a_maximum_other_than_100():
    g = normalized_gain([10, 20], [25, 30], max_score=40)
    assert g.hake_g == pytest.approx((27.5 - 15) / (40 - 15))  # 0.5
    assert g.g_ave == pytest.approx((15 / 30 + 10 / 20) / 2)


def test_rows_outside_0_to_max_get_no_normalised_gain_and_are_counted():
    g = normalized_gain([-5, 50, 20, 40], [50, 110, 60, 40])
    assert g.n_out_of_range == 2 and g.n_used == 2
    assert np.isnan(g.individual[:2]).all()
    assert g.hake_g == pytest.approx(
        (50 - 30) / (100 - 30)
    )  # only the in-range rows: pre 20, 40; post 60, 40
    assert g.g_ave == pytest.approx((40 / 80 + 0) / 2)


def test_marx_cummings_normalised_change():
    # Marx & Cummings (2007), Am. J. Phys. 75, 87: c = (post-pre)/(100-pre) if post > pre,
    # (post-pre)/pre if post < pre, 0 if equal; 100/100 and 0/0 are dropped.
    pre, post = [20, 50, 80, 100, 100, 0, 40], [60, 60, 90, 90, 100, 0, 40]
    g = normalized_gain(pre, post, method="marx-cummings")
    assert g.n_ceiling == 2 and g.n_used == 5
    assert g.g_ave == pytest.approx((0.5 + 0.2 + 0.5 - 0.1 + 0) / 5)
    assert g.ceiling_rule == "equal_at_0_or_max_left_out"
    hake = normalized_gain(pre, post)
    assert hake.n_ceiling == 2  # both pre = 100 rows; 0/0 gives g = 0 and is kept
    assert hake.hake_g == g.hake_g  # <g> does not depend on the method


def test_gain_undefined_when_everyone_starts_at_the_maximum():
    g = normalized_gain([100, 100], [90, 100])
    assert math.isnan(g.hake_g) and math.isnan(g.g_ave) and g.n_ceiling == 2


def test_normalized_gain_input_validation():
    with pytest.raises(ValueError, match="max_score"):
        normalized_gain([1], [2], max_score=0)
    with pytest.raises(ValueError, match="method"):
        normalized_gain([1], [2], method="hak")
    with pytest.raises(ValueError, match="finite"):
        normalized_gain([np.nan], [2])


# -- paired t-test and effect sizes -------------------------------------------------------


def test_paired_ttest_reproduces_lakens_2013():
    r = paired_ttest(MOVIE_2, MOVIE_1)
    # by hand: d = 0,1,1,1,1,0,1,2,1,2: mean 1, sd 2/3, se = (2/3)/sqrt(10), t = 1.5 sqrt(10)
    assert r.statistic == pytest.approx(1.5 * math.sqrt(10)) and round(r.statistic, 2) == 4.74
    assert r.df == 9 and round(r.pvalue, 3) == 0.001
    ci = r.confidence_interval()
    half = stats.t.ppf(0.975, 9) * (2 / 3) / math.sqrt(10)
    assert (ci.low, ci.high) == pytest.approx((1 - half, 1 + half))
    assert (round(ci.low, 2), round(ci.high, 2)) == (0.52, 1.48)
    ref = stats.ttest_rel(MOVIE_1, MOVIE_2)
    assert r.pvalue == pytest.approx(ref.pvalue, rel=1e-12)
    assert ci.low == pytest.approx(ref.confidence_interval().low, rel=1e-12)
    wide = r.confidence_interval(0.99)
    assert wide.low < ci.low and wide.high > ci.high


def test_effect_sizes_reproduce_lakens_2013():
    e = effect_sizes(MOVIE_2, MOVIE_1)
    assert e.d_z == pytest.approx(1.5)  # mean 1 / sd 2/3
    assert e.d_av == pytest.approx(1 / ((MOVIE_1.std(ddof=1) + MOVIE_2.std(ddof=1)) / 2))
    assert round(e.d_av, 2) == 1.13
    assert e.df == 9 and e.hedges_g_z == pytest.approx(hedges_j(9) * 1.5)


def test_hedges_exact_j():
    # J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)), by hand for small m
    assert hedges_j(2) == pytest.approx(1 / math.sqrt(math.pi), rel=1e-14)  # Gamma(1) / (1 * Gamma(1/2))
    assert hedges_j(3) == pytest.approx(math.sqrt(math.pi / 6), rel=1e-14)  # (sqrt(pi)/2) / sqrt(3/2)
    assert hedges_j(4) == pytest.approx(math.sqrt(2 / math.pi), rel=1e-14)  # 1 / (sqrt(2) sqrt(pi)/2)
    assert hedges_j(1) == 0.0 and math.isnan(hedges_j(0.5))
    # J(10) = Gamma(5) / (sqrt(5) Gamma(4.5)), Gamma(4.5) = 3.5 * 2.5 * 1.5 * 0.5 * sqrt(pi)
    assert hedges_j(10) == pytest.approx(24 / (math.sqrt(5) * 3.5 * 2.5 * 1.5 * 0.5 * math.sqrt(math.pi)))
    assert round(hedges_j(10), 4) == 0.9227  # the approximation 1 - 3/(4m - 1) gives 0.9231
    assert hedges_j(200) == pytest.approx(1 - 3 / (4 * 200 - 1), abs=1e-6)
    assert hedges_j(10_000_000) == pytest.approx(1.0, abs=1e-7)  # no overflow: log-gamma


def test_degenerate_pairs_warn_and_give_nan_or_inf():
    with pytest.warns(DegenerateDataWarning):
        r = paired_ttest([1.0], [2.0])
    assert math.isnan(r.statistic) and math.isnan(r.confidence_interval().low)
    with pytest.warns(DegenerateDataWarning):
        r = paired_ttest([1, 2, 3], [2, 3, 4])  # every gain 1: no spread
    assert r.statistic == math.inf and r.pvalue == 0.0
    with pytest.warns(DegenerateDataWarning):
        e = effect_sizes([1, 2, 3], [1, 2, 3])
    assert math.isnan(e.d_z)


# -- Wilcoxon signed-rank ---------------------------------------------------------------


def test_exact_null_distribution_of_v_by_hand():
    # subsets of {1, 2, 3} by their sums 0..6: {}, {1}, {2}, {3} {1,2}, {1,3}, {2,3}, {1,2,3}
    assert (signrank_pmf(3) * 8).tolist() == [1, 1, 1, 2, 1, 1, 1]
    assert (signrank_pmf(4) * 16).tolist() == [1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1]
    assert signrank_pmf(0).tolist() == [1.0]
    assert signrank_pmf(30).sum() == 1.0
    # P(V <= 5) for n = 9: sums 0..5 have 1, 1, 1, 2, 2, 3 subsets out of 512
    assert psignrank(5, 9) == 10 / 512 and psignrank(39, 9, lower_tail=False) == 10 / 512


def test_wilcoxon_exact_reproduces_r_help_example():
    r = wilcoxon_signed_rank(HW_Y, HW_X)  # differences x - y, as wilcox.test(x, y, paired = TRUE)
    assert r.statistic == 40 and r.method == "exact" and not r.ties and r.n_zero == 0
    # R's one-sided p 0.01953 = P(V >= 40) = 10/512; two-sided twice that
    assert r.pvalue == 2 * 10 / 512


def test_wilcoxon_exact_small_n_by_hand():
    r = wilcoxon_signed_rank([0, 0, 0, 0], [1, 2, 3, 4])
    assert r.statistic == 10 and r.pvalue == 2 / 16  # only the subset {1,2,3,4} reaches 10
    r = wilcoxon_signed_rank([0, 0, 0, 0, 0], [1, -2, 3, 4, 5])
    # V = 15 - 2 = 13 > 15/2; P(V >= 13) = P(V <= 2) = 3/32 (the subsets {}, {1}, {2} by symmetry)
    assert r.statistic == 13 and r.pvalue == 2 * 3 / 32


def test_wilcoxon_ties_use_mid_ranks_and_the_normal_approximation():
    # R (published output): wilcox.test(c(-0.2, -0.05, 0.1, 0.15, 0.2)) gives V = 9.5, p-value = 0.6845
    r = wilcoxon_signed_rank(np.zeros(5), [-0.2, -0.05, 0.1, 0.15, 0.2])
    assert r.statistic == 9.5 and r.ties and r.method == "approx"
    sigma = math.sqrt(5 * 6 * 11 / 24 - (2**3 - 2) / 48)  # one tie group of 2 (|0.2|)
    assert r.z == pytest.approx((9.5 - 7.5 - 0.5) / sigma)
    assert r.pvalue == pytest.approx(2 * stats.norm.sf(1.5 / sigma)) and round(r.pvalue, 4) == 0.6845


def test_wilcoxon_zero_differences_are_dropped():
    r = wilcoxon_signed_rank(np.zeros(5), [0, 1, 2, 3, -1.5])
    # left: 1, 2, 3, -1.5 with ranks 1, 3, 4, 2: V = 8, n = 4, no ties, but a zero: approximation
    assert (r.statistic, r.n, r.n_zero, r.method) == (8, 4, 1, "approx")
    assert r.pvalue == pytest.approx(2 * stats.norm.sf((8 - 5 - 0.5) / math.sqrt(4 * 5 * 9 / 24)))
    with pytest.warns(DegenerateDataWarning):
        r = wilcoxon_signed_rank([1, 2], [1, 2])
    assert r.statistic == 0 and math.isnan(r.pvalue)


def test_wilcoxon_published_r_output_with_ties_15_values():
    # R (published): x = round(runif(15, -.4, 1), 1) with set.seed(617), sorted as below;
    # wilcox.test(x, alt = "g") gives V = 103.5, p-value = 0.007189 (two-sided: twice that)
    x = [-0.4, -0.3, -0.1, -0.1, 0.1, 0.2, 0.3, 0.5, 0.7, 0.7, 0.8, 0.8, 0.8, 1.0, 1.0]
    r = wilcoxon_signed_rank(np.zeros(15), x)
    assert r.statistic == 103.5 and round(r.pvalue / 2, 6) == 0.007189


def test_wilcoxon_method_choice_like_r():
    rng = np.random.default_rng(7)
    pre = rng.normal(size=60)
    post = pre + rng.normal(0.3, 1, size=60)
    assert wilcoxon_signed_rank(pre, post).method == "approx"  # 50 or more
    assert wilcoxon_signed_rank(pre[:49], post[:49]).method == "exact"
    assert wilcoxon_signed_rank(pre, post, method="exact").method == "exact"
    assert wilcoxon_signed_rank(pre[:10], post[:10], method="approx").method == "approx"
    with pytest.warns(DegenerateDataWarning, match="ties or zeros"):
        r = wilcoxon_signed_rank([0, 0, 0], [1, 1, 2], method="exact")
    assert r.method == "approx"


def test_wilcoxon_digits_rank_makes_float_noise_tie():
    pre, post = [0.1, 0.0, 0.5], [0.3, 0.2, 0.9]  # 0.3 - 0.1 != 0.2 - 0.0 in binary floating point
    assert not wilcoxon_signed_rank(pre, post).ties
    r = wilcoxon_signed_rank(pre, post, digits_rank=7)
    assert r.ties and r.statistic == 6 and r.method == "approx"
    with pytest.raises(ValueError, match="digits_rank"):
        wilcoxon_signed_rank(pre, post, digits_rank=0)


def _r_method(pre, post) -> str:
    d = np.asarray(post) - np.asarray(pre)
    nz = d[d != 0]
    ties = len(np.unique(np.abs(nz))) != len(nz)
    return "exact" if len(nz) < 50 and not ties and not (d == 0).any() else "approx"


@pytest.mark.parametrize("seed", range(12))
def test_wilcoxon_agrees_with_scipy(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 90))
    pre = rng.integers(0, 20, size=n).astype(float) if seed % 2 else rng.normal(size=n)
    post = pre + (rng.integers(-3, 6, size=n) if seed % 2 else rng.normal(0.4, 1, size=n))
    if (post == pre).all():
        post[0] += 1
    ours = wilcoxon_signed_rank(pre, post)
    method = _r_method(pre, post)
    ref = stats.wilcoxon(post, pre, zero_method="wilcox", correction=True, method=method)
    assert ours.method == method
    assert ours.pvalue == pytest.approx(ref.pvalue, rel=1e-9)
    total = ours.n * (ours.n + 1) / 2
    assert ref.statistic == pytest.approx(min(ours.statistic, total - ours.statistic))  # scipy: min(V+, V-)


# -- McNemar ------------------------------------------------------------------------------


def test_mcnemar_reproduces_r_mcnemar_test_example():
    # R's ?mcnemar.test (Agresti 1990, p. 350, presidential approval): off-diagonals 150 and 86;
    # McNemar's chi-squared = 16.818, df = 1, p-value = 4.115e-05; by hand (|150 - 86| - 1)^2 / 236
    r = mcnemar_counts(150, 86)
    assert r.statistic == pytest.approx(63**2 / 236) and round(r.statistic, 3) == 16.818
    assert round(r.pvalue * 1e5, 3) == 4.115
    assert r.exact_pvalue == pytest.approx(stats.binomtest(86, 236, 0.5).pvalue, rel=1e-12)


def test_mcnemar_exact_by_hand_and_degenerate_tables():
    assert mcnemar_counts(0, 5).exact_pvalue == 2 / 32
    assert mcnemar_counts(1, 9).exact_pvalue == pytest.approx(2 * 11 / 1024)  # P(X <= 1) = (1 + 9 + 1) / 1024
    equal = mcnemar_counts(4, 4)
    assert (equal.statistic, equal.pvalue, equal.exact_pvalue, equal.correction) == (0.0, 1.0, 1.0, False)
    none = mcnemar_counts(0, 0)
    assert none.exact_pvalue == 1.0 and math.isnan(none.statistic) and math.isnan(none.pvalue)
    plain = mcnemar_counts(2, 8, correction=False)
    assert plain.statistic == pytest.approx(36 / 10) and mcnemar_counts(2, 8).statistic == pytest.approx(
        25 / 10
    )


@pytest.mark.parametrize("b,c", [(0, 1), (3, 7), (12, 2), (20, 31), (6, 6)])
def test_mcnemar_exact_agrees_with_scipy_binomtest(b, c):
    assert mcnemar_counts(b, c).exact_pvalue == pytest.approx(
        stats.binomtest(c, b + c, 0.5).pvalue, rel=1e-12
    )


def test_mcnemar_from_outcomes():
    pre = [1, 1, 1, 0, 0, 0, 0, 1]
    post = [1, 0, 1, 1, 1, 1, 0, 1]
    r = mcnemar(pre, post)
    assert (r.n, r.b, r.c) == (8, 1, 3)
    assert (r.pre_proportion, r.post_proportion) == (0.5, 0.75)
    with pytest.raises(ValueError, match="dichotomous"):
        mcnemar([0, 2], [1, 1])


# -- all of it at once ---------------------------------------------------------------------


def test_prepost_pairs_rows_and_counts_the_unpaired():
    pre = np.r_[MOVIE_2, np.nan, 5.0, np.nan]
    post = np.r_[MOVIE_1, 6.0, np.nan, np.nan]
    r = run_prepost(pre, post, max_score=10)
    assert (r.n, r.n_unpaired) == (10, 3) and r.unpaired.tolist() == [10, 11, 12]
    rec = record(r)
    assert list(rec)[:19] == [
        "n", "n_unpaired", "n_ceiling", "ceiling_rule", "mean_pre", "mean_post", "mean_gain", "hake_g",
        "g_ave", "t", "df", "p", "ci_low", "ci_high", "d_z", "d_av", "hedges_g_z", "wilcoxon_v",
        "wilcoxon_p",
    ]  # fmt: skip
    assert rec["hake_g"] == pytest.approx(1 / (10 - 7.7))
    # individual gains: 0, 1/4, 1/3, 1/2, 1/3, 0, 1/2, 2/2, 1/2, 2/3 (pre 9 twice: below the maximum 10)
    assert rec["g_ave"] == pytest.approx(
        (0 + 1 / 4 + 1 / 3 + 1 / 2 + 1 / 3 + 0 + 1 / 2 + 1 + 1 / 2 + 2 / 3) / 10
    )
    assert rec["d_z"] == pytest.approx(1.5) and rec["df"] == 9
    # Wilcoxon: two zeros dropped; six gains of 1 (mid-rank 3.5) and two of 2 (7.5), all positive
    sigma = math.sqrt(8 * 9 * 17 / 24 - ((6**3 - 6) + (2**3 - 2)) / 48)
    assert rec["wilcoxon_v"] == 36 and rec["wilcoxon_method"] == "approx" and rec["wilcoxon_n_zero"] == 2
    assert rec["wilcoxon_p"] == pytest.approx(2 * stats.norm.sf((36 - 18 - 0.5) / sigma))


def test_prepost_record_has_null_never_nan():
    rec = record(run_prepost([50.0, np.nan], [np.nan, 60.0]))
    assert rec["n"] == 0 and rec["n_unpaired"] == 2
    assert all(rec[k] is None for k in ("mean_pre", "hake_g", "g_ave", "t", "df", "p", "ci_low", "d_z"))
    assert rec["wilcoxon_v"] is None and rec["wilcoxon_p"] is None
    one = record(run_prepost([50.0], [60.0]))
    assert one["n"] == 1 and one["mean_gain"] == 10 and one["t"] is None and one["df"] is None


def test_prepost_rejects_infinite_scores():
    with pytest.raises(ValueError, match="finite"):
        prepost([1.0, np.inf], [2.0, 3.0])
