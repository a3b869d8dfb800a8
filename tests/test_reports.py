"""`assess report`: what each report holds, the review policy, escaping, offline files, the numbers."""

from __future__ import annotations

import csv
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from assess.analysis.prepost import prepost
from assess.cli import cli
from assess.i18n import set_language
from assess.i18n.numbers import Numbers
from assess.reports import charts
from assess.reports.answers import item_text
from assess.reports.render import write_reports
from assess.store.engine import sqlite_url
from assess.store.store import CLOSED, Participant
from assess.workspace import Workspace, now
from assess.workspace.participants import import_participants
from assess.workspace.steps import build_phase_form, score_phase, simulate

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_STEM = "<script>alert('stem')</script> Siapa <img src=x onerror=alert(2)> memimpin kelurahan?"
EXPLANATION = "PENJELASAN-RAHASIA-001"
KEY_TEXT = "KUNCI-JAWABAN-LURAH"

ASSESSMENT = """\
kind: assessment
event:
  id: uji-laporan
  title: "Uji <b>laporan</b> & keamanan"
  dates: [2024-05-14, 2024-05-15]
  place: Aula Kantor Wali Kota
banks: [bank]
phases:
  - id: pre
    title: Tes awal
    blueprint:
      cells:
        - {competency: T.01, count: 4}
        - {competency: T.02, count: 1}
  - id: post
    title: Tes akhir
    same_items: pre
"""

BANK = f"""\
kind: bank
id: uji-laporan
title: Bank uji laporan
items:
  - id: uji-001
    type: single_choice
    stem: "{HOSTILE_STEM}"
    options:
      - {{id: a, text: "{KEY_TEXT}"}}
      - {{id: b, text: "<b>Camat</b>"}}
      - {{id: c, text: Sekretaris daerah}}
    key: a
    competencies: [T.01]
    explanation: "{EXPLANATION} <script>alert('explanation')</script>"
    source: [uu-23-2014-pasal-224]
    status: ready
  - id: uji-002
    type: true_false
    stem: Kelurahan adalah perangkat kecamatan.
    key: true
    competencies: [T.01]
    explanation: Pasal 1 angka 2 PP 17/2018.
    status: ready
  - id: uji-003
    type: multiple_response
    stem: Mana yang termasuk tugas lurah?
    options:
      - {{id: a, text: Pemberdayaan masyarakat}}
      - {{id: b, text: Pelayanan masyarakat}}
      - {{id: c, text: Menetapkan APBD}}
    key: [a, b]
    competencies: [T.01]
    status: ready
  - id: uji-004
    type: numeric
    stem: Berapa hari kerja dalam seminggu?
    value: 5
    competencies: [T.01]
    status: ready
  - id: uji-005
    type: single_choice
    stem: Standar pelayanan ditetapkan oleh siapa?
    options:
      - {{id: a, text: Penyelenggara}}
      - {{id: b, text: Pengguna layanan}}
    key: a
    competencies: [T.02]
    status: ready
"""

PEOPLE = [
    ("", HOSTILE_NAME, "Lurah", "Kelurahan Ibuh", "Payakumbuh Barat"),
    ("197004161994041011", "Afrizal, S.Sos", "Lurah", "Kelurahan Balai Nan Duo", "Payakumbuh Barat"),
    ("197311111999071010", "Yulnefri Saputra", "Lurah", "Kelurahan Bunian", "Payakumbuh Utara"),
    (
        "197312142002022014",
        "Desmawati Anggraini",
        "Kasi Pemerintahan",
        "Kecamatan Payakumbuh Utara",
        "Payakumbuh Utara",
    ),
    ("198706212009061006", "Zulkarnaini Rahman", "Lurah", "Kelurahan Tarok", "Payakumbuh Timur"),
    ("", "Rina Marlina", "Lurah", "Kelurahan Talang", "Payakumbuh Timur"),
]


def make_workspace(folder: Path) -> Workspace:
    folder.mkdir(parents=True)
    (folder / "assessment.yaml").write_text(ASSESSMENT, encoding="utf-8")
    (folder / "bank").mkdir()
    (folder / "bank" / "uji.yaml").write_text(BANK, encoding="utf-8")
    people = folder / "peserta.csv"
    with people.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["NIP", "Nama", "Jabatan", "Unit Kerja", "Kecamatan"])
        w.writerows(PEOPLE)
    ws = Workspace(folder, sqlite_url(folder / "assess.db"))
    import_participants(ws, people)
    for phase in ("pre", "post"):
        build_phase_form(ws, phase, now())
    simulate(ws, 7, now())
    for phase in ("pre", "post"):
        score_phase(ws, phase, now())
    return ws


