"""One YAML semantics: YAML 1.2 on reading, and writing that reads back the same."""

from __future__ import annotations

import pytest

from assess.bank.yamlio import Locator, decode_yaml, parse
from assess.bank.yamlwrite import dump
from assess.problems import ProblemsFound


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "on",
        "yes",
        "off",
        "NO",
        "1e3",
        "010",
        "0o10",
        "0O10",
        "0x1F",
        "1_000",
        "~",
        "null",
        "true",
        "False",
        ".inf",
        "-.5",
        "+1",
        "2024-01-02",
        "3.14",
        "=SUM(A1)",
        "\u2028x",
        "a\x85b",
    ],
)
def test_ambiguous_strings_are_quoted_and_read_back(text):
    written = dump({"v": text})
    assert parse(written, "f.yaml") == {"v": text}


def test_every_short_number_like_string_reads_back():
    # yaml-rs reads more spellings as numbers than any list of patterns covers;
    # the writer must quote every one of them.
    alphabet = "0123456789+-._eExXoObBinNa"
    strings = [a + b + c for a in alphabet for b in ["", *alphabet] for c in ["", *alphabet] if b or not c]
    written = dump({f"k{i}": s for i, s in enumerate(strings)})
    assert parse(written, "f") == {f"k{i}": s for i, s in enumerate(strings)}


def test_yaml_12_reads_no_and_on_as_text_and_keeps_dates_as_text():
    assert parse("a: no\nb: on\nc: 2024-01-02\nd: 1e3\n", "f") == {
        "a": "no",
        "b": "on",
        "c": "2024-01-02",
        "d": 1000.0,
    }


def test_multiline_text_is_written_as_a_block():
    written = dump({"stem": "baris satu\nbaris dua\n"})
    assert "|" in written
    assert parse(written, "f") == {"stem": "baris satu\nbaris dua\n"}


def test_duplicate_keys_name_both_lines():
    with pytest.raises(ProblemsFound) as e:
        parse("a: 1\nb:\n  c: 1\n  c: 2\n", "f.yaml")
    [p] = e.value.problems
    assert (p.code, p.line, p.column, p.params["first"]) == ("YAML-DUPLICATE-KEY", 4, 3, 3)


def test_alias_expansion_is_bounded():
    laughs = "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
    for name, prev in zip("bcdefgh", "abcdefg", strict=True):
        laughs += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]\n"
    with pytest.raises(ProblemsFound) as e:
        parse(laughs, "f")
    assert e.value.problems[0].code == "YAML-ALIAS-LIMIT"


def test_python_tags_never_construct_objects():
    with pytest.raises(ProblemsFound) as e:
        parse("a: !!python/object:os.system x\n", "f")
    assert e.value.problems[0].code == "YAML-SYNTAX"
    # Other tags are ignored: the value stays plain data, nothing is called.
    assert parse("a: !!python/object/apply:os.system ['true']\n", "f") == {"a": ["true"]}


def test_not_utf8_names_line_and_column():
    with pytest.raises(ProblemsFound) as e:
        decode_yaml("a: 1\nb: caf\xe9\n".encode("latin-1"), "f")
    p = e.value.problems[0]
    assert (p.code, p.line, p.column) == ("FILE-NOT-UTF8", 2, 7)


def test_byte_order_mark_is_accepted():
    assert decode_yaml("\ufeffa: 1".encode(), "f") == "a: 1"


def test_locator_points_at_values_and_keys():
    text = "items:\n  - id: x\n    options:\n      - {id: a, text: ''}\n"
    loc = Locator(text, parse(text, "f"))
    assert loc.position(("items", 0, "options", 0, "text")) == (4, 23)
    assert loc.position(("items", 0, "options"), key=True) == (3, 5)
    # A path that goes further than the document stops at the deepest node found.
    assert loc.position(("items", 0, "missing")) == (2, 5)
