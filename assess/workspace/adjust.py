"""Corrections after the test on a workspace: `assess form adjust` (and the dashboard's) records them,
checked against the stored form; every scoring path reads them back (`item_changes`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from assess.adjustments import (
    ACCEPT,
    DROP,
    FULL_CREDIT,
    POINTS,
    UNDO,
    Adjustment,
    AdjustmentError,
    ItemChange,
    accepted_value,
    effective,
)
from assess.problems import Problem, ProblemsFound
from assess.store.records import Result
from assess.workspace import Workspace

MAX_POINTS = 1000.0
MAX_REASON = 500  # characters: a sentence or two for the reports


def item_changes(ws: Workspace, phase_id: str) -> dict[str, ItemChange]:
    """Item id -> what the phase's adjustments in force do to it."""
    return effective(ws.store.adjustments(ws.event_id, phase_id))


def adjust_item(
    ws: Workspace,
    phase_id: str,
    item_id: str | None,
    kind: str,
    *,
    reason: str,
    actor: str,
    now: dt.datetime,
    answers: tuple[str, ...] = (),
    points: float | None = None,
    undo: int | None = None,
) -> Adjustment:
    """Check one adjustment against the phase's stored form and record it; ProblemsFound says what
    does not fit."""
    form = ws.form(phase_id)  # WORKSPACE-NO-FORM without one
    reason = " ".join(reason.split())
    if not reason:
        raise _problem("ADJUST-REASON-EMPTY")
    if len(reason) > MAX_REASON:
        raise _problem("ADJUST-REASON-LONG", n=len(reason), max=MAX_REASON)
    value = None
    if kind == UNDO:
        done = {a.n: a for a in ws.store.adjustments(ws.event_id, phase_id)}
        if undo not in done:
            raise _problem("ADJUST-UNDO-UNKNOWN", n=undo, phase=phase_id)
        item_id, value = done[undo].item_id, undo
    else:
        item = next((i for i in form.items if i.id == item_id), None)
        if item is None:
            raise _problem("ADJUST-ITEM-UNKNOWN", item=item_id, phase=phase_id)
        if kind == ACCEPT:
            try:
                value = accepted_value(item, answers)
            except AdjustmentError as e:
                raise _problem(e.code, **e.params) from None
        elif kind == POINTS:
            if points is None or not 0 < points <= MAX_POINTS:
                raise _problem("ADJUST-POINTS-RANGE", points=points, max=MAX_POINTS)
            value = points
        elif kind not in (FULL_CREDIT, DROP):
            raise ValueError(kind)
    return ws.store.add_adjustment(ws.event_id, phase_id, item_id, kind, value, reason, actor, now)


def _problem(code: str, **params) -> ProblemsFound:
    return ProblemsFound([Problem(code, params)])


@dataclass(frozen=True)
class ResultChange:
    """One attempt's result: as stored, and as scoring now would make it (None where there is none)."""

    person_id: str
    attempt_id: int
    old_points: float | None
    new_points: float | None
    old_max: float | None
    new_max: float | None
    old_band: str | None
    new_band: str | None

    @property
    def changed(self) -> bool:
        def differ(a, b) -> bool:
            return (a is None) != (b is None) or (a is not None and abs(a - b) > 1e-9)

        return (
            differ(self.old_points, self.new_points)
            or differ(self.old_max, self.new_max)
            or self.old_band != self.new_band
        )


def result_changes(stored: Sequence[Result], scored: Sequence[dict]) -> list[ResultChange]:
    """Stored results against rows scored now (steps.score_phase without writing), by attempt, in the
    participants' order."""
    old = {r.attempt_id: r for r in stored}
    new = {row["attempt_id"]: row for row in scored}
    changes = []
    for attempt_id in sorted(old.keys() | new.keys()):
        o, n = old.get(attempt_id), new.get(attempt_id)
        changes.append(
            ResultChange(
                person_id=(o.person_id if o else n["person_id"]),
                attempt_id=attempt_id,
                old_points=o.points if o else None,
                new_points=n["points"] if n else None,
                old_max=o.max_points if o else None,
                new_max=n["max_points"] if n else None,
                old_band=o.band if o else None,
                new_band=n["band"] if n else None,
            )
        )
    return sorted(changes, key=lambda c: (c.person_id, c.attempt_id))
