"""A synthetic cohort for demos and benchmarks, from an item-response model (pure: no I/O).

Each participant has an ability; each item a difficulty from its intended
difficulty; between the pre- and the post-test the ability grows by a gain
that differs by competency. P(right) = 1 / (1 + exp(-a (ability - difficulty))).
Everything is drawn from an explicit seed, so the same seed gives the same cohort.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assess.bank.model import (
    Essay,
    ItemBase,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    WeightedOptions,
)
from assess.responses import to_json

INTENDED = {"easy": -1.0, "medium": 0.0, "hard": 1.0}
DISCRIMINATION = 1.2
BLANK_RATE = 0.02


def _salt(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


@dataclass(frozen=True)
class Cohort:
    """Abilities per person and learning gains per competency."""

    seed: int
    ability: dict[str, float]
    gain: dict[str, float]

    @classmethod
    def draw(
        cls, people: Sequence[str], competencies: Sequence[str], seed: int, *, mean_gain: float = 0.8
    ) -> Cohort:
        rng = np.random.default_rng([seed, _salt("cohort")])
        ability = dict(zip(people, rng.normal(0.0, 1.0, len(people)).tolist(), strict=True))
        gains = rng.normal(mean_gain, 0.3, len(competencies)).clip(0.0, None).tolist()
        return cls(seed, ability, dict(zip(competencies, gains, strict=True)))

    def theta(self, person: str, competency: str, learned: bool) -> float:
        return self.ability[person] + (self.gain.get(competency, 0.0) if learned else 0.0)


def difficulty(item: ItemBase, seed: int) -> float:
    rng = np.random.default_rng([seed, _salt("item/" + item.id)])
    return INTENDED[item.difficulty] + float(rng.normal(0.0, 0.3))


def _respond(item: ItemBase, p: float, rng: np.random.Generator):
    right = rng.random() < p
    if isinstance(item, SingleChoice):
        wrong = [o.id for o in item.options if o.id != item.key]
        return item.key if right else wrong[rng.integers(len(wrong))]
    if isinstance(item, TrueFalse):
        return item.key if right else not item.key
    if isinstance(item, MultipleResponse):
        key = set(item.key)
        chosen = {o.id for o in item.options if rng.random() < (p if o.id in key else (1 - p) * 0.5)}
        return frozenset(chosen) or None
    if isinstance(item, Matching):
        choices = [c.id for c in item.choices]
        return {
            pr.id: item.key[pr.id] if rng.random() < p else choices[rng.integers(len(choices))]
            for pr in item.prompts
        }
    if isinstance(item, Ordering):
        order = list(item.key)
        if not right:
            i, j = rng.choice(len(order), 2, replace=False)
            order[i], order[j] = order[j], order[i]
        return tuple(order)
    if isinstance(item, ShortAnswer):
        texts = [a.text for a in item.accepted if a.text]
        return texts[0] if right and texts else "tidak tahu"
    if isinstance(item, Numeric):
        return item.value if right else item.value * 1.5 + 1
    if isinstance(item, WeightedOptions):
        ranked = sorted(item.options, key=lambda o: -o.points)
        # Better participants pick better options: the top one with P, else one of the rest.
        return ranked[0].id if right else ranked[1 + rng.integers(len(ranked) - 1)].id
    if isinstance(item, Essay):
        return "Jawaban uraian peserta (simulasi)."
    raise TypeError(type(item).__name__)


def simulate_attempt(
    items: Sequence[ItemBase], person: str, phase: str, cohort: Cohort, *, learned: bool
) -> tuple[dict, dict]:
    """(answers in JSON form, essay marks) of one person on one form."""
    rng = np.random.default_rng([cohort.seed, _salt(person), _salt(phase)])
    answers, marks = {}, {}
    for item in items:
        theta = cohort.theta(person, item.primary_competency, learned)
        p = 1.0 / (1.0 + np.exp(-DISCRIMINATION * (theta - difficulty(item, cohort.seed))))
        if rng.random() < BLANK_RATE:
            answers[item.id] = None
            continue
        value = _respond(item, float(p), rng)
        answers[item.id] = to_json(value)
        if isinstance(item, Essay):
            levels = sorted(item.rubric, key=lambda r: r.points)
            marks[item.id] = levels[min(int(p * len(levels)), len(levels) - 1)].id
    return answers, marks
