"""The workspace steps of essay marking and exports: read the store, call the core, write files.

`assess marks export`, `assess marks import` and `assess export` each call
one function here; the rows themselves are built by `assess.marks` and
`assess.export` (no I/O), and written by `assess.tables_out`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assess.export import ExportData, long_sheet, people, wide_sheet, workbook
from assess.forms import Form
from assess.marks import Finished, MarksContext, essays, essays_sheets, plan_marks, unmarked
from assess.participants_io import read_table
from assess.pipeline import score_phase
from assess.problems import Problem, ProblemsFound
from assess.store import schema
from assess.store.store import FINISHED
from assess.tables_out import format_of, write_table
from assess.workspace import Workspace, secret

FORMATS = ("xlsx", "csv-wide", "csv-long")
MARKER = "import"  # who the audit log names for marks read from a file


def _forms(ws: Workspace) -> dict[str, Form]:
    """The stored form of every phase that has one, in the event's order."""
    return {
        p.id: ws.store.form(ws.event_id, p.id)
        for p in ws.loaded.event.phases
        if ws.store.has_form(ws.event_id, p.id)
    }


def _phase_form(ws: Workspace, phase_id: str) -> Form:
    phases = [p.id for p in ws.loaded.event.phases]
    if phase_id not in phases:
        raise ProblemsFound([Problem("WORKSPACE-NO-PHASE", {"phase": phase_id, "known": ", ".join(phases)})])
    if not ws.store.has_form(ws.event_id, phase_id):
        raise ProblemsFound([Problem("WORKSPACE-NO-FORM", {"phase": phase_id})])
    return ws.store.form(ws.event_id, phase_id)


def _finished(ws: Workspace, phase_id: str) -> list[Finished]:
    """One finished attempt per participant (the latest, should there be more)."""
    latest = {a.person_id: a.id for a in ws.store.attempts(ws.event_id, phase_id, statuses=FINISHED)}
    return [Finished(attempt_id, person) for person, attempt_id in sorted(latest.items())]


# -- essay marks ---------------------------------------------------------------------------


def default_marks_file(ws: Workspace, phase_id: str) -> Path:
    return ws.folder / f"penilaian-uraian-{phase_id}.xlsx"


def export_marks(ws: Workspace, phase_id: str, path: Path) -> int:
    """Write the essays of a phase to mark (CSV or XLSX by the suffix); how many essays."""
    form = _phase_form(ws, phase_id)
    if not essays(form):
        raise ProblemsFound([Problem("MARKS-NO-ESSAYS", {"phase": phase_id})])
    if format_of(path) is None:
        raise ProblemsFound([Problem("EXPORT-OUT-SUFFIX", {"suffix": path.suffix or path.name}, str(path))])
    attempts = _finished(ws, phase_id)
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
    forms = _forms(ws)
    attempts = {phase: _finished(ws, phase) for phase in forms}
    ids = [a.attempt_id for found in attempts.values() for a in found]
    answers = ws.store.answers_of(ids)
    context = MarksContext(
        forms=forms,
        participants=frozenset(p["person_id"] for p in ws.store.participants(ws.event_id)),
        attempts={(phase, a.person_id): a.attempt_id for phase, found in attempts.items() for a in found},
        answers=answers,
        marks=ws.store.marks_of(ids),
    )
    plan = plan_marks(table, file=str(path), context=context)
    # All the file's marks in one transaction: a failure part-way stores none.
    ws.store.set_marks([(c.attempt_id, c.item_id, c.level_id) for c in plan.changes], MARKER, now)
    marks = ws.store.marks_of(ids)
    remaining, provisional = {}, {}
    for phase in plan.phases:
        scores = score_phase(ws, phase, now)
        provisional[phase] = scores.provisional
        remaining[phase] = unmarked(forms[phase], [a.attempt_id for a in attempts[phase]], answers, marks)
    return MarksImported(len(plan.changes), plan.unchanged, remaining, provisional)


# -- exports ---------------------------------------------------------------------------------


def default_export_file(ws: Workspace, fmt: str, phase: str | None, pseudonymise: bool) -> Path:
    name = {"xlsx": "hasil", "csv-wide": "hasil", "csv-long": "jawaban"}[fmt]
    parts = [name, ws.event_id] + ([phase] if phase else []) + (["pseudonim"] if pseudonymise else [])
    return ws.folder / ("-".join(parts) + (".xlsx" if fmt == "xlsx" else ".csv"))


def choose_format(fmt: str | None, out: Path | None) -> str:
    """The format asked for, or the one the output file's suffix implies (CSV: wide)."""
    if out is not None:
        kind = format_of(out)
        if kind is None:
            raise ProblemsFound([Problem("EXPORT-OUT-SUFFIX", {"suffix": out.suffix or out.name}, str(out))])
        if fmt is not None and (fmt == "xlsx") != (kind == "xlsx"):
            expected = ".xlsx" if fmt == "xlsx" else ".csv"
            raise ProblemsFound(
                [
                    Problem(
                        "EXPORT-FORMAT-MISMATCH",
                        {"format": fmt, "expected": expected, "suffix": out.suffix},
                        str(out),
                    )
                ]
            )
        return fmt or ("xlsx" if kind == "xlsx" else "csv-wide")
    return fmt or "xlsx"


@dataclass(frozen=True)
class Exported:
    path: Path
    format: str
    rows: int  # data rows of the main table (results, or responses for csv-long)


def export_results(
    ws: Workspace, fmt: str | None, out: Path | None, *, pseudonymise: bool, phase: str | None
) -> Exported:
    """Write the event's results as long CSV, wide CSV or a workbook."""
    fmt = choose_format(fmt, out)
    forms = _forms(ws)
    if phase is not None:
        _phase_form(ws, phase)
    phases = [phase] if phase else list(forms)
    store, event_id = ws.store, ws.event_id
    results = store.results(event_id)
    data = ExportData(
        event_id=event_id,
        participants=store.participants(event_id),
        units=store.codes(event_id, schema.units),
        groups=store.codes(event_id, schema.groups),
        forms=forms,
        results=results,
        answers=store.answers_of([r["attempt_id"] for r in results]) if fmt == "csv-long" else {},
    )
    who = people(data, secret(ws, "pseudonym") if pseudonymise else None)
    if fmt == "csv-long":
        sheets = [long_sheet(data, who, phases)]
    elif fmt == "csv-wide":
        sheets = [wide_sheet(data, who, phases, pseudonymised=pseudonymise)]
    else:
        sheets = workbook(data, who, phases, pseudonymised=pseudonymise)
    path = out or default_export_file(ws, fmt, phase, pseudonymise)
    write_table(path, sheets)
    main = sheets[0] if fmt != "xlsx" else sheets[1]
    return Exported(path, fmt, len(main.rows))
