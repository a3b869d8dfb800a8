"""What a participant may see of their own attempt, and when (pure: no I/O).

Every screen and report asks `visible()` before it shows a score, an answer,
a key or an explanation.
"""

from __future__ import annotations

from dataclasses import dataclass

from assess.event.policy import REVIEW_ASPECTS, Moment, ReviewPolicy


@dataclass(frozen=True)
class Moments:
    """Where the event stands, seen from one attempt."""

    attempt_finished: bool  # submitted or expired
    phase_closed: bool
    last_phase_closed: bool


def reached(moment: Moment, now: Moments) -> bool:
    """Whether `moment` has come. Nothing is shown before the attempt is finished."""
    if not now.attempt_finished or moment == "never":
        return False
    if moment == "immediately":
        return True
    if moment == "after_phase":
        return now.phase_closed or now.last_phase_closed
    return now.last_phase_closed


def visible(policy: ReviewPolicy, now: Moments) -> frozenset[str]:
    """The aspects (see REVIEW_ASPECTS) the participant may see now."""
    return frozenset(a for a in REVIEW_ASPECTS if reached(getattr(policy, a), now))
