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
from assess.cli.support import Group, UserError, open_workspace, option, shared_options
from assess.i18n import N_, _
from assess.problems import Phrase, Problem
from assess.problems.codes import MESSAGES
from assess.sheets.matrix import read_matrix
from assess.workspace.item_analysis import event_matrix

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
        else:
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
            extra = {"phase": phase_id, "pending_items": list(data.pending_items)}
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


def _f(value, digits: int = 2) -> str:
    if value is None:
        return "-"
    v = float(value)
    if math.isnan(v):
        return "-"
    text = f"{v:.{digits}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text  # no "-0.00"


def table(head: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """Columns padded to their widest cell; the first `left` columns flush left, the rest right."""
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(head), "-" * len(line(head)), *(line(r) for r in rows)]


def _item_rows(a: ItemAnalysis) -> list[list[str]]:
    s = a.items
    return [
        [
            item_id,
            _f(s.facility[j]),
            _f(s.sd[j]),
            _f(s.random_guess_score[j]),
            _f(s.intended_weight[j], 1),
            _f(s.effective_weight[j], 1),
            _f(s.discrimination_index[j], 1),
            _f(s.discriminative_efficiency[j], 1),
            _f(s.item_total_r[j]),
            _f(s.item_rest_r[j]),
            _f(s.upper_lower_d[j]),
            _f(s.alpha_if_deleted[j], 3),
            str(len(a.flags[j])) if a.flags[j] else "",
        ]
        for j, item_id in enumerate(s.ids)
    ]


def render(a: ItemAnalysis, extra: dict) -> str:
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
            ).format(share=f"{s.groups.fraction * 100:g}%", size=s.groups.size),
            LEGEND_WIDTH,
            break_on_hyphens=False,
        ),
        "",
    ]
    if any(a.flags):
        lines.append(_("Flags"))
        for j, item_id in enumerate(s.ids):
            for f in a.flags[j]:
                lines.append(f"  {item_id}: {f.code}: {Phrase(MESSAGES[f.code], f.params)}")
        lines.append("")
    ci = a.alpha_ci
    ci_text = (
        ""
        if math.isnan(ci.low)
        else "  "
        + _("({level} interval {low} to {high}, Feldt)").format(
            level=f"{a.confidence_level * 100:g}%", low=_f(ci.low), high=_f(ci.high)
        )
    )
    target = "-" if a.items_for_target is None else str(a.items_for_target)
    divisor = "n" if t.kr21_ddof == 0 else "n-1"
    rows = [
        [_("People"), str(t.n)],
        [_("Mean"), _f(t.mean)],
        [_("Median"), _f(t.median)],
        [_("SD"), _f(t.sd)],
        [_("Skewness"), _f(t.skewness)],
        [_("Kurtosis (excess)"), _f(t.kurtosis)],
        [_("Cronbach's alpha"), _f(t.alpha) + ci_text],
        ["KR-20", _f(t.kr20)],
        [_("KR-21 (variance / {divisor})").format(divisor=divisor), _f(t.kr21)],
        [_("Standardised alpha"), _f(t.standardized_alpha)],
        [_("SEM"), _f(t.sem)],
        [_("Items for alpha {target}").format(target=a.target_reliability), target],
    ]
    lines += table([_("Test"), ""], rows, left=2)
    if extra.get("pending_items"):
        lines += ["", _("Left out, marks pending: {ids}").format(ids=", ".join(extra["pending_items"]))]
    if a.options:
        lines += ["", _("Options (upper and lower groups as above; * keyed)")]
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
                        _f(o.proportion),
                        _f(o.upper),
                        _f(o.lower),
                    ]
                    + [_f(o.rest_r)]
                )
            if found.blank:
                rows.append(
                    ["", "  " + _("(blank)"), str(found.blank), _f(found.blank / found.n), "", "", ""]
                )
        lines += table(head, rows, left=2)
    return "\n".join(lines)
