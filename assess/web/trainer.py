"""The trainer's dashboard: log in, open and close phases, watch progress, extend, reopen, score, QR."""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    request,
    send_from_directory,
    session,
    url_for,
)
from markupsafe import Markup

from assess.delivery.screen import desk as trainer
from assess.delivery.screen import scanned
from assess.i18n import _
from assess.i18n.numbers import Numbers
from assess.problems import Problem, ProblemsFound
from assess.responses import NotAFieldNumber, ResponseError, field_number, parse_number
from assess.store.sessions import TRAINER_SESSION
from assess.store.store import NotFound, StoreError
from assess.templating import markdown_block
from assess.web import logins
from assess.web.address import is_loopback, loopback_warning
from assess.web.addresses import shared_address_warning
from assess.web.login_guard import LoginGuard
from assess.web.pages import CSP_REPORT, now, page, phase_or_404, workspace
from assess.workspace.files import REPORTS_FOLDER

bp = Blueprint("trainer", __name__, url_prefix="/trainer")
MAX_EXTRA_MINUTES = 240


def trainer_only(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        me = logins.current()
        if me is None or me.kind != TRAINER_SESSION:
            if request.accept_mimetypes.best == "application/json":
                return jsonify(ok=False, login=url_for("trainer.login")), 401
            return redirect(url_for("trainer.login"))
        return view(**kwargs)

    return wrapped


def join_address() -> str:
    return current_app.config.get("JOIN_URL") or request.host_url.rstrip("/") + url_for("participant.join")


@bp.route("/login", methods=["GET", "POST"])
def login():
    ws, error = workspace(), None
    if not trainer.has_password(ws.folder):
        return page("trainer/no_password.html", 503)
    if request.method == "POST":
        guard, address = _guard(), request.remote_addr or ""
        if not logins.known_device():  # the trainer's own browser is never slowed
            wait = guard.admit(address)
            if wait > 0:  # refused before the password is hashed: a flood costs no CPU
                return _too_many_tries(wait)
        if trainer.password_matches(ws.folder, request.form.get("password", "")):
            guard.succeeded(address)
            return _logged_in()
        guard.failed(address)
        error = _("Wrong password.")
    return page("trainer/login.html", 200 if error is None else 401, error=error)


def _guard() -> LoginGuard:
    return current_app.extensions["assess.login_guard"]


def _too_many_tries(wait: float):
    seconds = max(1, math.ceil(wait))
    text = _("Too many wrong passwords from here. Wait {n} seconds, then try again.").format(n=seconds)
    html, status = page("message.html", 429, title=_("Too many tries"), text=text)
    return html, status, {"Retry-After": str(seconds)}


def _logged_in():
    logins.begin(TRAINER_SESSION)  # a phone that was a participant's is now the trainer's, and only that
    logins.remember_device()
    return redirect(url_for("trainer.dashboard"))


@bp.get("/login/<token>")
def login_link(token: str):
    """The one-time link `assess serve` prints, for the laptop's own browser (so only from the laptop)."""
    address = request.remote_addr or ""
    own = is_loopback(address) or address == current_app.config.get("OWN_ADDRESS")
    if not own or not current_app.extensions["assess.login_links"].redeem(token):
        return redirect(url_for("trainer.login"))
    return _logged_in()


@bp.post("/logout")
@trainer_only
def logout():
    logins.end("logout")
    return redirect(url_for("trainer.login"))


def _phases() -> list[dict]:
    ws = workspace()
    return [
        {
            "id": p.id,
            "title": ws.loaded.event.phase_title(p.id),
            "state": ws.store.phase_state(ws.event_id, p.id),
            "has_form": ws.store.has_form(ws.event_id, p.id),
            "minutes": p.time_limit_minutes,
        }
        for p in ws.loaded.event.phases
    ]


def _chosen_phase(phases: list[dict]) -> str:
    wanted = request.args.get("phase")
    if wanted in {p["id"] for p in phases}:
        return wanted
    open_ = [p["id"] for p in phases if p["state"] == "open"]
    return open_[0] if open_ else phases[0]["id"]


@bp.get("/")
@trainer_only
def dashboard():
    phases = _phases()
    phase_id = _chosen_phase(phases)
    rows = trainer.progress(workspace(), phase_id, now())
    devices = trainer.device_counts(workspace(), now())
    return page(
        "trainer/dashboard.html",
        phases=phases,
        phase_id=phase_id,
        rows=[_row(r, devices) for r in rows],
        counts=_counts(rows, devices),
        join=join_address(),
        join_warning=loopback_warning(join_address()),
        notice=session.pop("notice", None),
        shared=_shared_address(len(rows)),
        failed_logins=_failed_logins(),
        reports=(workspace().folder / REPORTS_FOLDER / "index.html").is_file(),
    )


def _failed_logins() -> list[dict]:
    """Wrong trainer passwords of the last day, per address, the most recent first."""
    n, zone = Numbers(g.lang), workspace().loaded.event.event.time_zone
    return [
        {
            "address": f.address,
            "count": f.count,
            "first": n.moment(f.first, zone),
            "last": n.moment(f.last, zone),
        }
        for f in _guard().failures()
    ]


def _shared_address(participants: int) -> str | None:
    """A warning when more than half the class comes through one address that the cap would choke."""
    per_address = workspace().loaded.event.web.connections_per_address
    ws = workspace()
    shared = shared_address_warning(
        ws.store.most_shared_address(ws.event_id, now()), participants, per_address
    )
    if shared is None:
        return None
    return _(
        "{n} of {total} participants reach the server from one address (a hotspot or a router that "
        "puts phones behind one address), which may hold only {cap} connections: set "
        "web.connections_per_address to {wanted} in assessment.yaml and restart assess serve."
    ).format(n=shared, total=participants, cap=per_address, wanted=2 * participants)


def _row(r: trainer.Row, devices: dict[str, int]) -> dict:
    left = r.seconds_left
    phones = devices.get(r.person_id, 0)
    return {
        "devices": phones,
        "person": r.person_id,
        "name": r.name,
        "unit": r.unit,
        "attempt": r.attempt_id,
        "status": r.status,
        "status_text": _arrival_text(phones) if r.status == "not_started" else trainer.status_text(r.status),
        "answered": f"{r.answered}/{r.total}" if r.attempt_id else "",
        "left": "" if left is None else f"{left // 60}:{left % 60:02d}",
    }


def _arrival_text(phones: int) -> str:
    """One who has not started: waiting in the lobby (a phone logged in with their code) or not here."""
    return _("in the lobby") if phones else _("not arrived")


def _counts(rows: list[trainer.Row], devices: dict[str, int]) -> dict:
    counts = {"not_arrived": 0, "in_lobby": 0, "in_progress": 0, "submitted": 0, "expired": 0}
    for r in rows:
        if r.status == "not_started":
            key = "in_lobby" if devices.get(r.person_id, 0) else "not_arrived"
        else:
            key = r.status
        counts[key] = counts.get(key, 0) + 1
    return counts


@bp.get("/progress/<phase_id>")
@trainer_only
def progress(phase_id: str):
    """The dashboard's polling: every participant's row on the phase, as JSON."""
    phase_or_404(phase_id)
    rows = trainer.progress(workspace(), phase_id, now())
    devices = trainer.device_counts(workspace(), now())
    return jsonify(rows=[_row(r, devices) for r in rows], counts=_counts(rows, devices))


def _back(phase_id: str | None = None, notice: str | None = None):
    if notice:
        session["notice"] = notice
    return redirect(
        url_for("trainer.dashboard", phase=phase_id) if phase_id else url_for("trainer.dashboard")
    )


@bp.post("/phase/<phase_id>/open")
@trainer_only
def open_phase(phase_id: str):
    phase_or_404(phase_id)
    try:
        trainer.open_phase(workspace(), phase_id, now())
    except ProblemsFound as e:
        return _back(phase_id, "; ".join(p.message() for p in e.problems))
    return _back(phase_id, _("The test is open: participants can start."))


@bp.get("/phase/<phase_id>/close")
@trainer_only
def confirm_close(phase_id: str):
    """Closing ends every attempt in progress: the dashboard asks first, saying how many are answering."""
    phase_or_404(phase_id)
    rows = trainer.progress(workspace(), phase_id, now())
    title = workspace().loaded.event.phase_title(phase_id)
    working = _counts(rows, {})["in_progress"]
    return page("trainer/close.html", phase_id=phase_id, title=title, working=working)


@bp.post("/phase/<phase_id>/close")
@trainer_only
def close_phase(phase_id: str):
    phase_or_404(phase_id)
    trainer.close_phase(workspace(), phase_id, now())
    return _back(phase_id, _("The test is closed and scored."))


def _attempt_id() -> int:
    """The attempt a dashboard row posts (a hidden field): a whole number that fits its column, else 400."""
    try:
        return field_number(request.form.get("attempt", ""), low=1)
    except NotAFieldNumber:
        abort(400)


def _minutes(field: str, default: int | None) -> int | None:
    """Minutes the trainer typed: a whole number from 1 to MAX_EXTRA_MINUTES; else 400 and what to write."""
    text = (request.form.get(field) or "").strip()
    if not text:
        return default
    try:
        return field_number(text, 1, MAX_EXTRA_MINUTES)
    except NotAFieldNumber:
        text = _("Give the minutes as a whole number from 1 to {n}.").format(n=MAX_EXTRA_MINUTES)
        title = _("Not a number of minutes")
        abort(
            make_response(
                page("message.html", 400, title=title, text=text, back=url_for("trainer.dashboard"))
            )
        )


def _posted_phase() -> str | None:
    """The phase a dashboard form posts, when it is one of the event's (it only chooses where to go back)."""
    wanted = request.form.get("phase")
    return wanted if wanted in {p.id for p in workspace().loaded.event.phases} else None


@bp.post("/extend")
@trainer_only
def extend():
    phase_id = _posted_phase()
    try:
        trainer.extend(workspace(), _attempt_id(), _minutes("minutes", 5) or 5, now())
    except NotFound:
        abort(404)
    except StoreError:
        return _back(phase_id, _("That attempt has ended: reopen it instead."))
    return _back(phase_id, _("Time extended."))


@bp.post("/reopen")
@trainer_only
def reopen():
    phase_id = _posted_phase()
    reason = " ".join((request.form.get("reason") or "").split())[:500]
    if not reason:
        return _back(phase_id, _("Give a reason to reopen an attempt."))
    minutes = _minutes("minutes", None)
    try:
        trainer.reopen(workspace(), _attempt_id(), reason, minutes, now())
    except NotFound:
        abort(404)
    except StoreError:
        return _back(phase_id, _("Only a submitted or expired attempt can be reopened."))
    return _back(phase_id, _("Attempt reopened; the reason is in the audit log."))


@bp.post("/score")
@trainer_only
def score():
    from assess.reports.render import write_reports  # scipy and the reports: 0.9 s at start-up

    try:
        ws = workspace()
        trainer.score_every_phase(ws, now())
        write_reports(ws, ws.folder / REPORTS_FOLDER)
    except ProblemsFound as e:
        return _back(None, "; ".join(p.message() for p in e.problems))
    return _back(None, _("Scored; the reports are written."))


@bp.route("/phase/<phase_id>/adjust", methods=["GET", "POST"])
@trainer_only
def adjust(phase_id: str):
    """Corrections after the test (assess.adjustments), as `assess form adjust` makes them, and what
    scoring again would change."""
    ws = _workspace_with_form(phase_id)
    chosen = {k: (request.form.get(k) or "")[:2000] for k in ("item", "kind", "answers", "points", "reason")}
    error = None
    if request.method == "POST":
        try:
            made = _adjust_posted(ws, phase_id)
        except ProblemsFound as e:
            error = "; ".join(p.message() for p in e.problems)
        else:
            session["notice"] = _("Correction {n} saved. Score again to apply it.").format(n=made.n)
            return redirect(url_for("trainer.adjust", phase_id=phase_id))
    return page(
        "trainer/adjust.html",
        200 if error is None else 400,
        phase_id=phase_id,
        title=ws.loaded.event.phase_title(phase_id),
        notice=session.pop("notice", None),
        error=error,
        chosen=chosen,
        **trainer.adjust_page(ws, phase_id, now()),
    )


def _adjust_posted(ws, phase_id: str):
    kind = request.form.get("kind", "")
    if kind not in trainer.ADJUSTMENT_KINDS:
        abort(400)
    answers = tuple(a.strip() for a in (request.form.get("answers") or "").split(",") if a.strip())
    points = undo = None
    if kind == "points":
        try:
            points = parse_number((request.form.get("points") or "")[:64])
        except ResponseError:
            top = trainer.MAX_ADJUSTED_POINTS
            raise ProblemsFound([Problem("ADJUST-POINTS-RANGE", {"max": top})]) from None
    if kind == "undo":
        try:
            undo = field_number(request.form.get("undo", ""), low=1)
        except NotAFieldNumber:
            abort(400)
    return trainer.adjust(
        ws,
        phase_id,
        request.form.get("item"),
        kind,
        reason=request.form.get("reason") or "",
        now=now(),
        answers=answers,
        points=points,
        undo=undo,
    )


@bp.route("/phase/<phase_id>/essays", methods=["GET", "POST"])
@trainer_only
def essays(phase_id: str):
    """Essays marked on screen, one at a time (anonymous unless names are asked for), through the same
    path as a marks file: stored, audited, the phase scored again."""
    ws = _workspace_with_form(phase_id)
    names = request.values.get("names") == "1"
    at = _queue_position("at")
    error = None
    if request.method == "POST":
        try:
            trainer.mark_essay(
                ws,
                phase_id,
                _attempt_id(),
                request.form.get("item", ""),
                request.form.get("level", ""),
                request.form.get("comment", ""),
                now(),
            )
        except ProblemsFound as e:
            error = "; ".join(p.message() for p in e.problems)
        else:
            queue = trainer.essay_queue(ws, phase_id)
            following = next((e.number for e in queue if e.number > at and e.level_id is None), None)
            following = following or next((e.number for e in queue if e.level_id is None), at)
            return redirect(url_for("trainer.essays", phase_id=phase_id, at=following, names=int(names)))
    queue = trainer.essay_queue(ws, phase_id)
    shown = next((e for e in queue if e.number == at), queue[0] if queue else None)
    return page(
        "trainer/essays.html",
        200 if error is None else 400,
        phase_id=phase_id,
        title=ws.loaded.event.phase_title(phase_id),
        names=names,
        error=error,
        essay=shown,
        stem=markdown_block(shown.item.stem) if shown else "",
        levels=[
            {
                "id": lv.id,
                "label": lv.label,
                "points": Numbers(g.lang).points(lv.points),
                "about": lv.description,
            }
            for lv in (shown.item.rubric if shown else [])
        ],
        model_answer=markdown_block(shown.item.model_answer) if shown and shown.item.model_answer else "",
        name=_participant_name(ws, shown.person_id) if shown and names else None,
        total=len(queue),
        marked=sum(1 for e in queue if e.level_id is not None),
        previous=shown.number - 1 if shown and shown.number > 1 else None,
        following=shown.number + 1 if shown and shown.number < len(queue) else None,
    )


@bp.route("/phase/<phase_id>/scan", methods=["GET", "POST"])
@trainer_only
def scan_review(phase_id: str):
    """What `assess responses scan` left for review, one question at a time: a tap (or a few characters)
    answers it, through the same checks as the review's CSV; the sheet is imported once nothing waits."""
    ws = _workspace_with_form(phase_id)
    at = _queue_position("at")
    error = None
    if request.method == "POST":
        try:
            scanned.answer_scan_task(
                ws,
                phase_id,
                request.form.get("sheet", ""),
                request.form.get("question", ""),
                request.form.get("answer", ""),
                now(),
            )
        except ProblemsFound as e:
            error = "; ".join(p.message() for p in e.problems)
        else:
            return redirect(url_for("trainer.scan_review", phase_id=phase_id, at=at))
    queue = scanned.scan_queue(ws, phase_id)
    shown = next((t for t in queue if t.number == at), queue[-1] if queue else None)
    return page(
        "trainer/scan.html",
        200 if error is None else 400,
        phase_id=phase_id,
        title=ws.loaded.event.phase_title(phase_id),
        error=error,
        task=shown,
        total=len(queue),
        name=_participant_name(ws, shown.person) if shown and shown.person else None,
        previous=shown.number - 1 if shown and shown.number > 1 else None,
        following=shown.number + 1 if shown and shown.number < len(queue) else None,
    )


@bp.get("/phase/<phase_id>/scan/cut/<name>")
@trainer_only
def scan_cut(phase_id: str, name: str):
    phase_or_404(phase_id)
    path = scanned.crop_file(workspace(), phase_id, name)
    if path is None:
        abort(404)
    return send_from_directory(path.parent, path.name, mimetype="image/png")


def _workspace_with_form(phase_id: str):
    """The workspace, when the phase exists and has a stored form (else 404)."""
    phase_or_404(phase_id)
    ws = workspace()
    if not ws.store.has_form(ws.event_id, phase_id):
        abort(404)
    return ws


def _queue_position(field: str) -> int:
    try:
        return field_number(request.values.get(field) or "1", low=1)
    except NotAFieldNumber:
        abort(400)


def _participant_name(ws, person_id: str) -> str:
    return next((p.name for p in ws.store.participants(ws.event_id) if p.person_id == person_id), person_id)


@bp.get("/reports/")
@bp.get("/reports/<path:name>")
@trainer_only
def reports(name: str = "index.html"):
    folder: Path = workspace().folder / REPORTS_FOLDER
    response = send_from_directory(folder, name)
    response.headers["Content-Security-Policy"] = CSP_REPORT
    return response


@bp.get("/qr")
@trainer_only
def qr():
    """The join address and its QR code, full screen for the projector."""
    address = join_address()
    return page("trainer/qr.html", join=address, qr=_projector_qr(address), warning=loopback_warning(address))


def _projector_qr(url: str) -> Markup:
    """The join address's QR code, scalable: a viewBox and no fixed size, so CSS makes it fill the screen."""
    svg = segno.make(url, error="m").svg_inline(omitsize=True, border=2, dark="#000", light="#fff")
    return Markup(svg)  # noqa: S704 - segno's SVG of our own address


# -- one participant: devices and access code ----------------------------------------


def _participant_or_404(person_id: str):
    found = workspace().store.participant(workspace().event_id, person_id)
    if found is None:
        abort(404)
    return found


@bp.get("/person/<person_id>")
@trainer_only
def person(person_id: str):
    """A participant's logged-in phones (two on one code show here), to log out, and a new access code."""
    who = _participant_or_404(person_id)
    ws = workspace()
    n, zone = Numbers(g.lang), ws.loaded.event.event.time_zone
    devices = [
        {
            "id": d.token_hash,
            "device": d.device or _("unknown browser"),
            "address": d.address,
            "since": n.moment(d.created_at, zone),
            "seen": n.moment(d.last_seen, zone),
        }
        for d in trainer.devices(ws, person_id, now())
    ]
    return page(
        "trainer/person.html",
        person=who,
        devices=devices,
        notice=session.pop("notice", None),
        new_code=session.pop("new_code", None),
    )


def _back_to(person_id: str, notice: str):
    session["notice"] = notice
    return redirect(url_for("trainer.person", person_id=person_id))


@bp.post("/person/<person_id>/end")
@trainer_only
def end_devices(person_id: str):
    """Log out one phone (the posted `device`), or every phone but the most recently seen."""
    _participant_or_404(person_id)
    device = request.form.get("device") or None
    if device is not None and not re.fullmatch(r"[0-9a-f]{64}", device):
        abort(400)
    ended = trainer.end_devices(workspace(), person_id, now(), only=device)
    return _back_to(person_id, _("Phones logged out: {n}.").format(n=ended))


@bp.post("/person/<person_id>/code")
@trainer_only
def new_code(person_id: str):
    """A new access code: the old one and every phone logged in with it stop working at once."""
    _participant_or_404(person_id)
    session["new_code"] = trainer.new_access_code(workspace(), person_id, now())
    return _back_to(person_id, _("A new access code is made; the old code no longer works."))


@bp.get("/person/<person_id>/card")
@trainer_only
def card(person_id: str):
    """The participant's card with their current code, to print."""
    _participant_or_404(person_id)
    html = trainer.card_html(workspace(), person_id, _join_base())
    return html, 200, {"Content-Security-Policy": CSP_REPORT}


def _join_base() -> str:
    """The base address the cards name: the join address without its /join."""
    return join_address().removesuffix(url_for("participant.join")).rstrip("/")
