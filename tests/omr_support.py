"""What the scanning tests share: the corpus's workspace, and sheets drawn straight from the layout (for
codes no printed sheet has: another event, a changed form). PDFs of page images: benchmarks.omr_corpus."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import segno

from assess.delivery.omr.layout import BUBBLE, Page
from assess.delivery.omr.sheet import QR_BORDER
from assess.forms import Form
from assess.store.store import Store

CORPUS = Path(__file__).parent / "fixtures" / "omr" / "corpus"
PX = 8.0  # pixels per millimetre of a drawn sheet


def corpus_truth() -> dict:
    return json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))


def corpus_form() -> Form:
    return Form.model_validate_json((CORPUS / "form-pre.json").read_text(encoding="utf-8"))


def corpus_workspace(tmp_path: Path, run, name: str = "ws") -> Path:
    """The worked example with the corpus's participants and phase pre's stored form (as printed)."""
    folder = tmp_path / name
    assert run("init", "--example", "payakumbuh-2019", str(folder)).exit_code == 0
    (folder / "peserta.csv").write_bytes((CORPUS / "peserta.csv").read_bytes())
    assert run("-w", str(folder), "participants", "import", str(folder / "peserta.csv")).exit_code == 0
    store = Store.open(f"sqlite:///{folder / 'assess.db'}")
    try:
        store.save_form(corpus_form())
    finally:
        store.close()
    return folder


def draw_sheet(page: Page, code: str, filled: set[tuple] = frozenset()) -> np.ndarray:
    """A clean picture of a page: markers, QR code, bubble rings, and (block number, row, value) filled."""
    h, w = int(page.height * PX), int(page.width * PX)
    image = np.full((h, w, 3), 255, np.uint8)
    for m in page.markers:
        cv2.rectangle(
            image,
            (int(m.x * PX), int(m.y * PX)),
            (int((m.x + m.w) * PX), int((m.y + m.h) * PX)),
            (0, 0, 0),
            -1,
        )
    qr = segno.make(code, error="m", micro=False)
    modules = len(qr.matrix)
    module = page.qr.w / (modules + 2 * QR_BORDER)
    for y, row in enumerate(qr.matrix):
        for x, dark in enumerate(row):
            if dark:
                x0 = page.qr.x + (x + QR_BORDER) * module
                y0 = page.qr.y + (y + QR_BORDER) * module
                cv2.rectangle(
                    image,
                    (int(x0 * PX), int(y0 * PX)),
                    (int((x0 + module) * PX) - 1, int((y0 + module) * PX) - 1),
                    (0, 0, 0),
                    -1,
                )
    bubbles = [(0, b) for b in page.identity] + [(blk.number, b) for blk in page.blocks for b in blk.bubbles]
    for number, b in [(None, page.references[0]), (None, page.references[1]), *bubbles]:
        centre, r = (int(b.x * PX), int(b.y * PX)), int(BUBBLE / 2 * PX)
        cv2.circle(image, centre, r, (0, 0, 0), 1, cv2.LINE_AA)
        if b is page.references[1] or (number is not None and (number, b.row, b.value) in filled):
            cv2.circle(
                image, centre, r - 1, (40, 40, 40) if number is not None else (0, 0, 0), -1, cv2.LINE_AA
            )
    return image
