"""`assess marks ...` and `assess export`: essay marking and exports."""

from __future__ import annotations

from pathlib import Path

import click

from assess.cli.support import Group, open_workspace, option, shared_options
from assess.i18n import N_, _, ngettext
from assess.reports.export import FORMATS, export_results
from assess.workspace import now
from assess.workspace.marks import default_marks_file, export_marks, import_marks


@click.group("marks", cls=Group, help=N_("Essay marks: export the essays to mark, import the levels chosen."))
@shared_options()
def marks() -> None:
    pass


@marks.command(
    "export",
    help=N_(
        "Write the essays of a phase to mark: one row per answered essay, with the participant's id, "
        "the answer, the rubric's levels and the level stored so far. Fill in the Level column (a "
        "level's id, its label or its points) and read the file back with assess marks import. XLSX "
        "or CSV by the file's suffix; the default is penilaian-uraian-PHASE.xlsx in the workspace."
        "\n\nExample: assess marks export --phase post --out nilai-uraian.xlsx"
    ),
)
@option("--phase", "phase_id", required=True, help=N_("The phase, e.g. pre."))
@option("--out", "out", default=None, help=N_("The file to write (.xlsx or .csv)."))
@shared_options()
@click.pass_context
def marks_export(ctx: click.Context, phase_id: str, out: str | None) -> None:
    ws = open_workspace(ctx)
    path = Path(out) if out else default_marks_file(ws, phase_id)
    n = export_marks(ws, phase_id, path)
    click.echo(
        ngettext("{n} essay to mark written to {path}.", "{n} essays to mark written to {path}.", n).format(
            n=n, path=path
        )
    )


@marks.command(
    "import",
    help=N_(
        "Read a marks file back (as assess marks export wrote it, CSV or XLSX) and store the levels "
        "chosen, then score the phases again. The whole file is checked first: with any problem, no "
        "mark is stored. A row whose Level is empty changes nothing. Results become final when every "
        "essay is marked.\n\nExample: assess marks import penilaian-uraian-post.xlsx"
    ),
)
@click.argument("file")
@shared_options()
@click.pass_context
def marks_import(ctx: click.Context, file: str) -> None:
    ws = open_workspace(ctx)
    done = import_marks(ws, Path(file), now())
    stored = ngettext(
        "{n} mark stored, {unchanged} unchanged.", "{n} marks stored, {unchanged} unchanged.", done.changed
    )
    click.echo(stored.format(n=done.changed, unchanged=done.unchanged))
    for phase, left in done.unmarked.items():
        if left:
            text = ngettext(
                "phase {phase}: {n} essay still to mark; {provisional} results provisional.",
                "phase {phase}: {n} essays still to mark; {provisional} results provisional.",
                left,
            )
            click.echo(text.format(phase=phase, n=left, provisional=done.provisional[phase]))
        else:
            click.echo(_("phase {phase}: every essay is marked; the results are final.").format(phase=phase))


@click.command(
    "export",
    cls=Group.command_class,
    help=N_(
        "Write the event's results: xlsx (sheets of participants, results and items, for Excel), "
        "csv-wide (one row per attempt: total, band, each item's points, competencies) or csv-long "
        "(one row per attempt and item, with the response). Without --format, the suffix of --out "
        "decides (.csv: csv-wide). Cells that a spreadsheet would run as a formula are written as "
        "text. --pseudonymise replaces names and NIPs with stable pseudonyms and leaves out email "
        "addresses.\n\nExample: assess export --format xlsx --out hasil.xlsx --pseudonymise"
    ),
)
@option(
    "--format", "fmt", type=click.Choice(FORMATS), default=None, help=N_("What to write (default: xlsx).")
)
@option("--out", "out", default=None, help=N_("The file to write (default: in the workspace)."))
@option("--pseudonymise", is_flag=True, help=N_("Replace names and NIPs with pseudonyms; leave out email."))
@option(
    "--decimal-comma",
    is_flag=True,
    help=N_("CSV: decimal commas and ; between fields, as spreadsheets set to Indonesian read them."),
)
@option("--phase", "phase_id", default=None, help=N_("Only this phase (default: every phase with a form)."))
@shared_options()
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str | None,
    out: str | None,
    pseudonymise: bool,
    decimal_comma: bool,
    phase_id: str | None,
) -> None:
    ws = open_workspace(ctx)
    target = Path(out) if out else None
    done = export_results(
        ws, fmt, target, pseudonymise=pseudonymise, phase=phase_id, decimal_comma=decimal_comma
    )
    click.echo(
        ngettext(
            "{n} row written to {path} ({format}).", "{n} rows written to {path} ({format}).", done.rows
        ).format(n=done.rows, path=done.path, format=done.format)
    )
