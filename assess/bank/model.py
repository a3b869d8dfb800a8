"""The item model: one frozen pydantic class per item type, a union on `type`.

Keys always refer to option ids, never to the letters a participant sees: the
letters change with every shuffled order, the ids do not.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic import Strict as StrictType
from pydantic_core import PydanticCustomError

from assess.bank.checks import Collector, check_unique_ids, duplicates

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=100)]
LANGUAGE_PATTERN = r"^[a-z]{2,3}$"
LanguageCode = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]


# Control characters have no place in item text (an escaped "\x00" would also
# be refused by PostgreSQL later); tab, newline and carriage return are fine.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def _not_blank(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError("text_empty", "must not be empty")
    bad = CONTROL_CHARACTERS.search(text)
    if bad is not None:
        raise PydanticCustomError(
            "text_control", "control character {code}", {"code": f"U+{ord(bad.group()):04X}"}
        )
    return text


Text = Annotated[str, AfterValidator(_not_blank)]


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str) else value


SourceIds = Annotated[
    list[Id],
    BeforeValidator(_one_or_many),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": ID_PATTERN},
                {"type": "array", "items": {"type": "string", "pattern": ID_PATTERN}},
            ]
        }
    ),
]
Difficulty = Literal["easy", "medium", "hard"]
CognitiveLevel = Literal["remember", "understand", "apply", "analyze", "evaluate", "create"]
Status = Literal["draft", "ready"]
StrictBool = Annotated[bool, StrictType()]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class Model(BaseModel):
    # strict: a wrong type is reported, never quietly converted ("3.5" stays text,
    # true is not 1); an int is still a valid float.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Option(Model):
    id: Id
    text: Text
    # Shown to a participant who chose it, once answers may be seen (Moodle's per-answer feedback).
    feedback: Text | None = None


class WeightedOption(Option):
    points: FiniteFloat


class LintIgnore(Model):
    code: Text
    reason: Text


class Translation(Model):
    """The item's text in another language; option ids as in the item."""

    stem: Text | None = None
    options: dict[Id, Text] = {}
    prompts: dict[Id, Text] = {}
    choices: dict[Id, Text] = {}
    rubric: dict[Id, Text] = {}  # level labels
    unit: Text | None = None
    explanation: Text | None = None


class ItemBase(Model):
    id: Id
    stem: Text
    points: Annotated[FiniteFloat, Field(gt=0)] | None = None
    competencies: Annotated[list[Id], Field(min_length=1)]
    topic: Text | None = None
    difficulty: Difficulty = "medium"
    cognitive_level: CognitiveLevel | None = None
    explanation: Text | None = None
    source: SourceIds = []
    status: Status = "draft"
    tags: list[Text] = []
    # Items of one cluster ask about the same thing (near-duplicates, "enemies"): a form holds at most
    # one of them, and a parallel form none of those its first form holds.
    cluster: Id | None = None
    lint_ignore: list[LintIgnore] = []
    translations: dict[LanguageCode, Translation] = {}

    @property
    def max_points(self) -> float:
        """The most this item can score."""
        return 1.0 if self.points is None else self.points

    @property
    def primary_competency(self) -> str:
        return self.competencies[0]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        found = Collector()
        self._check(found)
        for lang, tr in self.translations.items():
            for name in ("options", "prompts", "choices", "rubric"):
                known = {o.id for o in getattr(self, name, [])}
                for oid in getattr(tr, name):
                    if oid not in known:
                        found.add(
                            "BANK-TRANSLATION-UNKNOWN-OPTION",
                            ("translations", lang, name, oid),
                            f"{oid!r} is not an id in {name}",
                            at_key=True,
                            id=oid,
                            name=name,
                        )
        found.raise_if_any()
        return self

    def _check(self, found: Collector) -> None:
        """Add the type's own consistency issues."""


def _check_options(found: Collector, options: list[Option], name: str = "options") -> set[str]:
    if len(options) < 2:
        found.add("BANK-OPTIONS-TOO-FEW", (name,), f"at least two {name}", n=len(options), name=name)
    ids = check_unique_ids(found, options, name, "BANK-OPTION-DUPLICATE")
    texts = [" ".join(o.text.split()).casefold() for o in options]
    for i in duplicates(texts):
        found.add(
            "BANK-OPTION-TEXT-DUPLICATE", (name, i, "text"), "option text repeated", text=options[i].text
        )
    return ids


