"""The HR worked example and its report (issue 19, points 7, 8 and 9): `assess hr init --example
payakumbuh-hr` adds three events, a roster and ratings and calibrates; `assess hr report` writes every
page with data, private, naming its run; in a real browser at 360 px and on A4, with screenshots in
test-artifacts/."""

from __future__ import annotations

import os
import re
import stat

import pytest

from tests.browser import (
    PHONE,
    horizontal_overflow,
    launch,
    open_page,
    playwright_available,
    screenshot,
    scrolling_tables_without_a_cue,
    small_texts,
)
from tests.components import require_component


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    from tests.conftest import Run

    run = Run()
    folder = tmp_path_factory.mktemp("hr-example") / "sdm"
    made = run("hr", "init", "--example", "payakumbuh-hr", str(folder), "--lang", "en")
    assert made.exit_code == 0, made.stderr
    assert "3 events, 57 people, 114 ratings, run 1" in made.stdout
    report = run("-w", str(folder), "hr", "report", "--lang", "en")
    assert report.exit_code == 0, report.stderr
    return folder


PAGES = ("index", "people", "units", "events", "gaps", "talent")


def text_of(path) -> str:
    return re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))


def test_every_page_is_written_private_with_data_and_names_its_run(example):
    site = example / "laporan-sdm"
    files = [site / f"{p}.html" for p in PAGES] + sorted((site / "orang").glob("*.html"))
    assert len(files) > len(PAGES) + 50
    for path in files:
        if os.name == "posix":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        html = path.read_text(encoding="utf-8")
        assert "calibration run 1 of" in html and "personal data" in html
        assert not re.search(r'(src|href)="https?:', html)  # offline: nothing fetched
    assert "Personal data." in text_of(site / "index.html")
    events = text_of(site / "events.html")
    assert events.count("[") >= 6 and "Pelatihan Pelayanan Publik" in events  # gains with intervals
    units = text_of(site / "units.html")
    assert "Payakumbuh Barat" in units and "2021" in units and "&lt; 3" in (site / "units.html").read_text()
    assert "Box 9" in text_of(site / "talent.html") and "Indicative, not a decision." in text_of(
        site / "talent.html"
    )
    gaps = text_of(site / "gaps.html")
    assert "M.01" in gaps and " / " in gaps
    person = text_of(site / "orang" / "1.html")
    assert "Position then" in person and "payakumbuh-2021" in person and "below 20 JP" in person
    assert "example positions file" in person  # the shipped levels are an example, and said to be
    assert (site / "orang" / "1.html").read_text(encoding="utf-8").count("<polygon") >= 6  # the radar


def test_a_units_report_holds_its_people_only(example, run):
    out = example / "barat"
    result = run(
        "-w", str(example), "hr", "report", "--unit", "payakumbuh-barat", "--out", str(out), "--lang", "en"
    )
    assert result.exit_code == 0, result.stderr
    people = int(re.search(r"HR report of (\d+) people", result.stdout).group(1))
    assert 10 <= people < 63 and len(list((out / "orang").glob("*.html"))) == people
    assert "Kelurahan Koto Nan Ompek" not in text_of(out / "people.html")  # another kecamatan's
    unknown = run("-w", str(example), "hr", "report", "--unit", "tidak-ada", "--lang", "en")
    assert unknown.exit_code == 2 and "UNITS-UNKNOWN" in unknown.stderr


