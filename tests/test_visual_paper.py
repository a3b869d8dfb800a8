"""The paper booklet, its key and the item report in a real browser: phone and desktop width, no console
errors, no horizontal overflow, screenshots, and the booklet printed to A4 PDF."""

from __future__ import annotations

import io
import re

import pytest

from tests.browser import (
    DESKTOP,
    PHONE,
    horizontal_overflow,
    launch,
    open_page,
    playwright_available,
    screenshot,
    small_texts,
    wider_than_viewport,
)
from tests.components import require_component
from tests.test_paper import items_report, simulated


def pdf_texts(data: bytes) -> list[str]:
    """The text of each page of a PDF."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def pages(tmp_path, run):
    folder = simulated(tmp_path, run)
    out = tmp_path / "cetak"
    result = run("-w", str(folder), "form", "print", "--phase", "pre", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    items_report(folder, tmp_path / "rapor")
    return {
        "booklet": out / "naskah-pre-A.html",
        "key": out / "kunci-pre.html",
        "items": tmp_path / "rapor" / "items.html",
    }


def test_booklet_key_and_item_report_at_phone_and_desktop_width(pages, tmp_path):
    require_component("Playwright", playwright_available(), "pip install playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        for name, path in pages.items():
            for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
                page, errors = open_page(browser, path.as_uri(), viewport)
                assert errors == [], (name, width)
                assert horizontal_overflow(page) == 0, (name, width)
                if width == "phone":
                    assert small_texts(page) == [] and wider_than_viewport(page) == [], name
                assert screenshot(page, f"paper-{name}-{width}").stat().st_size > 0
                if name == "booklet":
                    assert page.locator("section.question").count() == 31
                    assert page.locator("section.sheet .row").count() == 31
                    assert page.locator("li[data-option] .letter").first.is_visible()
                if name == "items":
                    charts = page.locator("svg.bars")
                    assert charts.count() > 0
                    box = charts.first.bounding_box()
                    assert box["width"] <= viewport["width"]  # a chart fits the phone's width
                page.close()
        page, errors = open_page(browser, pages["booklet"].as_uri(), DESKTOP)
        page.emulate_media(media="print")
        # The answer sheet starts a page of its own; a question is never split across pages.
        assert (
            page.evaluate("getComputedStyle(document.querySelector('section.sheet')).breakBefore") == "page"
        )
        assert page.evaluate("getComputedStyle(document.querySelector('section.question')).breakInside") in (
            "avoid",
            "avoid-page",
        )
        data = page.pdf(prefer_css_page_size=True)
        printed = pdf_texts(data)
        assert len(printed) >= 4  # 31 questions and the sheet
        # The readable sheet: each of its pages one printed A4 page of its own (the reader measures it in
        # millimetres), the first naming the form; the last holds the last question.
        form_id = page.locator("section.sheet").get_attribute("data-form")
        sheet_pages = [k for k, text in enumerate(printed) if "Lembar jawaban" in text]
        assert len(sheet_pages) == page.locator(".omr-page").count() >= 1
        assert sheet_pages == list(range(len(printed) - len(sheet_pages), len(printed)))
        assert form_id in printed[sheet_pages[0]]
        assert re.search(r"\b31\b", printed[-1])
        from pypdf import PdfReader

        sizes = {
            (round(float(p.mediabox.width)), round(float(p.mediabox.height)))
            for p in PdfReader(io.BytesIO(data)).pages
        }
        assert sizes == {(595, 842)}  # A4 in points, booklet and sheet alike
        page.close()
        page, errors = open_page(browser, pages["items"].as_uri(), DESKTOP)
        page.emulate_media(media="print")
        (tmp_path / "items.pdf").write_bytes(page.pdf(format="A4"))
        assert (tmp_path / "items.pdf").read_bytes().startswith(b"%PDF")
        browser.close()
