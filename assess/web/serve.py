"""Run the web app under waitress, sized from the number of participants (see DESIGN.md's measurements)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import segno

from assess.workspace import Workspace

MIN_THREADS, MAX_THREADS = 4, 16
# waitress's default connection_limit (100) failed 742 requests with 500 phones: every phone keeps
# a connection or two open (a page and an autosave), so allow twice the class and some spare.
SPARE_CONNECTIONS = 50


@dataclass(frozen=True)
class Sizes:
    threads: int
    connection_limit: int


def sizes(participants: int) -> Sizes:
    """Threads and connection limit for a class of `participants` phones."""
    threads = min(MAX_THREADS, max(MIN_THREADS, math.ceil(participants / 60)))
    return Sizes(threads=threads, connection_limit=max(100, 2 * participants + SPARE_CONNECTIONS))


def terminal_qr(url: str) -> str:
    """The QR code as text blocks for the terminal (a phone can scan it off the laptop's screen)."""
    import io

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


def make_server(ws: Workspace, host: str, port: int, participants: int, join: str):
    """A waitress server for the workspace's app (raises OSError when the port is taken), and the
    address of a one-time login link for the laptop's own browser."""
    from assess.web import create_app
    from assess.web.server import create_guarded_server

    app = create_app(ws, {"JOIN_URL": join, "OWN_ADDRESS": host})
    own = host if host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    login = f"http://{own}:{port}/trainer/login/{app.extensions['assess.login_links'].issue()}"
    size = sizes(participants)
    web = ws.loaded.event.web
    server = create_guarded_server(
        app,
        per_address=web.connections_per_address,
        trusted_proxy=web.trusted_proxy,
        host=host,
        port=port,
        threads=size.threads,
        connection_limit=size.connection_limit,
        channel_timeout=120,
        ident="assess",
        clear_untrusted_proxy_headers=True,
    )
    return server, login
