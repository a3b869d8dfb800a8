"""Reading a photographed or scanned answer sheet: where the page is, what its QR code says, how dark
each bubble is (pure: images in, readings out; no files).

1. `candidates`: the corner markers (solid dark squares in white paper, the size a marker has where
   the rest put it) give the page's corners in the image, the QR code the turn (it is at the top
   right of an upright page): the QR region is cut out, straightened, for each of the four turns and
   decoded. Three markers are enough when the QR code decodes (a torn corner): the fourth is where a
   parallelogram puts it, then corrected with the QR code's own corners. Each maps the page's
   millimetres to the image's pixels.
2. `find_page`: the first candidate whose QR code names a page of ours and whose printed rings are
   where that page's layout puts them (`alignment`), for a wrong corner can still frame the QR code.
3. `measure`: each bubble's inside is sampled through that map, against the paper's own brightness
   around it (so a shadow or a gradient does not read as ink): its mean darkness and the share of it
   that is as dark as ink, both relative to the page's filled reference bubble.
4. `read_page`: `assess.delivery.omr.marks` turns those into filled, empty or doubtful bubbles, then
   into each question's answer as the typed answer sheet writes it, and the identity grid's digits.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import segno

from assess.delivery.omr.layout import BUBBLE, INSET, MARKER, PAPERS, QR_BORDER, Bubble, Page, qr_box
from assess.delivery.omr.marks import QuestionReading, Reading, classify, read_identity, read_question

MAX_SQUARES = 16  # the largest solid squares considered as corner markers
SHARPNESS = (0.02, 0.03)  # how closely a marker's outline must be four corners: first look, second look
MAX_SIDE = 2000  # pixels: larger images are read at this size (a 2 MP photo is read as it is)
QR_MARGIN = 3.0  # mm of white around the QR code in its straightened cut-out
QR_PX_PER_MM = 8.0
SAMPLE_RADIUS = 0.34 * BUBBLE  # mm: inside the printed ring, with room for a misplaced print
SAMPLES = 9  # per side of the grid of sample points laid over each bubble's inside
MIN_ALIGNMENT = 0.07  # rings at least this much darker than the paper beside them (see alignment)
ALIGNMENT_PERCENTILE = 10
MAX_TRIES = 6  # candidates whose QR code decodes but whose rings are not where they should be
RING_GAP = 2.75  # mm from a bubble's centre: paper between its ring (2.1) and the next one's (3.5)


@dataclass(frozen=True)
class Located:
    """Where a page is in an image: `homography` maps page millimetres to image pixels."""

    homography: np.ndarray
    code: str  # the QR code's text
    markers: int  # how many corner markers were found (3 or 4)
    paper: str


@dataclass(frozen=True)
class NotLocated:
    why: str  # "no-markers", "no-qr"
    markers: int = 0


def ink_image(image: np.ndarray) -> np.ndarray:
    """Grey where ink is dark in any colour: the darkest channel (a blue pen is as dark as a black one)."""
    if image.ndim == 2:
        return image
    blue, green, red = cv2.split(image)[:3]
    return cv2.min(cv2.min(blue, green), red)  # numpy's min over the last axis is ten times slower


def shrink(image: np.ndarray) -> tuple[np.ndarray, float]:
    """The image at most MAX_SIDE pixels on its longer side, and the scale applied (never below a pixel)."""
    h, w = image.shape[:2]
    if max(h, w) <= MAX_SIDE:
        return image, 1.0
    scale = MAX_SIDE / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), scale


# -- the corner markers -------------------------------------------------------------------


@dataclass(frozen=True)
class Square:
    centre: tuple[float, float]
    area: float


def _squares(grey: np.ndarray, sharpness: float = 0.02) -> list[Square]:
    """Solid dark squares of a plausible size: the candidates for corner markers. `sharpness`: the share
    of its outline within which a square's outline must stay four or five corners (a filled circle
    needs more; a blurred marker, at 0.02, sometimes does too)."""
    h, w = grey.shape
    short = min(h, w)
    block = max(31, (short // 12) | 1)
    binary = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
    contours, _ = cv2.findContours(binary, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    low, high = (short / 120) ** 2, (short / 6) ** 2
    out = []
    for contour in contours:
        area = cv2.contourArea(contour)
        if not low <= area <= high:
            continue
        (_, _), (rw, rh), _ = cv2.minAreaRect(contour)
        if min(rw, rh) < 0.4 * max(rw, rh) or area < 0.7 * rw * rh:
            continue
        if len(cv2.approxPolyDP(contour, sharpness * cv2.arcLength(contour, True), True)) not in (4, 5):
            continue
        x, y, bw, bh = cv2.boundingRect(contour)
        mask = np.zeros((bh, bw), np.uint8)
        cv2.drawContours(mask, [contour - [x, y]], -1, 255, -1)
        if cv2.mean(binary[y : y + bh, x : x + bw], mask)[0] < 0.9 * 255:
            continue  # not solid: a QR finder pattern, a framed box
        m = cv2.moments(contour)
        out.append(Square((m["m10"] / m["m00"], m["m01"] / m["m00"]), area))
    return out


def _quad_area(points: np.ndarray) -> float:
    return float(cv2.contourArea(points.astype(np.float32)))


def _clockwise(points: np.ndarray, areas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points (and their areas) in clockwise order (in image coordinates, y down), starting anywhere."""
    centre = points.mean(axis=0)
    order = np.argsort(np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0]))
    return points[order], areas[order]


