"""Synthetic photographs and scans of filled answer sheets, for the reader's accuracy (issue 21).

The sheets are the real printed ones: the worked example's phase "pre" printed by `assess form print`
(blank sheets of each variant, and personal sheets), each page rendered by headless Chromium at 12
pixels per millimetre. On that image a participant's answers are drawn where the same layout
(`assess.delivery.omr`) puts the bubbles, with pen-like marks of varied darkness and shape, then the
page is photographed or scanned, both simulated:

    marks      full fills, partial fills, crosses and ticks (filled); light fills, as of a pencil in
               poor light (filled); erasures of a fill and stray strokes off the bubbles (empty)
    photo      1-3 megapixels; perspective up to 30 degrees of tilt; any of 0/90/180/270 degrees of
               turn plus up to 20 either way; a desk around the page; a light gradient and a shadow;
               blur; noise; JPEG quality 40-90
    scan       200-300 dpi, up to 1.5 degrees of skew, upright or upside down, slight blur and
               noise, grey JPEG quality 70-90

Every image comes with its truth: the sheet's code, the participant, each bubble meant filled, and the
answers as the typed answer sheet (`responses import --format sheet`) would hold them.

    python -m benchmarks.omr_corpus OUT --sheets 100 --seed 2021

writes OUT/NNN.jpg, OUT/truth.json, OUT/form-pre.json and OUT/peserta.csv. The committed corpus
(tests/fixtures/omr/corpus) was made once with --sheets 100 --seed 2021 and is never regenerated
for a change of the reader; `make bench` makes a fresh one of 1,000 with another seed.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assess.delivery.omr.layout import BUBBLE, Page  # noqa: E402
from assess.delivery.omr.sheet import SheetCode, sheet_pages  # noqa: E402
from assess.workspace import Workspace, choose  # noqa: E402

PX_PER_MM = 12.0
PHASE = "pre"
IDENTITY = "nip"  # every participant of the worked example has a NIP: `form print` asks for it
INKS = {"blue": (150, 60, 25), "black": (35, 35, 35), "pencil": (95, 95, 95)}


# -- the printed sheets --------------------------------------------------------------------


def _assess(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "assess", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"assess {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def workspace(folder: Path) -> Path:
    """The worked example with its participants and phase pre's form built and printed."""
    ws = folder / "ws"
    _assess("init", str(ws), "--example", "payakumbuh-2019", cwd=folder)
    _assess("participants", "import", "peserta.csv", cwd=ws)
    _assess("form", "build", "--phase", PHASE, cwd=ws)
    _assess("form", "print", "--phase", PHASE, "--out", "cetak", cwd=ws)
    _assess("form", "print", "--phase", PHASE, "--out", "pribadi", "--personal", cwd=ws)
    return ws


def render(html: Path) -> dict[str, np.ndarray]:
    """Each page of the printed file, by its QR code's text, as Chromium draws it at PX_PER_MM."""
    from playwright.sync_api import sync_playwright

    pages = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(
            device_scale_factor=PX_PER_MM * 25.4 / 96, viewport={"width": 900, "height": 900}
        )
        page.goto(html.as_uri())
        page.add_style_tag(content="svg.omr { border: 0 !important; width: 210mm !important; }")
        for svg in page.locator("svg.omr").all():
            png = svg.screenshot(type="png")
            pages[svg.get_attribute("data-code")] = cv2.imdecode(
                np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR
            )
        browser.close()
    return pages


# -- a participant's answers -------------------------------------------------------------


def blank_layout_identity(form, label: str) -> set[str]:
    """The digit places of the blank sheet's identity grid (18 for a NIP, 4 for a participant number)."""
    (first, *_) = sheet_pages(form, form.variant(label), "a4", IDENTITY)
    return {b.row for b in first.identity}


