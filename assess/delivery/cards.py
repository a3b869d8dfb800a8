"""Access-code cards: one card per participant, with the join address and a QR code of it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import segno

from assess.delivery.omr.sheet import participant_number
from assess.templating import render


def join_url(base: str, code: str) -> str:
    """The address a participant's QR code opens: it logs them in with their code."""
    return f"{base.rstrip('/')}/join?code={quote(code)}"


def qr_svg(url: str) -> str:
    """An inline SVG of the QR code (no external file, no script)."""
    return segno.make(url, error="m").svg_inline(scale=3, border=2, dark="#000", light="#fff")


def cards_html(event_title: str, base_url: str, people: Sequence[Any], units: dict[str, str]) -> str:
    """A4 pages of cards; `people` as Store.participants gives them (their name, position, unit_code
    and access_code are read)."""
    cards = [
        {
            "name": p.name,
            "position": p.position or "",
            "unit": units.get(p.unit_code or "", ""),
            "code": p.access_code,
            "number": participant_number(p.person_id),
            "url": base_url.rstrip("/"),
            "qr": qr_svg(join_url(base_url, p.access_code)),
        }
        for p in people
    ]
    return render("paper/cards.html", title=event_title, cards=cards)
