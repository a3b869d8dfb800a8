"""Google Forms exports in, scored attempts out; or every problem located and nothing written."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from assess.delivery.gforms import plan_google_forms
from assess.delivery.gforms.text import day_first, parse_score, parse_timestamp, split_choices
from assess.sheets.read import read_table
from assess.store import schema
from assess.store.store import Result, Store

FIXTURES = Path(__file__).parent / "fixtures" / "gforms"
EVENT = "impor-uji"
SC = "Siapa yang mengusulkan pengangkatan lurah?"
MR = "Tugas lurah meliputi (pilih semua yang benar)"
TF = "Lurah diangkat dari pegawai negeri sipil."
MT = "Pasangkan setiap pejabat dengan yang mengangkatnya."
OR = "Urutkan dari jabatan yang paling atas."
NU = "Paling sedikit berapa persen APBD dialokasikan untuk kelurahan?"
SA = "Lembaga apa yang mengawasi penyelenggaraan pelayanan publik?"
WO = "Seorang warga marah di loket. Apa yang Anda lakukan?"
ES = "Jelaskan kedudukan lurah."
TABLES = (schema.attempts, schema.responses, schema.answer_history, schema.results, schema.audit_log)

# Points by hand (see the fixture bank tests/fixtures/gforms/workspace/soal.yaml and the default
# policy: multiple response partial, each keyed option 1/2, each wrong one 1/max(wrong, 2) = 1/2,
# floored at 0; matching per prompt; ordering per position; weighted options their own points).
# Maximum: sc 1 + mr 2 + tf 1 + mt 2 + or 3 + nu 1 + sa 1 + wo 5 + es 4 = 20.
EXPECTED = {
    # Ani: everything keyed, wo the 5-point option; the essay answered, so pending (0 for now).
    "P0001": (1 + 2 + 1 + 2 + 3 + 1 + 1 + 5 + 0, True),
    # Budi's later submission: sc wrong 0; mr only the wrong "...masyarakat" (c) 0;
    # tf wrong 0; mt lurah right 1, camat wrong 0; or [camat, bupati, lurah]: the third
    # position right, 1; nu 5,0 right 1; sa blank 0; wo 3; es blank 0.
    "P0002": (0 + 0 + 0 + 1 + 1 + 1 + 0 + 3 + 0, False),
    # Citra: sc 1; mr only a (the option with ", " in it) 1/2 of 2 = 1; tf 1; mt 0; or blank 0;
    # nu 6 wrong 0; sa "OMBUDSMAN" 1; wo 1; es blank.
    "P0003": (1 + 1 + 1 + 0 + 0 + 0 + 1 + 1 + 0, False),
}


def workspace(tmp_path: Path, run, database: str | None = None) -> tuple[Path, list[str]]:
    folder = tmp_path / "ws"
    shutil.copytree(FIXTURES / "workspace", folder)
    base = ["-w", str(folder)] + (["--db", database] if database else [])
    assert run(*base, "participants", "import", str(folder / "peserta.csv")).exit_code == 0
    for phase in ("pre", "post"):
        result = run(*base, "form", "build", "--phase", phase)
        assert result.exit_code == 0, result.stderr
    return folder, base


def url_of(folder: Path, database: str | None) -> str:
    return database or f"sqlite:///{folder / 'assess.db'}"


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        out = {t.name: c.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in TABLES}
    engine.dispose()
    return out


def results(url: str, phase: str) -> dict[str, Result]:
    store = Store.open(url)
    try:
        return {r.person_id: r for r in store.results(EVENT, phase)}
    finally:
        store.close()


def write_csv(path: Path, rows: list[list[str]], separator: str = ",") -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=separator).writerows(rows)
    return path


# -- the core's pieces ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("2026/10/04 10:15:00 AM GMT+5:30", False, dt.datetime(2026, 10, 4, 4, 45)),
        ("2026/09/27 3:00:00 PM GMT+3", False, dt.datetime(2026, 9, 27, 12, 0)),
        ("2026/09/27 12:30:00 AM GMT+7", False, dt.datetime(2026, 9, 26, 17, 30)),
        ("8/4/2025 23:25:41", False, dt.datetime(2025, 8, 4, 16, 25, 41)),  # Jakarta is UTC+7
        ("8/4/2025 23:25:41", True, dt.datetime(2025, 4, 8, 16, 25, 41)),
        ("2026-09-08 14:03:21", True, dt.datetime(2026, 9, 8, 7, 3, 21)),
        ("04/10/2026 10.15.00", True, dt.datetime(2026, 10, 4, 3, 15)),
        ("2026-10-04T10:15:00", False, dt.datetime(2026, 10, 4, 3, 15)),  # an XLSX date cell
    ],
)
def test_timestamps_in_the_listed_formats(text, dayfirst, expected):
    assert parse_timestamp(text, dayfirst, "Asia/Jakarta") == expected


@pytest.mark.parametrize("text", ["kemarin", "31/31/2026 10.00.00", "2026/10/04 13:00:00 PM", ""])
def test_unreadable_timestamps_are_none(text):
    assert parse_timestamp(text, True, "Asia/Jakarta") is None


def test_day_first_from_the_values_else_the_language():
    assert day_first(["13/10/2026 10:00:00"], indonesian=False) is True
    assert day_first(["10/13/2026 10:00:00"], indonesian=True) is False
    assert day_first(["04/10/2026 10.15.00"], indonesian=False) is True  # points in the time
    assert day_first(["04/10/2026 10:15:00"], indonesian=True) is True
    assert day_first(["04/10/2026 10:15:00"], indonesian=False) is False


@pytest.mark.parametrize(
    ("text", "expected"), [("28.00 / 30", 93.333), ("4 / 5", 80.0), ("0 / 1", 0.0), ("13,5 / 15", 90.0)]
)
def test_scores_are_read(text, expected):
    assert parse_score(text) == pytest.approx(expected, abs=1e-3)


def test_checkbox_cells_split_on_known_texts_longest_first():
    options = {
        "melakukan pemberdayaan masyarakat, termasuk rt dan rw": "a",
        "melaksanakan pelayanan masyarakat": "b",
        "melakukan pemberdayaan masyarakat": "c",
    }
    both = "Melakukan pemberdayaan masyarakat, termasuk RT dan RW, Melaksanakan pelayanan masyarakat"
    assert split_choices(both, options) == (["a", "b"], None)
    assert split_choices("Melakukan pemberdayaan masyarakat", options) == (["c"], None)
    assert split_choices("Melakukan pemberdayaan masyarakat, Melaksanakan pelayanan masyarakat", options) == (
        ["c", "b"],
        None,
    )
    # The longest text would leave "termasuk RT" unexplained; the shorter one is taken, then fails.
    ids, bad = split_choices("Melaksanakan pelayanan masyarakat, Lainnya: gotong royong", options)
    assert ids == [] and bad == "lainnya: gotong royong"
    assert split_choices("", options) == ([], None)


# -- whole exports, through the command ---------------------------------------------


@pytest.mark.parametrize("export", ["export-en.csv", "export-id.csv"])
def test_an_export_in_each_header_language_is_scored_by_hand(tmp_path, run, export):
    folder, base = workspace(tmp_path, run)
    result = run(*base, "--lang", "en", "responses", "import", str(FIXTURES / export), "--format",
                 "google-forms", "--phase", "pre")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "phase pre: 3 attempts imported" in out
    assert "column 6 'Kesan dan pesan' ignored: no item of the form" in out
    assert "2 participants have no attempt on this phase" in out
    assert "the export's own scores (not used): mean 43.3%" in out
    assert "mean 45.0%" in out  # (80 + 30 + 25) / 3, by this engine's rules
    if export == "export-id.csv":
        assert "dates read as day/month/year" in out
        assert "row 2: an earlier submission of P0002; row 3 is taken" in out
    else:
        assert "row 4: an earlier submission of P0002; row 2 is taken" in out
    got = results(url_of(folder, None), "pre")
    assert set(got) == set(EXPECTED)
    for person, (points, provisional) in EXPECTED.items():
        assert got[person].points == pytest.approx(points), person
        assert got[person].max_points == pytest.approx(20)
        assert got[person].provisional is provisional
    store = Store.open(url_of(folder, None))
    attempts = store.attempts(EVENT, "pre")
    assert {a.channel for a in attempts} == {"import"} and {a.status for a in attempts} == {"submitted"}
    answers = store.answers_of([a.id for a in attempts])
    ani = answers[next(a.id for a in attempts if a.person_id == "P0001")]
    store.close()
    assert ani["fx-mr"] == ["a", "b"]
    assert ani["fx-mt"] == {"lurah": "bupati", "camat": "bupati"}
    assert ani["fx-or"] == ["bupati", "camat", "lurah"]
    assert ani["fx-tf"] is True
    assert ani["fx-nu"] == "5"  # numbers and short answers are kept as typed
    assert ani["fx-es"] == "Lurah adalah perangkat kecamatan."


def test_the_indonesian_export_times_are_the_attempts_times(tmp_path, run):
    folder, _ = workspace(tmp_path, run)
    store = Store.open(url_of(folder, None))
    form, people = store.form(EVENT, "pre"), store.participants(EVENT)
    store.close()
    plan = plan_google_forms(read_table(FIXTURES / "export-id.csv"), form, people, file="export-id.csv")
    times = {r["person_id"]: r["finished_at"] for r in plan.records}
    # 10.15 in Asia/Jakarta (UTC+7) is 03.15 UTC; Budi's taken row is 3 October (day first).
    assert times == {
        "P0001": dt.datetime(2026, 10, 4, 3, 15),
        "P0002": dt.datetime(2026, 10, 3, 3, 0),
        "P0003": dt.datetime(2026, 10, 4, 3, 30),
    }
    assert sorted(plan.form_scores) == pytest.approx([25.0, 30.0, 75.0])


def test_match_by_nip_from_the_event_file_and_by_name_from_the_option(tmp_path, run):
    folder, base = workspace(tmp_path, run)
    text = (folder / "assessment.yaml").read_text(encoding="utf-8")
    (folder / "assessment.yaml").write_text(
        text + "imports:\n  google_forms: {match_by: nip, column: NIP peserta}\n", encoding="utf-8"
    )
    header = [
        "Timestamp",
        "NIP peserta",
        "Nama",
        SC,
        MR,
        TF,
        f"{MT} [Lurah]",
        f"{MT} [Camat]",
        OR,
        NU,
        SA,
        WO,
        ES,
    ]
    row = ["", "1970 0416 1994 0410 11", "Citra Dewi", "Camat", "", "Salah", "", "", "", "", "", "", ""]
    export = write_csv(tmp_path / "nip.csv", [header, row])
    result = run(*base, "--lang", "en", "responses", "import", str(export), "--format", "google-forms",
                 "--phase", "pre")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert set(results(url_of(folder, None), "pre")) == {"P0001"}  # the NIP's owner, not the name's
    result = run(*base, "--lang", "en", "responses", "import", str(export), "--format", "google-forms",
                 "--phase", "post", "--match", "name")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert set(results(url_of(folder, None), "post")) == {"P0003"}


def test_a_mapping_file_names_the_items_of_other_titles(tmp_path, run):
    folder, base = workspace(tmp_path, run)
    header = ["Email Address", "Soal 1", "Soal 2", "Benar atau salah?", "Pasangan [Lurah]", "Pasangan camat",
              "Urutan", "Persen", "Lembaga", "Sikap", "Uraian", "Catatan"]  # fmt: skip
    row = ["ani@contoh.test", "Sekretaris daerah", "Melaksanakan pelayanan masyarakat", "Benar", "Bupati/wali kota",
           "Gubernur", "Bupati/wali kota, Camat, Lurah", "5", "Ombudsman", "Mendengarkan keluhannya", ""]  # fmt: skip
    export = write_csv(tmp_path / "judul-lain.csv", [header, row])
    mapping = tmp_path / "peta.yaml"
    mapping.write_text(
        "# column title (or number) -> item id\n"
        "Soal 1: fx-sc\n"
        "3: fx-mr\n"
        "Benar atau salah?: fx-tf\n"
        "Pasangan [Lurah]: fx-mt\n"
        "Pasangan camat: fx-mt/camat\n"
        "Urutan: fx-or\n"
        "Persen: fx-nu\n"
        "Lembaga: fx-sa\n"
        "Sikap: fx-wo\n"
        "Uraian: fx-es\n"
        "Catatan:\n"
        "Kolom yang tidak ada: fx-sc\n",
        encoding="utf-8",
    )
    result = run(*base, "--lang", "en", "responses", "import", str(export), "--format", "google-forms",
                 "--phase", "pre", "--mapping", str(mapping))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "mapping 'Kolom yang tidak ada' matches no column of the file" in result.stdout
    # sc 1, mr b only 1/2 of 2 = 1, tf 1, mt lurah 1 + camat 0, or 3, nu 1, sa 1, wo 5, es blank.
    assert results(url_of(folder, None), "pre")["P0001"].points == pytest.approx(
        1 + 1 + 1 + 1 + 3 + 1 + 1 + 5
    )


def test_every_unmatched_person_question_and_answer_is_located_and_nothing_written(tmp_path, run):
    folder, base = workspace(tmp_path, run)
    url = url_of(folder, None)
    first = write_csv(tmp_path / "first.csv", [["Email Address", SC, MR, TF, f"{MT} [Lurah]", f"{MT} [Camat]",
        f"{OR} [Camat]", f"{OR} [Lurah]", f"{OR} [Bupati/wali kota]", NU, SA, WO, ES],
        ["dedi@contoh.test", "Camat", "", "", "", "", "", "", "", "", "", "", ""]])  # fmt: skip
    assert (
        run(*base, "responses", "import", str(first), "--format", "google-forms", "--phase", "pre").exit_code
        == 0
    )
    before = counts(url)
    assert before["results"] == 1
    header = ["Timestamp", "Email Address", "Siapa yang mengusulkan pengangkatan camat?", MR, TF,
              f"{MT} [Lurah]", f"{MT} [Sekda]", OR, NU, SA, WO, ES]  # fmt: skip
    rows = [
        header,
        [
            "2026/10/04 10:00:00 AM GMT+7",
            "ani@contoh.test",
            "Camat",
            "Menetapkan APBD, Lainnya",
            "Mungkin",
            "Presiden",
            "",
            "Lurah, Camat",
            "banyak",
            "",
            "",
            "",
        ],  # fmt: skip
        ["2026/10/04 10:01:00 AM GMT+7", "orang.lain@contoh.test", "", "", "", "", "", "", "", "", "", ""],
        ["2026/10/04 10:02:00 AM GMT+7", "", "", "", "", "", "", "", "", "", "", ""],
        ["2026/10/04 10:03:00 AM GMT+7", "dedi@contoh.test", "", "", "", "", "", "", "", "", "", ""],
    ]
    bad = write_csv(tmp_path / "bad.csv", rows)
    result = run(*base, "--lang", "en", "responses", "import", str(bad), "--format", "google-forms",
                 "--phase", "pre")  # fmt: skip
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    found = {
        (line.split(": ")[0], line.split(": ")[1].split(" ")[0]) for line in result.stderr.splitlines()[:-1]
    }
    name = str(bad)
    assert found == {
        (f"{name}:1:3", "RESPONSES-GFORMS-ITEM-MISSING-SUGGEST"),  # fx-sc: the closest column is 3
        (f"{name}:1:3", "RESPONSES-GFORMS-COLUMN-UNMATCHED"),
        (f"{name}:1:7", "RESPONSES-GFORMS-GRID-ROW-UNKNOWN"),  # no prompt "Sekda"...
        (f"{name}:1", "RESPONSES-GFORMS-PART-MISSING"),  # ...so no column for the prompt "Camat"
    }
    assert "fx-sc" in result.stderr
    assert counts(url) == before
    # With the question fixed, every row is checked: people and answers, each located.
    rows[0][2], rows[0][6] = SC, f"{MT} [Camat]"
    bad = write_csv(tmp_path / "bad.csv", rows)
    result = run(*base, "--lang", "en", "responses", "import", str(bad), "--format", "google-forms",
                 "--phase", "pre")  # fmt: skip
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    located = {(line.split(": ")[0], line.split(": ")[1].split(" ")[0]) for line in lines[:-1]}
    assert located == {
        (f"{name}:2:4", "RESPONSES-ANSWER-UNKNOWN"),  # "Lainnya" is no option
        (f"{name}:2:5", "RESPONSES-ANSWER-TRUE-FALSE"),
        (f"{name}:2:6", "RESPONSES-ANSWER-UNKNOWN"),  # "Presiden" is no choice
        (f"{name}:2:8", "RESPONSE-ORDER-INCOMPLETE"),  # Bupati/wali kota left out
        (f"{name}:2:9", "RESPONSE-NOT-A-NUMBER"),
        (f"{name}:3:2", "RESPONSES-PERSON-UNKNOWN"),
        (f"{name}:4:2", "RESPONSES-PERSON-EMPTY"),
        (f"{name}:5:2", "RESPONSES-ATTEMPT-EXISTS"),  # Dedi was imported above
    }
    assert "'Lainnya' is not one of this item's options" in result.stderr
    assert "'orang.lain@contoh.test' is not the email address of any participant" in result.stderr
    assert counts(url) == before


def test_mapping_file_problems_are_located_in_it(tmp_path, run):
    folder, base = workspace(tmp_path, run)
    export = write_csv(tmp_path / "e.csv", [["Email Address", "Soal 1"], ["ani@contoh.test", "Camat"]])
    mapping = tmp_path / "peta.yaml"
    mapping.write_text(
        "Soal 1: fx-zz\nSoal 2: fx-mt/bupati\nSoal 3: [fx-sc]\ntrue: fx-sc\n", encoding="utf-8"
    )
    result = run(*base, "--lang", "en", "responses", "import", str(export), "--format", "google-forms",
                 "--phase", "pre", "--mapping", str(mapping))  # fmt: skip
    assert result.exit_code == 2
    for expected in (
        f"{mapping}:1:1: RESPONSES-MAPPING-ITEM-UNKNOWN: Soal 1: 'fx-zz' is not an item of the form of phase 'pre'",
        f"{mapping}:2:1: RESPONSES-MAPPING-PART-UNKNOWN",
        f"{mapping}:3:1: RESPONSES-MAPPING-VALUE",
        f"{mapping}:4:1: RESPONSES-MAPPING-KEY",
    ):
        assert expected in result.stderr
    mapping.write_text("- fx-sc\n", encoding="utf-8")
    result = run(*base, "responses", "import", str(export), "--format", "google-forms", "--phase", "pre",
                 "--mapping", str(mapping))  # fmt: skip
    assert result.exit_code == 2 and f"{mapping}:1:1: RESPONSES-MAPPING-NOT-MAPPING" in result.stderr


@pytest.mark.parametrize(
    ("content", "code"), [("", "FILE-EMPTY"), ("Timestamp,Email Address\n", "RESPONSES-NO-ROWS")]
)
def test_an_empty_export_is_refused(tmp_path, run, content, code):
    folder, base = workspace(tmp_path, run)
    export = tmp_path / "e.csv"
    export.write_text(content, encoding="utf-8")
    result = run(*base, "responses", "import", str(export), "--format", "google-forms", "--phase", "pre")
    assert result.exit_code == 2 and code in result.stderr


def test_an_xlsx_export_without_emails_asks_how_to_match(tmp_path, run):
    import openpyxl

    folder, base = workspace(tmp_path, run)
    book = openpyxl.Workbook()
    book.active.append(["Timestamp", SC])
    book.active.append([dt.datetime(2026, 10, 4, 10, 15), "Camat"])
    book.save(tmp_path / "e.xlsx")
    result = run(*base, "--lang", "en", "responses", "import", str(tmp_path / "e.xlsx"), "--format",
                 "google-forms", "--phase", "pre")  # fmt: skip
    assert result.exit_code == 2
    assert "RESPONSES-PERSON-COLUMN-MISSING" in result.stderr and "--match" in result.stderr


def test_the_composed_sample_says_what_it_could_not_match(tmp_path, run):
    folder, base = workspace(tmp_path, run)
    before = counts(url_of(folder, None))
    sample = FIXTURES / "sample-composed.csv"  # the shapes of FORMAT.md, for another form
    result = run(*base, "--lang", "en", "responses", "import", str(sample), "--format", "google-forms",
                 "--phase", "pre")  # fmt: skip
    assert result.exit_code == 2
    # Its first two questions are the fixture bank's fx-sc and fx-mr; its grid rates a service.
    for column in (6, 7):
        assert f"{sample}:1:{column}: RESPONSES-GFORMS-COLUMN-UNMATCHED" in result.stderr
    missing = {
        line.split("'")[1] for line in result.stderr.splitlines() if "RESPONSES-GFORMS-ITEM-MISSING" in line
    }
    assert missing == {"fx-es", "fx-mt", "fx-nu", "fx-or", "fx-sa", "fx-tf", "fx-wo"}
    assert "9 problems found." in result.stderr
    assert counts(url_of(folder, None)) == before