def answers_for(form, variant_label: str, rng: np.random.Generator) -> dict[int, object]:
    """Question number -> what the participant means (None: left blank)."""
    variant = form.variant(variant_label)
    out: dict[int, object] = {}
    for number, item_id in enumerate(variant.items, 1):
        item = form.item(item_id)
        kind = item.type
        if rng.random() < 0.04 and kind != "essay":
            out[number] = None
            continue
        letters = [chr(65 + k) for k in range(len(getattr(item, "options", [])))]
        if kind in ("single_choice", "weighted_options"):
            out[number] = str(rng.choice(letters))
        elif kind == "true_false":
            out[number] = str(rng.choice(["B", "S"]))
        elif kind == "multiple_response":
            k = int(rng.integers(1, min(3, len(letters)) + 1))
            out[number] = "".join(sorted(rng.choice(letters, k, replace=False)))
        elif kind == "matching":
            choices = [chr(65 + k) for k in range(len(item.choices))]
            out[number] = {str(p): str(rng.choice(choices)) for p in range(1, len(item.prompts) + 1)}
        elif kind == "ordering":
            out[number] = "".join(rng.permutation(letters))
        elif kind == "numeric":
            value = float(
                rng.choice([rng.integers(0, 2000), rng.integers(-99, 100), rng.integers(0, 999) / 10])
            )
            text = f"{value:g}".replace(".", ",")
            out[number] = text[:7]
        elif kind == "short_answer":
            out[number] = str(
                rng.choice(["lurah", "camat", "kelurahan", "pelayanan publik", "RT/RW", "musrenbang"])
            )
        elif kind == "essay":
            out[number] = int(rng.integers(0, len(item.rubric))) if rng.random() < 0.5 else None
    return out


def bubbles_meant(page: Page, answers: dict[int, object], number_digits: str | None) -> set[tuple]:
    """(block number, row, value) of every bubble the participant fills on this page (block 0: identity)."""
    filled: set[tuple] = set()
    if page.identity and number_digits:
        for place, digit in enumerate(number_digits, 1):
            filled.add((0, str(place), digit))
    for block in page.blocks:
        meant = answers.get(block.number)
        if meant is None:
            continue
        if block.kind in ("single_choice", "weighted_options", "true_false", "multiple_response"):
            filled |= {(block.number, "", v) for v in str(meant)}
        elif block.kind == "matching":
            filled |= {(block.number, p, c) for p, c in meant.items()}
        elif block.kind == "ordering":
            filled |= {(block.number, letter, str(k)) for k, letter in enumerate(meant, 1)}
        elif block.kind == "numeric":
            filled |= {(block.number, str(k), ch) for k, ch in enumerate(meant, 1)}
        elif block.kind == "essay":
            filled.add((block.number, "", str(meant)))
    return filled


# -- pen on paper ----------------------------------------------------------------------------


@dataclass
class Pen:
    colour: tuple[int, int, int]
    opacity: float  # 0..1
    width: float  # mm


def _ink(image: np.ndarray, mask: np.ndarray, x0: int, y0: int, pen: Pen) -> None:
    """Lay a mask (uint8, 255 = ink) on the image at (x0, y0) in the pen's colour and opacity."""
    h, w = mask.shape
    roi = image[y0 : y0 + h, x0 : x0 + w].astype(np.float32)
    alpha = (mask.astype(np.float32) / 255.0 * pen.opacity)[..., None]
    colour = np.array(pen.colour, np.float32)
    image[y0 : y0 + h, x0 : x0 + w] = (
        (roi * (1 - alpha) + colour * alpha * (roi / 255.0)).clip(0, 255).astype(np.uint8)
    )


def mark(image: np.ndarray, cx: float, cy: float, kind: str, pen: Pen, rng: np.random.Generator) -> None:
    """One mark on the bubble centred at (cx, cy) mm."""
    s = PX_PER_MM
    r = BUBBLE / 2 * s
    size = int(4 * r)
    mask = np.zeros((size, size), np.uint8)
    c = size / 2 + rng.normal(0, 0.08 * s, 2)  # the hand is not exact
    thick = max(1, int(pen.width * s))
    if kind in ("fill", "light", "erased"):
        axes = (int(r * rng.uniform(0.85, 1.08)), int(r * rng.uniform(0.85, 1.08)))
        cv2.ellipse(mask, (int(c[0]), int(c[1])), axes, rng.uniform(0, 180), 0, 360, 255, -1, cv2.LINE_AA)
        for _ in range(int(rng.integers(0, 4))):  # strokes that go past the ring
            a = rng.uniform(0, 2 * math.pi)
            p1 = c + r * 0.5 * np.array([math.cos(a), math.sin(a)])
            p2 = c + r * rng.uniform(1.0, 1.25) * np.array([math.cos(a + 0.4), math.sin(a + 0.4)])
            cv2.line(mask, tuple(p1.astype(int)), tuple(p2.astype(int)), 255, thick, cv2.LINE_AA)
    elif kind == "partial":
        axes = (int(r * rng.uniform(0.55, 0.8)), int(r * rng.uniform(0.5, 0.75)))
        off = rng.normal(0, 0.1 * r, 2)
        cv2.ellipse(
            mask,
            (int(c[0] + off[0]), int(c[1] + off[1])),
            axes,
            rng.uniform(0, 180),
            0,
            360,
            255,
            -1,
            cv2.LINE_AA,
        )
    elif kind == "cross":
        e = r * rng.uniform(0.75, 1.05)
        for sign in (1, -1):
            p1 = c + np.array([-e, -e * sign]) * 0.75
            p2 = c + np.array([e, e * sign]) * 0.75
            cv2.line(mask, tuple(p1.astype(int)), tuple(p2.astype(int)), 255, thick, cv2.LINE_AA)
    elif kind == "tick":
        pts = c + r * np.array([[-0.65, 0.0], [-0.15, 0.6], [0.75, -0.8]]) * rng.uniform(0.85, 1.1)
        cv2.polylines(mask, [pts.astype(np.int32)], False, 255, thick, cv2.LINE_AA)
    if kind == "erased":
        mask = cv2.GaussianBlur(mask, (0, 0), 0.35 * s)
    x0, y0 = int(cx * s - size / 2), int(cy * s - size / 2)
    _ink(image, mask, x0, y0, pen)


