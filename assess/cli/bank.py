"""`assess bank ...`: validate, lint, count and show question banks, frameworks and sources."""

from __future__ import annotations

import json
from pathlib import Path

import click

from assess.bank import stats as bank_stats_module
from assess.bank.documents import Bank, Framework, Positions, SourcesRegistry
from assess.bank.formats import (
    BINARY_EXPORTS,
    EXPORT_FORMATS,
    EXPORT_SUFFIXES,
    FORMAT_NAMES,
    IMPORT_FORMATS,
    export_file,
    export_text,
    import_file,
    shipped_competencies,
    write_bank,
)
from assess.bank.formats.common import Options as ImportOptions
from assess.bank.formats.common import slug
from assess.bank.formats.templates import write_docx_template, write_xlsx_template
from assess.bank.lint import lint as lint_banks
from assess.bank.lint import silenced_counts
from assess.bank.loader import load, located, shipped_banks_dir
from assess.bank.show import show_item
from assess.cli.support import (
    EXIT_OK,
    EXIT_WARNINGS,
    Group,
    UserError,
    option,
    shared_options,
    terminal_numbers,
)
from assess.i18n import N_, _, ngettext
from assess.problems import Problem
from assess.sheets.write import replace_atomically


@click.group("bank", cls=Group, help=N_("Question banks: validate, count, show, schema."))
@shared_options()
def bank() -> None:
    pass


def _load(paths: tuple[str, ...]):
    return load(paths or (str(shipped_banks_dir()),))


@bank.command(
    help=N_(
        "Validate banks, frameworks and sources registries (files, folders or shipped bank ids; "
        "the shipped banks when none is given). Exit 0 when clean, 2 with the list of problems."
        "\n\nExample: assess bank validate question_banks/"
    )
)
@click.argument("paths", nargs=-1)
@shared_options()
def validate(paths: tuple[str, ...]) -> None:
    library = _load(paths)
    for f in library.files:
        if f.shipped:
            continue
        doc = f.document
        if isinstance(doc, Bank):
            what = ngettext("{n} item", "{n} items", len(doc.items)).format(n=len(doc.items))
        elif isinstance(doc, Framework):
            n = len(doc.competencies)
            what = ngettext("{n} competency", "{n} competencies", n).format(n=n)
        elif isinstance(doc, Positions):
            n = len(doc.positions)
            what = ngettext("{n} position", "{n} positions", n).format(n=n)
        else:
            assert isinstance(doc, SourcesRegistry)
            n = len(doc.sources)
            what = ngettext("{n} source", "{n} sources", n).format(n=n)
        click.echo(f"{f.context.file}: {doc.kind} {doc.id!r}, {what}")
    click.echo(_("OK: no problems found."))


@bank.command(
    help=N_(
        "Count items by bank, type, competency, topic, difficulty, cognitive level and status, "
        "and how many have an explanation and a source (the shipped banks when no PATH is given)."
        "\n\nExample: assess bank stats question_banks/ --json"
    )
)
@click.argument("paths", nargs=-1)
@option("--json", "as_json", is_flag=True, help=N_("Write JSON."))
@shared_options()
def stats(paths: tuple[str, ...], as_json: bool) -> None:
    library = _load(paths)
    files = {f.document.id: f.context.file for f in library.files if isinstance(f.document, Bank)}
    silenced = silenced_counts(lint_banks(library.banks, library.sources))
    result = bank_stats_module.bank_stats(library.banks, files, silenced)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    for entry in [*result["banks"], {"id": _("all banks"), "title": "", **result["total"]}]:
        click.echo(_stats_text(entry))


_HEADINGS = {
    "by_type": lambda: _("Item type"),
    "by_competency": lambda: _("Competency"),
    "by_topic": lambda: _("Topic"),
    "by_difficulty": lambda: _("Difficulty"),
    "by_cognitive_level": lambda: _("Cognitive level"),
    "by_status": lambda: _("Status"),
    "ready_by_first_competency": lambda: _("Ready items by first competency"),
}


def _stats_text(entry: dict) -> str:
    n = entry["items"]
    lines = [f"== {entry['id']}  {entry.get('title', '')}".rstrip(), _("Items: {n}").format(n=n)]
    for key, heading in _HEADINGS.items():
        lines.append(f"  {heading()}:")
        lines += [f"    {name:<28} {count:>5}" for name, count in entry[key].items()]
    for key, label in (("with_explanation", _("With explanation")), ("with_source", _("With source"))):
        share = entry[key] / n if n else 0
        lines.append(f"  {label}: {entry[key]}/{n} ({terminal_numbers().share(share)})")
    ready = entry["ready"]
    higher = entry["ready_apply_or_higher"] / ready if ready else 0
    label = _("Ready items that ask to apply, analyze, evaluate or create")
    lines.append(f"  {label}: {entry['ready_apply_or_higher']}/{ready} ({terminal_numbers().share(higher)})")
    lines.append("  " + _("Lint warnings silenced: {n}").format(n=entry["lint_silenced"]))
    return "\n".join(lines) + "\n"


