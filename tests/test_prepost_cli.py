"""`assess analyze prepost`: any pairs file (--pairs), and an event's own results."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from assess.cli import cli
from assess.i18n import set_language
from assess.problems import ProblemsFound
from assess.store.store import Store

ISSUE_KEYS = (
    "n n_unpaired n_ceiling ceiling_rule mean_pre mean_post mean_gain hake_g g_ave t df p ci_low ci_high "
    "d_z d_av hedges_g_z wilcoxon_v wilcoxon_p"
).split()
# Lakens (2013), Front. Psychol. 4:863, Table 1 (see test_analysis_prepost): t(9) = 4.74, d_z = 1.50
MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return str(path)


def lakens_csv(tmp_path) -> str:
    rows = "".join(f"P{k},{a},{b}\n" for k, (a, b) in enumerate(zip(MOVIE_2, MOVIE_1, strict=True)))
    return write(tmp_path / "pairs.csv", "id,pre,post\n" + rows)


# -- a pairs file ---------------------------------------------------------------------------


def test_pairs_json_has_the_issue_keys_and_hand_checked_values(tmp_path, run):
    result = run("analyze", "prepost", "--pairs", lakens_csv(tmp_path), "--max-score", "10", "--json")
    assert result.exit_code == 0, result.stderr
    rec = json.loads(result.stdout)
    assert list(rec)[: len(ISSUE_KEYS)] == ISSUE_KEYS
    assert (rec["n"], rec["n_unpaired"], rec["n_ceiling"], rec["df"]) == (10, 0, 0, 9)
    assert (rec["mean_pre"], rec["mean_post"], rec["mean_gain"]) == pytest.approx((7.7, 8.7, 1.0))
    assert rec["hake_g"] == pytest.approx(1 / 2.3)  # (8.7 - 7.7) / (10 - 7.7)
    assert rec["t"] == pytest.approx(1.5 * math.sqrt(10)) and rec["d_z"] == pytest.approx(1.5)
    ref = stats.ttest_rel(MOVIE_1, MOVIE_2)
    assert rec["p"] == pytest.approx(ref.pvalue, rel=1e-12)
    ci = ref.confidence_interval()
    assert (rec["ci_low"], rec["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-12)
    assert rec["wilcoxon_v"] == 36
    w = stats.wilcoxon(MOVIE_1, MOVIE_2, zero_method="wilcox", correction=True, method="approx")
    assert rec["wilcoxon_p"] == pytest.approx(w.pvalue, rel=1e-12)
    assert rec["ceiling_rule"] == "pre_at_max_left_out" and rec["gain_method"] == "hake"


def test_pairs_at_the_maximum_outside_the_range_and_unpaired(tmp_path, run):
    text = (
        "id;pre;post;nama\n"  # semicolons and a decimal comma, as Excel writes in Indonesia
        "A;20;60;x\nB;50;60;y\nC;100;90;z\nD;-5;50;w\nE;50;110;v\nF;;70;u\nG;40;;t\nH;80;90,5;s\n"
    )
    result = run("analyze", "prepost", "--pairs", write(tmp_path / "p.csv", text), "--json")
    assert result.exit_code == 0, result.stderr
    rec = json.loads(result.stdout)
    assert (rec["n"], rec["n_unpaired"], rec["n_ceiling"], rec["n_out_of_range"]) == (6, 2, 1, 2)
    assert rec["unpaired"] == [
        {"id": "F", "line": 7, "phase": "post"},
        {"id": "G", "line": 8, "phase": "pre"},
    ]
    # g_ave over A, B, H: 40/80, 10/50, 10.5/20; <g> over A, B, C, H (means 62.5 and 75.125)
    assert rec["g_ave"] == pytest.approx((0.5 + 0.2 + 0.525) / 3)
    assert rec["hake_g"] == pytest.approx((75.125 - 62.5) / (100 - 62.5))
    # the tests keep every pair, in range or not
    pre, post = [20, 50, 100, -5, 50, 80], [60, 60, 90, 50, 110, 90.5]
    assert rec["mean_gain"] == pytest.approx(np.mean(np.subtract(post, pre)))
    assert rec["p"] == pytest.approx(stats.ttest_rel(post, pre).pvalue, rel=1e-12)


def test_marx_cummings_option(tmp_path, run):
    path = write(tmp_path / "p.csv", "id,pre,post\nA,20,60\nB,100,90\nC,100,100\nD,0,0\n")
    rec = json.loads(run("analyze", "prepost", "--pairs", path, "--gain", "marx-cummings", "--json").stdout)
    assert rec["gain_method"] == "marx-cummings" and rec["ceiling_rule"] == "equal_at_0_or_max_left_out"
    assert rec["n_ceiling"] == 2 and rec["g_ave"] == pytest.approx((0.5 - 0.1) / 2)


def test_pairs_tables_in_english_and_by_default_indonesian(tmp_path, run):
    path = lakens_csv(tmp_path)
    result = run("analyze", "prepost", "--pairs", path, "--max-score", "10", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "10 pairs, 0 unpaired" in out and "t(9) = 4.743, p = 0.001" in out
    assert "Hake's normalised gain <g>                0.435" in out
    assert "[0.52, 1.48]" in out and "V = 36.0, p = 0.010" in out
    assert run("analyze", "prepost", "--pairs", path, "--max-score", "10").exit_code == 0


def test_pairs_file_problems_are_located(tmp_path, run):
    path = write(tmp_path / "bad.csv", "id,pre,post\n,abc,1\nA,1,2\nA,nan,3\nB,1,1e999\n")
    result = run("analyze", "prepost", "--pairs", path, "--lang", "en")
    assert result.exit_code == 2 and result.stdout == ""
    err = result.stderr
    assert "bad.csv:2:1: PREPOST-ID-EMPTY" in err and "bad.csv:2:2: PREPOST-SCORE-NOT-NUMBER" in err
    assert "bad.csv:4:1: PREPOST-ID-DUPLICATE: the id 'A' is also in row 3" in err
    assert "bad.csv:4:2: PREPOST-SCORE-NOT-NUMBER" in err and "bad.csv:5:3: PREPOST-SCORE-NOT-NUMBER" in err
    columns = write(tmp_path / "cols.csv", "nama,pre,pre\nA,1,2\n")
    err = run("analyze", "prepost", "--pairs", columns, "--lang", "en").stderr
    assert "cols.csv:1:3: PREPOST-COLUMN-DUPLICATE" in err
    assert "cols.csv:1: PREPOST-COLUMN-MISSING: the column 'id' is missing" in err
    missing = run("analyze", "prepost", "--pairs", str(tmp_path / "none.csv"), "--lang", "en")
    assert missing.exit_code == 2 and "FILE-NOT-FOUND" in missing.stderr


def test_pairs_from_a_spreadsheet_and_a_file_without_rows(tmp_path, run):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID", "Pre", "Post"])
    for k, (a, b) in enumerate(zip(MOVIE_2, MOVIE_1, strict=True)):
        sheet.append([f"P{k}", a, b + 0.5 if k == 0 else b])
    book.save(tmp_path / "pairs.xlsx")
    rec = json.loads(run("analyze", "prepost", "--pairs", str(tmp_path / "pairs.xlsx"), "--json").stdout)
    assert rec["n"] == 10 and rec["mean_post"] == pytest.approx(8.75)
    # Issue 18, point 4: no complete pair (a header only, or only one score per row) is refused.
    for name, text, rows in (("e.csv", "id,pre,post\n", 0), ("f.csv", "id,pre,post\nA,50,\nB,,60\n", 2)):
        empty = run("analyze", "prepost", "--pairs", write(tmp_path / name, text), "--json", "--lang", "en")
        assert empty.exit_code == 2 and empty.stdout == ""
        assert (
            f"{tmp_path / name}: PREPOST-NO-PAIRS: no row has both a pre and a post score ({rows} rows"
            in (empty.stderr)
        )


def test_equal_differences_are_said_to_leave_the_t_test_without_variance(tmp_path, run):
    """Issue 18, point 4: every difference equal (here +5, then 0) makes t infinite or undefined;
    the t-test is said not to apply, t, p and the interval are null, not "t = -, p < 0.001"."""
    for gain in (5, 0):
        rows = "".join(f"P{k},{40 + 3 * k},{40 + 3 * k + gain}\n" for k in range(10))
        path = write(tmp_path / f"sama{gain}.csv", "id,pre,post\n" + rows)
        rec = json.loads(run("analyze", "prepost", "--pairs", path, "--json").stdout)
        assert rec["t_test"] == "no_variance" and rec["mean_gain"] == gain and rec["df"] == 9
        assert all(rec[k] is None for k in ("t", "p", "ci_low", "ci_high", "d_z"))
        text = run("analyze", "prepost", "--pairs", path, "--lang", "en").stdout
        assert "all differences are equal" in text and "the t-test does not apply" in text
        assert "none: the differences have no variance" in text and "p <" not in text.split("Wilcoxon")[0]
    spread = json.loads(run("analyze", "prepost", "--pairs", lakens_csv(tmp_path), "--json").stdout)
    assert spread["t_test"] == "done" and spread["t"] is not None and spread["ci_low"] < spread["ci_high"]


def test_options_are_checked(tmp_path, run):
    path = lakens_csv(tmp_path)
    for bad in ("0", "-1", "nan", "inf"):
        result = run("analyze", "prepost", "--pairs", path, "--max-score", bad, "--lang", "en")
        assert result.exit_code == 2 and "--max-score" in result.stderr
    assert run("analyze", "prepost", "--pairs", path, "--confidence-level", "1").exit_code == 2
    result = run("analyze", "prepost", "--pairs", path, "--pre", "pre", "--lang", "en")
    assert result.exit_code == 2 and "--pairs" in result.stderr


# -- an event's own results -------------------------------------------------------------------


def _invoke(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    set_language(None)
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def same_items(tmp_path_factory):
    """The worked example with the post-test on the pre-test's items, simulated and scored."""
    folder = tmp_path_factory.mktemp("prepost") / "ws"
    _invoke("init", "--example", "payakumbuh-2019", str(folder))
    config = folder / "assessment.yaml"
    text = config.read_text(encoding="utf-8")
    assert "    parallel_to: pre\n    anchors: 0\n" in text
    config.write_text(
        text.replace("    parallel_to: pre\n    anchors: 0\n", "    same_items: pre\n"), "utf-8"
    )
    w = ("-w", str(folder))
    _invoke(*w, "participants", "import", str(folder / "peserta.csv"))
    _invoke(*w, "form", "build", "--phase", "pre")
    _invoke(*w, "form", "build", "--phase", "post")
    _invoke(*w, "simulate", "--seed", "7")
    _invoke(*w, "score")
    return folder