def _corner_sets(squares: list[Square]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Plausible sets of the page's four corners (clockwise) and the areas of their squares (NaN for a
    corner guessed), best first: four alike squares spanning the largest convex quadrilateral, else three
    alike squares at the corners of a right-angled triangle, completed to a parallelogram."""
    squares = sorted(squares, key=lambda s: -s.area)[:MAX_SQUARES]
    fours: list[tuple[float, np.ndarray, np.ndarray]] = []
    for four in itertools.combinations(squares, 4):
        areas = np.array([s.area for s in four])
        if areas.max() > 8 * areas.min():  # perspective: the near corner looks larger
            continue
        pts, areas = _clockwise(np.array([s.centre for s in four]), areas)
        if len(cv2.convexHull(pts.astype(np.float32))) != 4:
            continue
        fours.append((_quad_area(pts), pts, areas))
    threes: list[tuple[float, np.ndarray, np.ndarray]] = []
    for three in itertools.combinations(squares, 3):
        areas = np.array([s.area for s in three])
        if areas.max() > 8 * areas.min():
            continue
        pts = np.array([s.centre for s in three])
        for k in range(3):  # k: the right angle's corner
            a, b, c = pts[k], pts[(k + 1) % 3], pts[(k + 2) % 3]
            u, v = b - a, c - a
            cos = abs(float(np.dot(u, v))) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9)
            if cos < 0.35:  # within about 20 degrees of square, perspective included
                quad, quad_areas = _clockwise(
                    np.array([a, b, b + c - a, c]),
                    np.array([areas[k], areas[(k + 1) % 3], np.nan, areas[(k + 2) % 3]]),
                )
                threes.append((_quad_area(quad), quad, quad_areas))
    fours.sort(key=lambda t: -t[0])
    threes.sort(key=lambda t: -t[0])
    return [(pts, areas) for _, pts, areas in fours + threes[:12]]


def _ring(x: float, y: float, half: float) -> np.ndarray:
    """Points on the square of half-side `half` mm around (x, y)."""
    t = np.linspace(-half, half, 9)
    side = np.full_like(t, half)
    return np.concatenate([np.c_[t, -side], np.c_[t, side], np.c_[-side, t], np.c_[side, t]]) + [x, y]


def _markers_fit(grey: np.ndarray, to_image: np.ndarray, paper: str, areas: np.ndarray) -> bool:
    """Whether each square found is a marker where the homography puts it: the size a marker has there,
    dark inside, and in white paper all around (a dark blob on the desk beside the page is not)."""
    for (x, y), area in zip(_marker_centres(paper), areas, strict=True):
        if np.isnan(area):
            continue
        corners = _ring(x, y, MARKER / 2)[[0, 8, 17, 9]]  # the marker's four corners, clockwise
        expected = _quad_area(cv2.perspectiveTransform(corners.reshape(-1, 1, 2), to_image).reshape(-1, 2))
        if not 0.5 * expected <= area <= 1.8 * expected:
            return False
        around = _sample(
            grey,
            cv2.perspectiveTransform(_ring(x, y, MARKER / 2 + 1.8).reshape(-1, 1, 2), to_image).reshape(
                -1, 2
            ),
        )
        inside = _sample(
            grey, cv2.perspectiveTransform(np.array([[[x, y]]], np.float64), to_image).reshape(-1, 2)
        )
        paper_light = float(np.percentile(around, 90))
        if float(np.percentile(around, 10)) < 0.75 * paper_light or float(inside[0]) > 0.6 * paper_light:
            return False
    return True


# -- the QR code and the turn ----------------------------------------------------------------------


def _marker_centres(paper: str) -> np.ndarray:
    """Page millimetres of the four marker centres, clockwise from the top left."""
    w, h = PAPERS[paper]
    near, far_x, far_y = INSET + MARKER / 2, w - INSET - MARKER / 2, h - INSET - MARKER / 2
    return np.array([[near, near], [far_x, near], [far_x, far_y], [near, far_y]], np.float64)


@functools.cache
def _detector() -> cv2.QRCodeDetector:
    return cv2.QRCodeDetector()


def _decode(patch: np.ndarray) -> tuple[str, np.ndarray | None]:
    try:
        text, points, _ = _detector().detectAndDecode(patch)
    except cv2.error:
        return "", None
    return text or "", points


def _qr_cut(grey: np.ndarray, to_image: np.ndarray, qr_box) -> np.ndarray:
    """The QR region, straightened: page millimetres (with a margin) at QR_PX_PER_MM."""
    x0, y0 = qr_box.x - QR_MARGIN, qr_box.y - QR_MARGIN
    side = qr_box.w + 2 * QR_MARGIN
    n = int(side * QR_PX_PER_MM)
    cut_to_page = np.array([[1 / QR_PX_PER_MM, 0, x0], [0, 1 / QR_PX_PER_MM, y0], [0, 0, 1]])
    return cv2.warpPerspective(
        grey, to_image @ cut_to_page, (n, n), flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP, borderValue=255
    )


def candidates(grey: np.ndarray, papers: tuple[str, ...] = ("a4", "f4")) -> Iterator[Located]:
    """Where the page may be in `grey` (ink_image of the photo), best first: corners whose squares are
    markers where the homography puts them, and a QR code where it puts the QR code. The code's text is
    the same whatever the paper: once one paper's cut-out of it decodes, each paper the corners fit is a
    candidate (the rings tell which is right, `find_page`), for a blurred code may decode in one cut and
    not in the other."""
    for corners, areas in _corner_sets_of(grey):
        for turn in range(4):
            image_points, turned = np.roll(corners, -turn, axis=0), np.roll(areas, -turn)
            fitting, text, decoded = [], "", None
            for paper in papers:
                page_points = _marker_centres(paper)
                to_image, _ = cv2.findHomography(page_points, image_points)
                if to_image is None or not _markers_fit(grey, to_image, paper, turned):
                    continue
                fitting.append((paper, to_image))
                if not text:
                    text, points = _decode(_qr_cut(grey, to_image, qr_box(paper)))
                    decoded = (paper, points) if text else None
            if not text:
                continue
            fitting.sort(key=lambda pair: pair[0] != decoded[0])  # the paper whose cut decoded first
            known = ~np.isnan(turned)
            for paper, to_image in fitting:
                if not known.all() and paper == decoded[0]:
                    page_points = _marker_centres(paper)
                    to_image = _with_qr_corners(
                        to_image, page_points[known], image_points[known], decoded[1], qr_box(paper), text
                    )
                yield Located(to_image, text, int(known.sum()), paper)


def _corner_sets_of(grey: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The corner sets of the sharp squares, then the new ones a blurrier look finds (a blurred marker's
    corners round off); most photos never need the second look."""
    seen = set()
    for sharpness in SHARPNESS:
        for corners, areas in _corner_sets(_squares(grey, sharpness)):
            key = tuple(np.round(corners).astype(int).ravel())
            if key not in seen:
                seen.add(key)
                yield corners, areas


