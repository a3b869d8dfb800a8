"""`assess marks ...` and `assess export`: essay marking and exports."""

from __future__ import annotations

import click

from assess.cli_support import Group, shared_options
from assess.i18n import N_


@click.group("marks", cls=Group, help=N_("Essay marks: export the essays to mark, import the levels chosen."))
@shared_options()
def marks() -> None:
    pass
