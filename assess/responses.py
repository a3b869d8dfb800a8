"""Responses: one typed value per item type, always in option ids (pure: no I/O).

A response's JSON form is the value itself; `None` is blank:

    single_choice, weighted_options   "b"
    multiple_response                 ["a", "c"]
    true_false                        true
    matching                          {"p1": "c2", "p2": "c1"}
    ordering                          ["c", "a", "b"]   (every option, in the order given)
    short_answer, essay               "text"
    numeric                           2.5  (or text: "2,5", "1.000.000", "5 %")

`normalise()` checks a raw value against its item and returns the canonical
value; `encode()` turns many attempts' values into arrays for bulk scoring.
The encoding records what was answered and knows nothing of keys or
policies, so a changed key or policy re-scores without encoding again.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from dataclasses import dataclass, field
from typing import Any

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

BLANK = -1
# A short answer written on a paper sheet that `assess responses scan` read but nobody has typed yet: it waits
# for the trainer (pending, like an unmarked essay), never scored as blank or wrong.
PAPER_UNTYPED = "(jawaban singkat tertulis pada lembar kertas, belum diketik)"


class ResponseError(ValueError):
    """A response that does not fit its item; `code` and `params` say how."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


def _option_ids(item: ItemBase) -> list[str]:
    return [o.id for o in getattr(item, "options", [])]


def _require_ids(values: list, known: list[str], what: str) -> None:
    for v in values:
        if not isinstance(v, str):
            raise ResponseError("RESPONSE-TYPE", expected="id")
        if v not in known:
            raise ResponseError("RESPONSE-UNKNOWN-ID", value=v, where=what)


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


_RUPIAH = re.compile(r"(rp\.?)?", re.IGNORECASE)  # matched at the start only
_WORD = re.compile(r"[^\W\d_]+")  # a word of letters; the first one found
_NOT_NUMBER_TAIL = re.compile(r"[^\d.,+-]*")  # matched at the start of the reversed text: its tail
_MULTIPLIERS = {"ribu": 1e3, "rb": 1e3, "juta": 1e6, "jt": 1e6, "miliar": 1e9, "milyar": 1e9, "triliun": 1e12}


def parse_number(text: str, unit: str | None = None) -> float:
    """A number as Indonesians type it: "2,5"; "2.500" and "1.000.000"; "Rp50 miliar";
    the item's `unit` or another word after it ("5 %", "45 ton").

    Indonesian conventions: the comma is the decimal mark, the point groups
    thousands. A single point that is not followed by exactly three digits (or
    that follows a lone 0) is a decimal point, as a browser's number field
    sends it ("2.5"). With both marks, the last one is the decimal mark. A
    multiplier word right after the number (ribu, juta, miliar, triliun)
    multiplies it, unless it is part of the item's own unit.
    """
    # Each step scans the text once: anchored patterns and string methods, nothing that backtracks.
    s = text.strip()
    s = s[_RUPIAH.match(s).end() :].strip().removesuffix(",-")  # "Rp 2.500,-": no cents
    if unit and s.casefold().endswith(unit.casefold()):
        s = s[: -len(unit)]
    word = _WORD.search(s.lower())
    factor = _MULTIPLIERS.get(word.group(), 1.0) if word else 1.0
    s = "".join(s.split()).rstrip("%")  # str.split: every Unicode space, the no-break space among them
    s = s[: len(s) - _NOT_NUMBER_TAIL.match(s[::-1]).end()]  # a unit after the number
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if decimal == "," else ",", "").replace(decimal, ".")
    elif commas > 1 or dots > 1:
        mark = "," if commas else "."
        if not re.fullmatch(r"[+-]?\d{1,3}(" + re.escape(mark) + r"\d{3})+", s):
            raise ResponseError("RESPONSE-NOT-A-NUMBER", value=text)  # 1.2.3 is no grouping
        s = s.replace(",", "").replace(".", "")
    elif dots == 1 and re.fullmatch(r"[+-]?[1-9]\d{0,2}\.\d{3}", s):
        s = s.replace(".", "")  # 2.500: two thousand five hundred
    else:
        s = s.replace(",", ".")
    if not _NUMBER.match(s.replace(",", ".")):
        raise ResponseError("RESPONSE-NOT-A-NUMBER", value=text)
    value = float(s) * factor
    if not math.isfinite(value):
        raise ResponseError("RESPONSE-NOT-A-NUMBER", value=text)
    return value


