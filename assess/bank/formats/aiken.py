"""Aiken in, as Moodle's `question/format/aiken` reads it: single-choice questions only.

A question is its text (one or more lines), then options `A.` or `A)` each on its own line,
then `ANSWER: B`; questions are separated by blank lines.
"""

from __future__ import annotations

import re

from assess.bank.formats.common import Draft, lines_of, option_id
from assess.bank.formats.markup import escape_markdown

# As Moodle: a capital, `.` or `)`, then a space ("B.J. Habibie ..." is text, not option B).
_OPTION = re.compile(r"^\s*([A-Z])[.)][ \t]+(\S.*?)\s*$")
_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*(.*?)\s*$", re.IGNORECASE)


def looks_like(text: str) -> bool:
    return re.search(r"^\s*ANSWER\s*:\s*[A-Z]\s*$", text, re.MULTILINE | re.IGNORECASE) is not None


def read(text: str, file: str) -> list[Draft]:
    drafts: list[Draft] = []
    stem: list[str] = []
    options: list[tuple[str, str]] = []
    start = 0
    for number, line in enumerate(lines_of(text), 1):
        if not line.strip():
            continue
        answer = _ANSWER.match(line)
        option = _OPTION.match(line)
        if answer:
            draft = Draft(len(drafts) + 1, start or number)
            _question(draft, stem, options, answer.group(1).strip().upper())
            drafts.append(draft)
            stem, options, start = [], [], 0
        elif option and stem and (options or option.group(1) == "A"):
            options.append((option.group(1), option.group(2)))
        elif options:
            # Text after the options with no ANSWER line: that question ended without its answer.
            drafts.append(_unanswered(len(drafts) + 1, start, stem))
            stem, options, start = [line.strip()], [], number
        else:
            start = start or number
            stem.append(line.strip())
    if stem or options:
        drafts.append(_unanswered(len(drafts) + 1, start, stem))
    return drafts


def _unanswered(number: int, line: int, stem: list[str]) -> Draft:
    return Draft(number, line).refuse("IMPORT-AIKEN-NO-ANSWER", text=" ".join(stem)[:60])


def _question(draft: Draft, stem: list[str], options: list[tuple[str, str]], answer: str) -> None:
    letters = [letter for letter, _text in options]
    in_order = letters == [chr(ord("A") + n) for n in range(len(letters))]
    if not stem or len(options) < 2 or not in_order:
        draft.refuse("IMPORT-AIKEN-OPTIONS")
        return
    if answer not in letters:
        draft.refuse("IMPORT-AIKEN-ANSWER-UNKNOWN", answer=answer, letters=", ".join(letters))
        return
    ids = [option_id(n) for n in range(1, len(options) + 1)]
    draft.fields.update(
        type="single_choice",
        stem="\\\n".join(escape_markdown(line) for line in stem),
        options=[
            {"id": i, "text": escape_markdown(text)} for i, (_letter, text) in zip(ids, options, strict=True)
        ],
        key=ids[letters.index(answer)],
    )
