"""The participant's pages: join, lobby, one question a page, review, submit, result.

A participant is known by the session behind the cookie's token alone (logins.py); every attempt is
looked up from it (never from an id in the address), so nobody can reach another's.
"""

from __future__ import annotations

import functools
import re

from flask import Blueprint, abort, current_app, g, jsonify, redirect, request, session, url_for
from werkzeug.datastructures import MultiDict

from assess.delivery.screen import question_page, sitting
from assess.i18n import LANGUAGES, _
from assess.i18n.numbers import Numbers
from assess.participants import canonical_access_code
from assess.responses import NotAFieldNumber, answered, field_number
from assess.scoring import AttemptResult
from assess.store.attempts import MAX_SEQ
from assess.store.sessions import PARTICIPANT_SESSION
from assess.store.store import IN_PROGRESS, AttemptClosed, StoreError
from assess.web import logins
from assess.web.pages import (
    CSP_REPORT,
    PAGE_MESSAGES,
    fragment,
    message,
    now,
    page,
    phase_or_404,
    workspace,
)

bp = Blueprint("participant", __name__)


def joined(view):
    """The view needs a participant who has joined this event; anyone else goes to the join page."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        me = logins.current()
        if me is None or me.kind != PARTICIPANT_SESSION or not me.person_id:
            return redirect(url_for("participant.join"))
        g.person = me.person_id
        return view(**kwargs)

    return wrapped


def _sitting(phase_id: str) -> sitting.Sitting | None:
    phase_or_404(phase_id)
    return sitting.sitting(workspace(), g.person, phase_id, now())


# A path of this site with its query: "/" and then a path character (never "/" or "\\", nor "%" that
# could encode them: "//host" is another site), then only printable ASCII that a URL's path and query
# hold. No control character (browsers drop tabs and newlines, so "/\t/host" would go to //host), no
# space, no backslash, no fragment, nothing beyond ASCII: every page of the app fits.
SAME_SITE_PATH = re.compile(r"/(?:[A-Za-z0-9._~-][A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?")


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no //host, no scheme): the language switch must not redirect away."""
    if target and SAME_SITE_PATH.fullmatch(target):
        return target
    return url_for("participant.lobby")


@bp.get("/bahasa/<lang>")
def language(lang: str):
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/", methods=["GET"])
def home():
    me = logins.current()
    if me is not None and me.kind == PARTICIPANT_SESSION:
        return redirect(url_for("participant.lobby"))
    return redirect(url_for("participant.join"))


@bp.route("/join", methods=["GET", "POST"])
def join():
    ws = workspace()
    error = None
    code = (request.values.get("code") or "").strip()[:64]
    if request.method == "POST":
        limiter = current_limiter()
        if not limiter.allow(request.remote_addr or "", canonical_access_code(code)):
            return message("wait", 429)
        person_id = sitting.join(ws, code)
        if person_id is None:
            error = _("That access code is not known here. Check it on your card and try again.")
        else:
            logins.begin(PARTICIPANT_SESSION, person_id)
            return redirect(url_for("participant.lobby"))
    return page("join.html", 200 if error is None else 400, code=code, error=error)


def current_limiter():
    return current_app.extensions["assess.join_limiter"]


@bp.post("/leave")
def leave():
    logins.end("leave")
    return redirect(url_for("participant.join"))


@bp.get("/lobby")
@joined
def lobby():
    ws = workspace()
    me = sitting.person(ws, g.person)
    if me is None:  # removed from the event since joining
        logins.end("removed")
        return redirect(url_for("participant.join"))
    cards = sitting.lobby(ws, g.person)
    waiting = not any(c.can_start or c.finished for c in cards)
    return page("lobby.html", name=me.name, phases=cards, waiting=waiting)


@bp.get("/lobby/state")
@joined
def lobby_state():
    """For the lobby's polling: a fingerprint of what the lobby would show."""
    cards = sitting.lobby(workspace(), g.person)
    return jsonify(state=[[c.id, c.state, c.attempt] for c in cards])


@bp.post("/test/<phase_id>/start")
@joined
def start(phase_id: str):
    phase_or_404(phase_id)
    ws = workspace()
    try:
        sitting.start(ws, g.person, phase_id, now())
    except AttemptClosed:
        return redirect(url_for("participant.result", phase_id=phase_id))
    except StoreError:  # not open (any more), or no form yet
        return redirect(url_for("participant.lobby"))
    return redirect(url_for("participant.question", phase_id=phase_id, number=1))