@bank.command(
    help=N_(
        "Check items for the flaws that make them measure badly: 'all/none of the above', a key "
        "that is the longest option, keys in one position, unemphasised negative questions, options "
        "that repeat the stem, near-duplicate items, a missing explanation or source, a law item "
        "without a quoted article, a true/false statement hinging on an absolute, an option much "
        "longer than the others. Exit 0 when clean, 1 with warnings, 2 when a file is invalid. "
        "Silence a warning only in its item, with `lint_ignore: [{code, reason}]`."
        "\n\nExample: assess bank lint question_banks/"
    )
)
@click.argument("paths", nargs=-1)
@shared_options()
@click.pass_context
def lint(ctx: click.Context, paths: tuple[str, ...]) -> None:
    library = _load(paths)
    findings = lint_banks(library.banks, library.sources)
    active = [f for f in findings if not f.silenced]
    for problem in located(library, active):
        click.echo(str(problem))
    n, silenced = len(active), len(findings) - len(active)
    warnings = ngettext("{n} warning", "{n} warnings", n).format(n=n)
    quiet = _("{n} silenced by lint_ignore.").format(n=silenced)
    click.echo(f"{warnings}; {quiet}")
    ctx.exit(EXIT_WARNINGS if active else EXIT_OK)


@bank.command(
    help=N_(
        "Show one item as a participant would see it, then its key, explanation and source. "
        "Searches the shipped banks when no PATH is given.\n\nExample: assess bank show tupoksi-001"
    )
)
@click.argument("item_id")
@click.argument("paths", nargs=-1)
@shared_options()
def show(item_id: str, paths: tuple[str, ...]) -> None:
    library = _load(paths)
    found = library.find_item(item_id)
    if found is None:
        raise UserError([Problem("ITEM-NOT-FOUND", {"id": item_id})])
    click.echo(show_item(found[1], library.sources), nl=False)


@bank.command(
    help=N_(
        "Print the JSON Schema of the bank format, so that editors can validate and complete "
        "banks.\n\nExample: assess bank schema > bank.schema.json"
    )
)
@option(
    "--kind",
    type=click.Choice(["bank", "framework", "sources", "positions"]),
    default="bank",
    show_default=True,
    help=N_("Which kind of file."),
)
@shared_options()
def schema(kind: str) -> None:
    model = {"bank": Bank, "framework": Framework, "sources": SourcesRegistry, "positions": Positions}[kind]
    click.echo(json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False))


@bank.command(
    "import",
    help=N_(
        "Import the questions of FILE (Moodle XML, GIFT, Aiken, a QTI 2.1 package or item, or the Excel or "
        "Word template of assess bank template; the format guessed from the content unless --from names "
        "it) into a bank YAML "
        "that assess bank validate accepts. Every item is a draft unless --ready. Prints per item what "
        "was carried over and what was not. Items take their competency from tags such as "
        "kompetensi:M.05, else from --competency. Exit 0 when every question was imported, 1 when some "
        "were left out (listed), 2 when the file cannot be read "
        "(nothing is written).\n\nExample: assess bank import soal-moodle.xml --competency M.05"
    ),
)
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@option("--from", "form", type=click.Choice(IMPORT_FORMATS), help=N_("The file's format."))
@option(
    "--out", type=click.Path(path_type=Path), help=N_("The bank file to write (default: FILE's name, .yaml).")
)
@option(
    "--id-prefix", help=N_("Ids for questions without one: PREFIX-001, PREFIX-002... (default: FILE's name).")
)
@option("--competency", help=N_("The competency of items whose tags name none."))
@option(
    "--bank-language",
    type=click.Choice(["id", "en"]),
    default="id",
    show_default=True,
    help=N_("The language of the imported text."),
)
@option("--ready", is_flag=True, help=N_("Mark the items ready (those with something missing stay drafts)."))
@option("--force", is_flag=True, help=N_("Replace the bank file if it exists."))
@shared_options()
@click.pass_context
def import_(ctx, file, form, out, id_prefix, competency, bank_language, ready, force) -> None:
    out = out or Path(file.name).with_suffix(".yaml")
    if out.exists() and not force:
        raise UserError([Problem("IMPORT-OUT-EXISTS", {}, str(out))])
    known = shipped_competencies()
    if competency is not None and competency not in known:
        raise UserError([Problem("IMPORT-COMPETENCY-UNKNOWN", {"id": competency})])
    options = ImportOptions(
        bank_id=slug(out.stem) or "bank",
        title=file.stem,
        id_prefix=slug(id_prefix or file.stem.lower()) or "soal",
        competency=competency,
        language=bank_language,
        ready=ready,
        known_competencies=known,
    )
    imported, used, guessed = import_file(file, form, options)
    name = FORMAT_NAMES[used]
    click.echo(_("Read as {format} (guessed from its content).").format(format=name) if guessed else
               _("Read as {format}.").format(format=name))  # fmt: skip
    for warning in imported.warnings:
        click.echo(str(warning))
    write_bank(out, imported.bank)
    for entry in imported.carried:
        place = f"{file}:{entry.line}" if entry.line else str(file)
        click.echo(f"{place}: {entry.id}: {entry.type}")
        for note in entry.notes:
            click.echo(f"    {note.code}: {note.message()}")
    for problem in imported.skipped:
        click.echo(str(problem))
    n, m = len(imported.carried), len(imported.skipped)
    status = "ready" if ready else "draft"
    written = ngettext("{n} item written to {path} ({status}).", "{n} items written to {path} ({status}).", n)
    click.echo(written.format(n=n, path=out, status=status))
    if m:
        click.echo(ngettext("{n} question not imported.", "{n} questions not imported.", m).format(n=m))
    ctx.exit(EXIT_WARNINGS if m else EXIT_OK)


