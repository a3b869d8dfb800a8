"""The readable answer sheet's layout (issue 21, point 1, its geometry): every question placed once,
in order; nothing overlaps; everything inside the four corner markers; stable for A4 and F4."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assess.delivery.omr.layout import NIP_DIGITS, NUMBER_DIGITS, Shape, sheet_layout

KINDS = ["single_choice", "multiple_response", "true_false", "matching", "ordering", "short_answer",
         "numeric", "weighted_options", "essay"]  # fmt: skip


@st.composite
def shapes(draw) -> list[Shape]:
    out = []
    for number in range(1, draw(st.integers(1, 80)) + 1):
        kind = draw(st.sampled_from(KINDS))
        out.append(Shape(number, kind, options=draw(st.integers(2, 8)), rows=draw(st.integers(2, 6)),
                         levels=draw(st.integers(2, 5))))  # fmt: skip
    return out


def _boxes(page):
    yield "qr", page.qr
    yield "header", page.header
    for n, marker in enumerate(page.markers):
        yield f"marker {n}", marker
    for block in page.blocks:
        yield f"question {block.number}", block.box
    if page.identity:
        xs = [b.box for b in page.identity]
        left, top = min(b.x for b in xs), min(b.y for b in xs)
        right, bottom = max(b.x + b.w for b in xs), max(b.y + b.h for b in xs)
        from assess.delivery.omr.layout import Box

        yield "identity", Box(left, top, right - left, bottom - top)


@settings(max_examples=60, deadline=None)
@given(
    questions=shapes(), paper=st.sampled_from(["a4", "f4"]), identity=st.sampled_from(["nip", "number", None])
)
def test_every_question_once_in_order_and_nothing_overlaps(questions, paper, identity):
    pages = sheet_layout(questions, paper, identity)
    assert [b.number for p in pages for b in p.blocks] == [q.number for q in questions]
    for page in pages:
        area = page.area
        named = list(_boxes(page))
        for (a, box_a), (b, box_b) in itertools.combinations(named, 2):
            assert not box_a.overlaps(box_b), (page.number, a, b)
        for name, box in named:
            assert area.holds(box), (page.number, name)
        assert all(page.header.holds(b.box) for b in page.references)
        bubbles = [b.box for block in page.blocks for b in block.bubbles] + [b.box for b in page.identity]
        bubbles += [b.box for b in page.references]
        for a, b in itertools.combinations(bubbles, 2):
            assert not a.overlaps(b)
        for block in page.blocks:
            assert all(block.box.holds(b.box) for b in block.bubbles)
            if block.kind == "short_answer":
                assert block.write is not None and block.box.holds(block.write) and not block.bubbles


def test_the_identity_grid_is_on_every_page_with_a_column_per_digit():
    """A page read alone is still somebody's: the grid is on each page, in the same place."""
    questions = [Shape(n, "single_choice", options=4) for n in range(1, 200)]
    pages = sheet_layout(questions, "a4", "nip")
    assert len(pages) > 1 and all(p.identity == pages[0].identity for p in pages[1:])
    columns = {b.row for b in pages[0].identity}
    assert len(columns) == NIP_DIGITS and len(pages[0].identity) == NIP_DIGITS * 10
    assert {b.value for b in pages[0].identity} == set("0123456789")
    numbered = sheet_layout(questions, "a4", "number")[0]
    assert len(numbered.identity) == NUMBER_DIGITS * 10
    assert not sheet_layout(questions, "a4", None)[0].identity


def test_bubbles_say_what_filling_them_means():
    (page,) = sheet_layout([Shape(1, "true_false"), Shape(2, "matching", options=3, rows=2),
                            Shape(3, "ordering", rows=3), Shape(4, "numeric"), Shape(5, "essay", levels=4)])  # fmt: skip
    by = {b.number: b for b in page.blocks}
    assert [b.value for b in by[1].bubbles] == ["B", "S"]
    assert {(b.row, b.value) for b in by[2].bubbles} == {(p, c) for p in "12" for c in "ABC"}
    assert {(b.row, b.value) for b in by[3].bubbles} == {(o, n) for o in "ABC" for n in "123"}
    assert {b.value for b in by[4].bubbles} == set("-0123456789,") and len(
        {b.row for b in by[4].bubbles}
    ) == 7
    assert [b.value for b in by[5].bubbles] == ["0", "1", "2", "3"]


def test_f4_holds_at_least_as_much_as_a4_and_the_layout_is_stable():
    questions = [Shape(n, "single_choice", options=5) for n in range(1, 400)]
    a4, f4 = sheet_layout(questions, "a4"), sheet_layout(questions, "f4")
    assert len(f4[0].blocks) >= len(a4[0].blocks) and len(f4) <= len(a4)
    assert sheet_layout(questions, "a4") == a4  # the same questions: the same sheet, always
    assert (a4[0].width, a4[0].height, f4[0].width, f4[0].height) == (210.0, 297.0, 215.0, 330.0)


def test_a_question_wider_than_the_page_is_refused():
    with pytest.raises(ValueError, match="question 1 does not fit"):
        sheet_layout([Shape(1, "single_choice", options=26 * 2)])
