"""GIFT in, as Moodle's `question/format/gift` reads it.

Questions are separated by blank lines; `//` lines are comments, except that
`// [id:...] [tag:...]` before a question gives its id number and tags (Moodle 3.6+);
`$CATEGORY: path` sets the category (the item's topic) of the questions after it.
`\\` escapes `~ = # { } :` and `\\n` is a new line. The answers sit in `{...}`:
`=` right, `~` wrong, `%50%` a weight, `#` feedback, `####` general feedback.
"""

from __future__ import annotations

import re

from assess.bank.formats import answers
from assess.bank.formats.common import Draft, category_topic, lines_of, made_rubric, option_id
from assess.bank.formats.markup import escape_markdown, from_moodle_markdown, html_to_markdown

# Escaped characters stand in for themselves through the parse (private-use placeholders).
_ESCAPES = {"\\\\": "\ue000", "\\:": "\ue001", "\\#": "\ue002", "\\=": "\ue003", "\\{": "\ue004",
            "\\}": "\ue005", "\\~": "\ue006", "\\n": "\ue007"}  # fmt: skip
_UNESCAPE = str.maketrans({v: k[1] if k != "\\n" else "\n" for k, v in _ESCAPES.items()})
_ESCAPE = re.compile(r"\\[\\:#={}~n]")
_META = re.compile(r"\[(id|tag):([^\]]*)\]")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_TITLE = re.compile(r"^\s*::(.*?)::", re.DOTALL)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?|-?\.\d+)%")
_NUMBER = r"-?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?"


def looks_like(text: str) -> bool:
    body = "\n".join(ln for ln in lines_of(text) if not ln.lstrip().startswith("//"))
    return re.search(r"\{[^{}]*\}", _ESCAPE.sub("", body)) is not None or "::" in body


def _protect(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)


def _plain(text: str) -> str:
    return text.translate(_UNESCAPE)


def _blocks(text: str):
    """(first line, lines of the question, comment lines before it) for every question."""
    block: list[str] = []
    comments: list[str] = []
    start = 0
    for number, line in enumerate(lines_of(text) + [""], 1):
        stripped = line.strip()
        if stripped.startswith("//"):
            if not block:
                comments.append(stripped[2:])
            continue
        if stripped:
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block, comments
            block, comments = [], []
        else:
            comments = comments if not block else []


def read(text: str, file: str) -> list[Draft]:
    drafts: list[Draft] = []
    topic: str | None = None
    for line, lines, comments in _blocks(text):
        joined = "\n".join(lines)
        if joined.lstrip().startswith("$CATEGORY:"):
            first, _newline, rest = joined.lstrip().partition("\n")
            topic = category_topic(first.removeprefix("$CATEGORY:").strip())
            if not rest.strip():
                continue
            joined, line = rest, line + 1
        draft = Draft(len(drafts) + 1, line)
        for kind, value in _META.findall(" ".join(comments)):
            if kind == "id":
                draft.given_id = value.strip() or None
            elif value.strip():
                draft.tags.append(value.strip())
        _question(_protect(joined), draft, topic)
        drafts.append(draft)
    return drafts


def _question(text: str, draft: Draft, topic: str | None) -> None:
    title = _TITLE.match(text)
    if title:
        text = text[title.end() :]
        if draft.given_id is None and title.group(1).strip() and " " not in title.group(1).strip():
            draft.given_id = _plain(title.group(1).strip())
    form = _FORMAT.match(text)
    markup = form.group(1).lower() if form else "moodle"
    text = text[form.end() :] if form else text
    start, end = text.find("{"), text.rfind("}")
    if start >= 0 and end < start:  # an answer block never closed
        draft.refuse("IMPORT-GIFT-ANSWERS", text=_plain(text[start:])[:60])
        return
    if start < 0:
        draft.refuse("IMPORT-DESCRIPTION", type="description")
        return
    stem_text = text[:start].rstrip() + (
        " _____ " + text[end + 1 :].strip() if text[end + 1 :].strip() else ""
    )
    fields = draft.fields
    fields["stem"] = _rich(stem_text, markup, draft)
    if topic:
        fields["topic"] = topic
    answers = text[start + 1 : end]
    answers, _hashes, general = answers.partition("####")
    if general.strip():
        fields["explanation"] = _rich(general.strip(), markup, draft)
    body = answers.strip()
    if not fields["stem"]:
        draft.refuse("IMPORT-NO-STEM")
    elif not body:
        _essay(draft)
    elif body.startswith("#"):
        _numeric(body[1:], draft)
    elif re.fullmatch(r"(T|TRUE|F|FALSE)(#.*)?", body, re.DOTALL):
        fields.update(type="true_false", key=body.split("#")[0] in ("T", "TRUE"))
    else:
        _choices(body, markup, draft)