def _check_key_ids(found: Collector, key: list[str], known: set[str], loc=("key",)) -> None:
    for i, k in enumerate(key):
        if k not in known:
            found.add("BANK-KEY-UNKNOWN", (*loc, i), f"key {k!r} is not an option id", key=k, name="options")
    for i in duplicates(key):
        found.add("BANK-KEY-DUPLICATE", (*loc, i), "key repeated", key=key[i])


class SingleChoice(ItemBase):
    type: Literal["single_choice"]
    options: list[Option]
    key: Id

    def _check(self, found: Collector) -> None:
        ids = _check_options(found, self.options)
        if self.key not in ids:
            found.add("BANK-KEY-UNKNOWN", ("key",), "key is not an option id", key=self.key, name="options")


# Bulk scoring keeps a multiple-response answer as a 64-bit mask.
MAX_MULTIPLE_RESPONSE_OPTIONS = 64


class MultipleResponse(ItemBase):
    type: Literal["multiple_response"]
    options: list[Option]
    key: Annotated[list[Id], Field(min_length=1)]

    def _check(self, found: Collector) -> None:
        _check_key_ids(found, self.key, _check_options(found, self.options))
        if len(self.options) > MAX_MULTIPLE_RESPONSE_OPTIONS:
            found.add(
                "BANK-OPTIONS-TOO-MANY",
                ("options",),
                "too many",
                n=len(self.options),
                max=MAX_MULTIPLE_RESPONSE_OPTIONS,
            )


class TrueFalse(ItemBase):
    type: Literal["true_false"]
    key: StrictBool


class Matching(ItemBase):
    """Each prompt is matched to one choice; extra choices are distractors."""

    type: Literal["matching"]
    prompts: list[Option]
    choices: list[Option]
    key: dict[Id, Id]

    def _check(self, found: Collector) -> None:
        prompts = _check_options(found, self.prompts, "prompts")
        choices = _check_options(found, self.choices, "choices")
        for prompt, choice in self.key.items():
            if prompt not in prompts:
                found.add(
                    "BANK-KEY-UNKNOWN",
                    ("key", prompt),
                    "not a prompt id",
                    at_key=True,
                    key=prompt,
                    name="prompts",
                )
            if choice not in choices:
                found.add("BANK-KEY-UNKNOWN", ("key", prompt), "not a choice id", key=choice, name="choices")
        missing = [p for p in (o.id for o in self.prompts) if p not in self.key]
        if missing:
            found.add("BANK-MATCHING-INCOMPLETE", ("key",), "prompts without a match", ids=", ".join(missing))


class Ordering(ItemBase):
    """`key` lists every option id in the correct order."""

    type: Literal["ordering"]
    options: list[Option]
    key: list[Id]

    def _check(self, found: Collector) -> None:
        ids = _check_options(found, self.options)
        _check_key_ids(found, self.key, ids)
        missing = [o.id for o in self.options if o.id not in self.key]
        if missing:
            found.add("BANK-ORDER-INCOMPLETE", ("key",), "options missing", ids=", ".join(missing))


class Accepted(Model):
    """One accepted answer: a text compared after normalisation, or a regex.

    Both are compared with the normalised answer (Unicode form, then white
    space stripped and runs made one space, then case folded unless
    `case_sensitive`); a regex must match the whole of it (`re.fullmatch`).
    """

    text: Text | None = None
    regex: Text | None = None
    credit: Annotated[FiniteFloat, Field(gt=0, le=1)] = 1.0


class ShortAnswer(ItemBase):
    type: Literal["short_answer"]
    accepted: Annotated[list[Accepted], Field(min_length=1)]
    case_sensitive: StrictBool = False
    normalize_whitespace: StrictBool = True
    unicode_form: Literal["NFC", "NFKC", "none"] = "NFKC"

    def _check(self, found: Collector) -> None:
        for i, a in enumerate(self.accepted):
            if (a.text is None) == (a.regex is None):
                found.add("BANK-ACCEPTED-TEXT-OR-REGEX", ("accepted", i), "text or regex")
            if a.regex is not None:
                try:
                    re.compile(a.regex)
                except re.error as e:
                    found.add("BANK-REGEX-INVALID", ("accepted", i, "regex"), "bad regex", reason=str(e))


