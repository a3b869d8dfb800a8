"""`assess responses scan`: photographed or scanned answer sheets read, matched, imported; the doubtful kept
for the trainer's review.

Pages are read one at a time (an image file, or one page of a PDF rasterised by pypdfium2), so a
200-page PDF needs the memory of one page. Each page is read by `assess.delivery.omr.read`, checked
and given its participant by `assess.delivery.omr.plan`, and kept in the review folder's state file
(`periksa-PHASE/lembar.json`) with cut-outs of what a person must look at. Sheets complete and clear
go in through the answer sheet import (`assess.delivery.answer_sheet.plan_answer_sheet`, one
transaction) and the phase is scored again; the rest waits: `koreksi.csv` lists each doubtful mark
and each short answer to type, `periksa.html` shows them, and `--apply-review` takes the CSV back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from assess import MAX_IMAGE_PIXELS
from assess.delivery.answer_sheet import plan_answer_sheet
from assess.delivery.imports import Leniency, People
from assess.delivery.omr.layout import Box, Page
from assess.delivery.omr.plan import (
    IDENTITY,
    HeldPage,
    Left,
    ReadySheet,
    check_code,
    held_page,
    identify,
    settle,
)
from assess.delivery.omr.read import Located, NotLocated, find_page, ink_image, read_page, shrink, straighten
from assess.delivery.omr.sheet import SheetCode, sheet_pages
from assess.forms import Form
from assess.problems import Problem, ProblemsFound
from assess.responses import PAPER_UNTYPED
from assess.sheets.table import Cell, Row, Table
from assess.sheets.write import private_file, private_folder, replace_atomically
from assess.store.store import SUPERSEDED, StoreError
from assess.workspace import Workspace
from assess.workspace.steps import PhaseScores, score_phase

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".heic", ".heif")
HEIF_SUFFIXES = (".heic", ".heif")  # an iPhone's photos: read by pillow-heif (OpenCV cannot)
PDF_DPI = 200
PDF_REOPEN = 20  # pages drawn before the PDF is opened afresh (its memory is then that of 20 pages)
STATE_FILE, CSV_FILE, HTML_FILE, CROPS = "lembar.json", "koreksi.csv", "periksa.html", "potongan"
LOCK_FILE = ".kunci"
CROP_PX_PER_MM = 8.0
MAX_IMAGE_BYTES = 60_000_000  # a photo larger than this is not a phone's


@dataclass
class ScanReport:
    phase: str
    pages: int = 0  # pages read (not counting those read before)
    imported: int = 0  # sheets imported now
    waiting: list[HeldPage] = field(default_factory=list)  # pages waiting for the review
    left: list[Left] = field(default_factory=list)  # pages left out, each with why
    already: int = 0  # pages read by an earlier run
    typed: int = 0  # short answers typed in from the review
    review_dir: Path | None = None
    scores: PhaseScores | None = None


# -- pages in ------------------------------------------------------------------------------------


def source_files(paths: Sequence[Path]) -> list[Path]:
    """The files to read: each path, or a folder's images and PDFs in name order."""
    out = []
    for path in paths:
        if path.is_dir():
            out += sorted(
                p for p in path.iterdir() if p.suffix.lower() in (*IMAGE_SUFFIXES, ".pdf") and p.is_file()
            )
        elif path.is_file():
            out.append(path)
        else:
            raise ProblemsFound([Problem("FILE-NOT-FOUND", {}, str(path))])
    return out


def pages_of(path: Path) -> Iterator[tuple[str, str, np.ndarray | None]]:
    """(source, key, image) for each page of a file: one for an image, one per page of a PDF; image None
    when the file (or page) cannot be read as a picture."""
    if path.suffix.lower() == ".pdf":
        yield from _pdf_pages(path)
        return
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_IMAGE_BYTES else b""
    except OSError:
        data = b""
    image = _heif(data) if path.suffix.lower() in HEIF_SUFFIXES else None
    if image is None and data:  # any other picture, whatever its name says
        try:
            image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        except cv2.error:  # larger than MAX_IMAGE_PIXELS, or damaged past what the decoder survives
            image = None
    yield str(path), hashlib.sha256(data).hexdigest()[:16], image


def _heif(data: bytes) -> np.ndarray | None:
    """A HEIC/HEIF photo as OpenCV's BGR, or None when it is not one (or larger than MAX_IMAGE_PIXELS)."""
    import pillow_heif

    try:
        heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
        width, height = heif.size
        if width * height > MAX_IMAGE_PIXELS:
            return None
        return cv2.cvtColor(np.asarray(heif), cv2.COLOR_RGBA2BGR if heif.has_alpha else cv2.COLOR_RGB2BGR)
    except (ValueError, RuntimeError, OSError, SyntaxError):
        return None


