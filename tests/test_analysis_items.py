"""Item and test statistics: Moodle's own vectors, hand-worked cases and scipy cross-checks."""

from __future__ import annotations

import csv
import json
import math
import warnings
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from pydantic import TypeAdapter
from scipy import stats

from assess.analysis.distractors import Choices, choices_from_codes, option_analysis
from assess.analysis.items import (
    Thresholds,
    analyze_items,
    group_size,
    item_flags,
    item_statistics,
    upper_lower_groups,
)
from assess.analysis.test_stats import (
    DegenerateDataWarning,
    cronbach_alpha,
    feldt_interval,
    items_for_reliability,
    kr21,
    score_statistics,
    spearman_brown,
    spearman_brown_factor,
)
from assess.bank.model import Item
from assess.event.policy import ChoicePolicy, PerPartPolicy, ScoringPolicy
from assess.workspace.item_analysis import random_guess_score

MOODLE = Path(__file__).parent / "fixtures" / "moodle"
# Moodle's tolerance in stats_from_steps_walkthrough_test.php: abs(expected) * 1.5e-5
MOODLE_REL = 1.5e-5


def moodle_marks() -> np.ndarray:
    with (MOODLE / "results00.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return np.array([[float(r[f"slots.{j}.mark"]) for j in range(1, 8)] for r in rows])


def moodle_slots() -> list[dict[str, float]]:
    with (MOODLE / "qstats00.csv").open(encoding="utf-8") as f:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]


# -- Moodle's vectors -------------------------------------------------------------------


def test_every_per_slot_statistic_of_moodle_qstats00():
    s = item_statistics(moodle_marks())
    expected = moodle_slots()
    assert len(expected) == 7
    ours = {
        "facility": s.facility,
        "sd": s.sd,
        "markvariance": s.sd**2,
        "effectiveweight": s.effective_weight,
        "covariance": s.rest_covariance,
        "othermarkvariance": s.rest_variance,
        "discriminationindex": s.discrimination_index,
        "covariancemax": s.covariance_max,
        "discriminativeefficiency": s.discriminative_efficiency,
    }
    for j, row in enumerate(expected):
        for name, values in ours.items():
            assert values[j] == pytest.approx(row[name], rel=MOODLE_REL), (row["slot"], name)
    # the item-rest r is the discrimination index as a correlation
    np.testing.assert_allclose(s.item_rest_r * 100, s.discrimination_index)


def test_every_whole_test_statistic_of_moodle_quiz00():
    expected = json.loads((MOODLE / "quiz00-expected.json").read_text(encoding="utf-8"))
    t = score_statistics(moodle_marks())
    assert t.n == expected["attempts"] == 25
    assert t.mean == pytest.approx(expected["mean"], rel=MOODLE_REL)
    assert t.median == pytest.approx(expected["median"], rel=MOODLE_REL)
    assert t.sd == pytest.approx(expected["standard_deviation"], rel=MOODLE_REL)
    assert t.skewness == pytest.approx(expected["skewness"], rel=MOODLE_REL)
    assert t.kurtosis == pytest.approx(expected["kurtosis"], rel=MOODLE_REL)
    cic = expected["coefficient_of_internal_consistency_percent"]
    assert 100 * t.alpha == pytest.approx(cic, rel=MOODLE_REL)
    assert 100 * math.sqrt(1 - t.alpha) == pytest.approx(expected["error_ratio_percent"], rel=MOODLE_REL)
    assert t.sem == pytest.approx(expected["standard_error"], rel=MOODLE_REL)
    # partial credit (0.5, 0.8, 1/3): not dichotomous, so no KR-20 or KR-21
    assert math.isnan(t.kr20) and math.isnan(t.kr21)


# -- scipy cross-checks ---------------------------------------------------------------