def _results(folder, phase):
    store = Store.open(f"sqlite:///{folder / 'assess.db'}")
    try:
        return {r.person_id: r for r in store.results("payakumbuh-2019", phase)}
    finally:
        store.close()


def test_event_pairs_by_participant_per_competency_and_item(same_items, run):
    result = run("-w", str(same_items), "analyze", "prepost", "--json")
    assert result.exit_code == 0, result.stderr
    rec = json.loads(result.stdout)
    assert (rec["pre_phase"], rec["post_phase"], rec["n"], rec["n_unpaired"]) == ("pre", "post", 52, 0)
    pre, post = _results(same_items, "pre"), _results(same_items, "post")
    people = sorted(pre)
    a = np.array([pre[p].percentage for p in people])
    b = np.array([post[p].percentage for p in people])
    assert rec["mean_gain"] == pytest.approx(np.mean(b - a))
    assert rec["p"] == pytest.approx(stats.ttest_rel(b, a).pvalue, rel=1e-9)
    assert rec["hake_g"] == pytest.approx((b.mean() - a.mean()) / (100 - a.mean()))
    # per competency: the stored competency percentages, paired the same way
    comp = rec["competencies"][0]
    c = comp["competency"]
    ca = np.array([pre[p].competencies[c].percentage for p in people])
    cb = np.array([post[p].competencies[c].percentage for p in people])
    assert comp["n"] == 52 and comp["t"] == pytest.approx(stats.ttest_rel(cb, ca).statistic, rel=1e-9)
    # per item: McNemar on full marks (right) vs none (wrong), cross-checked with the stored item marks
    assert rec["items"], "the post-test shares the pre-test's items"
    for item in rec["items"]:
        right_pre = [pre[p].items[item["id"]].points >= pre[p].items[item["id"]].max_points for p in people]
        right_post = [
            post[p].items[item["id"]].points >= post[p].items[item["id"]].max_points for p in people
        ]
        b10 = sum(x and not y for x, y in zip(right_pre, right_post, strict=True))
        c01 = sum(y and not x for x, y in zip(right_pre, right_post, strict=True))
        assert (item["n"], item["b"], item["c"]) == (52, b10, c01)
        if b10 + c01:
            assert item["mcnemar_exact_p"] == pytest.approx(stats.binomtest(c01, b10 + c01).pvalue, rel=1e-9)
        assert (
            item["id"]
            in next(x for x in rec["competencies"] if x["competency"] == item["competencies"][0])["items"]
        )
    assert {i["reason"] for i in rec["items_left_out"]} == {
        "partial_credit"
    }  # weighted options, matching, ...
    text = run("-w", str(same_items), "analyze", "prepost", "--lang", "en").stdout
    assert "Pre/post: phase pre -> phase post" in text and "McNemar's test" in text
    assert "Per competency (percentages)" in text