def _pdf_pages(path: Path) -> Iterator[tuple[str, str, np.ndarray | None]]:
    import pypdfium2 as pdfium

    try:
        with path.open("rb") as f:  # streamed: a 200-page PDF is not held in memory for its digest
            digest = hashlib.file_digest(f, "sha256").hexdigest()[:12]
        document = pdfium.PdfDocument(str(path))
    except (OSError, pdfium.PdfiumError):
        yield str(path), "unreadable", None
        return
    try:
        for k in range(len(document)):
            if k and k % PDF_REOPEN == 0:  # pdfium keeps what it parsed of every page it drew: let it go
                document.close()
                document = pdfium.PdfDocument(str(path))
            yield f"{path}#{k + 1}", f"{digest}-{k + 1}", _pdf_page(document, k)
    finally:
        document.close()


def _pdf_page(document, k: int) -> np.ndarray | None:
    """One page at PDF_DPI (less for a page so large that it would pass MAX_IMAGE_PIXELS); None when
    pdfium cannot draw it."""
    import pypdfium2 as pdfium

    try:
        page = document[k]
    except pdfium.PdfiumError:  # a page the document lists but cannot give
        return None
    try:
        width, height = page.get_size()
        scale = min(PDF_DPI / 72, (MAX_IMAGE_PIXELS / max(width * height, 1.0)) ** 0.5)
        bitmap = page.render(scale=scale, grayscale=True)
        image = bitmap.to_numpy().copy()
        bitmap.close()
        return image
    except pdfium.PdfiumError:
        return None
    finally:
        page.close()


# -- the review folder's state ------------------------------------------------------------------------


def review_folder(ws: Workspace, phase_id: str, folder: Path | None = None) -> Path:
    return folder if folder is not None else ws.folder / f"periksa-{phase_id}"


@contextlib.contextmanager
def locked(folder: Path):
    """The review folder to oneself: the CLI and the dashboard change its state one at a time (a lock
    file, held by the operating system, so a killed process leaves no stale lock)."""
    with open(private_file(folder / LOCK_FILE), "r+b") as f:
        if os.name == "nt":  # pragma: no cover - Windows laptops
            import msvcrt

            while True:
                try:
                    msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:  # LK_LOCK gives up after ten seconds: keep waiting
                    continue
        else:
            import fcntl

            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if os.name == "nt":  # pragma: no cover
                msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
            else:
                fcntl.flock(f, fcntl.LOCK_UN)


def load_state(folder: Path) -> list[HeldPage]:
    path = folder / STATE_FILE
    if not path.is_file():
        return []
    return [HeldPage.from_json(p) for p in json.loads(path.read_text(encoding="utf-8"))["pages"]]


def save_state(folder: Path, phase_id: str, pages: list[HeldPage]) -> None:
    """The state, replaced whole (a reader never sees half of it)."""
    text = json.dumps(
        {"phase": phase_id, "pages": [p.to_json() for p in pages]}, ensure_ascii=False, indent=1
    )
    replace_atomically(folder / STATE_FILE, lambda tmp: tmp.write_text(text, encoding="utf-8"))


# -- reading ------------------------------------------------------------------------------------------


@dataclass
class Reader:
    """What reading a phase's pages needs, computed once."""

    ws: Workspace
    phase_id: str
    form: Form
    people: People
    layouts: dict[tuple[str, str, str], list[Page]] = field(default_factory=dict)

    def layout(self, variant: str, paper: str, grid: str) -> list[Page]:
        """The pages of a variant's sheet on `paper` with the identity `grid` its QR code names."""
        key = (variant, paper, grid)
        if key not in self.layouts:
            self.layouts[key] = sheet_pages(self.form, self.form.variant(variant), paper, grid or None)
        return self.layouts[key]

    def page_of(self, located: Located) -> Page | None:
        """The layout page the QR code names, when it is a page of this phase's stored form."""
        code = SheetCode.parse(located.code)
        if self.problem(code, located.paper) is not None:
            return None
        return self.layout(code.variant, located.paper, code.grid)[code.page - 1]

    def problem(self, code: SheetCode | None, paper: str) -> tuple[str, dict] | None:
        grid = code.grid if code is not None else ""
        pages_of_variant = {v.label: len(self.layout(v.label, paper, grid)) for v in self.form.variants}
        return check_code(code, self.ws.event_id, self.phase_id, self.form, pages_of_variant)

    def read_safely(self, source: str, key: str, image: np.ndarray | None, crops: Path) -> HeldPage | Left:
        """`read`, with what an odd or damaged picture can make OpenCV raise named as no picture to read."""
        try:
            return self.read(source, key, image, crops)
        except (cv2.error, OverflowError, MemoryError):
            return Left(source, "SCAN-NOT-AN-IMAGE")

    def read(self, source: str, key: str, image: np.ndarray | None, crops: Path) -> HeldPage | Left:
        if image is None:
            return Left(source, "SCAN-NOT-AN-IMAGE")
        grey, scale = shrink(ink_image(image))
        found = find_page(grey, self.page_of)
        if isinstance(found, NotLocated):
            code = {"no-qr": "SCAN-NO-QR", "misaligned": "SCAN-MISALIGNED"}.get(found.why, "SCAN-NO-MARKERS")
            return Left(source, code, {"markers": found.markers})
        if isinstance(found, Located):
            return Left(source, *self.problem(SheetCode.parse(found.code), found.paper))
        code = SheetCode.parse(found.located.code)
        reading = read_page(found.surface, found.page)
        person = identify(code, reading.identity, self.people)
        held = held_page(key, source, code, reading, person)
        to_full = (
            np.diag([1 / scale, 1 / scale, 1.0]) @ found.located.homography
        )  # the shrunk image's, unshrunk
        held.crops = _cut_outs(image, replace(found.located, homography=to_full), found.page, held, crops)
        return held


