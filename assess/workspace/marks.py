"""The workspace steps of essay marking: read the store, call the core, write files.

`assess marks export` and `assess marks import` each call one function here;
the rows themselves are built by `assess.delivery.marks` (no I/O) and written
by `assess.sheets.write`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assess.delivery.marks import Finished, MarksContext, essays, essays_sheets, plan_marks, unmarked
from assess.problems import Problem, ProblemsFound
from assess.sheets.read import read_table
from assess.sheets.write import format_of, write_table
from assess.store.store import FINISHED
from assess.workspace import Workspace
from assess.workspace.files import MARKS_FILE
from assess.workspace.steps import score_phase

MARKER = "import"  # who the audit log names for marks read from a file


def finished_attempts(ws: Workspace, phase_id: str) -> list[Finished]:
    """One finished attempt per participant (the latest, should there be more)."""
    latest = {a.person_id: a.id for a in ws.store.attempts(ws.event_id, phase_id, statuses=FINISHED)}
    return [Finished(attempt_id, person) for person, attempt_id in sorted(latest.items())]


# -- essay marks ---------------------------------------------------------------------------


def default_marks_file(ws: Workspace, phase_id: str) -> Path:
    return ws.folder / MARKS_FILE.format(phase=phase_id)


def export_marks(ws: Workspace, phase_id: str, path: Path) -> int:
    """Write the essays of a phase to mark (CSV or XLSX by the suffix); how many essays."""
    form = ws.form(phase_id)
    if not essays(form):
        raise ProblemsFound([Problem("MARKS-NO-ESSAYS", {"phase": phase_id})])
    if format_of(path) is None:
        raise ProblemsFound([Problem("EXPORT-OUT-SUFFIX", {"suffix": path.suffix or path.name}, str(path))])
    attempts = finished_attempts(ws, phase_id)
    ids = [a.attempt_id for a in attempts]
    sheets = essays_sheets(form, attempts, ws.store.answers_of(ids), ws.store.marks_of(ids))
    write_table(path, sheets)
    return len(sheets[0].rows)


@dataclass(frozen=True)
class MarksImported:
    changed: int
    unchanged: int
    unmarked: dict[str, int]  # phase -> essays still waiting for a mark
    provisional: dict[str, int]  # phase -> provisional results after re-scoring


def import_marks(ws: Workspace, path: Path, now: dt.datetime) -> MarksImported:
    """Read the levels a marker chose and store them, then re-score the phases the file names.

    The whole file is checked first: with any problem, no mark is stored.
    """
    table = read_table(path)
    forms = ws.forms()
    attempts = {phase: finished_attempts(ws, phase) for phase in forms}
    ids = [a.attempt_id for found in attempts.values() for a in found]
    answers = ws.store.answers_of(ids)
    context = MarksContext(
        forms=forms,
        participants=frozenset(p.person_id for p in ws.store.participants(ws.event_id)),
        attempts={(phase, a.person_id): a.attempt_id for phase, found in attempts.items() for a in found},
        answers=answers,
        marks=ws.store.marks_of(ids),
    )
    plan = plan_marks(table, file=str(path), context=context)
    marks = [(c.attempt_id, c.item_id, c.level_id) for c in plan.changes]
    remaining, provisional = store_marks(ws, marks, plan.phases, MARKER, now)
    return MarksImported(len(plan.changes), plan.unchanged, remaining, provisional)


def store_marks(
    ws: Workspace,
    marks: list[tuple[int, str, str]],
    phases: tuple[str, ...],
    marker: str,
    now: dt.datetime,
    comment: str | None = None,
) -> tuple[dict[str, int], dict[str, int]]:
    """Store essay marks (attempt id, item id, level id) in one transaction (a failure part-way stores
    none), then score the phases again: the one path of a marks file and of marking on the dashboard.
    Per phase: the essays still waiting for a mark, and the provisional results."""
    ws.store.set_marks(marks, marker, now, comment)
    remaining, provisional = {}, {}
    for phase in phases:
        provisional[phase] = score_phase(ws, phase, now).provisional
        ids = [a.attempt_id for a in finished_attempts(ws, phase)]
        remaining[phase] = unmarked(ws.form(phase), ids, ws.store.answers_of(ids), ws.store.marks_of(ids))
    return remaining, provisional
