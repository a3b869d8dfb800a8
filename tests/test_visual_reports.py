"""The reports in a real browser: phone and desktop width, no console errors, no overflow, printable."""

from __future__ import annotations

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
    scrolling_tables_without_a_cue,
    small_texts,
    wider_than_viewport,
)
from tests.components import require_component


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from click.testing import CliRunner

    from assess.cli import cli
    from assess.i18n import set_language

    out = tmp_path_factory.mktemp("visual") / "demo"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    set_language(None)
    assert result.exit_code == 0, result.stderr
    return out / "laporan"


PAGES = {
    "index": "index.html",
    "cohort": "cohort.html",
    "items": "items.html",
    "participant": "participants/P0001.html",
    "participant-lowest": None,  # the post-test's lowest and highest scorers, found in the results
    "participant-highest": None,
}


def _page(reports, name: str) -> str:
    if PAGES[name] is not None:
        return PAGES[name]
    from assess.workspace import Workspace

    folder = reports.parent
    ws = Workspace(folder, f"sqlite:///{folder / 'assess.db'}")
    try:
        post = sorted(ws.store.results(ws.event_id, "post"), key=lambda r: (r.percentage, r.person_id))
    finally:
        ws.close()
    return f"participants/{(post[0] if name.endswith('lowest') else post[-1]).person_id}.html"


SCROLLING_TABLES = (
    "[...document.querySelectorAll('.table-wrap')].filter(e => e.scrollWidth > e.clientWidth).length"
)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_reports_render_at_phone_and_desktop_width(reports, name):
    require_component("Playwright", playwright_available(), "pip install playwright")
    from playwright.sync_api import sync_playwright

    url = (reports / _page(reports, name)).as_uri()
    with sync_playwright() as p:
        browser = launch(p)
        for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page, errors = open_page(browser, url, viewport)
            assert errors == []
            if width == "phone":
                # Point 6: nothing past the screen's edge but a table that scrolls, and that one with a
                # cue; no text, chart text included, under 12 px.
                assert horizontal_overflow(page) == 0 and wider_than_viewport(page) == []
                assert scrolling_tables_without_a_cue(page) == 0
                assert small_texts(page) == [], name
            if width == "phone" and name.startswith("participant"):
                # A participant reads their report on a phone: no table of it may need scrolling.
                assert page.evaluate(SCROLLING_TABLES) == 0
            assert page.locator("h1").count() == 1 and page.locator("h2").count() >= 2
            if name not in ("index", "items"):
                assert page.locator("svg.chart").count() >= 1
                box = page.locator("svg.chart").first.bounding_box()
                assert box["width"] <= viewport["width"] and box["height"] > 100
            assert screenshot(page, f"report-{name}-{width}").stat().st_size > 0
            page.close()
        browser.close()