def _not_located(grey: np.ndarray) -> NotLocated:
    sets = list(_corner_sets_of(grey))
    markers = max((int(np.sum(~np.isnan(areas))) for _, areas in sets), default=0)
    return NotLocated("no-qr" if markers >= 3 else "no-markers", markers)


def locate(grey: np.ndarray, papers: tuple[str, ...] = ("a4", "f4")) -> Located | NotLocated:
    """The first of `candidates`, or why there is none."""
    return next(candidates(grey, papers), None) or _not_located(grey)


@dataclass(frozen=True)
class FoundPage:
    surface: Surface
    page: Page

    @property
    def located(self) -> Located:
        return self.surface.located


def find_page(
    grey: np.ndarray, page_of: Callable[[Located], Page | None]
) -> FoundPage | Located | NotLocated:
    """The page in `grey` and its layout: the first candidate whose QR code names a page (`page_of`) and
    whose printed rings are where that layout puts them (a wrong corner can still frame the QR code).
    A Located when the first QR code read names no page of ours (the caller says why); NotLocated
    "misaligned" when no candidate lines up."""
    tried = 0
    for located in candidates(grey):
        page = page_of(located)
        if page is None:
            return located
        surface = Surface(grey, located)
        if alignment(surface, page) >= MIN_ALIGNMENT:
            return FoundPage(surface, page)
        tried += 1
        if tried >= MAX_TRIES:
            break
    return NotLocated("misaligned", 4) if tried else _not_located(grey)