def _closed_redirect(phase_id: str):
    return redirect(url_for("participant.result", phase_id=phase_id))


@bp.route("/test/<phase_id>/<int:number>", methods=["GET", "POST"])
@joined
def question(phase_id: str, number: int):
    s = _sitting(phase_id)
    if s is None:
        return redirect(url_for("participant.lobby"))
    if s.attempt.status != IN_PROGRESS:
        return _closed_redirect(phase_id)
    if not 1 <= number <= s.total:
        abort(404)
    ws, error, wait = workspace(), None, 0
    if request.method == "POST":
        try:  # the numbers a post carries are read before its answer is
            seq, destination = _seq(), _destination(phase_id, number, s.total)
        except NotAFieldNumber:
            abort(400)
        try:
            value = question_page.read_answer(s, number, request.form, request.form.getlist, _limits())
            wait = _save_wait(s)
            if not wait:
                sitting.save_posted_page(ws, s, number, value, seq, now())
        except question_page.AnswerProblem as e:
            error = str(e)
        except AttemptClosed:
            return _closed_redirect(phase_id)
        except StoreError:  # a number the store refuses (STORE-SEQ-RANGE)
            abort(400)
        if wait:  # the page comes back with what was posted: pressing again after the wait sends it
            error = _("Answers were sent too quickly. Wait a moment, then press the button again.")
        if error is None:
            return redirect(destination)
    answers = ws.store.answers(s.attempt.id)
    q = question_page.question(s, number, answers.get(s.item(number).id))
    if error is not None:  # show what was posted, not the stored answer, so nothing given is lost
        q = question_page.refill(q, request.form, request.form.getlist)
    html, status = page(
        "question.html",
        200 if error is None else 429 if wait else 400,
        phase=_phase_title(phase_id),
        phase_id=phase_id,
        q=q,
        navigator=fragment(
            "navigator.html", nav=tuple(question_page.navigator(s, answers, number)), form_id="answer"
        ),
        next_seq=s.attempt.next_seq,
        **_timer(s),
        error=error,
    )
    return html, status, {"Retry-After": str(wait)} if wait else {}


def _timer(s: sitting.Sitting) -> dict:
    """What the countdown needs: seconds to the deadline, and the grace after it (then the page reloads)."""
    return {
        "seconds_left": sitting.seconds_left(s.attempt, now()),
        "grace": int(sitting.grace(workspace(), s.attempt.phase_id).total_seconds()),
    }


def _save_wait(s: sitting.Sitting) -> int:
    """0 when the attempt may save now (counted), else the seconds to wait (`web.save_limits`)."""
    return current_app.extensions["assess.save_limiter"].wait(s.attempt.id)


def _limits():
    """The event's `web.answer_limits`: the longest short answer and essay taken."""
    return workspace().loaded.event.web.answer_limits


def _unreadable() -> str:
    return PAGE_MESSAGES["bad_request"][1]()


def _seq() -> int | None:
    """The client's sequence number (autosave); a post without JavaScript has none: the server numbers it.

    NotAFieldNumber unless it is a whole number from 1 to the store's MAX_SEQ, which its column holds.
    """
    text = request.form.get("seq") or ""
    return field_number(text, 1, MAX_SEQ) if text else None


def _destination(phase_id: str, number: int, total: int) -> str:
    """Where the page's button leads: prev, next, review, stay or a question's number (NotAFieldNumber for
    anything else)."""
    go = request.form.get("go", "next")
    if go == "prev" and number > 1:
        return url_for("participant.question", phase_id=phase_id, number=number - 1)
    if go == "review" or (go == "next" and number >= total):
        return url_for("participant.review", phase_id=phase_id)
    if go == "stay":
        return url_for("participant.question", phase_id=phase_id, number=number)
    if go in ("next", "prev"):
        return url_for("participant.question", phase_id=phase_id, number=min(number + 1, total))
    return url_for("participant.question", phase_id=phase_id, number=field_number(go, 1, total))


