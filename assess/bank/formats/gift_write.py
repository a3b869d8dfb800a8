"""GIFT out, read back by Moodle's GIFT import and by `gift_read`.

Text keeps the bank's Markdown (`[markdown]`), with GIFT's special characters `~ = # { } :` and
the backslash escaped and a new line written `\\n`, as Moodle's own GIFT writer does. The id and
the metadata tags go in a `// [id:...] [tag:...]` comment line (Moodle 3.6 and later read it).
Ordering items, matching distractors, essay rubrics, units and per-type settings have no place in
GIFT: each is reported per item.
"""

from __future__ import annotations

from collections.abc import Sequence

from assess.bank.documents import Bank
from assess.bank.formats.common import multiple_response_fractions, write_tags
from assess.bank.formats.markup import moodle_markdown
from assess.bank.formats.moodle_write import absolute_tolerances, wildcard_answers, writable
from assess.bank.model import ItemBase
from assess.i18n import N_
from assess.problems import Phrase, Problem

_SPECIAL = str.maketrans({"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}",
                          ":": "\\:", "\n": "\\n", "\r": ""})  # fmt: skip


def escape(text: str) -> str:
    return text.translate(_SPECIAL)


def markdown(text: str) -> str:
    """Question text in GIFT: Moodle's Markdown line breaks, then the special characters escaped."""
    return escape(moodle_markdown(text))


def _weight(share: float) -> str:
    text = f"{share * 100:.5f}".rstrip("0").rstrip(".")
    return f"%{text}%"


def write(banks: Sequence[Bank], file: str) -> tuple[str, list[Problem]]:
    notes: list[Problem] = []
    items = writable(banks, "GIFT", file, notes, unsupported=("ordering",))
    out: list[str] = []
    topic: str | None = None
    for item in sorted(items, key=lambda i: (i.topic is not None, i.topic or "")):

        def lost(what: str, item: ItemBase = item) -> None:
            notes.append(
                Problem("EXPORT-NOT-CARRIED", {"what": Phrase(what), "format": "GIFT"}, file, item=item.id)
            )

        if item.topic != topic and item.topic is not None:
            topic = item.topic
            out += [f"$CATEGORY: $course$/top/{topic.replace('/', '//')}", ""]
        out += [_question(item, lost), ""]
    return "\n".join(out), notes


def _question(item: ItemBase, lost) -> str:
    meta = " ".join([f"[id:{item.id}]", *(f"[tag:{t}]" for t in write_tags(item, points=True))])
    if "]" in "".join(write_tags(item, points=True)):
        lost(N_("a tag with ']'"))
    if _has_carriage_return(item.model_dump()):
        lost(N_("carriage returns"))
    if item.translations:
        lost(N_("translations"))
    if item.lint_ignore:
        lost(N_("lint_ignore"))
    body = _ANSWERS[item.type](item, lost)
    general = f"\n\t####{markdown(item.explanation)}" if item.explanation else ""
    return f"// {meta}\n::{escape(item.id)}::[markdown]{markdown(item.stem)}{{{body}{general}\n}}"


def _has_carriage_return(value) -> bool:
    if isinstance(value, str):
        return "\r" in value
    if isinstance(value, dict):
        return any(_has_carriage_return(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_carriage_return(v) for v in value)
    return False


def _feedback(text: str | None) -> str:
    return f"#{markdown(text)}" if text else ""


def _single(item, lost) -> str:
    return "".join(
        f"\n\t{'=' if o.id == item.key else '~'}{markdown(o.text)}{_feedback(o.feedback)}"
        for o in item.options
    )


def _multiple(item, lost) -> str:
    key = set(item.key)
    right, wrong = multiple_response_fractions(len(key), len(item.options) - len(key))
    return "".join(
        f"\n\t~{_weight(right if o.id in key else wrong)}{markdown(o.text)}{_feedback(o.feedback)}"
        for o in item.options
    )


def _weighted(item, lost) -> str:
    # One `=` (the first best option): a single-answer question; the others by their weight, a tie
    # `~%100%` (several `=` alone would read as a short answer).
    best = item.max_points
    first = next(o.id for o in item.options if o.points == best)
    parts = []
    for o in item.options:
        sign = "=" if o.id == first else f"~{_weight(o.points / best)}" if o.points > 0 else "~"
        parts.append(f"\n\t{sign}{markdown(o.text)}{_feedback(o.feedback)}")
    return "".join(parts)


def _true_false(item, lost) -> str:
    return "TRUE" if item.key else "FALSE"


def _matching(item, lost) -> str:
    choice = {c.id: c.text for c in item.choices}
    used = set(item.key.values())
    pairs = [f"\n\t={markdown(p.text)} -> {escape(choice[item.key[p.id]])}" for p in item.prompts]
    extra = [f"\n\t= -> {escape(c.text)}" for c in item.choices if c.id not in used]  # a distractor
    if any(o.feedback for o in [*item.prompts, *item.choices]):
        lost(N_("feedback per option"))
    return "".join(pairs + extra)


def _short(item, lost) -> str:
    if item.case_sensitive:
        lost(N_("case sensitivity"))
    return "".join(
        f"\n\t={'' if credit == 1 else _weight(credit)}{escape(text)}"
        for text, credit in wildcard_answers(item, lost)
    )


def _numeric(item, lost) -> str:
    if item.unit:
        lost(N_("the unit"))
    answers = absolute_tolerances(item, lost)
    return "#" + "".join(
        f"\n\t={'' if credit == 1 else _weight(credit)}{item.value!r}:{tolerance!r}"
        for credit, tolerance in answers
    )


def _essay(item, lost) -> str:
    lost(N_("the rubric"))
    if item.model_answer or item.min_words or item.max_words:
        lost(N_("the model answer and word limits"))
    return ""


_ANSWERS = {
    "single_choice": _single,
    "multiple_response": _multiple,
    "weighted_options": _weighted,
    "true_false": _true_false,
    "matching": _matching,
    "short_answer": _short,
    "numeric": _numeric,
    "essay": _essay,
}
