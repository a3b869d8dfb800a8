"""Who a browser is: the store's session row behind the token in its cookie.

The signed cookie holds the token, the language and the CSRF token, and nothing that names a person
or an attempt. A request looks its row up once (lazily: static files never do); a row that has ended
(logout, leave, a new trainer password, a new access code, the trainer ending a device) or that was
not seen for SESSION_DAYS logs the browser out at once.
"""

from __future__ import annotations

import datetime as dt

from flask import g, request, session

from assess.store.sessions import KNOWN_DEVICE, LIFETIME, TOUCH_EVERY, WebSession

__all__ = ["LIFETIME", "begin", "current", "end", "known_device", "remember_device"]
from assess.web.pages import now, workspace

TOKEN = "sid"
DEVICE = "device"  # a browser that has logged in as the trainer: its login is never slowed (login_guard.py)
KEPT = ("lang", DEVICE)  # what a browser keeps across logging in and out
DEVICE_LIFETIME = dt.timedelta(days=90)  # a trainer's laptop from one course to the next
RENEW_COOKIE = "renew_cookie"  # set in `g` when the session was noted as seen: its cookie is renewed too


def current() -> WebSession | None:
    """This request's live session of this event, or None."""
    if "web_session" not in g:
        g.web_session = _look_up()
    return g.web_session


def _look_up() -> WebSession | None:
    token = session.get(TOKEN)
    if not isinstance(token, str) or not token:
        return None
    ws, at = workspace(), now()
    found = ws.store.live_session(token, at, address=request.remote_addr or "")
    if found is None or found.event_id != ws.event_id:
        return None
    g.setdefault(RENEW_COOKIE, at - found.last_seen >= TOUCH_EVERY)  # the store noted it seen just now
    return found


def known_device() -> bool:
    """Whether this browser has logged in as the trainer before (and no new password has been set since)."""
    token = session.get(DEVICE)
    if not isinstance(token, str) or not token:
        return False
    ws = workspace()
    found = ws.store.live_session(token, now(), DEVICE_LIFETIME)
    return found is not None and found.kind == KNOWN_DEVICE and found.event_id == ws.event_id


def remember_device() -> None:
    """Mark this browser as the trainer's (after a right password)."""
    if known_device():
        return
    ws = workspace()
    session[DEVICE] = ws.store.open_session(
        ws.event_id,
        KNOWN_DEVICE,
        now(),
        address=request.remote_addr or "",
        device=request.user_agent.string or "",
    )


def begin(kind: str, person_id: str | None = None) -> None:
    """Log this browser in as `kind` (ending whatever session it had): a new token in a fresh cookie."""
    end("replaced")
    ws = workspace()
    token = ws.store.open_session(
        ws.event_id,
        kind,
        now(),
        person_id=person_id,
        address=request.remote_addr or "",
        device=request.user_agent.string or "",
    )
    session.permanent = True
    session[TOKEN] = token
    g.pop("web_session", None)


def end(why: str) -> None:
    """End this browser's session (in the store, so a copied cookie dies too) and clear its cookie."""
    token = session.get(TOKEN)
    if isinstance(token, str) and token:
        workspace().store.end_session(token, why, now())
    kept = {k: session[k] for k in KEPT if k in session}
    session.clear()
    session.update(kept)
    g.pop("web_session", None)
