"""The access-code cards in a real browser: phone and desktop, no console errors, no overflow, printable."""

from __future__ import annotations

import pytest

from tests.browser import (
    DESKTOP,
    PHONE,
    horizontal_overflow,
    launch,
    open_page,
    playwright_available,
    screenshot,
)
from tests.components import require_component


@pytest.fixture
def cards(tmp_path, run):
    folder = tmp_path / "ws"
    assert run("init", "--example", "payakumbuh-2019", str(folder)).exit_code == 0
    assert run("-w", str(folder), "participants", "import", str(folder / "peserta.csv")).exit_code == 0
    out = tmp_path / "kartu.html"
    assert (
        run(
            "-w", str(folder), "participants", "cards", "--url", "http://192.168.1.10:8000", "--out", str(out)
        ).exit_code
        == 0
    )
    return out


def test_cards_render_at_phone_and_desktop_width_and_print(cards, tmp_path):
    require_component("Playwright", playwright_available(), "pip install playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page, errors = open_page(browser, cards.as_uri(), viewport)
            assert errors == []
            assert horizontal_overflow(page) == 0
            assert page.locator("section.card").count() == 52
            assert screenshot(page, f"cards-{name}").stat().st_size > 0
        pdf = tmp_path / "kartu.pdf"
        page.pdf(path=str(pdf), format="A4")
        assert (
            pdf.read_bytes().startswith(b"%PDF") and pdf.read_bytes().count(b"/Type /Page") >= 7
        )  # 52 cards, 8 a page
        browser.close()
