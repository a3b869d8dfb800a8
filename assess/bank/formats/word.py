"""The Word template: questions as trainers already type them.

Numbered questions (typed `1.` or Word's own list numbering), options `A.`-`E.` on their own lines
(typed, or Word's lettered list), then `Kunci: B` (`A, C` for several), and optionally
`Pembahasan:`, `Kompetensi:`, `Tingkat:`, `Topik:`, `Rubrik:` (essay levels on the lines after it,
`4 = Sangat baik: description`). A question with options is single choice (one letter in the key)
or multiple response (several); one without options is true/false when its key is Benar or Salah,
else an essay. Read with python-docx; places are paragraph numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assess.bank.formats import answers
from assess.bank.formats.common import Draft, made_rubric, option_id
from assess.bank.formats.spreadsheet import FALSE_WORDS, TRUE_WORDS
from assess.problems import Problem, ProblemsFound

_TYPED_NUMBER = re.compile(r"^\s*(\d{1,4})\s*[.)]\s+(\S.*)$", re.DOTALL)
_TYPED_LETTER = re.compile(r"^\s*([A-Za-z])\s*[.)]\s+(\S.*)$", re.DOTALL)
_LABEL = re.compile(
    r"^\s*(kunci(?: jawaban)?|jawaban|key|answer|pembahasan|explanation|kompetensi|competency|tingkat|"
    r"difficulty|topik|topic|rubrik|rubric|sumber|source)\s*:\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_LABELS = {
    "kunci": "key", "kunci jawaban": "key", "jawaban": "key", "key": "key", "answer": "key",
    "pembahasan": "explanation", "explanation": "explanation", "kompetensi": "competency",
    "competency": "competency", "tingkat": "difficulty", "difficulty": "difficulty", "topik": "topic",
    "topic": "topic", "rubrik": "rubric", "rubric": "rubric", "sumber": "source", "source": "source",
}  # fmt: skip
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Paragraph:
    number: int  # 1-based among the document's paragraphs
    text: str
    list_format: str | None  # Word's numbering format: "decimal", "upperLetter"... or None


def paragraphs(path: Path, file: str) -> tuple[list[Paragraph], int]:
    """The document's paragraphs with their list formats, and how many tables it has (not read)."""
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds for a damaged file
        raise ProblemsFound([Problem("IMPORT-NOT-ZIP", {"kind": "Word", "reason": str(e)}, file)]) from None
    try:
        return _paragraphs(document), len(document.tables)
    except Exception as e:  # noqa: BLE001 - a damaged part (styles, numbering) found while reading
        reason = str(e) or type(e).__name__
        raise ProblemsFound(
            [Problem("IMPORT-UNREADABLE", {"kind": "Word", "reason": reason}, file)]
        ) from None


def _paragraphs(document) -> list[Paragraph]:
    formats = _numbering_formats(document)
    out = []
    for n, paragraph in enumerate(document.paragraphs, 1):
        num = _list_of(paragraph)
        fmt = None
        if num is not None:
            num_id = num.find(f"{_W}numId")
            level = num.find(f"{_W}ilvl")
            key = (num_id.get(f"{_W}val") if num_id is not None else None,
                   level.get(f"{_W}val") if level is not None else "0")  # fmt: skip
            # numId 0 is Word's "numbering off" on a paragraph of a numbered style.
            fmt = None if key[0] == "0" else formats.get(key, "decimal")
        out.append(Paragraph(n, paragraph.text, fmt))
    return out


def _list_of(paragraph):
    """The paragraph's list numbering (`w:numPr`): its own, else its style's (Word's "List Number")."""
    num = paragraph._p.find(f"{_W}pPr/{_W}numPr")
    style, seen = paragraph.style, set()
    while num is None and style is not None and style.style_id not in seen:  # a style may be based on itself
        seen.add(style.style_id)
        num = style.element.find(f"{_W}pPr/{_W}numPr")
        style = style.base_style
    return num


def _numbering_formats(document) -> dict[tuple[str, str], str]:
    """(numId, level) -> the list's number format, from the document's numbering part."""
    try:
        numbering = document.part.numbering_part.element
    except NotImplementedError:  # no numbering part (a document with no list): python-docx cannot make one
        return {}
    abstract = {}
    for node in numbering.findall(f"{_W}abstractNum"):
        levels = {}
        for lvl in node.findall(f"{_W}lvl"):
            fmt = lvl.find(f"{_W}numFmt")
            levels[lvl.get(f"{_W}ilvl")] = fmt.get(f"{_W}val") if fmt is not None else "decimal"
        abstract[node.get(f"{_W}abstractNumId")] = levels
    out = {}
    for num in numbering.findall(f"{_W}num"):
        ref = num.find(f"{_W}abstractNumId")
        levels = abstract.get(ref.get(f"{_W}val") if ref is not None else None, {})
        for level, fmt in levels.items():
            out[(num.get(f"{_W}numId"), level)] = fmt
    return out


