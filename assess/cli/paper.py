"""`assess form print`: the test booklets of a phase's stored form, one per paper variant, and the key."""

from __future__ import annotations

from pathlib import Path

import click

from assess.cli.support import Group, open_workspace, option, shared_options
from assess.i18n import N_, _
from assess.workspace.paper import write_paper


@click.command(
    "print",
    cls=Group.command_class,
    help=N_(
        "Write the printable test booklets of a phase (HTML, A4): one per paper variant, each with its "
        "answer sheet (one row per question, letters as `assess responses import --format sheet` reads "
        "them), and the trainer's answer key. Only the stored form is printed: build it first."
        "\n\nExample: assess form print --phase pre"
        "\n\nExample: assess form print --phase pre --variant A --out cetak"
    ),
)
@option("--phase", "phase_id", required=True, help=N_("The phase, e.g. pre."))
@option("--variant", default=None, help=N_("Only this variant (A, B, ...); default: every variant."))
@option(
    "--out",
    "out",
    default=None,
    help=N_(
        "The folder to write naskah-PHASE-VARIANT.html and kunci-PHASE.html to (default: the workspace)."
    ),
)
@shared_options()
@click.pass_context
def print_command(ctx: click.Context, phase_id: str, variant: str | None, out: str | None) -> None:
    ws = open_workspace(ctx)
    paths = write_paper(ws, phase_id, variant, Path(out) if out else None)
    *booklets, key = paths
    for path in booklets:
        click.echo(_("Booklet: {path}").format(path=path))
    click.echo(_("Answer key (for the trainer only): {path}").format(path=key))
