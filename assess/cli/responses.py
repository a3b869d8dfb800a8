"""`assess responses ...`: answers from outside the web app (Google Forms, paper answer sheets)."""

from __future__ import annotations

from pathlib import Path

import click

from assess.cli.support import EXIT_OK, EXIT_WARNINGS, Group, open_workspace, option, shared_options
from assess.delivery.gforms import MATCH_KINDS
from assess.delivery.imports import Leniency
from assess.i18n import N_, _
from assess.workspace import now
from assess.workspace.responses import (
    FORMATS,
    GOOGLE_FORMS,
    default_template_path,
    import_responses,
    summary_lines,
    write_sheet_template,
)


@click.group(
    "responses", cls=Group, help=N_("Responses from outside the web app: Google Forms, answer sheets.")
)
@shared_options()
def responses() -> None:
    pass


@responses.command(
    "import",
    help=N_(
        "Import a phase's finished attempts from a Google Forms quiz export (CSV, headers in English or "
        "Indonesian) or from a paper answer sheet (CSV or XLSX, see assess responses template). "
        "Participants are matched by email, NIP or name (google-forms) or by participant id or NIP "
        "(sheet); questions by their stems or a mapping file; answers by option text or printed letter. "
        "The whole file is checked first: with any problem, nothing is imported. The phase is then "
        "scored by this engine's rules (a Google Forms Score is not used)."
        "\n\nExample: assess responses import jawaban.csv --format google-forms --phase pre"
    ),
)
@click.argument("file")
@option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help=N_("google-forms: a Google Forms export; sheet: an answer sheet."),
)
@option("--phase", "phase_id", required=True, help=N_("The phase, e.g. pre."))
@option(
    "--match",
    "match_by",
    type=click.Choice(MATCH_KINDS),
    default=None,
    help=N_(
        "google-forms: match participants by email, nip or name "
        "(default: imports.google_forms.match_by in assessment.yaml, else email)."
    ),
)
@option(
    "--mapping",
    default=None,
    help=N_("google-forms: a YAML file naming the item of columns whose titles differ from the stems."),
)
@option(
    "--skip-unknown",
    is_flag=True,
    help=N_(
        "Import the other rows when some name no participant of the event (the trainer's own test "
        "submission, say); those rows are listed in FILE-dilewati.csv beside the file."
    ),
)
@option(
    "--new-only",
    is_flag=True,
    help=N_(
        "Skip what was imported before: from Google Forms, the rows of the same respondent with the same "
        "timestamp (a later export of the same form); from an answer sheet, the rows of participants who "
        "already have an attempt on the phase."
    ),
)
@shared_options()
@click.pass_context
def responses_import(
    ctx: click.Context,
    file: str,
    fmt: str,
    phase_id: str,
    match_by: str | None,
    mapping: str | None,
    skip_unknown: bool,
    new_only: bool,
) -> None:
    if fmt != GOOGLE_FORMS and (match_by or mapping):
        raise click.UsageError(_("--match and --mapping apply to --format google-forms only"), ctx)
    ws = open_workspace(ctx)
    report = import_responses(
        ws,
        Path(file),
        fmt=fmt,
        phase_id=phase_id,
        now=now(),
        match_by=match_by,
        mapping=Path(mapping) if mapping else None,
        leniency=Leniency(skip_unknown=skip_unknown, new_only=new_only),
    )
    for line in summary_lines(report, file):
        click.echo(line)


@responses.command(
    "template",
    help=N_(
        "Write the empty answer sheet of a phase to fill in from the paper answers: XLSX with every cell "
        "formatted as text (or CSV), one row per participant (id and name), a Varian column and one "
        "column per question number.\n\nExample: assess responses template --phase pre"
    ),
)
@option("--phase", "phase_id", required=True, help=N_("The phase, e.g. pre."))
@option(
    "--out",
    default=None,
    help=N_("The file to write (default: lembar-jawaban-PHASE.xlsx in the workspace)."),
)
@shared_options()
@click.pass_context
def responses_template(ctx: click.Context, phase_id: str, out: str | None) -> None:
    ws = open_workspace(ctx)
    path = Path(out) if out else default_template_path(ws, phase_id)
    n = write_sheet_template(ws, phase_id, path)
    click.echo(_("Written {path}: {n} participants.").format(path=path, n=n))


@responses.command(
    "scan",
    help=N_(
        "Read photographed or scanned answer sheets (JPEG, PNG, HEIC, TIFF or PDF; a folder: every such "
        "file in it), printed by assess form print, and import the sheets read clearly: each page is "
        "matched by its QR code to the phase, form and variant, and by the QR code or the filled-in NIP "
        "or participant number to its participant. Nothing doubtful is imported: a light or erased mark, "
        "two marks where one is allowed, a participant not found, and every short answer (written by "
        "hand) wait in the review folder (periksa-PHASE: periksa.html shows them, koreksi.csv takes the "
        "answers); --apply-review imports the corrections. Pages that are no answer sheet of this phase "
        "are listed with why, and the rest imports. Running it again on the same files reads only the new"
        " ones."
        "\n\nExample: assess responses scan foto/ --phase pre"
        "\n\nExample: assess responses scan --phase pre --apply-review periksa-pre/koreksi.csv"
    ),
)
@click.argument("paths", nargs=-1)
@option("--phase", "phase_id", required=True, help=N_("The phase, e.g. pre."))
@option(
    "--apply-review",
    "corrections",
    default=None,
    help=N_("The review's koreksi.csv with the column jawaban filled in: import the corrections."),
)
@option(
    "--review-dir",
    default=None,
    help=N_("The review folder (default: periksa-PHASE in the workspace)."),
)
@shared_options()
@click.pass_context
def responses_scan(
    ctx: click.Context, paths: tuple[str, ...], phase_id: str, corrections: str | None, review_dir: str | None
) -> None:
    from assess.workspace.scan import apply_review, scan
    from assess.workspace.scan import summary_lines as scan_lines

    if bool(paths) == bool(corrections):
        raise click.UsageError(_("give the files to read, or --apply-review with the corrections"), ctx)
    ws = open_workspace(ctx)
    folder = Path(review_dir) if review_dir else None
    if corrections:
        report = apply_review(ws, phase_id, Path(corrections), now(), folder)
    else:
        report = scan(ws, phase_id, [Path(p) for p in paths], now(), folder)
    for line in scan_lines(report):
        click.echo(line)
    ctx.exit(EXIT_WARNINGS if report.left else EXIT_OK)