def _with_qr_corners(to_image, page_points, image_points, qr_points, box, text: str) -> np.ndarray:
    """A homography from three true markers and the QR code's corners (the fourth marker was a guess)."""
    if qr_points is None:
        return to_image
    modules = len(segno.make(text, error="m", micro=False).matrix)
    inset = box.w * QR_BORDER / (modules + 2 * QR_BORDER)  # the symbol's corners, inside its quiet border
    x0, y0, x1, y1 = box.x + inset, box.y + inset, box.x + box.w - inset, box.y + box.h - inset
    symbol = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    # The decoder's corners (top left of the symbol first, clockwise), found in the straightened cut.
    found = qr_points.reshape(-1, 2) / QR_PX_PER_MM + [box.x - QR_MARGIN, box.y - QR_MARGIN]
    found_image = cv2.perspectiveTransform(found.reshape(-1, 1, 2), to_image).reshape(-1, 2)
    refined, _ = cv2.findHomography(np.vstack([page_points, symbol]), np.vstack([image_points, found_image]))
    return refined if refined is not None else to_image


# -- bubbles -----------------------------------------------------------------------------------------


def _disc_offsets() -> np.ndarray:
    steps = np.linspace(-SAMPLE_RADIUS, SAMPLE_RADIUS, SAMPLES)
    xx, yy = np.meshgrid(steps, steps)
    inside = xx**2 + yy**2 <= SAMPLE_RADIUS**2
    return np.stack([xx[inside], yy[inside]], axis=1)


_OFFSETS = _disc_offsets()


def _paper_light(grey: np.ndarray, px_per_mm: float) -> tuple[np.ndarray, float]:
    """The paper's own brightness everywhere (ink removed by a maximum over about 8 mm), at a quarter of
    the size; and that scale."""
    scale = 0.25
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    k = max(3, int(8 * px_per_mm * scale) | 1)
    light = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    light = cv2.GaussianBlur(light.astype(np.float32), (0, 0), k / 2)
    return light, scale


