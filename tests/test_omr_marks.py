"""From bubble darkness to answers (assess.delivery.omr.marks): the classification's bounds and what each
question type makes of its bubbles, doubtful cases included."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess.delivery.omr.layout import Shape, sheet_layout
from assess.delivery.omr.marks import (
    DOUBTFUL,
    EMPTY,
    FILLED,
    FILLED_DARKNESS,
    FILLED_INKED,
    classify,
    read_identity,
    read_question,
)

INK, NONE, FAINT = classify(0.8, 0.9), classify(0.03, 0.0), classify(0.17, 0.02)


@given(st.floats(0, 1.5), st.floats(0, 1))
def test_every_measure_is_exactly_one_state_and_darker_is_never_less_filled(darkness, inked):
    state = classify(darkness, inked).state
    assert state in (FILLED, EMPTY, DOUBTFUL)
    order = {EMPTY: 0, DOUBTFUL: 1, FILLED: 2}
    assert order[classify(min(darkness + 0.1, 1.5), inked).state] >= order[state]
    assert order[classify(darkness, min(inked + 0.1, 1)).state] >= order[state]
    if darkness >= FILLED_DARKNESS or inked >= FILLED_INKED:
        assert state == FILLED


def block(kind: str, **shape):
    (page,) = sheet_layout([Shape(1, kind, **shape)], "a4", None)
    return page.blocks[0]


def marks(b, filled=(), faint=()):
    return [
        INK if (x.row, x.value) in filled else FAINT if (x.row, x.value) in faint else NONE for x in b.bubbles
    ]


def test_one_row_questions():
    b = block("single_choice", options=4)
    assert read_question(b.kind, 1, b.bubbles, marks(b, {("", "C")})).text == "C"
    assert read_question(b.kind, 1, b.bubbles, marks(b)).text is None  # blank, not doubtful
    # An erasure beside a clear mark is an erasure; two clear marks, or a faint one alone, are doubtful.
    assert read_question(b.kind, 1, b.bubbles, marks(b, {("", "C")}, {("", "A")})).text == "C"
    assert read_question(b.kind, 1, b.bubbles, marks(b, {("", "C"), ("", "A")})).why == "two-marks"
    assert read_question(b.kind, 1, b.bubbles, marks(b, faint={("", "A")})).why == "unclear"
    many = block("multiple_response", options=5)
    assert read_question(many.kind, 1, many.bubbles, marks(many, {("", "A"), ("", "D")})).text == "AD"
    assert read_question(many.kind, 1, many.bubbles, marks(many, {("", "A")}, {("", "B")})).doubtful


def test_grids_numbers_and_identity():
    match = block("matching", options=3, rows=3)
    reading = read_question(match.kind, 1, match.bubbles, marks(match, {("1", "B"), ("3", "A")}))
    assert reading.text == "1B 3A"  # prompt 2 left blank
    order = block("ordering", rows=3)
    full = {("A", "2"), ("B", "3"), ("C", "1")}
    assert read_question(order.kind, 1, order.bubbles, marks(order, full)).text == "CAB"
    assert read_question(order.kind, 1, order.bubbles, marks(order, {("A", "1"), ("B", "1"), ("C", "2")})).why
    assert read_question(order.kind, 1, order.bubbles, marks(order, {("A", "1")})).why == "incomplete"
    number = block("numeric")
    text = {("1", "-"), ("2", "1"), ("3", "2"), ("4", ","), ("5", "5")}
    assert read_question(number.kind, 1, number.bubbles, marks(number, text)).text == "-12,5"
    assert read_question(number.kind, 1, number.bubbles, marks(number, {("1", ","), ("2", ",")})).why == (
        "not-a-number"
    )
    assert read_question("short_answer", 1, (), []).why == "untyped"  # always typed by the trainer
    (page,) = sheet_layout([], "a4", "number")
    digits = {
        (b.row, b.value)
        for b in page.identity
        if (b.row, b.value) in {("1", "0"), ("2", "0"), ("3", "4"), ("4", "2")}
    }
    readings = [INK if (b.row, b.value) in digits else NONE for b in page.identity]
    assert read_identity(page.identity, readings) == ("0042", "")
    assert read_identity(page.identity, [NONE] * len(page.identity)) == (None, "")
    partial = [INK if (b.row, b.value) == ("1", "0") else NONE for b in page.identity]
    assert read_identity(page.identity, partial) == (None, "incomplete")


@pytest.mark.parametrize("levels", [2, 4])
def test_an_essay_level_is_its_index(levels):
    b = block("essay", levels=levels)
    assert read_question(b.kind, 1, b.bubbles, marks(b, {("", str(levels - 1))})).text == str(levels - 1)


def test_digits_with_an_empty_column_between_them_are_not_a_number_yet():
    number = block("numeric")
    gap = {("1", "1"), ("4", "0"), ("7", "5")}  # 1 _ _ 0 _ _ 5: not 105
    assert read_question(number.kind, 1, number.bubbles, marks(number, gap)).why == "incomplete"


def test_a_participant_has_one_sheet_a_second_variant_is_a_duplicate():
    from assess.delivery.omr.plan import HeldPage, settle

    def page(key, variant, person="P0001"):
        return HeldPage(key, f"{key}.jpg", "", variant, 1, 1, person, None, {"1": "A"}, {}, {}, [])

    ready, waiting, left = settle([page("a", "A"), page("b", "B"), page("c", "A", "P0002")])
    assert [(r.person, r.variant) for r in ready] == [("P0001", "A"), ("P0002", "A")]
    assert [(x.code, x.keys) for x in left] == [("SCAN-DUPLICATE", ("b",))] and waiting == []
