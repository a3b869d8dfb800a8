"""Workspace commands: init, form build, simulate, score, demo."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click

from assess.cli.paper import print_command
from assess.cli.support import Group, UserError, chosen, open_workspace, option, shared_options
from assess.delivery.cards import cards_html
from assess.i18n import N_, _, ngettext
from assess.problems import Problem
from assess.resources import data_path
from assess.store import schema
from assess.web.address import join_base_url
from assess.workspace import ENV_DATABASE, now
from assess.workspace.files import REPORTS_FOLDER
from assess.workspace.participants import import_participants, write_template
from assess.workspace.steps import build_phase_form, demo_table, run_demo, score_phase, simulate

EXAMPLES = ("payakumbuh-2019",)
DEMO_MARKER = ".assess-demo"
DEMO_EVENT = "payakumbuh-2019"  # the event id in examples/payakumbuh-2019/assessment.yaml


def check_demo_database(ctx: click.Context, url: str) -> None:
    """The demo's event must not already have participants in a database given from outside."""
    from assess.store.store import Store

    store = Store.open(url)
    try:
        if store.participants(DEMO_EVENT):
            raise UserError([Problem("WORKSPACE-DEMO-DATABASE-USED", {"event": DEMO_EVENT})])
    finally:
        store.close()


@click.command(
    "init",
    cls=Group.command_class,
    help=N_(
        "Create an event workspace in DIR: a commented assessment.yaml and a participants template; "
        "with --example, a copy of a worked example, untouched."
        "\n\nExample: assess init --example payakumbuh-2019 pelatihan"
    ),
)
@click.argument("directory")
@option("--example", type=click.Choice(EXAMPLES), default=None, help=N_("Copy this worked example."))
@shared_options()
def init(directory: str, example: str | None) -> None:
    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise UserError([Problem("WORKSPACE-NOT-EMPTY", {}, str(target))])
    if example:
        shutil.copytree(data_path("examples") / example, target, dirs_exist_ok=True)
        next_step = _("Created {path} from the example. Next: assess -w {path} participants import {csv}")
        click.echo(next_step.format(path=target, csv=target / "peserta.csv"))
        return
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(data_path("templates") / "workspace" / "assessment.yaml", target / "assessment.yaml")
    write_template(target / "peserta.xlsx")
    click.echo(_("Created {path}. Next: edit assessment.yaml, then assess event check.").format(path=target))


@click.group("form", cls=Group, help=N_("The forms of the event's phases."))
@shared_options()
def form() -> None:
    pass


@form.command(
    "build",
    help=N_(
        "Assemble a phase's form from its blueprint and store it. Printing, imports, the web app and "
        "scoring read only the stored form. Refused once any attempt exists on the phase."
        "\n\nExample: assess form build --phase pre"
    ),
)
@option("--phase", "phase_id", required=True, help=N_("The phase, e.g. pre."))
@shared_options()
@click.pass_context
def form_build(ctx: click.Context, phase_id: str) -> None:
    ws = open_workspace(ctx)
    built = build_phase_form(ws, phase_id, now())
    click.echo(
        _("phase {phase}: {n} items stored, hash {hash}").format(
            phase=phase_id, n=len(built.items), hash=built.hash[:12]
        )
    )


@click.command(
    "simulate",
    cls=Group.command_class,
    help=N_(
        "Give every participant a synthetic attempt on each phase, from an item-response model with a "
        "learning gain between phases: for demonstrations and benchmarks. Seeded and reproducible."
        "\n\nExample: assess simulate --seed 2019"
    ),
)
@option("--seed", type=int, default=2019, show_default=True, help=N_("The random seed."))
@shared_options()
@click.pass_context
def simulate_command(ctx: click.Context, seed: int) -> None:
    ws = open_workspace(ctx)
    counts = simulate(ws, seed, now())
    for phase_id, n in counts.items():
        click.echo(_("phase {phase}: {n} simulated attempts").format(phase=phase_id, n=n))


@click.command(
    "score",
    cls=Group.command_class,
    help=N_(
        "Score every submitted or expired attempt of each phase that has a form, into results. Results "
        "stay provisional while essays wait for marks.\n\nExample: assess score"
    ),
)
@shared_options()
@click.pass_context
def score(ctx: click.Context) -> None:
    ws = open_workspace(ctx)
    for phase in ws.loaded.event.phases:
        if not ws.store.has_form(ws.event_id, phase.id):
            continue
        s = score_phase(ws, phase.id, now())
        mean = "-" if s.mean_percentage is None else f"{s.mean_percentage:.1f}"
        click.echo(
            _("phase {phase}: {n} attempts scored ({provisional} provisional), mean {mean}%").format(
                phase=s.phase, n=s.scored, provisional=s.provisional, mean=mean
            )
        )