def random_marks(seed: int, n: int = 300, k: int = 12) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=(n, 1))
    x = (rng.random((n, k)) < 1 / (1 + np.exp(-(ability - rng.normal(size=k))))).astype(float)
    x[:, :3] = np.clip(np.round(ability + rng.normal(size=(n, 3)) + 2), 0, 4)  # partial credit 0..4
    return x


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_correlations_and_moments_agree_with_scipy(seed):
    x = random_marks(seed)
    s = item_statistics(x, [4, 4, 4] + [1] * 9)
    t = score_statistics(x, [4, 4, 4] + [1] * 9)
    total = x.sum(axis=1)
    for j in range(x.shape[1]):
        assert s.item_total_r[j] == pytest.approx(stats.pearsonr(x[:, j], total).statistic, abs=1e-12)
        assert s.item_rest_r[j] == pytest.approx(
            stats.pearsonr(x[:, j], total - x[:, j]).statistic, abs=1e-12
        )
    # Moodle's k3/k2^1.5 and k4/k2^2 are scipy's bias-corrected skewness and excess kurtosis
    assert t.skewness == pytest.approx(stats.skew(total, bias=False), rel=1e-10)
    assert t.kurtosis == pytest.approx(stats.kurtosis(total, bias=False), rel=1e-10)
    assert t.sd == pytest.approx(np.std(total, ddof=1), rel=1e-12)
    assert t.median == np.median(total)
    np.testing.assert_allclose(s.sd, np.std(x, axis=0, ddof=1), rtol=1e-12)


def test_alpha_agrees_with_its_definition_on_random_data():
    x = random_marks(9)
    k = x.shape[1]
    expected = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(x) == pytest.approx(expected, rel=1e-12)


# -- hand-worked cases -----------------------------------------------------------------

# Four people, three right/wrong items: totals 3, 2, 1, 0.
SMALL = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)


def test_alpha_kr20_kr21_standardised_and_sem_by_hand():
    t = score_statistics(SMALL)
    # var (n-1): items 1/4, 1/3, 1/4; total 5/3; alpha = 3/2 (1 - (5/6)/(5/3)) = 3/4
    assert t.alpha == pytest.approx(0.75, abs=1e-12)
    # KR-20 with p q and the population variance 5/4: 3/2 (1 - 0.625/1.25) = 3/4
    assert t.kr20 == pytest.approx(0.75, abs=1e-12)
    # KR-21, mean 1.5, population variance 5/4: 3/2 (1 - 1.5 * 1.5 / (3 * 1.25)) = 0.6
    assert t.kr21 == pytest.approx(0.6, abs=1e-12)
    assert t.kr21 <= t.kr20
    # with the sample variance 5/3: 3/2 (1 - 2.25 / 5) = 0.825, more than KR-20
    assert score_statistics(SMALL, kr21_ddof=1).kr21 == pytest.approx(0.825, abs=1e-12)
    # inter-item r: r12 = r23 = 1/sqrt(3), r13 = 1/3; standardised alpha = 3 r / (1 + 2 r)
    r = (2 / math.sqrt(3) + 1 / 3) / 3
    assert t.standardized_alpha == pytest.approx(3 * r / (1 + 2 * r), abs=1e-12)
    # SEM = sd sqrt(1 - alpha) = sqrt(5/3) * 1/2
    assert t.sem == pytest.approx(math.sqrt(5 / 3) / 2, abs=1e-12)
    assert (t.mean, t.median) == (1.5, 1.5)


def test_kr21_by_hand():
    # 10 items, mean 6, variance 4: 10/9 (1 - 6 * 4 / (10 * 4)) = 4/9
    assert kr21(10, 6.0, 4.0) == pytest.approx(4 / 9, abs=1e-15)
    assert math.isnan(kr21(10, 6.0, 0.0))


def test_alpha_if_item_deleted_by_hand():
    s = item_statistics(SMALL)
    # without item 1: items 2, 3 (var 1/3, 1/4), rest 2, 1, 0, 0 (var 11/12): 2 (1 - 7/11) = 8/11
    # without item 2: items 1, 3 (var 1/4, 1/4), rest 2, 1, 1, 0 (var 2/3): 2 (1 - 3/4) = 1/2
    # without item 3: items 1, 2 (var 1/4, 1/3), rest 2, 2, 1, 0 (var 11/12): 8/11
    np.testing.assert_allclose(s.alpha_if_deleted, [8 / 11, 1 / 2, 8 / 11], atol=1e-12)
    for j in range(3):
        assert s.alpha_if_deleted[j] == pytest.approx(cronbach_alpha(np.delete(SMALL, j, axis=1)), abs=1e-12)
    # two items left after deleting one of three is the least: with two items there is none
    assert np.isnan(item_statistics(SMALL[:, :2]).alpha_if_deleted).all()


