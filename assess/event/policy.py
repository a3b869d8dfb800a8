"""Scoring and review policies: the conventions a trainer chooses, as data (pure: no I/O).

An event's `assessment.yaml` sets them; a form keeps a snapshot of the
scoring policy so that a later edit never changes how an attempt is scored.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from assess.bank.checks import Collector
from assess.bank.model import FiniteFloat, ItemType, Model, StrictBool, Text

Fraction = Annotated[FiniteFloat, Field(ge=-1, le=0)]  # a share of the item's points, at most lost


def _penalty(value: Any) -> float | str:
    if value == "auto":
        return "auto"
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        if 0 <= value <= 1:
            return float(value)
    raise PydanticCustomError("penalty", "a share from 0 to 1, or auto")


# One field, one clear message: a union would report each of its members.
Penalty = Annotated[
    Any,
    AfterValidator(_penalty),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"const": "auto"}]}),
]


class ChoicePolicy(Model):
    """single_choice and true_false: right or wrong, optionally with negative marking.

    `penalty`: what a wrong (not a blank) answer costs, as a share of the item's
    points: 0 (the default), a fraction such as 0.25, or "auto" for 1/(k-1)
    with k options (the expected score of blind guessing is then zero; 1 for
    true/false).
    """

    penalty: Penalty = 0.0


class MultipleResponsePolicy(Model):
    """multiple_response.

    rule "partial" (default), as R/exams' exams_eval(partial=TRUE): each chosen
    correct option earns 1/|correct|; each chosen wrong option costs by
    `penalty`: "false2" 1/max(|wrong|, 2) (R/exams' default), "false" 1/|wrong|,
    "true" 1/|correct|, "all" the whole item, "none" nothing. The sum is
    floored at `floor` (0 unless negative scores are allowed).
    rule "all_or_nothing": full points only for exactly the keyed set.
    """

    rule: Literal["partial", "all_or_nothing"] = "partial"
    penalty: Literal["false2", "false", "true", "all", "none"] = "false2"
    floor: Fraction = 0.0


class PerPartPolicy(Model):
    """matching (per pair) and ordering (per position): a share per part, or all or nothing."""

    rule: Literal["per_part", "all_or_nothing"] = "per_part"


class ScoringPolicy(Model):
    """How every item type is scored. A blank answer always scores 0 and is kept apart from a wrong one."""

    single_choice: ChoicePolicy = ChoicePolicy()
    true_false: ChoicePolicy = ChoicePolicy()
    multiple_response: MultipleResponsePolicy = MultipleResponsePolicy()
    matching: PerPartPolicy = PerPartPolicy()
    ordering: PerPartPolicy = PerPartPolicy()
    # Multiplies every item's points by type, e.g. {weighted_options: 0.2} so a
    # 1..5 situational item weighs like a 1-point item.
    type_weights: dict[ItemType, Annotated[FiniteFloat, Field(gt=0)]] = {}
    # Negative marking can bring a total (and a competency subscore) down to 0, not below.
    floor_total: StrictBool = True


class Band(Model):
    """A label for results at or above `min` percent (the highest band that fits wins)."""

    min: Annotated[FiniteFloat, Field(ge=0, le=100)]
    label: Text
    label_en: Text | None = None


# The project's default bands and competency levels. They are a convention, not
# an official LAN or BKN scale (none was confirmed for these courses); every
# event can set its own in assessment.yaml.
DEFAULT_BANDS = [
    Band(min=85, label="Sangat Baik", label_en="Very good"),
    Band(min=70, label="Baik", label_en="Good"),
    Band(min=55, label="Cukup", label_en="Sufficient"),
    Band(min=0, label="Kurang", label_en="Insufficient"),
]
DEFAULT_LEVEL_THRESHOLDS = [0.0, 40.0, 55.0, 70.0, 85.0]  # percent needed for levels 1..5


class Grading(Model):
    """Bands, pass mark and competency level thresholds (percentages 0..100)."""

    bands: Annotated[list[Band], Field(min_length=1)] = DEFAULT_BANDS
    pass_mark: Annotated[FiniteFloat, Field(ge=0, le=100)] | None = 70.0
    # level_thresholds[i] is the least percentage for level i+1.
    level_thresholds: Annotated[list[Annotated[FiniteFloat, Field(ge=0, le=100)]], Field(min_length=1)] = (
        DEFAULT_LEVEL_THRESHOLDS
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        found = Collector()
        mins = [b.min for b in self.bands]
        if 0 not in mins:
            found.add("EVENT-BANDS-NO-ZERO", ("bands",), "a band must start at 0")
        if len(set(mins)) != len(mins):
            found.add("EVENT-BANDS-DUPLICATE", ("bands",), "two bands share a minimum")
        t = self.level_thresholds
        if any(b <= a for a, b in zip(t, t[1:], strict=False)) or t[0] != 0:
            found.add("EVENT-LEVELS-ORDER", ("level_thresholds",), "thresholds must start at 0 and rise")
        found.raise_if_any()
        return self

    def band_for(self, percentage: float) -> Band:
        return max((b for b in self.bands if percentage >= b.min), key=lambda b: b.min)

    def level_for(self, percentage: float) -> int:
        return sum(1 for t in self.level_thresholds if percentage >= t)


Moment = Literal["immediately", "after_phase", "after_last_phase", "never"]
REVIEW_ASPECTS = (
    "score",
    "band",
    "competencies",
    "cohort_position",
    "own_answers",
    "correct_answers",
    "explanations",
    "sources",
)


class ReviewPolicy(Model):
    """What a participant may see of their own attempt, and from when.

    The defaults hide correct answers, explanations and sources until the last
    phase has closed, so that a post-test that reuses the pre-test's items
    stays sound.
    """

    score: Moment = "immediately"
    band: Moment = "immediately"
    # Subscores of a competency with one or two items would tell which answers
    # were right before a post-test that reuses them.
    competencies: Moment = "after_last_phase"
    cohort_position: Moment = "after_last_phase"
    own_answers: Moment = "after_phase"
    correct_answers: Moment = "after_last_phase"
    explanations: Moment = "after_last_phase"
    sources: Moment = "after_last_phase"
