"""The floor under every request: the same guarded waitress as `assess serve`, serving an app that does
nothing (`wsgi`), or a Flask route that reads and renews a signed cookie session and answers a word
(`flask`). bench_serve.py's CPU per kind measures both with the same client as the app's requests.

    python benchmarks/floor_server.py wsgi|flask PORT
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def bare_wsgi(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def bare_flask():
    from flask import Flask, session

    app = Flask(__name__)
    app.secret_key = "floor"  # noqa: S105 - a benchmark's app on loopback
    app.config["SESSION_COOKIE_NAME"] = "assess_session"

    @app.get("/floor")
    def floor():
        session["seen"] = session.get("seen", 0) + 1
        return "ok"

    return app


def main(kind: str, port: int) -> None:
    from assess.web.server import serve_class

    app = bare_wsgi if kind == "wsgi" else bare_flask()
    serve_class(app, host="127.0.0.1", port=port, participants=200, per_address=8).run()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
