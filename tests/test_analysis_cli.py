"""`assess analyze items`: any CSV or XLSX matrix of marks, and a phase of the event's own data."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from assess.cli import cli
from assess.i18n import set_language
from assess.problems import ProblemsFound
from assess.store.store import Store

MOODLE = Path(__file__).parent / "fixtures" / "moodle"
MOODLE_REL = 1.5e-5  # Moodle's tolerance: abs(expected) * 1.5e-5

ITEM_KEYS = [
    "id",
    "facility",
    "sd",
    "random_guess_score",
    "intended_weight",
    "effective_weight",
    "discrimination_index",
    "discriminative_efficiency",
    "item_total_r",
    "item_rest_r",
    "upper_lower_d",
    "alpha_if_deleted",
    "flags",
]
TEST_KEYS = [
    "n",
    "mean",
    "median",
    "sd",
    "skewness",
    "kurtosis",
    "alpha",
    "kr20",
    "kr21",
    "standardized_alpha",
    "sem",
    "alpha_ci",
    "items_for_target_reliability",
]


def no_nan(text: str) -> dict:
    def refuse(name):
        raise AssertionError(f"{name} in JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def moodle_csv(tmp_path) -> Path:
    """Moodle's results00.csv as a marks file: its attempt number as the id, no total column."""
    with (MOODLE / "results00.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    path = tmp_path / "nilai.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id"] + [f"q{j}" for j in range(1, 8)])
        w.writerows(r[:8] for r in rows[1:])
    return path


def test_matrix_json_has_the_issue_keys_and_moodle_values(run, moodle_csv):
    result = run("analyze", "items", "--matrix", str(moodle_csv), "--json")
    assert result.exit_code == 0, result.stderr  # flags are findings, not failures
    data = no_nan(result.stdout)
    assert list(data["items"][0]) == ITEM_KEYS
    assert list(data["test"]) == TEST_KEYS
    with (MOODLE / "qstats00.csv").open(encoding="utf-8") as f:
        expected = list(csv.DictReader(f))
    for item, row in zip(data["items"], expected, strict=True):
        assert item["id"] == f"q{row['slot']}"
        assert item["facility"] == pytest.approx(float(row["facility"]), rel=MOODLE_REL)  # a proportion
        for key, moodle in [
            ("sd", "sd"),
            ("effective_weight", "effectiveweight"),  # percentages, as Moodle shows them
            ("discrimination_index", "discriminationindex"),
            ("discriminative_efficiency", "discriminativeefficiency"),
        ]:
            assert item[key] == pytest.approx(float(row[moodle]), rel=MOODLE_REL), (item["id"], key)
        assert item["intended_weight"] == pytest.approx(100 / 7)
        assert item["random_guess_score"] is None  # unknown for a bare matrix
        assert item["item_rest_r"] == pytest.approx(item["discrimination_index"] / 100)
        assert "options" not in item
    quiz = json.loads((MOODLE / "quiz00-expected.json").read_text(encoding="utf-8"))
    test = data["test"]
    assert test["n"] == 25
    assert test["mean"] == pytest.approx(quiz["mean"], rel=MOODLE_REL)
    assert test["median"] == pytest.approx(quiz["median"], rel=MOODLE_REL)
    assert test["sd"] == pytest.approx(quiz["standard_deviation"], rel=MOODLE_REL)
    assert test["skewness"] == pytest.approx(quiz["skewness"], rel=MOODLE_REL)
    assert test["kurtosis"] == pytest.approx(quiz["kurtosis"], rel=MOODLE_REL)
    assert test["alpha"] * 100 == pytest.approx(
        quiz["coefficient_of_internal_consistency_percent"], rel=MOODLE_REL
    )
    assert test["sem"] == pytest.approx(quiz["standard_error"], rel=MOODLE_REL)
    # partial credit: no KR-20/21; negative alpha: no Spearman-Brown length
    assert test["kr20"] is None and test["kr21"] is None and test["items_for_target_reliability"] is None
    low, high = test["alpha_ci"]
    assert low < test["alpha"] < high
    codes = {f["code"] for item in data["items"] for f in item["flags"]}
    assert "ANALYZE-ITEM-NEGATIVE-DISCRIMINATION" in codes and "ANALYZE-ITEM-TOO-EASY" in codes
    q3 = data["items"][2]["flags"]
    assert {"code": "ANALYZE-ITEM-TOO-EASY", "params": {"facility": 0.973, "limit": 0.9}} in q3
    assert data["conventions"]["upper_fraction"] == 0.27 and data["conventions"]["group_size"] == 7


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_max_marks_target_and_kr_on_a_dichotomous_matrix(run, tmp_path):
    # The four-person matrix of test_analysis_items (alpha 3/4) with maxima 2, 1, 1.
    path = write(tmp_path / "m.csv", "a,b,c\n2,1,1\n2,1,0\n2,0,0\n0,0,0\n")
    result = run("analyze", "items", "--matrix", str(path), "--max-marks", "2,1,1", "--json")
    assert result.exit_code == 0, result.stderr
    data = no_nan(result.stdout)
    assert [i["facility"] for i in data["items"]] == [0.75, 0.5, 0.25]
    assert [i["intended_weight"] for i in data["items"]] == [50, 25, 25]
    assert data["test"]["kr20"] == pytest.approx(0.75)  # on number-correct scores
    assert data["test"]["kr21"] == pytest.approx(0.6)
    # --target-reliability 0.9 with KR-20 on unweighted items; alpha here is weighted by the maxima
    again = no_nan(
        run(
            "analyze",
            "items",
            "--matrix",
            str(path),
            "--max-marks",
            "2,1,1",
            "--target-reliability",
            "0.9",
            "--json",
        ).stdout
    )
    alpha = again["test"]["alpha"]
    m = 0.9 * (1 - alpha) / (alpha * 0.1)
    assert again["test"]["items_for_target_reliability"] == -int(-(m * 3) // 1)
    assert again["conventions"]["target_reliability"] == 0.9


@pytest.fixture(params=["numpy", "arrow"])
def reader(request, monkeypatch):
    """Small files read as large ones are (pyarrow's path first), or as small ones are."""
    if request.param == "arrow":
        monkeypatch.setattr("assess.sheets.matrix.ARROW_MIN_BYTES", 0)
    return request.param


def test_semicolons_decimal_commas_quotes_and_xlsx_read_alike(run, tmp_path, reader):
    plain = write(tmp_path / "a.csv", "id,q1,q2,q3\nP1,1,0.5,1\nP2,0,0.5,1\nP3,1,1,0\nP4,0,0,0\n")
    semi = write(
        tmp_path / "b.csv", "\ufeffid;q1;q2;q3\r\nP1;1;0,5;1\r\nP2;0;0,5;1\r\nP3;1;1;0\r\nP4;0;0;0\r\n\r\n"
    )
    quoted = write(tmp_path / "c.csv", 'id,q1,q2,q3\n"P1, Bu",1,0.5,1\nP2,0,0.5,1\nP3,1,1,0\nP4,0,0,0\n,,,\n')
    import openpyxl

    book = openpyxl.Workbook()
    for row in [
        ["id", "q1", "q2", "q3"],
        ["P1", 1, 0.5, 1],
        ["P2", 0, 0.5, 1],
        ["P3", 1, 1, 0],
        ["P4", 0, 0, 0],
    ]:
        book.active.append(row)
    book.save(tmp_path / "d.xlsx")
    outputs = []
    for path in (plain, semi, quoted, tmp_path / "d.xlsx"):
        result = run("analyze", "items", "--matrix", str(path), "--json")
        assert result.exit_code == 0, (path, result.stderr)
        outputs.append(no_nan(result.stdout))
        # Issue 18, point 4: the row of empty cells at c.csv's end is skipped, and said to be.
        skipped = outputs[-1].pop("skipped_rows", [])
        assert skipped == ([6] if path == quoted else [])
        assert ("c.csv:6: ANALYZE-MATRIX-ROW-SKIPPED" in result.stderr) == (path == quoted)
    assert all(o == outputs[0] for o in outputs[1:])
    assert [i["facility"] for i in outputs[0]["items"]] == [0.5, 0.5, 0.5]


@pytest.mark.parametrize(
    ("text", "args", "code", "where"),
    [
        ("q1,q2\n1,\n", (), "ANALYZE-MATRIX-CELL-EMPTY", "m.csv:2:2"),
        ("q1,q2\n1,ya\n", (), "ANALYZE-MATRIX-NOT-NUMBER", "m.csv:2:2"),
        ("q1,q2\n1,nan\n", (), "ANALYZE-MATRIX-NOT-NUMBER", "m.csv:2:2"),
        ("q1,q2\n1,0\n1,2\n", (), "ANALYZE-MATRIX-MARK-RANGE", "m.csv:3:2"),
        ("q1,q2\n1,0\n1,-2\n", ("--max-marks", "1.5"), "ANALYZE-MATRIX-MARK-RANGE", "m.csv:3:2"),
        ("q1,q1\n1,0\n", (), "ANALYZE-MATRIX-HEADER-DUPLICATE", "m.csv:1:2"),
        ("q1,,q3\n1,0,1\n", (), "ANALYZE-MATRIX-HEADER-EMPTY", "m.csv:1:2"),
        ("q1,q2\n1,0,1\n", (), "ANALYZE-MATRIX-ROW-LENGTH", "m.csv:2"),
        ("id,q1\nA,1\nA,0\n", (), "ANALYZE-MATRIX-ID-DUPLICATE", "m.csv:3:1"),
        ("q1,q2\n", (), "ANALYZE-MATRIX-NO-ROWS", "m.csv"),
        ("id\nA\n", (), "ANALYZE-MATRIX-NO-ITEMS", "m.csv:1"),
        ("", (), "ANALYZE-MATRIX-NO-HEADER", "m.csv:1"),
        ("q1,q2\n1,0\n", ("--max-marks", "1,2,3"), "ANALYZE-MAX-MARKS-COUNT", None),
        ("q1,q2\n1,0\n", ("--max-marks", "0"), "ANALYZE-MAX-MARKS-INVALID", None),
        ("q1,q2\n1,0\n", ("--max-marks", "x"), "ANALYZE-MAX-MARKS-INVALID", None),
    ],
)
def test_matrix_problems_are_located_and_coded(run, tmp_path, text, args, code, where, reader):
    path = write(tmp_path / "m.csv", text)
    result = run("analyze", "items", "--matrix", str(path), *args, "--json", "--lang", "en")
    assert result.exit_code == 2
    assert code in result.stderr
    if where:
        assert f"{tmp_path / where}: {code}" in result.stderr
    assert result.stdout == ""


def test_a_large_file_is_read_by_pyarrow_as_the_checking_reader_reads_it(tmp_path):
    """Issue 18, point 2: over 1 MB, pyarrow reads a clean file (the same marks as the checking
    reader, ids trimmed), and a file with one bad cell, anywhere, gets the checking reader's
    located problem."""
    from assess.sheets import matrix as reading

    rng = np.random.default_rng(18)
    marks = rng.integers(0, 9, size=(24_000, 20)) / 2  # halves 0..4
    lines = ["id," + ",".join(f"q{j}" for j in range(20))]
    lines += [f" P{k} ," + ",".join(f"{v:g}" for v in row) for k, row in enumerate(marks)]
    text = "\r\n".join(lines) + "\r\n"
    path = write(tmp_path / "besar.csv", "\ufeff" + text)
    assert (
        path.stat().st_size > reading.ARROW_MIN_BYTES and reading._arrow(path, "4") is not None
    )  # pyarrow's path
    fast = reading.read_matrix(path, "4")
    assert np.array_equal(fast.marks, marks) and fast.ids == tuple(f"q{j}" for j in range(20))
    assert fast.people == tuple(f"P{k}" for k in range(24_000))  # trimmed, as the checking reader does
    # Quoted names in the header (as pandas and pyarrow write them), the same marks.
    named = write(
        tmp_path / "kutip.csv", text.replace(lines[0], ",".join(f'"{c}"' for c in lines[0].split(",")))
    )
    assert reading._arrow(named, "4") is not None and np.array_equal(
        reading.read_matrix(named, "4").marks, marks
    )
    # Semicolons and decimal commas, the same marks.
    semi = write(tmp_path / "titik-koma.csv", text.replace(",", ";").replace(".", ","))
    assert np.array_equal(reading.read_matrix(semi, "4").marks, marks)
    # Cells wrong near the end: located as the checking reader locates them.
    broken = list(lines)
    for line, bad in ((23_991, "x"), (23_993, ""), (23_995, "9")):
        broken[line - 1] = broken[line - 1].rsplit(",", 1)[0] + "," + bad
    wrong = write(tmp_path / "salah.csv", "\n".join(broken) + "\n")
    assert reading._arrow(wrong, "4") is None  # pyarrow refuses the "x" (ArrowInvalid): the checking reader
    with pytest.raises(ProblemsFound) as found:
        reading.read_matrix(wrong, "4")
    assert [(p.code, p.line, p.column) for p in found.value.problems] == [
        ("ANALYZE-MATRIX-NOT-NUMBER", 23_991, 21),
        ("ANALYZE-MATRIX-CELL-EMPTY", 23_993, 21),
        ("ANALYZE-MATRIX-MARK-RANGE", 23_995, 21),
    ]


def test_many_problems_are_cut_short(run, tmp_path):
    path = write(tmp_path / "m.csv", "q1\n" + "x\n" * 80)
    result = run("analyze", "items", "--matrix", str(path), "--lang", "en")
    assert result.exit_code == 2
    assert result.stderr.count("ANALYZE-MATRIX-NOT-NUMBER") == 50
    assert "ANALYZE-MATRIX-MORE-PROBLEMS" in result.stderr and "30 more" in result.stderr


def test_bad_files_and_sources(run, tmp_path):
    missing = run("analyze", "items", "--matrix", str(tmp_path / "none.csv"), "--lang", "en")
    assert missing.exit_code == 2 and "FILE-NOT-FOUND" in missing.stderr
    odd = write(tmp_path / "m.json", "{}")
    assert "ANALYZE-MATRIX-FORMAT" in run("analyze", "items", "--matrix", str(odd)).stderr
    latin = tmp_path / "l.csv"
    latin.write_bytes("q1\n1\n0\u00e9\n".encode("latin-1"))
    assert "FILE-NOT-UTF8" in run("analyze", "items", "--matrix", str(latin)).stderr
    neither = run("analyze", "items", "--lang", "en")
    assert neither.exit_code == 2 and "ANALYZE-SOURCE-MISSING" in neither.stderr
    both = run("analyze", "items", "--matrix", "x.csv", "--phase", "pre")
    assert both.exit_code == 2 and "ANALYZE-SOURCE-BOTH" in both.stderr
    bad_fraction = run("analyze", "items", "--matrix", "x.csv", "--upper-fraction", "0.7")
    assert bad_fraction.exit_code == 2


def test_terminal_tables(run, moodle_csv):
    result = run("analyze", "items", "--matrix", str(moodle_csv), "--lang", "en")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("Item analysis: 25 people, 7 items")
    q3 = next(line for line in out.splitlines() if line.startswith("q3 "))
    assert q3.split()[1:3] == ["0.97", "0.13"]  # facility and SD
    assert "q3: ANALYZE-ITEM-TOO-EASY: too easy: facility 0.973 is above 0.9" in out
    assert "Cronbach's alpha      -0.87" in out and "Feldt" in out
    assert "SEM                   1.11" in out
    assert "nan" not in out.lower()


def test_ties_option_changes_the_groups(run, tmp_path):
    # The TIES matrix of test_analysis_items: D of item A is 11/18 shared, 2/3 in row order.
    rows = ["11111", "11110", "01111", "11101", "11100", "01100", "10000", "01000", "00000", "00000"]
    path = write(tmp_path / "t.csv", "A,B,C,D,E\n" + "".join(",".join(r) + "\n" for r in rows))
    shared = no_nan(run("analyze", "items", "--matrix", str(path), "--json").stdout)
    ordered = no_nan(run("analyze", "items", "--matrix", str(path), "--ties", "order", "--json").stdout)
    assert shared["items"][0]["upper_lower_d"] == pytest.approx(11 / 18)
    assert ordered["items"][0]["upper_lower_d"] == pytest.approx(2 / 3)
    assert ordered["conventions"]["ties"] == "order"


# -- inside a workspace -------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("analysis") / "demo"
    result = CliRunner().invoke(cli, ["demo", "--out", str(folder)], catch_exceptions=False)
    set_language(None)
    assert result.exit_code == 0, result.stderr
    return folder


def test_workspace_json_with_distractors(run, demo):
    result = run("-w", str(demo), "analyze", "items", "--phase", "pre", "--json")
    assert result.exit_code == 0, result.stderr
    data = no_nan(result.stdout)
    assert data["phase"] == "pre" and data["pending_items"] == []
    assert data["test"]["n"] == 52
    items = {i["id"]: i for i in data["items"]}
    assert list(data["items"][0])[: len(ITEM_KEYS)] == ITEM_KEYS
    choice = [i for i in items.values() if i["options"] is not None]
    assert choice, "the example has choice items"
    for item in choice:
        options = item["options"]["options"]
        keyed = [o for o in options if o["key"]]
        assert keyed
        counted = sum(o["count"] for o in options) + item["options"]["blank"]
        if item["random_guess_score"] is not None:  # one option per person (not multiple response)
            assert counted == 52
        for o in options:
            assert 0 <= o["proportion"] <= 1 and 0 <= o["upper"] <= 1 and 0 <= o["lower"] <= 1
    single = next(i for i in choice if len(i["options"]["options"]) == 4 and i["random_guess_score"] == 0.25)
    key = next(o for o in single["options"]["options"] if o["key"])
    assert key["rest_r"] == pytest.approx(single["item_rest_r"], abs=1e-9)  # a 0/1 item: the same r
    assert key["proportion"] == pytest.approx(single["facility"])


def test_workspace_tables_and_unknown_phase(run, demo):
    result = run("-w", str(demo), "analyze", "items", "--phase", "pre", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "Item analysis: 52 people" in result.stdout and "(phase pre)" in result.stdout
    assert "Options (upper and lower groups as above; * keyed)" in result.stdout
    unknown = run("-w", str(demo), "analyze", "items", "--phase", "tengah", "--lang", "en")
    assert unknown.exit_code == 2 and "WORKSPACE-NO-PHASE" in unknown.stderr


def test_items_with_pending_marks_are_left_out_and_no_results_refused(run, demo, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(demo, folder)
    store = Store.open(f"sqlite:///{folder / 'assess.db'}")
    rows = store.results("payakumbuh-2019", "pre")
    first_item = next(iter(rows[0].items))
    marks = {**rows[0].items, first_item: replace(rows[0].items[first_item], pending=True)}  # an essay, say
    rows[0] = replace(rows[0], items=marks)
    store.replace_results("payakumbuh-2019", "pre", rows)
    result = run("-w", str(folder), "analyze", "items", "--phase", "pre", "--json")
    assert result.exit_code == 0, result.stderr
    data = no_nan(result.stdout)
    assert data["pending_items"] == [first_item]
    assert first_item not in {i["id"] for i in data["items"]} and len(data["items"]) == len(marks) - 1
    text = run("-w", str(folder), "analyze", "items", "--phase", "pre", "--lang", "en").stdout
    assert f"Left out, marks pending: {first_item}" in text
    store.replace_results("payakumbuh-2019", "pre", [])
    store.close()
    empty = run("-w", str(folder), "analyze", "items", "--phase", "pre", "--lang", "en")
    assert empty.exit_code == 2 and "ANALYZE-NO-RESULTS" in empty.stderr