def _cut_outs(image: np.ndarray, located: Located, page: Page, held: HeldPage, folder: Path) -> dict:
    """PNG cut-outs, straightened, of what the review shows: each doubtful question, each short answer's
    box, the identity grid when nobody was found; their file names by question number."""
    boxes: dict[str, Box] = {}
    for block in page.blocks:
        number = str(block.number)
        if number in held.doubtful or block.number in held.untyped:
            boxes[number] = block.box
    if str(IDENTITY) in held.doubtful and page.identity:
        xs, ys = [b.x for b in page.identity], [b.y for b in page.identity]
        boxes[str(IDENTITY)] = Box(min(xs) - 3, min(ys) - 9, max(xs) - min(xs) + 6, max(ys) - min(ys) + 12)
    if not boxes:
        return {}
    private_folder(folder)
    names = {}
    for number, box in boxes.items():
        margin = Box(box.x - 2, box.y - 2, box.w + 4, box.h + 4)
        cut = straighten(image, located, margin, CROP_PX_PER_MM)
        name = f"{held.key}-{number}.png"
        private_file(folder / name).write_bytes(cv2.imencode(".png", cut)[1].tobytes())
        names[number] = name
    return names


# -- importing ------------------------------------------------------------------------------------


def _import_ready(
    ws: Workspace, phase_id: str, form: Form, ready: list[ReadySheet], now: dt.datetime
) -> tuple[dict[str, int], list[Left]]:
    """Import the ready sheets through the answer sheet import; the attempt id per participant, and the
    sheets left out because their participant already has an attempt on the phase."""
    store, event_id = ws.store, ws.event_id
    taken = frozenset(a.person_id for a in store.attempts(event_id, phase_id) if a.status != SUPERSEDED)
    left = [
        Left(s.pages[0].source, "SCAN-ATTEMPT-EXISTS", {"person": s.person}, tuple(p.key for p in s.pages))
        for s in ready
        if s.person in taken
    ]
    ready = [s for s in ready if s.person not in taken]
    if not ready:
        return {}, left
    n = len(form.items)
    headers = ("Peserta", "Varian", *(str(k) for k in range(1, n + 1)))
    rows = tuple(
        Row(k + 2, tuple(Cell(v) for v in (s.person, s.variant, *s.cells(n, PAPER_UNTYPED))))
        for k, s in enumerate(ready)
    )
    plan = plan_answer_sheet(Table(headers, rows), form, store.participants(event_id), file="scan",
                             taken=taken, leniency=Leniency(new_only=True))  # fmt: skip
    for record, sheet in zip(plan.records, ready, strict=True):
        variant = form.variant(sheet.variant)
        marks = {}
        for number, level in sheet.marks().items():
            item = form.item(variant.items[number - 1])
            marks[item.id] = item.rubric[level].id
        record["marks"] = marks
    try:
        ids = store.import_attempts(event_id, phase_id, plan.records, channel="scan", now=now, actor="scan")
    except StoreError as e:  # a participant who started an attempt meanwhile
        raise ProblemsFound([Problem(e.code, e.params)]) from None
    return {r["person_id"]: i for r, i in zip(plan.records, ids, strict=True)}, left


