"""The web app for phones at the venue: a Flask app factory with a participant and a trainer blueprint.

No business logic here: the views translate HTTP into calls of assess.delivery.screen.sitting
(a participant's pages), assess.delivery.screen.desk (the dashboard) and the store, and
render templates/web/. `assess serve` (assess.web.serve) runs it under waitress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask import Flask, g, jsonify, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect

from assess.i18n import DEFAULT_LANGUAGE, LANGUAGES, set_language
from assess.resources import data_path
from assess.web import pages
from assess.web.limits import JoinLimiter, SaveLimiter
from assess.web.login_guard import LoginGuard, OneTimeLinks
from assess.web.logins import LIFETIME, RENEW_COOKIE
from assess.web.pages import CSP
from assess.workspace import Workspace, secret
from assess.workspace import now as utcnow


class Sessions(SecureCookieSessionInterface):
    """Flask's signed cookie (a session's token, the language, the CSRF token: see logins.py), sent when
    it changes and renewed when the store notes its session as seen (at most once a minute: logins.py),
    so the cookie lives as long as the session does. Re-signing it with every response was a fifth of a
    lobby poll's work, and a tenth of a question page's."""

    def should_set_cookie(self, app: Flask, session) -> bool:
        return session.modified or (session.permanent and g.get(RENEW_COOKIE, False))


def _largest_post(ws: Workspace) -> int:
    """256 KB, or room for the longest answer the event takes when that is more (up to 12 bytes a
    character once a form encodes it)."""
    limits = ws.loaded.event.web.answer_limits
    return max(256 * 1024, 12 * max(limits.essay, limits.short_answer) + 64 * 1024)


def create_app(ws: Workspace, config: Mapping[str, Any] | None = None) -> Flask:
    """The app for one workspace. `config` overrides settings (tests set a clock: NOW)."""
    web = data_path("templates") / "web"
    app = Flask(__name__, static_folder=str(web / "static"), static_url_path="/static")
    app.config.from_mapping(
        SECRET_KEY=secret(ws, "web-session"),  # kept in the workspace: a restart logs nobody out
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",  # Lax, not Strict: the QR code on a card opens /join from the camera
        SESSION_COOKIE_NAME="assess_session",
        PERMANENT_SESSION_LIFETIME=LIFETIME,  # and the store ends a session unseen for as long
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the session: a test page may stay open for hours
        MAX_CONTENT_LENGTH=_largest_post(ws),  # an answer is text; nothing bigger is ever posted
        NOW=None,  # a function giving naive UTC; None: the clock
        OWN_ADDRESS=None,  # the address `assess serve` listens on: its login link works from there too
    )
    if config:
        app.config.update(config)
    app.session_interface = Sessions()
    app.extensions["assess.workspace"] = ws

    def clock() -> dt.datetime:
        return (app.config["NOW"] or utcnow)()

    # Counted in the store, so every worker process of `assess serve` counts the same tries.
    limits = ws.loaded.event.web.join_limits
    app.extensions["assess.join_limiter"] = JoinLimiter(
        ws.store, ws.event_id, limits.per_address_per_minute, limits.per_code_per_minute, clock
    )
    app.extensions["assess.login_guard"] = LoginGuard(ws.store, ws.event_id, clock)
    app.extensions["assess.login_links"] = OneTimeLinks(ws.store, ws.event_id, clock)
    saves = ws.loaded.event.web.save_limits  # per attempt, so one phone's loop cannot fill the disk
    app.extensions["assess.save_limiter"] = SaveLimiter(saves.per_second, saves.burst)

    @app.before_request
    def _language() -> None:
        lang = session.get("lang")
        g.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        set_language(g.lang)

    CSRFProtect(app)  # after the language: a refused post is answered in the participant's language

    from assess.web import participant, trainer

    app.register_blueprint(participant.bp)
    app.register_blueprint(trainer.bp)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"  # answers and scores stay off shared caches
        return response

    _plain_routes(app, ws)

    @app.errorhandler(CSRFError)
    def _csrf(_e):
        return pages.message("expired", 400)

    @app.errorhandler(404)
    def _missing(_e):
        return pages.message("missing", 404)

    @app.errorhandler(400)
    def _bad_request(_e):
        return pages.message("bad_request", 400)

    @app.errorhandler(413)
    def _too_big(_e):
        return pages.message("too_big", 413)

    return app


def _plain_routes(app: Flask, ws) -> None:
    """Routes that are no page of either side: the health check and the icon browsers ask for."""

    @app.get("/health")
    def _health():
        """For a load balancer or a watchdog (docs/web.md): 200 when this worker and its database answer,
        503 when the database does not. Nothing of the event in it."""
        up = ws.store.reachable()
        return jsonify(ok=up, database="ok" if up else "unreachable"), 200 if up else 503

    @app.get("/favicon.ico")
    def _favicon():
        return "", 204  # browsers ask for it on pages without an icon (the reports)
