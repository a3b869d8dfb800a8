"""`assess analyze items`: item analysis of any matrix of marks, or of a phase of the event."""

from __future__ import annotations

import json
import math
import textwrap
import warnings
from pathlib import Path

import click

from assess.analysis.items import TIE_RULES, UPPER_FRACTION, ItemAnalysis, analyze_items
from assess.analysis.test_stats import DegenerateDataWarning
from assess.cli.support import (
    Group,
    UserError,
    open_workspace,
    option,
    shared_options,
    table,
    terminal_numbers,
)
from assess.i18n import N_, _
from assess.problems import Phrase, Problem
from assess.problems.codes import MESSAGES
from assess.sheets.matrix import read_matrix

LEGEND_WIDTH = 100
UNIT = click.FloatRange(0, 1, min_open=True, max_open=True)


@click.command(
    "items",
    cls=Group.command_class,
    help=N_(
        "Item analysis and reliability, as Moodle's quiz statistics define them: facility, SD, weights, "
        "discrimination index and efficiency, item-total and item-rest r, upper-lower D, alpha if the "
        "item is deleted, and the test's mean, median, SD, skewness, kurtosis, alpha (with Feldt's "
        "interval), KR-20, KR-21, SEM and the items needed for a target reliability. Flags are findings: "
        "the exit status is 0 whenever the analysis is written.\n\n"
        "Any data: --matrix FILE (CSV or XLSX: one row per person, one column per item, an optional "
        "first column id; every item's maximum is 1 unless --max-marks gives it). Inside an event's "
        "folder: --phase, from its scored results, with the options chosen on choice items."
        "\n\nExample: assess analyze items --matrix nilai.csv --max-marks 1 --json"
        "\n\nExample: assess analyze items --phase pre"
    ),
)
@option("--matrix", "matrix", default=None, help=N_("A CSV or XLSX file of marks, people x items."))
@option(
    "--max-marks",
    "max_marks",
    default=None,
    help=N_(
        "The items' maximum: one number for every item, or one per item separated by commas (default 1)."
    ),
)
@option("--phase", "phase_id", default=None, help=N_("Inside an event's folder: the phase, e.g. pre."))
@option(
    "--target-reliability",
    type=UNIT,
    default=0.8,
    show_default=True,
    help=N_("The reliability for which the Spearman-Brown number of items is given."),
)
@option(
    "--upper-fraction",
    type=click.FloatRange(0, 0.5, min_open=True),
    default=UPPER_FRACTION,
    show_default=True,
    help=N_("The share of people in each of the upper and lower groups (by total score)."),
)
@option(
    "--ties",
    type=click.Choice(TIE_RULES),
    default="fractional",
    show_default=True,
    help=N_(
        "People tied at a group's boundary: fractional shares the places left among them; order takes "
        "them in row order."
    ),
)
@option(
    "--confidence-level",
    type=UNIT,
    default=0.95,
    show_default=True,
    help=N_("The confidence level of the interval for alpha."),
)
@option("--json", "as_json", is_flag=True, help=N_("Write JSON."))
@shared_options()
@click.pass_context
def items(
    ctx: click.Context,
    matrix: str | None,
    max_marks: str | None,
    phase_id: str | None,
    target_reliability: float,
    upper_fraction: float,
    ties: str,
    confidence_level: float,
    as_json: bool,
) -> None:
    if matrix and phase_id:
        raise UserError([Problem("ANALYZE-SOURCE-BOTH", {})])
    if not matrix and not phase_id:
        raise UserError([Problem("ANALYZE-SOURCE-MISSING", {})])
    conventions = dict(
        upper_fraction=upper_fraction,
        ties=ties,
        target_reliability=target_reliability,
        confidence_level=confidence_level,
    )
    extra: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)  # undefined values are shown as null
        if matrix:
            m = read_matrix(Path(matrix), max_marks)
            result = analyze_items(m.marks, m.max_marks, ids=m.ids, **conventions)
            extra = {"skipped_rows": list(m.skipped)}
            for line in m.skipped:
                click.echo(str(Problem("ANALYZE-MATRIX-ROW-SKIPPED", {}, matrix, line)), err=True)
        else:
            # Imported here: a matrix file needs neither the store nor SQLAlchemy (start-up time).
            from assess.workspace.item_analysis import event_matrix

            ws = open_workspace(ctx)
            data = event_matrix(ws, phase_id)
            m = data.matrix
            result = analyze_items(
                m.marks,
                m.max_marks,
                ids=m.ids,
                random_guess=data.random_guess,
                choices=data.choices,
                **conventions,
            )
            extra = {
                "phase": phase_id,
                "pending_items": list(data.pending_items),
                "corrected_items": list(data.corrected_items),
            }
    if as_json:
        click.echo(
            json.dumps({**extra, **analysis_dict(result)}, indent=2, ensure_ascii=False, allow_nan=False)
        )
        return
    click.echo(render(result, extra))