def _rich(text: str, markup: str, draft: Draft) -> str:
    """Text of the question's format as the bank's Markdown."""
    text = text.strip()
    if markup == "markdown":
        return from_moodle_markdown(_plain(text))
    if markup == "html":
        converted = html_to_markdown(_plain(text))
        for image in converted.images:
            draft.note("IMPORT-IMAGE", name=image, where="text")
            draft.draft_only = True
        return converted.markdown
    return "\\\n".join(escape_markdown(_plain(line).strip()) for line in text.split("\n"))


def _parts(body: str) -> list[tuple[str, float | None, str, str | None]]:
    """Each answer: its sign (`=` or `~`), weight, text and feedback."""
    out = []
    for m in re.finditer(r"([=~])([^=~]*)", body):
        sign, rest = m.group(1), m.group(2)
        weight = _WEIGHT.match(rest.strip())
        value = None
        if weight:
            value = float(weight.group(1)) / 100
            rest = rest.strip()[weight.end() :]
        answer, _hash, feedback = rest.partition("#")
        out.append((sign, value, answer.strip(), feedback.strip() or None))
    return out


def _choices(body: str, markup: str, draft: Draft) -> None:
    parts = _parts(body)
    if not parts:
        draft.refuse("IMPORT-GIFT-ANSWERS", text=_plain(body)[:60])
        return
    if all(sign == "=" for sign, *_rest in parts) and all("->" in a for _s, _w, a, _f in parts):
        _matching(parts, markup, draft)
    elif any(sign == "~" for sign, *_rest in parts):
        _multichoice(parts, markup, draft)
    else:
        _short(parts, draft)


def _option(n: int, text: str, feedback: str | None, markup: str, draft: Draft) -> dict:
    option = {"id": option_id(n), "text": _rich(text, markup, draft)}
    if feedback:
        option["feedback"] = _rich(feedback, markup, draft)
    return option


def _multichoice(parts, markup: str, draft: Draft) -> None:
    options = [_option(n, a, f, markup, draft) for n, (_s, _w, a, f) in enumerate(parts, 1)]
    fractions = [w if w is not None else (1.0 if s == "=" else 0.0) for s, w, _a, _f in parts]
    answers.choices(draft, options, fractions, single=any(s == "=" for s, *_rest in parts))


def _matching(parts, markup: str, draft: Draft) -> None:
    pairs = []
    for _sign, _weight, answer, _feedback in parts:
        prompt, _arrow, choice = answer.partition("->")
        pairs.append((_rich(prompt, markup, draft) if prompt.strip() else None, _plain(choice.strip())))
    answers.matching(draft, pairs)


def _short(parts, draft: Draft) -> None:
    given = [(_plain(answer), 1.0 if weight is None else weight) for _s, weight, answer, _f in parts]
    answers.short_answer(draft, given, case_sensitive=False)


def _numeric(body: str, draft: Draft) -> None:
    given = []
    for sign, weight, answer, _feedback in _parts(body) or [("=", None, body.split("#")[0], None)]:
        value = _number_answer(_plain(answer))
        if value is not None and sign == "=":
            given.append((1.0 if weight is None else weight, *value))
    answers.numeric(draft, given)


def _number_answer(text: str) -> tuple[float, float] | None:
    text = text.strip()
    ranged = re.fullmatch(rf"({_NUMBER})\.\.({_NUMBER})", text)
    if ranged:
        low, high = (float(x.replace(",", ".")) for x in ranged.groups())
        return (low + high) / 2, abs(high - low) / 2
    tolerant = re.fullmatch(rf"({_NUMBER})(?::({_NUMBER}))?", text)
    if tolerant:
        tolerance = abs(float((tolerant.group(2) or "0").replace(",", ".")))
        return float(tolerant.group(1).replace(",", ".")), tolerance
    return None


def _essay(draft: Draft) -> None:
    draft.fields.update(type="essay", rubric=made_rubric(1.0))
    draft.note("IMPORT-RUBRIC-MADE")
