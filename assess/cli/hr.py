"""`assess hr ...`: the HR workspace (assess.hr): events added from backups or another database."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import click

from assess.cli.support import Group, chosen, option, shared_options, table, terminal_numbers
from assess.i18n import N_, _


@click.group("hr", cls=Group, help=N_("The HR workspace: people, units and events compared across years."))
@shared_options()
def hr() -> None:
    pass


def open_hr(ctx: click.Context):
    """The HR workspace and database the shared options, the environment or the current folder choose."""
    from assess.hr import HrWorkspace, choose_hr

    folder, url = choose_hr(chosen(ctx, "workspace"), chosen(ctx, "database"))
    ws = HrWorkspace(folder, url)
    ws.settings  # noqa: B018 - read hr.yaml now, so that its problems are reported first
    ws.store  # noqa: B018
    ctx.call_on_close(ws.close)
    return ws


@hr.command(
    "init",
    help=N_(
        "Make an HR workspace in DIR (new or empty): hr.yaml with the organisation's name, framework and "
        "positions file. Its database is hr.db in DIR, or --db / ASSESS_DATABASE_URL (never in hr.yaml). "
        "With --example payakumbuh-hr: three simulated events of the same people, a roster and ratings, "
        "added, imported and calibrated.\n\nExample: assess hr init sdm-payakumbuh"
    ),
)
@click.argument("directory", metavar="DIR")
@option("--example", type=click.Choice(["payakumbuh-hr"]), default=None, help=N_("Make this worked example."))
@shared_options()
@click.pass_context
def hr_init(ctx: click.Context, directory: str, example: str | None) -> None:
    from assess.hr import create_hr_workspace

    create_hr_workspace(Path(directory), example)
    if example is None:
        click.echo(
            _(
                "Created {path}. Next: edit hr.yaml, then add events with assess -w {path} hr add BACKUP.zip"
            ).format(path=directory)
        )
        return
    from assess.hr.example import fill_example

    ctx.find_root().meta["workspace"] = directory
    ws = open_hr(ctx)
    done = fill_example(ws)
    click.echo(
        _(
            "Created {path} from the example: {events} events, {people} people, {ratings} ratings, run {run}."
        ).format(path=directory, events=done.events, people=done.people, ratings=done.ratings, run=done.run)
    )
    click.echo(_("Next: assess -w {path} hr report").format(path=directory))


@hr.command(
    "check",
    help=N_(
        "Check hr.yaml, its framework and its positions file (every problem located), and say what they "
        "hold.\n\nExample: assess hr check"
    ),
)
@shared_options()
@click.pass_context
def hr_check(ctx: click.Context) -> None:
    from assess.hr.settings import load_requirements

    ws = open_hr(ctx)
    found = load_requirements(ws.folder, ws.settings)
    click.echo(_("Organisation: {name}").format(name=ws.settings.organisation.name))
    n = len(found.framework.competencies)
    click.echo(_("Framework: {id} ({n} competencies)").format(id=found.framework.id, n=n))
    if found.positions is None:
        click.echo(_("Positions: none (hr.yaml names no positions file)"))
    else:
        n = len(found.positions.positions)
        click.echo(_("Positions: {file}, {n} positions").format(file=found.positions_file, n=n))
        if found.positions.example:
            click.echo(_("  an example: its levels are not confirmed; every page that uses them says so"))
    click.echo(_("OK: no problems found."))


@hr.command(
    "add",
    help=N_(
        "Add events: each BACKUP.zip written by assess db backup, or with --from-db URL --event ID an event "
        "of another database (read, never written; the HR database itself: registered where it is). "
        "Adding the same event again changes nothing; a newer backup of it replaces its rows in one "
        "transaction; an older one is refused. Participants are joined to people across events by NIP."
        "\n\nExample: assess hr add payakumbuh-2019.zip"
    ),
)
@click.argument("backups", metavar="[BACKUP.zip]...", nargs=-1)
@option("--from-db", "from_db", default=None, help=N_("The URL of the database holding the event."))
@option("--event", "event_id", default=None, help=N_("With --from-db: the event's id."))
@shared_options()
@click.pass_context
def hr_add(ctx: click.Context, backups: tuple[str, ...], from_db: str | None, event_id: str | None) -> None:
    from assess.hr.events import add_backup, add_from_database

    if bool(from_db) != bool(event_id):
        raise click.UsageError(_("--from-db and --event go together"), ctx)
    if not backups and not from_db:
        raise click.UsageError(_("give a BACKUP.zip, or --from-db URL --event ID"), ctx)
    ws = open_hr(ctx)
    for backup in backups:
        _said(add_backup(ws.store.engine, Path(backup)), backup)
    if from_db:
        _said(add_from_database(ws.store.engine, from_db, event_id), event_id)


def _said(put, where: str) -> None:
    if put.added:
        message = _("Event {event} added from {where}: {n} participants, {new} new people.")
    elif put.replaced:
        message = _("Event {event} replaced from {where}: {n} participants, {new} new people.")
    else:
        message = _("Event {event} is already added with the same rows: nothing changed.")
    click.echo(message.format(event=put.event_id, where=where, n=put.participants, new=put.people_new))


@hr.command(
    "events",
    help=N_(
        "List the events added: their days, participants (not removed), phases, and where they came from."
        "\n\nExample: assess hr events"
    ),
)
@shared_options()
@click.pass_context
def hr_events(ctx: click.Context) -> None:
    from assess.hr.events import list_events

    ws = open_hr(ctx)
    events = list_events(ws.store.engine)
    if not events:
        click.echo(_("No events yet: add one with assess hr add BACKUP.zip"))
        return
    fmt = terminal_numbers()
    zone = zoneinfo.ZoneInfo(ws.settings.organisation.time_zone)
    head = [_("Event"), _("Days"), _("Participants"), _("Phases"), _("From"), _("Added")]
    rows = [
        [
            e.event_id,
            _days(e.starts_on, e.ends_on),
            fmt.count(e.participants),
            ", ".join(e.phases),
            f"{_(SOURCE_NAMES[e.source])}: {e.origin}",
            e.added_at.replace(tzinfo=dt.UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        ]
        for e in events
    ]
    for line in table(head, rows, left=1):
        click.echo(line)
    click.echo(_("Titles:"))
    for e in events:
        click.echo(f"  {e.event_id}: {e.title}")


SOURCE_NAMES = {"backup": N_("backup"), "database": N_("database"), "here": N_("this database")}


def _days(starts, ends) -> str:
    if starts is None:
        return "-"
    return starts.isoformat() if ends in (None, starts) else f"{starts.isoformat()}..{ends.isoformat()}"


@hr.command(
    "remove",
    help=N_(
        "Take an event and all its rows out of the HR database (an event registered from the HR database "
        "itself keeps its rows). People seen only in it go too."
        "\n\nExample: assess hr remove payakumbuh-2019"
    ),
)
@click.argument("event_id", metavar="EVENT")
@shared_options()
@click.pass_context
def hr_remove(ctx: click.Context, event_id: str) -> None:
    from assess.hr.events import remove_event

    ws = open_hr(ctx)
    remove_event(ws.store.engine, event_id)
    click.echo(_("Event {event} removed from the HR database.").format(event=event_id))


@hr.group("people", cls=Group, help=N_("People across events: one per NIP; merged or split only on command."))
@shared_options()
def hr_people() -> None:
    pass


@hr_people.command(
    "list",
    help=N_(
        "List the people: number, NIP, name, and the events they took part in (with --search, those whose "
        "name or NIP holds TEXT).\n\nExample: assess hr people list --search afrizal"
    ),
)
@option("--search", default=None, help=N_("Only people whose name or NIP holds this text."))
@shared_options()
@click.pass_context
def hr_people_list(ctx: click.Context, search: str | None) -> None:
    from assess.store.hr_people import people

    ws = open_hr(ctx)
    found = people(ws.store.engine)
    if search:
        needle = search.casefold()
        found = [p for p in found if needle in p.name.casefold() or needle in (p.nip or "")]
    if not found:
        click.echo(_("No people found."))
        return
    head = [_("Number"), "NIP", _("Name"), _("Events")]
    rows = [[str(p.number), p.nip or "-", p.name, _events_of(p)] for p in found]
    for line in table(head, rows, left=4):
        click.echo(line)


def _events_of(person) -> str:
    return ", ".join(
        p.event_id + ("" if p.how in ("nip", "own") else f" ({_(LINK_NAMES[p.how])})")
        for p in person.participations
    )


LINK_NAMES = {"merged": N_("merged"), "split": N_("split")}


def _who(person) -> str:
    nip = f", NIP {person.nip}" if person.nip else ""
    return f"{person.number} {person.name}{nip}: {_events_of(person)}"


@hr_people.command(
    "match",
    help=N_(
        "Find people who may be one: a participant without a NIP with the same name (degrees after a comma, "
        "case and spacing aside) in the same unit as someone of another event. Each pair is asked about "
        "(y/n) and merged only when confirmed; with --review, only listed.\n\nExample: assess hr people "
        "match --review"
    ),
)
@option("--review", is_flag=True, help=N_("List the candidates and change nothing."))
@shared_options()
@click.pass_context
def hr_people_match(ctx: click.Context, review: bool) -> None:
    from assess.hr.people import candidates, merge
    from assess.store.hr_people import people

    ws = open_hr(ctx)
    found = candidates(people(ws.store.engine))
    if not found:
        click.echo(_("No candidates: nobody without a NIP has another event's name and unit."))
        return
    if review:
        for c in found:
            _show_candidate(c)
        click.echo(
            _("{n} candidates; merge with assess hr people merge PERSON_A PERSON_B.").format(n=len(found))
        )
        return
    declined: set[tuple[int, int]] = set()
    while True:  # the candidates again after each merge: a merged person is no longer the one listed
        pending = [c for c in found if (c.other.number, c.without_nip.number) not in declined]
        if not pending:
            return
        c = pending[0]
        _show_candidate(c)
        if click.confirm(_("Merge them?"), default=False):
            _keep, _other, number = merge(ws.store.engine, str(c.other.number), str(c.without_nip.number))
            click.echo(_("Merged (change {n}; assess hr people undo {n} puts it back).").format(n=number))
        else:
            declined.add((c.other.number, c.without_nip.number))
        found = candidates(people(ws.store.engine))


def _show_candidate(c) -> None:
    click.echo(_("Same name and unit ({unit}):").format(unit=c.unit))
    click.echo(f"  {_who(c.other)}")
    click.echo(f"  {_who(c.without_nip)}")


@hr_people.command(
    "merge",
    help=N_(
        "Make PERSON_B's participations PERSON_A's (each named by number or NIP). B's NIP then finds A. "
        "Written to the HR audit log; assess hr people undo puts it back.\n\nExample: assess hr people "
        "merge 12 57"
    ),
)
@click.argument("keep", metavar="PERSON_A")
@click.argument("other", metavar="PERSON_B")
@shared_options()
@click.pass_context
def hr_people_merge(ctx: click.Context, keep: str, other: str) -> None:
    from assess.hr.people import merge

    ws = open_hr(ctx)
    a, b, number = merge(ws.store.engine, keep, other)
    click.echo(_("Person {b} merged into {a} (change {n}).").format(a=a, b=b, n=number))


@hr_people.command(
    "split",
    help=N_(
        "Give PERSON's participation in EVENT a person of its own (a NIP typed wrong in one event's list). "
        "Written to the HR audit log; assess hr people undo puts it back.\n\nExample: assess hr people "
        "split 12 --event payakumbuh-2021"
    ),
)
@click.argument("person", metavar="PERSON")
@option("--event", "event_id", required=True, help=N_("The event whose participation is split off."))
@shared_options()
@click.pass_context
def hr_people_split(ctx: click.Context, person: str, event_id: str) -> None:
    from assess.hr.people import split

    ws = open_hr(ctx)
    number, new, change = split(ws.store.engine, person, event_id)
    click.echo(
        _("Person {person}'s participation in {event} is now person {new} (change {n}).").format(
            person=number, event=event_id, new=new, n=change
        )
    )


@hr_people.command(
    "undo",
    help=N_(
        "Put back a merge or split: the latest, or change N (as assess hr log numbers it) when no later "
        "change touches the same people.\n\nExample: assess hr people undo 3"
    ),
)
@click.argument("number", metavar="[N]", type=int, required=False)
@shared_options()
@click.pass_context
def hr_people_undo(ctx: click.Context, number: int | None) -> None:
    from assess.hr.people import undo

    ws = open_hr(ctx)
    change = undo(ws.store.engine, number)
    click.echo(_("Change {n} ({action}) undone.").format(n=change.number, action=change.action))


@hr_people.command(
    "conflicts",
    help=N_(
        "List what looks wrong about people: one NIP under different names in different events or the "
        "roster, and a roster birth date the NIP does not hold. Nothing is changed; correct the list, or "
        "split.\n\nExample: assess hr people conflicts"
    ),
)
@shared_options()
@click.pass_context
def hr_people_conflicts(ctx: click.Context) -> None:
    from assess.hr.people import conflicts
    from assess.store.hr import roster
    from assess.store.hr_people import people

    ws = open_hr(ctx)
    found = conflicts(people(ws.store.engine), roster(ws.store.engine))
    if not found:
        click.echo(_("No conflicts."))
        return
    for c in found:
        if c.names:
            click.echo(
                _("NIP {nip} has different names: {names}").format(nip=c.nip, names=" / ".join(c.names))
            )
        if c.birth:
            click.echo(
                _("NIP {nip}: the roster's birth date {date} is not the NIP's {digits}").format(
                    nip=c.nip, date=c.birth[0].isoformat(), digits=c.birth[1]
                )
            )
        if c.person is not None:
            click.echo(f"  {_who(c.person)}")


@hr.command(
    "log",
    help=N_(
        "The HR audit log: every event added, replaced or removed, and every merge, split and undo, "
        "numbered.\n\nExample: assess hr log"
    ),
)
@shared_options()
@click.pass_context
def hr_log(ctx: click.Context) -> None:
    import json

    from assess.store.hr_people import changes

    ws = open_hr(ctx)
    for change in changes(ws.store.engine):
        undone = " " + _("(undone)") if change.undone else ""
        details = json.dumps(change.details, ensure_ascii=False)
        click.echo(f"{change.number:>4}  {change.action:<14} {details}{undone}")


@hr.group("ratings", cls=Group, help=N_("Performance ratings (SKP) by NIP and year."))
@shared_options()
def hr_ratings() -> None:
    pass


@hr_ratings.command(
    "import",
    help=N_(
        "Add performance ratings from a CSV or XLSX file with the columns NIP, Tahun (year) and Predikat "
        "(an SKP predicate: Sangat Baik, Baik, Butuh Perbaikan, Kurang, Sangat Kurang; Cukup for years "
        "before 2022) or a number from 0 to 120. The whole file is checked first; a rating replaces the "
        "one of its NIP and year. A NIP of nobody in the HR database is listed and stops the import, "
        "unless --skip-unknown.\n\nExample: assess hr ratings import skp-2021.xlsx"
    ),
)
@click.argument("file")
@option("--skip-unknown", is_flag=True, help=N_("Leave out ratings of NIPs the HR database does not know."))
@shared_options()
@click.pass_context
def hr_ratings_import(ctx: click.Context, file: str, skip_unknown: bool) -> None:
    from assess.hr.ratings import import_ratings

    ws = open_hr(ctx)
    done = import_ratings(ws.store.engine, Path(file), skip_unknown=skip_unknown, today=dt.date.today())
    click.echo(
        _("Ratings imported: {new} new, {replaced} replaced.").format(new=done.new, replaced=done.replaced)
    )
    for r in done.skipped:
        click.echo(
            _("  left out, row {line}: NIP {nip} is nobody's in the HR database").format(
                line=r.line, nip=r.nip
            )
        )


@hr_ratings.command(
    "list",
    help=N_("List the ratings: NIP, name, year and rating.\n\nExample: assess hr ratings list"),
)
@shared_options()
@click.pass_context
def hr_ratings_list(ctx: click.Context) -> None:
    from assess.hr.ratings import PREDICATES
    from assess.store.hr import ratings
    from assess.store.hr_people import people

    ws = open_hr(ctx)
    names = {p.nip: p.name for p in people(ws.store.engine) if p.nip}
    found = ratings(ws.store.engine)
    if not found:
        click.echo(_("No ratings yet: assess hr ratings import FILE"))
        return
    fmt = terminal_numbers()
    rows = [
        [
            r.nip,
            names.get(r.nip, "-"),
            str(r.year),
            PREDICATES[r.predicate][0] if r.predicate else fmt.upto(r.value, 2),
        ]
        for r in found
    ]
    for line in table(["NIP", _("Name"), _("Year"), _("Rating")], rows, left=2):
        click.echo(line)


@hr.group(
    "roster", cls=Group, help=N_("The organisation's people now: position, unit and the unit's parent.")
)
@shared_options()
def hr_roster() -> None:
    pass


@hr_roster.command(
    "import",
    help=N_(
        "Replace the roster with a CSV or XLSX file with the columns NIP, Nama, Jabatan, Unit Kerja, Unit "
        "Induk (the unit's parent, e.g. the kecamatan) and Tanggal Lahir (optional). The whole file is "
        "checked first. Events keep the positions and units they had; the roster gives the current ones "
        "and the units tree its parents.\n\nExample: assess hr roster import pegawai-2026.xlsx"
    ),
)
@click.argument("file")
@shared_options()
@click.pass_context
def hr_roster_import(ctx: click.Context, file: str) -> None:
    from assess.hr.roster import import_roster

    ws = open_hr(ctx)
    now, before = import_roster(ws.store.engine, Path(file))
    click.echo(_("Roster replaced: {now} people (before: {before}).").format(now=now, before=before))


@hr.group(
    "units",
    cls=Group,
    invoke_without_command=True,
    help=N_(
        "The units as a tree (agency > kecamatan > kelurahan) from the events and the roster, each with "
        "its code, the people and events in it and the other spellings of its name; with --unmatched, "
        "the units the roster does not have or whose name is much like another's."
    ),
)
@option(
    "--unmatched",
    is_flag=True,
    help=N_("Only units to check: not in the roster, or named much like another."),
)
@shared_options()
@click.pass_context
def hr_units(ctx: click.Context, unmatched: bool) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from assess.hr.units import build_tree
    from assess.hr.units import unmatched as find_unmatched
    from assess.store.hr import roster, unit_aliases
    from assess.store.hr_people import people

    ws = open_hr(ctx)
    engine = ws.store.engine
    tree = build_tree(people(engine), roster(engine), unit_aliases(engine))
    if unmatched:
        found = find_unmatched(tree)
        if not found:
            click.echo(_("Every unit matches."))
        for u in found:
            where = (
                _("not in the roster")
                if tree.roster and not u.unit.in_roster
                else _("named much like another")
            )
            click.echo(f"{u.unit.code}  {u.unit.name}: {where}")
            if u.suggestion is not None:
                click.echo(
                    _("  may be {code} ({name}): assess hr units merge {code} {other}").format(
                        code=u.suggestion.code, name=u.suggestion.name, other=u.unit.code
                    )
                )
        return
    if not tree.units:
        click.echo(_("No units yet: add events, or import a roster."))
        return

    def show(code: str | None, depth: int) -> None:
        for unit in tree.children(code):
            also = sorted(unit.spellings - {unit.name})
            counts = _("{people} people, {events} events").format(
                people=len(unit.people), events=len(unit.events)
            )
            line = f"{'  ' * depth}{unit.name}  [{unit.code}]  ({counts})"
            if also:
                line += "  " + _("also: {names}").format(names="; ".join(also))
            click.echo(line)
            show(unit.code, depth + 1)

    show(None, 0)


@hr_units.command(
    "merge",
    help=N_(
        "Join unit B to unit A (each by code or name): B's name is then A everywhere, in every event. "
        "Written to the HR audit log.\n\nExample: assess hr units merge kelurahan-ibuh kel-ibuh"
    ),
)
@click.argument("keep", metavar="A")
@click.argument("other", metavar="B")
@shared_options()
@click.pass_context
def hr_units_merge(ctx: click.Context, keep: str, other: str) -> None:
    from assess.hr.units import merge_units

    ws = open_hr(ctx)
    kept, joined, number = merge_units(ws.store.engine, keep, other)
    click.echo(_("Unit {b} joined to {a} (change {n}).").format(a=kept, b=joined, n=number))


@hr.command(
    "calibrate",
    help=N_(
        "Put every added event's results on one scale (Rasch and partial credit models) as a new stored "
        "run. A run after the first fixes the items it shares with the latest run (same id and text), so "
        "that earlier measures do not move; the scale is 500 + 100 x (theta - m) / s with the first run's "
        "m and s. Items that cannot be calibrated are named and the rest calibrated.\n\nExample: assess "
        "hr calibrate"
    ),
)
@shared_options()
@click.pass_context
def hr_calibrate(ctx: click.Context) -> None:
    from assess.hr.calibration import calibrate

    ws = open_hr(ctx)
    done = calibrate(ws.store)
    click.echo(
        _("Run {run}: {persons} measures, {items} items ({anchored} fixed from run {earlier}).").format(
            run=done.run,
            persons=done.persons,
            items=done.items,
            anchored=done.anchored,
            earlier=done.anchored_to or "-",
        )
    )
    reasons = {
        "not_linked": _("its form shares no item with the others on the scale"),
        "empty_category": _("a score nobody with a total neither 0 nor full gave"),
    }
    for item, why in done.not_calibrated:
        click.echo(_("  not calibrated: {item} ({why})").format(item=item, why=reasons[why]))


@hr.command(
    "runs",
    help=N_(
        "List the calibration runs: when, what each fixed, its scale's m and s.\n\nExample: assess hr runs"
    ),
)
@shared_options()
@click.pass_context
def hr_runs_list(ctx: click.Context) -> None:
    from assess.store.hr_runs import runs

    ws = open_hr(ctx)
    found = runs(ws.store.engine)
    if not found:
        click.echo(_("No runs yet: assess hr calibrate"))
        return
    fmt = terminal_numbers()
    zone = zoneinfo.ZoneInfo(ws.settings.organisation.time_zone)
    head = [_("Run"), _("When"), _("Fixed from"), _("Measures"), _("Calibrated items"), _("Fixed"), "m", "s"]
    rows = [
        [
            str(r.number),
            r.created_at.replace(tzinfo=dt.UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            str(r.anchored_to or "-"),
            fmt.count(r.persons),
            fmt.count(r.items),
            fmt.count(r.anchored_items),
            fmt.dec(r.scale_mean, 3),
            fmt.dec(r.scale_sd, 3),
        ]
        for r in found
    ]
    for line in table(head, rows, left=2):
        click.echo(line)


@hr.command(
    "report",
    help=N_(
        "Write the HR report: a self-contained site (offline, for a phone and A4) with the people, each "
        "person's history and competencies against their position, units, events, training needs and "
        "the talent map; for the whole organisation, or with --unit CODE that unit's people only. It "
        "holds personal data.\n\nExample: assess hr report --unit payakumbuh-barat"
    ),
)
@option(
    "--unit", "unit", default=None, help=N_("Only this unit's people (its code, as assess hr units shows).")
)
@option("--out", default=None, help=N_("The folder (default: laporan-sdm beside hr.yaml)."))
@shared_options()
@click.pass_context
def hr_report(ctx: click.Context, unit: str | None, out: str | None) -> None:
    from assess.hr.site import write_hr_report

    ws = open_hr(ctx)
    done = write_hr_report(ws, Path(out) if out else None, unit)
    click.echo(_("HR report of {n} people: {path}").format(n=done.people, path=done.index))


@hr.command(
    "export",
    help=N_(
        "Write the HR report's tables for Excel, one sheet each: people, history, competencies against "
        "positions, units, events, training needs and the talent map. --pseudonymise replaces names and "
        "NIPs with stable pseudonyms.\n\nExample: assess hr export --format xlsx --pseudonymise"
    ),
)
@option("--format", "fmt", type=click.Choice(["xlsx"]), default="xlsx", help=N_("What to write (xlsx)."))
@option("--out", default=None, help=N_("The file to write (default: sdm.xlsx beside hr.yaml)."))
@option("--pseudonymise", is_flag=True, help=N_("Replace names and NIPs with pseudonyms."))
@shared_options()
@click.pass_context
def hr_export(ctx: click.Context, fmt: str, out: str | None, pseudonymise: bool) -> None:
    from assess.hr.export import export_hr

    ws = open_hr(ctx)
    path, n = export_hr(ws, Path(out) if out else None, pseudonymise)
    click.echo(_("HR tables of {n} people written to {path}.").format(n=n, path=path))