# -- JSON ------------------------------------------------------------------------------


def _number(value) -> float | None:
    v = float(value)
    return None if math.isnan(v) else v


ITEM_KEYS = (
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
)
TEST_KEYS = (
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
)


def analysis_dict(a: ItemAnalysis) -> dict:
    """The JSON of `--json`: None (null) where a value is undefined, never NaN."""
    items = []
    for j, item_id in enumerate(a.items.ids):
        row: dict = {"id": item_id}
        row.update({key: _number(getattr(a.items, key)[j]) for key in ITEM_KEYS})
        row["flags"] = [f.as_dict() for f in a.flags[j]]
        if a.options is not None:
            found = a.options.get(item_id)
            row["options"] = None if found is None else found.as_dict()
        items.append(row)
    test: dict = {"n": a.test.n}
    test.update({key: _number(getattr(a.test, key)) for key in TEST_KEYS})
    low, high = _number(a.alpha_ci.low), _number(a.alpha_ci.high)
    test["alpha_ci"] = None if low is None else [low, high]
    test["items_for_target_reliability"] = a.items_for_target
    conventions = {
        "variance_divisor": "n-1",
        "kr21_variance_divisor": "n" if a.test.kr21_ddof == 0 else "n-1",
        "upper_fraction": a.items.groups.fraction,
        "group_size": a.items.groups.size,
        "ties": a.items.groups.ties,
        "confidence_level": a.confidence_level,
        "target_reliability": a.target_reliability,
    }
    return {"items": items, "test": test, "conventions": conventions}


# -- terminal tables ----------------------------------------------------------------


def _item_rows(a: ItemAnalysis) -> list[list[str]]:
    n = terminal_numbers()
    s = a.items
    return [
        [
            item_id,
            n.dec(s.facility[j], 2),
            n.dec(s.sd[j], 2),
            n.dec(s.random_guess_score[j], 2),
            n.dec(s.intended_weight[j], 1),
            n.dec(s.effective_weight[j], 1),
            n.dec(s.discrimination_index[j], 1),
            n.dec(s.discriminative_efficiency[j], 1),
            n.dec(s.item_total_r[j], 2),
            n.dec(s.item_rest_r[j], 2),
            n.dec(s.upper_lower_d[j], 2),
            n.dec(s.alpha_if_deleted[j], 3),
            str(len(a.flags[j])) if a.flags[j] else "",
        ]
        for j, item_id in enumerate(s.ids)
    ]


def render(a: ItemAnalysis, extra: dict) -> str:
    """The analysis as terminal text: the items with a legend, the flags, the test and the options."""
    lines = _items_section(a, extra)
    lines += _flags_section(a)
    lines += _test_section(a)
    if extra.get("pending_items"):
        lines += ["", _("Left out, marks pending: {ids}").format(ids=", ".join(extra["pending_items"]))]
    if extra.get("corrected_items"):
        ids = ", ".join(extra["corrected_items"])
        lines += ["", _("Left out, dropped or given full credit after the test: {ids}").format(ids=ids)]
    lines += _options_section(a)
    return "\n".join(lines)


