"""`assess db ...`: backup and restore of one event."""

from __future__ import annotations

import os
from pathlib import Path

import click

from assess.cli.support import Group, chosen, open_workspace, option, shared_options
from assess.i18n import N_, _
from assess.store.engine import sqlite_url
from assess.workspace import ENV_DATABASE, ENV_WORKSPACE
from assess.workspace.backup import Summary, backup_event, restore_workspace
from assess.workspace.files import DATABASE_FILE


@click.group("db", cls=Group, help=N_("The event's database: backup and restore."))
@shared_options()
def db() -> None:
    pass


@db.command(
    "backup",
    help=N_(
        "Write the event's own rows into one portable archive FILE (a zip: a manifest with row counts "
        "and SHA-256 checksums, and one JSON Lines file per table), with assessment.yaml and every "
        "bank, framework and sources registry the event loads (shipped ones included), so that the "
        "archive alone restores the event. In a database shared by several events, no other event's "
        "rows are included. Safe while the server runs: everything is read "
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
    summary = backup_event(ws.store, ws.event_id, Path(file), force=force, workspace=ws)
    click.echo(_("Event {event} written to {path}:").format(event=summary.event_id, path=file))
    _counts(summary)


@db.command(
    "restore",
    help=N_(
        "Restore an event from an archive written by assess db backup. Into DIR (else the workspace "
        "of -w, else the current folder): when it is the event's workspace (its assessment.yaml is the "
        "archive's event), the database is restored; when it is empty or missing, the workspace is made "
        "again from the archive: assessment.yaml, the banks, frameworks and sources registries the event "
        "loaded (those that were not the workspace's own go into salinan-cadangan/, and the event reads "
        "them instead of the shipped ones), and the database (SQLite in the folder, or --db). The "
        "database must not hold that event yet. The whole archive is checked first (checksums, counts, "
        "every row); then everything is written in one transaction, or nothing. Attempt, answer-history "
        "and audit ids are renumbered when the database already holds other events. The trainer's "
        "password is not in a backup: set it again with assess trainer-password. A whole shared "
        "PostgreSQL database is restored by its administrator from pg_dump, not with this command."
        "\n\nExample: assess db restore payakumbuh-2019.zip pelatihan-baru"
    ),
)
@click.argument("file")
@click.argument("folder", metavar="DIR", required=False)
@shared_options()
@click.pass_context
def db_restore(ctx: click.Context, file: str, folder: str | None) -> None:
    given = chosen(ctx, "workspace") or os.environ.get(ENV_WORKSPACE)
    if folder and given and Path(folder).resolve() != Path(given).resolve():
        raise click.UsageError(
            _("DIR ({folder}) and the workspace of -w ({workspace}) differ: give one of them").format(
                folder=folder, workspace=given
            )
        )
    target = Path(folder or given or ".")
    url = chosen(ctx, "database") or os.environ.get(ENV_DATABASE) or sqlite_url(target / DATABASE_FILE)
    summary = restore_workspace(target, url, Path(file))
    click.echo(_("Event {event} restored from {path}:").format(event=summary.event_id, path=file))
    _counts(summary)
    if summary.renumbered:
        click.echo(
            _("Ids renumbered to fit beside the database's other events: {tables}.").format(
                tables=", ".join(summary.renumbered)
            )
        )
    if summary.workspace_made:
        click.echo(
            _(
                "Workspace {folder} made from the archive; set the trainer's password with "
                "assess trainer-password."
            ).format(folder=target)
        )


def _counts(summary: Summary) -> None:
    for table, n in summary.counts.items():
        click.echo(f"  {table:<16} {n:>7}")
