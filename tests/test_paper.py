"""Paper booklets and keys: the letters printed in each variant's booklet, read back from the HTML, fill an
answer sheet that imports to exactly the scores worked out by hand from the keys."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assess.forms import Form
from assess.store.store import Store
from tests.test_gforms import FIXTURES

EXAMPLE_EVENT, FIXTURE_EVENT = "payakumbuh-2019", "impor-uji"


# -- reading a rendered booklet ------------------------------------------------------------------


@dataclass
class Option:
    id: str
    letter: str = ""
    text: str = ""


@dataclass
class Question:
    number: int
    item: str
    type: str
    options: list[Option] = field(default_factory=list)
    prompts: list[tuple[str, int]] = field(default_factory=list)  # (prompt id, printed number)


class BookletReader(HTMLParser):
    """The questions as printed (data-item, data-option, the letter and text spans) and the sheet rows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.questions: list[Question] = []
        self.sheet: dict[int, tuple[str, list[str]]] = {}  # number -> (item, letters to circle)
        self.variant_on_sheet = None
        self._stack: list[tuple[str, str]] = []
        self._question: Question | None = None
        self._option: Option | None = None
        self._prompt: list | None = None
        self._row: int | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("br", "img", "meta", "input", "hr"):
            return
        self._stack.append((tag, a.get("class") or ""))
        if tag == "section" and "data-item" in a:
            self._question = Question(int(a["data-number"]), a["data-item"], a["data-type"])
            self.questions.append(self._question)
        elif tag == "section" and a.get("class") == "sheet":
            self._question = None
            self.variant_on_sheet = a["data-variant"]
        elif tag == "li" and "data-option" in a and self._question is not None:
            self._option = Option(a["data-option"])
        elif tag == "li" and "data-prompt" in a:
            self._prompt = [a["data-prompt"], None]
        elif tag == "span" and a.get("class") == "pnum" and self._prompt is not None:
            self._prompt[1] = int(a["data-number"])
        elif tag == "g" and a.get("class") == "row":
            self._row = int(a["data-number"])
            self.sheet[self._row] = (a["data-item"], [])
        elif tag == "g" and a.get("class") == "bubble" and self._row is not None:
            self.sheet[self._row][1].append(a["data-letter"])

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break
        if tag == "li" and self._option is not None:
            self._option.letter = self._option.letter.strip().removesuffix(".")  # printed "A."
            self._option.text = " ".join(self._option.text.split())
            self._question.options.append(self._option)
            self._option = None
        elif tag == "li" and self._prompt is not None:
            self._question.prompts.append(tuple(self._prompt))
            self._prompt = None
        elif (
            tag == "g" and self._row is not None and not any(t == "g" and c == "row" for t, c in self._stack)
        ):
            self._row = None

    def handle_data(self, data):
        if self._option is None:
            return
        classes = {c for _, c in self._stack}
        if "letter" in classes:
            self._option.letter += data
        elif "text" in classes:
            self._option.text += data


def read_booklet(path: Path) -> BookletReader:
    reader = BookletReader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader


