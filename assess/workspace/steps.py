"""The steps of an event, on a workspace: build forms, simulate a cohort, score.

Each step reads the stored forms (never the banks again) and writes in
transactions; the CLI calls one function per command.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from assess.bank.model import Essay
from assess.delivery.simulate import Cohort, simulate_attempt
from assess.event.file import build_phase
from assess.forms import Form, personal_order
from assess.problems import Problem, ProblemsFound
from assess.responses import encode_item, stored_value
from assess.scoring import score_bulk
from assess.store.store import EXPIRED, SUBMITTED, StoreError
from assess.workspace import Workspace
from assess.workspace.adjust import item_changes


def build_phase_form(ws: Workspace, phase_id: str, now: dt.datetime) -> Form:
    """Assemble a phase's form from its blueprint and store the snapshot.

    A phase that reuses or parallels another reads that phase's stored form.
    """
    phase = ws.phase(phase_id)
    earlier = {}
    for ref in (phase.same_items, phase.parallel_to):
        if ref is not None:
            if not ws.store.has_form(ws.event_id, ref):
                raise ProblemsFound([Problem("WORKSPACE-FORM-FIRST", {"phase": phase_id, "other": ref})])
            earlier[ref] = ws.store.form(ws.event_id, ref)
    form = build_phase(ws.loaded, phase_id, earlier, ws.orders_secret())
    try:
        ws.store.save_form(form, now)
    except StoreError as e:
        raise ProblemsFound([Problem(e.code, e.params)]) from None
    return form


@dataclass(frozen=True)
class PhaseScores:
    phase: str
    scored: int
    provisional: int
    mean_percentage: float | None
    rows: tuple[dict, ...] = ()  # the results as scored (written, or not in a dry run)


def score_phase(ws: Workspace, phase_id: str, now: dt.datetime, *, write: bool = True) -> PhaseScores:
    """Score every submitted or expired attempt of a phase from its stored form and the adjustments made
    to it since; replace its results (with `write`; without, nothing is written: the rows are returned
    in `rows` for a dry run)."""
    store, event = ws.store, ws.loaded.event
    form = store.form(ws.event_id, phase_id)
    grace = dt.timedelta(seconds=event.phase(phase_id).grace_seconds)
    if write:
        store.expire_due(ws.event_id, phase_id, now, grace)
    attempts = store.attempts(ws.event_id, phase_id, statuses=(SUBMITTED, EXPIRED))
    changes = item_changes(ws, phase_id)
    ids = [a.id for a in attempts]
    answers = store.answers_of(ids)
    marks = store.marks_of(ids)
    values = {}
    for item in form.items:
        values[item.id] = [stored_value(item, answers[a.id].get(item.id)) for a in attempts]
    encoded = [encode_item(i, values[i.id]) for i in form.items]
    essay_marks = {}
    for k, item in enumerate(form.items):
        if isinstance(item, Essay):
            points = {r.id: r.points for r in item.rubric}
            essay_marks[k] = np.array(
                [points.get(marks[a.id].get(item.id), np.nan) for a in attempts], dtype=float
            )
    rows = []
    if attempts:
        bulk = score_bulk(form.items, form.policy, form.grading, encoded, essay_marks, changes)
        scored_items = [i for i in form.items if i.id in set(bulk.item_ids)]
        for row, a in enumerate(attempts):
            result = bulk.attempt(row)
            rows.append(
                {
                    "attempt_id": a.id,
                    "person_id": a.person_id,
                    "points": result.points,
                    "max_points": result.max_points,
                    "percentage": result.percentage,
                    "band": result.band.label,
                    "passed": result.passed,
                    "provisional": result.provisional,
                    "competencies": {
                        c: {
                            "points": s.points,
                            "max": s.max_points,
                            "percentage": s.percentage,
                            "level": s.level,
                        }
                        for c, s in result.competencies.items()
                    },
                    "items": {
                        i.id: {
                            "points": s.points,
                            "max": s.max_points,
                            "blank": s.blank,
                            "pending": s.pending,
                        }
                        for i, s in zip(scored_items, result.items, strict=True)
                    },
                    "scored_at": now,
                }
            )
    if write:
        store.replace_results(ws.event_id, phase_id, rows)
    mean = float(np.mean([r["percentage"] for r in rows])) if rows else None
    return PhaseScores(phase_id, len(rows), sum(r["provisional"] for r in rows), mean, tuple(rows))


def simulate(ws: Workspace, seed: int, now: dt.datetime, phases: list[str] | None = None) -> dict[str, int]:
    """Every participant's attempt on each phase, from the item-response model; attempts per phase."""
    event = ws.loaded.event
    people = [p.person_id for p in ws.store.participants(ws.event_id)]
    if not people:
        raise ProblemsFound([Problem("WORKSPACE-NO-PARTICIPANTS", {})])
    phase_ids = phases or [p.id for p in event.phases]
    forms = {phase_id: ws.form(phase_id) for phase_id in phase_ids}
    competencies = sorted({c for f in forms.values() for i in f.items for c in i.competencies})
    cohort = Cohort.draw(people, competencies, seed)
    secret = ws.orders_secret()
    counts = {}
    for n, phase_id in enumerate(phase_ids):
        form = forms[phase_id]
        records = []
        for person in people:
            answers, marks = simulate_attempt(form.items, person, phase_id, cohort, learned=n > 0)
            order = personal_order(form, person, secret).model_dump()
            records.append({"person_id": person, "answers": answers, "marks": marks, "personal_order": order})
        try:
            counts[phase_id] = len(
                ws.store.import_attempts(
                    ws.event_id, phase_id, records, channel="import", now=now, actor="simulate"
                )
            )
        except StoreError as e:
            raise ProblemsFound([Problem(e.code, e.params)]) from None
    return counts
