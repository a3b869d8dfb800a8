"""Calibration runs of the HR database (assess.hr.calibration): stored whole, read back by the next run
(its anchors) and by the comparisons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from assess.store import schema as t
from assess.store.attempts import utcnow
from assess.store.hr import write_hr_audit

CHUNK = 1000


@dataclass(frozen=True)
class Run:
    number: int
    created_at: dt.datetime
    anchored_to: int | None
    scale_mean: float
    scale_sd: float
    events: list[str]
    persons: int
    items: int
    anchored_items: int
    iterations: int
    notes: list[dict]


@dataclass(frozen=True)
class RunItem:
    item_id: str
    content_hash: str
    categories: list[float]
    thresholds: list[float]
    threshold_se: list[float | None]
    location: float
    infit: float | None
    outfit: float | None
    anchored: bool
    answers: int


@dataclass(frozen=True)
class Measure:
    event_id: str
    phase_id: str
    person_id: str
    theta: float | None
    se: float | None
    scaled: float | None
    percentage: float


def _run(row: Any) -> Run:
    return Run(
        row.id,
        row.created_at,
        row.anchored_to,
        row.scale_mean,
        row.scale_sd,
        list(row.events),
        row.persons,
        row.items,
        row.anchored_items,
        row.iterations,
        list(row.notes),
    )


def runs(engine: sa.Engine) -> list[Run]:
    with engine.connect() as c:
        return [_run(r) for r in c.execute(sa.select(t.hr_runs).order_by(t.hr_runs.c.id))]


def latest_run(engine: sa.Engine) -> Run | None:
    found = runs(engine)
    return found[-1] if found else None


def run_items(engine: sa.Engine, run: int) -> list[RunItem]:
    ri = t.hr_run_items
    with engine.connect() as c:
        rows = c.execute(sa.select(ri).where(ri.c.run_id == run).order_by(ri.c.item_id, ri.c.content_hash))
        return [
            RunItem(
                r.item_id,
                r.content_hash,
                list(r.categories),
                list(r.thresholds),
                list(r.threshold_se),
                r.location,
                r.infit,
                r.outfit,
                r.anchored,
                r.answers,
            )
            for r in rows
        ]


def run_measures(engine: sa.Engine, run: int) -> list[Measure]:
    rm = t.hr_run_measures
    with engine.connect() as c:
        rows = c.execute(
            sa.select(rm).where(rm.c.run_id == run).order_by(rm.c.event_id, rm.c.phase_id, rm.c.person_id)
        )
        return [
            Measure(r.event_id, r.phase_id, r.person_id, r.theta, r.se, r.scaled, r.percentage) for r in rows
        ]


def put_run(engine: sa.Engine, run: dict, items: Sequence[dict], measures: Sequence[dict], actor: str) -> int:
    """Store a run with its items and measures in one transaction; returns its number."""
    with engine.begin() as c:
        number = c.execute(t.hr_runs.insert().values(created_at=utcnow(), **run)).inserted_primary_key[0]
        for table, rows in ((t.hr_run_items, items), (t.hr_run_measures, measures)):
            for start in range(0, len(rows), CHUNK):
                c.execute(table.insert(), [{"run_id": number, **r} for r in rows[start : start + CHUNK]])
        details = {
            "run": number,
            "anchored_to": run["anchored_to"],
            "persons": run["persons"],
            "items": run["items"],
        }
        write_hr_audit(c, actor, "calibration.run", details)
    return number
