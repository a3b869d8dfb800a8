"""`assess serve` (the web app for phones at the venue) and `assess trainer-password`."""

from __future__ import annotations

import errno
import math
import os

import click

from assess.cli.support import (
    EnvironmentFailure,
    Group,
    UserError,
    open_workspace,
    option,
    shared_options,
    show_join_notes,
)
from assess.delivery.screen.desk import ENV_PASSWORD, has_password, set_password
from assess.i18n import N_, _
from assess.problems import Problem
from assess.store.sessions import KNOWN_DEVICE, TRAINER_SESSION
from assess.web.address import DEFAULT_PORT, ENV_BASE_URL, join_base
from assess.workspace import now


@click.command(
    "serve",
    cls=Group.command_class,
    help=N_(
        "Serve the tests to participants' phones on the venue's network, with the trainer's dashboard "
        "at /trainer. Prints the join address and its QR code. Stop with Ctrl+C; answers are saved as "
        "they are given, so a restart loses nothing.\n\nExample: assess serve --port 8000"
    ),
)
@option("--host", default="0.0.0.0", show_default=True, help=N_("The address to listen on."))
@option(
    "--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True, help=N_("The port.")
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
    "--workers",
    type=click.IntRange(1, 16),
    default=None,
    help=N_(
        "Server processes (Linux only; default: one for every 150 participants, at most one per core and 4)."
    ),
)
@shared_options()
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, base_url: str | None, workers: int | None) -> None:
    from assess.web import serve as web
    from assess.web.server import sizes
    from assess.web.workers import can_fork_workers, default_workers

    base = join_base(port, base_url, host)  # a bad --url is refused before anything starts
    if workers and workers > 1 and not can_fork_workers():
        raise click.BadParameter(
            _("several server processes need Linux; here use --workers 1"), param_hint="--workers"
        )
    ws = open_workspace(ctx)
    participants = len(ws.store.participants(ws.event_id))
    if not participants:
        raise UserError([Problem("WORKSPACE-NO-PARTICIPANTS", {})])
    workers = workers or default_workers(participants)
    join = base.join
    try:
        ready = web.prepare(ws, host, port, join)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            message = _(
                "port {port} is already in use on this laptop (another assess serve, or another program): "
                "stop that one, or choose another port, e.g. assess serve --port {other}"
            ).format(port=port, other=port + 1 if port < 65535 else 8080)
        else:
            message = _("cannot listen on {host}:{port}: {reason}").format(
                host=host, port=port, reason=e.strerror or e
            )
        raise EnvironmentFailure(message) from None
    size = sizes(math.ceil(participants / workers))
    click.echo(web.terminal_qr(join))
    click.echo(_("Participants join at: {url}").format(url=join))
    click.echo(_("Trainer's dashboard: {url}").format(url=base.url + "/trainer/"))
    show_join_notes(base)
    if not has_password(ws.folder):
        click.echo(_("No trainer password yet: set one with `assess trainer-password`."), err=True)
    else:
        click.echo(
            _("Dashboard on this laptop, without the password (the link works once): {url}").format(
                url=ready.login
            )
        )
    click.echo(
        _(
            "{n} participants; {workers} server processes of {threads} threads, up to {limit} connections "
            "each. Stop with Ctrl+C."
        ).format(n=participants, workers=workers, threads=size.threads, limit=size.connection_limit)
    )
    web.run(ws, ready, participants, workers)


@click.command(
    "trainer-password",
    cls=Group.command_class,
    help=N_(
        "Set the trainer's password for the dashboard of `assess serve`. Asks for it (or reads "
        "ASSESS_TRAINER_PASSWORD); the workspace keeps only a salted hash. At least 8 characters."
        "\n\nExample: assess trainer-password"
    ),
)
@shared_options()
@click.pass_context
def trainer_password(ctx: click.Context) -> None:
    ws = open_workspace(ctx)
    password = os.environ.get(ENV_PASSWORD)
    if not password:
        password = click.prompt(_("New trainer password"), hide_input=True, confirmation_prompt=True)
    set_password(ws.folder, password)
    ended = ws.store.end_sessions(ws.event_id, (TRAINER_SESSION,), "password", now())
    ws.store.end_sessions(ws.event_id, (KNOWN_DEVICE,), "password", now())  # they may be slowed again
    click.echo(_("Trainer password saved (hashed) in {path}.").format(path=ws.folder))
    if ended:
        click.echo(_("Every browser logged in with the old password is logged out ({n}).").format(n=ended))
