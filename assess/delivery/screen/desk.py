"""The trainer's desk: password, phases, live progress, extra time, reopening, scoring, devices and codes.

What the dashboard of the web app (assess.web.trainer) and the commands do;
the rules of attempts live in the store.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import secrets
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from assess.adjustments import ACCEPT, DROP, FULL_CREDIT, POINTS, UNDO, Adjustment, in_force
from assess.bank.model import Essay
from assess.delivery.cards import cards_html
from assess.delivery.marks import essays, is_blank
from assess.delivery.screen.sitting import cached_form, grace, seconds_left
from assess.i18n import N_, _, current_language
from assess.i18n.numbers import Numbers
from assess.participants import new_access_code as make_access_code
from assess.problems import Problem, ProblemsFound
from assess.responses import answered
from assess.store.sessions import PARTICIPANT_SESSION, WebSession
from assess.store.store import CLOSED, OPEN, SUPERSEDED, Attempt, NotFound
from assess.workspace import Workspace
from assess.workspace.adjust import MAX_POINTS, adjust_item, result_changes
from assess.workspace.files import PASSWORD_FILE
from assess.workspace.marks import finished_attempts, store_marks
from assess.workspace.steps import PhaseScores, build_phase_form, score_phase

ENV_PASSWORD = "ASSESS_TRAINER_PASSWORD"
MIN_PASSWORD = 8


# -- the password -------------------------------------------------------------------


def password_path(ws_folder: Path) -> Path:
    return ws_folder / PASSWORD_FILE


def set_password(ws_folder: Path, password: str) -> None:
    """Keep a salted hash of the password in the workspace (never the password itself)."""
    if len(password) < MIN_PASSWORD:
        raise ProblemsFound([Problem("WEB-PASSWORD-SHORT", {"n": MIN_PASSWORD})])
    path = password_path(ws_folder)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(generate_password_hash(password) + "\n")
    os.replace(tmp, path)


def has_password(ws_folder: Path) -> bool:
    return password_path(ws_folder).is_file()


def password_matches(ws_folder: Path, password: str) -> bool:
    try:
        stored = password_path(ws_folder).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return bool(stored) and check_password_hash(stored, password)


# -- phases ----------------------------------------------------------------------------


DASHBOARD = "dashboard"  # who changed a phase, in the audit log, when it was the web dashboard


def cli_actor() -> str:
    """Who runs a command, for the audit log: `cli:` and the login name."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in the environment or the password database
        return "cli"


def open_phase(ws: Workspace, phase_id: str, now: dt.datetime, actor: str = DASHBOARD) -> None:
    """Open a phase for participants, assembling and storing its form first when it has none."""
    if not ws.store.has_form(ws.event_id, phase_id):
        build_phase_form(ws, phase_id, now)
    ws.store.set_phase_state(ws.event_id, phase_id, OPEN, now, actor=actor)


def close_phase(
    ws: Workspace, phase_id: str, now: dt.datetime, actor: str = DASHBOARD, *, score: bool = True
) -> PhaseScores | None:
    """Close a phase (attempts still running end with what they have) and, with `score`, score it; a
    phase that was never opened and has no form has no attempts: nothing to score."""
    ws.store.set_phase_state(ws.event_id, phase_id, CLOSED, now, actor=actor)
    if score and ws.store.has_form(ws.event_id, phase_id):
        return score_phase(ws, phase_id, now)
    return None


def change_phase(
    ws: Workspace, phase_id: str, action: str, now: dt.datetime, actor: str, *, score: bool = False
) -> PhaseScores | None:
    """`assess phase open|close|reopen`: the dashboard's rules, said where the dashboard shows no button.
    Opening a closed phase is refused (reopen says so on purpose); reopening is only for a closed one.
    Closing a phase that was never opened is allowed: a test taken on paper or in Google Forms is
    closed so that its reports show what the review policy holds back until then."""
    ws.phase(phase_id)  # an unknown phase: a problem naming the event's phases
    state = ws.store.phase_state(ws.event_id, phase_id)
    if action == "open" and state == CLOSED:
        raise ProblemsFound([Problem("DESK-PHASE-CLOSED", {"phase": phase_id})])
    if action == "reopen" and state != CLOSED:
        raise ProblemsFound([Problem("DESK-PHASE-NOT-CLOSED", {"phase": phase_id})])
    if action in ("open", "reopen"):
        if state != OPEN:
            open_phase(ws, phase_id, now, actor)
        return None
    return close_phase(ws, phase_id, now, actor, score=score)


