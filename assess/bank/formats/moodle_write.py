"""Moodle XML out, shaped as Moodle's own `question/format/xml` export.

One `<quiz>`: items without a topic first, then a category pseudo-question per topic
(`$course$/top/<topic>`) followed by its items. Text keeps the bank's Markdown with
`format="markdown"`, which Moodle renders itself, so nothing is lost between the two.
What Moodle's question types cannot hold is reported per item.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assess.bank.documents import Bank
from assess.bank.formats.common import multiple_response_fractions, write_tags
from assess.bank.formats.markup import moodle_markdown
from assess.bank.model import (
    Essay,
    ItemBase,
    Matching,
    MultipleResponse,
    Numeric,
    Option,
    Ordering,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    WeightedOptions,
)
from assess.i18n import N_
from assess.problems import Phrase, Problem

_INDENT = "  "


def xml_text(text: str) -> str:
    """Element content that reads back as `text`: CDATA where it has markup characters, as Moodle
    writes it; character references where it has a carriage return, which XML would drop."""
    if "\r" in text or "]]>" in text:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return escaped.replace("\r", "&#13;")
    if any(c in text for c in "<>&"):
        return f"<![CDATA[{text}]]>"
    return text


def _content(text: str, form: str) -> str:
    return xml_text(moodle_markdown(text) if form == "markdown" else text)


def _text_element(name: str, text: str, level: int, form: str = "markdown") -> list[str]:
    pad = _INDENT * level
    return [
        f'{pad}<{name} format="{form}">',
        f"{pad}{_INDENT}<text>{_content(text, form)}</text>",
        f"{pad}</{name}>",
    ]


def _simple(name: str, value: object, level: int) -> str:
    return f"{_INDENT * level}<{name}>{xml_text(str(value))}</{name}>"


def grade(points: float) -> str:
    """Points as Moodle writes a grade (7 decimals), or exactly where 7 decimals would change them."""
    text = f"{points:.7f}"
    return text if float(text) == points else repr(points)


def fraction(share: float) -> str:
    """A fraction as Moodle writes it: percent to 5 decimals (the share to 7, as it stores it)."""
    text = f"{share * 100:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def writable(
    banks: Sequence[Bank], form: str, file: str, notes: list[Problem], *, unsupported=(), wildcards=True
) -> list[ItemBase]:
    """The items a format can write; each other one noted: a type it lacks (`unsupported`), or a short
    answer none of whose accepted answers it holds (texts; `wildcards`: regexes that are `*` patterns)."""
    out = []
    for item in (item for bank in banks for item in bank.items):
        if item.type in unsupported:
            notes.append(
                Problem("EXPORT-TYPE-UNSUPPORTED", {"type": item.type, "format": form}, file, item=item.id)
            )
        elif item.type == "short_answer" and not any(
            a.text is not None or (wildcards and regex_as_wildcard(a.regex or "") is not None)
            for a in item.accepted
        ):
            notes.append(Problem("EXPORT-NO-ANSWER", {"format": form}, file, item=item.id))
        else:
            out.append(item)
    return out


def write(banks: Sequence[Bank], file: str) -> tuple[str, list[Problem]]:
    """The Moodle XML of every item of `banks`, and what of them Moodle cannot hold."""
    notes: list[Problem] = []
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    items = writable(banks, "Moodle XML", file, notes)
    by_topic: dict[str | None, list[ItemBase]] = {}
    for item in items:
        by_topic.setdefault(item.topic, []).append(item)
    number = 0
    for topic, group in sorted(by_topic.items(), key=lambda kv: (kv[0] is not None, kv[0] or "")):
        if topic is not None:
            number += 1
            lines += _category(topic, number)
        for item in group:
            number += 1
            lines += _question(item, number, notes, file)
    lines.append("</quiz>")
    return "\n".join(lines) + "\n", notes


def _category(topic: str, number: int) -> list[str]:
    path = "$course$/top/" + topic.replace("/", "//")
    return [
        f"<!-- question: {number}  -->",
        f'{_INDENT}<question type="category">',
        f"{_INDENT * 2}<category>",
        f"{_INDENT * 3}<text>{xml_text(path)}</text>",
        f"{_INDENT * 2}</category>",
        *_text_element("info", "", 2, "moodle_auto_format"),
        _simple("idnumber", "", 2),
        f"{_INDENT}</question>",
    ]


_TYPES = {
    "single_choice": "multichoice",
    "multiple_response": "multichoice",
    "weighted_options": "multichoice",
    "true_false": "truefalse",
    "matching": "matching",
    "ordering": "ordering",
    "short_answer": "shortanswer",
    "numeric": "numerical",
    "essay": "essay",
}


def _question(item: ItemBase, number: int, notes: list[Problem], file: str) -> list[str]:
    def lost(what: str) -> None:
        notes.append(
            Problem("EXPORT-NOT-CARRIED", {"what": Phrase(what), "format": "Moodle XML"}, file, item=item.id)
        )

    out = [f"<!-- question: {number}  -->", f'{_INDENT}<question type="{_TYPES[item.type]}">']
    out += [f"{_INDENT * 2}<name>", f"{_INDENT * 3}<text>{xml_text(item.id)}</text>", f"{_INDENT * 2}</name>"]
    out += _text_element("questiontext", item.stem, 2)
    out += _text_element("generalfeedback", item.explanation or "", 2)
    out.append(_simple("defaultgrade", grade(item.max_points), 2))
    out.append(_simple("penalty", "0.3333333", 2))
    out.append(_simple("hidden", "0", 2))
    out.append(_simple("idnumber", item.id, 2))
    out += list(_BODIES[item.type](item, lost))
    tags = write_tags(item)
    if tags:
        out.append(f"{_INDENT * 2}<tags>")
        out += [f"{_INDENT * 3}<tag><text>{xml_text(t)}</text></tag>" for t in tags]
        out.append(f"{_INDENT * 2}</tags>")
    if item.translations:
        lost(N_("translations"))
    if item.lint_ignore:
        lost(N_("lint_ignore"))
    out.append(f"{_INDENT}</question>")
    return out


def _answer(text: str, share: float, feedback: str | None = None, form: str = "markdown") -> list[str]:
    pad = _INDENT * 2
    return [
        f'{pad}<answer fraction="{fraction(share)}" format="{form}">',
        f"{pad}{_INDENT}<text>{_content(text, form)}</text>",
        *_text_element("feedback", feedback or "", 3, "markdown"),
        f"{pad}</answer>",
    ]


def _choices(options: Sequence[Option], shares: Sequence[float], single: bool) -> Iterator[str]:
    yield _simple("single", "true" if single else "false", 2)
    yield _simple("shuffleanswers", "true", 2)
    yield _simple("answernumbering", "abc", 2)
    yield _simple("showstandardinstruction", "0", 2)
    for name in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        yield from _text_element(name, "", 2, "html")
    for option, share in zip(options, shares, strict=True):
        yield from _answer(option.text, share, option.feedback)


def _single_choice(item: SingleChoice, lost) -> Iterator[str]:
    yield from _choices(item.options, [1.0 if o.id == item.key else 0.0 for o in item.options], True)


def _multiple_response(item: MultipleResponse, lost) -> Iterator[str]:
    key = set(item.key)
    right, wrong = multiple_response_fractions(len(key), len(item.options) - len(key))
    yield from _choices(item.options, [right if o.id in key else wrong for o in item.options], False)


def _weighted(item: WeightedOptions, lost) -> Iterator[str]:
    best = item.max_points
    yield from _choices(item.options, [o.points / best for o in item.options], True)


def _true_false(item: TrueFalse, lost) -> Iterator[str]:
    for value in (True, False):
        yield from _answer("true" if value else "false", float(item.key == value), form="moodle_auto_format")


def _matching(item: Matching, lost) -> Iterator[str]:
    yield _simple("shuffleanswers", "true", 2)
    for name in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        yield from _text_element(name, "", 2, "html")
    choice = {c.id: c for c in item.choices}
    pad = _INDENT * 2
    used = set(item.key.values())
    for prompt in item.prompts:
        yield from [
            f'{pad}<subquestion format="markdown">',
            f"{pad}{_INDENT}<text>{_content(prompt.text, 'markdown')}</text>",
        ]
        yield f"{pad}{_INDENT}<answer>"
        yield f"{pad}{_INDENT * 2}<text>{xml_text(choice[item.key[prompt.id]].text)}</text>"
        yield f"{pad}{_INDENT}</answer>"
        yield f"{pad}</subquestion>"
    for extra in (c for c in item.choices if c.id not in used):  # a distractor: a subquestion with no text
        yield from [f'{pad}<subquestion format="markdown">', f"{pad}{_INDENT}<text></text>"]
        yield from [f"{pad}{_INDENT}<answer>", f"{pad}{_INDENT * 2}<text>{xml_text(extra.text)}</text>"]
        yield from [f"{pad}{_INDENT}</answer>", f"{pad}</subquestion>"]
    if any(p.feedback for p in item.prompts) or any(c.feedback for c in item.choices):
        lost(N_("feedback per option"))


def _ordering(item: Ordering, lost) -> Iterator[str]:
    yield _simple("layouttype", "VERTICAL", 2)
    yield _simple("selecttype", "ALL", 2)
    yield _simple("selectcount", "0", 2)
    yield _simple("gradingtype", "ABSOLUTE_POSITION", 2)
    yield _simple("showgrading", "SHOW", 2)
    yield _simple("numberingstyle", "none", 2)
    for name in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        yield from _text_element(name, "", 2, "html")
    option = {o.id: o for o in item.options}
    if any(o.feedback for o in item.options):
        lost(N_("feedback per option"))
    pad = _INDENT * 2
    for position, oid in enumerate(item.key, 1):  # the answers in the right order; fraction: the position
        yield f'{pad}<answer fraction="{position}" format="markdown">'
        yield f"{pad}{_INDENT}<text>{_content(option[oid].text, 'markdown')}</text>"
        yield f"{pad}</answer>"


def wildcard(text: str) -> str:
    """An accepted answer as Moodle's short answer: a literal `*` escaped, since `*` is its wildcard."""
    return text.replace("*", "\\*")


