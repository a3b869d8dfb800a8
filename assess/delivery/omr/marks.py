"""From bubble darkness to what was marked: filled, empty or doubtful, per bubble and per question
(pure).

A bubble is measured (`assess.delivery.omr.read.Measured`) relative to the page's printed filled
reference: `darkness` its mean, `inked` the share of it as dark as ink. A pen's fill, cross or tick
leaves ink; an eraser or a light pencil leaves a grey that is dark on average but nowhere ink. So:

    filled     inked >= FILLED_INKED, or darkness >= FILLED_DARKNESS (a quarter as dark as print)
    empty      inked < EMPTY_INKED and darkness < EMPTY_DARKNESS
    doubtful   anything between: a light mark, an erasure, a stray dot

Where one mark is allowed (a row of a single-answer question, a grid row, a digit column) a doubtful
bubble beside one clearly filled and at most half as dark is taken for an erasure; two filled are
doubtful, as is a doubtful one alone. Nothing doubtful becomes an answer: it goes to the review.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

FILLED_INKED, FILLED_DARKNESS = 0.2, 0.24
EMPTY_INKED, EMPTY_DARKNESS = 0.08, 0.14
ERASED_SHARE = 0.5  # a doubtful bubble at most this share of a filled neighbour's darkness is an erasure

FILLED, EMPTY, DOUBTFUL = "filled", "empty", "doubtful"


@dataclass(frozen=True)
class Reading:
    state: str  # FILLED, EMPTY or DOUBTFUL
    darkness: float
    inked: float


def classify(darkness: float, inked: float) -> Reading:
    if inked >= FILLED_INKED or darkness >= FILLED_DARKNESS:
        state = FILLED
    elif inked < EMPTY_INKED and darkness < EMPTY_DARKNESS:
        state = EMPTY
    else:
        state = DOUBTFUL
    return Reading(state, darkness, inked)


@dataclass(frozen=True)
class Choice:
    """One group of bubbles where one mark at most is allowed."""

    value: str | None  # the filled bubble's value; None: none filled
    doubtful: bool
    why: str = ""  # "two-marks", "unclear"


def one_of(values: Sequence[str], readings: Sequence[Reading]) -> Choice:
    """The value marked among bubbles of which one at most may be filled."""
    filled = [k for k, r in enumerate(readings) if r.state == FILLED]
    unclear = [k for k, r in enumerate(readings) if r.state == DOUBTFUL]
    if len(filled) > 1:
        return Choice(None, True, "two-marks")
    if len(filled) == 1:
        mark = readings[filled[0]]
        erased = all(
            readings[k].darkness <= ERASED_SHARE * mark.darkness
            and readings[k].inked <= ERASED_SHARE * mark.inked
            for k in unclear
        )
        return Choice(values[filled[0]], False) if erased else Choice(None, True, "unclear")
    if unclear:
        return Choice(None, True, "unclear")
    return Choice(None, False)


def any_of(values: Sequence[str], readings: Sequence[Reading]) -> tuple[list[str], bool]:
    """The values marked where any number may be (multiple response); doubtful when any bubble is."""
    return [v for v, r in zip(values, readings, strict=True) if r.state == FILLED], any(
        r.state == DOUBTFUL for r in readings
    )


# -- what a question's bubbles say ---------------------------------------------------------------

TWO_MARKS, UNCLEAR, INCOMPLETE, NOT_A_NUMBER, UNTYPED = (
    "two-marks",
    "unclear",
    "incomplete",
    "not-a-number",
    "untyped",
)
_NUMBER = re.compile(r"-?\d+(,\d+)?")


@dataclass(frozen=True)
class QuestionReading:
    """What one question's bubbles say, as the typed answer sheet writes it (`assess.delivery.answer_sheet`):
    a letter, letters, "1C 2A", letters in order, a number with a decimal comma; None when blank. An essay's
    `text` is the index of the rubric level the marker filled in. Doubtful: `why` says how, and nothing of
    it becomes an answer until the review says what it is. A short answer is always left to the review."""

    number: int
    kind: str
    text: str | None
    why: str = ""  # "" when clear

    @property
    def doubtful(self) -> bool:
        return bool(self.why)


def _groups(bubbles, readings) -> dict[str, list[tuple[str, Reading]]]:
    """Bubbles grouped where one mark at most is allowed: by their `row` (a grid's row, a digit place)."""
    groups: dict[str, list[tuple[str, Reading]]] = {}
    for b, r in zip(bubbles, readings, strict=True):
        groups.setdefault(b.row, []).append((b.value, r))
    return groups


def _one_per_group(bubbles, readings) -> tuple[dict[str, str | None], str]:
    """For each group (a row, or a digit place), its value; and why doubtful ("" when clear)."""
    values, why = {}, ""
    for key, members in _groups(bubbles, readings).items():
        choice = one_of([v for v, _ in members], [r for _, r in members])
        values[key] = choice.value
        if choice.doubtful:
            why = why or choice.why
    return values, why


def read_question(kind: str, number: int, bubbles, readings) -> QuestionReading:
    """One question's reading from its bubbles (as the layout places them) and their readings."""
    if kind == "short_answer":
        return QuestionReading(number, kind, None, UNTYPED)
    if kind == "multiple_response":
        chosen, unclear = any_of([b.value for b in bubbles], readings)
        return QuestionReading(number, kind, "".join(chosen) or None, UNCLEAR if unclear else "")
    values, why = _one_per_group(bubbles, readings)
    if why:
        return QuestionReading(number, kind, None, why)
    marked = {k: v for k, v in values.items() if v is not None}
    if not marked:
        return QuestionReading(number, kind, None)
    if kind == "matching":
        return QuestionReading(number, kind, " ".join(f"{k}{v}" for k, v in marked.items()))
    if kind == "ordering":
        positions = sorted(marked.items(), key=lambda kv: int(kv[1]))
        if len(marked) != len(values) or len({v for v in marked.values()}) != len(marked):
            return QuestionReading(number, kind, None, INCOMPLETE)
        return QuestionReading(number, kind, "".join(k for k, _ in positions))
    if kind == "numeric":
        places = sorted(marked, key=int)
        if int(places[-1]) - int(places[0]) + 1 != len(places):  # an empty column between digits
            return QuestionReading(number, kind, None, INCOMPLETE)
        text = "".join(marked[k] for k in places)
        return (
            QuestionReading(number, kind, text)
            if _NUMBER.fullmatch(text)
            else QuestionReading(number, kind, None, NOT_A_NUMBER)
        )
    return QuestionReading(number, kind, marked[""])


def read_identity(bubbles, readings) -> tuple[str | None, str]:
    """The digits filled in on the identity grid (None when none), and why doubtful ("" when clear)."""
    values, why = _one_per_group(bubbles, readings)
    if why:
        return None, why
    digits = [values[k] for k in sorted(values, key=int)]
    if not any(digits):
        return None, ""
    if not all(digits):
        return None, INCOMPLETE
    return "".join(digits), ""  # type: ignore[arg-type]
