"""One scale across events (assess hr calibrate): every added event's results calibrated together with the
Rasch and partial credit models (assess.analysis.rasch), stored as a run.

- An item is its id and the content hash of its text in the form (another text is another item).
- Its score in a result is its points there; the distinct points it was given, lowest first, are its
  categories 0..m (a right/wrong item: 0 and 1; weighted options 1..5: five categories). An anchored
  item keeps the categories of the run it comes from; points between them count as the one below.
- A run after the first fixes the thresholds of the items it shares with the latest run, so that the
  measures of earlier events do not move, and keeps the first run's m and s: the reported scale is
  500 + 100 (theta - m) / s, m and s the mean and standard deviation of the first run's measures.
- A result without a calibrated item has no measure; its percent correct stands beside every measure.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from assess.analysis.rasch import ScoreBlocks, rasch
from assess.forms import Form, content_hash
from assess.problems import Phrase, Problem, ProblemsFound
from assess.store import hr as hr_store
from assess.store import hr_runs
from assess.store import schema as t
from assess.store.store import Store

ACTOR = "hr"
SCALE_CENTRE, SCALE_UNIT = 500.0, 100.0
DIGITS = 6  # points compared to a millionth: 0.2 * 3 and 0.6 are one category
# Why an item was left out of a run: it shares no result with the items on the scale (a form drawn
# with no item of the others'), or a score category nobody with a total neither 0 nor full used.
NOT_LINKED, EMPTY_CATEGORY = "not_linked", "empty_category"


@dataclass(frozen=True)
class Gathered:
    """Every result of the added events as a row, every item version as a column, and the points of
    each item a result gave as one cell (a result has only its form's items: the rest is not stored)."""

    columns: list[tuple[str, str]]  # (item id, content hash)
    rows: list[tuple[str, str, str, float]]  # (event, phase, person, percentage)
    cell_rows: np.ndarray
    cell_columns: np.ndarray
    cell_points: np.ndarray
    events: list[str]


def gather(store: Store) -> Gathered:
    """The points of every item in every result of every added event (essays still to mark left out)."""
    events = [e.event_id for e in hr_store.added_events(store.engine)]
    forms = t.forms
    with store.engine.connect() as c:  # one query for every form: a round trip each is seconds
        snapshots = c.execute(
            sa.select(forms.c.event_id, forms.c.phase_id, forms.c.snapshot).where(
                forms.c.event_id.in_(events)
            )
        ).all()
    hashes: dict[tuple[str, str, str], str] = {}
    for event_id, phase_id, snapshot in snapshots:
        for item in Form.model_validate_json(snapshot).items:
            hashes[(event_id, phase_id, item.id)] = content_hash(item.model_dump(mode="json"))
    columns: dict[tuple[str, str], int] = {}
    rows: list[tuple[str, str, str, float]] = []
    cell_rows, cell_columns, cell_points = [], [], []
    if events:
        for event_id, phase_id, person_id, percentage, marks in store.result_marks(events):
            row = len(rows)
            rows.append((event_id, phase_id, person_id, percentage))
            for item_id, mark in (marks or {}).items():
                version = hashes.get((event_id, phase_id, item_id))
                if version is None or mark.get("pending") or mark["max"] <= 0:
                    continue
                cell_rows.append(row)
                cell_columns.append(columns.setdefault((item_id, version), len(columns)))
                cell_points.append(mark["points"])
    return Gathered(
        list(columns),
        rows,
        np.array(cell_rows, dtype=np.int64),
        np.array(cell_columns, dtype=np.int64),
        np.round(np.array(cell_points, dtype=float), DIGITS),
        events,
    )


def _categories(found: Gathered, given: dict[int, list[float]]) -> tuple[list[list[float]], np.ndarray]:
    """Each column's categories (points, lowest first: those `given` for an anchored column, else the
    distinct points given) and each cell's category number: the category at or below its points (an
    anchored item's points between its categories count as the one below)."""
    order = np.argsort(found.cell_columns, kind="stable")
    columns, points = found.cell_columns[order], found.cell_points[order]
    bounds = np.searchsorted(columns, np.arange(len(found.columns) + 1))
    categories, numbers = [], np.empty(len(points))
    for j in range(len(found.columns)):
        seen = points[bounds[j] : bounds[j + 1]]
        edges = np.asarray(given[j]) if j in given else np.unique(seen)
        categories.append([float(e) for e in edges])
        numbers[bounds[j] : bounds[j + 1]] = np.clip(
            np.searchsorted(edges, seen + 10**-DIGITS, side="right") - 1, 0, None
        )
    out = np.empty(len(points))
    out[order] = numbers
    return categories, out


@dataclass(frozen=True)
class Calibrated:
    run: int
    anchored_to: int | None
    persons: int
    items: int
    anchored: int
    not_calibrated: list[tuple[str, str]]  # (item id, NOT_LINKED or EMPTY_CATEGORY), left out


def calibrate(store: Store) -> Calibrated:
    """A new run over every added event, anchored to the latest run; stored in one transaction."""
    found = gather(store)
    if not found.rows or not found.columns:
        raise ProblemsFound([Problem("HR-CALIBRATION-NO-RESULTS", {})])
    previous = hr_runs.latest_run(store.engine)
    earlier = (
        {(i.item_id, i.content_hash): i for i in hr_runs.run_items(store.engine, previous.number)}
        if previous
        else {}
    )
    given, anchors = {}, {}
    for j, version in enumerate(found.columns):
        if (anchor := earlier.get(version)) is not None:
            given[j] = anchor.categories
            if len(anchor.thresholds) == len(anchor.categories) - 1:
                anchors[j] = anchor.thresholds
    categories, numbers = _categories(found, given)
    if previous is not None and not anchors:
        raise ProblemsFound([Problem("HR-CALIBRATION-NOT-LINKED", {"run": previous.number})])
    marks = ScoreBlocks.from_cells(
        (len(found.rows), len(found.columns)), found.cell_rows, found.cell_columns, numbers
    )
    kept = np.flatnonzero(linked_columns(marks, set(anchors)))
    top = np.array([len(categories[j]) - 1 for j in kept], dtype=float)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fixed = {int(np.flatnonzero(kept == j)[0]): taus for j, taus in anchors.items()}
            part = rasch(marks.columns(kept), max_scores=top, anchors=fixed)
    except ValueError as e:
        raise ProblemsFound([Problem("HR-CALIBRATION-FAILED", {"reason": Phrase(str(e))})]) from None
    result = _spread(part, kept, len(found.columns))
    theta, se = part.persons.theta, part.persons.se  # NaN for a result with no calibrated item
    if previous is None:
        finite = theta[np.isfinite(theta)]
        if len(finite) < 2 or np.std(finite, ddof=1) == 0:
            raise ProblemsFound([Problem("HR-CALIBRATION-NO-SPREAD", {"n": len(finite)})])
        m, s = float(np.mean(finite)), float(np.std(finite, ddof=1))
    else:
        m, s = previous.scale_mean, previous.scale_sd
    return _store(store, found, result, categories, anchors, theta, se, (m, s), previous)


def linked_columns(marks: ScoreBlocks, anchored: set[int]) -> np.ndarray:
    """The columns on one scale: those joined by the results to an anchored item, or without anchors the
    group of items (joined by results that gave items of both) that the most results answered. Forms
    sharing no item with it (a post-test drawn with no item of the pre-test's) are left out, named."""
    roots = marks.linked()
    if anchored:
        return np.isin(roots, [roots[j] for j in anchored])
    answered: dict[int, set[int]] = {}
    for b in marks.blocks:
        answered.setdefault(int(roots[b.items[0]]), set()).update(b.rows.tolist())
    answers = {int(r): len(answered.get(int(r), ())) for r in set(roots.tolist())}
    return roots == max(answers, key=lambda r: (answers[r], -r))


@dataclass(frozen=True)
class _Spread:
    """The rasch result's items over every column of the gathered matrix."""

    thresholds: list
    threshold_se: list
    location: np.ndarray
    infit: np.ndarray
    outfit: np.ndarray
    not_calibrated: dict[int, str]  # column -> NOT_LINKED or EMPTY_CATEGORY
    iterations: int


def _spread(part, kept: np.ndarray, k: int) -> _Spread:
    nan = np.full(k, np.nan)
    out = _Spread([None] * k, [None] * k, nan.copy(), nan.copy(), nan.copy(), {}, part.items.iterations)
    for j in range(k):
        if j not in kept:
            out.not_calibrated[j] = NOT_LINKED
    for local, j in enumerate(kept):
        if local in part.items.not_calibrated:
            out.not_calibrated[int(j)] = EMPTY_CATEGORY
            continue
        out.thresholds[j] = part.items.thresholds[local]
        out.threshold_se[j] = part.items.threshold_se[local]
        out.location[j] = part.items.location[local]
        out.infit[j] = part.items.infit[local]
        out.outfit[j] = part.items.outfit[local]
    return out


def _store(store, found, result, categories, anchors, theta, se, scale, previous) -> Calibrated:
    m, s = scale
    items, left_out = [], []
    answers = np.bincount(found.cell_columns, minlength=len(found.columns))
    for j, (item_id, version) in enumerate(found.columns):
        if j in result.not_calibrated:
            left_out.append((item_id, result.not_calibrated[j]))
            continue
        items.append(
            {
                "item_id": item_id,
                "content_hash": version,
                "categories": categories[j],
                # an anchored item's thresholds as the earlier run stored them: no drift from run to run
                "thresholds": list(anchors[j]) if j in anchors else [float(x) for x in result.thresholds[j]],
                "threshold_se": [None if np.isnan(x) else float(x) for x in result.threshold_se[j]],
                "location": float(result.location[j]),
                "infit": _number(result.infit[j]),
                "outfit": _number(result.outfit[j]),
                "anchored": j in anchors,
                "answers": int(answers[j]),
            }
        )
    measures = [
        {
            "event_id": event_id,
            "phase_id": phase_id,
            "person_id": person_id,
            "theta": _number(theta[r]),
            "se": _number(se[r]),
            "scaled": _number(SCALE_CENTRE + SCALE_UNIT * (theta[r] - m) / s),
            "percentage": float(percentage),
        }
        for r, (event_id, phase_id, person_id, percentage) in enumerate(found.rows)
    ]
    run = {
        "anchored_to": previous.number if previous else None,
        "scale_mean": m,
        "scale_sd": s,
        "events": found.events,
        "persons": int(np.isfinite(theta).sum()),
        "items": len(items),
        "anchored_items": len(anchors),
        "iterations": int(result.iterations),
        "notes": [{"item": i, "why": why} for i, why in left_out],
    }
    number = hr_runs.put_run(store.engine, run, items, measures, ACTOR)
    return Calibrated(number, run["anchored_to"], run["persons"], len(items), len(anchors), left_out)


def _number(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def scaled(theta: float | None, run: hr_runs.Run) -> float | None:
    """A measure on the reported scale of `run`."""
    return None if theta is None else SCALE_CENTRE + SCALE_UNIT * (theta - run.scale_mean) / run.scale_sd


def item_table(items: Sequence[hr_runs.RunItem]) -> list[hr_runs.RunItem]:
    return sorted(items, key=lambda i: (i.location, i.item_id))
