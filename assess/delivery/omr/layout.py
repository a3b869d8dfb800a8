"""Where everything on a readable answer sheet is, in millimetres from the page's top-left corner.

One layout serves both sides: printing draws it, the reader measures it after finding the four
corner markers. It is pure geometry, the same on every printer: A4 (210 × 297 mm) or F4/folio
(215 × 330 mm, the paper of Indonesian offices). Each page has its four markers and a QR code (the
event, phase, variant, form hash and page, filled in by printing), a header (the event, the name,
and two reference bubbles, one printed empty and one printed filled, that the reader measures the
sheet's own light against) and, unless the sheet is printed for one participant, the identity grid
(a NIP's 18 digits, or a participant number's) on every page, so that a page read alone is still
somebody's. Questions flow in columns, in the variant's order, each as a block of bubbles by its
type:

    single choice, weighted options, multiple response   one row: a bubble per option (A, B, ...)
    true/false                                           one row: B, S
    matching                                             a grid: a row per prompt, a column per choice
    ordering                                             a grid: a row per option, a column per position
    numeric                                              digit columns (a sign, digits, a decimal comma)
    short answer                                         a box to write in (typed later by the trainer)
    essay                                                a bubble per rubric level, for the marker
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PAPERS = {"a4": (210.0, 297.0), "f4": (215.0, 330.0)}
MARKER = 7.0  # side of a corner marker (a filled square)
INSET = 9.0  # from the paper's edge to a marker: outside most printers' unprintable margin
QR = 30.0  # side of the QR code's square: a module of 1 mm at most payloads
QR_BORDER = 2  # modules of white inside the QR code's square, around the symbol
HEADER = 22.0  # the band left of the QR code: the event, the name line, the legend
BUBBLE = 4.2  # diameter
PITCH = 5.6  # between bubble centres, across and down
GAP = 3.0  # between the parts of a page, and between columns (twice)
ROW_GAP = 2.4  # between one question's block and the next in a column
LABEL = 8.0  # the question number's width before its bubbles
NIP_DIGITS, NUMBER_DIGITS = 18, 4
NUMERIC_DIGITS = 7  # a sign column, then digits; the decimal comma is a column of its own
WRITE_BOX = (44.0, 12.0)  # a short answer's box


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Box) -> bool:
        return not (
            self.x + self.w <= other.x
            or other.x + other.w <= self.x
            or self.y + self.h <= other.y
            or other.y + other.h <= self.y
        )

    def holds(self, other: Box) -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.x + other.w <= self.x + self.w
            and other.y + other.h <= self.y + self.h
        )


@dataclass(frozen=True)
class Bubble:
    """A circle to fill: its centre, and what filling it says (`row`, `value`)."""

    x: float
    y: float
    row: str  # "" for one-row questions; a prompt number, an option letter, a digit place
    value: str  # an option letter, a digit, a position, a level

    def __post_init__(self):
        # Hundredths of a millimetre: far below a printer's precision, and short in the printed SVG.
        object.__setattr__(self, "x", round(self.x, 2))
        object.__setattr__(self, "y", round(self.y, 2))

    @property
    def box(self) -> Box:
        r = BUBBLE / 2
        return Box(self.x - r, self.y - r, BUBBLE, BUBBLE)


@dataclass(frozen=True)
class Shape:
    """What the layout needs to know of a question."""

    number: int  # as printed (1-based, in the variant's order)
    kind: str  # the item type
    options: int = 0  # options, or choices of a matching item
    rows: int = 0  # prompts (matching), options (ordering)
    levels: int = 0  # rubric levels (essay)


@dataclass(frozen=True)
class Block:
    number: int
    kind: str
    box: Box  # everything of the question, its number included
    bubbles: tuple[Bubble, ...] = ()
    write: Box | None = None  # a short answer's box
    columns: tuple[str, ...] = ()  # the headings over a grid's columns
    rows: tuple[str, ...] = ()  # the labels before a grid's rows


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    paper: str
    width: float
    height: float
    markers: tuple[Box, Box, Box, Box]  # top-left, top-right, bottom-left, bottom-right
    qr: Box
    header: Box
    references: tuple[Bubble, Bubble]  # printed empty, printed filled (values "empty", "filled")
    identity: tuple[Bubble, ...]  # a column per digit place ("1", "2", ...), rows 0-9; () when personal
    blocks: tuple[Block, ...]

    @property
    def area(self) -> Box:
        """Inside the markers: where everything else is."""
        return Box(INSET, INSET, self.width - 2 * INSET, self.height - 2 * INSET)


def letters(n: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(n)]


def _row_values(shape: Shape) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(row labels, column values) of a question's bubbles."""
    if shape.kind == "true_false":
        return ("",), ("B", "S")
    if shape.kind in ("single_choice", "weighted_options", "multiple_response"):
        return ("",), tuple(letters(shape.options))
    if shape.kind == "matching":
        return tuple(str(n) for n in range(1, shape.rows + 1)), tuple(letters(shape.options))
    if shape.kind == "ordering":
        return tuple(letters(shape.rows)), tuple(str(n) for n in range(1, shape.rows + 1))
    if shape.kind == "numeric":
        # A column per place: "-" (sign), digits, "," (where the decimal comma falls); rows are values.
        return tuple(["-", *"0123456789", ","]), tuple(str(n) for n in range(1, NUMERIC_DIGITS + 1))
    if shape.kind == "essay":
        return ("",), tuple(str(n) for n in range(shape.levels))
    return (), ()


