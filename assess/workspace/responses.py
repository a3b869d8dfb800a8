"""Response imports on a workspace: read the file (and a mapping file), plan, write, re-score.

The adapter of `assess.delivery.gforms` and `assess.delivery.answer_sheet`: it reads CSV or
XLSX through `assess.sheets.read.read_table`, the mapping file as YAML,
and the phase's stored form and participants; the core plans every attempt
or reports every problem; only then are the attempts written, all in one
transaction (`Store.import_attempts`, channel "import"), and the phase is
scored again. A file with any problem writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assess.bank.loader import InvalidFile, read_yaml
from assess.delivery.answer_sheet import plan_answer_sheet, template_rows
from assess.delivery.gforms import MATCH_KINDS, MappingEntry, Settings, plan_google_forms
from assess.delivery.imports import STRICT, UNKNOWN, AttemptsPlan, Leniency, Note, Skipped
from assess.i18n import N_
from assess.i18n.numbers import numbers
from assess.problems import Phrase, Problem, ProblemsFound
from assess.sheets.read import CSV_SUFFIXES, read_table
from assess.sheets.write import private_file
from assess.store.store import SUPERSEDED, StoreError
from assess.workspace import Workspace
from assess.workspace.files import ANSWER_SHEET_FILE, SKIPPED_FILE
from assess.workspace.steps import PhaseScores, score_phase

GOOGLE_FORMS, SHEET = "google-forms", "sheet"
FORMATS = (GOOGLE_FORMS, SHEET)
TEMPLATE_ROWS_EXTRA = 20  # formatted rows below the participants, for late additions


@dataclass(frozen=True)
class ImportReport:
    phase: str
    imported: int
    notes: list[Note]
    form_scores: list[float]  # Google Forms' own percentages: reported, not used
    without_response: int  # participants with no attempt in the file
    scores: PhaseScores
    skipped: list[Skipped]  # rows left out, as the import's options allowed
    skipped_file: Path | None  # where the rows of unknown participants are listed


def read_mapping(path: Path) -> list[MappingEntry]:
    """A mapping file (YAML: column title or number -> item id) with each entry's place."""
    try:
        ctx = read_yaml(path)
    except InvalidFile as e:
        problems = [
            Problem("RESPONSES-MAPPING-NOT-MAPPING", {}, p.file, p.line, p.column)
            if p.code == "FILE-NOT-MAPPING"
            else p
            for p in e.problems
        ]
        raise ProblemsFound(problems) from None
    entries = []
    for key, value in ctx.data.items():
        line, column = ctx.locator.position((key,), key=True) or (None, None)
        entries.append(MappingEntry(key, value, line, column))
    return entries


def import_responses(
    ws: Workspace,
    path: Path,
    *,
    fmt: str,
    phase_id: str,
    now: dt.datetime,
    match_by: str | None = None,
    mapping: Path | None = None,
    leniency: Leniency = STRICT,
) -> ImportReport:
    """Import a Google Forms export or an answer sheet into a phase, all or nothing (but for the rows
    `leniency` leaves out, the unknown ones listed in a file beside `path`); then score it."""
    form = ws.form(phase_id)
    store, event_id = ws.store, ws.event_id
    table = read_table(path)
    participants = store.participants(event_id)
    attempts = [a for a in store.attempts(event_id, phase_id) if a.status != SUPERSEDED]
    taken = frozenset(a.person_id for a in attempts)
    if fmt == GOOGLE_FORMS:
        config = ws.loaded.event.imports.google_forms
        chosen = match_by if match_by in MATCH_KINDS else config.match_by
        settings = Settings(
            match_by=chosen,
            column=config.column if chosen == config.match_by else None,
            time_zone=ws.loaded.event.event.time_zone,
        )
        plan: AttemptsPlan = plan_google_forms(
            table,
            form,
            participants,
            file=str(path),
            settings=settings,
            mapping=read_mapping(mapping) if mapping is not None else (),
            mapping_file=str(mapping) if mapping is not None else None,
            taken=taken,
            imported=frozenset((a.person_id, a.started_at) for a in attempts if a.channel == "import"),
            leniency=leniency,
        )
    else:
        plan = plan_answer_sheet(table, form, participants, file=str(path), taken=taken, leniency=leniency)
    try:
        store.import_attempts(event_id, phase_id, plan.records, channel="import", now=now, actor="import")
    except StoreError as e:  # a participant who started an attempt meanwhile
        raise ProblemsFound([Problem(e.code, e.params, str(path))]) from None
    scores = score_phase(ws, phase_id, now)
    answered = {r["person_id"] for r in plan.records}
    return ImportReport(
        phase_id,
        len(plan.records),
        plan.notes,
        plan.form_scores,
        sum(p.person_id not in answered | taken for p in participants),
        scores,
        plan.skipped,
        write_skipped(path, [s for s in plan.skipped if s.why == UNKNOWN]),
    )