@dataclass(frozen=True)
class PhaseLine:
    """One phase as `assess phase list` shows it."""

    phase_id: str
    title: str
    state: str  # not_open | open | closed
    has_form: bool
    attempts: dict[str, int]  # by status: in_progress, submitted, expired (superseded ones not counted)


def phase_lines(ws: Workspace) -> list[PhaseLine]:
    lines = []
    for p in ws.loaded.event.phases:
        counted = Counter(a.status for a in ws.store.attempts(ws.event_id, p.id) if a.status != SUPERSEDED)
        lines.append(
            PhaseLine(
                p.id,
                ws.loaded.event.phase_title(p.id),
                ws.store.phase_state(ws.event_id, p.id),
                ws.store.has_form(ws.event_id, p.id),
                dict(counted),
            )
        )
    return lines


def score_every_phase(ws: Workspace, now: dt.datetime) -> None:
    """Score every phase that has a form (the dashboard then writes the reports)."""
    for phase in ws.loaded.event.phases:
        if ws.store.has_form(ws.event_id, phase.id):
            score_phase(ws, phase.id, now)


# -- live progress -----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One participant on one phase, as the dashboard lists them."""

    person_id: str
    name: str
    unit: str
    attempt_id: int | None
    status: str  # not_started | in_progress | submitted | expired
    answered: int
    total: int
    seconds_left: int | None


def status_text(status: str) -> str:
    """An attempt's status (or not_started) as the trainer reads it."""
    return {
        "not_started": _("not started"),
        "in_progress": _("working"),
        "submitted": _("submitted"),
        "expired": _("time ran out"),
    }.get(status, status)


def progress(ws: Workspace, phase_id: str, now: dt.datetime) -> list[Row]:
    store = ws.store
    store.expire_due(ws.event_id, phase_id, now, grace(ws, phase_id))
    form_hash = store.form_hash(ws.event_id, phase_id)
    total = 0 if form_hash is None else len(cached_form(ws, phase_id, form_hash).items)
    latest: dict[str, Attempt] = {}
    for a in store.attempts(ws.event_id, phase_id):
        if a.status != SUPERSEDED:
            latest[a.person_id] = a
    answers = store.answers_of([a.id for a in latest.values()])
    units = store.units(ws.event_id)
    rows = []
    for p in store.participants(ws.event_id):
        a = latest.get(p.person_id)
        rows.append(
            Row(
                person_id=p.person_id,
                name=p.name,
                unit=units.get(p.unit_code or "", p.unit_code or ""),
                attempt_id=None if a is None else a.id,
                status="not_started" if a is None else a.status,
                answered=0 if a is None else sum(answered(v) for v in answers[a.id].values()),
                total=total,
                seconds_left=None if a is None or a.status != "in_progress" else seconds_left(a, now),
            )
        )
    return rows


def attempt_of_event(ws: Workspace, attempt_id: int) -> Attempt:
    """The attempt, if it belongs to this workspace's event (one database may hold many events)."""
    attempt = ws.store.attempt(attempt_id)
    if attempt.event_id != ws.event_id:
        raise NotFound("STORE-NO-ATTEMPT", attempt=attempt_id)
    return attempt


def extend(ws: Workspace, attempt_id: int, minutes: int, now: dt.datetime) -> Attempt:
    attempt = attempt_of_event(ws, attempt_id)
    return ws.store.extend(attempt_id, minutes, actor="trainer", now=now, grace=grace(ws, attempt.phase_id))


def reopen(ws: Workspace, attempt_id: int, reason: str, minutes: int | None, now: dt.datetime) -> Attempt:
    """A superseding attempt that carries the answers forward, with `minutes` to finish (None: no limit)."""
    attempt_of_event(ws, attempt_id)
    time_limit = None if minutes is None else dt.timedelta(minutes=minutes)
    return ws.store.reopen(attempt_id, reason=reason, actor="trainer", now=now, time_limit=time_limit)


# -- devices and access codes -------------------------------------------------------


