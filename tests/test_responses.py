"""Responses: normalised against their item, in option ids; numbers as people type them; encoding."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter

from assess.bank.model import Item
from assess.responses import BLANK, ResponseError, encode_item, normalise, parse_number

ITEM = TypeAdapter(Item)
BASE = {"id": "x", "stem": "S", "competencies": ["T.01"]}
OPTS = [{"id": c, "text": c * 3} for c in "abcd"]


def item(**data):
    return ITEM.validate_python({**BASE, **data})


@pytest.mark.parametrize(
    "text, value",
    [
        ("2,5", 2.5),
        ("2.5", 2.5),
        ("2.50", 2.5),
        ("2.500", 2500.0),
        ("0.125", 0.125),
        ("1,000", 1.0),
        ("-3", -3.0),
        ("1.000.000", 1_000_000.0),
        ("1,000,000", 1_000_000.0),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        (" 5 % ", 5.0),
        ("5 persen", 5.0),
        (",5", 0.5),
        ("40 ribu", 40_000.0),
        ("Rp50 miliar", 50e9),
        ("Rp 1.500.000", 1_500_000.0),
        ("2,5 juta", 2_500_000.0),
        ("45 ton", 45.0),
    ],
)
def test_numbers_as_people_type_them(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["abc", "1,2,3.4.5", "", "--1", "inf", "1e999"])
def test_not_numbers(text):
    with pytest.raises(ResponseError) as e:
        parse_number(text)
    assert e.value.code == "RESPONSE-NOT-A-NUMBER"


def test_the_items_unit_is_not_a_multiplier():
    assert parse_number("40 miliar rupiah", unit="miliar rupiah") == 40.0
    assert parse_number("40", unit="miliar rupiah") == 40.0
    assert parse_number("40 miliar") == 40e9


def test_normalise_every_type():
    assert normalise(item(type="single_choice", options=OPTS, key="a"), "b") == "b"
    assert normalise(item(type="multiple_response", options=OPTS, key=["a"]), ["b", "a"]) == frozenset(
        {"a", "b"}
    )
    assert (
        normalise(item(type="multiple_response", options=OPTS, key=["a"]), []) is None
    )  # nothing chosen is blank
    assert normalise(item(type="true_false", key=True), False) is False
    matching = item(type="matching", prompts=OPTS[:2], choices=OPTS, key={"a": "c", "b": "d"})
    assert normalise(matching, {"a": "c", "b": None}) == {"a": "c"}
    assert normalise(item(type="ordering", options=OPTS, key=list("abcd")), ["d", "c", "b", "a"]) == (
        "d",
        "c",
        "b",
        "a",
    )
    assert normalise(item(type="ordering", options=OPTS, key=list("abcd")), []) is None
    assert normalise(item(type="short_answer", accepted=[{"text": "x"}]), "   ") is None
    assert normalise(item(type="numeric", value=5), "5,5") == 5.5
    assert normalise(item(type="numeric", value=5), 7) == 7.0


@pytest.mark.parametrize(
    "data, raw, code",
    [
        ({"type": "single_choice", "options": OPTS, "key": "a"}, "z", "RESPONSE-UNKNOWN-ID"),
        (
            {"type": "single_choice", "options": OPTS, "key": "a"},
            "A",
            "RESPONSE-UNKNOWN-ID",
        ),  # a letter is not an id
        ({"type": "single_choice", "options": OPTS, "key": "a"}, 1, "RESPONSE-TYPE"),
        ({"type": "true_false", "key": True}, "true", "RESPONSE-TYPE"),
        ({"type": "ordering", "options": OPTS, "key": list("abcd")}, ["a", "b"], "RESPONSE-ORDER-INCOMPLETE"),
        ({"type": "numeric", "value": 1}, True, "RESPONSE-TYPE"),
        ({"type": "numeric", "value": 1}, math.inf, "RESPONSE-NOT-A-NUMBER"),
    ],
)
def test_responses_that_do_not_fit(data, raw, code):
    with pytest.raises(ResponseError) as e:
        normalise(item(**data), raw)
    assert e.value.code == code


def test_encoding_records_answers_not_keys():
    mr = item(type="multiple_response", options=OPTS, key=["a"])
    assert encode_item(mr, [frozenset({"a", "c"}), None]).data.tolist() == [0b101, 0]
    sc = item(type="single_choice", options=OPTS, key="a")
    assert encode_item(sc, ["d", None]).data.tolist() == [3, BLANK]
    short = item(type="short_answer", accepted=[{"text": "x"}])
    enc = encode_item(short, ["Ya", None, "Ya", "tidak"])
    assert enc.data.tolist() == [0, BLANK, 0, 1] and enc.texts == ["Ya", "tidak"]
    numeric = encode_item(item(type="numeric", value=1), [2.5, None])
    assert numeric.data[0] == 2.5 and np.isnan(numeric.data[1])
    order = encode_item(item(type="ordering", options=OPTS, key=list("abcd")), [("b", "a", "c", "d"), None])
    assert order.data.tolist() == [[1, 0, 2, 3], [BLANK] * 4]