def write_skipped(path: Path, unknown: list[Skipped]) -> Path | None:
    """The rows of participants not known, listed beside the imported file (row, who, as written), for
    the trainer to add them or correct the file; None when there are none."""
    if not unknown:
        return None
    import csv
    import io

    from assess.i18n import _

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("row"), _("respondent")])
    writer.writerows([[s.line, s.who] for s in unknown])
    listed = path.with_name(SKIPPED_FILE.format(stem=path.stem))
    # With a byte-order mark, Excel reads UTF-8.
    private_file(listed).write_text("\ufeff" + out.getvalue(), encoding="utf-8", newline="")
    return listed


def default_template_path(ws: Workspace, phase_id: str) -> Path:
    return ws.folder / ANSWER_SHEET_FILE.format(phase=phase_id)


def write_sheet_template(ws: Workspace, phase_id: str, path: Path) -> int:
    """The empty answer sheet of a phase: XLSX (every cell formatted as text), or a CSV header and
    rows when `path` ends in .csv. Returns the number of participants listed."""
    form = ws.form(phase_id)
    participants = ws.store.participants(ws.event_id)
    headers, rows = template_rows(form, participants)
    if path.suffix.lower() in CSV_SUFFIXES:
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)
        # With a byte-order mark, Excel reads UTF-8.
        private_file(path).write_text("\ufeff" + out.getvalue(), encoding="utf-8", newline="")
        return len(rows)
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from assess.i18n import _

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Answer sheet")[:31]
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for i in range(1, len(headers) + 1):
        letter = get_column_letter(i)
        sheet.cell(1, i).font = Font(bold=True)
        sheet.column_dimensions[letter].width = (10, 32, 8)[i - 1] if i <= 3 else 6
        for line in range(1, len(rows) + TEMPLATE_ROWS_EXTRA + 2):
            sheet.cell(line, i).number_format = "@"  # text: "1C 2A", a NIP, a typed number stay as typed
    sheet.freeze_panes = "D2"
    book.save(private_file(path))
    return len(rows)


def summary_lines(report: ImportReport, file: str) -> list[str]:
    """What the command prints after a successful import."""
    from assess.i18n import _, ngettext

    lines = [
        ngettext(
            "phase {phase}: {n} attempt imported from {file}",
            "phase {phase}: {n} attempts imported from {file}",
            report.imported,
        ).format(phase=report.phase, n=report.imported, file=file)
    ]
    for note in report.notes:
        lines.append("  " + str(note.phrase))
    if report.form_scores:
        mean = sum(report.form_scores) / len(report.form_scores)
        own = Phrase(N_("the export's own scores (not used): mean {mean}%"), {"mean": numbers().dec(mean, 1)})
        lines.append(f"  {own}")
    unknown = sum(s.why == UNKNOWN for s in report.skipped)
    if unknown:
        lines.append(
            "  "
            + ngettext(
                "{n} row skipped: its participant is not known (listed in {file})",
                "{n} rows skipped: their participants are not known (listed in {file})",
                unknown,
            ).format(n=unknown, file=report.skipped_file)
        )
    before = len(report.skipped) - unknown
    if before:
        lines.append(
            "  "
            + ngettext(
                "{n} row skipped: imported before", "{n} rows skipped: imported before", before
            ).format(n=before)
        )
    if report.without_response:
        lines.append(
            "  "
            + ngettext(
                "{n} participant has no attempt on this phase",
                "{n} participants have no attempt on this phase",
                report.without_response,
            ).format(n=report.without_response)
        )
    s = report.scores
    mean = numbers(missing="-").dec(s.mean_percentage, 1)
    lines.append(
        _("phase {phase}: {n} attempts scored ({provisional} provisional), mean {mean}%").format(
            phase=s.phase, n=s.scored, provisional=s.provisional, mean=mean
        )
    )
    return lines
