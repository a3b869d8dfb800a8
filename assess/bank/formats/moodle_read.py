"""Moodle XML in: every question type that has a counterpart in the bank becomes an item.

The file is Moodle's `question/format/xml` export: one `<quiz>`, category pseudo-questions that set
the category of the questions after them (the item's topic), text in HTML (mostly CDATA) with its
files inline. Types without a counterpart (cloze, calculated, drag and drop...) and descriptions
are reported, never half-imported.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from assess.bank.formats import answers
from assess.bank.formats.common import Draft, category_topic, lines_of, made_rubric, option_id
from assess.bank.formats.markup import escape_markdown, from_moodle_markdown, html_to_markdown
from assess.bank.formats.source import parse_large_xml
from assess.i18n import N_
from assess.problems import Phrase, Problem, ProblemsFound

# A question's start in the file, outside comments and CDATA (ElementTree keeps no lines).
_STARTS = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!\[CDATA\[.*?\]\]>|<question[\s>/]", re.DOTALL)
_PLUGINFILE = "@@PLUGINFILE@@/"
MAX_WORD_LIMIT = 100_000


def question_lines(data: bytes) -> list[int]:
    lines, last, line = [], 0, 1
    for m in _STARTS.finditer(data):
        if m.group().startswith(b"<question"):
            line += data.count(b"\n", last, m.start())
            last = m.start()
            lines.append(line)
    return lines


def looks_like(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and re.search(rb"<quiz[\s>]", data[:65536]) is not None


def read(data: bytes, file: str) -> list[Draft]:
    root = parse_large_xml(data, file)
    if root.tag != "quiz":
        raise ProblemsFound([Problem("IMPORT-MOODLE-NOT-QUIZ", {"found": root.tag}, file, 1)])
    lines = question_lines(data)
    drafts: list[Draft] = []
    topic: str | None = None
    for index, question in enumerate(root.iter("question")):
        line = lines[index] if index < len(lines) else None
        kind = question.get("type", "")
        if kind == "category":
            topic = category_topic(_child_text(question, "category"))
            continue
        draft = Draft(len(drafts) + 1, line, given_id=_child_text(question, "idnumber").strip() or None)
        draft.tags = [t.text or "" for t in question.iterfind("tags/tag/text")]
        _read_question(question, kind, draft, topic)
        drafts.append(draft)
    return drafts


def _child_text(element: Element, path: str) -> str:
    found = element.find(path)
    if found is None:
        return ""
    inner = found.find("text")
    return (inner.text if inner is not None else found.text) or ""


def text_of(element: Element | None, draft: Draft, where: str) -> str:
    """The Markdown of a text element (`questiontext`, `answer`, `feedback`...) in its `format`."""
    if element is None:
        return ""
    inner = element.find("text")
    raw = (inner.text if inner is not None else element.text) or ""
    form = element.get("format", "html")
    if form == "markdown":
        text = from_moodle_markdown(raw)
    elif form in ("plain_text", "moodle_auto_format") and "<" not in raw:
        text = "\\\n".join(escape_markdown(line.strip()) for line in lines_of(raw.strip()))
    else:
        converted = html_to_markdown(raw)
        text = converted.markdown
        for image in converted.images:
            draft.note("IMPORT-IMAGE", name=image.removeprefix(_PLUGINFILE), where=where)
            draft.draft_only = True
        for other in dict.fromkeys(converted.dropped):
            draft.note("IMPORT-MARKUP-DROPPED", what=other, where=where)
    referenced = set(re.findall(r"@@PLUGINFILE@@/([^\"'>\s]+)", raw))
    for attached in element.iterfind("file"):
        name = attached.get("name", "?")
        if name not in referenced:
            draft.note("IMPORT-IMAGE", name=name, where=where)
            draft.draft_only = True
    return text


def _number(text: str | None, default: float | None = None) -> float | None:
    try:
        return float((text or "").strip().replace(",", "."))
    except ValueError:
        return default


def _fraction(answer: Element) -> float:
    return (_number(answer.get("fraction"), 0.0) or 0.0) / 100


def _read_question(question: Element, kind: str, draft: Draft, topic: str | None) -> None:
    reader = _READERS.get(kind)
    if reader is None:
        code = "IMPORT-DESCRIPTION" if kind == "description" else "IMPORT-TYPE-UNSUPPORTED"
        draft.refuse(code, type=kind)
        return
    fields = draft.fields
    fields["stem"] = text_of(question.find("questiontext"), draft, "questiontext")
    explanation = text_of(question.find("generalfeedback"), draft, "generalfeedback")
    if explanation:
        fields["explanation"] = explanation
    if topic:
        fields["topic"] = topic
    reader(question, draft)
    grade = _number(_child_text(question, "defaultgrade"))
    if draft.skip is None and grade is not None and grade > 0 and grade != 1:
        if fields.get("type") not in ("weighted_options", "essay"):
            fields["points"] = grade
    if not fields["stem"]:
        draft.refuse("IMPORT-NO-STEM")


def _options(question: Element, draft: Draft) -> list[tuple[dict, float]]:
    options = []
    for n, answer in enumerate(question.iterfind("answer"), 1):
        option = {"id": option_id(n), "text": text_of(answer, draft, f"answer {n}")}
        feedback = text_of(answer.find("feedback"), draft, f"answer {n} feedback")
        if feedback:
            option["feedback"] = feedback
        options.append((option, _fraction(answer)))
    return options


def _multichoice(question: Element, draft: Draft) -> None:
    options = _options(question, draft)
    # Moodle's own import: a missing <single> is single; only "false" or "0" is not.
    single = _child_text(question, "single").strip().lower() not in ("false", "0")
    answers.choices(draft, [o for o, _f in options], [f for _o, f in options], single)


def _truefalse(question: Element, draft: Draft) -> None:
    truth = None
    for answer in question.iterfind("answer"):
        text = (_child_text(answer, ".") or "").strip().casefold()
        if _fraction(answer) > 0 and text in ("true", "benar", "false", "salah"):
            truth = text in ("true", "benar")
        if text_of(answer.find("feedback"), draft, "feedback"):
            draft.note("IMPORT-NOT-CARRIED", what=Phrase(N_("feedback per answer")))
    if truth is None:
        draft.refuse("IMPORT-NO-KEY")
        return
    draft.fields.update(type="true_false", key=truth)


def _matching(question: Element, draft: Draft) -> None:
    pairs = []
    for sub in question.iterfind("subquestion"):
        choice = _child_text(sub, "answer").strip()  # plain text, shown as it is
        if choice:
            pairs.append((text_of(sub, draft, "subquestion") or None, choice))
    answers.matching(draft, pairs)


def _shortanswer(question: Element, draft: Draft) -> None:
    usecase = _child_text(question, "usecase").strip() in ("1", "true")
    given = [(_child_text(a, ".").strip(), min(_fraction(a), 1.0)) for a in question.iterfind("answer")]
    answers.short_answer(draft, given, usecase)


def _numerical(question: Element, draft: Draft) -> None:
    given = []
    for answer in question.iterfind("answer"):
        value = _number(_child_text(answer, "."))
        tolerance = _number(_child_text(answer, "tolerance"), 0.0) or 0.0
        if value is not None and _fraction(answer) > 0:
            given.append((_fraction(answer), value, abs(tolerance)))
    if answers.numeric(draft, given):
        draft.note("IMPORT-NOT-CARRIED", what=Phrase(N_("other accepted numbers")))
    if draft.skip is not None:
        return
    fields = draft.fields
    units = [u for u in question.iterfind("units/unit") if (_number(_child_text(u, "multiplier"), 1) == 1)]
    if units:
        fields["unit"] = _child_text(units[0], "unit_name").strip() or None
        if fields["unit"] is None:
            del fields["unit"]
    if len(list(question.iterfind("units/unit"))) > len(units[:1]):
        draft.note("IMPORT-NOT-CARRIED", what=Phrase(N_("other units")))


# `- [id] label (N poin): description`; the marker may come escaped (`\-`) from an HTML paragraph.
_RUBRIC_LINE = re.compile(
    r"^\s*\\?[-*]?\s*\[(?P<id>[A-Za-z0-9._-]+)\]\s*(?P<label>.+?)\s*\((?P<points>\d+(?:[.,]\d+)?)(?:\s[^)]*)?\)"
    r"\s*(?::\s*(?P<description>.*))?$"
)


def _essay(question: Element, draft: Draft) -> None:
    info = text_of(question.find("graderinfo"), draft, "graderinfo")
    rubric, model = _rubric(info)
    grade = _number(_child_text(question, "defaultgrade"), 1.0) or 1.0
    if not rubric:
        rubric = made_rubric(grade)
        draft.note("IMPORT-RUBRIC-MADE")
    fields = draft.fields
    fields.update(type="essay", rubric=rubric)
    if model:
        fields["model_answer"] = model
    for name in ("minwordlimit", "maxwordlimit"):
        value = _number(_child_text(question, name))
        if value and 0 < value <= MAX_WORD_LIMIT:  # "inf" or 1e400 is no limit a reader can keep
            fields["min_words" if name.startswith("min") else "max_words"] = int(value)


def _rubric(info: str) -> tuple[list[dict], str | None]:
    """Rubric levels written as `- [id] label (N poin): description` lines, and the text around them."""
    levels, rest = [], []
    for line in lines_of(info):
        m = _RUBRIC_LINE.match(line)
        if m:
            level = {"id": m["id"], "label": m["label"], "points": float(m["points"].replace(",", "."))}
            if m["description"]:
                level["description"] = m["description"]
            levels.append(level)
        else:
            rest.append(line)
    model = "\n".join(rest).strip()
    model = re.sub(r"^(Jawaban model|Model answer):\s*", "", model).strip() or None
    return (levels if len(levels) >= 2 else []), (model if levels else (info or None))


def _ordering(question: Element, draft: Draft) -> None:
    options = [o for o, _f in _options(question, draft)]
    answers = list(question.iterfind("answer"))
    positions = [_number(a.get("fraction")) for a in answers]
    order = list(range(len(options)))
    if all(p is not None for p in positions) and len(set(positions)) == len(positions):
        order.sort(key=lambda i: positions[i])
    draft.fields.update(type="ordering", options=options, key=[options[i]["id"] for i in order])


_READERS = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "matching": _matching,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "essay": _essay,
    "ordering": _ordering,
}
