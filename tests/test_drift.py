"""Drift is visible (issue 15, point 3): `assess event check` in a workspace compares the stored form of
each phase with what assessment.yaml and the banks give now, says what differs, and that the stored
form is what scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from assess.bank.model import SingleChoice
from assess.event.file import build_forms, load_event
from assess.forms import drift
from tests.web_support import copy_workspace

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "payakumbuh-2019" / "assessment.yaml"


@pytest.fixture(scope="module")
def pre():
    return build_forms(load_event(EXAMPLE))["pre"]


def _changed(form, item_id: str, **update):
    items = [i.model_copy(update=update) if i.id == item_id else i for i in form.items]
    return form.model_copy(update={"items": items})


def test_the_same_form_has_no_drift(pre):
    assert not drift(pre, pre).differs


def test_each_kind_of_change_is_named_with_its_items(pre):
    choice = next(i for i in pre.items if isinstance(i, SingleChoice))
    other_key = next(o.id for o in choice.options if o.id != choice.key)
    relabelled = [o.model_copy(update={"text": o.text + " (baru)"}) for o in choice.options]
    cases = {
        "keys": _changed(pre, choice.id, key=other_key),
        "points": _changed(pre, choice.id, points=3.0),
        "competencies": _changed(pre, choice.id, competencies=["M.05"]),
        "wording": _changed(pre, choice.id, options=relabelled),
    }
    for kind, drawn in cases.items():
        found = drift(pre, drawn)
        assert found.differs and getattr(found, kind) == [choice.id], kind
        assert [k for k in ("keys", "points", "competencies", "wording") if getattr(found, k)] == [kind]
    fewer = pre.model_copy(update={"items": pre.items[1:]})
    assert drift(pre, fewer).only_stored == [pre.items[0].id] and drift(fewer, pre).only_drawn == [
        pre.items[0].id
    ]
    stricter = pre.model_copy(update={"grading": pre.grading.model_copy(update={"pass_mark": 80.0})})
    assert drift(pre, stricter).grading and not drift(pre, stricter).policy


def test_event_check_says_what_differs_from_the_stored_forms(imported_template, tmp_path, run):
    folder = copy_workspace(imported_template, tmp_path / "pelatihan")
    here = ("--lang", "en", "-w", str(folder))
    for phase in ("pre", "post"):
        assert run(*here, "form", "build", "--phase", phase).exit_code == 0
    same = run(*here, "event", "check")
    assert same.exit_code == 0 and "phase pre: the stored form matches this draw" in same.stdout
    text = (folder / "assessment.yaml").read_text(encoding="utf-8")
    edited = text.replace("type_weights: {weighted_options: 0.2}", "type_weights: {weighted_options: 0.5}")
    (folder / "assessment.yaml").write_text(
        edited.replace("pass_mark: 70", "pass_mark: 75"), encoding="utf-8"
    )
    result = run(*here, "event", "check")
    assert result.exit_code == 0, result.output
    for phase in ("pre", "post"):
        assert f"phase {phase}: the stored form (" in result.stdout
    assert result.stdout.count("the scoring policy changed") == 2
    assert result.stdout.count("the grading changed") == 2
    assert "The stored form is what scores" in result.stdout
    assert run(*here, "form", "build", "--phase", "pre").exit_code == 0  # no attempt yet: replaced
    assert "phase pre: the stored form matches this draw" in run(*here, "event", "check").stdout
