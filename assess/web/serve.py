"""Run the web app under the guarded waitress (server.py), sized from the number of participants, in
one process or several (workers.py)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import segno
from flask import Flask

from assess.workspace import Workspace


def terminal_qr(url: str) -> str:
    """The QR code as text blocks for the terminal (a phone can scan it off the laptop's screen)."""
    import io

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


@dataclass
class Ready:
    app: Flask
    sockets: list[socket.socket]
    login: str  # a one-time login link for the laptop's own browser


def prepare(ws: Workspace, host: str, port: int, join: str) -> Ready:
    """The listening sockets and the workspace's app, before any worker is forked (raises OSError when
    the port is taken)."""
    from assess.web import create_app
    from assess.web.server import listening_sockets

    sockets = listening_sockets(host, port)
    app = create_app(ws, {"JOIN_URL": join, "OWN_ADDRESS": host})
    own = host if host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    login = f"http://{own}:{port}/trainer/login/{app.extensions['assess.login_links'].issue()}"
    return Ready(app, sockets, login)


def run(ws: Workspace, ready: Ready, participants: int, workers: int) -> None:
    """Serve until Ctrl+C, in `workers` processes (this one and workers - 1 forked)."""
    from assess.web.server import serve_class
    from assess.web.workers import fork_workers, stop_workers

    children = fork_workers(workers, ws.store.after_fork)
    web = ws.loaded.event.web
    server = serve_class(
        ready.app,
        sockets=ready.sockets,
        participants=participants,
        workers=workers,
        per_address=web.connections_per_address,
        trusted_proxy=web.trusted_proxy,
    )
    forked = workers > 1 and not children
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if children:
            stop_workers(children)
        if forked:
            os._exit(0)  # a worker ends here; the parent's command finishes the run