@dataclass
class _Question:
    number: int
    paragraph: int
    stem: list[str]
    options: list[tuple[str, str]]
    labels: dict[str, str]
    rubric: list[str]
    last: str = "stem"


def read(path: Path, file: str, warnings: list[Problem]) -> list[Draft]:
    """The questions of the document; `warnings` hears of what is not read (tables)."""
    questions: list[_Question] = []
    letters_seen = 0
    found, tables = paragraphs(path, file)
    if tables:
        warnings.append(Problem("IMPORT-WORD-TABLES", {"n": tables}, file))
    for p in found:
        text = p.text.strip()
        if not text:
            continue
        typed = _TYPED_NUMBER.match(text)
        if p.list_format == "decimal" or typed:
            questions.append(
                _Question(len(questions) + 1, p.number, [typed.group(2) if typed else text], [], {}, [])
            )
            letters_seen = 0
            continue
        if not questions:
            continue  # a title or instructions before the first question
        q = questions[-1]
        label = _LABEL.match(text)
        lettered = _TYPED_LETTER.match(text)
        if label:
            name = _LABELS[label.group(1).casefold()]
            q.labels[name] = label.group(2).strip()
            q.last = name
        elif p.list_format in ("upperLetter", "lowerLetter"):
            q.options.append((option_id(letters_seen + 1).upper(), text))
            letters_seen += 1
            q.last = "option"
        elif lettered and not q.labels:
            q.options.append((lettered.group(1).upper(), lettered.group(2).strip()))
            q.last = "option"
        elif q.last == "rubric":
            q.rubric.append(text)
        elif q.last == "stem":
            q.stem.append(text)
        elif q.last == "option":
            letter, previous = q.options[-1]
            q.options[-1] = (letter, previous + "\n" + text)
        elif q.last in q.labels:
            q.labels[q.last] += "\n" + text
    return [_draft(q) for q in questions]


def _draft(q: _Question) -> Draft:
    stem = "\n\n".join(q.stem)
    draft = Draft(q.number, q.paragraph)
    draft.field = " ".join(stem.split())[:60]
    draft.fields["stem"] = stem
    labels = q.labels
    for name, field in (("explanation", "explanation"), ("topic", "topic")):
        if labels.get(name):
            draft.fields[field] = labels[name]
    draft.tags += [f"kompetensi:{c}" for c in re.split(r"[,;\s]+", labels.get("competency", "")) if c]
    draft.tags += [f"sumber:{c}" for c in re.split(r"[,;\s]+", labels.get("source", "")) if c]
    if labels.get("difficulty"):
        draft.tags.append(f"tingkat:{labels['difficulty']}")
    key = labels.get("key", "").strip()
    if q.options:
        letters = [letter for letter, _text in q.options]
        chosen = [k.upper() for k in re.split(r"[\s,;]+", key) if k]
        if not chosen or any(k not in letters for k in chosen):
            return draft.refuse("IMPORT-WORD-KEY", value=key or "-", letters=", ".join(letters))
        options = [{"id": option_id(n), "text": text} for n, (_l, text) in enumerate(q.options, 1)]
        if len(chosen) == 1:
            answers.choices(draft, options, [float(letter == chosen[0]) for letter in letters], single=True)
        else:
            draft.fields.update(type="multiple_response", options=options,
                                key=[option_id(letters.index(k) + 1) for k in chosen])  # fmt: skip
    elif key.casefold() in TRUE_WORDS | FALSE_WORDS:
        draft.fields.update(type="true_false", key=key.casefold() in TRUE_WORDS)
    else:
        _essay(draft, q.rubric + ([labels["rubric"]] if labels.get("rubric") else []))
    return draft


def _essay(draft: Draft, lines: list[str]) -> None:
    levels, bad = answers.rubric_levels(lines)
    if bad is not None:
        draft.refuse("IMPORT-SHEET-RUBRIC", line=bad)
        return
    if len(levels) < 2:
        levels = made_rubric(1.0)
        draft.note("IMPORT-RUBRIC-MADE")
    draft.fields.update(type="essay", rubric=levels)