class KeyReader(HTMLParser):
    """variant -> question number -> the key as printed (bold)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.keys: dict[str, dict[int, str]] = {}
        self._variant = None
        self._number = None
        self._in_key = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-variant" in a:
            self._variant = a["data-variant"]
            self.keys[self._variant] = {}
        elif tag == "tr" and "data-number" in a:
            self._number = int(a["data-number"])
            self.keys[self._variant][self._number] = ""
        elif tag == "strong" and self._number is not None:
            self._in_key = True

    def handle_endtag(self, tag):
        if tag == "strong":
            self._in_key = False
        elif tag == "tr":
            self._number = None

    def handle_data(self, data):
        if self._in_key:
            self.keys[self._variant][self._number] += data


# -- answers worked out from the keys and the letters read --------------------------------------


def letter_of(q: Question, option_id) -> str:
    return next(o.letter for o in q.options if o.id == option_id)


def cell_and_points(q: Question, form: Form, how: str) -> tuple[str, float | None]:
    """What a participant writes on the sheet for `q` (keyed, wrong or blank) and the points it earns by
    hand: keyed the item's points, wrong nothing (no negative marking in these events), weighted options
    their option's points; the type weights of the form's policy. None: not on the sheet (an essay)."""
    item = form.item(q.item)
    weight = form.policy.type_weights.get(item.type, 1.0)
    if item.type == "essay":
        return "", None
    if how == "blank":
        return "", 0.0
    keyed = how == "keyed"
    if item.type == "single_choice":
        wrong = next(o.id for o in q.options if o.id != item.key)
        return letter_of(q, item.key if keyed else wrong), float(keyed) * item.max_points
    if item.type == "multiple_response":
        chosen = [o.id for o in q.options if (o.id in item.key) == keyed]
        return "".join(letter_of(q, o) for o in chosen), float(keyed) * item.max_points
    if item.type == "true_false":
        return letter_of(q, "true" if item.key == keyed else "false"), float(keyed) * item.max_points
    if item.type == "matching":
        pairs = []
        for prompt, n in q.prompts:
            right = item.key[prompt]
            choice = right if keyed else next(o.id for o in q.options if o.id != right)
            pairs.append(f"{n}{letter_of(q, choice)}")
        return " ".join(pairs), float(keyed) * item.max_points
    if item.type == "ordering":
        order = list(item.key) if keyed else item.key[1:] + item.key[:1]  # every position wrong
        return "".join(letter_of(q, o) for o in order), float(keyed) * item.max_points
    if item.type == "numeric":
        return (f"{item.value:g}" if keyed else f"{item.value + 1000:g}"), float(keyed) * item.max_points
    if item.type == "short_answer":
        return (item.accepted[0].text if keyed else "jawaban keliru"), float(keyed) * item.max_points
    if item.type == "weighted_options":
        pick = (max if keyed else min)(item.options, key=lambda o: o.points)
        return letter_of(q, pick.id), pick.points * weight
    raise AssertionError(item.type)


PATTERNS = {  # keyed, wrong or blank, by question number
    "keyed": lambda k: "keyed",
    "wrong": lambda k: "wrong",
    "mixed": lambda k: ("keyed", "wrong", "blank")[k % 3],
}


def fill_sheet(
    form: Form, booklets: dict[str, BookletReader], who: list[tuple[str, str, str]], absent: str
) -> tuple[list[list], dict, dict]:
    """Sheet rows, one per (person, variant, pattern), the letters taken from that variant's booklet;
    then `absent`, a row without answers (did not sit: no attempt). Also the points expected by hand
    per person and item, and the items each left blank."""
    n = len(form.items)
    rows = [["Peserta", "Nama", "Varian", *(str(k) for k in range(1, n + 1))]]
    expected, blank = {}, {}
    for person, label, pattern in who:
        cells, items, blank[person] = [""] * n, {}, set()
        for q in booklets[label].questions:
            text, points = cell_and_points(q, form, PATTERNS[pattern](q.number))
            cells[q.number - 1] = text
            if points is not None:
                items[q.item] = points
                if not text:
                    blank[person].add(q.item)
        rows.append([person, "", label.lower() if label == "B" else label, *cells])  # either case reads
        expected[person] = items
    rows.append([absent, "", "A", *([""] * n)])
    return rows, expected, blank


def stored(folder: Path, event: str, phase: str = "pre") -> tuple[Form, dict]:
    store = Store.open(f"sqlite:///{folder / 'assess.db'}")
    try:
        return store.form(event, phase), {r.person_id: r for r in store.results(event, phase)}
    finally:
        store.close()


def write_csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


# -- workspaces ---------------------------------------------------------------------------------


def example(tmp_path: Path, run) -> Path:
    folder = tmp_path / "ws"
    assert run("init", "--example", "payakumbuh-2019", str(folder)).exit_code == 0
    assert run("-w", str(folder), "participants", "import", str(folder / "peserta.csv")).exit_code == 0
    for phase in ("pre", "post"):
        assert run("-w", str(folder), "form", "build", "--phase", phase).exit_code == 0
    return folder


def fixture(tmp_path: Path, run, edit=None) -> Path:
    """The import tests' event: one item of every type (ordering and essay too), two variants."""
    folder = tmp_path / "fx"
    shutil.copytree(FIXTURES / "workspace", folder)
    if edit is not None:
        edit(folder)
    assert run("-w", str(folder), "participants", "import", str(folder / "peserta.csv")).exit_code == 0
    result = run("-w", str(folder), "form", "build", "--phase", "pre")
    assert result.exit_code == 0, result.stderr
    return folder


