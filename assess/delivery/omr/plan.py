"""Scanned pages -> whose sheet, what it answers, what waits for the trainer (pure: no files, no database).

Each page read (`assess.delivery.omr.read.read_page`) is checked against the phase (its QR code's
event, phase, form and variant), given its participant (named in the QR code of a personal sheet,
else the NIP or participant number filled in on its grid) and kept as a `HeldPage`: a plain record
the workspace keeps between runs (a later scan may bring a sheet's missing page, the review may say
what a doubtful mark is). A participant's pages are imported once all of them are there and nothing
on them is doubtful; their answers go in as the typed answer sheet's cells
(`assess.delivery.answer_sheet`), so that identical answers score identically. A short answer is a
picture until typed: imported as `PAPER_UNTYPED` (pending), typed later from the review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from assess.delivery.imports import People, clean_nip
from assess.delivery.omr.marks import EMPTY, FILLED
from assess.delivery.omr.read import PageReading
from assess.delivery.omr.sheet import SheetCode, event_tag, form_tag
from assess.forms import Form

IDENTITY = 0  # the question number that stands for the identity grid in readings and corrections
UNKNOWN_PERSON = "unknown-person"  # the grid read clearly, but no participant has that NIP or number
BLANK_MARK = "-"  # what a correction writes for "nothing marked"


@dataclass(frozen=True)
class Left:
    """A page left out: where it came from, the problem's code and its parameters."""

    source: str
    code: str
    params: dict = field(default_factory=dict)
    keys: tuple[str, ...] = ()  # the held pages it takes out of the review, by key


def check_code(
    code: SheetCode | None, event_id: str, phase_id: str, form: Form, pages_of: dict[str, int]
) -> tuple[str, dict] | None:
    """Why a page's QR code does not belong to this phase's stored form (code and parameters), or None.
    `pages_of`: variant label -> the number of pages its sheet has."""
    if code is None:
        return "SCAN-NOT-A-SHEET", {}
    if code.event != event_tag(event_id):
        return "SCAN-OTHER-EVENT", {}
    if code.phase.casefold() != phase_id.casefold():
        return "SCAN-OTHER-PHASE", {"printed": code.phase.lower(), "phase": phase_id}
    if (
        code.form != form_tag(form.hash)
        or code.variant not in pages_of
        or code.pages != pages_of[code.variant]
    ):
        return "SCAN-FORM-CHANGED", {"printed": code.form, "stored": form_tag(form.hash)}
    return None


def identify(code: SheetCode, identity: str | None, people: People) -> str | None:
    """The participant id a page is for: named in the QR code, or found by the digits on its grid."""
    if code.person:
        found = people.find("id", code.person)
    elif identity is None:
        return None
    elif code.grid == "nip":
        found = people.find("nip", clean_nip(identity))
    else:
        found = people.find("id", "P" + identity)
    return found[0] if len(found) == 1 else None


@dataclass
class HeldPage:
    """A page read and kept until its sheet can be imported (or was, for its untyped short answers)."""

    key: str  # stable: from the image's content and the page's code
    source: str
    code: str  # the QR code's text
    variant: str
    page: int
    pages: int
    person: str | None  # the participant id; None until known
    identity: str | None  # the digits read on the grid, for the review
    answers: dict[str, str | None]  # question number -> the typed sheet's cell (None blank)
    doubtful: dict[str, str]  # question number (or IDENTITY) -> why
    marks: dict[str, int]  # essay question number -> rubric level index
    untyped: list[int]  # short answer question numbers
    seen: dict[str, str] = field(default_factory=dict)  # doubtful question -> its marks ("A+ C?": see _seen)
    crops: dict[str, str] = field(default_factory=dict)  # question number -> a cut-out's file name
    attempt: int | None = None  # once imported

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> HeldPage:
        return cls(**data)


def held_page(key: str, source: str, code: SheetCode, reading: PageReading, person: str | None) -> HeldPage:
    answers, doubtful, marks, untyped = {}, {}, {}, []
    for q in reading.questions:
        number = str(q.number)
        if q.kind == "short_answer":
            untyped.append(q.number)
            answers[number] = None
        elif q.doubtful:
            doubtful[number] = q.why
        elif q.kind == "essay":
            if q.text is not None:
                marks[number] = int(q.text)
        else:
            answers[number] = q.text
    if person is None:
        doubtful[str(IDENTITY)] = reading.identity_why or UNKNOWN_PERSON
    seen = {number: _seen(reading, int(number)) for number in doubtful}
    if reading.identity is not None and person is None:
        seen[str(IDENTITY)] = reading.identity  # read clearly, but nobody's
    return HeldPage(key, source, code.text(), code.variant, code.page, code.pages, person, reading.identity,
                    answers, doubtful, marks, untyped, seen)  # fmt: skip


def _seen(reading: PageReading, number: int) -> str:
    """The marks of one question as the review shows them: "C+ D?" in a row, "2:C+ 3:A?" in a grid (row:
    value), + filled, ? doubtful."""
    marks = [
        f"{row + ':' if row else ''}{value}{'+' if r.state == FILLED else '?'}"
        for (n, row, value), r in reading.bubbles.items()
        if n == number and r.state != EMPTY
    ]
    return " ".join(marks)


@dataclass(frozen=True)
class ReadySheet:
    """A participant's pages, all there and clear: the typed answer sheet's row."""

    person: str
    variant: str
    pages: tuple[HeldPage, ...]

    def cells(self, questions: int, untyped: str) -> list[str]:
        """The cells for questions 1..`questions` (a short answer: `untyped`)."""
        cells = [""] * questions
        for page in self.pages:
            for number, text in page.answers.items():
                cells[int(number) - 1] = text or ""
            for number in page.untyped:
                cells[number - 1] = untyped
        return cells

    def marks(self) -> dict[int, int]:
        return {int(n): level for page in self.pages for n, level in page.marks.items()}


def settle(held: Sequence[HeldPage]) -> tuple[list[ReadySheet], list[HeldPage], list[Left]]:
    """The sheets ready to import, the pages still waiting, and the pages left out as duplicates: a
    participant has one sheet (one variant); a second page of the same number, or a page of another
    variant, is the duplicate."""
    by_person: dict[str, dict[int, HeldPage]] = {}
    waiting, left = [], []
    for page in held:
        if page.attempt is not None:
            continue
        if page.person is None or page.doubtful:
            waiting.append(page)
            continue
        pages = by_person.setdefault(page.person, {})
        first = pages.get(page.page) or next(iter(pages.values()), None)
        if first is not None and (page.page in pages or first.variant != page.variant):
            params = {"person": page.person, "other": first.source}
            left.append(Left(page.source, "SCAN-DUPLICATE", params, (page.key,)))
            continue
        pages[page.page] = page
    ready = []
    for person, pages in by_person.items():
        some = next(iter(pages.values()))
        if set(pages) == set(range(1, some.pages + 1)):
            ready.append(ReadySheet(person, some.variant, tuple(pages[k] for k in sorted(pages))))
        else:
            waiting.extend(pages.values())
    return ready, waiting, left
