"""`assess db ...`: backup and restore of one event."""

from __future__ import annotations

from pathlib import Path

import click

from assess.cli.support import Group, chosen, open_workspace, option, shared_options
from assess.i18n import N_, _
from assess.workspace import choose
from assess.workspace.backup import Summary, backup_event, restore_workspace


@click.group("db", cls=Group, help=N_("The event's database: backup and restore."))
@shared_options()
def db() -> None:
    pass


@db.command(
    "backup",
    help=N_(
        "Write the event's own rows into one portable archive FILE (a zip: a manifest with row counts "
        "and SHA-256 checksums, and one JSON Lines file per table). In a database shared by several "
        "events, no other event's rows are included. Safe while the server runs: everything is read "
        "in one consistent snapshot. The archive restores into SQLite or PostgreSQL with assess db "
        "restore. A whole shared PostgreSQL database is backed up by its administrator with pg_dump, "
        "not with this command.\n\nExample: assess db backup payakumbuh-2019.zip"
    ),
)
@click.argument("file")
@option("--force", is_flag=True, help=N_("Replace FILE if it exists."))
@shared_options()
@click.pass_context
def db_backup(ctx: click.Context, file: str, force: bool) -> None:
    ws = open_workspace(ctx)
    summary = backup_event(ws.store, ws.event_id, Path(file), force=force)
    click.echo(_("Event {event} written to {path}:").format(event=summary.event_id, path=file))
    _counts(summary)


@db.command(
    "restore",
    help=N_(
        "Restore an event from an archive written by assess db backup, into an empty workspace: its "
        "assessment.yaml must be the archive's event, and its database (SQLite or PostgreSQL) must not "
        "hold that event yet. The whole archive is checked first (checksums, counts, every row); then "
        "everything is written in one transaction, or nothing. Attempt, answer-history and audit ids "
        "are renumbered when the database already holds other events. A whole shared PostgreSQL "
        "database is restored by its administrator from pg_dump, not with this command."
        "\n\nExample: assess -w pelatihan db restore payakumbuh-2019.zip"
    ),
)
@click.argument("file")
@shared_options()
@click.pass_context
def db_restore(ctx: click.Context, file: str) -> None:
    folder, url = choose(chosen(ctx, "workspace"), chosen(ctx, "database"))
    summary = restore_workspace(folder, url, Path(file))
    click.echo(_("Event {event} restored from {path}:").format(event=summary.event_id, path=file))
    _counts(summary)
    if summary.renumbered:
        click.echo(
            _("Ids renumbered to fit beside the database's other events: {tables}.").format(
                tables=", ".join(summary.renumbered)
            )
        )


def _counts(summary: Summary) -> None:
    for table, n in summary.counts.items():
        click.echo(f"  {table:<16} {n:>7}")