def test_every_page_at_360_px_and_on_a4(example):
    """One browser for every page (each launch costs a second): no console error, nothing past a phone's
    edge, no text under 12 px, a table that scrolls has its cue; printed on A4; screenshots of both."""
    require_component("Playwright", playwright_available(), "pip install playwright")
    from playwright.sync_api import sync_playwright

    site = example / "laporan-sdm"
    with sync_playwright() as p:
        browser = launch(p)
        for name in ("index", "people", "person", "units", "events", "gaps", "talent"):
            url = (site / ("orang/1.html" if name == "person" else f"{name}.html")).as_uri()
            page, errors = open_page(browser, url, PHONE)
            assert errors == [], name
            assert horizontal_overflow(page) == 0 and scrolling_tables_without_a_cue(page) == 0, name
            assert small_texts(page) == [], name
            assert page.locator("h1").count() == 1
            if name == "people":  # the filter works (without script the box stays hidden)
                total = page.locator("#people tbody tr").count()
                page.fill("#find", "afrizal")
                assert 1 <= page.locator("#people tbody tr:not([hidden])").count() < total
                page.fill("#find", "")
            assert screenshot(page, f"hr-{name}-360").stat().st_size > 0
            page.emulate_media(media="print")
            if name == "person":  # printing to PDF works (once: a second per page otherwise)
                assert page.pdf(format="A4").startswith(b"%PDF")
            page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
            assert screenshot(page, f"hr-{name}-a4").stat().st_size > 0
            page.close()
        browser.close()


def test_the_export_holds_the_same_tables_and_pseudonymises(example, run):
    import openpyxl

    plain = run("-w", str(example), "hr", "export", "--format", "xlsx", "--lang", "en")
    assert plain.exit_code == 0 and "63 people" in plain.stdout
    book = openpyxl.load_workbook(example / "sdm.xlsx")
    assert book.sheetnames == [
        "People",
        "History",
        "Competencies",
        "Units",
        "Events",
        "Training needs",
        "Talent map",
    ]
    names = {row[1] for row in book["People"].iter_rows(min_row=2, values_only=True)}
    assert "Afrizal, S.Sos" in names and book["Events"].max_row == 4  # three events with pairs
    hidden = run("-w", str(example), "hr", "export", "--pseudonymise", "--lang", "en")
    assert hidden.exit_code == 0
    path = example / "sdm-pseudonim.xlsx"
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    cells = " ".join(
        str(v)
        for sheet in openpyxl.load_workbook(path)
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if v
    )
    assert "Afrizal" not in cells and "197004161994041011" not in cells and "orang-" in cells
    headers = [c.value for c in openpyxl.load_workbook(path)["People"][1]]
    assert headers[0] != "#"  # the person's number names their report page: not beside a pseudonym


def test_a_person_without_a_unit_does_not_stop_the_report(run, hr, event_backup, tmp_path):
    from tests.hr_support import rewrite_archive

    def no_unit(table, row):
        return (
            {**row, "unit_code": None} if table == "participations" and row["person_id"] == "P0002" else row
        )

    path = rewrite_archive(event_backup, tmp_path / "tanpa-unit.zip", edit=no_unit)
    assert run("-w", str(hr), "hr", "add", str(path)).exit_code == 0
    result = run("-w", str(hr), "hr", "report", "--lang", "en")
    assert result.exit_code == 0, result.stderr


def test_the_talent_maps_cut_points_come_from_hr_yaml(run, example, tmp_path):
    import shutil

    import yaml

    copy = tmp_path / "sdm"
    shutil.copytree(example, copy)
    settings = yaml.safe_load((copy / "hr.yaml").read_text(encoding="utf-8"))
    settings["talent_map"] = {"measure_cuts": [100, 200]}  # everyone measured above both: potential high
    (copy / "hr.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    assert run("-w", str(copy), "hr", "report", "--lang", "en").exit_code == 0
    talent = text_of(copy / "laporan-sdm" / "talent.html")
    assert "cut points 100 and 200" in talent
    assert (
        re.search(r"Box 1 · 0\b", talent)
        and re.search(r"Box 2 · 0\b", talent)
        and re.search(r"Box 4 · 0\b", talent)
    )
    settings["talent_map"] = {"measure_cuts": [500, 400]}
    (copy / "hr.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    wrong = run("-w", str(copy), "hr", "report", "--lang", "en")
    assert wrong.exit_code == 2 and "hr.yaml:" in wrong.stderr and "Traceback" not in wrong.stderr