def normalise(item: ItemBase, raw: Any) -> Any:
    """The canonical response value for `item`, or None for a blank."""
    if raw is None:
        return None
    for kinds, canonical in _CANONICAL:
        if isinstance(item, kinds):
            return canonical(item, raw)
    raise TypeError(type(item).__name__)


# One per item type: the canonical value of a raw response that is not None, or ResponseError.


def _canonical_option(item: SingleChoice | WeightedOptions, raw: Any) -> str:
    """One option id."""
    _require_ids([raw], _option_ids(item), "options")
    return raw


def _canonical_option_set(item: MultipleResponse, raw: Any) -> frozenset | None:
    """A set of option ids; None when empty."""
    if not isinstance(raw, list | tuple | set | frozenset):
        raise ResponseError("RESPONSE-TYPE", expected="list")
    _require_ids(list(raw), _option_ids(item), "options")
    return frozenset(raw) or None


def _canonical_truth(item: TrueFalse, raw: Any) -> bool:
    """True or false."""
    if not isinstance(raw, bool):
        raise ResponseError("RESPONSE-TYPE", expected="true/false")
    return raw


def _canonical_pairs(item: Matching, raw: Any) -> dict | None:
    """Prompt id -> choice id, unanswered prompts left out; None when none is answered."""
    if not isinstance(raw, dict):
        raise ResponseError("RESPONSE-TYPE", expected="mapping")
    _require_ids(list(raw), [p.id for p in item.prompts], "prompts")
    pairs = {p: c for p, c in raw.items() if c is not None}
    _require_ids(list(pairs.values()), [c.id for c in item.choices], "choices")
    return pairs or None


def _canonical_order(item: Ordering, raw: Any) -> tuple | None:
    """Every option id once, in the order given; None when empty."""
    if not isinstance(raw, list | tuple):
        raise ResponseError("RESPONSE-TYPE", expected="list")
    if not raw:
        return None
    ids = _option_ids(item)
    _require_ids(list(raw), ids, "options")
    if sorted(raw) != sorted(ids):
        raise ResponseError("RESPONSE-ORDER-INCOMPLETE")
    return tuple(raw)


def _canonical_text(item: ShortAnswer | Essay, raw: Any) -> str | None:
    """Text; None when only spaces."""
    if not isinstance(raw, str):
        raise ResponseError("RESPONSE-TYPE", expected="text")
    return raw if raw.strip() else None


def _canonical_number(item: Numeric, raw: Any) -> float | None:
    """A finite number, given as one or as text typed (see parse_number); None for empty text."""
    if isinstance(raw, bool):
        raise ResponseError("RESPONSE-TYPE", expected="number")
    if isinstance(raw, int | float):
        try:
            value = float(raw)
        except OverflowError:
            raise ResponseError("RESPONSE-NOT-A-NUMBER", value="…") from None
        if not math.isfinite(value):
            raise ResponseError("RESPONSE-NOT-A-NUMBER", value=str(raw))
        return value
    if isinstance(raw, str):
        return parse_number(raw, item.unit) if raw.strip() else None
    raise ResponseError("RESPONSE-TYPE", expected="number")


_CANONICAL = (
    (SingleChoice | WeightedOptions, _canonical_option),
    (MultipleResponse, _canonical_option_set),
    (TrueFalse, _canonical_truth),
    (Matching, _canonical_pairs),
    (Ordering, _canonical_order),
    (ShortAnswer | Essay, _canonical_text),
    (Numeric, _canonical_number),
)


