"""`assess responses ...`: answers from outside the web app (Google Forms, paper answer sheets)."""

from __future__ import annotations

import click

from assess.cli_support import Group, shared_options
from assess.i18n import N_


@click.group(
    "responses", cls=Group, help=N_("Responses from outside the web app: Google Forms, answer sheets.")
)
@shared_options()
def responses() -> None:
    pass
