"""The item model: one class per type, cross-field checks with stable codes."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from assess.bank.documents import Framework, SourcesRegistry
from assess.bank.model import ITEM_TYPES, Essay, Item, WeightedOptions

ITEM = TypeAdapter(Item)
BASE = {"id": "x-1", "stem": "Soal?", "competencies": ["T.01"]}
OPTS = [{"id": "a", "text": "Satu"}, {"id": "b", "text": "Dua"}, {"id": "c", "text": "Tiga"}]


def codes(data: dict, adapter=ITEM) -> list[tuple[str, tuple]]:
    """(code, location) of every problem, project codes for cross-field checks."""
    try:
        adapter.validate_python(data)
    except ValidationError as e:
        out = []
        for err in e.errors():
            if err["type"] == "checks":
                out += [(i.code, i.loc) for i in err["ctx"]["issues"]]
            else:
                out.append((err["type"], err["loc"][1:] if adapter is ITEM else err["loc"]))
        return out
    return []


def test_every_type_is_in_the_union():
    assert set(ITEM_TYPES) == {
        "single_choice",
        "multiple_response",
        "true_false",
        "matching",
        "ordering",
        "short_answer",
        "numeric",
        "weighted_options",
        "essay",
    }


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"type": "single_choice", "options": OPTS, "key": "b"}, []),
        ({"type": "single_choice", "options": OPTS, "key": "z"}, [("BANK-KEY-UNKNOWN", ("key",))]),
        (
            {"type": "single_choice", "options": OPTS[:1], "key": "a"},
            [("BANK-OPTIONS-TOO-FEW", ("options",))],
        ),
        (
            {"type": "single_choice", "options": [*OPTS, {"id": "a", "text": "Empat"}], "key": "a"},
            [("BANK-OPTION-DUPLICATE", ("options", 3, "id"))],
        ),
        (
            {"type": "single_choice", "options": [*OPTS, {"id": "d", "text": " satu "}], "key": "a"},
            [("BANK-OPTION-TEXT-DUPLICATE", ("options", 3, "text"))],
        ),
        ({"type": "multiple_response", "options": OPTS, "key": ["a", "c"]}, []),
        (
            {"type": "multiple_response", "options": OPTS, "key": ["a", "a", "q"]},
            [("BANK-KEY-UNKNOWN", ("key", 2)), ("BANK-KEY-DUPLICATE", ("key", 1))],
        ),
        ({"type": "multiple_response", "options": OPTS, "key": []}, [("too_short", ("key",))]),
        ({"type": "true_false", "key": "true"}, [("bool_type", ("key",))]),
        (
            {"type": "matching", "prompts": OPTS[:2], "choices": OPTS, "key": {"a": "c"}},
            [("BANK-MATCHING-INCOMPLETE", ("key",))],
        ),
        (
            {"type": "matching", "prompts": OPTS[:2], "choices": OPTS, "key": {"a": "c", "b": "z"}},
            [("BANK-KEY-UNKNOWN", ("key", "b"))],
        ),
        ({"type": "ordering", "options": OPTS, "key": ["c", "a"]}, [("BANK-ORDER-INCOMPLETE", ("key",))]),
        (
            {"type": "short_answer", "accepted": [{"text": "x", "regex": "y"}]},
            [("BANK-ACCEPTED-TEXT-OR-REGEX", ("accepted", 0))],
        ),
        (
            {"type": "short_answer", "accepted": [{"regex": "(unclosed"}]},
            [("BANK-REGEX-INVALID", ("accepted", 0, "regex"))],
        ),
        ({"type": "numeric", "value": 5, "tolerance": -1}, [("BANK-TOLERANCE-NEGATIVE", ("tolerance",))]),
        (
            {"type": "numeric", "value": 5, "tolerance": 1, "partial_tolerance": 0.5},
            [("BANK-PARTIAL-TOLERANCE-NARROW", ("partial_tolerance",))],
        ),
        ({"type": "numeric", "value": float("nan")}, [("finite_number", ("value",))]),
        (
            {
                "type": "weighted_options",
                "options": [{"id": "a", "text": "x"}, {"id": "b", "text": "y", "points": 2}],
            },
            [("missing", ("options", 0, "points"))],
        ),
        (
            {
                "type": "weighted_options",
                "points": 4,
                "options": [{"id": "a", "text": "x", "points": 1}, {"id": "b", "text": "y", "points": 5}],
            },
            [("BANK-POINTS-MISMATCH", ("points",))],
        ),
        (
            {"type": "essay", "rubric": [{"id": "l0", "label": "Nol", "points": 0}]},
            [("BANK-RUBRIC-TOO-FEW", ("rubric",)), ("BANK-WEIGHT-NONE-POSITIVE", ("rubric",))],
        ),
        (
            {
                "type": "single_choice",
                "options": OPTS,
                "key": "a",
                "translations": {"en": {"options": {"q": "Q"}}},
            },
            [("BANK-TRANSLATION-UNKNOWN-OPTION", ("translations", "en", "options", "q"))],
        ),
        (
            {"type": "single_choice", "options": [{"id": "a", "text": "  "}, OPTS[1]], "key": "a"},
            [("text_empty", ("options", 0, "text"))],
        ),
    ],
)
def test_cross_field_checks(data, expected):
    assert sorted(codes({**BASE, **data})) == sorted(expected)


def test_max_points_follow_the_type():
    w = ITEM.validate_python(
        {
            **BASE,
            "type": "weighted_options",
            "options": [{**o, "points": p} for o, p in zip(OPTS, (1, 5, 3), strict=True)],
        }
    )
    assert isinstance(w, WeightedOptions) and w.max_points == 5
    e = ITEM.validate_python(
        {
            **BASE,
            "type": "essay",
            "rubric": [{"id": "a", "label": "A", "points": 0}, {"id": "b", "label": "B", "points": 4}],
        }
    )
    assert isinstance(e, Essay) and e.max_points == 4
    assert ITEM.validate_python({**BASE, "type": "true_false", "key": False}).max_points == 1
    assert ITEM.validate_python({**BASE, "type": "true_false", "key": False, "points": 2.5}).max_points == 2.5


def test_source_may_be_one_id_or_a_list():
    item = ITEM.validate_python({**BASE, "type": "true_false", "key": True, "source": "uu-1"})
    assert item.source == ["uu-1"]


def test_items_are_frozen():
    item = ITEM.validate_python({**BASE, "type": "true_false", "key": True})
    with pytest.raises(ValidationError):
        item.stem = "lain"


def test_framework_and_sources_checks():
    fw = {
        "kind": "framework",
        "id": "f",
        "title": "F",
        "competencies": [
            {
                "id": "A",
                "name": "A",
                "group": "teknis",
                "levels": [
                    {"level": 1, "descriptor": "d", "basis": "quoted"},
                    {"level": 1, "descriptor": "e", "basis": "paraphrase"},
                ],
            },
            {"id": "A", "name": "B", "group": "teknis"},
        ],
    }
    found = codes(fw, TypeAdapter(Framework))
    assert ("FRAMEWORK-QUOTE-UNSOURCED", ("levels", 0, "source")) in found
    assert ("FRAMEWORK-LEVEL-DUPLICATE", ("levels", 1, "level")) in found
    src = {
        "kind": "sources",
        "id": "s",
        "title": "S",
        "sources": [
            {"id": "x", "kind": "law", "citation": "UU", "mark": "V", "confirmed": "dibaca"},
        ],
    }
    assert codes(src, TypeAdapter(SourcesRegistry)) == [("SOURCES-NO-CONTENT", ())]
