"""Workspace commands: init, form build, simulate, score, demo."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import click

from assess.cli.adjust import form_adjust
from assess.cli.paper import print_command
from assess.cli.support import (
    EXIT_WARNINGS,
    Group,
    chosen,
    open_workspace,
    option,
    shared_options,
    show_join_notes,
    table,
    terminal_numbers,
)
from assess.delivery.screen.desk import cli_actor, new_access_code, status_text
from assess.i18n import N_, _, ngettext
from assess.web.address import ENV_BASE_URL, join_base
from assess.workspace import ENV_DATABASE, now
from assess.workspace.adjust import ResultChange, result_changes
from assess.workspace.demo import (
    EXAMPLES,
    DemoResults,
    close_course,
    create_workspace,
    prepare_demo,
    run_demo,
)
from assess.workspace.files import (
    PARTICIPANTS_FILE,
    REPORTS_FOLDER,
)
from assess.workspace.participants import (
    LIST_COLUMNS,
    edit_participant,
    import_participants,
    participant_list,
    remove_participant,
    update_participants,
    write_cards,
    write_template,
)
from assess.workspace.steps import build_phase_form, score_phase, simulate


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
    create_workspace(target, example)
    if example:
        next_step = _("Created {path} from the example. Next: assess -w {path} participants import {csv}")
        click.echo(next_step.format(path=target, csv=target / PARTICIPANTS_FILE))
        return
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
@option(
    "--dry-run",
    is_flag=True,
    help=N_(
        "Say what would change (points and bands per participant, against the stored results); write nothing."
    ),
)
@shared_options()
@click.pass_context
def score(ctx: click.Context, dry_run: bool) -> None:
    ws = open_workspace(ctx)
    numbers = terminal_numbers()
    for phase in ws.loaded.event.phases:
        if not ws.store.has_form(ws.event_id, phase.id):
            continue
        if dry_run:
            stored = ws.store.results(ws.event_id, phase.id)
            _show_changes(
                ws, phase.id, result_changes(stored, score_phase(ws, phase.id, now(), write=False).rows)
            )
            continue
        s = score_phase(ws, phase.id, now())
        mean = numbers.dec(s.mean_percentage, 1)
        click.echo(
            _("phase {phase}: {n} attempts scored ({provisional} provisional), mean {mean}%").format(
                phase=s.phase, n=s.scored, provisional=s.provisional, mean=mean
            )
        )
    if dry_run:
        click.echo(_("Nothing was written (--dry-run): assess score writes these results."))


def _show_changes(ws, phase_id: str, changes: list[ResultChange]) -> None:
    numbers = terminal_numbers()
    names = {p.person_id: p.name for p in ws.store.participants(ws.event_id)}
    click.echo(
        _("phase {phase}: {n} of the results would change").format(
            phase=phase_id, n=sum(1 for c in changes if c.changed)
        )
    )
    rows = []
    for c in changes:
        if not c.changed:
            continue
        points = f"{numbers.dec(c.old_points, 2)} -> {numbers.dec(c.new_points, 2)}"
        top = f"{numbers.dec(c.old_max, 2)} -> {numbers.dec(c.new_max, 2)}" if c.old_max != c.new_max else ""
        band = f"{c.old_band} -> {c.new_band}" if c.old_band != c.new_band else ""
        rows.append([c.person_id, names.get(c.person_id, ""), points, top, band])
    if rows:
        head = ["ID", _("name"), _("points"), _("maximum"), _("band")]
        for line in table(head, rows, left=2):
            click.echo("  " + line)


@click.group("participants", cls=Group, help=N_("The event's participants."))
@shared_options()
def participants() -> None:
    pass


@participants.command(
    "import",
    help=N_(
        "Add the participants of a CSV or XLSX file (headers in Indonesian or English: NIP, Nama, "
        "Jabatan, Unit Kerja, Kecamatan, Email). Everyone gets an access code. The whole file is "
        "checked first: with any problem, nothing is added. With --update, a list read again: rows "
        "matched by NIP, else by an ID column, correct what differs; the others are added."
        "\n\nExample: assess participants import peserta.xlsx --update --dry-run"
    ),
)
@click.argument("file")
@option(
    "--update",
    is_flag=True,
    help=N_("Correct the participants the file names again (by NIP, else ID) and add the new ones."),
)
@option("--dry-run", is_flag=True, help=N_("With --update: say what it would do, and write nothing."))
@shared_options()
@click.pass_context
def participants_import(ctx: click.Context, file: str, update: bool, dry_run: bool) -> None:
    if dry_run and not update:
        raise click.UsageError(_("--dry-run goes with --update"), ctx)
    ws = open_workspace(ctx)
    if update:
        plan = update_participants(ws, Path(file), dry_run=dry_run, actor=cli_actor())
        _updated(plan, dry_run)
    else:
        plan = import_participants(ws, Path(file))
        n = len(plan.people)
        click.echo(ngettext("{n} participant added.", "{n} participants added.", n).format(n=n))
    _new_codes_and_warnings(ctx, plan)


def _updated(plan, dry_run: bool) -> None:
    added, changed = len(plan.people), len(plan.updates)
    if dry_run:
        click.echo(
            _("Would add {added} and correct {changed} participants (nothing written):").format(
                added=added, changed=changed
            )
        )
    else:
        click.echo(_("{added} participants added, {changed} corrected.").format(added=added, changed=changed))
    for u in plan.updates:
        click.echo(f"  {u.person_id}: {', '.join(u.fields)}")
    for p in plan.people:
        click.echo("  " + _("new: {name}").format(name=p["name"]))


def _new_codes_and_warnings(ctx: click.Context, plan) -> None:
    """The new unit and group codes an import or an edit made, then its warnings (exit 1 with any)."""
    for kind, code, name in plan.new_codes:
        label = _("new unit") if kind == "unit" else _("new group")
        click.echo(f"  {label}: {code}  ({name})")
    for warning in plan.warnings:  # imported: a NIP to check with the participant
        click.echo(str(warning))
    if plan.warnings:
        n = len(plan.warnings)
        click.echo(ngettext("{n} warning", "{n} warnings", n).format(n=n))
        ctx.exit(EXIT_WARNINGS)


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
@option(
    "--url",
    "base_url",
    envvar=ENV_BASE_URL,
    default=None,
    help=N_(
        "The base of the join address, e.g. http://192.168.1.10:8000 (/join is added); also ASSESS_BASE_URL."
    ),
)
@option(
    "--out",
    "out",
    default=None,
    help=N_("The HTML file to write (default: kartu-peserta.html in the workspace)."),
)
@shared_options()
@click.pass_context
def participants_cards(ctx: click.Context, base_url: str | None, out: str | None) -> None:
    base = join_base(given=base_url)  # a bad --url is refused before anything is read
    ws = open_workspace(ctx)
    path, n = write_cards(ws, base.url, Path(out) if out else None)
    click.echo(_("{n} cards written to {path}.").format(n=n, path=path))
    click.echo(_("Participants join at: {url}").format(url=base.join))
    show_join_notes(base)


@participants.command(
    "list",
    help=N_(
        "List the event's participants: id, NIP, name, position, unit, group, email, access code and "
        "each phase's attempt (its status). --json or --format csv for other programs; the CSV's "
        "columns are the import's, with the id first."
        "\n\nExample: assess participants list --format csv > peserta-kini.csv"
    ),
)
@option("--json", "as_json", is_flag=True, help=N_("Write JSON."))
@option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
@shared_options()
@click.pass_context
def participants_list(ctx: click.Context, as_json: bool, fmt: str) -> None:
    ws = open_workspace(ctx)
    columns, rows = participant_list(ws)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
    else:
        phases = columns[len(LIST_COLUMNS) :]
        shown = ["ID", "Nama", "Unit Kerja", "Kode"]
        cells = [[r[c] for c in shown] + [status_text(r[p]) if r[p] else "-" for p in phases] for r in rows]
        for line in table(["ID", _("Name"), _("Unit"), _("Access code"), *phases], cells, left=4):
            click.echo(line)


@participants.command(
    "edit",
    help=N_(
        "Correct a participant: a misspelt name, a new unit. Each value is checked as the import checks "
        "it; an empty value (or -) clears an optional one. Audit-logged; write the reports again to "
        'show it.\n\nExample: assess participants edit P0007 --name "Siti Rahmah" --unit "Kelurahan Ibuh"'
    ),
)
@click.argument("person_id")
@option("--name", default=None, help=N_("The person's name."))
@option("--nip", default=None, help=N_("The NIP (18 digits)."))
@option("--email", default=None, help=N_("The email address."))
@option("--position", default=None, help=N_("The position, e.g. Lurah."))
@option("--unit", default=None, help=N_("The unit's name, e.g. Kelurahan Ibuh (a new one is added)."))
@option("--group", default=None, help=N_("The group's name, e.g. Payakumbuh Barat (a new one is added)."))
@option("--agency", default=None, help=N_("The agency (Instansi), e.g. Pemerintah Kota Payakumbuh."))
@shared_options()
@click.pass_context
def participants_edit(ctx: click.Context, person_id: str, **given: str | None) -> None:
    changes = {kind: text for kind, text in given.items() if text is not None}
    if not changes:
        raise click.UsageError(
            _("give at least one of --name, --nip, --email, --position, --unit, --group, --agency"), ctx
        )
    ws = open_workspace(ctx)
    plan = edit_participant(ws, person_id, changes, cli_actor())
    click.echo(
        _("{person}: corrected ({fields}).").format(person=person_id, fields=", ".join(sorted(changes)))
    )
    _new_codes_and_warnings(ctx, plan)


@participants.command(
    "remove",
    help=N_(
        "Take a participant who never started a test out of the event: a row imported by mistake, "
        "someone who did not come. Their phones are logged out. Once they have an attempt, only with "
        "--with-attempts: their rows and attempts stay in the database and its backups, and they are "
        "left out of results, statistics, exports, the dashboard and the reports. Audit-logged."
        "\n\nExample: assess participants remove P0053"
    ),
)
@click.argument("person_id")
@option(
    "--with-attempts",
    is_flag=True,
    help=N_("Also one who took a test: kept in the database, left out of every summary."),
)
@shared_options()
@click.pass_context
def participants_remove(ctx: click.Context, person_id: str, with_attempts: bool) -> None:
    ws = open_workspace(ctx)
    remove_participant(ws, person_id, now(), cli_actor(), with_attempts=with_attempts)
    click.echo(_("{person}: removed from the event.").format(person=person_id))


@participants.command(
    "new-code",
    help=N_(
        "Give a participant a new access code: the old one stops working and every phone logged in with "
        "it is logged out (audit-logged). Then print their card again with assess participants cards."
        "\n\nExample: assess participants new-code P0007"
    ),
)
@click.argument("person_id")
@shared_options()
@click.pass_context
def participants_new_code(ctx: click.Context, person_id: str) -> None:
    ws = open_workspace(ctx)
    code = new_access_code(ws, person_id, now(), actor=cli_actor())
    click.echo(
        _("{person}: new access code {code}; the old one no longer works.").format(
            person=person_id, code=code
        )
    )


def demo_table(results: DemoResults) -> str:
    """The cohort's results as a plain-text table, with the means."""
    n = terminal_numbers()
    head = [_("Participant"), _("Name"), _("Group")] + [f"{p} %" for p in results.phases]
    gain = len(results.phases) >= 2
    if gain:
        head.append(_("Gain"))
    first, last = results.phases[0], results.phases[-1]
    rows = []
    for r in results.rows:
        values = [r.get(p) for p in results.phases]
        cells = [r["person_id"], r["name"][:28], r["group_code"] or "-"] + [n.dec(v, 1) for v in values]
        if gain:
            both = r.get(first) is not None and r.get(last) is not None
            cells.append(n.signed(r[last] - r[first], 1) if both else "-")
        rows.append(cells)
    means = ["", _("Mean"), ""]
    for p in results.phases:
        got = [r[p] for r in results.rows if r.get(p) is not None]
        means.append(n.dec(sum(got) / len(got), 1) if got else "-")
    if gain:
        pairs = [
            r[last] - r[first] for r in results.rows if r.get(first) is not None and r.get(last) is not None
        ]
        means.append(n.signed(sum(pairs) / len(pairs), 1) if pairs else "-")
    lines = table(head, [*rows, means], left=3)
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    return "\n".join(lines)


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
    prepare_demo(target, chosen(ctx, "database") or os.environ.get(ENV_DATABASE))
    ctx.find_root().meta["workspace"] = str(target)
    ws = open_workspace(ctx)
    results = run_demo(ws, target, seed, now())
    click.echo(demo_table(results))
    click.echo(_("The example's workspace: {path}").format(path=target))
    close_course(ws, now())
    from assess.reports.render import write_reports  # here: the other commands need no templates

    index = write_reports(ws, target / REPORTS_FOLDER)
    click.echo(_("The reports: {path}").format(path=index))


form.add_command(print_command, "print")
form.add_command(form_adjust, "adjust")
