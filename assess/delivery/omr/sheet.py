"""A form's readable answer sheet: each question's shape, the QR code's text and what a page draws.

The sheet of a variant lists the questions in the variant's order (`Variant.items`), lettered in
the variant's option order as the booklet prints them. Its QR code holds a `SheetCode`: which event
(a short tag of its id), phase, variant, form (the first 8 characters of its hash) and page, and,
on a sheet printed for one participant, who. The reader trusts nothing else on the page to say so.
The text is upper case with colons so that the QR code's alphanumeric mode holds it in the fewest
modules: the larger each module, the blurrier the photo it survives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import segno

from assess.bank.model import Essay, ItemBase, Matching, Ordering
from assess.delivery.omr.layout import LABEL, PITCH, QR_BORDER, Block, Page, Shape, sheet_layout
from assess.forms import Form, Variant
from assess.i18n.numbers import numbers

CODE_PREFIX = "AS1"
GRID_CODES = {"nip": "N", "number": "P", "": "-"}  # the identity grid, in the QR code
FORM_HASH_CHARS = 8


def event_tag(event_id: str) -> str:
    """Six hexadecimal characters standing for the event in a sheet's QR code."""
    return hashlib.sha256(event_id.encode("utf-8")).hexdigest()[:6].upper()


def form_tag(form_hash: str) -> str:
    return form_hash[:FORM_HASH_CHARS].upper()


@dataclass(frozen=True)
class SheetCode:
    """What a page's QR code says."""

    event: str  # event_tag of the event's id
    phase: str  # as the QR code holds it: upper case (compare with casefold)
    variant: str
    form: str  # form_tag of the form's hash
    page: int  # from 1
    pages: int
    grid: str  # the identity grid printed: "nip", "number", or "" on a sheet printed for one participant
    person: str = ""  # the participant's id on a sheet printed for one participant (upper case)

    def text(self) -> str:
        fields = [CODE_PREFIX, self.event, self.phase, self.variant, self.form, f"{self.page}/{self.pages}"]
        return ":".join([*fields, GRID_CODES[self.grid], self.person]).upper()

    @classmethod
    def parse(cls, text: str) -> SheetCode | None:
        """The code a QR code holds, or None when it is not one of ours."""
        parts = text.strip().split(":")
        if len(parts) != 8 or parts[0] != CODE_PREFIX:
            return None
        _, event, phase, variant, form, page_of, grid, person = parts
        page, _, pages = page_of.partition("/")
        if not (_digits(page) and _digits(pages) and 1 <= int(page) <= int(pages)):
            return None
        grids = {v: k for k, v in GRID_CODES.items()}
        if grid not in grids or (grid == GRID_CODES[""]) != bool(person):
            return None
        return cls(event, phase, variant, form, int(page), int(pages), grids[grid], person)


def _digits(text: str) -> bool:
    """0-9 only (str.isdigit says yes to "²", which int() refuses)."""
    return text.isascii() and text.isdigit()


def shape_of(number: int, item: ItemBase) -> Shape:
    kind = item.type  # type: ignore[attr-defined]
    if isinstance(item, Matching):
        return Shape(number, kind, options=len(item.choices), rows=len(item.prompts))
    if isinstance(item, Ordering):
        return Shape(number, kind, rows=len(item.options))
    if isinstance(item, Essay):
        return Shape(number, kind, levels=len(item.rubric))
    return Shape(number, kind, options=len(getattr(item, "options", [])))


def variant_items(form: Form, variant: Variant) -> list[ItemBase]:
    return [form.item(item_id) for item_id in variant.items]


def sheet_pages(
    form: Form, variant: Variant, paper: str = "a4", identity: str | None = "number"
) -> list[Page]:
    """The pages of the variant's sheet (`identity`: "nip", "number", or None when personal)."""
    shapes = [shape_of(k, item) for k, item in enumerate(variant_items(form, variant), 1)]
    return sheet_layout(shapes, paper, identity)


def identity_kind(nips: Sequence[str | None]) -> str:
    """The identity grid a sheet for these participants asks for: the NIP when every one has one (it is on
    their ID card), else the participant number printed on the access cards."""
    return "nip" if nips and all(nips) else "number"


def participant_number(person_id: str) -> str:
    """P0007 -> 0007: what a participant fills in on the number grid, and their card shows."""
    return person_id[1:]


# -- drawing ------------------------------------------------------------------------


def qr_path(text: str) -> tuple[str, int]:
    """An SVG path of the QR code's dark modules in module units, and its side in modules (no border)."""
    qr = segno.make(text, error="m", micro=False)
    d = []
    for y, row in enumerate(qr.matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                d.append(f"M{start} {y}h{x - start}v1h{start - x}z")
            else:
                x += 1
    return "".join(d), len(qr.matrix)


def _level_label(points: float) -> str:
    return numbers().upto(points, 2)


def _bubble_labels(block: Block, item: ItemBase) -> list[str]:
    """What is printed inside each bubble of a block (an essay's: the level's points)."""
    if isinstance(item, Essay):
        return [_level_label(item.rubric[int(b.value)].points) for b in block.bubbles]
    return [b.value for b in block.bubbles]


def page_drawing(page: Page, code: SheetCode, form: Form, variant: Variant) -> dict:
    """What the template draws of one page: the layout with the QR code, labels and items."""
    path, modules = qr_path(code.text())
    border = QR_BORDER
    module = page.qr.w / (modules + 2 * border)
    items = variant_items(form, variant)
    blocks = []
    for block in page.blocks:
        item = items[block.number - 1]
        labels = _bubble_labels(block, item)
        blocks.append(
            {
                "block": block,
                "item": item.id,
                "bubbles": list(zip(block.bubbles, labels, strict=True)),
                "grid": bool(block.rows),
            }
        )
    return {
        "page": page,
        "qr": {
            "path": path,
            "x": page.qr.x + border * module,
            "y": page.qr.y + border * module,
            "scale": module,
        },  # fmt: skip
        "code": code,
        "blocks": blocks,
        "identity_columns": sorted({(b.x, b.row) for b in page.identity}),
        "label": LABEL,
        "pitch": PITCH,
    }
