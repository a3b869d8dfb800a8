"""Hand-worked examples for every item type and every rule."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from assess.bank.model import Item
from assess.event.policy import Grading, ScoringPolicy
from assess.scoring import score_attempt, score_item

ITEM = TypeAdapter(Item)
BASE = {"stem": "S", "competencies": ["T.01"]}


def item(**data):
    return ITEM.validate_python({"id": data.pop("id", "x"), **BASE, **data})


def policy(**data) -> ScoringPolicy:
    return ScoringPolicy.model_validate(data)


ABCD = [{"id": c, "text": c.upper() * 3} for c in "abcd"]
SC = item(type="single_choice", options=ABCD, key="b")
TF = item(type="true_false", key=True, points=2)


@pytest.mark.parametrize(
    "value, rules, points, blank",
    [
        ("b", {}, 1.0, False),
        ("a", {}, 0.0, False),
        (None, {}, 0.0, True),
        ("a", {"single_choice": {"penalty": "auto"}}, -1 / 3, False),  # 1/(k-1), k = 4
        ("a", {"single_choice": {"penalty": 0.25}}, -0.25, False),
        (None, {"single_choice": {"penalty": "auto"}}, 0.0, True),  # a blank is never penalised
    ],
)
def test_single_choice(value, rules, points, blank):
    s = score_item(SC, policy(**rules), value)
    assert (s.points, s.blank, s.max_points) == (pytest.approx(points), blank, 1.0)


def test_true_false_with_negative_marking():
    assert score_item(TF, policy(), True).points == 2.0
    assert score_item(TF, policy(), False).points == 0.0
    assert score_item(TF, policy(true_false={"penalty": "auto"}), False).points == -2.0  # 1/(2-1) of 2 points


# The example of R/exams' exams_eval(partial = TRUE): key "10101" gives +1/3 per
# chosen correct option and -1/2 (1/max(#false, 2)) per chosen wrong one.
MR5 = item(type="multiple_response", options=[{"id": c, "text": c * 2} for c in "abcde"], key=["a", "c", "e"])


@pytest.mark.parametrize(
    "chosen, expected",
    [
        ({"a", "c", "e"}, 1.0),
        ({"a", "c"}, 2 / 3),
        ({"a", "b", "c"}, 2 / 3 - 1 / 2),
        ({"b", "d"}, 0.0),  # -1, floored at 0
        ({"a", "b", "c", "d", "e"}, 0.0),  # 1 - 2 * 1/2
    ],
)
def test_multiple_response_r_exams_default(chosen, expected):
    assert score_item(MR5, policy(), frozenset(chosen)).points == pytest.approx(expected)


def test_multiple_response_negative_floor():
    rules = policy(multiple_response={"floor": -1})
    assert score_item(MR5, rules, frozenset({"b", "d"})).points == pytest.approx(-1.0)


# Key {a, b} of three options: one wrong option, so "false2" and "false" differ.
MR3 = item(type="multiple_response", options=[{"id": c, "text": c * 2} for c in "abc"], key=["a", "b"])


@pytest.mark.parametrize(
    "penalty, floor, expected",
    [
        ("false2", 0, 0.0),  # 1/2 - 1/max(1, 2)
        ("false2", -1, 0.0),  # not -1/2: the penalty is 1/max(1, 2), not 1/1
        ("false", 0, 0.0),  # 1/2 - 1/1 = -1/2, floored
        ("false", -1, -0.5),
        ("true", 0, 0.0),  # 1/2 - 1/|correct| = 1/2 - 1/2
        ("all", -1, -0.5),  # 1/2 - 1
        ("none", 0, 0.5),
    ],
)
def test_multiple_response_penalty_rules(penalty, floor, expected):
    rules = policy(multiple_response={"penalty": penalty, "floor": floor})
    assert score_item(MR3, rules, frozenset({"a", "c"})).points == pytest.approx(expected)


def test_multiple_response_all_or_nothing():
    rules = policy(multiple_response={"rule": "all_or_nothing"})
    assert score_item(MR3, rules, frozenset({"a", "b"})).points == 1.0
    assert score_item(MR3, rules, frozenset({"a"})).points == 0.0


MATCH = item(
    type="matching",
    prompts=[{"id": p, "text": f"prompt {p}"} for p in ("p1", "p2", "p3")],
    choices=[{"id": c, "text": f"choice {c}"} for c in ("c1", "c2", "c3", "c4")],
    key={"p1": "c1", "p2": "c2", "p3": "c2"},
    points=3,
)


def test_matching_per_pair_and_all_or_nothing():
    answer = {"p1": "c1", "p2": "c2", "p3": "c4"}
    assert score_item(MATCH, policy(), answer).points == pytest.approx(2.0)  # 2 of 3 pairs of 3 points
    assert score_item(MATCH, policy(matching={"rule": "all_or_nothing"}), answer).points == 0.0
    assert score_item(MATCH, policy(), {"p1": "c1"}).points == pytest.approx(
        1.0
    )  # unanswered pairs earn nothing


ORDER = item(type="ordering", options=ABCD, key=["a", "b", "c", "d"])


def test_ordering_per_position_and_all_or_nothing():
    assert score_item(ORDER, policy(), ("b", "a", "c", "d")).points == pytest.approx(0.5)
    assert score_item(ORDER, policy(ordering={"rule": "all_or_nothing"}), ("b", "a", "c", "d")).points == 0.0
    assert score_item(ORDER, policy(ordering={"rule": "all_or_nothing"}), ("a", "b", "c", "d")).points == 1.0


SHORT = item(
    type="short_answer",
    accepted=[
        {"text": "Musyawarah Pembangunan Kelurahan"},
        {"text": "musrenbang", "credit": 0.5},
        {"regex": r"mpk\d?"},
    ],
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("  musyawarah   pembangunan KELURAHAN ", 1.0),  # case and white space normalised
        ("ＭＵＳＲＥＮＢＡＮＧ", 0.5),  # full-width letters: NFKC
        ("MPK2", 1.0),  # regex, whole answer, case ignored
        ("mpk22", 0.0),  # the regex must match the whole answer
        ("musyawarah desa", 0.0),
    ],
)
def test_short_answer(text, expected):
    assert score_item(SHORT, policy(), text).points == pytest.approx(expected)


def test_short_answer_case_sensitive():
    strict = item(type="short_answer", accepted=[{"text": "RT"}], case_sensitive=True)
    assert score_item(strict, policy(), "RT").points == 1.0
    assert score_item(strict, policy(), "rt").points == 0.0


@pytest.mark.parametrize(
    "data, value, expected",
    [
        ({"value": 5, "tolerance": 0.5}, 5.4, 1.0),
        ({"value": 5, "tolerance": 0.5}, 5.5, 1.0),  # the bound is included
        ({"value": 5, "tolerance": 0.5}, 5.6, 0.0),
        ({"value": 5, "tolerance": 0.5, "partial_tolerance": 1}, 5.8, 0.5),
        ({"value": 5, "tolerance": 0.5, "partial_tolerance": 1, "partial_credit": 0.25}, 4.1, 0.25),
        ({"value": 200, "tolerance": 0.1, "tolerance_mode": "relative"}, 219, 1.0),
        ({"value": 200, "tolerance": 0.1, "tolerance_mode": "relative"}, 221, 0.0),
        ({"value": 0.3, "tolerance": 0}, 0.1 + 0.2, 1.0),  # floating-point slack
    ],
)
def test_numeric(data, value, expected):
    assert score_item(item(type="numeric", **data), policy(), value).points == pytest.approx(expected)


WEIGHTED = item(
    type="weighted_options",
    options=[{"id": c, "text": c * 2, "points": p} for c, p in zip("abcde", [1, 3, 5, 2, 4], strict=True)],
)


def test_weighted_options_and_type_weight():
    assert score_item(WEIGHTED, policy(), "b").points == 3.0
    assert score_item(WEIGHTED, policy(), "b").max_points == 5.0
    s = score_item(WEIGHTED, policy(type_weights={"weighted_options": 0.2}), "b")
    assert (s.points, s.max_points) == (pytest.approx(0.6), pytest.approx(1.0))


ESSAY = item(
    type="essay",
    rubric=[{"id": f"l{p}", "label": f"level {p}", "points": p} for p in range(4)],
)


def test_essay_pending_marked_and_blank():
    pending = score_item(ESSAY, policy(), "jawaban")
    assert (pending.points, pending.pending, pending.blank) == (0.0, True, False)
    assert score_item(ESSAY, policy(), "jawaban", "l2").points == 2.0
    blank = score_item(ESSAY, policy(), None)
    assert (blank.points, blank.pending, blank.blank) == (0.0, False, True)


def test_attempt_result_bands_pass_and_competencies():
    a = item(id="a", type="true_false", key=True, competencies=["T.01", "M.05"])
    b = item(id="b", type="true_false", key=True, competencies=["T.01"], points=3)
    c = item(id="c", type="essay", rubric=ESSAY.rubric, competencies=["M.05"])
    result = score_attempt([a, b, c], policy(), Grading(), {"a": True, "b": True, "c": "teks"}, {"c": "l3"})
    # 1 + 3 + 3 of 1 + 3 + 3
    assert (result.points, result.max_points, result.percentage) == (7.0, 7.0, 100.0)
    assert result.band.label == "Sangat Baik" and result.passed is True and result.provisional is False
    t01, m05 = result.competencies["T.01"], result.competencies["M.05"]
    assert (t01.points, t01.max_points) == (4.0, 4.0)  # a counts fully in T.01 and in M.05
    assert (m05.points, m05.max_points, m05.level) == (4.0, 4.0, 5)

    half = score_attempt([a, b, c], policy(), Grading(), {"a": True, "b": False, "c": "teks"})
    assert half.provisional is True  # the essay waits for its mark
    assert half.percentage == pytest.approx(100 / 7)
    assert half.band.label == "Kurang" and half.passed is False
    assert half.competencies["T.01"].percentage == pytest.approx(25.0)
    assert half.competencies["T.01"].level == 1


@pytest.mark.parametrize(
    "percentage, band, level",
    [
        (100, "Sangat Baik", 5),
        (85, "Sangat Baik", 5),
        (84.99, "Baik", 4),
        (70, "Baik", 4),
        (55, "Cukup", 3),
        (54.9, "Kurang", 2),
        (40, "Kurang", 2),
        (0, "Kurang", 1),
    ],
)
def test_default_bands_and_levels_at_their_bounds(percentage, band, level):
    grading = Grading()
    assert grading.band_for(percentage).label == band
    assert grading.level_for(percentage) == level


def test_exactly_the_pass_mark_passes_whatever_the_order_of_the_sums():
    """13 items whose points sum differently left to right and pairwise: 70% must pass in both paths."""
    import numpy as np

    from assess.responses import encode_item
    from assess.scoring import score_bulk

    points = [0.2, 1.3, 0.7, 1.3, 1.1, 1.3, 0.7, 0.6, 0.7, 0.1, 1.3, 0.6, 1.1]
    items = [item(id=f"t{k}", type="true_false", key=True, points=p) for k, p in enumerate(points)]
    right = {
        "t0",
        "t1",
        "t3",
        "t4",
        "t5",
        "t9",
        "t10",
        "t12",
    }  # 0.2 + 1.3 + 1.3 + 1.1 + 1.3 + 0.1 + 1.3 + 1.1 = 7.7 of 11
    responses = {i.id: i.id in right for i in items}
    one = score_attempt(items, policy(), Grading(), responses)
    assert one.percentage == 70.0 and one.passed is True and one.band.label == "Baik"
    encoded = [encode_item(i, [responses[i.id]]) for i in items]
    bulk = score_bulk(items, policy(), Grading(), encoded).attempt(0)
    assert bulk.percentage == 70.0 and bulk.passed is True and bulk.band.label == "Baik"
    assert np.isclose(bulk.points, 7.7)


def test_bulk_scoring_by_hand():
    from assess.responses import encode_item
    from assess.scoring import score_bulk

    items = [
        i.model_copy(update={"id": k})
        for i, k in zip([SC, MR5, ORDER, WEIGHTED], ["sc", "mr", "or", "wo"], strict=True)
    ]
    rows = [
        {"sc": "b", "mr": frozenset({"a", "c"}), "or": ("a", "b", "c", "d"), "wo": "c"},
        {"sc": "a", "mr": None, "or": ("b", "a", "c", "d"), "wo": "a"},
    ]
    encoded = [encode_item(i, [r[i.id] for r in rows]) for i in items]
    bulk = score_bulk(items, policy(single_choice={"penalty": "auto"}), Grading(), encoded)
    # Row 1: 1 + 2/3 + 1 + 5 = 7 2/3 of 8. Row 2: -1/3 + 0 (blank) + 1/2 + 1 = 7/6 of 8.
    assert bulk.total.tolist() == pytest.approx([23 / 3, 7 / 6])
    assert bulk.max_points == 8.0
    assert bulk.blank.tolist() == [[False] * 4, [False, True, False, False]]
    assert bulk.percentage.tolist() == pytest.approx([100 * 23 / 24, 100 * 7 / 48])


def test_negative_marking_floors_the_total_at_zero_unless_told_otherwise():
    items = [item(id=f"s{k}", type="single_choice", options=ABCD, key="b") for k in range(3)]
    wrong = {i.id: "a" for i in items}
    floored = score_attempt(items, policy(single_choice={"penalty": "auto"}), Grading(), wrong)
    assert floored.points == 0.0 and floored.percentage == 0.0
    negative = score_attempt(
        items, policy(single_choice={"penalty": "auto"}, floor_total=False), Grading(), wrong
    )
    assert negative.points == pytest.approx(-1.0) and negative.band.label == "Kurang"


def test_an_essay_mark_that_is_not_a_rubric_level_is_refused():
    with pytest.raises(ValueError, match="not a rubric level"):
        score_item(ESSAY, policy(), "jawaban", "l9")


def test_a_short_answer_not_typed_yet_waits_and_is_never_scored_blank_or_wrong():
    """A scanned sheet's short answer is a picture until the trainer types it (issue 21): pending, 0 points
    for now, not blank; once typed it scores as any answer."""
    from assess.bank.model import ShortAnswer
    from assess.responses import PAPER_UNTYPED, encode_item
    from assess.scoring import ScoringPolicy, score_item, score_item_bulk

    item = ShortAnswer.model_validate(
        {
            "id": "s1",
            "type": "short_answer",
            "stem": "Siapa kepala kelurahan?",
            "competencies": ["k1"],
            "accepted": [{"text": "lurah"}],
            "points": 2,
        }  # fmt: skip
    )
    policy = ScoringPolicy()
    waiting = score_item(item, policy, PAPER_UNTYPED)
    assert (waiting.points, waiting.blank, waiting.pending) == (0.0, False, True)
    assert score_item(item, policy, "Lurah").points == 2.0
    points, blank, pending = score_item_bulk(item, policy, encode_item(item, [PAPER_UNTYPED, "lurah", None]))
    assert points.tolist() == [0.0, 2.0, 0.0]
    assert blank.tolist() == [False, False, True] and pending.tolist() == [True, False, False]
