"""Hypothesis strategies for valid items of every type."""

from __future__ import annotations

import string

from hypothesis import strategies as st

from assess.bank.documents import Bank
from assess.bank.model import ITEM_TYPES

ids = st.text(string.ascii_letters + string.digits, min_size=1, max_size=3).flatmap(
    lambda head: st.text(string.ascii_letters + string.digits + "._-", max_size=8).map(lambda t: head + t)
)
# Any text a bank author might type, including strings that YAML 1.1 or 1.2
# would read as something else when written plainly.
tricky = st.sampled_from(
    [
        "no",
        "on",
        "yes",
        "off",
        "1e3",
        "010",
        "0o7",
        "0x1F",
        "1_000",
        "~",
        "null",
        "true",
        "-",
        ".inf",
        "2024-01-02",
        "12:30",
        "#x",
        "a: b",
        "- x",
        "'q'",
        '"q"',
        "@x",
        "%x",
        "!x",
        "&x",
        "*x",
        "x # y",
        "  lead",
        "trail  ",
        "line\nbreak",
        "tab\there",
        "ünïcödé",
        "Pasal 229 ayat (2)",
        "_1",
        "-_5",
        "1e3_0",
        "._1",
        "0B1",
        ".naN",
        "0b101",
        "1__0",
    ]
)
# Any text the model accepts: no control characters but tab, newlines and NEL.
free_text = st.text(
    st.characters(
        exclude_categories=("Cs", "Cc"), include_characters="\t\n\r\x85", exclude_characters="\ufffe\uffff"
    ),
    min_size=1,
    max_size=40,
)
texts = st.one_of(tricky, free_text).filter(lambda s: s.strip())
numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.01, max_value=100, allow_nan=False)


def unique_texts(n: int):
    return st.lists(texts, min_size=n, max_size=n, unique_by=lambda s: " ".join(s.split()).casefold())


def options(min_size=2, max_size=5):
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(st.lists(ids, min_size=n, max_size=n, unique=True), unique_texts(n)).map(
            lambda t: [{"id": i, "text": x} for i, x in zip(*t, strict=True)]
        )
    )


@st.composite
def common(draw, type_: str) -> dict:
    item = {
        "id": draw(ids),
        "type": type_,
        "stem": draw(texts),
        "competencies": draw(st.lists(ids, min_size=1, max_size=3)),
        "difficulty": draw(st.sampled_from(["easy", "medium", "hard"])),
        "status": draw(st.sampled_from(["draft", "ready"])),
    }
    if draw(st.booleans()):
        item["topic"] = draw(texts)
    if draw(st.booleans()):
        item["explanation"] = draw(texts)
    if draw(st.booleans()):
        item["cognitive_level"] = draw(
            st.sampled_from(["remember", "understand", "apply", "analyze", "evaluate", "create"])
        )
    item["source"] = draw(st.lists(ids, max_size=2))
    item["tags"] = draw(st.lists(texts, max_size=2))
    if draw(st.booleans()):
        item["lint_ignore"] = [{"code": draw(texts), "reason": draw(texts)}]
    if type_ not in ("weighted_options", "essay") and draw(st.booleans()):
        item["points"] = draw(positive)
    return item


@st.composite
def item_data(draw, type_: str | None = None) -> dict:
    type_ = type_ or draw(st.sampled_from(sorted(ITEM_TYPES)))
    item = draw(common(type_))
    if type_ in ("single_choice", "multiple_response", "ordering"):
        opts = draw(options())
        item["options"] = opts
        option_ids = [o["id"] for o in opts]
        if type_ == "single_choice":
            item["key"] = draw(st.sampled_from(option_ids))
        elif type_ == "multiple_response":
            item["key"] = draw(st.lists(st.sampled_from(option_ids), min_size=1, unique=True))
        else:
            item["key"] = draw(st.permutations(option_ids))
    elif type_ == "true_false":
        item["key"] = draw(st.booleans())
    elif type_ == "matching":
        prompts, choices = draw(options()), draw(options())
        item["prompts"], item["choices"] = prompts, choices
        item["key"] = {p["id"]: draw(st.sampled_from([c["id"] for c in choices])) for p in prompts}
    elif type_ == "short_answer":
        item["accepted"] = draw(
            st.lists(
                st.one_of(
                    texts.map(lambda t: {"text": t}),
                    st.sampled_from([r"^\d+$", r"(?i)musyawarah\s+\w+", "a|b"]).map(lambda r: {"regex": r}),
                ),
                min_size=1,
                max_size=3,
            )
        )
        item["case_sensitive"] = draw(st.booleans())
        item["unicode_form"] = draw(st.sampled_from(["NFC", "NFKC", "none"]))
    elif type_ == "numeric":
        item["value"] = draw(numbers)
        tol = draw(st.floats(min_value=0, max_value=100, allow_nan=False))
        item["tolerance"] = tol
        item["tolerance_mode"] = draw(st.sampled_from(["absolute", "relative"]))
        if draw(st.booleans()):
            item["unit"] = draw(texts)
        if draw(st.booleans()):
            item["partial_tolerance"] = tol + draw(positive)
    elif type_ == "weighted_options":
        opts = draw(options())
        for o in opts:
            o["points"] = float(draw(st.integers(1, 5)))
        item["options"] = opts
    elif type_ == "essay":
        n = draw(st.integers(2, 4))
        level_ids = draw(st.lists(ids, min_size=n, max_size=n, unique=True))
        item["rubric"] = [
            {"id": i, "label": draw(texts), "points": float(p)} for p, i in enumerate(level_ids)
        ]
        if draw(st.booleans()):
            item["model_answer"] = draw(texts)
    if "options" in item and draw(st.booleans()):
        item["translations"] = {
            "en": {"stem": draw(texts), "options": {o["id"]: draw(texts) for o in item["options"]}}
        }
    return item


@st.composite
def banks(draw) -> Bank:
    items = draw(
        st.lists(item_data(), min_size=1, max_size=draw(st.integers(1, 4)), unique_by=lambda i: i["id"])
    )
    return Bank.model_validate(
        {"kind": "bank", "id": draw(ids), "title": draw(texts), "version": draw(texts), "items": items}
    )
