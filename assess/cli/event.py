"""`assess event ...`: the event of an assessment.yaml and its phases' forms."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from assess.cli.support import Group, shared_options
from assess.event.file import DIFFICULTY_NAMES, build_forms, load_event
from assess.i18n import N_, _, ngettext
from assess.workspace.files import EVENT_FILE


@click.group(cls=Group, help=N_("The event: assessment.yaml, its phases and their forms."))
@shared_options()
def event() -> None:
    pass


@event.command(
    "check",
    help=N_(
        "Check an assessment.yaml and its banks, and assemble every phase's form from its blueprint "
        "(nothing is stored). Prints each phase's items per competency and difficulty. Exit 0 when "
        "every phase can be assembled, 2 with the list of problems."
        "\n\nExample: assess event check examples/payakumbuh-2019/assessment.yaml"
    ),
)
@click.argument("file", default=EVENT_FILE)
@shared_options()
def check(file: str) -> None:
    loaded = load_event(Path(file))
    forms = build_forms(loaded)
    click.echo(f"{loaded.event.event.id}: {loaded.event.event.title}")
    for phase_id, form in forms.items():
        n = len(form.items)
        line = _("phase {phase}: {what}, variants {variants}, hash {hash}").format(
            phase=phase_id,
            what=ngettext("{n} item", "{n} items", n).format(n=n),
            variants=", ".join(v.label for v in form.variants),
            hash=form.hash[:12],
        )
        click.echo(line)
        cells = Counter((i.primary_competency, i.difficulty) for i in form.items)
        rank = {"easy": 0, "medium": 1, "hard": 2}
        for (competency, difficulty), count in sorted(cells.items(), key=lambda c: (c[0][0], rank[c[0][1]])):
            click.echo(f"    {competency:<8} {_(DIFFICULTY_NAMES[difficulty]):<14} {count:>3}")