def stored_value(item: ItemBase, raw: Any) -> Any:
    """A stored answer read for scoring: one that no longer fits its item (the item was corrected
    after the answer was given) counts as blank, wherever answers are scored or counted."""
    try:
        return normalise(item, raw)
    except ResponseError:
        return None


def answered(value: Any) -> bool:
    """Whether a stored value (JSON form) is an answer rather than a blank."""
    return value not in (None, "", [], {})


def to_json(value: Any) -> Any:
    """A normalised value in its JSON form (sets as sorted lists, sequences as lists)."""
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


FIELD_DIGITS = 9  # at most 999,999,999: fits a 32-bit column, and int() never sees a long text


class NotAFieldNumber(ValueError):
    """A posted field that should hold a whole number and does not (or one out of its range)."""


def field_number(text: str | None, low: int = 0, high: int = 10**FIELD_DIGITS - 1) -> int:
    """The whole number in a posted field (an option's position, a place, a sequence number, an id,
    minutes): ASCII digits only, at most FIELD_DIGITS of them, from `low` to `high`.

    Anything else is NotAFieldNumber before int() sees it: "²" is a digit to str.isdigit() but not
    to int(), and int() refuses texts of more than 4,300 digits.
    """
    if not text or len(text) > FIELD_DIGITS or not text.isascii() or not text.isdigit():
        raise NotAFieldNumber(text)
    value = int(text)
    if not low <= value <= high:
        raise NotAFieldNumber(text)
    return value


@dataclass
class EncodedItem:
    """One item's responses over many attempts, as an array.

    single_choice, weighted_options: int16 option index (BLANK for none);
    multiple_response: uint64 bitmask of chosen options (0 blank);
    true_false: int8 1/0 (BLANK); matching: int16 [n, prompts] choice index per
    prompt (BLANK unanswered); ordering: int16 [n, options] option index at
    each position (first column BLANK when blank); numeric: float64 (NaN
    blank); short_answer and essay: int32 index into `texts` (BLANK blank).
    """

    data: np.ndarray
    texts: list[str] = field(default_factory=list)


def encode_item(item: ItemBase, values: list[Any]) -> EncodedItem:
    """Encode already normalised values (None blank) of one item."""
    n = len(values)
    if isinstance(item, SingleChoice | WeightedOptions):
        index = {o.id: i for i, o in enumerate(item.options)}
        return EncodedItem(np.array([BLANK if v is None else index[v] for v in values], dtype=np.int16))
    if isinstance(item, MultipleResponse):
        bit = {o.id: 1 << i for i, o in enumerate(item.options)}
        masks = [functools.reduce(operator.or_, (bit[x] for x in v), 0) if v else 0 for v in values]
        return EncodedItem(np.array(masks, dtype=np.uint64))
    if isinstance(item, TrueFalse):
        return EncodedItem(np.array([BLANK if v is None else int(v) for v in values], dtype=np.int8))
    if isinstance(item, Matching):
        prompts = [p.id for p in item.prompts]
        choice = {c.id: i for i, c in enumerate(item.choices)}
        data = np.full((n, len(prompts)), BLANK, dtype=np.int16)
        for r, v in enumerate(values):
            for p, c in (v or {}).items():
                data[r, prompts.index(p)] = choice[c]
        return EncodedItem(data)
    if isinstance(item, Ordering):
        index = {o.id: i for i, o in enumerate(item.options)}
        data = np.full((n, len(index)), BLANK, dtype=np.int16)
        for r, v in enumerate(values):
            if v:
                data[r] = [index[x] for x in v]
        return EncodedItem(data)
    if isinstance(item, Numeric):
        return EncodedItem(np.array([np.nan if v is None else v for v in values], dtype=np.float64))
    if isinstance(item, ShortAnswer | Essay):
        texts: dict[str, int] = {}
        codes = [BLANK if v is None else texts.setdefault(v, len(texts)) for v in values]
        return EncodedItem(np.array(codes, dtype=np.int32), list(texts))
    raise TypeError(type(item).__name__)