def _block(shape: Shape, x: float, y: float) -> Block:
    if shape.kind == "short_answer":
        write = Box(x + LABEL, y, *WRITE_BOX)
        return Block(shape.number, shape.kind, Box(x, y, LABEL + WRITE_BOX[0], WRITE_BOX[1]), write=write)
    rows, columns = _row_values(shape)
    grid = len(rows) > 1
    top = y + (PITCH if grid else 0)  # a grid has its column headings above it
    bubbles = []
    if shape.kind == "numeric":  # columns are places; each column's bubbles are its possible values
        for c, place in enumerate(columns):
            for r, value in enumerate(rows):
                bubbles.append(Bubble(x + LABEL + PITCH * (c + 0.5), top + PITCH * (r + 0.5), place, value))
        width, height = LABEL + PITCH * len(columns), (top - y) + PITCH * len(rows)
    else:
        for r, row in enumerate(rows):
            for c, value in enumerate(columns):
                bubbles.append(Bubble(x + LABEL + PITCH * (c + 0.5), top + PITCH * (r + 0.5), row, value))
        width, height = LABEL + PITCH * len(columns), (top - y) + PITCH * len(rows)
    return Block(shape.number, shape.kind, Box(x, y, width, height), tuple(bubbles), None, columns,
                 rows if grid else ())  # fmt: skip


def _identity(kind: str | None, x: float, y: float) -> tuple[tuple[Bubble, ...], float]:
    """The identity grid's bubbles (a column per digit place, rows 0-9) and its height."""
    if kind is None:
        return (), 0.0
    places = NIP_DIGITS if kind == "nip" else NUMBER_DIGITS
    top = y + PITCH  # room to write the digits above their columns
    bubbles = tuple(
        Bubble(x + PITCH * (c + 0.5), top + PITCH * (r + 0.5), str(c + 1), str(r))
        for c in range(places)
        for r in range(10)
    )
    return bubbles, PITCH * 11


def _corners(width: float, height: float) -> tuple[Box, Box, Box, Box]:
    far_x, far_y = width - INSET - MARKER, height - INSET - MARKER
    return (
        Box(INSET, INSET, MARKER, MARKER),
        Box(far_x, INSET, MARKER, MARKER),
        Box(INSET, far_y, MARKER, MARKER),
        Box(far_x, far_y, MARKER, MARKER),
    )


def _references(header: Box) -> tuple[Bubble, Bubble]:
    """The two reference bubbles, at the right end of the header's last line."""
    y = header.y + header.h - PITCH / 2
    right = header.x + header.w - PITCH / 2
    return Bubble(right - PITCH, y, "", "empty"), Bubble(right, y, "", "filled")


def qr_box(paper: str) -> Box:
    """Where the QR code is: the top right, inside the markers' column (the same on every page)."""
    width, _ = PAPERS[paper]
    right = width - INSET - MARKER - GAP
    return Box(right - QR, INSET, QR, QR)


def sheet_layout(shapes: Sequence[Shape], paper: str = "a4", identity: str | None = "nip") -> list[Page]:
    """Every page of the sheet for these questions: the identity grid on each ("nip", "number", or None
    for a sheet printed for one participant), then the questions in columns, page after page."""
    width, height = PAPERS[paper]
    area = Box(INSET, INSET, width - 2 * INSET, height - 2 * INSET)
    left, right = area.x + MARKER + GAP, area.x + area.w - MARKER - GAP
    qr = qr_box(paper)
    header = Box(left, area.y, qr.x - GAP - left, HEADER)
    ident, ident_height = _identity(identity, left, header.y + header.h + GAP)
    top = max(qr.y + qr.h, header.y + header.h + GAP + ident_height) + GAP
    bottom = area.y + area.h - MARKER - GAP
    pages: list[Page] = []
    pending = list(shapes)
    while pending or not pages:
        blocks, x, y, column_width = [], left, top, 0.0
        while pending:
            block = _block(pending[0], x, y)
            if block.box.y + block.box.h > bottom:  # the column is full: the next one, or the next page
                x += column_width + 2 * GAP
                y, column_width = top, 0.0
                block = _block(pending[0], x, y)
                if block.box.x + block.box.w > right or block.box.y + block.box.h > bottom:
                    if not blocks:
                        raise ValueError(f"question {pending[0].number} does not fit on a page")
                    break
            if block.box.x + block.box.w > right:
                if not blocks:
                    raise ValueError(f"question {pending[0].number} does not fit on a page")
                break
            blocks.append(block)
            pending.pop(0)
            y = block.box.y + block.box.h + ROW_GAP
            column_width = max(column_width, block.box.w)
        pages.append(
            Page(
                len(pages) + 1,
                paper,
                width,
                height,
                _corners(width, height),
                qr,
                header,
                _references(header),
                ident,
                tuple(blocks),
            )  # fmt: skip
        )
    return pages