def _pdf_pages(data: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def test_participant_report_opens_with_its_summary_and_prints_short(reports):
    """Point 4: the report opens with one part (scores, gain, competencies with their precision, what
    to study next); the item review is folded away and printed only when opened."""
    require_component("Playwright", playwright_available(), "pip install playwright")
    from playwright.sync_api import sync_playwright

    url = (reports / PAGES["participant"]).as_uri()
    with sync_playwright() as p:
        browser = launch(p)
        page, errors = open_page(browser, url, PHONE)
        first = page.locator("main > section").first
        assert errors == [] and first.get_attribute("class") == "summary"
        text = first.inner_text()
        for words in (
            "Tes awal",
            "Tes akhir",
            "Selisih skor dua naskah",
            "Kompetensi",
            "Yang perlu dipelajari",
        ):
            assert words in text, words
        assert "±" in text and "Topik soal yang belum sepenuhnya benar" in text
        # The wording: two competencies no longer named alike; the venue is "Tempat" (the ordering
        # item's "Urutan" was its label).
        assert "Pelayanan publik di kelurahan (T.02)" in text and "Pelayanan Publik (M.05)" in text
        facts = page.locator("dl.facts").inner_text()
        assert "Tempat" in facts and "Urutan" not in facts
        box = first.bounding_box()
        assert box["y"] + box["height"] <= 2 * PHONE["height"]  # under two phone screens
        assert page.locator("details[open]").count() == 0 and page.locator("details").count() == 2
        page.close()
        page, errors = open_page(browser, url, DESKTOP)
        short = _pdf_pages(page.pdf(format="A4"))
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        full = _pdf_pages(page.pdf(format="A4"))
        assert errors == [] and short <= 4 and full >= short + 4, (short, full)
        # Printed, every item's number is whole inside the text's edge, "10." and up too.
        page.emulate_media(media="print")
        numbers = page.locator("ol.review span.qnum")
        assert numbers.count() == 62 and numbers.nth(9).inner_text() == "10."
        assert page.evaluate(
            """[...document.querySelectorAll('ol.review span.qnum')].every(n => {
                 const r = n.getBoundingClientRect(), main = document.querySelector('main').getBoundingClientRect();
                 return r.left >= main.left && n.scrollWidth <= n.clientWidth; })"""
        )
        browser.close()


def test_each_summary_prints_on_one_a4_page_and_files_may_be_named_by_name_and_nip(reports, tmp_path):
    """`assess report --summary`: one page per participant, alone or all together; with --name-files
    every participant's files are named by name and NIP and every link leads to one (issue 16, point 4)."""
    from click.testing import CliRunner

    from assess.cli import cli
    from assess.i18n import set_language
    from assess.workspace import Workspace

    require_component("Playwright", playwright_available(), "pip install playwright")
    from playwright.sync_api import sync_playwright

    folder, out = reports.parent, tmp_path / "laporan"
    args = ["-w", str(folder), "report", "--summary", "--name-files", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    set_language(None)
    assert result.exit_code == 0, result.output
    ws = Workspace(folder, f"sqlite:///{folder / 'assess.db'}")
    try:
        post = sorted(ws.store.results(ws.event_id, "post"), key=lambda r: r.percentage)
        people = {p.person_id: p for p in ws.store.participants(ws.event_id)}
    finally:
        ws.close()
    files = {f.name for f in (out / "participants").iterdir()}
    assert files == {f.name for f in (out / "ringkasan").iterdir()} and len(files) == len(people)
    named = {}
    for pid, person in people.items():
        [name] = [f for f in files if f.endswith(f"-{person.nip}.html")]
        assert name.startswith(person.name.split()[0].lower().strip(",."))
        named[pid] = name
    for page_name in ("index.html", "cohort.html"):
        links = re.findall(r'href="participants/([^"]+)"', (out / page_name).read_text(encoding="utf-8"))
        assert set(links) == files, page_name
    with sync_playwright() as p:
        browser = launch(p)
        for who in (post[0].person_id, post[-1].person_id):  # the lowest and the highest scorer
            page, errors = open_page(browser, (out / "ringkasan" / named[who]).as_uri(), DESKTOP)
            assert errors == [] and _pdf_pages(page.pdf(format="A4")) == 1, who
            screenshot(page, f"report-summary-{'lowest' if who == post[0].person_id else 'highest'}-desktop")
            page.close()
        page, errors = open_page(browser, (out / "ringkasan.html").as_uri(), DESKTOP)
        assert errors == [] and _pdf_pages(page.pdf(format="A4")) == len(people)
        browser.close()


def test_text_follows_the_phones_own_text_size(reports):
    """Sizes in rem: a phone set to larger text gets larger report text (issue 16, point 6)."""
    require_component("Playwright", playwright_available(), "pip install playwright")
    from playwright.sync_api import sync_playwright

    body_size = "parseFloat(getComputedStyle(document.body).fontSize)"
    with sync_playwright() as p:
        browser = launch(p)
        page, errors = open_page(browser, (reports / PAGES["participant"]).as_uri(), PHONE)
        default = page.evaluate(body_size)
        page.add_style_tag(content="html { font-size: 20px; }")  # as the phone's larger text would
        assert errors == [] and page.evaluate(body_size) == 20 * default / 16
        browser.close()