def print_paper(run, folder: Path, out: Path, *extra: str):
    return run("-w", str(folder), *extra, "form", "print", "--phase", "pre", "--out", str(out))


# -- the round trip -------------------------------------------------------------------------------


def read_printed(tmp_path: Path, run, folder: Path, event: str) -> tuple[Form, dict, KeyReader]:
    """Print the phase, then read every variant's booklet and the key; check them against each other."""
    out = tmp_path / "cetak"
    result = print_paper(run, folder, out)
    assert result.exit_code == 0, result.stderr
    form, _ = stored(folder, event)
    labels = [v.label for v in form.variants]
    assert len(labels) >= 2
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"naskah-pre-{v}.html" for v in labels]
        + [f"lembar-pre-{v}.html" for v in labels]
        + ["kunci-pre.html"]
    )
    booklets = {v: read_booklet(out / f"naskah-pre-{v}.html") for v in labels}
    keys = KeyReader()
    keys.feed((out / "kunci-pre.html").read_text(encoding="utf-8"))
    for label, booklet in booklets.items():
        # Every question once, numbered 1..N, each option with its letter and its own text as printed.
        assert [q.number for q in booklet.questions] == list(range(1, len(form.items) + 1))
        assert sorted(q.item for q in booklet.questions) == sorted(i.id for i in form.items)
        assert booklet.variant_on_sheet == label
        for q in booklet.questions:
            item = form.item(q.item)
            parts = {o.id: o.text for o in getattr(item, "choices", getattr(item, "options", []))}
            if item.type == "true_false":
                assert [(o.id, o.letter) for o in q.options] == [("true", "B"), ("false", "S")]
            else:
                assert sorted(o.id for o in q.options) == sorted(parts)
                assert [o.letter for o in q.options] == [chr(ord("A") + k) for k in range(len(q.options))]
                for o in q.options:  # the text printed is the option's (Markdown emphasis aside)
                    assert o.text == " ".join(parts[o.id].replace("**", "").split())
            if item.type == "matching":
                assert q.prompts == [(p.id, k) for k, p in enumerate(item.prompts, 1)]
            # The sheet's row for the question: the same item and the letters to circle.
            sheet_item, bubbles = booklet.sheet[q.number]
            assert sheet_item == q.item
            if item.type in ("single_choice", "multiple_response", "true_false", "weighted_options"):
                assert bubbles == [o.letter for o in q.options]
            # The trainer's key says the keyed letters of the same booklet.
            keyed, _ = cell_and_points(q, form, "keyed")
            printed = keys.keys[label][q.number]
            if item.type in ("single_choice", "ordering", "matching"):
                assert printed == keyed
            elif item.type == "multiple_response":
                assert printed.replace(", ", "") == keyed
            elif item.type == "true_false":
                assert printed.startswith(keyed + " ")
    # The variants differ, so a letter read from the wrong booklet would score wrongly.
    a, b = booklets[labels[0]], booklets[labels[1]]
    assert [(q.item, [o.id for o in q.options]) for q in a.questions] != [
        (q.item, [o.id for o in q.options]) for q in b.questions
    ]
    return form, booklets, keys


def import_and_check(tmp_path: Path, run, folder: Path, event: str, form: Form, filled) -> dict:
    rows, expected, expected_blank = filled
    sheet = write_csv(tmp_path / "lembar.csv", rows)
    result = run("-w", str(folder), "responses", "import", str(sheet), "--format", "sheet", "--phase", "pre")
    assert result.exit_code == 0, result.stderr
    _, results = stored(folder, event)
    assert sorted(results) == sorted(expected)  # the one who did not sit has no result
    weight = form.policy.type_weights
    top = sum(i.max_points * weight.get(i.type, 1.0) for i in form.items)
    essays = [i.id for i in form.items if i.type == "essay"]
    for person, items in expected.items():
        r = results[person]
        got = {i: m.points for i, m in r.items.items() if i in items}
        assert got == pytest.approx(items, abs=1e-9), person
        assert r.points == pytest.approx(sum(items.values()), abs=1e-9)
        assert r.max_points == pytest.approx(top)
        assert r.percentage == pytest.approx(100 * sum(items.values()) / top, abs=1e-6)
        # An essay is written in the booklet: its cell stays empty and it waits for its mark.
        assert all(r.items[e].points == 0 and r.items[e].pending for e in essays)
        assert r.provisional is bool(essays)
        blanks = {i for i, m in r.items.items() if m.blank and i not in essays}
        assert blanks == expected_blank[person]
    return results


