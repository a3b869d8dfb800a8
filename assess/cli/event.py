"""`assess event ...`: the event of an assessment.yaml and its phases' forms."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from assess.cli.support import EXIT_WARNINGS, Group, chosen, shared_options
from assess.delivery.paper import TYPE_NAMES
from assess.event.file import DIFFICULTY_NAMES, build_forms, competency_warnings, load_event
from assess.forms import Form, drift
from assess.i18n import N_, _, ngettext
from assess.problems import ProblemsFound
from assess.workspace.files import EVENT_FILE


@click.group(cls=Group, help=N_("The event: assessment.yaml, its phases and their forms."))
@shared_options()
def event() -> None:
    pass


@event.command(
    "check",
    help=N_(
        "Check an assessment.yaml and its banks, and assemble every phase's form from its blueprint "
        "(no form is stored). Prints each phase's items per competency and difficulty. Exit 0 when "
        "every phase can be assembled, 2 with the list of problems. The workspace's own assessment.yaml "
        "(the default) is drawn with the event's secret, as assess form build draws it; any other file "
        "is drawn as an example only."
        "\n\nExample: assess event check examples/payakumbuh-2019/assessment.yaml"
    ),
)
@click.argument("file", required=False)
@shared_options()
@click.pass_context
def check(ctx: click.Context, file: str | None) -> None:
    ws = _workspace_of(ctx, file)
    if ws is None:
        loaded = load_event(Path(file or EVENT_FILE))
        forms = build_forms(loaded)
    else:
        loaded = ws.loaded
        forms = build_forms(loaded, ws.orders_secret())
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
        # Essays on a line of their own: a marker has to mark them by hand.
        cells = Counter((i.primary_competency, i.difficulty, i.type == "essay") for i in form.items)  # type: ignore[attr-defined]
        rank = {"easy": 0, "medium": 1, "hard": 2}
        for (competency, difficulty, essay), count in sorted(
            cells.items(), key=lambda c: (c[0][0], rank[c[0][1]], c[0][2])
        ):
            kind = f", {_(TYPE_NAMES['essay'])}" if essay else ""
            click.echo(f"    {competency:<8} {_(DIFFICULTY_NAMES[difficulty]) + kind:<14} {count:>3}")
    if ws is None:
        click.echo(
            _("Outside a workspace this draw is only an example: a workspace draws with its event's secret.")
        )
    else:
        for phase_id, drawn in forms.items():
            if ws.store.has_form(ws.event_id, phase_id):
                for line in drift_lines(phase_id, ws.store.form(ws.event_id, phase_id), drawn):
                    click.echo(line)
    warnings = competency_warnings(loaded, forms)
    for warning in warnings:
        click.echo(str(warning))
    if warnings:
        click.echo(ngettext("{n} warning", "{n} warnings", len(warnings)).format(n=len(warnings)))
        ctx.exit(EXIT_WARNINGS)


def drift_lines(phase_id: str, stored: Form, drawn: Form) -> list[str]:
    """What `event check` says of a phase whose form is stored: that it matches the draw, or each way in
    which it differs, and that the stored form is what scores."""
    found = drift(stored, drawn)
    if not found.differs:
        return [_("phase {phase}: the stored form matches this draw").format(phase=phase_id)]
    lines = [
        _(
            "phase {phase}: the stored form ({stored}) differs from what assessment.yaml and the banks give "
            "now ({drawn}):"
        ).format(phase=phase_id, stored=stored.hash[:12], drawn=drawn.hash[:12])
    ]
    listed = (
        (found.only_stored, _("items only in the stored form")),
        (found.only_drawn, _("items only in the new draw")),
        (found.keys, _("keys or answers changed")),
        (found.points, _("points changed")),
        (found.competencies, _("competencies changed")),
        (found.wording, _("wording changed")),
    )
    lines += [f"  {what}: {', '.join(items)}" for items, what in listed if items]
    if found.policy:
        lines.append("  " + _("the scoring policy changed"))
    if found.grading:
        lines.append("  " + _("the grading changed (bands, pass mark, competency levels)"))
    lines.append(
        "  "
        + _(
            "The stored form is what scores and what participants see; assess form build replaces it only "
            "while its phase has no attempt."
        )
    )
    return lines


def _workspace_of(ctx: click.Context, file: str | None):
    """The workspace (its event loaded) when FILE is its assessment.yaml or is not given, else None.

    The workspace is the one -w, ASSESS_WORKSPACE or the current folder chooses. Its database is
    opened (made, with the event's secret, on first use) only once its assessment.yaml has loaded.
    """
    from assess.workspace import Workspace, choose  # here: a file outside a workspace needs no store

    try:
        folder, url = choose(chosen(ctx, "workspace"), chosen(ctx, "database"))
    except ProblemsFound:
        if file is None:
            raise  # no file and no workspace here: the next step every other command gives
        return None
    if file is not None and Path(file).resolve() != (folder / EVENT_FILE).resolve():
        return None
    ws = Workspace(folder, url)
    ws.loaded  # noqa: B018 - the event's problems first, before the database is touched
    ctx.call_on_close(ws.close)
    return ws