def regex_as_wildcard(regex: str) -> str | None:
    """A regex made only of literal text and `.*` (as an import writes Moodle's `*`), back as `*`."""
    import re

    parts = regex.split(".*")
    literal = []
    for part in parts:
        unescaped = re.sub(r"\\(.)", r"\1", part)
        if re.escape(unescaped).replace("\\ ", " ") != part:
            return None
        literal.append(wildcard(unescaped))
    return "*".join(literal)


def wildcard_answers(item: ShortAnswer, lost) -> list[tuple[str, float]]:
    """The accepted answers as Moodle's `*` patterns with their credit; a regex that is no such pattern
    is reported, as is normalisation other than the default (Moodle only trims)."""
    if not item.normalize_whitespace or item.unicode_form != "NFKC":
        lost(N_("white space and Unicode normalisation"))
    out = []
    for accepted in item.accepted:
        text = (
            wildcard(accepted.text) if accepted.text is not None else regex_as_wildcard(accepted.regex or "")
        )
        if text is None:
            lost(N_("a regular expression answer"))
        else:
            out.append((text, accepted.credit))
    return out


def _short_answer(item: ShortAnswer, lost) -> Iterator[str]:
    yield _simple("usecase", "1" if item.case_sensitive else "0", 2)
    for text, credit in wildcard_answers(item, lost):
        yield from _answer(text, credit, form="moodle_auto_format")


