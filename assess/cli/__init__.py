"""The `assess` command line: thin click commands over the library.

Each command parses its arguments and calls one function of the rooms below
it. Problems the user can fix end in located, coded messages and exit 2;
a failing environment exits 3; lint warnings (later) exit 1.
"""

from __future__ import annotations

import sys

import click

from assess import __version__
from assess.cli import click_messages
from assess.cli.support import Group, option, shared_options
from assess.i18n import N_, _


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(_("%(prog)s, version %(version)s") % {"prog": "assess", "version": __version__})
        ctx.exit()


@click.group(
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_("assess: question banks, pre- and post-tests, scoring, analysis and reports."),
)
@option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help=N_("Show the version and exit."),
)
@shared_options(root=True)
def cli() -> None:
    pass


# The other commands are imported when used (see Group.lazy).
cli.lazy.update(
    {
        "bank": "assess.cli.bank:bank",
        "event": "assess.cli.event:event",
        "init": "assess.cli.workspace:init",
        "form": "assess.cli.workspace:form",
        "phase": "assess.cli.phase:phase",
        "simulate": "assess.cli.workspace:simulate_command",
        "score": "assess.cli.workspace:score",
        "participants": "assess.cli.workspace:participants",
        "demo": "assess.cli.workspace:demo",
        "responses": "assess.cli.responses:responses",
        "marks": "assess.cli.marks:marks",
        "export": "assess.cli.marks:export",
        "db": "assess.cli.db:db",
        "hr": "assess.cli.hr:hr",
        "analyze": "assess.cli.analyze:analyze",
        "report": "assess.cli.report:report",
        "serve": "assess.cli.serve:serve",
        "trainer-password": "assess.cli.serve:trainer_password",
    }
)


def main() -> None:
    click_messages.install()
    # Windows consoles may not default to UTF-8; Indonesian text and arrows need it.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    cli(prog_name="assess")
