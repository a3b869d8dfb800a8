"""The review of scanned answer sheets on the trainer's dashboard: what `assess responses scan` left for
a person, one question at a time with its cut-out, answered with a tap (a letter, B or S, an essay's
level) or a few typed characters, through the same path as the review's CSV."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from assess.bank.model import Essay, SingleChoice, TrueFalse, WeightedOptions
from assess.bank.show import letters
from assess.delivery.omr.plan import BLANK_MARK, IDENTITY
from assess.workspace import Workspace
from assess.workspace.review import WHY, Correction, tasks
from assess.workspace.scan import CROPS, apply_review, load_state, review_folder

_CROP_NAME = re.compile(r"[0-9a-f]{6,40}(-\d{1,5})?-\d{1,3}\.png")  # KEY[-PDF PAGE]-QUESTION.png


@dataclass(frozen=True)
class ScanTask:
    number: int  # in the queue, from 1
    key: str  # the page's
    source: str
    person: str | None
    variant: str
    question: int  # 0: whose sheet it is
    kind: str
    why: str  # a msgid of review.WHY
    seen: str
    crop: str | None
    taps: tuple[tuple[str, str], ...]  # (answer, label) of the one-tap answers; () when typed


def _taps(item) -> tuple[tuple[str, str], ...]:
    if isinstance(item, TrueFalse):
        return (("B", "B"), ("S", "S"), (BLANK_MARK, BLANK_MARK))
    if isinstance(item, SingleChoice | WeightedOptions):
        return (*((x, x) for x in letters(len(item.options))), (BLANK_MARK, BLANK_MARK))
    if isinstance(item, Essay):
        return (*((f"{r.points:g}", f"{r.points:g}") for r in item.rubric), (BLANK_MARK, BLANK_MARK))
    return ()


def scan_queue(ws: Workspace, phase_id: str) -> list[ScanTask]:
    """Everything the review waits for on the phase, in the order of koreksi.csv."""
    folder = review_folder(ws, phase_id)
    held = load_state(folder)
    if not held:
        return []
    form = ws.form(phase_id)
    out = []
    for k, t in enumerate(tasks(form, held), 1):
        item = None if t.number == IDENTITY else form.item(form.variant(t.page.variant).items[t.number - 1])
        page, number = t.page, str(t.number)
        taps = _taps(item) if item is not None and t.why != "untyped" else ()
        seen, crop = page.seen.get(number, ""), page.crops.get(number)
        why = WHY.get(t.why, t.why)
        out.append(
            ScanTask(
                k, page.key, page.source, page.person, page.variant, t.number, t.kind, why, seen, crop, taps
            )
        )
    return out


def answer_scan_task(
    ws: Workspace, phase_id: str, key: str, question: str, answer: str, now: dt.datetime
) -> None:
    """One answer from the dashboard, checked and applied as a row of koreksi.csv would be (ProblemsFound
    when wrong, nothing changed)."""
    apply_review(ws, phase_id, [Correction(key, question, answer.strip())], now, file="dashboard")


def crop_file(ws: Workspace, phase_id: str, name: str) -> Path | None:
    """A cut-out of the phase's review, by its file name (only names scan gives); None otherwise."""
    if not _CROP_NAME.fullmatch(name):
        return None
    path = review_folder(ws, phase_id) / CROPS / name
    return path if path.is_file() else None