def test_weights_and_efficiency_by_hand():
    # Two identical items: the rest of each is the other, sorted alike: efficiency 100 %.
    x = np.array([[0, 0], [0, 0], [1, 1], [1, 1]], dtype=float)
    s = item_statistics(x, [1, 3])
    np.testing.assert_allclose(s.discriminative_efficiency, [100, 100])
    np.testing.assert_allclose(s.discrimination_index, [100, 100])
    np.testing.assert_allclose(s.intended_weight, [25, 75])  # 100 max / sum of maxima
    np.testing.assert_allclose(s.effective_weight, [50, 50])  # equal covariances with the total
    np.testing.assert_allclose(s.facility, [0.5, 0.5 / 3])


def test_effective_weight_is_null_for_a_negative_covariance_with_the_total():
    # item 3 goes against the other two; cov(x3, T) < 0
    x = np.array([[1, 1, 0], [1, 1, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1], [0, 0, 1]], dtype=float)
    s = item_statistics(x)
    assert math.isnan(s.effective_weight[2])
    assert s.effective_weight[0] + s.effective_weight[1] == pytest.approx(100)


# Ten people with totals 5, 4, 4, 4, 3, 2, 1, 1, 0, 0; item A is the first column.
TIES = np.array(
    [
        [1, 1, 1, 1, 1],
        [1, 1, 1, 1, 0],
        [0, 1, 1, 1, 1],
        [1, 1, 1, 0, 1],
        [1, 1, 1, 0, 0],
        [0, 1, 1, 0, 0],
        [1, 0, 0, 0, 0],
        [0, 1, 0, 0, 0],
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0],
    ],
    dtype=float,
)


