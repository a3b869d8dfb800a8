"""How well the reader reads a corpus of `benchmarks.omr_corpus`: bubbles right among those it decided,
bubbles sent to review, sheets matched to the wrong participant or variant, and CPU per sheet. The suite
(tests/test_omr_read.py) and `make bench` (benchmarks/bench_omr.py) both count with this."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from assess.delivery.omr.marks import DOUBTFUL, FILLED, TWO_MARKS
from assess.delivery.omr.read import FoundPage, Located, PageReading, find_page, ink_image, read_page, shrink
from assess.delivery.omr.sheet import SheetCode, sheet_pages
from assess.forms import Form

IDENTITY = "nip"  # the worked example's blank sheets ask for the NIP (benchmarks.omr_corpus)


@dataclass
class Tally:
    sheets: int = 0
    located: int = 0
    wrong_sheet: int = 0  # matched to another participant, variant or page than its truth
    bubbles: int = 0
    decided: int = 0
    right: int = 0
    review: int = 0
    cpu_seconds: float = 0.0
    times: list = field(default_factory=list)  # (the capture's parameters, CPU seconds) per sheet
    misread: list = field(default_factory=list)  # (file, key, truth, darkness, inked)
    unlocated: list = field(default_factory=list)  # (file, why)

    @property
    def accuracy(self) -> float:
        return self.right / self.decided if self.decided else 0.0

    @property
    def review_share(self) -> float:
        return self.review / self.bubbles if self.bubbles else 0.0

    def summary(self) -> str:
        return (
            f"{self.sheets} sheets, {self.located} located, {self.wrong_sheet} matched wrongly; "
            f"{self.bubbles} bubbles: {self.accuracy:.4%} right of {self.decided} decided, "
            f"{self.review_share:.3%} to review; CPU {self.cpu_seconds / max(self.sheets, 1) * 1000:.0f} ms a sheet"
        )


def final_states(reading: PageReading) -> dict[tuple, str]:
    """Each bubble as the reading leaves it: FILLED, "empty", or DOUBTFUL (sent to the review). A doubtful
    bubble in a question read clearly was taken for an erasure beside a clear mark: empty."""
    doubtful_questions = {q.number: q.why for q in reading.questions if q.doubtful}
    if reading.identity_why:
        doubtful_questions[0] = reading.identity_why
    states = {}
    for key, r in reading.bubbles.items():
        why = doubtful_questions.get(key[0])
        if why is None:
            states[key] = FILLED if r.state == FILLED else "empty"
        elif r.state == DOUBTFUL or (r.state == FILLED and why == TWO_MARKS):
            states[key] = DOUBTFUL
        else:
            states[key] = r.state
    return states


def read_corpus(corpus: Path, limit: int | None = None) -> Tally:
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    form = Form.model_validate_json((corpus / "form-pre.json").read_text(encoding="utf-8"))
    layouts = {}
    tally = Tally()
    for sheet in truth["sheets"][:limit]:
        tally.sheets += 1
        started = time.process_time()
        image = cv2.imread(str(corpus / sheet["file"]), cv2.IMREAD_COLOR)
        grey, _ = shrink(ink_image(image))

        def page_of(located: Located, form=form, layouts=layouts):
            code = SheetCode.parse(located.code)
            if code is None or code.variant not in {v.label for v in form.variants}:
                return None
            key = (code.variant, located.paper, code.grid)
            if key not in layouts:
                layouts[key] = sheet_pages(form, form.variant(code.variant), located.paper, code.grid or None)
            return layouts[key][code.page - 1]

        found = find_page(grey, page_of)
        reading = read_page(found.surface, found.page) if isinstance(found, FoundPage) else None
        tally.cpu_seconds += time.process_time() - started
        tally.times.append((sheet["capture"], time.process_time() - started))
        if reading is None:
            tally.unlocated.append((sheet["file"], getattr(found, "why", "not-a-sheet")))
            continue
        code = SheetCode.parse(found.located.code)
        tally.located += 1
        who = code.person or reading.identity
        expected_who = sheet["person"] if code.person else _nip(truth, sheet)
        if code.text() != sheet["code"] or (who is not None and who != expected_who):
            tally.wrong_sheet += 1
        meant = {tuple(m) for m in sheet["filled"]}
        for bubble, state in final_states(reading).items():
            tally.bubbles += 1
            if state == DOUBTFUL:
                tally.review += 1
                continue
            tally.decided += 1
            if (state == FILLED) == (bubble in meant):
                tally.right += 1
            else:
                r = reading.bubbles[bubble]
                tally.misread.append(
                    (sheet["file"], bubble, bubble in meant, round(r.darkness, 3), round(r.inked, 3))
                )
    return tally


def _nip(truth: dict, sheet: dict) -> str:
    return "".join(
        v for n, _, v in sorted((m for m in sheet["filled"] if m[0] == 0), key=lambda m: int(m[1]))
    )


def describe(tally: Tally) -> str:
    lines = [tally.summary()]
    if tally.unlocated:
        lines.append(f"not located: {Counter(w for _, w in tally.unlocated)} {tally.unlocated[:5]}")
    if tally.misread:
        lines.append(f"misread: {tally.misread[:10]}")
    return "\n".join(lines)
