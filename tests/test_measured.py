"""Reports claim only what the test measured (issue 16, points 1 and 2): a competency is scored only on
enough items, with its standard error; not measured is not zero; a weighted-options item's worst answer
is 0% of a competency; `event check` warns of a competency the reports would show on too few items."""

from __future__ import annotations

import datetime as dt
import math
import re
from html import unescape
from pathlib import Path

import numpy as np
import pytest
from pydantic import TypeAdapter

from assess.bank.model import Item
from assess.event import Reporting
from assess.event.policy import Grading, ScoringPolicy
from assess.reports.measured import BINOMIAL, Measured, measured, median_level
from assess.responses import encode_item
from assess.scoring import competency_points, lowest_share, score_attempt, score_bulk
from assess.store.records import CompetencyScore, ItemMark, Result

ITEM = TypeAdapter(Item)
POLICY = ScoringPolicy.model_validate({"type_weights": {"weighted_options": 0.2}})


def _attitude(item_id: str, competencies: list[str]):
    options = [
        {"id": k, "text": k.upper(), "points": p} for k, p in zip("abcde", (1, 2, 3, 4, 5), strict=True)
    ]
    return ITEM.validate_python(
        {
            "id": item_id,
            "type": "weighted_options",
            "stem": "Sikap?",
            "options": options,
            "competencies": competencies,
            "difficulty": "easy",
        }
    )


def _choice(item_id: str):
    options = [{"id": k, "text": k.upper()} for k in "abcd"]
    return ITEM.validate_python(
        {
            "id": item_id,
            "type": "single_choice",
            "stem": "Soal?",
            "options": options,
            "key": "a",
            "competencies": ["M.05"],
            "difficulty": "easy",
        }
    )


def test_a_weighted_items_worst_answer_is_zero_percent_of_a_competency_and_the_total_keeps_its_points():
    items = [_attitude("w", ["M.01"]), _choice("s")]
    answers = [{"w": "a", "s": "a"}, {"w": "c", "s": "b"}, {"w": "e"}, {"s": "a"}]
    single = [score_attempt(items, POLICY, Grading(), a) for a in answers]
    worst, middle, best, blank = single
    assert worst.competencies["M.01"].percentage == 0.0  # 1 of 1..5
    assert worst.points == pytest.approx(0.2 + 1.0)  # the total keeps the option's own points
    assert middle.competencies["M.01"].percentage == pytest.approx(50.0)  # (3 - 1) / (5 - 1)
    assert best.competencies["M.01"].percentage == pytest.approx(100.0)
    assert blank.competencies["M.01"].percentage == 0.0 and blank.points == pytest.approx(1.0)
    # The bulk path gives the same subscores.
    encoded = [encode_item(i, [a.get(i.id) for a in answers]) for i in items]
    bulk = score_bulk(items, POLICY, Grading(), encoded)
    for row, one in enumerate(single):
        assert bulk.attempt(row).competencies == one.competencies


def _result(person: str, marks: dict[str, tuple[float, float]], competencies: dict[str, float]) -> Result:
    items = {i: ItemMark(p, t, blank=False, pending=False) for i, (p, t) in marks.items()}
    return Result(
        event_id="e",
        attempt_id=int(person[1:]),
        phase_id="pre",
        person_id=person,
        points=sum(p for p, _t in marks.values()),
        max_points=sum(t for _p, t in marks.values()),
        percentage=0.0,
        band="Kurang",
        passed=None,
        provisional=False,
        competencies={c: CompetencyScore(0.0, 1.0, v, 1) for c, v in competencies.items()},
        items=items,
        scored_at=dt.datetime(2019, 10, 31),
    )


def test_a_competency_of_attitude_items_reports_the_median_level_of_the_answers():
    items = tuple(_attitude(f"w{k}", ["M.01"]) for k in range(4))
    m = Measured("M.01", items, 4.0, enough=True, levels_only=True, alpha=math.nan, sd=math.nan)
    chosen = {"w0": 2, "w1": 4, "w2": 4, "w3": 5}  # levels; the lower median of 2, 4, 4, 5 is 4
    result = _result("P1", {i: (p * 0.2, 1.0) for i, p in chosen.items()}, {"M.01": 0.0})
    assert median_level(m, result) == 4
    blank = _result("P2", {}, {})
    assert median_level(m, blank) is None


def test_without_ten_people_the_error_is_binomial():
    m = Measured("T.01", (_choice("a"),) * 4, 4.0, enough=True, levels_only=False, alpha=math.nan, sd=10.0)
    assert m.method == BINOMIAL
    assert m.sem(75.0) == pytest.approx(100 * math.sqrt(0.75 * 0.25 / 4))
    assert m.sem(0.0) == 0.0


# -- on the worked example ----------------------------------------------------------------------