def test_upper_lower_d_with_ties_fractional():
    # g = round(0.27 * 10) = 3. Upper: the 5 and two places for three 4s (each 2/3);
    # item A there: (1 + 2/3 (1 + 0 + 1)) / 3 = 7/9. Lower: the two 0s and one place
    # for two 1s (each 1/2): (1/2 (1 + 0)) / 3 = 1/6. D = 7/9 - 1/6 = 11/18.
    s = item_statistics(TIES)
    assert s.groups.size == 3
    assert s.upper_lower_d[0] == pytest.approx(11 / 18, abs=1e-12)
    g = upper_lower_groups(TIES.sum(axis=1))
    np.testing.assert_allclose(g.upper, [1, 2 / 3, 2 / 3, 2 / 3, 0, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(g.lower, [0, 0, 0, 0, 0, 0, 0.5, 0.5, 1, 1])
    # the rule does not depend on the order of the rows
    order = np.random.default_rng(3).permutation(10)
    assert item_statistics(TIES[order]).upper_lower_d[0] == pytest.approx(11 / 18, abs=1e-12)


def test_upper_lower_d_with_ties_in_row_order():
    # Stable ranking: rows 0, 1, 2 are the upper group (A: 1, 1, 0), rows 7, 8, 9 the lower (A: 0).
    s = item_statistics(TIES, ties="order")
    assert s.upper_lower_d[0] == pytest.approx(2 / 3, abs=1e-12)
    # Other rows first among the tied: upper A 1, 0, 1; lower A 1, 0, 0: D = 2/3 - 1/3.
    swapped = TIES[[0, 2, 1, 3, 4, 5, 7, 6, 8, 9]]
    assert item_statistics(swapped, ties="order").upper_lower_d[0] == pytest.approx(1 / 3, abs=1e-12)


def test_group_size():
    assert group_size(52, 0.27) == 14  # 14.04
    assert group_size(10, 0.27) == 3  # 2.7
    assert group_size(50, 0.27) == 14  # 13.5 rounds up
    assert group_size(5, 0.5) == 2  # never overlapping
    assert group_size(1, 0.27) == 0
    with pytest.raises(ValueError, match="ties"):
        upper_lower_groups([1, 2, 3], ties="random")
    with pytest.raises(ValueError, match="fraction"):
        upper_lower_groups([1, 2, 3], 0.6)


def test_feldt_interval():
    # Feldt, Woodruff & Salih (1987) formulas 6 and 7: 1 - (1 - alpha) F at 97.5 % and 2.5 %
    # of F(n - 1, (n - 1)(k - 1)); the F quantiles from scipy.
    ci = feldt_interval(0.85, 89, 7, 0.95)
    f_high, f_low = stats.f.ppf([0.975, 0.025], 88, 88 * 6)
    assert ci.low == pytest.approx(1 - 0.15 * f_high, rel=1e-12)
    assert ci.high == pytest.approx(1 - 0.15 * f_low, rel=1e-12)
    # statpsych's ci.cronbach(.05, .85, 7, 89) gives 0.7971254 to 0.8931436 with n(k - 1)
    # denominator degrees of freedom; with Feldt et al.'s (n - 1)(k - 1) the bounds move by < 1e-4.
    assert ci.low == pytest.approx(0.7971254, abs=1e-4) and ci.high == pytest.approx(0.8931436, abs=1e-4)
    assert ci.low < 0.85 < ci.high
    wider = feldt_interval(0.85, 89, 7, 0.99)
    assert wider.low < ci.low and wider.high > ci.high
    assert math.isnan(feldt_interval(math.nan, 89, 7).low)


def test_spearman_brown_by_hand():
    # alpha 0.6 on 20 items, target 0.8: m = 0.8 * 0.4 / (0.6 * 0.2) = 8/3; 53.3 -> 54 items
    assert spearman_brown_factor(0.6, 0.8) == pytest.approx(8 / 3)
    assert items_for_reliability(0.6, 20, 0.8) == 54
    # alpha 0.5 on 10 items, target 0.8: m = 4 exactly (not 41 from a rounding error)
    assert items_for_reliability(0.5, 10, 0.8) == 40
    assert spearman_brown(0.5, 4) == pytest.approx(0.8)
    assert items_for_reliability(-0.3, 10, 0.8) is None
    assert items_for_reliability(math.nan, 10, 0.8) is None
    t = score_statistics(SMALL)  # alpha 3/4 on 3 items; target 0.8: m = 4/3, 4 items
    assert t.items_for_reliability(0.8) == 4


# -- distractors -----------------------------------------------------------------------


def test_option_analysis_by_hand():
    # Seven people; options a (key), b, c, d; codes -1 blank.
    codes = np.array([0, 0, 1, 0, 1, -1, 2])
    rest = np.array([9.0, 8.0, 7.0, 5.0, 3.0, 2.0, 1.0])
    totals = rest + (codes == 0)  # the item scores 1 when a is chosen
    groups = upper_lower_groups(totals)  # g = round(1.89) = 2: upper rows 0, 1; lower rows 5, 6
    found = option_analysis(
        choices_from_codes(codes, 4),
        rest,
        groups,
        option_ids="abcd",
        keyed=[True, False, False, False],
        item="q",
    )
    a, b, c, d = found.options
    assert [o.count for o in found.options] == [3, 2, 1, 0] and found.blank == 1
    assert a.proportion == pytest.approx(3 / 7)
    assert (a.upper, a.lower) == (1.0, 0.0)
    assert (c.upper, c.lower) == (0.0, 0.5)
    for o, column in zip(found.options[:3], (codes == 0, codes == 1, codes == 2), strict=True):
        assert o.rest_r == pytest.approx(stats.pearsonr(column.astype(float), rest).statistic, abs=1e-12)
    assert math.isnan(d.rest_r)  # nobody chose it
    codes_found = [f.code for f in found.flags()]
    assert codes_found == ["ANALYZE-DISTRACTOR-UNCHOSEN"]
    # b chosen by one of the upper group and none of the lower: flagged
    codes2 = np.array([0, 1, 1, 0, 0, -1, 2])
    again = option_analysis(
        choices_from_codes(codes2, 4), rest, groups, option_ids="abcd", keyed=[True, False, False, False]
    )
    flags = again.flags(rare=0.2)
    assert [(f.code, f.params.get("option")) for f in flags] == [
        ("ANALYZE-DISTRACTOR-UPPER", "b"),
        ("ANALYZE-DISTRACTOR-RARE", "c"),
        ("ANALYZE-DISTRACTOR-UNCHOSEN", "d"),
    ]
    assert flags[0].params == {"option": "b", "upper": 0.5, "lower": 0.0}


def test_analyze_items_adds_distractor_flags_to_its_item():
    x = SMALL
    chosen = choices_from_codes(np.array([0, 0, 0, 1]), 3)
    result = analyze_items(x, choices={"item1": Choices(chosen, ["a", "b", "c"], [True, False, False])})
    assert set(result.options) == {"item1"}
    assert "ANALYZE-DISTRACTOR-UNCHOSEN" in [f.code for f in result.flags[0]]
    assert result.test.alpha == pytest.approx(0.75)


# -- flags -----------------------------------------------------------------------------


def test_item_flags_at_and_past_their_thresholds():
    s = item_statistics(random_marks(1)[:, 3:8])
    s = replace(
        s,
        facility=np.array([0.95, 0.9, 0.15, 0.2, 0.5, 0.5]),
        item_rest_r=np.array([0.3, 0.3, 0.3, -0.1, 0.1, 0.2]),
        sd=np.full(6, 0.4),
        ids=tuple("abcdef"),
    )
    flags = item_flags(s, Thresholds(easy_above=0.9, hard_below=0.2, low_discrimination=0.2))
    assert [[(f.code, dict(f.params)) for f in found] for found in flags] == [
        [("ANALYZE-ITEM-TOO-EASY", {"facility": 0.95, "limit": 0.9})],
        [],  # 0.9 is not above 0.9
        [("ANALYZE-ITEM-TOO-HARD", {"facility": 0.15, "limit": 0.2})],
        [("ANALYZE-ITEM-NEGATIVE-DISCRIMINATION", {"r": -0.1})],  # facility 0.2 is not below 0.2
        [("ANALYZE-ITEM-LOW-DISCRIMINATION", {"r": 0.1, "limit": 0.2})],
        [],  # r 0.2 is not below 0.2
    ]


def test_an_item_everyone_got_right_is_flagged_without_variance():
    x = np.column_stack([np.ones(4), SMALL])
    with pytest.warns(DegenerateDataWarning):
        s = item_statistics(x)
    assert [f.code for f in item_flags(s)[0]] == ["ANALYZE-ITEM-TOO-EASY", "ANALYZE-ITEM-NO-VARIANCE"]
    assert math.isnan(s.item_rest_r[0]) and math.isnan(s.discriminative_efficiency[0])


# -- random guess score ------------------------------------------------------------------

ITEM = TypeAdapter(Item)


def _item(**fields):
    return ITEM.validate_python({"id": "x1", "stem": "Soal?", "competencies": ["c1"], **fields})


FOUR = [{"id": i, "text": t} for i, t in zip("abcd", ["satu", "dua", "tiga", "empat"], strict=True)]


def test_random_guess_score_by_item_type():
    policy = ScoringPolicy()
    single = _item(type="single_choice", options=FOUR, key="a")
    assert random_guess_score(single, policy) == pytest.approx(0.25)
    assert random_guess_score(
        single, ScoringPolicy(single_choice=ChoicePolicy(penalty="auto"))
    ) == pytest.approx(0)
    # penalty 0.25: (1 - 3 * 0.25) / 4
    assert random_guess_score(
        single, ScoringPolicy(single_choice=ChoicePolicy(penalty=0.25))
    ) == pytest.approx(0.0625)
    assert random_guess_score(_item(type="true_false", key=True), policy) == pytest.approx(0.5)
    weighted = _item(
        type="weighted_options",
        options=[{**o, "points": p} for o, p in zip(FOUR, [0, 1, 2, 5], strict=True)],
    )
    assert random_guess_score(weighted, policy) == pytest.approx((0 + 1 + 2 + 5) / 4 / 5)
    matching = _item(
        type="matching",
        prompts=[{"id": "p1", "text": "satu"}, {"id": "p2", "text": "dua"}],
        choices=FOUR,
        key={"p1": "a", "p2": "b"},
    )
    assert random_guess_score(matching, policy) == pytest.approx(1 / 4)  # Moodle: 1 / choices
    all_or_nothing = ScoringPolicy(matching=PerPartPolicy(rule="all_or_nothing"))
    assert random_guess_score(matching, all_or_nothing) == pytest.approx(1 / 16)
    ordering = _item(type="ordering", options=FOUR[:3], key=["a", "b", "c"])
    assert random_guess_score(ordering, policy) == pytest.approx(1 / 3)
    assert random_guess_score(ordering, ScoringPolicy(ordering=PerPartPolicy(rule="all_or_nothing"))) == (
        pytest.approx(1 / 6)
    )
    assert random_guess_score(_item(type="short_answer", accepted=[{"text": "ya"}]), policy) == 0.0
    multiple = _item(type="multiple_response", options=FOUR, key=["a", "b"])
    assert math.isnan(random_guess_score(multiple, policy))  # Moodle: not computable


# -- degenerate data and input checks ---------------------------------------------------


def test_one_person_gives_nan_and_a_warning_not_an_error():
    with pytest.warns(DegenerateDataWarning):
        result = analyze_items([[1, 0, 1]])
    assert result.test.n == 1 and result.test.mean == 2
    assert np.isnan(result.items.sd).all() and math.isnan(result.test.alpha)
    assert result.alpha_ci.low != result.alpha_ci.low  # NaN
    assert result.items_for_target is None
    assert list(result.items.facility) == [1.0, 0.0, 1.0]


def test_everyone_alike_has_no_correlations():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        s = item_statistics(np.ones((5, 3)))
        t = score_statistics(np.ones((5, 3)))
    assert np.isnan(s.discrimination_index).all() and np.isnan(s.discriminative_efficiency).all()
    assert np.isnan(s.effective_weight).all()  # Moodle: null when the covariances sum to 0
    assert math.isnan(t.alpha) and math.isnan(t.skewness) and t.sd == 0


@pytest.mark.parametrize(
    ("marks", "max_marks", "message"),
    [
        ([1, 0, 1], 1.0, "2-D"),
        ([[1, math.nan]], 1.0, "finite"),
        ([[1, 0]], [1, 1, 1], "max_marks"),
        ([[1, 0]], [1, 0], "positive"),
        (np.zeros((0, 3)), 1.0, "at least one"),
    ],
)
def test_input_is_checked(marks, max_marks, message):
    with pytest.raises(ValueError, match=message):
        item_statistics(marks, max_marks)


def test_fractions_of_the_moodle_facilities_are_exact():
    # slot 3: 24 people right and one with 0.3333333: (24 + 0.3333333) / 25 (Moodle: 0.973333332)
    s = item_statistics(moodle_marks())
    assert s.facility[2] == pytest.approx(float((24 + Fraction("0.3333333")) / 25), abs=1e-15)


def test_the_input_is_never_changed_whatever_its_memory_order():
    x = np.asfortranarray(random_marks(4, n=50, k=6))
    before = x.copy()
    ordered = item_statistics(np.ascontiguousarray(x))
    s = item_statistics(x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(s.discriminative_efficiency, ordered.discriminative_efficiency)
    one = np.array([[1.0], [0.0], [1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        single = item_statistics(one)
    np.testing.assert_array_equal(one, [[1.0], [0.0], [1.0]])
    # g = 1: the upper place shared by the two 1s (A = 1), the lower taken by the 0: D = 1
    assert single.upper_lower_d[0] == 1.0


def test_covariance_max_by_counting_equals_sorting():
    """Moodle's covariancemax from counts of whole-quarter marks (O(n)) is the sorted-columns
    value; marks in thirds, or negative, take the sorting path and agree too."""
    from assess.analysis.items import _covmax

    rng = np.random.default_rng(18)
    for marks in (
        rng.integers(0, 2, size=(3000, 7)).astype(float),  # right/wrong
        rng.integers(0, 9, size=(3000, 7)) / 2,  # halves 0..4
        rng.integers(-4, 5, size=(3000, 7)) / 4,  # negative quarters
        rng.integers(0, 4, size=(3000, 7)) / 3,  # thirds: sorted, not counted
    ):
        for layout in (marks, np.asfortranarray(marks)):
            totals, means, n = layout.sum(axis=1), layout.mean(axis=0), len(layout)
            expected = [
                np.dot(
                    np.sort(layout[:, j]) - means[j],
                    np.sort(totals - layout[:, j]) - (totals - layout[:, j]).mean(),
                )
                / (n - 1)
                for j in range(layout.shape[1])
            ]
            assert np.allclose(_covmax(layout, totals, means, n), expected, rtol=1e-12, atol=1e-12)