def _sample(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Bilinear samples of `image` at (n, 2) pixel points."""
    mx = np.ascontiguousarray(points[:, 0].reshape(1, -1), dtype=np.float32)
    my = np.ascontiguousarray(points[:, 1].reshape(1, -1), dtype=np.float32)
    out = cv2.remap(image, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(-1).astype(np.float32)


class Surface:
    """A located page's darkness anywhere, against the paper's own brightness around it (so a shadow or a
    gradient is not ink): 0 is paper, 1 is black."""

    def __init__(self, grey: np.ndarray, located: Located):
        self.grey, self.located = grey, located
        self.light, self.scale = _paper_light(grey, _scale_at(located.homography, 100.0, 150.0))

    def darkness(self, page_points: np.ndarray) -> np.ndarray:
        """At (n, 2) page millimetres."""
        image_points = cv2.perspectiveTransform(page_points.reshape(-1, 1, 2), self.located.homography)
        image_points = image_points.reshape(-1, 2)
        ink = _sample(self.grey, image_points)
        paper = np.maximum(_sample(self.light, image_points * self.scale), 1.0)
        return np.clip(1.0 - ink / paper, 0.0, 1.0)


def _around(bubbles: Sequence[Bubble], offsets: np.ndarray) -> np.ndarray:
    """Page points at `offsets` (mm) from each bubble's centre, bubble by bubble."""
    centres = np.array([(b.x, b.y) for b in bubbles], np.float64)
    return (centres[:, None, :] + offsets[None]).reshape(-1, 2)


_ANGLES = np.linspace(0, 2 * np.pi, 16, endpoint=False)
_RING = np.stack([np.cos(_ANGLES), np.sin(_ANGLES)], axis=1) * (BUBBLE / 2)
_GAP = _RING * (RING_GAP / (BUBBLE / 2))


def alignment(surface: Surface, page: Page) -> float:
    """How much darker the printed rings of the page's bubbles are than the paper just outside them,
    where the homography puts them, for the bubbles that show it least (a low percentile, not the
    median: a page misplaced by exactly one bubble's pitch puts most rings on their neighbours' rings,
    but the last of each row on bare paper)."""
    bubbles = [*page.identity, *(b for block in page.blocks for b in block.bubbles)]
    if not bubbles:
        return 1.0
    ring = surface.darkness(_around(bubbles, _RING)).reshape(len(bubbles), -1).mean(axis=1)
    gap = surface.darkness(_around(bubbles, _GAP)).reshape(len(bubbles), -1).mean(axis=1)
    return float(np.percentile(ring - gap, ALIGNMENT_PERCENTILE))


@dataclass(frozen=True)
class Measured:
    """How dark a bubble's inside is, relative to the page's printed filled reference (1 = as dark)."""

    darkness: float  # the mean over the inside
    inked: float  # the share of the inside at least half as dark as the reference


def measure(surface: Surface, bubbles: list[Bubble], references: tuple[Bubble, Bubble]) -> list[Measured]:
    """Every bubble's darkness against the paper around it and the page's own references."""
    everything = [*references, *bubbles]
    dark = surface.darkness(_around(everything, _OFFSETS)).reshape(len(everything), -1)
    empty_ref, filled_ref = dark[0], dark[1]
    full = max(float(np.median(filled_ref)), 0.2)
    base = float(np.median(empty_ref))
    relative = np.clip((dark - base) / max(full - base, 0.05), 0.0, 1.5)
    means = relative.mean(axis=1)
    inked = (relative >= 0.5).mean(axis=1)
    return [Measured(float(m), float(i)) for m, i in zip(means[2:], inked[2:], strict=True)]


def _scale_at(to_image: np.ndarray, x: float, y: float) -> float:
    """Pixels per millimetre around page point (x, y)."""
    pts = np.array([[[x, y]], [[x + 10, y]], [[x, y + 10]]], np.float64)
    a, b, c = cv2.perspectiveTransform(pts, to_image).reshape(-1, 2)
    return float((np.linalg.norm(b - a) + np.linalg.norm(c - a)) / 20)


def straighten(image: np.ndarray, located: Located, box, px_per_mm: float = 8.0) -> np.ndarray:
    """A region of the page (a layout Box, in mm) cut out straight at `px_per_mm`: what the review shows."""
    w, h = int(box.w * px_per_mm), int(box.h * px_per_mm)
    cut_to_page = np.array([[1 / px_per_mm, 0, box.x], [0, 1 / px_per_mm, box.y], [0, 0, 1]])
    return cv2.warpPerspective(
        image, located.homography @ cut_to_page, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderValue=(255, 255, 255),
    )  # fmt: skip


@dataclass(frozen=True)
class PageReading:
    identity: str | None  # the digits of the identity grid; None without a grid or when none is filled
    identity_why: str  # "" when clear
    questions: tuple[QuestionReading, ...]
    bubbles: dict[tuple[int, str, str], Reading]  # (question number, row, value) -> reading; 0: identity


def read_page(surface: Surface, page: Page) -> PageReading:
    """What the page's bubbles say, question by question (the layout as the QR code's form prints it)."""
    everything = [(0, b) for b in page.identity] + [
        (block.number, b) for block in page.blocks for b in block.bubbles
    ]
    measured = measure(surface, [b for _, b in everything], page.references)
    readings = [classify(m.darkness, m.inked) for m in measured]
    by_key = {(n, b.row, b.value): r for (n, b), r in zip(everything, readings, strict=True)}
    identity, why = (
        read_identity(page.identity, readings[: len(page.identity)]) if page.identity else (None, "")
    )
    questions = tuple(
        read_question(
            block.kind,
            block.number,
            block.bubbles,
            [by_key[(block.number, b.row, b.value)] for b in block.bubbles],
        )
        for block in page.blocks
    )
    return PageReading(identity, why, questions, by_key)
