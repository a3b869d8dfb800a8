"""`assess db ...`: backup and restore of one event."""

from __future__ import annotations

import click

from assess.cli_support import Group, shared_options
from assess.i18n import N_


@click.group("db", cls=Group, help=N_("The event's database: backup and restore."))
@shared_options()
def db() -> None:
    pass