def test_event_unpaired_attempts_are_counted_and_listed(same_items, run, tmp_path):
    store = Store.open(f"sqlite:///{same_items / 'assess.db'}")
    rows = store.results("payakumbuh-2019", "post")
    gone = rows[0]
    try:
        store.replace_results("payakumbuh-2019", "post", rows[1:])
        rec = json.loads(run("-w", str(same_items), "analyze", "prepost", "--json").stdout)
        text = run("-w", str(same_items), "analyze", "prepost", "--lang", "en").stdout
    finally:
        store.replace_results("payakumbuh-2019", "post", rows)
        store.close()
    assert (rec["n"], rec["n_unpaired"]) == (51, 1)
    assert [(u["id"], u["phase"]) for u in rec["unpaired"]] == [(gone.person_id, "pre")]
    assert all(c["n_unpaired"] == 1 for c in rec["competencies"])
    assert "51 pairs, 1 unpaired" in text and f"{gone.person_id}" in text.split("Unpaired")[-1]


def test_event_phases_are_checked(same_items, run):
    w = ("-w", str(same_items))
    result = run(*w, "analyze", "prepost", "--pre", "awal", "--lang", "en")
    assert result.exit_code == 2 and "PREPOST-PHASE-UNKNOWN" in result.stderr and "pre, post" in result.stderr
    result = run(*w, "analyze", "prepost", "--pre", "post", "--lang", "en")
    assert result.exit_code == 2 and "PREPOST-PHASES-SAME" in result.stderr
    assert run(*w, "analyze", "prepost", "--max-score", "40").exit_code == 2


