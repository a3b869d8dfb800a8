"""`assess form adjust`: corrections after the test (a wrong key, an item to drop), kept beside the
frozen form and applied by every scoring path (assess.adjustments)."""

from __future__ import annotations

import click

from assess.adjustments import ACCEPT, DROP, FULL_CREDIT, POINTS, UNDO, in_force
from assess.cli.support import Group, open_workspace, option, shared_options, table, terminal_numbers
from assess.delivery.screen.desk import cli_actor
from assess.i18n import N_, _
from assess.workspace import now
from assess.workspace.adjust import adjust_item

KIND_NAMES = {
    ACCEPT: N_("accept"),
    FULL_CREDIT: N_("full credit"),
    DROP: N_("drop"),
    POINTS: N_("points"),
    UNDO: N_("undo"),
}


@click.command(
    "adjust",
    cls=Group.command_class,
    help=N_(
        "Correct an item of a phase's form after the test: --accept ANSWER (repeat it for several: any "
        "of them for single choice and true/false, the listed set for multiple response, an added "
        "answer or value for short answer and numeric), --full-credit (every attempt gets the item's "
        "points), --drop (the item leaves the points and the maximum), --points N (the item's maximum "
        "becomes N, every attempt's points on it scaled), or --undo N (adjustment N no longer "
        "applies). Always with --reason. The stored form never changes; the adjustment is kept beside "
        "it, in the audit log too, and applies when the phase is scored: see the change with assess "
        "score --dry-run, then apply it with assess score. Without ITEM or an action: the phase's "
        "adjustments.\n\nExample: assess form adjust --phase pre tupoksi-023 --accept C --reason "
        '"kunci salah ketik"'
    ),
)
@click.argument("item_id", metavar="ITEM", required=False)
@option("--phase", "phase_id", required=True, help=N_("The phase, e.g. pre."))
@option("--accept", "answers", multiple=True, help=N_("An answer that is also right (repeat for several)."))
@option("--full-credit", is_flag=True, help=N_("Every attempt gets the item's points."))
@option("--drop", is_flag=True, help=N_("Leave the item out of the points and the maximum."))
@option("--points", type=float, default=None, help=N_("The item's new maximum."))
@option("--undo", type=int, default=None, help=N_("The number of an adjustment that no longer applies."))
@option("--reason", default=None, help=N_("Why (shown in the reports and the audit log)."))
@shared_options()
@click.pass_context
def form_adjust(
    ctx: click.Context,
    item_id: str | None,
    phase_id: str,
    answers: tuple[str, ...],
    full_credit: bool,
    drop: bool,
    points: float | None,
    undo: int | None,
    reason: str | None,
) -> None:
    actions = [
        kind
        for kind, given in (
            (ACCEPT, bool(answers)),
            (FULL_CREDIT, full_credit),
            (DROP, drop),
            (POINTS, points is not None),
            (UNDO, undo is not None),
        )
        if given
    ]
    ws = open_workspace(ctx)
    if not actions and item_id is None:
        _list(ws, phase_id)
        return
    if len(actions) != 1:
        raise click.UsageError(_("give one of --accept, --full-credit, --drop, --points and --undo"), ctx)
    kind = actions[0]
    if kind != UNDO and item_id is None:
        raise click.UsageError(_("name the ITEM to adjust"), ctx)
    if reason is None:
        raise click.UsageError(_("say why with --reason"), ctx)
    done = adjust_item(
        ws,
        phase_id,
        item_id,
        kind,
        reason=reason,
        actor=cli_actor(),
        now=now(),
        answers=answers,
        points=points,
        undo=undo,
    )
    click.echo(
        _("Adjustment {n} of phase {phase}: {item} {kind} {value}")
        .format(
            n=done.n,
            phase=phase_id,
            item=done.item_id,
            kind=_(KIND_NAMES[done.kind]),
            value=_shown(done.value),
        )
        .rstrip()
    )
    click.echo(_("Next: assess score --dry-run shows what changes; assess score applies it."))


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, bool):
        return _("true") if value else _("false")
    if isinstance(value, float):
        return terminal_numbers().dec(value, 2).rstrip("0").rstrip(",.")
    return str(value)


def _list(ws, phase_id: str) -> None:
    ws.form(phase_id)  # WORKSPACE-NO-FORM without one
    done = ws.store.adjustments(ws.event_id, phase_id)
    if not done:
        click.echo(_("phase {phase}: no adjustments").format(phase=phase_id))
        return
    applying = {a.n for a in in_force(done)}
    head = ["n", _("item"), _("adjustment"), _("in force"), _("by"), _("reason")]
    rows = [
        [
            str(a.n),
            a.item_id,
            f"{_(KIND_NAMES[a.kind])} {_shown(a.value)}".rstrip(),
            _("yes") if a.n in applying or a.kind == UNDO else _("no"),
            a.actor,
            a.reason,
        ]
        for a in done
    ]
    for line in table(head, rows, left=6):
        click.echo(line)
