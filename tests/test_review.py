"""The review policy: what a participant may see, and from when; one test per setting."""

from __future__ import annotations

import pytest

from assess.event.policy import REVIEW_ASPECTS, ReviewPolicy
from assess.event.review import Moments, reached, visible

DURING = Moments(attempt_finished=False, phase_closed=False, last_phase_closed=False)
SUBMITTED = Moments(attempt_finished=True, phase_closed=False, last_phase_closed=False)
PHASE_CLOSED = Moments(attempt_finished=True, phase_closed=True, last_phase_closed=False)
ALL_CLOSED = Moments(attempt_finished=True, phase_closed=True, last_phase_closed=True)


@pytest.mark.parametrize(
    "moment, expected",
    [
        ("immediately", [False, True, True, True]),
        ("after_phase", [False, False, True, True]),
        ("after_last_phase", [False, False, False, True]),
        ("never", [False, False, False, False]),
    ],
)
def test_each_moment(moment, expected):
    assert [reached(moment, m) for m in (DURING, SUBMITTED, PHASE_CLOSED, ALL_CLOSED)] == expected


@pytest.mark.parametrize("aspect", REVIEW_ASPECTS)
@pytest.mark.parametrize("moment", ["immediately", "after_phase", "after_last_phase", "never"])
def test_each_aspect_follows_its_own_setting(aspect, moment):
    policy = ReviewPolicy.model_validate({a: ("never" if a != aspect else moment) for a in REVIEW_ASPECTS})
    for now in (DURING, SUBMITTED, PHASE_CLOSED, ALL_CLOSED):
        assert visible(policy, now) == ({aspect} if reached(moment, now) else set())


def test_default_hides_keys_and_explanations_until_the_last_phase_closes():
    policy = ReviewPolicy()
    after_pre = visible(policy, PHASE_CLOSED)
    assert {"score", "band", "own_answers"} <= after_pre
    # Subscores of a one-item competency would give the key away before a post-test that reuses it.
    assert not {"correct_answers", "explanations", "sources", "cohort_position", "competencies"} & after_pre
    assert visible(policy, ALL_CLOSED) == set(REVIEW_ASPECTS)
    assert visible(policy, DURING) == set()  # nothing while the attempt runs