def stray(image: np.ndarray, page: Page, pen: Pen, rng: np.random.Generator) -> None:
    """A short stroke somewhere on the page that comes no nearer than 2 mm to any bubble's centre."""
    centres = np.array(
        [(b.x, b.y) for block in page.blocks for b in block.bubbles] + [(b.x, b.y) for b in page.identity]
    )
    s = PX_PER_MM
    for _ in range(50):
        x, y = (
            rng.uniform(page.area.x + 10, page.area.x + page.area.w - 10),
            rng.uniform(60, page.height - 30),
        )
        a, length = rng.uniform(0, math.pi), rng.uniform(2, 6)
        ts = np.linspace(0, 1, 12)[:, None]
        pts = np.array([x, y]) + ts * length * np.array([math.cos(a), math.sin(a)])
        if len(centres) and np.min(np.linalg.norm(pts[:, None, :] - centres[None], axis=2)) < 2.0 + pen.width:
            continue
        mask = np.zeros(image.shape[:2], np.uint8)
        cv2.line(
            mask,
            tuple((pts[0] * s).astype(int)),
            tuple((pts[-1] * s).astype(int)),
            255,
            max(1, int(pen.width * s)),
            cv2.LINE_AA,
        )
        ys, xs = np.nonzero(mask)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        _ink(image, mask[y0:y1, x0:x1], int(x0), int(y0), pen)
        return


def write(image: np.ndarray, text: str, x: float, y: float, height: float, pen: Pen, rng) -> None:
    """Handwriting-like text with its baseline at (x, y) mm."""
    s = PX_PER_MM
    scale = height * s / 22
    size, base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, scale, 2)
    mask = np.zeros((size[1] + base + 8, size[0] + 8), np.uint8)
    cv2.putText(
        mask,
        text,
        (4, size[1] + 4),
        cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
        scale,
        255,
        max(1, int(0.35 * s)),
        cv2.LINE_AA,
    )
    _ink(image, mask, int(x * s), int(y * s - size[1] - 4), pen)


def fill_page(
    base: np.ndarray, page: Page, meant: set[tuple], answers, number_digits, rng
) -> tuple[np.ndarray, dict]:
    """The page with the participant's marks; and how many marks of each kind it got."""
    image = base.copy()
    colour = str(rng.choice(["blue", "black", "pencil"], p=[0.55, 0.4, 0.05]))
    pen = Pen(INKS[colour], float(rng.uniform(0.75, 0.98)), float(rng.uniform(0.35, 0.7)))
    kinds: dict[str, int] = {}
    style = rng.choice(["fill", "cross", "tick", "partial"], p=[0.7, 0.12, 0.08, 0.1])  # a person's habit
    bubbles = [(0, b) for b in page.identity] + [
        (block.number, b) for block in page.blocks for b in block.bubbles
    ]
    for number, b in bubbles:
        if (number, b.row, b.value) in meant:
            kind = str(
                style if rng.random() < 0.85 else rng.choice(["fill", "partial", "cross", "tick", "light"])
            )
            this = pen if kind != "light" else Pen(INKS["pencil"], float(rng.uniform(0.35, 0.5)), pen.width)
            mark(image, b.x, b.y, kind, this, rng)
            kinds[kind] = kinds.get(kind, 0) + 1
        elif number and rng.random() < 0.006:  # a changed mind: an erased fill
            mark(image, b.x, b.y, "erased", Pen(pen.colour, float(rng.uniform(0.08, 0.2)), pen.width), rng)
            kinds["erased"] = kinds.get("erased", 0) + 1
    for _ in range(int(rng.integers(0, 4))):
        stray(image, page, pen, rng)
        kinds["stray"] = kinds.get("stray", 0) + 1
    if page.identity and number_digits:
        top = page.identity[0].y - 7.7 + 4.0
        for place, digit in enumerate(number_digits):
            column = [b for b in page.identity if b.row == str(place + 1)][0]
            write(image, digit, column.x - 1.5, top, 3.2, pen, rng)
    for block in page.blocks:
        meant_text = answers.get(block.number)
        if block.kind == "short_answer" and meant_text:
            write(image, str(meant_text), block.write.x + 2, block.write.y + 8, 5, pen, rng)
        if block.kind == "numeric" and meant_text:
            for k, ch in enumerate(meant_text):
                write(image, ch, block.box.x + 8 + 5.6 * k + 1.2, block.box.y + 4.2, 3.2, pen, rng)
    return image, kinds