def absolute_tolerances(item: Numeric, lost) -> list[tuple[float, float]]:
    """(credit, absolute tolerance) of the full and the partial answer, as Moodle and GIFT hold them."""
    scale = abs(item.value) if item.tolerance_mode == "relative" else 1.0
    if item.tolerance_mode == "relative":
        lost(N_("relative tolerance (written as absolute)"))
    answers = [(1.0, item.tolerance * scale)]
    if item.partial_tolerance is not None:
        if item.partial_tolerance * scale > answers[0][1]:
            answers.append((item.partial_credit, item.partial_tolerance * scale))
        else:
            lost(N_("the partial tolerance (no wider than the tolerance once absolute)"))
    return answers


def _numeric(item: Numeric, lost) -> Iterator[str]:
    pad = _INDENT * 2
    answers = absolute_tolerances(item, lost)
    for share, tolerance in answers:
        yield f'{pad}<answer fraction="{fraction(share)}" format="moodle_auto_format">'
        yield f"{pad}{_INDENT}<text>{item.value!r}</text>"
        yield from _text_element("feedback", "", 3, "html")
        yield f"{pad}{_INDENT}<tolerance>{tolerance!r}</tolerance>"
        yield f"{pad}</answer>"
    yield _simple("unitgradingtype", "0", 2)
    yield _simple("unitpenalty", "0.1000000", 2)
    yield _simple("showunits", "3", 2)
    yield _simple("unitsleft", "0", 2)
    if item.unit:
        yield f"{pad}<units>"
        yield f"{pad}{_INDENT}<unit>"
        yield f"{pad}{_INDENT * 2}<multiplier>1</multiplier>"
        yield f"{pad}{_INDENT * 2}<unit_name>{xml_text(item.unit)}</unit_name>"
        yield f"{pad}{_INDENT}</unit>"
        yield f"{pad}</units>"


def rubric_text(item: Essay) -> str:
    """The rubric (and model answer) as the text Moodle shows graders; read back by the import."""
    lines = []
    if item.model_answer:  # line-based for graders: a carriage return is a line end
        model = item.model_answer.replace("\r\n", "\n").replace("\r", "\n")
        lines += [f"Jawaban model: {model}", ""]
    for level in item.rubric:
        line = f"- [{level.id}] {level.label} ({level.points:g} poin)"
        lines.append(line + (f": {level.description}" if level.description else ""))
    return "\n".join(lines)


def _essay(item: Essay, lost) -> Iterator[str]:
    yield _simple("responseformat", "editor", 2)
    yield _simple("responserequired", "1", 2)
    yield _simple("responsefieldlines", "15", 2)
    if item.min_words:
        yield _simple("minwordlimit", item.min_words, 2)
    if item.max_words:
        yield _simple("maxwordlimit", item.max_words, 2)
    yield _simple("attachments", "0", 2)
    yield _simple("attachmentsrequired", "0", 2)
    yield from _text_element("graderinfo", rubric_text(item), 2, "markdown")
    yield from _text_element("responsetemplate", "", 2, "html")


_BODIES = {
    "single_choice": _single_choice,
    "multiple_response": _multiple_response,
    "weighted_options": _weighted,
    "true_false": _true_false,
    "matching": _matching,
    "ordering": _ordering,
    "short_answer": _short_answer,
    "numeric": _numeric,
    "essay": _essay,
}