class Numeric(ItemBase):
    type: Literal["numeric"]
    value: FiniteFloat
    tolerance: FiniteFloat = 0.0
    tolerance_mode: Literal["absolute", "relative"] = "absolute"
    unit: Text | None = None
    # A second, wider tolerance that earns part of the points.
    partial_tolerance: FiniteFloat | None = None
    partial_credit: Annotated[FiniteFloat, Field(gt=0, lt=1)] = 0.5
    # tolerance_mode "relative": tolerances are fractions of `value` (0.05 for 5 %).

    def _check(self, found: Collector) -> None:
        if self.tolerance < 0:
            found.add("BANK-TOLERANCE-NEGATIVE", ("tolerance",), "tolerance < 0", value=self.tolerance)
        if self.partial_tolerance is not None and self.partial_tolerance <= self.tolerance:
            found.add(
                "BANK-PARTIAL-TOLERANCE-NARROW",
                ("partial_tolerance",),
                "partial tolerance not wider",
                value=self.partial_tolerance,
                tolerance=self.tolerance,
            )


class WeightedOptions(ItemBase):
    """Every option earns its own points (situational judgement, e.g. 1..5)."""

    type: Literal["weighted_options"]
    options: list[WeightedOption]

    @property
    def max_points(self) -> float:
        return max((o.points for o in self.options), default=0.0)

    def _check(self, found: Collector) -> None:
        _check_options(found, self.options)
        best = self.max_points
        if best <= 0:
            found.add("BANK-WEIGHT-NONE-POSITIVE", ("options",), "no option earns points")
        for i, o in enumerate(self.options):
            if o.points < 0:
                found.add("BANK-WEIGHT-NEGATIVE", ("options", i, "points"), "negative", value=o.points)
        _check_points_match(found, self.points, best)


class RubricLevel(Model):
    id: Id
    label: Text
    description: Text | None = None
    points: Annotated[FiniteFloat, Field(ge=0)]


class Essay(ItemBase):
    """Marked by hand against the rubric's levels."""

    type: Literal["essay"]
    rubric: list[RubricLevel]
    model_answer: Text | None = None  # for markers only, never shown to participants
    min_words: Annotated[int, Field(ge=0)] | None = None
    max_words: Annotated[int, Field(gt=0)] | None = None

    @property
    def max_points(self) -> float:
        return max((r.points for r in self.rubric), default=0.0)

    def _check(self, found: Collector) -> None:
        if len(self.rubric) < 2:
            found.add("BANK-RUBRIC-TOO-FEW", ("rubric",), "two levels at least", n=len(self.rubric))
        check_unique_ids(found, self.rubric, "rubric", "BANK-OPTION-DUPLICATE")
        if self.rubric and self.max_points <= 0:
            found.add("BANK-WEIGHT-NONE-POSITIVE", ("rubric",), "no level earns points")
        if self.min_words is not None and self.max_words is not None:
            if self.min_words > self.max_words:
                found.add(
                    "BANK-WORDS-RANGE", ("min_words",), "min > max", lo=self.min_words, hi=self.max_words
                )
        _check_points_match(found, self.points, self.max_points)


def _check_points_match(found: Collector, given: float | None, derived: float) -> None:
    if given is not None and not math.isclose(given, derived):
        found.add("BANK-POINTS-MISMATCH", ("points",), "points differ", given=given, derived=derived)


Item = Annotated[
    SingleChoice
    | MultipleResponse
    | TrueFalse
    | Matching
    | Ordering
    | ShortAnswer
    | Numeric
    | WeightedOptions
    | Essay,
    Field(discriminator="type"),
]

ItemType = Literal[
    "single_choice",
    "multiple_response",
    "true_false",
    "matching",
    "ordering",
    "short_answer",
    "numeric",
    "weighted_options",
    "essay",
]
ITEM_TYPES: dict[str, type[ItemBase]] = {
    cls.model_fields["type"].annotation.__args__[0]: cls  # type: ignore[union-attr]
    for cls in (
        SingleChoice,
        MultipleResponse,
        TrueFalse,
        Matching,
        Ordering,
        ShortAnswer,
        Numeric,
        WeightedOptions,
        Essay,
    )
}

if set(ITEM_TYPES) != set(ItemType.__args__):  # the union and the name list must not drift
    raise RuntimeError("ItemType and the Item union list different types")
