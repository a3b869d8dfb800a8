"""Phase commands: list, open, close, reopen (what the dashboard's buttons do, from the command line)."""

from __future__ import annotations

import click

from assess.cli.support import Group, open_workspace, option, shared_options, table, terminal_numbers
from assess.delivery.screen.desk import change_phase, cli_actor, phase_lines
from assess.i18n import N_, _
from assess.workspace import now

STATES = {"not_open": N_("not open"), "open": N_("open"), "closed": N_("closed")}


@click.group("phase", cls=Group, help=N_("Open and close the event's tests (its phases)."))
@shared_options()
def phase() -> None:
    pass


@phase.command(
    "list",
    help=N_(
        "Each phase: its state, whether its form is built, and its attempts (working, submitted, time "
        "ran out).\n\nExample: assess phase list"
    ),
)
@shared_options()
@click.pass_context
def phase_list(ctx: click.Context) -> None:
    ws = open_workspace(ctx)
    rows = [
        [
            line.phase_id,
            line.title,
            _(STATES[line.state]),
            _("yes") if line.has_form else _("no"),
            *(str(line.attempts.get(status, 0)) for status in ("in_progress", "submitted", "expired")),
        ]
        for line in phase_lines(ws)
    ]
    head = [_("phase"), _("title"), _("state"), _("form"), _("working"), _("submitted"), _("time ran out")]
    for text in table(head, rows, left=4):
        click.echo(text)


def _changed(action: str, phase_id: str) -> str:
    return {
        "open": _("phase {phase}: open, participants can start"),
        "reopen": _("phase {phase}: open again, participants can start or continue where allowed"),
        "close": _("phase {phase}: closed, attempts still in progress ended with their answers"),
    }[action].format(phase=phase_id)


def _change(ctx: click.Context, action: str, phase_id: str, score: bool = False) -> None:
    ws = open_workspace(ctx)
    scores = change_phase(ws, phase_id, action, now(), cli_actor(), score=score)
    click.echo(_changed(action, phase_id))
    if scores is not None:
        mean = terminal_numbers().dec(scores.mean_percentage, 1)
        click.echo(
            _("phase {phase}: {n} attempts scored ({provisional} provisional), mean {mean}%").format(
                phase=scores.phase, n=scores.scored, provisional=scores.provisional, mean=mean
            )
        )


PHASE = {"required": True, "help": N_("The phase, e.g. pre.")}


@phase.command(
    "open",
    help=N_(
        "Open a phase for participants on their phones, building its form first if it has none. A "
        "closed phase is opened again only with reopen.\n\nExample: assess phase open --phase pre"
    ),
)
@option("--phase", "phase_id", **PHASE)
@shared_options()
@click.pass_context
def phase_open(ctx: click.Context, phase_id: str) -> None:
    _change(ctx, "open", phase_id)


@phase.command(
    "close",
    help=N_(
        "Close a phase: attempts still in progress end with their answers, and what the review policy "
        "shows after the phase closes is shown (scores, keys, explanations on the reports). A test "
        "taken on paper or in Google Forms is closed this way too."
        "\n\nExample: assess phase close --phase pre --score"
    ),
)
@option("--phase", "phase_id", **PHASE)
@option("--score", is_flag=True, help=N_("Then score the phase, as the dashboard does."))
@shared_options()
@click.pass_context
def phase_close(ctx: click.Context, phase_id: str, score: bool) -> None:
    _change(ctx, "close", phase_id, score)


@phase.command(
    "reopen",
    help=N_("Open a closed phase again (audit-logged).\n\nExample: assess phase reopen --phase pre"),
)
@option("--phase", "phase_id", **PHASE)
@shared_options()
@click.pass_context
def phase_reopen(ctx: click.Context, phase_id: str) -> None:
    _change(ctx, "reopen", phase_id)