def device_counts(ws: Workspace, now: dt.datetime) -> dict[str, int]:
    """person id -> how many phones are logged in with their code now (people with none left out)."""
    return ws.store.live_session_counts(ws.event_id, PARTICIPANT_SESSION, now)


def devices(ws: Workspace, person_id: str, now: dt.datetime) -> list[WebSession]:
    """The participant's logged-in phones, the most recently seen first."""
    return ws.store.live_sessions(ws.event_id, PARTICIPANT_SESSION, now, person_id=person_id)


def end_devices(ws: Workspace, person_id: str, now: dt.datetime, *, only: str | None = None) -> int:
    """Log out one of the participant's phones (`only`: its session's hash), or every one but the most
    recently seen; how many were logged out."""
    if only is not None:
        return ws.store.end_sessions(
            ws.event_id, (PARTICIPANT_SESSION,), "ended_by_trainer", now, person_id=person_id, only=only
        )
    live = devices(ws, person_id, now)
    if len(live) < 2:
        return 0
    return ws.store.end_sessions(
        ws.event_id,
        (PARTICIPANT_SESSION,),
        "ended_by_trainer",
        now,
        person_id=person_id,
        keep=live[0].token_hash,
    )


def new_access_code(ws: Workspace, person_id: str, now: dt.datetime, actor: str = DASHBOARD) -> str:
    """A new code for the participant: the old code and every phone logged in with it stop working."""
    people = ws.store.participants(ws.event_id)
    if person_id not in {p.person_id for p in people}:
        raise ProblemsFound([Problem("STORE-NO-PARTICIPANT", {"person": person_id})])
    code = make_access_code(secrets.SystemRandom(), {p.access_code for p in people})
    ws.store.replace_access_code(ws.event_id, person_id, code, now, actor=actor)
    return code


def card_html(ws: Workspace, person_id: str, base_url: str) -> str:
    """The participant's access-code card, alone on a page to print."""
    people = [p for p in ws.store.participants(ws.event_id) if p.person_id == person_id]
    if not people:
        raise NotFound("STORE-NO-PARTICIPANT", person=person_id)
    return cards_html(ws.loaded.event.event.title, base_url, people, ws.store.units(ws.event_id))


# -- corrections after the test --------------------------------------------------------------------

ADJUSTMENT_KINDS = (ACCEPT, FULL_CREDIT, DROP, POINTS, UNDO)
MAX_ADJUSTED_POINTS = MAX_POINTS
ADJUSTMENT_NAMES = {
    ACCEPT: N_("also accept {value}"),
    FULL_CREDIT: N_("full points for everyone"),
    DROP: N_("dropped"),
    POINTS: N_("maximum {value} points"),
    UNDO: N_("undo {value}"),
}
STEM_SHOWN = 80  # characters of a question in the list to choose from


def adjust(
    ws: Workspace,
    phase_id: str,
    item_id: str | None,
    kind: str,
    *,
    reason: str,
    now: dt.datetime,
    answers: tuple[str, ...] = (),
    points: float | None = None,
    undo: int | None = None,
    actor: str = DASHBOARD,
) -> Adjustment:
    """A correction, as `assess form adjust` makes it (checked against the stored form, audited)."""
    return adjust_item(
        ws,
        phase_id,
        item_id,
        kind,
        reason=reason,
        actor=actor,
        now=now,
        answers=answers,
        points=points,
        undo=undo,
    )


