"""What every view needs: the workspace, the clock, rendering with the page's common context."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from flask import abort, current_app, g, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from assess.i18n import LANGUAGES, _
from assess.templating import render
from assess.workspace import Workspace
from assess.workspace import now as clock

# No inline script anywhere: the pages load /static/assess.js. Styles come from /static too.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# A participant's own report is a self-contained HTML file with its styles inline (no script).
CSP_REPORT = CSP.replace("style-src 'self'", "style-src 'unsafe-inline'")
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}

PAGE_MESSAGES = {
    "expired": (
        lambda: _("This page has expired"),
        lambda: _("Go back, reload the page and try again. Your saved answers are kept."),
    ),
    "missing": (lambda: _("Page not found"), lambda: _("There is nothing at this address.")),
    "too_big": (lambda: _("Too much text"), lambda: _("The answer is too long to send.")),
    "bad_request": (
        lambda: _("This request cannot be read"),
        lambda: _("Something in it is not what this page sends. Go back, reload the page and try again."),
    ),
    "wait": (
        lambda: _("Too many tries"),
        lambda: _("Too many join tries from here in the last minute. Wait a minute, then try again."),
    ),
}


def workspace() -> Workspace:
    return current_app.extensions["assess.workspace"]


def phase_or_404(phase_id: str) -> None:
    if phase_id not in {p.id for p in workspace().loaded.event.phases}:
        abort(404)


def now() -> dt.datetime:
    fixed = current_app.config.get("NOW")
    return fixed() if fixed else clock()


def page(template: str, status: int = 200, **context):
    """A page of templates/web/ with what every page shows: language switch, CSRF token, event title."""
    ws = workspace()
    here = request.full_path if request.query_string else request.path
    context.setdefault("event_title", ws.loaded.event.event.title)
    html = render(
        f"web/{template}",
        url_for=url_for,
        csrf_token=generate_csrf(),
        languages=[
            {"code": c, "name": LANGUAGE_NAMES[c], "url": url_for("participant.language", lang=c, next=here)}
            for c in LANGUAGES
            if c != g.lang
        ],
        **context,
    )
    return html, status


def fragment(template: str, **context) -> Markup:
    """A part of a page (a template of templates/web/), rendered once for the same values in the same
    language and then kept. The question navigator's 30 buttons were a third of a page's rendering, and
    a class's phones show the same few navigators again and again (question k current, 1 to k-1 answered).
    The values must be hashable, and the part must depend on nothing else."""
    return _fragment(template, g.lang, tuple(sorted(context.items())))


@lru_cache(maxsize=1024)  # a few KB each
def _fragment(template: str, lang: str, context: tuple) -> Markup:
    return Markup(render(f"web/{template}", lang=lang, **dict(context)))  # noqa: S704 - autoescaped


def message(kind: str, status: int):
    title, text = PAGE_MESSAGES[kind]
    return page("message.html", status, title=title(), text=text())