# -- the camera and the scanner ------------------------------------------------------------------


def _desk(h: int, w: int, rng) -> np.ndarray:
    colour = np.array(rng.choice([[60, 90, 130], [120, 120, 120], [40, 60, 80], [170, 160, 150]]), np.float32)
    small = rng.normal(0, 18, (max(2, h // 40), max(2, w // 40), 1)).astype(np.float32)
    texture = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)[..., None]
    return (colour + texture).clip(0, 255).astype(np.uint8)


def photograph(image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    hp, wp = image.shape[:2]
    megapixels = rng.uniform(1.0, 3.0)
    portrait = rng.random() < 0.75
    long_side = math.sqrt(megapixels * 1e6 * 4 / 3)
    w, h = (int(long_side * 3 / 4), int(long_side)) if portrait else (int(long_side), int(long_side * 3 / 4))
    turn = float(rng.choice([0, 90, 180, 270], p=[0.7, 0.1, 0.1, 0.1]) + rng.uniform(-20, 20))
    tilt = rng.uniform(0, 30)
    tilt_dir = rng.uniform(0, 2 * math.pi)
    ax, ay = math.radians(tilt) * math.cos(tilt_dir), math.radians(tilt) * math.sin(tilt_dir)
    corners = np.array([[0, 0], [wp, 0], [wp, hp], [0, hp]], np.float64) - [wp / 2, hp / 2]
    rz = math.radians(turn)
    rot_z = np.array([[math.cos(rz), -math.sin(rz), 0], [math.sin(rz), math.cos(rz), 0], [0, 0, 1]])
    rot_x = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    rot_y = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    pts3 = np.c_[corners, np.zeros(4)] @ (rot_y @ rot_x @ rot_z).T
    distance = 1.6 * max(wp, hp)
    projected = pts3[:, :2] * distance / (distance + pts3[:, 2:3])
    span = projected.max(axis=0) - projected.min(axis=0)
    fill = rng.uniform(0.75, 0.95)
    scale = fill * min(w / span[0], h / span[1])
    projected = (projected - projected.min(axis=0)) * scale
    room = np.array([w, h]) - (projected.max(axis=0))
    projected += room * rng.uniform(0.2, 0.8, 2)
    src = np.array([[0, 0], [wp, 0], [wp, hp], [0, hp]], np.float32)
    homography = cv2.getPerspectiveTransform(src, projected.astype(np.float32))
    out = _desk(h, w, rng)
    cv2.warpPerspective(
        image, homography, (w, h), out, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_TRANSPARENT
    )
    out = out.astype(np.float32)
    # Light: a gradient across the frame and a soft shadow.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, 2 * math.pi)
    ramp = (xx * math.cos(a) + yy * math.sin(a)) / max(w, h)
    ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
    low = rng.uniform(0.55, 0.9)
    light = low + (1 - low) * ramp
    shadow = np.zeros((h, w), np.float32)
    if rng.random() < 0.6:
        quad = (rng.uniform(0, 1, (4, 2)) * [w, h]).astype(np.int32)
        cv2.fillConvexPoly(shadow, cv2.convexHull(quad), 1.0)
        shadow = cv2.GaussianBlur(shadow, (0, 0), max(w, h) * 0.03) * rng.uniform(0.15, 0.4)
    out *= (light * (1 - shadow))[..., None] * rng.uniform(0.92, 1.05, 3)[None, None, :]
    sigma = rng.uniform(0, 1.2)
    if sigma > 0.3:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    noise = rng.uniform(2, 7)
    out += rng.normal(0, noise, out.shape).astype(np.float32)
    out = out.clip(0, 255).astype(np.uint8)
    quality = int(rng.integers(40, 91))
    return out, {"kind": "photo", "megapixels": round(w * h / 1e6, 2), "turn": round(turn, 1),
                 "tilt": round(tilt, 1), "light_low": round(low, 2), "shadow": bool(shadow.any()),
                 "blur": round(sigma, 2), "noise": round(noise, 1), "jpeg": quality}  # fmt: skip


def scan(image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    dpi = int(rng.integers(200, 301))
    scale = dpi / 25.4 / PX_PER_MM
    hp, wp = image.shape[:2]
    w, h = int(wp * scale) + 40, int(hp * scale) + 40
    skew = rng.uniform(-1.5, 1.5)
    turn = float(rng.choice([0, 180], p=[0.8, 0.2]))
    centre = (wp * scale / 2 + 20, hp * scale / 2 + 20)
    m = cv2.getRotationMatrix2D(centre, turn + skew, 1.0) @ np.array(
        [[scale, 0, 20], [0, scale, 20], [0, 0, 1]]
    )
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    out = cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_AREA, borderValue=245).astype(np.float32)
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, 0.6))
    out += rng.normal(0, rng.uniform(1, 3), out.shape).astype(np.float32)
    quality = int(rng.integers(70, 91))
    return out.clip(0, 255).astype(np.uint8), {
        "kind": "scan",
        "dpi": dpi,
        "skew": round(skew, 2),
        "turn": turn,
        "jpeg": quality,
    }


# -- the corpus ----------------------------------------------------------------------------------


def make_corpus(out: Path, sheets: int, seed: int) -> dict:
    """`sheets` page images in `out`, with truth.json; returns the truth."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ws = workspace(Path(tmp))
        folder, url = choose(str(ws), None)
        form = Workspace(folder, url).form(PHASE)
        people = json.loads(_assess("participants", "list", "--json", cwd=ws))
        blank = {
            **render(ws / "cetak" / f"lembar-{PHASE}-A.html"),
            **render(ws / "cetak" / f"lembar-{PHASE}-B.html"),
        }
        personal = render(ws / "pribadi" / f"lembar-{PHASE}-peserta.html")
        shutil.copy(ws / "peserta.csv", out / "peserta.csv")
    (out / f"form-{PHASE}.json").write_text(form.model_dump_json(), encoding="utf-8")
    codes = {code: SheetCode.parse(code) for code in [*blank, *personal]}
    truth = {"seed": seed, "sheets": []}
    done = 0
    for k in range(10 * sheets):
        if done >= sheets:
            break
        person = people[k % len(people)]
        mine = rng.random() < 0.25  # a sheet printed for this participant
        if mine:
            pages = sorted(
                (c for c, sc in codes.items() if sc.person == person["ID"]), key=lambda c: codes[c].page
            )
            label = codes[pages[0]].variant
        else:
            label = "AB"[k % 2]
            pages = sorted(
                (c for c, sc in codes.items() if not sc.person and sc.variant == label),
                key=lambda c: codes[c].page,
            )
        layout = sheet_pages(form, form.variant(label), "a4", None if mine else IDENTITY)
        answers = answers_for(form, label, rng)
        number = person["NIP"] if len(blank_layout_identity(form, label)) == 18 else person["ID"][1:]
        for code in pages:
            if done >= sheets:
                break
            page = layout[codes[code].page - 1]
            meant = bubbles_meant(page, answers, None if mine else number)
            base = (personal if mine else blank)[code]
            filled, kinds = fill_page(base, page, meant, answers, None if mine else number, rng)
            if rng.random() < 0.85:
                image, how = photograph(filled, rng)
                data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, how["jpeg"]])[1]
            else:
                image, how = scan(filled, rng)
                data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, how["jpeg"]])[1]
            name = f"{done + 1:04d}.jpg"
            (out / name).write_bytes(data.tobytes())
            truth["sheets"].append({
                "file": name, "code": code, "person": person["ID"], "variant": label, "page": codes[code].page,
                "filled": sorted([list(m) for m in meant]), "marks": kinds, "capture": how,
                "answers": {str(n): a for n, a in answers.items() if n in {b.number for b in page.blocks}},
            })  # fmt: skip
            done += 1
    (out / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False), encoding="utf-8")
    return truth


def pdf_of(images: list[np.ndarray | None], path: Path) -> Path:
    """A PDF with one A4 page per image (JPEG); None: an empty page."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for image in images:
        page = pdf.new_page(595, 842)
        if image is not None:
            data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
            picture = pdfium.PdfImage.new(pdf)
            picture.load_jpeg(io.BytesIO(data), inline=True)
            picture.set_matrix(pdfium.PdfMatrix().scale(595, 842))
            page.insert_obj(picture)
            page.gen_content()
    pdf.save(str(path))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--sheets", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    truth = make_corpus(args.out, args.sheets, args.seed)
    print(f"{len(truth['sheets'])} sheets in {args.out}")


if __name__ == "__main__":
    main()