def scan(
    ws: Workspace, phase_id: str, paths: Sequence[Path], now: dt.datetime, folder: Path | None = None
) -> ScanReport:
    """Read every page of `paths`, import the sheets complete and clear, keep the rest for the review."""
    form = ws.form(phase_id)
    files = source_files(paths)
    review = review_folder(ws, phase_id, folder)
    private_folder(review)
    known = {p.key for p in load_state(review)}
    reader = Reader(ws, phase_id, form, People(ws.store.participants(ws.event_id)))
    report = ScanReport(phase_id, review_dir=review)
    read: list[HeldPage] = []
    for path in files:
        for source, key, image in pages_of(path):
            if key in known:
                report.already += 1
                continue
            result = reader.read_safely(source, key, image, review / CROPS)
            report.pages += 1
            if isinstance(result, Left):
                report.left.append(result)
            else:
                read.append(result)
                known.add(key)
    with locked(review):  # the pages are read unlocked; the state changes under the lock
        held = load_state(review)
        keys = {p.key for p in held}
        held += [p for p in read if p.key not in keys]
        return _finish(ws, phase_id, form, held, review, report, now)


def _finish(
    ws, phase_id: str, form: Form, held: list[HeldPage], review: Path, report: ScanReport, now
) -> ScanReport:
    ready, waiting, duplicates = settle(held)
    dropped = {key for d in duplicates for key in d.keys}
    imported, exists = _import_ready(ws, phase_id, form, ready, now)
    for sheet in ready:
        for page in sheet.pages:
            page.attempt = imported.get(sheet.person)
    dropped |= {key for left in exists for key in left.keys}
    held[:] = [p for p in held if p.key not in dropped]
    save_state(review, phase_id, held)
    report.imported = len(imported)
    report.waiting = waiting
    report.left += duplicates + exists
    from assess.workspace.review import write_review

    write_review(ws, phase_id, form, held, review)
    report.scores = score_phase(ws, phase_id, now)
    return report


def apply_review(
    ws: Workspace,
    phase_id: str,
    corrections: Path | list,
    now: dt.datetime,
    folder: Path | None = None,
    *,
    file: str = "",
) -> ScanReport:
    """Take answers back from the review (the filled `koreksi.csv`, or `Correction`s from the dashboard):
    held pages corrected (then imported when complete and clear), short answers typed into the attempts
    imported before; the phase scored again."""
    from assess.workspace.review import apply_corrections, read_corrections, type_answers

    form = ws.form(phase_id)
    review = review_folder(ws, phase_id, folder)
    if isinstance(corrections, Path):
        entries, file = read_corrections(corrections), str(corrections)
    else:
        entries = corrections
    if not (review / STATE_FILE).is_file():
        raise ProblemsFound([Problem("SCAN-REVIEW-NOTHING", {"phase": phase_id}, str(review))])
    with locked(review):  # one change of the review at a time: the CLI and the dashboard's taps
        held = load_state(review)
        typed = apply_corrections(entries, file, form, held, People(ws.store.participants(ws.event_id)))
        report = ScanReport(phase_id, review_dir=review)
        report.typed = type_answers(ws, typed, now)
        return _finish(ws, phase_id, form, held, review, report, now)


def summary_lines(report: ScanReport) -> list[str]:
    """What `assess responses scan` prints."""
    from assess.i18n import _, ngettext
    from assess.i18n.numbers import numbers

    lines = []
    if report.pages or report.already:
        lines.append(
            ngettext("{n} page read", "{n} pages read", report.pages).format(n=report.pages)
            + (" " + _("({n} read before, skipped)").format(n=report.already) if report.already else "")
        )
    if report.typed:
        lines.append(
            ngettext("{n} short answer typed in", "{n} short answers typed in", report.typed).format(
                n=report.typed
            )
        )
    lines.append(
        ngettext(
            "phase {phase}: {n} sheet imported", "phase {phase}: {n} sheets imported", report.imported
        ).format(phase=report.phase, n=report.imported)
    )
    for left in report.left:
        lines.append("  " + str(Problem(left.code, left.params, left.source)))
    todo = _todo_count(report)
    if todo:
        lines.append(
            ngettext(
                "{n} thing waits for your review: {path}", "{n} things wait for your review: {path}", todo
            ).format(n=todo, path=report.review_dir / HTML_FILE)
        )
    s = report.scores
    if s is not None:
        mean = numbers(missing="-").dec(s.mean_percentage, 1)
        lines.append(
            _("phase {phase}: {n} attempts scored ({provisional} provisional), mean {mean}%").format(
                phase=s.phase, n=s.scored, provisional=s.provisional, mean=mean
            )
        )
    return lines


def _todo_count(report: ScanReport) -> int:
    if report.review_dir is None or not (report.review_dir / STATE_FILE).is_file():
        return 0
    return sum(len(p.doubtful) + len(p.untyped) for p in load_state(report.review_dir))
