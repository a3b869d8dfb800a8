"""Essay marks: the file to mark out, the chosen levels back in, all or nothing, results final."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from assess.bank.model import Essay
from assess.delivery.marks import LevelError, level_text, resolve_level
from assess.store import schema
from assess.store.store import Store

ROOT = Path(__file__).resolve().parents[1]
PEOPLE = ROOT / "examples" / "payakumbuh-2019" / "peserta.csv"
ESSAY_A, ESSAY_B = "paradigma-054", "lingkungan-038"

# Two shipped essays (the only ready essays of these banks whose first competency and
# difficulty are M.05/hard and T.03/hard) in pre and post, and a quiz without essays.
ASSESSMENT = """\
kind: assessment
event:
  id: uraian-2024
  title: Uji uraian
  dates: [2024-05-14]
banks: [paradigma-pelayanan-publik, lingkungan-hidup]
phases:
  - id: pre
    blueprint:
      cells:
        - {competency: M.05, difficulty: hard, count: 1}
        - {competency: T.03, difficulty: hard, count: 1}
      types: [essay]
  - id: post
    same_items: pre
  - id: kuis
    blueprint:
      cells:
        - {competency: T.03, difficulty: easy, count: 2}
      types: [single_choice]
"""


def essay_workspace(tmp_path: Path, run, db: str | None = None, people: int = 8) -> tuple[Path, list[str]]:
    """A workspace with essays in pre and post, every participant's attempt simulated and scored.

    Returns the folder and the options (-w, --db) to reach it.
    """
    folder = tmp_path / "uraian"
    folder.mkdir()
    (folder / "assessment.yaml").write_text(ASSESSMENT, encoding="utf-8")
    lines = PEOPLE.read_text(encoding="utf-8").splitlines()[: people + 1]
    (folder / "peserta.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    options = ["-w", str(folder)] + (["--db", db] if db else [])
    assert run(*options, "participants", "import", str(folder / "peserta.csv")).exit_code == 0
    for phase in ("pre", "post", "kuis"):
        assert run(*options, "form", "build", "--phase", phase).exit_code == 0
    assert run(*options, "simulate").exit_code == 0
    assert run(*options, "score").exit_code == 0
    return folder, options


def url_of(folder: Path, db: str | None) -> str:
    return db or f"sqlite:///{folder / 'assess.db'}"


def blank_marks(url: str, item_id: str, phase: str | None = None) -> int:
    """Delete the stored marks of an essay (as if nobody had marked it yet); how many."""
    engine = sa.create_engine(url)
    m, a = schema.essay_marks, schema.attempts
    where = m.c.item_id == item_id
    if phase:
        where &= m.c.attempt_id.in_(sa.select(a.c.id).where(a.c.phase_id == phase))
    with engine.begin() as c:
        n = c.execute(m.delete().where(where)).rowcount
    engine.dispose()
    return n


def snapshot(url: str) -> dict:
    """Everything an import could change: marks, results and the audit log."""
    engine = sa.create_engine(url)
    out = {}
    with engine.connect() as c:
        for table in (schema.essay_marks, schema.results, schema.audit_log):
            rows = [
                tuple(sorted((k, repr(v)) for k, v in r._mapping.items()))
                for r in c.execute(sa.select(table))
            ]
            out[table.name] = sorted(rows)
    engine.dispose()
    return out


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def store_of(url: str) -> Store:
    return Store.open(url)


def rubric(store: Store, phase: str, item_id: str) -> Essay:
    item = store.form("uraian-2024", phase).item(item_id)
    assert isinstance(item, Essay)
    return item


# -- the round trip ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_marks_round_trip_makes_every_result_final(tmp_path, run, database_url, suffix):
    db = None if database_url.startswith("sqlite") else database_url
    folder, options = essay_workspace(tmp_path, run, db)
    url = url_of(folder, db)
    assert blank_marks(url, ESSAY_B) > 0
    assert blank_marks(url, ESSAY_A, "post") > 0
    assert run(*options, "score").exit_code == 0
    store = store_of(url)
    try:
        assert any(r.provisional for r in store.results("uraian-2024"))
        # The level given each way a marker may write it: id, as listed, label, points.
        ways = [
            lambda lv: lv.id,
            level_text,
            lambda lv: lv.label.upper(),
            lambda lv: lv.points,
        ]
        chosen: dict[tuple[str, str, str], str] = {}
        for phase in ("pre", "post"):
            out = folder / f"nilai-{phase}{suffix}"
            result = run(*options, "marks", "export", "--phase", phase, "--out", str(out), "--lang", "en")
            assert result.exit_code == 0, result.output
            assert "essays to mark written" in result.stdout
            if suffix == ".csv":
                rows = read_csv(out)
                level = rows[0].index("Level")
                for k, row in enumerate(rows[1:]):
                    if not row[level]:
                        lv = rubric(store, phase, row[2]).rubric[k % 5]
                        row[level] = str(ways[k % len(ways)](lv))
                        chosen[(phase, row[1], row[2])] = lv.id
                write_csv(out, rows)
            else:
                book = openpyxl.load_workbook(out)
                sheet = book.worksheets[0]
                heads = [c.value for c in sheet[1]]
                level = heads.index("Level") + 1
                for k, line in enumerate(range(2, sheet.max_row + 1)):
                    person, item_id = sheet.cell(line, 2).value, sheet.cell(line, 3).value
                    if sheet.cell(line, level).value in (None, ""):
                        lv = rubric(store, phase, item_id).rubric[k % 5]
                        sheet.cell(line, level).value = ways[k % len(ways)](lv)  # points as a number cell
                        chosen[(phase, person, item_id)] = lv.id
                book.save(out)
            result = run(*options, "marks", "import", str(out), "--lang", "en")
            assert result.exit_code == 0, result.output
            assert f"phase {phase}: every essay is marked; the results are final." in result.stdout
        assert chosen
        results = store.results("uraian-2024")
        assert results and not any(r.provisional for r in results)
        attempts = {(a.phase_id, a.person_id): a.id for a in store.attempts("uraian-2024")}
        marks = store.marks_of(list(attempts.values()))
        for (phase, person, item_id), level_id in chosen.items():
            assert marks[attempts[(phase, person)]][item_id] == level_id
        # The results score the levels chosen.
        by_attempt = {r.attempt_id: r for r in results}
        for (phase, person, item_id), level_id in chosen.items():
            lv = next(x for x in rubric(store, phase, item_id).rubric if x.id == level_id)
            assert by_attempt[attempts[(phase, person)]].items[item_id].points == pytest.approx(lv.points)
    finally:
        store.close()


def test_import_reports_what_is_left_to_mark(tmp_path, run):
    folder, options = essay_workspace(tmp_path, run)
    url = url_of(folder, None)
    blanked = blank_marks(url, ESSAY_B, "pre")
    run(*options, "score")
    out = folder / "m.csv"
    run(*options, "marks", "export", "--phase", "pre", "--out", str(out))
    rows = read_csv(out)
    filled = 0
    for row in rows[1:]:
        if row[2] == ESSAY_B and filled == 0:
            row[6] = "r1"
            filled += 1
    write_csv(out, rows)
    result = run(*options, "marks", "import", str(out), "--lang", "en")
    assert result.exit_code == 0, result.output
    left = blanked - 1
    assert f"1 mark stored, {len(rows) - 1 - blanked} unchanged." in result.stdout
    assert (
        f"phase pre: {left} essay{'s' if left != 1 else ''} still to mark; {left} results provisional."
        in result.stdout
    )


# -- the file to mark ----------------------------------------------------------------------


def test_marks_file_lists_answered_essays_by_id_only(tmp_path, run):
    folder, options = essay_workspace(tmp_path, run)
    store = store_of(url_of(folder, None))
    try:
        people = store.participants("uraian-2024")
        attempts = {a.id: a for a in store.attempts("uraian-2024", "pre")}
        answers = store.answers_of(list(attempts))
        marks = store.marks_of(list(attempts))
    finally:
        store.close()
    out = folder / "m.xlsx"
    assert run(*options, "marks", "export", "--phase", "pre", "--out", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    expected = {
        (attempts[a].person_id, item)
        for a, given in answers.items()
        for item, value in given.items()
        if isinstance(value, str) and value.strip()
    }
    assert {(r[1], r[2]) for r in rows} == expected  # answered essays only: blank ones need no mark
    text = "\n".join(str(v) for r in rows for v in r)
    for p in people:
        assert p.name not in text and p.nip not in text  # the internal id only
    by_person = {a.person_id: a.id for a in attempts.values()}
    for r in rows:
        stored = marks[by_person[r[1]]].get(r[2])
        assert r[6] == stored  # the stored level, filled in
        assert r[5].startswith(f"{stored}: ")
        assert r[4].splitlines()[0].startswith("r0: ")
    dropdowns = sheet.data_validations.dataValidation
    assert dropdowns and all(str(dv.sqref).startswith("G") for dv in dropdowns)  # on the Level column
    assert {dv.formula1 for dv in dropdowns} == {'"r0,r1,r2,r3,r4"'}
    assert book.worksheets[1]["A2"].value in (ESSAY_A, ESSAY_B)  # the questions and rubrics, for markers


def test_a_phase_without_essays_is_refused(tmp_path, run):
    folder, options = essay_workspace(tmp_path, run, people=2)
    result = run(*options, "marks", "export", "--phase", "kuis", "--lang", "en")
    assert result.exit_code == 2
    assert "MARKS-NO-ESSAYS" in result.stderr and "Traceback" not in result.output
    result = run(*options, "marks", "export", "--phase", "nanti", "--lang", "en")
    assert result.exit_code == 2 and "WORKSPACE-NO-PHASE" in result.stderr
    result = run(*options, "marks", "export", "--phase", "pre", "--out", str(folder / "m.txt"))
    assert result.exit_code == 2 and "EXPORT-OUT-SUFFIX" in result.stderr
    assert not (folder / "m.txt").exists()


# -- all or nothing --------------------------------------------------------------------------


def test_a_bad_level_is_refused_located_and_nothing_changes(tmp_path, run):
    folder, options = essay_workspace(tmp_path, run)
    url = url_of(folder, None)
    blank_marks(url, ESSAY_B, "pre")
    run(*options, "score")
    out = folder / "m.csv"
    run(*options, "marks", "export", "--phase", "pre", "--out", str(out))
    rows = read_csv(out)
    bad_line = None
    for line, row in enumerate(rows[1:], start=2):
        if row[2] == ESSAY_B:
            if bad_line is None:
                row[6], bad_line = "r9", line
            else:
                row[6] = "r2"  # good rows, which must not be stored either
    write_csv(out, rows)
    before = snapshot(url)
    result = run(*options, "marks", "import", str(out), "--lang", "en")
    assert result.exit_code == 2
    assert (
        f"m.csv:{bad_line}:7: MARKS-LEVEL-UNKNOWN item '{ESSAY_B}': Tingkat: 'r9' is not a level"
        in result.stderr
    )
    assert "r0, r1, r2, r3, r4" in result.stderr and "Traceback" not in result.output
    assert snapshot(url) == before


def make_blank(url: str, phase: str, person: str, item_id: str) -> None:
    """Make one essay answer blank, as a participant who left it empty."""
    engine = sa.create_engine(url)
    r, a = schema.responses, schema.attempts
    with engine.begin() as c:
        attempt = c.execute(
            sa.select(a.c.id).where((a.c.phase_id == phase) & (a.c.person_id == person))
        ).scalar()
        c.execute(r.update().where((r.c.attempt_id == attempt) & (r.c.item_id == item_id)).values(value=None))
    engine.dispose()


LOCATED = re.compile(r"salah\.csv:(\d+)(?::(\d+))?: ([A-Z-]+)")


def test_every_problem_of_a_marks_file_is_located(tmp_path, run):
    folder, options = essay_workspace(tmp_path, run)
    url = url_of(folder, None)
    store = store_of(url)
    try:
        pre = {a.person_id: a.id for a in store.attempts("uraian-2024", "pre")}
        answers = store.answers_of(list(pre.values()))
        kuis_item = store.form("uraian-2024", "kuis").items[0].id
    finally:
        store.close()
    answered = [
        p for p, a in pre.items() if all((answers[a].get(i) or "").strip() for i in (ESSAY_A, ESSAY_B))
    ]
    person, blank_person = answered[0], answered[1]
    make_blank(url, "pre", blank_person, ESSAY_A)
    late = {"person_id": "P0077", "name": "Datang Terlambat", "nip": None, "email": None, "position": None}
    store = store_of(url)
    try:  # a participant without an attempt
        store.add_participants(
            "uraian-2024",
            [{**late, "unit_code": None, "group_code": None, "access_code": "LATE7-LATE7"}],
            {},
            {},
        )
    finally:
        store.close()
    rows = [
        ["Fase", "Peserta", "Soal", "Catatan", "Level"],
        ["pre", person, ESSAY_A, "baik", "r2"],  # 2: fine
        ["pra", person, ESSAY_A, "", "r2"],  # 3: no such phase
        ["pre", "P9999", ESSAY_A, "", "r2"],  # 4: no such participant
        ["pre", person, "tidak-ada", "", "r2"],  # 5: no such item
        ["kuis", person, kuis_item, "", "r2"],  # 6: not an essay
        ["pre", person, ESSAY_A, "", "r3"],  # 7: the same essay again
        ["pre", person, ESSAY_B, "", "7"],  # 8: no level has 7 points
        ["pre", "", ESSAY_A, "", "r1"],  # 9: a level for nobody
        ["", "", "", "hanya catatan", ""],  # 10: a note: read past
        ["pre", blank_person, ESSAY_A, "", "r1"],  # 11: a blank answer
        ["pre", "P0077", ESSAY_A, "", "r1"],  # 12: no attempt on the phase
    ]
    out = folder / "salah.csv"
    write_csv(out, rows)
    before = snapshot(url)
    result = run(*options, "marks", "import", str(out), "--lang", "en")
    assert result.exit_code == 2
    found = {m.groups() for m in LOCATED.finditer(result.stderr)}
    assert found == {
        ("3", "1", "MARKS-PHASE-UNKNOWN"),
        ("4", "2", "MARKS-PARTICIPANT-UNKNOWN"),
        ("5", "3", "MARKS-ITEM-UNKNOWN"),
        ("6", "3", "MARKS-ITEM-NOT-ESSAY"),
        ("7", None, "MARKS-ROW-DUPLICATE"),
        ("8", "5", "MARKS-LEVEL-UNKNOWN"),
        ("9", "2", "MARKS-CELL-EMPTY"),
        ("11", "5", "MARKS-ANSWER-BLANK"),
        ("12", "2", "MARKS-NO-ATTEMPT"),
    }
    assert "9 problems found." in result.stderr and "Traceback" not in result.output
    assert snapshot(url) == before


def test_a_file_without_the_needed_columns_is_refused(tmp_path, run):
    folder, options = essay_workspace(tmp_path, run, people=2)
    out = folder / "kolom.csv"
    write_csv(out, [["Peserta", "Soal", "Nilai"], ["P0001", ESSAY_A, "r1"]])
    result = run(*options, "marks", "import", str(out), "--lang", "en")
    assert result.exit_code == 2
    assert (
        "MARKS-COLUMN-MISSING" in result.stderr and "'Phase'" in result.stderr and "'Level'" in result.stderr
    )
    write_csv(out, [["Phase", "Participant", "Item", "Level"]])
    result = run(*options, "marks", "import", str(out))
    assert result.exit_code == 2 and "MARKS-NO-ROWS" in result.stderr
    write_csv(out, [["Fase", "Peserta", "Soal", "Level", "Tingkat"], ["pre", "P0001", ESSAY_A, "r1", "r2"]])
    result = run(*options, "marks", "import", str(out), "--lang", "en")
    assert result.exit_code == 2 and f"{out}:1:5: MARKS-HEADER-DUPLICATE" in result.stderr


def test_headers_are_read_in_either_language(tmp_path, run):
    folder, options = essay_workspace(tmp_path, run, people=2)
    out_id, out_en = folder / "id.csv", folder / "en.csv"
    assert run(*options, "marks", "export", "--phase", "pre", "--out", str(out_id)).exit_code == 0
    assert (
        run(*options, "marks", "export", "--phase", "pre", "--out", str(out_en), "--lang", "en").exit_code
        == 0
    )
    for out in (out_id, out_en):
        result = run(*options, "marks", "import", str(out), "--lang", "en")
        assert result.exit_code == 0, result.output
        assert "0 marks stored" in result.stdout  # read back unchanged: nothing changes


# -- naming a level ------------------------------------------------------------------------


def essay_item() -> Essay:
    return Essay(
        id="e1",
        type="essay",
        stem="Jelaskan.",
        competencies=["T.01"],
        rubric=[
            {"id": "r0", "label": "Keliru", "points": 0},
            {"id": "r1", "label": "Sebagian", "points": 1},
            {"id": "r2", "label": "Lengkap", "points": 2.5},
            {"id": "r3", "label": "Lengkap", "points": 2.5},
        ],
    )


@pytest.mark.parametrize(
    ("given", "level"),
    [
        ("r1", "r1"),
        ("R1", "r1"),
        (" r0 ", "r0"),
        ("r1: Sebagian (1)", "r1"),
        ("sebagian", "r1"),
        ("1", "r1"),
        ("1,0", "r1"),
        ("0", "r0"),
        ("'r1", "r1"),
    ],
)
def test_a_level_is_named_by_id_label_or_points(given, level):
    assert resolve_level(essay_item(), given) == level


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("Lengkap", "MARKS-LEVEL-AMBIGUOUS"),
        ("2,5", "MARKS-LEVEL-AMBIGUOUS"),
        ("r4", "MARKS-LEVEL-UNKNOWN"),
        ("3", "MARKS-LEVEL-UNKNOWN"),
        ("=r1", "MARKS-LEVEL-UNKNOWN"),
    ],
)
def test_a_level_that_names_none_or_several_is_refused(given, code):
    with pytest.raises(LevelError) as caught:
        resolve_level(essay_item(), given)
    assert caught.value.code == code