def _workspace(folder: Path):
    from assess.workspace import Workspace

    return Workspace(folder, f"sqlite:///{folder / 'assess.db'}")


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def test_a_subscores_error_is_its_sd_times_the_root_of_one_minus_its_alpha(scored):
    ws = _workspace(scored)
    try:
        form, results = ws.form("pre"), ws.store.results(ws.event_id, "pre")
        found = measured(form, {}, results, Reporting(), 5)
        t02 = found["T.02"]
        carried = [i for i in form.items if "T.02" in i.competencies]
        assert [i.id for i in t02.items] == [i.id for i in carried] and t02.enough
        # By hand: the items' marks as they count in the competency (a weighted-options item from its
        # worst option up), their alpha, the subscores' SD.
        x = np.array(
            [
                [
                    competency_points(r.items[i.id].points, r.items[i.id].max_points, lowest_share(i))
                    for i in carried
                ]
                for r in results
            ]
        )
        shares = np.array([r.competencies["T.02"].percentage for r in results])
        assert t02.alpha == pytest.approx(_alpha(x)) and t02.sd == pytest.approx(shares.std(ddof=1))
        assert t02.sem(50.0) == pytest.approx(shares.std(ddof=1) * math.sqrt(1 - _alpha(x)))
        # A competency only second on an item or two: measured, not enough.
        few = [m for m in found.values() if not m.enough]
        assert few and all(0 < len(m.items) < 4 for m in few)
        # reporting.competencies leaves the others out.
        listed = measured(form, {}, results, Reporting(competencies=["T.01", "M.05"]), 5)
        assert set(listed) == {"T.01", "M.05"}
    finally:
        ws.close()