@bp.post("/test/<phase_id>/<int:number>/save")
@joined
def autosave(phase_id: str, number: int):
    """Autosave (fetch): the page's fields and a sequence number; answers JSON."""
    s = _sitting(phase_id)
    if s is None or not 1 <= number <= s.total:
        return jsonify(ok=False, error=_("Not found.")), 404
    if s.attempt.status != IN_PROGRESS:
        return jsonify(ok=False, closed=True, url=url_for("participant.result", phase_id=phase_id)), 409
    try:
        seq = _seq()
        value = question_page.read_answer(s, number, request.form, request.form.getlist, _limits())
        wait = _save_wait(s)  # counted once the save is readable: a refused one stores nothing
        if wait:  # no "error": the page's script waits Retry-After and sends the same save again
            return jsonify(ok=False, retry_after=wait), 429, {"Retry-After": str(wait)}
        saved = sitting.save(workspace(), s, number, value, seq, now())
    except question_page.AnswerProblem as e:
        return jsonify(ok=False, error=str(e)), 422
    except AttemptClosed:
        return jsonify(ok=False, closed=True, url=url_for("participant.result", phase_id=phase_id)), 409
    except (NotAFieldNumber, StoreError):  # a sequence number that is no number, or one the store refuses
        return jsonify(ok=False, error=_unreadable()), 422
    return jsonify(ok=True, seq=saved.seq, next_seq=saved.next_seq, answered=answered(value))


@bp.get("/test/<phase_id>/form.json")
@joined
def offline_form(phase_id: str):
    """The whole test of the participant's attempt in progress, for a page that goes on without the
    network (docs/web.md); each call hands out a new block of sequence numbers."""
    s = _sitting(phase_id)
    if s is None:
        _refused("form.json without an attempt", phase_id)
        return jsonify(ok=False, error=_("Not found.")), 404
    if s.attempt.status != IN_PROGRESS:
        return jsonify(ok=False, closed=True, url=url_for("participant.result", phase_id=phase_id)), 409
    ws = workspace()
    try:
        payload = question_page.offline_form(ws, s, ws.store.answers(s.attempt.id), now(), _timer(s)["grace"])
    except StoreError:  # the attempt's sequence numbers are used up
        return jsonify(ok=False, error=_unreadable()), 422
    return jsonify(ok=True, batch=url_for("participant.batch", phase_id=phase_id), **payload)


# Answers in one batch: a test answered three times over (at least 50), never more than MAX_BATCH. The
# batch counts as one save, so its size is what bounds the writes one request can cause.
MAX_BATCH = 2000


@bp.post("/test/<phase_id>/batch")
@joined
def batch(phase_id: str):
    """The answers a page kept while offline, in the order given, as one save for the rate limit; each
    stored as autosave stores it (the same sequence number twice is stored once). JSON in:
    {"attempt": id, "answers": [{"number": n, "seq": k, "fields": {name: value or [values]}}, ...]}."""
    s = _sitting(phase_id)
    if s is None:
        return jsonify(ok=False, error=_("Not found.")), 404
    if s.attempt.status != IN_PROGRESS:
        return jsonify(ok=False, closed=True, url=url_for("participant.result", phase_id=phase_id)), 409
    data = request.get_json(silent=True)
    entries = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(entries, list) or len(entries) > min(MAX_BATCH, max(50, 3 * s.total)):
        return jsonify(ok=False, error=_unreadable()), 422
    if data.get("attempt") != s.attempt.id:  # another attempt's queue: another participant's, or an old one
        _refused("batch for another attempt", phase_id)
        return jsonify(ok=False, error=_unreadable()), 409
    wait = _save_wait(s)
    if wait:
        return jsonify(ok=False, retry_after=wait), 429, {"Retry-After": str(wait)}
    results = [_batch_entry(s, entry) for entry in entries]
    if any(r.get("refused") for r in results):
        _refused("batch entries refused", phase_id)
    stored = workspace().store.answers(s.attempt.id)
    done = sum(1 for item in s.items if answered(stored.get(item.id)))
    return jsonify(ok=True, results=results, answered=done, total=s.total)