def _items_section(a: ItemAnalysis, extra: dict) -> list[str]:
    """The title, the table of item statistics and its legend."""
    n = terminal_numbers()
    s, t = a.items, a.test
    lines = [
        _("Item analysis: {n} people, {k} items").format(n=t.n, k=t.k)
        + (" " + _("(phase {phase})").format(phase=extra["phase"]) if extra.get("phase") else ""),
        "",
    ]
    head = [_("Item"), _("Fac."), _("SD"), _("Guess"), _("IW %"), _("EW %"), _("DI %"), _("DE %")]
    head += [_("r it"), _("r ir"), "D", _("α-del"), _("Flags")]
    lines += table(head, _item_rows(a))
    lines += [
        *textwrap.wrap(
            _(
                "Fac. facility (mean mark / maximum); Guess random guess score; IW, EW intended and "
                "effective weight; DI discrimination index; DE discriminative efficiency; r it item-total r; "
                "r ir item-rest r; D upper-lower ({share} groups, {size} people each); "
                "α-del alpha if the item is deleted."
            ).format(share=n.pct_upto(s.groups.fraction * 100, 3), size=s.groups.size),
            LEGEND_WIDTH,
            break_on_hyphens=False,
        ),
        "",
    ]
    return lines


def _flags_section(a: ItemAnalysis) -> list[str]:
    """Every flag of every item with its message; nothing when no item is flagged."""
    if not any(a.flags):
        return []
    lines = [_("Flags")]
    for j, item_id in enumerate(a.items.ids):
        for f in a.flags[j]:
            lines.append(f"  {item_id}: {f.code}: {Phrase(MESSAGES[f.code], f.params)}")
    lines.append("")
    return lines


def _test_section(a: ItemAnalysis) -> list[str]:
    """The table of the whole test's statistics."""
    n = terminal_numbers()
    t = a.test
    ci = a.alpha_ci
    ci_text = (
        ""
        if math.isnan(ci.low)
        else "  "
        + _("({level} interval {low} to {high}, Feldt)").format(
            level=n.pct_upto(a.confidence_level * 100, 3), low=n.dec(ci.low, 2), high=n.dec(ci.high, 2)
        )
    )
    target = "-" if a.items_for_target is None else str(a.items_for_target)
    divisor = "n" if t.kr21_ddof == 0 else "n-1"
    rows = [
        [_("People"), str(t.n)],
        [_("Mean"), n.dec(t.mean, 2)],
        [_("Median"), n.dec(t.median, 2)],
        [_("SD"), n.dec(t.sd, 2)],
        [_("Skewness"), n.dec(t.skewness, 2)],
        [_("Kurtosis (excess)"), n.dec(t.kurtosis, 2)],
        [_("Cronbach's alpha"), n.dec(t.alpha, 2) + ci_text],
        ["KR-20", n.dec(t.kr20, 2)],
        [_("KR-21 (variance / {divisor})").format(divisor=divisor), n.dec(t.kr21, 2)],
        [_("Standardised alpha"), n.dec(t.standardized_alpha, 2)],
        [_("SEM"), n.dec(t.sem, 2)],
        [_("Items for alpha {target}").format(target=a.target_reliability), target],
    ]
    return table([_("Test"), ""], rows, left=2)


def _options_section(a: ItemAnalysis) -> list[str]:
    """The table of every item's options in the upper and lower groups; nothing without options."""
    n = terminal_numbers()
    if not a.options:
        return []
    lines = ["", _("Options (upper and lower groups as above; * keyed)")]
    head = [_("Item"), _("Option"), "n", "p", _("Upper"), _("Lower"), _("r rest")]
    rows = []
    for item_id, found in a.options.items():
        for i, o in enumerate(found.options):
            label = ("* " if o.key else "  ") + o.option
            rows.append(
                [
                    item_id if i == 0 else "",
                    label,
                    str(o.count),
                    n.dec(o.proportion, 2),
                    n.dec(o.upper, 2),
                    n.dec(o.lower, 2),
                ]
                + [n.dec(o.rest_r, 2)]
            )
        if found.blank:
            rows.append(
                ["", "  " + _("(blank)"), str(found.blank), n.dec(found.blank / found.n, 2), "", "", ""]
            )
    lines += table(head, rows, left=2)
    return lines