@pytest.fixture
def ws(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    yield ws
    ws.close()


def close_all(ws: Workspace) -> None:
    for phase in ("pre", "post"):
        ws.store.set_phase_state(ws.event_id, phase, CLOSED, now())


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def person(ws: Workspace, name: str) -> Participant:
    return next(p for p in ws.store.participants(ws.event_id) if p.name == name)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "action", "formaction", "srcset", "poster", "data") or (
                name == "xlink:href"
            ):
                self.links.append((name, value or ""))


def parsed(text: str) -> Links:
    p = Links()
    p.feed(text)
    return p


# -- the files -------------------------------------------------------------------------------


def test_report_writes_index_cohort_and_one_file_per_participant(ws, tmp_path, run, monkeypatch):
    monkeypatch.setitem(cli.lazy, "report", "assess.cli.report:report")
    out = tmp_path / "laporan"
    result = run("-w", str(ws.folder), "report", "--out", str(out), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "6 participant reports written." in result.stdout
    assert str(out / "index.html") in result.stdout
    people = ws.store.participants(ws.event_id)
    names = sorted(p.name for p in (out / "participants").iterdir())
    assert names == sorted(f"{p.person_id}.html" for p in people)
    index = read(out / "index.html")
    hrefs = {v for k, v in parsed(index).links if k == "href"}
    assert "cohort.html" in hrefs and {f"participants/{p.person_id}.html" for p in people} <= hrefs
    if (out / "items.html").exists():
        assert "items.html" in hrefs
    # Neither the NIP nor the access code appears in a file name or in any report.
    for path in out.rglob("*.html"):
        text = read(path)
        for p in people:
            assert p.access_code not in text and p.access_code not in path.name
            assert not p.nip or (p.nip not in text and p.nip not in path.name)


def test_default_folder_and_a_foreign_folder_is_refused(ws, tmp_path, run, monkeypatch):
    monkeypatch.setitem(cli.lazy, "report", "assess.cli.report:report")
    assert run("-w", str(ws.folder), "report").exit_code == 0
    assert (ws.folder / "laporan" / "index.html").is_file()
    assert run("-w", str(ws.folder), "report").exit_code == 0  # its own reports: written anew
    other = tmp_path / "lain"
    other.mkdir()
    (other / "data.txt").write_text("jangan dihapus", encoding="utf-8")
    result = run("-w", str(ws.folder), "report", "--out", str(other), "--lang", "en")
    assert result.exit_code == 2 and "REPORTS-OUT-NOT-EMPTY" in result.stderr
    assert sorted(p.name for p in other.iterdir()) == ["data.txt"]


def test_a_failure_leaves_the_previous_reports_whole(ws, tmp_path, monkeypatch):
    out = tmp_path / "laporan"
    write_reports(ws, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("assess.reports.render.cohort_context", broken)
    with pytest.raises(RuntimeError):
        write_reports(ws, out)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers


# -- one participant's data only ----------------------------------------------------------------


def test_a_participant_report_holds_that_participant_only(ws, tmp_path):
    close_all(ws)  # everything the policy allows is shown
    out = tmp_path / "laporan"
    write_reports(ws, out)
    me = person(ws, "Afrizal, S.Sos")
    text = read(out / "participants" / f"{me.person_id}.html")
    assert "Afrizal, S.Sos" in text and "Kelurahan Balai Nan Duo" in text
    for other in ws.store.participants(ws.event_id):
        if other.person_id != me.person_id:
            assert other.name not in text and other.person_id not in text
    for unit in ("Kelurahan Bunian", "Kelurahan Tarok", "Kelurahan Talang"):
        assert unit not in text  # others' units neither
    # Their own scores, and nobody else's.
    set_language("id")
    n = Numbers("id")
    mine = [r for r in ws.store.results(ws.event_id) if r.person_id == me.person_id]
    for r in mine:
        assert n.pct(r.percentage) in text


# -- the review policy ---------------------------------------------------------------------------


def participant_text(ws, out: Path, name: str) -> str:
    write_reports(ws, out)
    return read(out / "participants" / f"{person(ws, name).person_id}.html")


def test_review_policy_hides_keys_and_explanations_until_the_last_phase_closes(ws, tmp_path):
    set_language("en")
    name = "Yulnefri Saputra"
    open_text = participant_text(ws, tmp_path / "a", name)
    assert "Score" in open_text and "%" in open_text  # score and band: immediately
    for hidden in (
        EXPLANATION,
        KEY_TEXT,
        "Correct answer",
        "Your answer",
        "Item review",
        "Competencies</h2>",
        "Position in the cohort",
        "uu-23-2014",
        "Pasal 224",
    ):
        assert hidden not in open_text, hidden
    assert (
        "Tes awal: shown once the last test of the event has closed: competency subscores, position in the "
        "cohort, correct answers, explanations, sources." in open_text
    )

    ws.store.set_phase_state(ws.event_id, "pre", CLOSED, now())
    pre_closed = participant_text(ws, tmp_path / "b", name)
    assert (
        "Item review: Tes awal" in pre_closed and "Your answer" in pre_closed
    )  # own answers: after the phase
    assert "Item review: Tes akhir" not in pre_closed
    for hidden in (EXPLANATION, "Correct answer", "Competencies</h2>", "Position in the cohort", "Pasal 224"):
        assert hidden not in pre_closed, hidden

    ws.store.set_phase_state(ws.event_id, "post", CLOSED, now())
    closed = participant_text(ws, tmp_path / "c", name)
    for shown in (
        EXPLANATION,
        KEY_TEXT,
        "Correct answer",
        "Item review: Tes akhir",
        "Competencies</h2>",
        "Position in the cohort",
        "Pasal 224",
    ):
        assert shown in closed, shown
    assert "Not shown yet" not in closed


def test_a_phase_policy_that_never_shows_the_position(ws, tmp_path):
    text = (ws.folder / "assessment.yaml").read_text(encoding="utf-8")
    (ws.folder / "assessment.yaml").write_text(
        text.replace(
            "    same_items: pre\n", "    same_items: pre\n    review:\n      cohort_position: never\n"
        ),
        encoding="utf-8",
    )
    ws.__dict__.pop("loaded")
    close_all(ws)
    set_language("en")
    closed = participant_text(ws, tmp_path / "a", "Rina Marlina")
    assert "Position in the cohort" in closed and "Tes awal:" in closed  # the pre-test's default
    position = closed.split("Position in the cohort", 1)[1].split("</section>", 1)[0]
    assert "Tes akhir" not in position
    assert "Tes akhir: not shown in this event: position in the cohort." in closed


# -- escaping and offline ---------------------------------------------------------------------------


def test_stems_and_explanations_are_safe_markdown_as_in_the_booklets(ws):
    item = ws.store.form(ws.event_id, "pre").items[0]
    item = item.model_copy(
        update={
            "stem": "Mana yang **bukan** tugas lurah? <b>x</b>",
            "explanation": "Lihat `Pasal 9`, *PP 17/2018*.",
        }
    )
    text = item_text(item, "id", ws.loaded.library.sources, Numbers("id"))
    assert "<strong>bukan</strong>" in text.stem and "&lt;b&gt;x&lt;/b&gt;" in text.stem
    assert "<code>Pasal 9</code>" in text.explanation and "<em>PP 17/2018</em>" in text.explanation


def test_hostile_names_and_stems_are_escaped_everywhere(ws, tmp_path):
    close_all(ws)
    out = tmp_path / "laporan"
    write_reports(ws, out)
    me = person(ws, HOSTILE_NAME)
    mine = read(out / "participants" / f"{me.person_id}.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mine
    # The stem goes through safe Markdown, which leaves quotes as they are: still inert text.
    assert re.search(r"&lt;script&gt;alert\((&#39;|')stem(&#39;|')\)&lt;/script&gt;", mine)
    assert "&lt;img src=x onerror=alert(2)&gt;" in mine
    assert "&lt;b&gt;Camat&lt;/b&gt;" in mine or "&lt;b&gt;" in mine
    assert "Uji &lt;b&gt;laporan&lt;/b&gt; &amp; keamanan" in mine
    for path in out.rglob("*.html"):
        text = read(path)
        tags = parsed(text).tags
        assert "script" not in tags and "img" not in tags and "b" not in tags, path
        assert "<script" not in text.lower() and "onerror=alert" not in text.replace(
            "&lt;img src=x onerror=alert", ""
        )
    for page in ("index.html", "cohort.html"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in read(out / page)


def test_every_file_opens_offline(ws, tmp_path):
    close_all(ws)
    out = tmp_path / "laporan"
    write_reports(ws, out)
    files = list(out.rglob("*.html"))
    assert len(files) >= 8
    for path in files:
        text = read(path)
        for attr, value in parsed(text).links:
            assert attr == "href", (path, attr, value)
            assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", value, re.I) or value.startswith("#"), (
                path,
                value,
            )
            if not value.startswith("#"):
                assert (path.parent / value).resolve().is_file(), (path, value)
        assert "@import" not in text and not re.search(r"url\((?!#)", text), path


# -- the numbers --------------------------------------------------------------------------------


def test_the_numbers_match_the_stored_results(ws, tmp_path):
    close_all(ws)
    set_language("id")
    out = tmp_path / "laporan"
    write_reports(ws, out)
    n = Numbers("id")
    cohort = read(out / "cohort.html")
    results = ws.store.results(ws.event_id)
    by = {(r.phase_id, r.person_id): r for r in results}
    people = ws.store.participants(ws.event_id)
    for p in people:
        pre, post = by[("pre", p.person_id)], by[("post", p.person_id)]
        text = read(out / "participants" / f"{p.person_id}.html")
        assert n.pct(pre.percentage) in text and n.pct(post.percentage) in text
        assert n.signed(post.percentage - pre.percentage) in text
        row = cohort.split(f'href="participants/{p.person_id}.html"', 1)[1].split("</tr>", 1)[0]
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        assert cells[:3] == [
            n.pct(pre.percentage),
            n.pct(post.percentage),
            n.signed(post.percentage - pre.percentage),
        ]
    pre = np.array([by[("pre", p.person_id)].percentage for p in people])
    post = np.array([by[("post", p.person_id)].percentage for p in people])
    r = prepost(pre, post)
    assert n.signed(r.mean_gain) in cohort
    ci = r.confidence_interval()
    assert f"{n.signed(ci.low)} … {n.signed(ci.high)}" in cohort
    assert n.dec(r.gain.hake_g, 2) in cohort and n.dec(r.effects.d_z, 2) in cohort
    assert f"t({r.ttest.df}) = {n.dec(r.ttest.statistic, 2)}" in cohort
    assert "," in n.pct(12.5) and n.pct(12.5) == "12,5%"


def test_english_numbers_and_page_language(ws, tmp_path):
    close_all(ws)
    set_language("en")
    out = tmp_path / "laporan"
    write_reports(ws, out)
    text = read(out / "cohort.html")
    assert text.startswith('<!doctype html>\n<html lang="en">')
    assert "Cohort report" in text and "May 14" in text
    assert re.search(r"\d+\.\d%", text) and not re.search(r"\d+,\d%", text)
    set_language("id")
    write_reports(ws, out)
    text = read(out / "cohort.html")
    assert '<html lang="id">' in text and "Mei" in text and re.search(r"\d+,\d%", text)


# -- the charts ----------------------------------------------------------------------------------


def test_charts_escape_their_texts_and_read_in_greyscale():
    svg = charts.paired_bars("c", [("<b>x</b>", 40.0, None)], ("pre<", "post&"), 'axis"', str, "t<")
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg and "pre&lt;" in svg and "post&amp;" in svg
    assert 'fill="url(#c-hatch)"' in svg and "–" in svg  # the hatched series; a missing value
    assert not re.search(r'fill="#(?!fff|000|444|aaa|bbb)[0-9a-f]{3,6}"', svg)  # greys only
    hist = charts.histogram("h", [5, 15, 100], [95], ("a", "b"), "x", "y", str, str, "t")
    assert hist.count("<rect") >= 4 + 2  # three bins of the first, one of the second, and the legend
    gains = charts.gain_bars("g", [("k", -5.0, -9.0, -1.0), ("m", math.nan, None, None)], "gain", str, "t")
    assert "k</tspan>: -5.0" in gains and "m</tspan>: –" in gains


def test_demo_ends_with_the_reports(tmp_path, run):
    out = tmp_path / "demo"
    result = run("demo", "--out", str(out), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    index = out / "laporan" / "index.html"
    assert result.stdout.rstrip().splitlines()[-1].endswith(str(index))
    assert index.is_file() and len(list((out / "laporan" / "participants").glob("*.html"))) == 52
    sample = read(out / "laporan" / "participants" / "P0001.html")
    assert "Correct answer" in sample  # the worked course is over: its tests are closed


def test_reports_before_any_result_and_of_a_single_test(tmp_path):
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "assessment.yaml").write_text(ASSESSMENT.split("  - id: post")[0], encoding="utf-8")
    (folder / "bank").mkdir()
    (folder / "bank" / "uji.yaml").write_text(BANK, encoding="utf-8")
    (folder / "peserta.csv").write_text("Nama,Jabatan\nRina,Lurah\nBudi,Lurah\n", encoding="utf-8")
    ws = Workspace(folder, sqlite_url(folder / "assess.db"))
    import_participants(ws, folder / "peserta.csv")
    set_language("en")
    nothing = participant_text(ws, tmp_path / "a", "Rina")  # no form, no result yet
    assert "not taken" in nothing
    assert "Too few participants" not in read(tmp_path / "a" / "cohort.html")  # one test: no gain section
    build_phase_form(ws, "pre", now())
    simulate(ws, 3, now())
    score_phase(ws, "pre", now())
    ws.store.set_phase_state(ws.event_id, "pre", CLOSED, now())
    one = participant_text(ws, tmp_path / "b", "Rina")
    assert "Item review: Tes awal" in one and "Normalised gain" not in one
    chart = one.split("<svg", 1)[1].split("</svg>", 1)[0]
    # The hatch, the legend's one swatch, a bar per competency scored: T.01 rests on 4 items, T.02 on one.
    assert chart.count("<rect") == 1 + 1 + 1
    assert "too few items to assess this competency" in one
    ws.close()