def test_every_variant_of_the_worked_example_reads_back_to_the_scores_by_hand(tmp_path, run):
    folder = example(tmp_path, run)
    form, booklets, _ = read_printed(tmp_path, run, folder, EXAMPLE_EVENT)
    who = [
        ("P0001", "A", "keyed"),
        ("P0002", "A", "wrong"),
        ("P0003", "A", "mixed"),
        ("P0004", "B", "keyed"),
        ("P0005", "B", "wrong"),
        ("P0006", "B", "mixed"),
    ]
    filled = fill_sheet(form, booklets, who, absent="P0007")
    results = import_and_check(tmp_path, run, folder, EXAMPLE_EVENT, form, filled)
    top = results["P0001"].max_points
    # Every point but the essay's, written in the booklet and waiting for its mark.
    [essay] = [i for i in form.items if i.type == "essay"]
    assert results["P0001"].points == results["P0004"].points == pytest.approx(top - essay.max_points)
    assert 0 < results["P0003"].points < top and 0 < results["P0006"].points < top


def test_every_item_type_reads_back_ordering_and_essay_too(tmp_path, run):
    folder = fixture(tmp_path, run)
    form, booklets, keys = read_printed(tmp_path, run, folder, FIXTURE_EVENT)
    assert {i.type for i in form.items} == {
        "single_choice", "multiple_response", "true_false", "matching", "ordering",
        "numeric", "short_answer", "weighted_options", "essay",
    }  # fmt: skip
    essay = next(q for q in booklets["A"].questions if q.type == "essay")
    # Answered in the booklet; on the sheet a bubble per rubric level, for the marker.
    levels = len(form.item(essay.item).rubric)
    assert booklets["A"].sheet[essay.number][1] == [str(k) for k in range(levels)]
    assert "Sebagian 2" in keys.keys["A"][essay.number]  # the rubric in the key
    who = [("P0001", "A", "keyed"), ("P0002", "A", "wrong"), ("P0003", "B", "mixed"), ("P0004", "B", "keyed")]
    filled = fill_sheet(form, booklets, who, absent="P0005")
    results = import_and_check(tmp_path, run, folder, FIXTURE_EVENT, form, filled)
    # By hand, from the fixture's keys: all keyed 1 + 2 + 1 + 2 + 3 + 1 + 1 + 5 = 16 (the essay unmarked);
    # all wrong: only the weighted item's lowest option, 1.
    assert results["P0001"].points == pytest.approx(16) and results["P0004"].points == pytest.approx(16)
    assert results["P0002"].points == pytest.approx(1)


# -- the command, safety, languages --------------------------------------------------------------


