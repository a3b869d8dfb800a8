"""`assess analyze prepost`: learning gain of any pairs file, or of the event's own pre- and post-test."""

from __future__ import annotations

import json
import math
from pathlib import Path

import click

from assess.analysis.prepost import GAIN_METHODS
from assess.analysis.records import pairs_record
from assess.cli.support import Group, open_workspace, option, shared_options, table, terminal_numbers
from assess.i18n import N_, _, ngettext
from assess.sheets.pairs import read_pairs


def _positive(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise click.BadParameter(_("must be a finite number above 0"), ctx, param)
    return value


def _level(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not 0 < value < 1:
        raise click.BadParameter(_("must be between 0 and 1"), ctx, param)
    return value


@click.command(
    "prepost",
    cls=Group.command_class,
    help=N_(
        "Learning gain from pre-test to post-test: mean gain, Hake's normalised gain <g> and the "
        "average of individual gains, paired t-test with the confidence interval of the mean gain, "
        "effect sizes d_z, d_av and Hedges' g_z, and the Wilcoxon signed-rank test (as R's wilcox.test). "
        "With --pairs, for any CSV or XLSX with the columns id, pre, post (scores out of --max-score); "
        "without it, for this event's results, paired by participant, per competency too, with "
        "McNemar's test for each item answered in both phases."
        "\n\nExample: assess analyze prepost --pairs nilai.csv --max-score 40 --json"
    ),
)
@option("--pairs", "pairs_file", default=None, help=N_("A CSV or XLSX file with the columns id, pre, post."))
@option(
    "--max-score",
    type=float,
    default=None,
    callback=_positive,
    help=N_("With --pairs: the highest possible score (default 100)."),
)
@option("--pre", "pre_phase", default=None, help=N_("The pre-test's phase (default: the event's first)."))
@option("--post", "post_phase", default=None, help=N_("The post-test's phase (default: the event's last)."))
@option(
    "--gain",
    type=click.Choice(GAIN_METHODS),
    default="hake",
    show_default=True,
    help=N_(
        "The individual gains averaged: hake, (post - pre) / (max - pre), leaving out whoever had the "
        "maximum on the pre-test; or marx-cummings, their normalised change."
    ),
)
@option(
    "--confidence-level",
    type=float,
    default=0.95,
    show_default=True,
    callback=_level,
    help=N_("Of the confidence interval of the mean gain."),
)
@option(
    "--digits-rank",
    type=click.IntRange(min=1),
    default=None,
    help=N_(
        "Wilcoxon: rank the differences rounded to this many significant digits (R's digits.rank; "
        "default: unrounded with --pairs, 7 for the event's percentages)."
    ),
)
@option("--json", "as_json", is_flag=True, help=N_("Print JSON instead of tables."))
@shared_options()
@click.pass_context
def prepost(
    ctx: click.Context,
    pairs_file: str | None,
    max_score: float | None,
    pre_phase: str | None,
    post_phase: str | None,
    gain: str,
    confidence_level: float,
    digits_rank: int | None,
    as_json: bool,
) -> None:
    options = {"gain": gain, "confidence_level": confidence_level}
    if digits_rank is not None:
        options["digits_rank"] = digits_rank
    if pairs_file is not None:
        if pre_phase or post_phase:
            raise click.UsageError(_("--pre and --post apply to the event's results, not to --pairs"), ctx)
        pairs = read_pairs(Path(pairs_file))
        rec = pairs_record(pairs, max_score=100.0 if max_score is None else max_score, **options)
    else:
        if max_score is not None:
            raise click.UsageError(_("--max-score applies to --pairs only"), ctx)
        # Imported here: a pairs file needs neither the store nor SQLAlchemy (start-up time).
        from assess.workspace.prepost import choose_phases, event_record, load_event_pairs

        ws = open_workspace(ctx)
        phases = [p.id for p in ws.loaded.event.phases]
        pre_phase, post_phase = choose_phases(phases, pre_phase, post_phase)
        pairs = load_event_pairs(ws.store, ws.event_id, pre_phase, post_phase, ws.loaded.event.reporting)
        rec = event_record(pairs, **options)
    if as_json:
        click.echo(json.dumps(rec, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        click.echo("\n".join(text_report(rec)))


# -- tables -----------------------------------------------------------------------------


def _wilcoxon_method(rec: dict) -> str:
    if rec["wilcoxon_method"] == "exact":
        return _("exact")
    return _("normal approximation with continuity correction") if rec["wilcoxon_method"] else "-"


def _t_test(rec: dict) -> str:
    n = terminal_numbers()
    if rec["t_test"] == "no_variance":
        return _("all differences are equal ({gain}): no variance, the t-test does not apply").format(
            gain=n.dec(rec["mean_gain"], 2)
        )
    return _("t({df}) = {t}, p {p}").format(df=rec["df"] or "-", t=n.dec(rec["t"], 3), p=n.p_is(rec["p"]))


def summary(rec: dict) -> list[str]:
    """The whole-test statistics of a record, as lines."""
    n = terminal_numbers()
    lines = table(
        ["", _("Pre"), _("Post"), _("Gain")],
        [
            [_("Mean"), n.dec(rec["mean_pre"], 2), n.dec(rec["mean_post"], 2), n.dec(rec["mean_gain"], 2)],
            [_("SD"), n.dec(rec["sd_pre"], 2), n.dec(rec["sd_post"], 2), n.dec(rec["sd_gain"], 2)],
        ],
    )
    notes = []
    if rec["n_ceiling"]:
        rule = (
            _("{n} with the maximum on the pre-test left out")
            if rec["gain_method"] == "hake"
            else _("{n} with equal scores at 0 or at the maximum left out")
        )
        notes.append(rule.format(n=rec["n_ceiling"]))
    if rec["n_out_of_range"]:
        notes.append(
            _("{n} outside 0..{max} without a normalised gain").format(
                n=rec["n_out_of_range"], max=n.upto(rec["max_score"], 3)
            )
        )
    average = (
        _("Average of individual gains g_ave")
        if rec["gain_method"] == "hake"
        else _("Average normalised change c (Marx & Cummings)")
    )
    level = n.pct_upto(100 * rec["confidence_level"], 3)
    rows = [
        [_("Hake's normalised gain <g>"), n.dec(rec["hake_g"], 3)],
        [average, n.dec(rec["g_ave"], 3) + (f"  ({'; '.join(notes)})" if notes else "")],
        [_("Paired t-test"), _t_test(rec)],
        [
            _("{level} confidence interval of the mean gain").format(level=level),
            _("none: the differences have no variance")
            if rec["t_test"] == "no_variance"
            else n.interval(rec["ci_low"], rec["ci_high"]),
        ],
        [_("Effect size d_z"), n.dec(rec["d_z"], 3)],
        [_("Effect size d_av"), n.dec(rec["d_av"], 3)],
        [_("Hedges' g_z"), n.dec(rec["hedges_g_z"], 3)],
        [
            _("Wilcoxon signed-rank"),
            _("V = {v}, p {p} ({method})").format(
                v=n.dec(rec["wilcoxon_v"], 1), p=n.p_is(rec["wilcoxon_p"]), method=_wilcoxon_method(rec)
            ),
        ],
    ]
    width = max(len(r[0]) for r in rows)
    return lines + [""] + [f"{a.ljust(width)}  {b}" for a, b in rows]


def text_report(rec: dict) -> list[str]:
    if "pre_phase" in rec:
        head = _("Pre/post: phase {pre} -> phase {post}").format(pre=rec["pre_phase"], post=rec["post_phase"])
    else:
        head = _("Pre/post: scores out of {max}").format(max=terminal_numbers().upto(rec["max_score"], 3))
    counts = ngettext("{n} pair", "{n} pairs", rec["n"]).format(n=rec["n"]) + ", "
    counts += ngettext("{n} unpaired", "{n} unpaired", rec["n_unpaired"]).format(n=rec["n_unpaired"])
    lines = [head, counts]
    if rec.get("n_provisional"):
        n = rec["n_provisional"]
        lines.append(
            ngettext(
                "{n} pair includes provisional results (essays waiting for marks)",
                "{n} pairs include provisional results (essays waiting for marks)",
                n,
            ).format(n=n)
        )
    lines += [""] + summary(rec)
    if "competencies" in rec:
        lines += [""] + competency_table(rec["competencies"])
    if "items" in rec:
        lines += [""] + item_lines(rec)
    if rec["unpaired"]:
        lines += ["", _("Unpaired")]
        for u in rec["unpaired"]:
            where = _("only {phase}").format(phase=u["phase"]) if u["phase"] else _("no score")
            name = f"  {u['name']}" if u.get("name") else ""
            lines.append(f"  {u['id']}{name}  ({where})")
    return lines


COMPETENCY_COLUMNS = ("n", "n_unpaired", "mean_pre", "mean_post", "mean_gain", "hake_g", "g_ave", "t", "p")
COMPETENCY_COLUMNS += ("d_z", "wilcoxon_v", "wilcoxon_p")


def competency_table(competencies: list[dict]) -> list[str]:
    n = terminal_numbers()
    head = [_("Competency"), "n", _("Unpaired"), _("Pre"), _("Post"), _("Gain"), "<g>", "g_ave", "t", "p"]
    head += ["d_z", "V", "p (V)"]
    shown = {"n": str, "n_unpaired": str, "p": n.p, "wilcoxon_p": n.p, "wilcoxon_v": lambda v: n.dec(v, 1)}
    for key in ("mean_pre", "mean_post", "mean_gain"):
        shown[key] = lambda v: n.dec(v, 1)
    rows = [
        [c["competency"]] + [shown.get(k, lambda v: n.dec(v, 2))(c[k]) for k in COMPETENCY_COLUMNS]
        for c in competencies
        if "n" in c
    ]
    lines = [_("Per competency (percentages)"), *table(head, rows)]
    for c in competencies:
        if "n" not in c:  # not compared: a form did not measure it, or on too few items
            lines.append(f"  {c['competency']}: {_not_compared(c)}")
    return lines


def _not_compared(c: dict) -> str:
    words = {"not_measured": _("not measured"), "too_few_items": _("too few items")}
    label = {"pre": _("Pre"), "post": _("Post")}
    says = []
    for phase in ("pre", "post"):
        status = c["measured"][phase]
        if status != "measured":
            items = c.get("n_items", {}).get(phase, 0)
            says.append(f"{label[phase]}: {words[status]}" + (f" ({items})" if items else ""))
    return _("not compared") + " (" + "; ".join(says) + ")"


def item_lines(rec: dict) -> list[str]:
    n = terminal_numbers()
    lines = []
    if rec["items"]:
        lines += [_("Items in both phases: McNemar's test (1->0: right before, wrong after)")]
        head = [_("Item"), _("Competency"), "n", _("Pre right"), _("Post right"), "1->0", "0->1"]
        head += [_("exact p"), _("chi-square"), "p"]
        rows = [
            [i["id"], ", ".join(i["competencies"]), str(i["n"]), n.dec(i["pre_proportion"], 2)]
            + [n.dec(i["post_proportion"], 2), str(i["b"]), str(i["c"]), n.p(i["mcnemar_exact_p"])]
            + [n.dec(i["mcnemar_chi2"], 3), n.p(i["mcnemar_p"])]
            for i in rec["items"]
        ]
        lines += table(head, rows, left=2)
    elif not rec["items_left_out"]:
        lines.append(
            _("No item is in both phases' forms (parallel forms): McNemar's test needs the same items.")
        )
    if rec["items_left_out"]:
        lines += [""] if rec["items"] else []
        reasons = {"partial_credit": _("partial credit"), "changed": _("changed between the forms")}
        lines += [_("Items in both phases left out of McNemar's test")]
        lines += [f"  {i['id']}: {reasons.get(i['reason'], i['reason'])}" for i in rec["items_left_out"]]
    return lines
