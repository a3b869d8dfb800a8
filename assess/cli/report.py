"""`assess report`: every report of the event, as self-contained HTML files in one folder."""

from __future__ import annotations

from pathlib import Path

import click

from assess.cli.support import Group, open_workspace, option, shared_options
from assess.i18n import N_, _, ngettext
from assess.workspace.files import REPORTS_FOLDER


@click.command(
    "report",
    cls=Group.command_class,
    help=N_(
        "Write the event's reports into a folder: index.html linking everything, one report per "
        "participant (participants/<id>.html), the cohort report and the item report. Each file opens "
        "offline, on a phone and in print. What a participant's report shows follows the review policy "
        "of each test as it stands now: write the reports again after closing a test."
        "\n\nExample: assess report --out laporan --lang en"
    ),
)
@option("--out", "out", default=None, help=N_("The folder to write (default: laporan in the workspace)."))
@option(
    "--summary",
    is_flag=True,
    help=N_("Also one A4 page per participant: ringkasan/<id>.html, and all of them in ringkasan.html."),
)
@option(
    "--name-files",
    is_flag=True,
    help=N_(
        "Name each participant's files by their name and NIP (afrizal-197805122005011002.html) instead "
        "of their id, to send each their own. The names then carry the NIP."
    ),
)
@shared_options()
@click.pass_context
def report(ctx: click.Context, out: str | None, summary: bool, name_files: bool) -> None:
    from assess.reports.render import write_reports

    ws = open_workspace(ctx)
    folder = Path(out) if out else ws.folder / REPORTS_FOLDER
    index = write_reports(ws, folder, summary=summary, name_files=name_files)
    n = len(list((folder / "participants").glob("*.html")))
    click.echo(ngettext("{n} participant report written.", "{n} participant reports written.", n).format(n=n))
    click.echo(_("Open {path}").format(path=index))