def _batch_entry(s: sitting.Sitting, entry) -> dict:
    """One answer of a batch stored, or why it was refused (nothing stored then)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("fields"), dict):
        return {"refused": "unreadable"}
    number, seq = entry.get("number"), entry.get("seq")
    if type(number) is not int or not 1 <= number <= s.total:
        return {"refused": "no-such-question"}
    if type(seq) is not int or not 1 <= seq <= MAX_SEQ:
        return {"refused": "sequence"}
    fields = MultiDict()
    for name, value in entry["fields"].items():
        for v in value if isinstance(value, list) else [value]:
            if not isinstance(v, str):
                return {"refused": "unreadable"}
            fields.add(str(name), v)
    try:
        value = question_page.read_answer(s, number, fields, fields.getlist, _limits())
        saved = sitting.save(workspace(), s, number, value, seq, now())
    except question_page.AnswerProblem as e:
        return {"refused": "answer", "error": str(e)}
    except AttemptClosed:
        return {"refused": "closed"}
    except StoreError:
        return {"refused": "sequence"}
    return {"seq": saved.seq, "changed": saved.changed}


def _refused(what: str, phase_id: str) -> None:
    """A refusal worth a line in the server's log: who, what and where (never the answers)."""
    current_app.logger.warning("refused %s: person %s, phase %s, from %s", what, g.person, phase_id,
                               request.remote_addr)  # fmt: skip


@bp.get("/test/<phase_id>/review")
@joined
def review(phase_id: str):
    s = _sitting(phase_id)
    if s is None:
        return redirect(url_for("participant.lobby"))
    if s.attempt.status != IN_PROGRESS:
        return _closed_redirect(phase_id)
    nav = question_page.navigator(s, workspace().store.answers(s.attempt.id))
    return page(
        "review.html",
        phase=_phase_title(phase_id),
        phase_id=phase_id,
        nav=nav,
        unanswered=[n for n in nav if not n.answered],
        **_timer(s),
    )


@bp.route("/test/<phase_id>/submit", methods=["GET", "POST"])
@joined
def submit(phase_id: str):
    s = _sitting(phase_id)
    if s is None:
        return redirect(url_for("participant.lobby"))
    if s.attempt.status != IN_PROGRESS:
        return _closed_redirect(phase_id)
    if request.method == "POST":
        sitting.submit(workspace(), s, now())
        return _closed_redirect(phase_id)
    nav = question_page.navigator(s, workspace().store.answers(s.attempt.id))
    return page(
        "submit.html",
        phase=_phase_title(phase_id),
        phase_id=phase_id,
        unanswered=sum(not n.answered for n in nav),
        total=len(nav),
        **_timer(s),
    )


@bp.get("/test/<phase_id>/result")
@joined
def result(phase_id: str):
    ws = workspace()
    s = _sitting(phase_id)
    if s is None:
        return redirect(url_for("participant.lobby"))
    if s.attempt.status == IN_PROGRESS:
        return redirect(url_for("participant.question", phase_id=phase_id, number=1))
    aspects = sitting.review_aspects(ws, s.attempt)
    scored = sitting.live_result(ws, s, aspects)
    return page(
        "result.html",
        phase=_phase_title(phase_id),
        attempt_status=s.attempt.status,
        shown=_shown_result(scored, aspects, ws.loaded.event.verdict_of(phase_id), s.form.grading.pass_mark),
        report=sitting.has_report(ws, g.person),
    )


def _shown_result(
    scored: AttemptResult | None, aspects: frozenset[str], verdict: str, pass_mark: float | None
) -> dict | None:
    if scored is None:
        return None
    n = Numbers(g.lang)
    says = "band" in aspects and verdict != "none"  # a diagnostic test says where one starts, no more
    passed = scored.passed if says and verdict == "pass_fail" else None
    return {
        "score": n.pct(scored.percentage) if "score" in aspects else None,
        "points": f"{n.points(scored.points)} / {n.points(scored.max_points)}"
        if "score" in aspects
        else None,
        "band": (scored.band.label_en or scored.band.label if g.lang == "en" else scored.band.label)
        if says
        else None,
        "passed": passed,
        "pass_mark": n.pct(pass_mark, 0) if passed is not None and pass_mark is not None else None,
        "starting_point": verdict == "none" and "score" in aspects,
        "provisional": scored.provisional,
    }


@bp.get("/report")
@joined
def own_report():
    from assess.reports.render import participant_report_html  # scipy and the reports: 0.9 s at start-up

    html = participant_report_html(workspace(), g.person, lobby=url_for("participant.lobby"))
    if html is None:
        abort(404)
    return html, 200, {"Content-Security-Policy": CSP_REPORT}


def _phase_title(phase_id: str) -> str:
    return workspace().loaded.event.phase_title(phase_id)