def test_demo_with_parallel_forms_has_no_item_in_both(tmp_path, run):
    out = tmp_path / "demo"
    assert run("demo", "--out", str(out)).exit_code == 0
    result = run("-w", str(out), "analyze", "prepost", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "52 pairs, 0 unpaired" in result.stdout and "No item is in both phases' forms" in result.stdout
    rec = json.loads(run("-w", str(out), "analyze", "prepost", "--json").stdout)
    only_one_phase = [c for c in rec["competencies"] if c["n"] == 0]
    assert all(c["n_unpaired"] == 52 and c["t"] is None and c["wilcoxon_p"] is None for c in only_one_phase)
    assert "NaN" not in json.dumps(rec)


SMALL_PAIRS = [
    "id,pre,post\nA,10,20\nB,30,\nC,,40\nD,50,55\n",  # unpaired rows
    "ID;Pre;Post\n A ;10,5;20\nB;30;35,25\n",  # semicolons, decimal commas, spaces round an id
    'nama,id,post,pre\nx,"A, 1",20,10\ny,B,35,30\n',  # other columns, another order, a quoted id
    "id,pre,post\nA,10,20\n\nB,30,35\n",  # a blank line: the lines stay right
    "id,pre,post\nA,10,20\n,30,35\n",  # an empty id
    "id,pre,post\nA,10,20\nA,30,35\n",  # a repeated id
    "id,pre,post\nA,10,nan\nB,30,35\n",  # not a number
    "id,pre,post\nA,10,\n",  # no pair
    "id,pre\nA,10\n",  # a column missing
]


@pytest.mark.parametrize("text", SMALL_PAIRS, ids=range(len(SMALL_PAIRS)))
def test_pyarrow_reads_a_pairs_file_as_the_checking_reader_does(tmp_path, monkeypatch, text):
    """Issue 18, point 2: the same pairs, lines and problems by either reader (small files read as
    large ones are, here)."""
    from assess.sheets import pairs as reading

    path = Path(write(tmp_path / "pairs.csv", text))

    def outcome():
        try:
            p = reading.read_pairs(path)
        except ProblemsFound as e:
            return [(q.code, q.line, q.column) for q in e.problems]
        scores = [[None if math.isnan(v) else v for v in column] for column in (p.pre, p.post)]
        return p.ids, scores, p.lines

    careful = outcome()
    monkeypatch.setattr(reading, "ARROW_MIN_BYTES", 0)
    assert outcome() == careful
    # The first three are plainly right, and pyarrow reads them; the others go to the checking reader.
    assert (reading._arrow(path) is not None) == (SMALL_PAIRS.index(text) < 3)


def test_a_large_pairs_file_is_read_by_pyarrow(tmp_path):
    from assess.sheets import pairs as reading

    rng = np.random.default_rng(18)
    pre, post = rng.integers(0, 101, 90_000).astype(float), rng.integers(0, 101, 90_000).astype(float)
    pre[::7] = np.nan  # unpaired rows
    cell = lambda v: "" if np.isnan(v) else f"{v:g}"  # noqa: E731
    rows = "".join(f"P{k},{cell(a)},{cell(b)}\n" for k, (a, b) in enumerate(zip(pre, post, strict=True)))
    path = Path(write(tmp_path / "besar.csv", "id,pre,post\n" + rows))
    assert path.stat().st_size > reading.ARROW_MIN_BYTES and reading._arrow(path) is not None
    p = reading.read_pairs(path)
    assert p.ids[:2] == ["P0", "P1"] and p.lines[-1] == 90_001
    assert np.array_equal(p.pre, pre, equal_nan=True) and np.array_equal(p.post, post)
