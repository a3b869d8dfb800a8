"""The Rasch model by conditional maximum likelihood, against R's eRm (issue 19, point 6).

The reference values were computed once by tests/fixtures/rasch/make_reference.R (eRm 1.0.2's
`RM(X, sum0 = TRUE)`, `itemfit(person.parameter(.))`, and Warm's WLE solved with `uniroot` from
eRm's difficulties), on a simulated design of three overlapping booklets (missing by design) and
on the LSAT's sections 6 and 7. R is never called here.
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


def test_an_item_everyone_got_right_is_named_and_the_rest_calibrated():
    x, _ = load("lsat6")
    x = x.copy()
    x[:, 2] = 1.0
    with pytest.warns(DegenerateDataWarning, match="not calibrated"):
        result = rasch(x)
    assert result.items.not_calibrated == (2,) and np.isnan(result.items.difficulty[2])
    calibrated = np.delete(result.items.difficulty, 2)
    assert np.isfinite(calibrated).all() and abs(calibrated.sum()) < 1e-9


def test_a_person_with_no_item_has_no_measure_and_marks_must_be_right_or_wrong():
    x, _ = load("lsat7")
    x = np.vstack([x, np.full(x.shape[1], np.nan)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        persons = rasch(x).persons
    assert np.isnan(persons.theta[-1]) and np.isfinite(persons.theta[:-1]).all()
    with pytest.raises(ValueError, match="right/wrong"):
        rasch(np.array([[0, 1], [2, 1]]))