def test_one_variant_lower_case_and_the_key_of_that_variant_only(tmp_path, run):
    folder = fixture(tmp_path, run)
    out = tmp_path / "cetak"
    result = print_paper(run, folder, out, "--lang", "en")
    assert result.exit_code == 0
    shutil.rmtree(out)
    result = run(
        "-w",
        str(folder),
        "--lang",
        "en",
        "form",
        "print",
        "--phase",
        "pre",
        "--variant",
        "b",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "kunci-pre.html",
        "lembar-pre-B.html",
        "naskah-pre-B.html",
    ]
    assert f"Booklet: {out / 'naskah-pre-B.html'}" in result.stdout
    keys = KeyReader()
    keys.feed((out / "kunci-pre.html").read_text(encoding="utf-8"))
    assert list(keys.keys) == ["B"]
    html = (out / "naskah-pre-B.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Answer sheet" in html


def test_an_unknown_variant_or_phase_or_a_missing_form_writes_nothing(tmp_path, run):
    folder = fixture(tmp_path, run)
    out = tmp_path / "cetak"
    result = run("-w", str(folder), "form", "print", "--phase", "pre", "--variant", "C", "--out", str(out))
    assert result.exit_code == 2
    assert "PAPER-VARIANT-UNKNOWN" in result.stderr and "A, B" in result.stderr
    result = run("-w", str(folder), "form", "print", "--phase", "post", "--out", str(out))
    assert result.exit_code == 2 and "WORKSPACE-NO-FORM" in result.stderr
    result = run("-w", str(folder), "form", "print", "--phase", "nope", "--out", str(out))
    assert result.exit_code == 2 and "WORKSPACE-NO-PHASE" in result.stderr
    assert not out.exists()


def test_the_default_folder_is_the_workspace_and_indonesian_is_the_default(tmp_path, run):
    folder = fixture(tmp_path, run)
    result = run("-w", str(folder), "form", "print", "--phase", "pre")
    assert result.exit_code == 0
    html = (folder / "naskah-pre-A.html").read_text(encoding="utf-8")
    assert '<html lang="id">' in html
    assert "Benar" in html and "Salah" in html  # true/false as B/S, in Indonesian words
    assert "<strong>mengusulkan</strong>" in html  # the stem's Markdown emphasis
    assert (folder / "kunci-pre.html").exists()


HOSTILE = "<script>alert(1)</script>"


class Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.found += [
            (tag, k, v or "")
            for k, v in attrs
            if k in ("src", "href", "srcset", "action") or k.startswith("on")
        ]


def fetched(html: str) -> list[tuple[str, str, str]]:
    """Every element attribute that would load or run something (src, href, on...), and any script,
    style sheet link, image, frame or object element."""
    parser = Attributes()
    parser.feed(html)
    return parser.found + [
        (t, "", "") for t in parser.tags & {"script", "link", "img", "iframe", "object", "embed"}
    ]


def _hostile(folder: Path) -> None:
    bank = folder / "soal.yaml"
    text = bank.read_text(encoding="utf-8")
    text = text.replace(
        "stem: Siapa yang **mengusulkan** pengangkatan lurah?",
        "stem: 'Siapa <script>alert(1)</script> [klik](http://evil.example/x) ![g](http://evil.example/g.png)'",
    )
    text = text.replace("{id: camat, text: Camat}", "{id: camat, text: '<img src=x onerror=alert(2)>'}", 1)
    bank.write_text(text, encoding="utf-8")
    event = folder / "assessment.yaml"
    event.write_text(
        event.read_text(encoding="utf-8").replace(
            "title: Uji impor jawaban", "title: '<b onmouseover=x>Uji</b>'"
        ),
        encoding="utf-8",
    )


def test_hostile_text_is_escaped_and_nothing_is_fetched(tmp_path, run):
    folder = fixture(tmp_path, run, edit=_hostile)
    out = tmp_path / "cetak"
    assert print_paper(run, folder, out).exit_code == 0
    for page in out.iterdir():
        html = page.read_text(encoding="utf-8")
        assert HOSTILE not in html and "<img" not in html and "<b onmouseover" not in html
        assert fetched(html) == [], page.name  # no links, no images, no scripts: nothing to fetch
        assert "<script" not in html.lower()
    booklet = (out / "naskah-pre-A.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in booklet
    assert "&lt;img src=x onerror=alert(2)&gt;" in booklet
    assert "&lt;b onmouseover=x&gt;Uji&lt;/b&gt;" in booklet
    reader = read_booklet(out / "naskah-pre-A.html")
    sc = next(q for q in reader.questions if q.item == "fx-sc")
    assert "<img src=x onerror=alert(2)>" in [o.text for o in sc.options]  # shown as the text it is


# -- the item report ------------------------------------------------------------------------------


def simulated(tmp_path: Path, run, anchors: int = 0) -> Path:
    """The worked example, simulated and scored; the post-test sharing `anchors` items with the pre-test."""
    folder = tmp_path / "ws"
    assert run("init", "--example", "payakumbuh-2019", str(folder)).exit_code == 0
    event = folder / "assessment.yaml"
    event.write_text(
        event.read_text(encoding="utf-8").replace("anchors: 0", f"anchors: {anchors}"), encoding="utf-8"
    )
    assert run("-w", str(folder), "participants", "import", str(folder / "peserta.csv")).exit_code == 0
    for phase in ("pre", "post"):
        assert run("-w", str(folder), "form", "build", "--phase", phase).exit_code == 0
    assert run("-w", str(folder), "simulate").exit_code == 0
    assert run("-w", str(folder), "score").exit_code == 0
    return folder


def items_report(folder: Path, out: Path, lang: str = "id") -> str:
    from assess.i18n import set_language
    from assess.reports.items import write_items_report
    from assess.store.engine import sqlite_url
    from assess.workspace import Workspace

    set_language(lang)
    ws = Workspace(folder, sqlite_url(folder / "assess.db"))
    try:
        path = write_items_report(ws, out)
    finally:
        ws.close()
        set_language(None)
    assert path == out / "items.html"
    return path.read_text(encoding="utf-8")


class ReportReader(HTMLParser):
    """Per phase: the item table's cells by item; flags (code, text) and the bars of each item's chart."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.table: dict[str, dict[str, list[str]]] = {}
        self.flags: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.bars: dict[tuple[str, str], list[tuple[str, float]]] = {}
        self.changes: list[list[str]] = []
        self._phase = self._row = self._article = self._flag = None
        self._cell: list[str] | None = None
        self._in_changes = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-phase" in a:
            self._phase = a["data-phase"]
            self.table[self._phase] = {}
        elif tag == "section" and a.get("id") == "changes":
            self._phase, self._in_changes = None, True
        elif tag == "tr" and "data-item" in a and self._in_changes:
            self._row = a["data-item"]
            self.changes.append([])
        elif tag == "tr" and "data-item" in a and self._phase:
            self._row = a["data-item"]
            self.table[self._phase][self._row] = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "article":
            self._article = (self._phase, a["data-item"])
        elif tag == "li" and "data-code" in a:
            self._flag = [a["data-code"], ""]
        elif tag == "rect" and "data-group" in a:
            self.bars.setdefault(self._article, []).append((a["data-group"], float(a["width"])))

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            (self.changes[-1] if self._in_changes else self.table[self._phase][self._row]).append(text)
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "li" and self._flag is not None:
            self.flags.setdefault(self._article, []).append((self._flag[0], " ".join(self._flag[1].split())))
            self._flag = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._flag is not None:
            self._flag[1] += data


def read_report(html: str) -> ReportReader:
    reader = ReportReader()
    reader.feed(html)
    return reader


def indonesian(msgid: str) -> str:
    from assess.i18n import _, set_language

    set_language("id")
    try:
        return _(msgid)
    finally:
        set_language(None)


def test_the_item_report_shows_the_analysis_worded_and_charted(tmp_path, run):
    import json

    from assess.reports.items import FIXES

    folder = simulated(tmp_path, run)
    html = items_report(folder, tmp_path / "rapor")
    report = read_report(html)
    result = run("-w", str(folder), "analyze", "items", "--phase", "pre", "--json")
    analysis = {i["id"]: i for i in json.loads(result.stdout)["items"]}
    form, _ = stored(folder, EXAMPLE_EVENT)
    assert list(report.table["pre"]) == list(analysis)  # every item of the phase
    for item_id, a in analysis.items():
        number, link, _type, _competency, facility, discrimination, d, flags = report.table["pre"][item_id]
        assert number == str(form.variants[0].items.index(item_id) + 1)
        assert facility == f"{a['facility']:.2f}".replace(".", ",")  # Indonesian decimals
        assert discrimination == f"{a['item_rest_r']:.2f}".replace(".", ",").replace("-0,00", "0,00")
        assert flags == (str(len(a["flags"])) if a["flags"] else "")
        shown = report.flags.get(("pre", item_id), [])
        assert [code for code, _ in shown] == [f["code"] for f in a["flags"]]
        for (code, text), flag in zip(shown, a["flags"], strict=True):
            assert "{" not in text and indonesian(FIXES[code]) in text  # worded, with its fix
            for value in flag["params"].values():  # its numbers as Indonesian writes them
                assert (f"{value:g}".replace(".", ",") if isinstance(value, float) else str(value)) in text
        options = (a.get("options") or {}).get("options")
        if options:  # two bars per option, as wide as the upper and lower groups' shares
            bars = report.bars[("pre", item_id)]
            assert bars == [
                (g, pytest.approx(round(max(0.0, o[g]) * 260, 1), abs=0.06))
                for o in options
                for g in ("upper", "lower")
            ]
        else:
            assert ("pre", item_id) not in report.bars
    assert any(report.flags.values())  # the simulated cohort has flagged items
    assert 'aria-label="' in html and "<title>" in html  # each chart is named
    assert report.changes == []  # parallel forms: nothing to compare, and the report says why
    assert "parallel form" in html or "paralel" in html
    assert fetched_external(html) == []


def fetched_external(html: str) -> list:
    """Attributes that would fetch or run something: only links inside the page or to index.html pass."""
    return [
        f for f in fetched(html) if not (f[1] == "href" and (f[2].startswith("#") or f[2] == "index.html"))
    ]


def test_the_items_that_changed_most_are_the_anchors_with_their_mcnemar_p(tmp_path, run):
    folder = simulated(tmp_path, run, anchors=6)
    form_pre, _ = stored(folder, EXAMPLE_EVENT, "pre")
    form_post, _ = stored(folder, EXAMPLE_EVENT, "post")
    common = {i.id for i in form_pre.items} & {i.id for i in form_post.items}
    assert len(common) == 6
    report = read_report(items_report(folder, tmp_path / "rapor", lang="en"))
    assert {row[0] for row in report.changes} == common
    changes = [float(row[3]) for row in report.changes]
    assert changes == sorted(changes, key=lambda c: -abs(c))  # the largest change first
    types = {i.id: i.type for i in form_pre.items}
    for item, pre, post, change, p in report.changes:
        assert float(post) - float(pre) == pytest.approx(float(change), abs=0.011)
        if p == "–":  # partial marks (the essay, say): no right/wrong pairs to test
            assert types[item] not in ("single_choice", "true_false")
        else:
            assert p == "< 0.001" or 0 <= float(p) <= 1  # McNemar's exact p, on the paired participants
        assert report.table["pre"][item][4] == pre and report.table["post"][item][4] == post


def test_the_item_report_escapes_hostile_text_and_waits_for_essay_marks(tmp_path, run):
    folder = fixture(tmp_path, run, edit=_hostile)
    assert run("-w", str(folder), "form", "build", "--phase", "post").exit_code == 0
    assert run("-w", str(folder), "simulate").exit_code == 0
    assert run("-w", str(folder), "score").exit_code == 0
    html = items_report(folder, tmp_path / "rapor")
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html  # in the option's label
    assert fetched_external(html) == []
    report = read_report(html)
    assert set(report.table["pre"]) == {i.id for i in stored(folder, FIXTURE_EVENT)[0].items}
    # same_items: every item is on both forms, each compared.
    assert len(report.changes) == len(report.table["pre"])


def test_the_key_shows_accepted_answers_and_a_pattern_only_in_a_line_for_the_trainer(tmp_path, run):
    """A short answer's regular expression is the scoring's business: the key shows the accepted texts,
    and the pattern on a line of its own for the trainer (issue 16, point 6)."""
    folder = example(tmp_path, run)
    out = tmp_path / "cetak"
    assert print_paper(run, folder, out, "--lang", "en").exit_code == 0
    form, _ = stored(folder, EXAMPLE_EVENT)
    with_patterns = [i for i in form.items if i.type == "short_answer" and any(a.regex for a in i.accepted)]
    assert with_patterns
    keys = KeyReader()
    html = (out / "kunci-pre.html").read_text(encoding="utf-8")
    keys.feed(html)
    variant_a = form.variants[0]
    for item in with_patterns:
        number = variant_a.items.index(item.id) + 1
        printed = keys.keys["A"][number]
        assert all(a.text in printed for a in item.accepted if a.text)
        assert not any(a.regex in printed for a in item.accepted if a.regex)
        for a in item.accepted:
            if a.regex:
                note = "For the trainer: the scoring also accepts what matches " + a.regex
                assert note in unescape(html)