def _text(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _reports(run, folder: Path) -> Path:
    assert run("-w", str(folder), "phase", "close", "--phase", "post", "--score").exit_code == 0
    result = run("-w", str(folder), "report", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    return folder / "laporan"


def _lowest(folder: Path) -> str:
    ws = _workspace(folder)
    try:
        return min(ws.store.results(ws.event_id, "post"), key=lambda r: r.percentage).person_id
    finally:
        ws.close()


def _short_competencies(folder: Path) -> dict[str, dict[str, int]]:
    """Per phase, the competencies its form carries on fewer than 4 items (0: not measured), of every
    competency either form carries."""
    ws = _workspace(folder)
    try:
        found = {p: measured(ws.form(p), {}, [], Reporting(), 5) for p in ("pre", "post")}
    finally:
        ws.close()
    every = {c for f in found.values() for c in f}
    return {
        p: {c: len(f[c].items) if c in f else 0 for c in every if c not in f or not f[c].enough}
        for p, f in found.items()
    }


def test_the_lowest_scorer_is_told_nothing_that_rests_on_too_few_items(scored, run):
    # Every competency the forms touch, as an event without reporting.competencies would report them.
    event = scored / "assessment.yaml"
    event.write_text(event.read_text(encoding="utf-8").split("\nreporting:")[0] + "\n", encoding="utf-8")
    reports = _reports(run, scored)
    short_on = _short_competencies(scored)
    never = set(short_on["pre"]) & set(short_on["post"])  # on neither test on 4 items or more
    assert never and any(n == 0 for n in short_on["post"].values())  # the case is there to test
    person = _text((reports / "participants" / f"{_lowest(scored)}.html").read_text(encoding="utf-8"))
    # The pre-test is a starting point (no band, no pass or fail); the post-test has its verdict.
    summary = person.split(" Summary ", 1)[1].split(" Participant ", 1)[0]
    scores = summary.split(" Competencies ", 1)[0]
    assert "Tes awal shows where you started: it has no band and no pass or fail." in scores
    pre_row = scores.split("Tes awal", 1)[1].split("Tes akhir", 1)[0]
    assert "Insufficient" not in pre_row and "passed" not in pre_row
    assert "not passed yet" in scores.split("Tes akhir", 1)[1]
    row_pattern = r"\(((?:M|T|SK)\.\d\d)\)(.*?)(?=\S+ \((?:M|T|SK)\.\d\d\)|$)"
    short = summary.split(" Competencies ", 1)[1].split(" A competency is scored only ", 1)[0]
    for competency, row in re.findall(row_pattern, short):
        if competency in never:
            assert "%" not in row and "level" not in row, row
    assert "too few items to assess this competency" in short
    assert "not measured" in short  # a competency with no item on the post-test: not 0%
    section = person.split(" What each score rests on ", 1)[1].split(" Position in the cohort ", 1)[0]
    table = re.split(r" What the levels mean | The level puts ", section)[0]
    rows = re.findall(row_pattern, table)
    assert {c for c, _row in rows} >= never | {"T.01", "T.02", "T.03"}
    for competency, row in rows:
        scores = re.findall(r"\d+,?\d*% ± \d+ (\d+) items", row)
        assert all(int(k) >= 4 for k in scores), (competency, row)  # a score only on 4 items or more
        if competency in never:
            assert "%" not in row, row
    strengths = section.split(" Strengths ", 1)[1]
    for competency in short_on["post"]:
        assert f"({competency})" not in strengths
    cohort = _text((reports / "cohort.html").read_text(encoding="utf-8"))
    gains = cohort.split(" Gain per competency ", 1)[1].split(" Per group ", 1)[0]
    for competency, row in re.findall(row_pattern, gains):
        if competency in set(short_on["pre"]) | set(short_on["post"]):
            assert "+" not in row, row  # no gain unless both tests measured it
            if short_on["post"].get(competency) == 0:
                assert "not measured" in row
    _exports_say_not_measured(run, scored, short_on)


def _exports_say_not_measured(run, folder: Path, short_on: dict[str, dict[str, int]]) -> None:
    """The wide export and `analyze prepost --json` say "not measured" and "too few items" where the
    reports do, and compare a competency only where both forms measured it (point 2)."""
    import csv
    import json

    out = folder / "wide.csv"
    assert (
        run("-w", str(folder), "export", "--format", "csv-wide", "--out", str(out), "--lang", "en").exit_code
        == 0
    )
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    by_phase = {"pre": next(r for r in rows if r["Phase"] == "Tes awal")}
    by_phase["post"] = next(r for r in rows if r["Phase"] == "Tes akhir")
    for phase, row in by_phase.items():
        for competency, items in short_on[phase].items():
            [head] = [k for k in row if k.endswith(f"({competency}) %")]
            assert row[head] == ("not measured" if items == 0 else "too few items"), (phase, competency)
    assert float(by_phase["pre"]["Kelurahan governance (T.01) %"]) >= 0  # enough items: the percentage
    result = run("-w", str(folder), "analyze", "prepost", "--json")
    assert result.exit_code == 0, result.stderr
    by_id = {c["competency"]: c for c in json.loads(result.stdout)["competencies"]}
    for competency in set(short_on["pre"]) | set(short_on["post"]):
        entry = by_id[competency]
        for phase in ("pre", "post"):
            items = short_on[phase].get(competency)
            expected = "measured" if items is None else "not_measured" if items == 0 else "too_few_items"
            assert entry["measured"][phase] == expected, (competency, phase)
            if items is not None:
                assert entry["n_items"][phase] == items
        assert "mean_gain" not in entry
    assert by_id["T.01"]["measured"] == {"pre": "measured", "post": "measured"}
    assert by_id["T.01"]["mean_gain"] is not None


def test_event_check_warns_of_a_reported_competency_on_too_few_items(run, tmp_path):
    from assess.event.file import build_forms, load_event

    example = Path(__file__).resolve().parents[1] / "examples" / "payakumbuh-2019" / "assessment.yaml"
    clean = run("event", "check", str(example), "--lang", "en")
    assert clean.exit_code == 0 and "EVENT-COMPETENCY-FEW-ITEMS" not in clean.stdout
    forms = build_forms(load_event(example))
    carried = {p: sum("M.08" in i.competencies for i in forms[p].items) for p in ("pre", "post")}
    assert all(k < 4 for k in carried.values()) and any(carried.values())  # second on an item: too few
    text = example.read_text(encoding="utf-8").replace("[T.01, T.02, T.03, M.01, M.05]", "[T.01, M.08]")
    path = tmp_path / "assessment.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("event", "check", str(path), "--lang", "en")
    assert result.exit_code == 1
    warnings = [line for line in result.stdout.splitlines() if "EVENT-COMPETENCY-FEW-ITEMS" in line]
    assert len(warnings) == 2 and all("competency M.08" in w for w in warnings)
    assert f"phase pre, competency M.08: {carried['pre']} of the form's items" in warnings[0]
    assert f"phase post, competency M.08: {carried['post']} of the form's items" in warnings[1]
    assert "2 warnings" in result.stdout


# -- what the gain compares (point 3) ------------------------------------------------------------


def _forms_with_anchors(anchors: int):
    from assess.event.file import build_forms, load_event

    loaded = load_event(
        Path(__file__).resolve().parents[1] / "examples" / "payakumbuh-2019" / "assessment.yaml"
    )
    phases = [loaded.event.phases[0], loaded.event.phases[1].model_copy(update={"anchors": anchors})]
    loaded.event = loaded.event.model_copy(update={"phases": phases})
    forms = build_forms(loaded)
    return forms["pre"], forms["post"]


def _results_of(form, share_of) -> dict[str, Result]:
    """20 people; person k earns share_of(k, item id) of every item's point."""
    out = {}
    for k in range(20):
        marks = {i.id: (share_of(k, i.id), 1.0) for i in form.items}
        out[f"P{k + 1}"] = _result(f"P{k + 1}", marks, {})
    return out


def test_the_gain_is_called_a_gain_only_when_the_forms_are_the_same_or_shown_equally_difficult():
    from assess.reports.forms_compared import compare_forms, mean_difficulty

    pre, post = _forms_with_anchors(6)
    shared = {i.id for i in pre.items} & {i.id for i in post.items}
    assert len(shared) == 6
    start = lambda k, _i: 0.3 + 0.01 * k  # noqa: E731
    before = _results_of(pre, start)
    # Everyone gains 20 points on every item, anchors or not: the forms behave alike.
    alike = compare_forms(
        pre, post, before, _results_of(post, lambda k, i: start(k, i) + 0.2 + 0.002 * (k % 3))
    )
    assert not alike.same and alike.equal and set(alike.shared) == shared
    assert alike.anchor_facility == pytest.approx((0.395, 0.595), abs=0.002)
    assert alike.difficulty == (mean_difficulty(pre), mean_difficulty(post))
    # The other items "gain" 20 points more than the anchors: an easier post-test form, not learning.
    easier = _results_of(post, lambda k, i: start(k, i) + (0.1 if i in shared else 0.3) + 0.002 * (k % 3))
    apart = compare_forms(pre, post, before, easier)
    assert not apart.equal and apart.difference_ci[0] > 5
    # Without anchors nothing can show it.
    pre0, post0 = _forms_with_anchors(0)
    none = compare_forms(pre0, post0, _results_of(pre0, start), _results_of(post0, start))
    assert none.shared == () and none.anchor_facility is None and not none.equal


def test_the_reports_say_the_example_compares_two_forms(scored, run):
    reports = _reports(run, scored)
    cohort = _text((reports / "cohort.html").read_text(encoding="utf-8"))
    assert "Difference between the two forms' scores: Tes awal to Tes akhir" in cohort
    assert "The two tests are different forms with no item in common." in cohort
    assert "Learning gain:" not in cohort
    # The participation table says what its column waits for ("Sementara" was unexplained).
    assert " Took it Waiting for essay marks State " in cohort
    person = _text((reports / "participants" / "P0001.html").read_text(encoding="utf-8"))
    assert "Difference between the two forms' scores" in person and "different forms" in person


# -- groups (point 9) -------------------------------------------------------------------------------


def test_the_cohort_compares_groups_of_three_or_more_and_never_a_smaller_one_by_name(scored, run):
    reports = _reports(run, scored)
    cohort = _text((reports / "cohort.html").read_text(encoding="utf-8"))
    # One lurah per kelurahan: units average under 3, so the report compares the five groups.
    cohort = cohort.replace(" Swipe the table sideways to see every column →", "")
    groups = cohort.split(" Per group ", 1)[1].split(" Participants Name ", 1)[0]
    assert " Per unit " not in cohort
    assert re.findall(r"Payakumbuh Barat (\d+) ", groups) == ["13"]
    event = scored / "assessment.yaml"
    event.write_text(event.read_text(encoding="utf-8") + "  group_by: unit\n", encoding="utf-8")
    assert run("-w", str(scored), "report", "--lang", "en").exit_code == 0
    cohort = _text((reports / "cohort.html").read_text(encoding="utf-8"))
    cohort = cohort.replace(" Swipe the table sideways to see every column →", "")
    units = cohort.split(" Per unit ", 1)[1].split(" Participants Name ", 1)[0]
    assert "Kelurahan" not in units and "Kecamatan" not in units  # no unit of one person by name
    assert "52 smaller groups together 52 " in units


# -- the item review (point 4) ---------------------------------------------------------------------


def test_the_review_marks_every_item_right_wrong_or_partly_with_its_points_folded_away(scored, run):
    reports = _reports(run, scored)
    html = (reports / "participants" / "P0001.html").read_text(encoding="utf-8")
    ws = _workspace(scored)
    try:
        post = next(r for r in ws.store.results(ws.event_id, "post") if r.person_id == "P0001")
        form = ws.form("post")
    finally:
        ws.close()
    review = html.split("Item review: Tes akhir", 1)[1]
    assert "<details>" in review.split("<ol", 1)[0]  # folded away on screen
    marks = re.findall(r'<span class="mark (right|wrong|partial)"', review)
    expected = []
    for item in form.items:  # variant A's order is the form's
        m = post.items[item.id]
        if not m.pending:
            expected.append("right" if m.points >= m.max_points else "wrong" if m.points <= 0 else "partial")
    assert marks == expected
    parts = [
        len(i.prompts) if i.type == "matching" else len(i.key)
        for i in form.items
        if i.type in ("matching", "ordering")
    ]
    tables = re.findall(r'<table class="parts">.*?</table>', review, flags=re.S)
    assert parts and [t.count("<tr>") - 1 for t in tables] == parts  # a row per prompt or position
