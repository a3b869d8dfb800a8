"""Run the web app under the guarded waitress (server.py), sized from the number of participants."""

from __future__ import annotations

import segno

from assess.workspace import Workspace


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
    from assess.web.server import serve_class

    app = create_app(ws, {"JOIN_URL": join, "OWN_ADDRESS": host})
    own = host if host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    login = f"http://{own}:{port}/trainer/login/{app.extensions['assess.login_links'].issue()}"
    web = ws.loaded.event.web
    server = serve_class(
        app,
        host=host,
        port=port,
        participants=participants,
        per_address=web.connections_per_address,
        trusted_proxy=web.trusted_proxy,
    )
    return server, login
