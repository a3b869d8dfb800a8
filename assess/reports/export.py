"""`assess export`: the event's results written as long CSV, wide CSV or a workbook.

The rows are built by `assess.reports.tables` (no I/O) and written by `assess.sheets.write`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assess.adjustments import effective
from assess.i18n import current_language
from assess.problems import Problem, ProblemsFound
from assess.reports.context import competency_words
from assess.reports.measured import Measured, measured
from assess.reports.tables import ExportData, long_sheet, people, wide_sheet, workbook
from assess.sheets.write import format_of, write_table
from assess.workspace import Workspace, secret
from assess.workspace.files import PSEUDONYMISED, RESPONSES_EXPORT, RESULTS_EXPORT

FORMATS = ("xlsx", "csv-wide", "csv-long")


def default_export_file(ws: Workspace, fmt: str, phase: str | None, pseudonymise: bool) -> Path:
    name = RESPONSES_EXPORT if fmt == "csv-long" else RESULTS_EXPORT
    parts = [name, ws.event_id] + ([phase] if phase else []) + ([PSEUDONYMISED] if pseudonymise else [])
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
    ws: Workspace,
    fmt: str | None,
    out: Path | None,
    *,
    pseudonymise: bool,
    phase: str | None,
    decimal_comma: bool = False,
) -> Exported:
    """Write the event's results as long CSV, wide CSV or a workbook, labelled in the interface's language
    (phase titles, item types, competency names); `decimal_comma` for a CSV with decimal commas and `;`."""
    fmt = choose_format(fmt, out)
    forms = ws.forms()
    if phase is not None:
        ws.form(phase)
    phases = [phase] if phase else list(forms)
    store, event_id = ws.store, ws.event_id
    results = store.results(event_id)
    data = ExportData(
        event_id=event_id,
        participants=store.participants(event_id),
        units=store.units(event_id),
        groups=store.groups(event_id),
        forms=forms,
        results=results,
        answers=store.answers_of([r.attempt_id for r in results]) if fmt == "csv-long" else {},
        phase_titles={p.id: ws.loaded.event.phase_title(p.id) for p in ws.loaded.event.phases},
        competency_names=competency_words(ws.loaded.library, current_language())[0],
        measured=_measured(ws, forms, results),
    )
    who = people(data, secret(ws, "pseudonym") if pseudonymise else None)
    if fmt == "csv-long":
        sheets = [long_sheet(data, who, phases)]
    elif fmt == "csv-wide":
        sheets = [wide_sheet(data, who, phases, pseudonymised=pseudonymise)]
    else:
        sheets = workbook(data, who, phases, pseudonymised=pseudonymise)
    path = out or default_export_file(ws, fmt, phase, pseudonymise)
    write_table(path, sheets, decimal_comma=decimal_comma)
    main = sheets[0] if fmt != "xlsx" else sheets[1]
    return Exported(path, fmt, len(main.rows))


def _measured(ws: Workspace, forms, results) -> dict[str, dict[str, Measured]]:
    """Per phase, what its form measured of each reported competency, as the reports count it."""
    event = ws.loaded.event
    found = {}
    for phase, form in forms.items():
        changes = effective(ws.store.adjustments(ws.event_id, phase))
        latest = {r.person_id: r for r in sorted(results, key=lambda r: r.attempt_id) if r.phase_id == phase}
        rows = list(latest.values())
        levels = len(form.grading.level_thresholds)
        found[phase] = measured(form, changes, rows, event.reporting, levels)
    return found
