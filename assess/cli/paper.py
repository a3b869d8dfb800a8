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
        "Write the printable test booklets of a phase (HTML, A4 or F4): one per paper variant, each ending "
        "with its answer sheet, the blank answer sheets of each variant on their own, and the trainer's "
        "answer key. The sheets are made to be read by `assess responses scan` (corner squares, a QR code, "
        "bubbles to fill) and can also be typed for `assess responses import --format sheet`. Only the "
        "stored form is printed: build it first."
        "\n\nExample: assess form print --phase pre"
        "\n\nExample: assess form print --phase pre --variant A --paper f4 --out cetak"
        "\n\nExample: assess form print --phase pre --personal"
    ),
)
@option("--phase", "phase_id", required=True, help=N_("The phase, e.g. pre."))
@option("--variant", default=None, help=N_("Only this variant (A, B, ...); default: every variant."))
@option(
    "--out",
    "out",
    default=None,
    help=N_(
        "The folder to write naskah-PHASE-VARIANT.html, lembar-PHASE-VARIANT.html and kunci-PHASE.html to "
        "(default: the workspace)."
    ),
)
@option(
    "--paper",
    type=click.Choice(["a4", "f4"]),
    default="a4",
    show_default=True,
    help=N_("The paper size: a4 (210 x 297 mm) or f4 (folio, 215 x 330 mm)."),
)
@option(
    "--personal",
    is_flag=True,
    default=False,
    help=N_(
        "Print one answer sheet per participant, with their name and id (lembar-PHASE-peserta.html), "
        "instead of blank sheets with a grid for the NIP or participant number; the variants go in turn "
        "down the participant list."
    ),
)
@shared_options()
@click.pass_context
def print_command(
    ctx: click.Context, phase_id: str, variant: str | None, out: str | None, paper: str, personal: bool
) -> None:
    ws = open_workspace(ctx)
    paths = write_paper(ws, phase_id, variant, Path(out) if out else None, paper=paper, personal=personal)
    *printed, key = paths
    for path in printed:
        if path.name.startswith("lembar-"):
            click.echo(_("Answer sheets: {path}").format(path=path))
        else:
            click.echo(_("Booklet: {path}").format(path=path))
    click.echo(_("Answer key (for the trainer only): {path}").format(path=key))