@click.group("participants", cls=Group, help=N_("The event's participants."))
@shared_options()
def participants() -> None:
    pass


@participants.command(
    "import",
    help=N_(
        "Add the participants of a CSV or XLSX file (headers in Indonesian or English: NIP, Nama, "
        "Jabatan, Unit Kerja, Kecamatan, Email). Everyone gets an access code. The whole file is "
        "checked first: with any problem, nothing is added."
        "\n\nExample: assess participants import peserta.xlsx"
    ),
)
@click.argument("file")
@shared_options()
@click.pass_context
def participants_import(ctx: click.Context, file: str) -> None:
    ws = open_workspace(ctx)
    plan = import_participants(ws, Path(file))
    n = len(plan.people)
    click.echo(ngettext("{n} participant added.", "{n} participants added.", n).format(n=n))
    for kind, code, name in plan.new_codes:
        label = _("new unit") if kind == "unit" else _("new group")
        click.echo(f"  {label}: {code}  ({name})")


@participants.command(
    "template",
    help=N_(
        "Write an empty participants list to fill in: XLSX with the NIP column formatted as text "
        "(recommended), or CSV.\n\nExample: assess participants template peserta.xlsx"
    ),
)
@click.argument("file")
@shared_options()
def participants_template(file: str) -> None:
    write_template(Path(file))
    click.echo(_("Written {path}.").format(path=file))


@participants.command(
    "cards",
    help=N_(
        "Write printable access-code cards (HTML, A4, eight to a page): each participant's name, "
        "access code, the join address and a QR code that opens it. The address defaults to this "
        "laptop's address on the local network, port 8000."
        "\n\nExample: assess participants cards --out kartu.html"
    ),
)
@option("--url", "base_url", default=None, help=N_("The join address, e.g. http://192.168.1.10:8000."))
@option(
    "--out",
    "out",
    default=None,
    help=N_("The HTML file to write (default: kartu-peserta.html in the workspace)."),
)
@shared_options()
@click.pass_context
def participants_cards(ctx: click.Context, base_url: str | None, out: str | None) -> None:
    ws = open_workspace(ctx)
    people = ws.store.participants(ws.event_id)
    if not people:
        raise UserError([Problem("WORKSPACE-NO-PARTICIPANTS", {})])
    units = ws.store.codes(ws.event_id, schema.units)
    html = cards_html(ws.loaded.event.event.title, base_url or join_base_url(), people, units)
    path = Path(out) if out else ws.folder / "kartu-peserta.html"
    path.write_text(html, encoding="utf-8")
    click.echo(_("{n} cards written to {path}.").format(n=len(people), path=path))


@click.command(
    "demo",
    cls=Group.command_class,
    help=N_(
        "Run the worked example end to end: copy it to DIR, import its participants, build the "
        "forms, simulate every participant's pre- and post-test, score them, print the results, close "
        "the tests and write the reports (DIR/laporan/index.html)."
        "\n\nExample: assess demo --out assess-demo"
    ),
)
@option(
    "--out", "out", default="assess-demo", show_default=True, help=N_("Where to put the example's workspace.")
)
@option("--seed", type=int, default=2019, show_default=True, help=N_("The random seed of the simulation."))
@shared_options()
@click.pass_context
def demo(ctx: click.Context, out: str, seed: int) -> None:
    target = Path(out)
    if target.exists() and any(target.iterdir()) and not (target / DEMO_MARKER).exists():
        raise UserError([Problem("WORKSPACE-NOT-EMPTY", {}, str(target))])
    external = chosen(ctx, "database") or os.environ.get(ENV_DATABASE)
    if external:  # refuse a used database before touching the folder
        check_demo_database(ctx, external)
    if target.exists():
        shutil.rmtree(target)  # a previous demo's folder: made anew
    shutil.copytree(data_path("examples") / EXAMPLES[0], target)
    (target / DEMO_MARKER).write_text("assess demo\n", encoding="utf-8")
    ctx.find_root().meta["workspace"] = str(target)
    ws = open_workspace(ctx)
    results = run_demo(ws, target, seed, now())
    click.echo(demo_table(results))
    click.echo(_("The example's workspace: {path}").format(path=target))
    # The worked course is over: its tests close, so that the reports show what the review
    # policy keeps until then (keys, explanations, competencies, position in the cohort).
    from assess.reports.render import write_reports
    from assess.store.store import CLOSED

    for phase in ws.loaded.event.phases:
        ws.store.set_phase_state(ws.event_id, phase.id, CLOSED, now(), actor="demo")
    index = write_reports(ws, target / REPORTS_FOLDER)
    click.echo(_("The reports: {path}").format(path=index))


form.add_command(print_command, "print")