@bank.command(
    help=N_(
        "Export banks (files, folders or shipped bank ids; the shipped banks when none is given) as "
        "Moodle XML (one quiz, a category per topic), GIFT, a QTI 2.1 content package or the Excel "
        "template, to --out (or the screen for the text formats). What a format cannot hold is listed "
        "per item. Exit 0, or 1 when an item could not be written at all."
        "\n\nExample: assess bank export question_banks/tupoksi.yaml --to moodle-xml --out tupoksi.xml"
    )
)
@click.argument("paths", nargs=-1)
@option("--to", "form", type=click.Choice(EXPORT_FORMATS), required=True, help=N_("The format to write."))
@option(
    "--out",
    type=click.Path(path_type=Path),
    help=N_("The file to write, or a folder to write it in (default: the screen)."),
)
@option("--force", is_flag=True, help=N_("Replace the file if it exists."))
@shared_options()
@click.pass_context
def export(ctx, paths, form, out, force) -> None:
    if form in BINARY_EXPORTS and out is None:
        raise UserError([Problem("EXPORT-NEEDS-OUT", {"format": FORMAT_NAMES[form]})])
    library = _load(paths)
    if out is not None and out.is_dir():  # a folder: the file is named after the (first) bank
        name = library.banks[0].id if len(library.banks) == 1 else "banks"
        out = out / f"{name}{EXPORT_SUFFIXES[form]}"
    if out is not None and out.exists() and not force:
        raise UserError([Problem("IMPORT-OUT-EXISTS", {}, str(out))])
    if form in BINARY_EXPORTS:
        notes = export_file(library.banks, form, out)
    else:
        text, notes = export_text(library.banks, form, str(out) if out else "-")
        if out is None:
            click.echo(text, nl=False)
        else:
            replace_atomically(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    for note in notes:
        click.echo(str(note), err=True)
    left_out = sum(n.code in ("EXPORT-TYPE-UNSUPPORTED", "EXPORT-NO-ANSWER") for n in notes)
    written = sum(len(b.items) for b in library.banks) - left_out
    if out is not None:
        done = ngettext("{n} item written to {path}.", "{n} items written to {path}.", written)
        click.echo(done.format(n=written, path=out))
    ctx.exit(EXIT_WARNINGS if left_out else EXIT_OK)


@bank.command(
    help=N_(
        "Write an empty question template for bank authors: an Excel workbook (one row per question, "
        "an example of every item type, a sheet of instructions) or a Word document (numbered questions, "
        "options A.-E., Kunci:, for single choice, multiple response, true/false and essay). The "
        "instructions are in the language of messages (--lang en for English). Fill it in, then import "
        "it with assess bank import.\n\nExample: assess bank template --format xlsx --out soal.xlsx"
    )
)
@option("--format", "form", type=click.Choice(["xlsx", "docx"]), required=True, help=N_("Excel or Word."))
@option("--out", type=click.Path(path_type=Path), help=N_("The file to write (default: template.FORMAT)."))
@option("--force", is_flag=True, help=N_("Replace the file if it exists."))
@shared_options()
def template(form: str, out: Path | None, force: bool) -> None:
    out = out or Path(f"template.{form}")
    if out.exists() and not force:
        raise UserError([Problem("IMPORT-OUT-EXISTS", {}, str(out))])
    (write_xlsx_template if form == "xlsx" else write_docx_template)(out)
    click.echo(_("Template written to {path}.").format(path=out))
