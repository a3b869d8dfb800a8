"""`assess analyze ...`: item analysis and pre/post gains, for any data or for the event's own."""

from __future__ import annotations

import click

from assess.cli.support import Group, shared_options
from assess.i18n import N_


@click.group(
    "analyze", cls=Group, help=N_("Measurement: item analysis, reliability, pre/post learning gain.")
)
@shared_options()
def analyze() -> None:
    pass


analyze.lazy.update(
    {
        "items": "assess.cli.analyze.items:items",
        "prepost": "assess.cli.analyze.prepost:prepost",
        "rasch": "assess.cli.analyze.rasch:rasch_command",
    }
)
