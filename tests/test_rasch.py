"""The Rasch and partial credit models by conditional maximum likelihood, against R's eRm (issue 19,
point 6).

The reference values were computed once by tests/fixtures/rasch/make_reference.R (eRm 1.0.2's
`RM(X, sum0 = TRUE)`, `itemfit(person.parameter(.))`, and Warm's WLE solved with `uniroot` from
eRm's difficulties), on a simulated design of three overlapping booklets (missing by design), on
the LSAT's sections 6 and 7, and (`PCM`) on eRm's pcmdat2 with answers missing by design. R is
never called here.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from assess.analysis._common import DegenerateDataWarning
from assess.analysis.rasch import rasch

FIXTURES = Path(__file__).parent / "fixtures" / "rasch"
TOLERANCE = 0.001  # logits and mean squares: ten times tighter than the 0.01


def load(name: str) -> tuple[np.ndarray, dict]:
    x = np.genfromtxt(FIXTURES / f"{name}.csv", delimiter=",", skip_header=1)
    return x, json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["simulated_booklets", "lsat6", "lsat7"])
def test_items_and_persons_agree_with_erm(name):
    x, ref = load(name)
    result = rasch(x)
    items, persons = result.items, result.persons
    assert items.not_calibrated == ()
    assert np.allclose(items.difficulty, ref["difficulty"], atol=TOLERANCE)
    assert abs(items.difficulty.sum()) < 1e-9  # sum-zero, as eRm's sum0 = TRUE
    assert np.allclose(items.se, ref["se"], atol=TOLERANCE)
    assert items.loglik == pytest.approx(ref["loglik"], abs=1e-4)
    assert np.allclose(items.infit, ref["infit"], atol=TOLERANCE)
    assert np.allclose(items.outfit, ref["outfit"], atol=TOLERANCE)
    # Warm's WLE for every person, zero and full scores included (finite), with its error.
    assert np.isfinite(persons.theta).all()
    assert np.allclose(persons.theta, ref["wle"], atol=TOLERANCE)
    assert np.allclose(persons.se, ref["wle_se"], atol=TOLERANCE)


def test_the_booklet_design_is_missing_by_design_not_wrong():
    """Each simulated person took 12 of 24 items; treating the others as wrong would move every
    difficulty by far more than the tolerance."""
    x, ref = load("simulated_booklets")
    assert (~np.isnan(x)).sum(axis=1).tolist() == [12] * len(x)
    wrong = rasch(np.nan_to_num(x, nan=0.0)).items.difficulty
    assert np.max(np.abs(wrong - np.asarray(ref["difficulty"]))) > 0.3


@pytest.mark.parametrize("everyone", [1.0, 0.0], ids=["right", "wrong"])
def test_an_item_everyone_got_right_or_wrong_is_named_and_the_rest_calibrated(everyone):
    x, _ = load("lsat6")
    x = x.copy()
    x[:, 2] = everyone
    with pytest.warns(DegenerateDataWarning, match="not calibrated") as record:
        result = rasch(x)
    assert {type(w.message) for w in record} == {DegenerateDataWarning}  # no division by zero on the way
    assert result.items.not_calibrated == (2,) and np.isnan(result.items.difficulty[2])
    calibrated = np.delete(result.items.difficulty, 2)
    assert np.isfinite(calibrated).all() and abs(calibrated.sum()) < 1e-9


def test_partial_credit_items_agree_with_erm():
    """eRm's `PCM(X, sum0 = TRUE)` on its own pcmdat2 (4 items scored 0..2), a fifth of the persons
    not given item 4: every beta, threshold, standard error, fit and person measure."""
    x, ref = load("pcmdat2")
    items = rasch(x).items
    assert items.max_score.tolist() == [2, 2, 2, 2] and items.not_calibrated == ()
    assert np.allclose(items.beta, ref["beta"], atol=TOLERANCE) and abs(items.beta.sum()) < 1e-9
    assert np.allclose(items.beta_se, ref["se_beta"], atol=TOLERANCE)
    assert np.allclose(np.concatenate(items.thresholds), np.concatenate(ref["thresholds"]), atol=TOLERANCE)
    assert np.allclose(np.concatenate(items.threshold_se), ref["threshold_se"], atol=TOLERANCE)
    assert items.loglik == pytest.approx(ref["loglik"], abs=1e-4)
    assert np.allclose(items.infit, ref["infit"], atol=TOLERANCE)
    assert np.allclose(items.outfit, ref["outfit"], atol=TOLERANCE)
    persons = rasch(x).persons
    assert np.allclose(persons.theta, ref["wle"], atol=TOLERANCE)
    assert np.allclose(persons.se, ref["wle_se"], atol=TOLERANCE)
    # A right/wrong item's thresholds are its difficulty: the Rasch model is the one-step case.
    x6, ref6 = load("lsat6")
    assert np.allclose([t[0] for t in rasch(x6).items.thresholds], ref6["difficulty"], atol=TOLERANCE)


def test_an_empty_middle_category_is_named_and_the_rest_calibrated():
    x, _ = load("pcmdat2")
    x = x.copy()
    x[x[:, 0] == 1, 0] = 2  # nobody scores 1 on item 1
    with pytest.warns(DegenerateDataWarning, match="not calibrated"):
        items = rasch(x).items
    assert items.not_calibrated == (0,) and np.isnan(items.thresholds[0]).all()
    assert np.isfinite(np.concatenate(items.thresholds[1:])).all()


def test_a_person_with_no_item_has_no_measure_and_scores_are_whole_numbers():
    x, _ = load("lsat7")
    x = np.vstack([x, np.full(x.shape[1], np.nan)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        persons = rasch(x).persons
    assert np.isnan(persons.theta[-1]) and np.isfinite(persons.theta[:-1]).all()
    for bad in ([[0, 1], [0.5, 1]], [[0, 1], [-1, 1]]):
        with pytest.raises(ValueError, match="whole numbers"):
            rasch(np.array(bad))
    with pytest.raises(ValueError, match="above its item's maximum"):
        rasch(np.array([[0, 1], [2, 1]]), max_scores=[1, 1])


# -- assess analyze rasch --------------------------------------------------------------------------


def test_the_command_calibrates_a_file_with_items_not_given_as_erm_does(run):
    """Blank cells are items not given (the three booklets); the JSON's difficulties, thresholds,
    fit and measures are eRm's, and every item's maximum is stated."""
    _, ref = load("simulated_booklets")
    result = run("analyze", "rasch", "--matrix", str(FIXTURES / "simulated_booklets.csv"), "--json")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    items = record["items"]
    assert [i["max_score"] for i in items] == [1] * 24 and {i["model"] for i in items} == {"rasch"}
    assert np.allclose([i["difficulty"] for i in items], ref["difficulty"], atol=TOLERANCE)
    assert np.allclose([i["thresholds"][0] for i in items], ref["difficulty"], atol=TOLERANCE)
    assert np.allclose([i["outfit"] for i in items], ref["outfit"], atol=TOLERANCE)
    assert np.allclose([p["measure"] for p in record["persons"]], ref["wle"], atol=TOLERANCE)
    assert record["persons"][0]["max_score"] == 12 and record["not_calibrated"] == []
    _, pcm = load("pcmdat2")
    text = run("analyze", "rasch", "--matrix", str(FIXTURES / "pcmdat2.csv"), "--lang", "en").stdout
    assert f"{pcm['thresholds'][0][0]:.2f} ± {pcm['threshold_se'][0]:.2f}" in text  # -0.08 ± 0.15


def test_the_command_names_what_it_cannot_calibrate_and_locates_bad_scores(run, tmp_path):
    rows = ["id,a,b,c,d"] + [f"P{k},{k % 2},{(k // 2) % 2},{(k // 4) % 2},1" for k in range(16)]
    path = tmp_path / "skor.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    done = run("analyze", "rasch", "--matrix", str(path), "--json", "--lang", "en")
    assert done.exit_code == 0 and "ANALYZE-RASCH-NOT-CALIBRATED: not calibrated: d." in done.stderr
    record = json.loads(done.stdout)
    assert record["not_calibrated"] == ["d"] and record["items"][3]["difficulty"] is None
    # A maximum above every score given leaves a category empty: that item is named too.
    wider = run("analyze", "rasch", "--matrix", str(path), "--max-marks", "1,1,2,1", "--json")
    assert json.loads(wider.stdout)["not_calibrated"] == ["c", "d"]
    path.write_text("id,a,b\nP1,1,0.5\nP2,-1,1\nP3,,1\n", encoding="utf-8")
    bad = run("analyze", "rasch", "--matrix", str(path), "--lang", "en")
    assert bad.exit_code == 2 and bad.stdout == ""
    assert (
        f"{path}:2:3: ANALYZE-MATRIX-NOT-WHOLE" in bad.stderr
        and f"{path}:3:2: ANALYZE-MATRIX-NOT-WHOLE" in bad.stderr
    )
    path.write_text("id,a,b\nP1,1,1\nP2,0,0\n", encoding="utf-8")
    none = run("analyze", "rasch", "--matrix", str(path), "--lang", "en")
    assert none.exit_code == 2 and "ANALYZE-RASCH-IMPOSSIBLE" in none.stderr


def test_misfit_is_flagged_both_ways(run, tmp_path):
    """Mean squares outside 0.5-1.5 (Wright & Linacre's productive range): a reversed key is noise
    (outfit above 1.5), an item that only splits the persons at the median score is too predictable
    (below 0.5); the LSAT's items fit."""
    from assess.analysis.rasch import fit_flags

    x, _ = load("lsat7")
    assert fit_flags(rasch(x).items) == [[]] * 5
    reversed_key = x.copy()
    reversed_key[:, 4] = 1 - reversed_key[:, 4]
    noisy = fit_flags(rasch(reversed_key).items)[4]
    assert [(f.code, f.params["statistic"]) for f in noisy] == [("RASCH-MISFIT-NOISY", "outfit")]
    z, _ = load("simulated_booklets")
    mean = np.nanmean(z, axis=1)
    z[:, 5] = np.where(np.isnan(z[:, 5]), np.nan, (mean > np.median(mean)).astype(float))
    predictable = fit_flags(rasch(z).items)[5]
    assert {f.code for f in predictable} == {"RASCH-MISFIT-PREDICTABLE"}
    assert all(f.params["value"] < 0.5 for f in predictable)
    path = tmp_path / "terbalik.csv"
    np.savetxt(path, reversed_key, delimiter=",", fmt="%d", header="a,b,c,d,e", comments="")
    text = run("analyze", "rasch", "--matrix", str(path), "--lang", "en").stdout
    assert "e: RASCH-MISFIT-NOISY: outfit mean square 1.57 is above 1.5" in text
    record = json.loads(run("analyze", "rasch", "--matrix", str(path), "--json").stdout)
    assert record["items"][4]["flags"][0]["code"] == "RASCH-MISFIT-NOISY"
    assert record["conventions"]["fit_range"] == [0.5, 1.5]


def test_the_command_says_why_when_there_is_no_common_scale(run, tmp_path, monkeypatch):
    """A review's cases: answers that separate items (no finite estimates), forms sharing no item,
    an item left out making another lose a category, an empty column, an XLSX row ending in an item
    not given, and a score out of range in a file read by pyarrow."""

    def rasch_of(name: str, text: str, *args: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path, run("analyze", "rasch", "--matrix", str(path), "--json", "--lang", "en", *args)

    _, separated = rasch_of("pisah.csv", "a,b,c,d\n1,1,0,0\n1,0,0,0\n0,1,0,0\n1,1,1,0\n1,1,0,1\n")
    assert separated.exit_code == 2 and "no finite solution" in separated.stderr and separated.stdout == ""
    assert "RuntimeWarning" not in separated.stderr
    _, apart = rasch_of("lepas.csv", "a,b,c,d\n1,0,,\n0,1,,\n1,1,,\n,,1,0\n,,0,1\n,,1,1\n")
    assert apart.exit_code == 2 and "the forms share no items" in apart.stderr
    rows = "0,0,0,1\n" + "1,0,1,1\n0,1,1,1\n1,1,1,1\n" * 2
    _, cascade = rasch_of("beruntun.csv", "a,b,c,d\n" + rows)  # d out, then c (its 0 was the 0 scorer's)
    assert cascade.exit_code == 0 and json.loads(cascade.stdout)["not_calibrated"] == ["c", "d"]
    _, empty = rasch_of("kosong.csv", "a,b,c\n1,0,\n0,1,\n1,1,\n0,0,\n1,0,\n")
    record = json.loads(empty.stdout)
    assert (
        record["not_calibrated"] == ["c"]
        and record["items"][2]["model"] is None
        and empty.stderr.count("\n") == 1
    )
    import openpyxl

    book = openpyxl.Workbook()
    for row in (["id", "a", "b", "c"], ["P1", 1, 0, 1], ["P2", 0, 1], ["P3", 1, 1, 0], ["P4", 0, 0, 1]):
        book.active.append(row)
    book.save(tmp_path / "buku.xlsx")
    sheet = run("analyze", "rasch", "--matrix", str(tmp_path / "buku.xlsx"), "--json")
    assert sheet.exit_code == 0 and json.loads(sheet.stdout)["persons"][1]["max_score"] == 2
    monkeypatch.setattr("assess.sheets.matrix.ARROW_MIN_BYTES", 0)  # read as a large file is
    path, wide = rasch_of("lebar.csv", "a,b\n1,\n0,2\n1,1\n", "--max-marks", "1")
    assert wide.exit_code == 2 and f"{path}:3:2: ANALYZE-MATRIX-MARK-RANGE" in wide.stderr


@pytest.mark.parametrize("name", ["simulated_booklets", "pcmdat2"])
def test_anchored_items_leave_the_others_and_every_person_where_the_joint_calibration_puts_them(name):
    """A later calibration fixes the items it shares with an earlier one (issue 19, point 6): anchored
    at the joint estimates, the free items and every person come out at the joint values; anchored one
    logit higher, everything moves one logit with them (the scale is the anchors')."""
    x, _ref = load(name)
    joint = rasch(x)
    anchored = range(0, x.shape[1], 2)
    anchors = {i: joint.items.thresholds[i] for i in anchored}
    free = [i for i in range(x.shape[1]) if i not in anchors]
    again = rasch(x, anchors=anchors)
    for i in free:
        assert np.allclose(again.items.thresholds[i], joint.items.thresholds[i], atol=1e-6)
        assert (again.items.threshold_se[i] > 0).all()  # estimated (relative to the anchors, not to sum zero)
    for i in anchored:
        assert np.allclose(again.items.thresholds[i], joint.items.thresholds[i], atol=1e-12)
        assert np.isnan(again.items.threshold_se[i]).all()  # not estimated here
    assert np.allclose(again.persons.theta, joint.persons.theta, atol=1e-6)

    moved = rasch(x, anchors={i: t + 1.0 for i, t in anchors.items()})
    for i in free:
        assert np.allclose(moved.items.thresholds[i], joint.items.thresholds[i] + 1.0, atol=1e-6)
    assert np.allclose(moved.persons.theta, joint.persons.theta + 1.0, atol=1e-6)


def test_a_form_without_an_anchored_item_has_no_place_on_the_anchors_scale():
    x, _ref = load("simulated_booklets")
    joint = rasch(x)
    taken = ~np.isnan(x)
    first_form = np.flatnonzero(taken[0])
    only_first = {int(i): joint.items.thresholds[int(i)] for i in first_form}
    # the items of the first person's booklet anchored: linked through the booklets' shared items
    assert np.isfinite(rasch(x, anchors=only_first).persons.theta).all()
    # two separate forms, anchors on one of them only
    a, b = x[:, :6].copy(), x[:, 6:12].copy()
    a[len(x) // 2 :] = np.nan
    b[: len(x) // 2] = np.nan
    split = np.hstack([a, b])
    keep = ~np.isnan(split).all(axis=1)
    with pytest.raises(ValueError, match="no item with the anchored items"):
        rasch(split[keep], anchors={0: [0.0], 1: [0.5]})


@pytest.mark.parametrize("given", ["2.5", "1,1.5", "100000000000000000000"])
def test_a_maximum_that_is_no_whole_number_of_categories_is_said(run, tmp_path, given):
    """A fractional --max-marks was cut off without a word, and a huge one overflowed."""
    path = tmp_path / "skor.csv"
    path.write_text("a,b\n1,0\n0,1\n1,1\n0,0\n", encoding="utf-8")
    result = run("analyze", "rasch", "--matrix", str(path), "--max-marks", given, "--lang", "en")
    assert (
        result.exit_code == 2
        and "ANALYZE-MAX-MARKS-WHOLE" in result.stderr
        and "Traceback" not in result.stderr
    )


def test_a_row_of_empty_cells_is_said_and_listed(run, tmp_path):
    path = tmp_path / "skor.csv"
    path.write_text("a,b,c\n1,0,1\n,,\n0,1,1\n1,1,0\n0,0,1\n", encoding="utf-8")
    result = run("analyze", "rasch", "--matrix", str(path), "--json", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "skor.csv:3: ANALYZE-MATRIX-ROW-SKIPPED" in result.stderr
    record = json.loads(result.stdout)
    assert record["skipped_rows"] == [3] and len(record["persons"]) == 4


def test_the_quick_information_of_right_wrong_forms_equals_the_exact_one():
    """Forms of right/wrong items take the information from divided functions (every pair of every
    form at once); it must equal the exact products', and a form where division loses digits falls
    back to them."""
    from assess.analysis import rasch as r

    rng = np.random.default_rng(11)
    checked = {}
    for k, spread in ((20, 1.0), (60, 2.5)):
        theta, b = rng.normal(size=300), rng.normal(scale=spread, size=k)
        x = (rng.random((300, k)) < 1 / (1 + np.exp(-(theta[:, None] - b[None, :])))).astype(float)
        x[:100, : k // 2] = np.nan  # a second form: the first half of the items not given
        layout = r._Layout(np.ones(k, dtype=int))
        patterns, beta = r._patterns(r.ScoreBlocks.from_dense(x), layout), b.mean() - b
        quick_design = r._Design.of(patterns, layout)
        exact_design = r._Design.of(patterns, layout, batched=False)
        quick = r._information_all(beta, quick_design, layout)
        exact = r._information_all(beta, exact_design, layout)
        assert np.max(np.abs(quick - exact)) <= 1e-6 * np.max(np.abs(exact))
        gradients = [r._gradient(beta, d, layout) for d in (quick_design, exact_design)]
        assert np.allclose(*gradients, rtol=1e-9, atol=1e-9)
        assert r._loglik(beta, quick_design, layout) == pytest.approx(r._loglik(beta, exact_design, layout))
        checked[k] = [bool(r._batch_information(beta, batch)[2].all()) for batch in quick_design.batches]
    assert checked == {20: [True, True], 60: [False, False]}  # the long, spread-out forms: exactly


def test_a_long_form_of_spread_items_stays_in_range():
    """The elementary symmetric functions of 250 partial credit items (and of 400 right/wrong ones)
    with spread thresholds pass 10^308 unscaled: the likelihood and its gradient stay finite and equal
    a reference summed in logarithms."""
    from assess.analysis import rasch as r

    rng = np.random.default_rng(3)
    for k, m in ((250, 4), (400, 1)):
        layout = r._Layout(np.full(k, m))
        taus = np.sort(rng.normal(scale=3.0, size=(k, m)), axis=1)
        beta = (-np.cumsum(taus, axis=1)).ravel()
        counts = np.zeros(k * m + 1)
        counts[[k * m // 4, k * m // 3, k * m // 2, 2 * k * m // 3]] = [2, 5, 7, 1]
        pattern = r._Pattern(np.arange(k), counts, np.zeros(k * m))
        # log gamma_r by convolutions in logarithms (log-sum-exp), one item at a time
        log_gamma = np.zeros(1)
        for i in range(k):
            b = np.concatenate(([0.0], beta[i * m : (i + 1) * m]))
            out = np.full(len(log_gamma) + m, -np.inf)
            for h in range(m + 1):
                out[h : h + len(log_gamma)] = np.logaddexp(out[h : h + len(log_gamma)], log_gamma + b[h])
            log_gamma = out
        reference = -float(np.dot(counts, log_gamma))
        for batched in (True, False):
            design = r._Design.of([pattern], layout, batched=batched)
            assert r._loglik(beta, design, layout) == pytest.approx(reference, rel=1e-9)
            assert np.isfinite(r._gradient(beta, design, layout)).all()


def test_scores_given_as_cells_calibrate_as_the_matrix_does():
    """The HR calibration hands its results as cells (row, column, score), never as a matrix: the same
    scores in any order must give the same items and persons, and a row with no cell no measure."""
    from assess.analysis.rasch import ScoreBlocks

    x, ref = load("simulated_booklets")
    x = np.vstack([x, np.full(x.shape[1], np.nan)])  # a last row with no item
    rows, columns = np.nonzero(~np.isnan(x))
    shuffled = np.random.default_rng(2).permutation(len(rows))
    cells = ScoreBlocks.from_cells(x.shape, rows[shuffled], columns[shuffled], x[rows, columns][shuffled])
    assert len(cells.blocks) == 3  # the three booklets
    by_cells, by_matrix = rasch(cells), rasch(x)
    assert np.allclose(by_cells.items.difficulty, ref["difficulty"], atol=TOLERANCE)
    assert np.allclose(by_cells.items.difficulty, by_matrix.items.difficulty, atol=1e-9)
    assert np.allclose(by_cells.persons.theta[:-1], by_matrix.persons.theta[:-1], atol=1e-9)
    assert np.isnan(by_cells.persons.theta[-1]) and by_cells.persons.max_score[-1] == 0
    first = cells.columns(np.arange(12))  # the first 12 items: a booklet with none of them drops out
    given = (~np.isnan(x[:, :12])).sum(axis=1)
    assert first.shape == (len(x), 12) and sorted(len(b.items) for b in first.blocks) == sorted(
        set(given[given > 0].tolist())
    )
    assert sum(len(b.rows) for b in first.blocks) == int((given > 0).sum())


def test_a_score_too_far_out_on_a_long_form_is_said_not_dropped():
    """On 250 partial credit items far apart, gamma of a score of 3 (of 1,000) underflows even scaled:
    the likelihood there is none (a Newton step into it is halved; a calibration that starts there says
    so in words) instead of leaving that person out silently; and on 1,000 right/wrong items a score
    of 1, out of the quick functions' range, is taken the exact way."""
    from assess.analysis import rasch as r

    rng = np.random.default_rng(1)
    k, m = 250, 4
    taus = np.sort(rng.normal(scale=2.0, size=(k, m)), axis=1)
    beta = (-np.cumsum(taus, axis=1)).ravel()
    layout = r._Layout(np.full(k, m))
    counts = np.zeros(k * m + 1)
    counts[[3, 500]] = 1
    pattern = r._Pattern(np.arange(k), counts, np.zeros(k * m))
    assert r._loglik(beta, r._Design.of([pattern], layout), layout) == -np.inf
    middle = r._Pattern(np.arange(k), np.eye(k * m + 1)[500], np.zeros(k * m))
    assert np.isfinite(r._loglik(beta, r._Design.of([middle], layout), layout))

    k = 1000
    beta = rng.normal(size=k)
    layout = r._Layout(np.ones(k, dtype=int))
    counts = np.zeros(k + 1)
    counts[[1, 500]] = 1
    pattern = r._Pattern(np.arange(k), counts, np.zeros(k))
    quick, exact = (r._Design.of([pattern], layout, batched=b) for b in (True, False))
    assert np.isfinite(r._loglik(beta, exact, layout))
    assert r._loglik(beta, quick, layout) == pytest.approx(r._loglik(beta, exact, layout), rel=1e-12)
    assert np.allclose(
        r._gradient(beta, quick, layout), r._gradient(beta, exact, layout), rtol=1e-9, atol=1e-12
    )