def adjust_page(ws: Workspace, phase_id: str, now: dt.datetime) -> dict:
    """The dashboard's corrections page: the adjustments made, the questions to choose from, and what
    scoring the phase again would change (a dry run)."""
    from assess.delivery.paper import TYPE_NAMES

    form = ws.store.form(ws.event_id, phase_id)
    done = ws.store.adjustments(ws.event_id, phase_id)
    applying = {a.n for a in in_force(done)}
    undone = {a.value for a in done if a.kind == UNDO}
    numbers = Numbers(current_language())
    names = {p.person_id: p.name for p in ws.store.participants(ws.event_id)}
    stored = ws.store.results(ws.event_id, phase_id)
    changes = [
        c for c in result_changes(stored, score_phase(ws, phase_id, now, write=False).rows) if c.changed
    ]

    def value(a: Adjustment) -> str:
        if isinstance(a.value, list):
            return ", ".join(" + ".join(v) if isinstance(v, list) else _bool_or(v) for v in a.value)
        return numbers.points(a.value) if a.kind == POINTS else str(a.value)

    return {
        "done": [
            {
                "n": a.n,
                "item": a.item_id,
                "what": _(ADJUSTMENT_NAMES[a.kind]).format(value=value(a)),
                "in_force": _("yes") if a.n in applying or a.kind == UNDO else _("no"),
                "actor": a.actor,
                "reason": a.reason,
                "can_undo": a.n in applying and a.n not in undone,
            }
            for a in done
        ],
        "items": [
            {
                "id": item.id,
                "number": k,
                "type": _(TYPE_NAMES[item.type]),  # type: ignore[attr-defined]
                "stem": item.stem if len(item.stem) <= STEM_SHOWN else item.stem[: STEM_SHOWN - 1] + "…",
            }
            for k, item in enumerate(form.items, 1)
        ],
        "changes": [
            {
                "name": names.get(c.person_id, c.person_id),
                "points": f"{numbers.points(c.old_points)} → {numbers.points(c.new_points)}",
                "top": f"{numbers.points(c.old_max)} → {numbers.points(c.new_max)}"
                if c.old_max != c.new_max
                else "",
                "band": f"{c.old_band} → {c.new_band}" if c.old_band != c.new_band else "",
            }
            for c in changes
        ],
    }


def _bool_or(v) -> str:
    if isinstance(v, bool):
        return _("true") if v else _("false")
    return str(v)


# -- essays marked on screen ---------------------------------------------------------------------

MAX_COMMENT = 2000  # characters


@dataclass(frozen=True)
class EssayToMark:
    """One essay answer of a finished attempt, in the marking order (anonymous: not by name)."""

    number: int  # 1-based, in the order the dashboard shows them
    attempt_id: int
    person_id: str
    item: Essay
    answer: str
    level_id: str | None
    comment: str | None


def essay_queue(ws: Workspace, phase_id: str) -> list[EssayToMark]:
    """Every essay answer of the phase's finished attempts (the latest per participant), item by item,
    each item's answers in an order that follows no name (a hash of the attempt and the item)."""
    form = ws.form(phase_id)
    attempts = finished_attempts(ws, phase_id)
    ids = [a.attempt_id for a in attempts]
    answers, marks = ws.store.answers_of(ids), ws.store.marks_of(ids)
    comments = ws.store.mark_comments_of(ids)
    found = []
    for item in essays(form):
        given = [a for a in attempts if not is_blank(item, answers[a.attempt_id].get(item.id))]
        given.sort(key=lambda a: hashlib.sha256(f"{item.id}/{a.attempt_id}".encode()).hexdigest())
        found += [(item, a) for a in given]
    return [
        EssayToMark(
            number=k,
            attempt_id=a.attempt_id,
            person_id=a.person_id,
            item=item,
            answer=str(answers[a.attempt_id][item.id]),
            level_id=marks[a.attempt_id].get(item.id),
            comment=comments[a.attempt_id].get(item.id),
        )
        for k, (item, a) in enumerate(found, 1)
    ]


def mark_essay(
    ws: Workspace,
    phase_id: str,
    attempt_id: int,
    item_id: str,
    level_id: str,
    comment: str,
    now: dt.datetime,
    marker: str = DASHBOARD,
) -> int:
    """Store one essay's mark (audited, as a marks file's are) and score the phase again; how many of its
    essays still wait for a mark."""
    essay = next(
        (e for e in essay_queue(ws, phase_id) if (e.attempt_id, e.item.id) == (attempt_id, item_id)), None
    )
    if essay is None:
        raise ProblemsFound([Problem("DESK-ESSAY-UNKNOWN", {"phase": phase_id})])
    if level_id not in {level.id for level in essay.item.rubric}:
        levels = ", ".join(level.id for level in essay.item.rubric)
        raise ProblemsFound([Problem("DESK-ESSAY-LEVEL", {"level": level_id, "levels": levels})])
    comment = comment.strip()[:MAX_COMMENT] or None
    remaining, _provisional = store_marks(
        ws, [(attempt_id, item_id, level_id)], (phase_id,), marker, now, comment
    )
    return remaining[phase_id]
