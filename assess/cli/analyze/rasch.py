"""`assess analyze rasch`: the Rasch and partial credit models on any matrix of scores."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import click

from assess.analysis._common import DegenerateDataWarning
from assess.analysis.rasch import FIT_RANGE, RaschResult, fit_flags, rasch
from assess.cli.support import Group, UserError, option, shared_options, table, terminal_numbers
from assess.i18n import N_, _
from assess.problems import Phrase, Problem
from assess.problems.codes import MESSAGES
from assess.sheets.matrix import Matrix, read_matrix


@click.command(
    "rasch",
    cls=Group.command_class,
    help=N_(
        "Put items and persons on one scale: the Rasch model for right/wrong items and the partial "
        "credit model for items with partial scores, by conditional maximum likelihood (as R's eRm). "
        "Per item its difficulty, or its thresholds, with standard errors, infit and outfit; per "
        "person the measure (Warm's estimate) and its standard error.\n\n"
        "--matrix FILE (CSV or XLSX): one row per person, one column per item, an optional first "
        "column id; whole scores 0, 1, 2, ...; an empty cell is an item the person was not given. "
        "Without --max-marks each item's maximum is the largest score in its column."
        "\n\nExample: assess analyze rasch --matrix skor.csv --json"
    ),
)
@option("--matrix", "matrix", required=True, help=N_("A CSV or XLSX file of scores, people x items."))
@option(
    "--max-marks",
    "max_marks",
    default=None,
    help=N_("The items' maximum: one number for every item, or one per item separated by commas."),
)
@option("--json", "as_json", is_flag=True, help=N_("Write JSON."))
@shared_options()
def rasch_command(matrix: str, max_marks: str | None, as_json: bool) -> None:
    m = read_matrix(Path(matrix), max_marks, scores=True)
    top = None if max_marks is None else m.max_marks
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)  # the items left out are named below
        try:
            result = rasch(m.marks, top)
        except ValueError as e:
            reason = Phrase(str(e))  # a msgid (assess.analysis.rasch): shown in the message language
            raise UserError([Problem("ANALYZE-RASCH-IMPOSSIBLE", {"reason": reason}, matrix)]) from None
    record = rasch_record(m, result)
    record["skipped_rows"] = list(m.skipped)
    for line in m.skipped:  # as analyze items says it: persons without ids are numbered without them
        click.echo(str(Problem("ANALYZE-MATRIX-ROW-SKIPPED", {}, matrix, line)), err=True)
    if record["not_calibrated"]:
        names = ", ".join(record["not_calibrated"])
        click.echo(str(Problem("ANALYZE-RASCH-NOT-CALIBRATED", {"items": names}, matrix)), err=True)
    if as_json:
        click.echo(json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        click.echo("\n".join(text_report(record)))


def _number(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def rasch_record(m: Matrix, result: RaschResult) -> dict:
    """The calibration as plain values (None where there is none), items and persons in file order."""
    it, ps = result.items, result.persons
    flags = fit_flags(it)
    items = []
    for j, item_id in enumerate(m.ids):
        calibrated = j not in it.not_calibrated
        items.append(
            {
                "id": item_id,
                "max_score": int(it.max_score[j]),
                "model": {0: None, 1: "rasch"}.get(int(it.max_score[j]), "partial_credit"),
                "calibrated": calibrated,
                "difficulty": _number(it.location[j]),
                "thresholds": [_number(t) for t in it.thresholds[j]] if calibrated else None,
                "threshold_se": [_number(t) for t in it.threshold_se[j]] if calibrated else None,
                "infit": _number(it.infit[j]),
                "outfit": _number(it.outfit[j]),
                "flags": [f.as_dict() for f in flags[j]],
            }
        )
    people = m.people or tuple(str(k + 1) for k in range(len(m.marks)))
    persons = [
        {
            "id": person,
            "score": int(ps.score[k]),
            "max_score": int(ps.max_score[k]),
            "measure": _number(ps.theta[k]),
            "se": _number(ps.se[k]),
        }
        for k, person in enumerate(people)
    ]
    return {
        "items": items,
        "persons": persons,
        "not_calibrated": [m.ids[j] for j in it.not_calibrated],
        "conditional_loglik": _number(it.loglik),
        "iterations": it.iterations,
        "conventions": {
            "estimation": "CML",
            "normalisation": "sum_zero",
            "person_measure": "WLE",
            "fit_range": list(FIT_RANGE),
        },
    }


def text_report(record: dict) -> list[str]:
    n = terminal_numbers()

    def pm(value, error) -> str:
        return f"{n.dec(value, 2)} ± {n.dec(error, 2)}"

    rows = []
    for item in record["items"]:
        if not item["calibrated"]:
            rows.append([item["id"], str(item["max_score"]), _("not calibrated"), "", "", ""])
            continue
        steps = "; ".join(pm(t, e) for t, e in zip(item["thresholds"], item["threshold_se"], strict=True))
        location = n.dec(item["difficulty"], 2) if item["max_score"] > 1 else ""
        fit = [n.dec(item["infit"], 2), n.dec(item["outfit"], 2)]
        rows.append([item["id"], str(item["max_score"]), location, steps, *fit])
    lines = [_("Items (logits; difficulty or thresholds ± standard error)")]
    lines += table([_("Item"), "max", _("Location"), _("Difficulty / thresholds"), "infit", "outfit"], rows)
    flagged = [(item["id"], f) for item in record["items"] for f in item["flags"]]
    if flagged:
        lines += ["", _("Fit")]
        lines += [f"  {i}: {f['code']}: {Phrase(MESSAGES[f['code']], f['params'])}" for i, f in flagged]
    lines += ["", _("Persons (Warm's estimate ± standard error)")]
    person_rows = [
        [p["id"], f"{p['score']}/{p['max_score']}", pm(p["measure"], p["se"])] for p in record["persons"]
    ]
    lines += table([_("Person"), _("Score"), _("Measure")], person_rows)
    return lines
