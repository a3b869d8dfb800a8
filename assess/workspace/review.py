"""The review of scanned sheets: what waits for the trainer written as a page and a CSV to fill in, and the
filled CSV taken back (`assess responses scan --apply-review`).

Each row of `koreksi.csv` is one thing to decide: the participant of a page whose grid could not be
read (question 0: write the participant id or NIP), a doubtful question (write the answer as on the
typed answer sheet: B, AC, 1C 2A, CAB, 12,5; "-" for nothing marked; an essay: the points of the
level the marker filled in), or a short answer to type. An empty `jawaban` leaves the row waiting.
Every answer is checked as the answer sheet import checks a cell, and a problem is named by the CSV's
line and column; with any problem nothing changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assess.bank.model import Essay
from assess.delivery.answer_sheet import BAD, cell_answer
from assess.delivery.imports import People, clean_nip
from assess.delivery.omr.plan import BLANK_MARK, IDENTITY, HeldPage
from assess.forms import Form
from assess.i18n import N_, _
from assess.problems import Found
from assess.responses import PAPER_UNTYPED
from assess.sheets.read import read_table
from assess.sheets.table import cell, header_key, rows_with_values, trimmed_headers
from assess.sheets.write import Sheet, private_file, write_csv
from assess.templating import render
from assess.workspace import Workspace

COLUMNS = ("lembar", "sumber", "peserta", "varian", "nomor", "jenis", "terbaca", "alasan", "jawaban")
WHY = {
    "two-marks": N_("two marks where one is allowed"),
    "unclear": N_("a light mark, an erasure or a stray mark"),
    "incomplete": N_("positions or digits missing or repeated"),
    "not-a-number": N_("the digits do not make a number"),
    "untyped": N_("written by hand: type it"),
    "unknown-person": N_("no participant has the number filled in"),
}


@dataclass(frozen=True)
class Task:
    """One row of the review: a page and a question number (0: who the page is for)."""

    page: HeldPage
    number: int
    kind: str
    why: str


def tasks(form: Form, held: list[HeldPage]) -> list[Task]:
    """What waits for the trainer, page by page in the order read, question by question."""
    out = []
    for page in held:
        variant = form.variant(page.variant)
        mine = [Task(page, number, "short_answer", "untyped") for number in page.untyped]
        for number, why in page.doubtful.items():
            kind = (
                "participant" if int(number) == IDENTITY else form.item(variant.items[int(number) - 1]).type
            )
            mine.append(Task(page, int(number), kind, why))
        out += sorted(mine, key=lambda t: t.number)
    return out


def write_review(ws: Workspace, phase_id: str, form: Form, held: list[HeldPage], folder: Path) -> None:
    """`koreksi.csv` and `periksa.html` in the review folder, from the pages still waiting for something."""
    todo = tasks(form, held)
    rows = [
        (
            t.page.key,
            t.page.source,
            t.page.person or "",
            t.page.variant,
            t.number,
            t.kind,
            t.page.seen.get(str(t.number), ""),
            _(WHY.get(t.why, t.why)),
            "",
        )  # fmt: skip
        for t in todo
    ]
    write_csv(private_file(folder / "koreksi.csv"), Sheet("koreksi", COLUMNS, rows))
    waiting_pages = [p for p in held if p.attempt is None and not p.doubtful and p.person is not None]
    html = render(
        "paper/review.html",
        phase=ws.loaded.event.phase_title(phase_id),
        event=ws.loaded.event.event.title,
        tasks=[
            {"task": t, "why": _(WHY.get(t.why, t.why)), "crop": t.page.crops.get(str(t.number))}
            for t in todo
        ],
        incomplete=waiting_pages,
    )
    private_file(folder / "periksa.html").write_text(html, encoding="utf-8")


def _level(item: Essay, text: str) -> str | None:
    """The rubric level a correction names: its id, or its points as printed on the sheet."""
    for level in item.rubric:
        if text == level.id or text.replace(",", ".") == f"{level.points:g}":
            return level.id
    return None


@dataclass(frozen=True)
class Correction:
    """One answer for the review: a page's key, a question number (0: who), the answer; where it was
    written (the CSV's line and column; None from the dashboard)."""

    key: str
    number: str
    answer: str
    line: int | None = None
    column: int | None = None
    key_column: int | None = None


def read_corrections(path: Path) -> list[Correction]:
    """The answered rows of a filled koreksi.csv (rows left empty keep waiting)."""
    table = read_table(path)
    headers = [header_key(h) for h in trimmed_headers(table)]
    missing = [c for c in ("lembar", "nomor", "jawaban") if c not in headers]
    if missing:
        found = Found(str(path))
        found.add("SCAN-REVIEW-COLUMNS", table.header_line, columns=", ".join(missing))
        found.raise_if_any()
    col = {name: headers.index(name) for name in ("lembar", "nomor", "jawaban")}
    return [
        Correction(
            cell(row, col["lembar"]).value.strip(),
            cell(row, col["nomor"]).value.strip(),
            cell(row, col["jawaban"]).value.strip(),
            row.line,
            col["jawaban"] + 1,
            col["lembar"] + 1,
        )
        for row in rows_with_values(table)
        if cell(row, col["jawaban"]).value.strip()
    ]


def apply_corrections(
    corrections: list[Correction], file: str, form: Form, held: list[HeldPage], people: People
) -> dict[int, dict[str, str | None]]:
    """Apply the answers to the held pages (in place); the short answers typed for imported attempts,
    attempt id -> item id -> text. Raises ProblemsFound, changing nothing, when any answer is wrong."""
    found = Found(file)
    by_key = {p.key: p for p in held}
    changes: list[tuple[HeldPage, int, object]] = []
    for c in corrections:
        at = {"line": c.line, "column": c.column, "field": "jawaban"}
        page = by_key.get(c.key)
        if page is None or not (c.number.isascii() and c.number.isdigit()) or len(c.number) > 4:
            found.add("SCAN-REVIEW-UNKNOWN", **{**at, "column": c.key_column, "field": "lembar"})
            continue
        number = int(c.number)
        value = _corrected(form, page, number, c.answer, people, at, found)
        if value is not BAD:
            changes.append((page, number, value))
    found.raise_if_any()
    typed: dict[int, dict[str, str | None]] = {}
    for page, number, value in changes:
        _apply(form, page, number, value, typed)
    return typed


def _corrected(form: Form, page: HeldPage, number: int, answer: str, people: People, at: dict, found: Found):
    """A correction checked: the participant id, the level id, or the answer's cell text; BAD when wrong."""
    if number == IDENTITY:
        if str(IDENTITY) not in page.doubtful or page.attempt is not None:  # only a page waiting for it
            found.add("SCAN-REVIEW-UNKNOWN", **at)
            return BAD
        match = people.find("id", answer) or people.find("nip", clean_nip(answer))
        if len(match) != 1:
            found.add("SCAN-REVIEW-PERSON", **at, value=answer)
            return BAD
        return match[0]
    variant = form.variant(page.variant)
    if not 1 <= number <= len(variant.items) or (
        str(number) not in page.doubtful and number not in page.untyped
    ):
        found.add("SCAN-REVIEW-UNKNOWN", **at)
        return BAD
    item = form.item(variant.items[number - 1])
    at = {**at, "item": item.id}
    if isinstance(item, Essay):
        level = None if answer == BLANK_MARK else _level(item, answer)
        if level is None and answer != BLANK_MARK:
            found.add(
                "SCAN-REVIEW-LEVEL",
                **at,
                value=answer,
                levels=", ".join(f"{r.points:g}" for r in item.rubric),
            )
            return BAD
        return ("level", level)
    text = "" if answer == BLANK_MARK else answer
    if cell_answer(item, variant, text, number, at, found) is BAD:
        return BAD
    return ("cell", text or None)


def _apply(form: Form, page: HeldPage, number: int, value, typed: dict[int, dict[str, str | None]]) -> None:
    if number == IDENTITY:
        page.person = value
        page.doubtful.pop(str(IDENTITY), None)
        return
    kind, text = value
    key = str(number)
    page.doubtful.pop(key, None)
    if kind == "level":
        if text is not None:
            level_index = [
                r.id for r in form.item(form.variant(page.variant).items[number - 1]).rubric
            ].index(text)
            page.marks[key] = level_index
        return
    if number in page.untyped:
        page.untyped.remove(number)
        if page.attempt is not None:
            item_id = form.variant(page.variant).items[number - 1]
            typed.setdefault(page.attempt, {})[item_id] = text
            return
    page.answers[key] = text


def type_answers(ws: Workspace, typed: dict[int, dict[str, str | None]], now: dt.datetime) -> int:
    """The short answers typed for imported attempts, into the store; how many changed."""
    return sum(
        ws.store.type_paper_answers(attempt, answers, now=now, untyped=PAPER_UNTYPED, actor="scan-review")
        for attempt, answers in typed.items()
    )
