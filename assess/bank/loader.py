"""Load banks, frameworks and sources registries from files, with located errors.

The common case, every file valid, takes the fast path: yaml-rs, then one
pydantic validation per file. Only files with problems are composed again
by PyYAML to find lines and columns. Every problem of every file is
reported in one run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from assess.bank.documents import Bank, Competency, Document, Framework, Source, SourcesRegistry
from assess.bank.errors import Context, problems_from
from assess.bank.model import ItemBase
from assess.bank.yamlio import decode, parse
from assess.problems import Problem, ProblemsFound
from assess.resources import data_path

_DOCUMENT = TypeAdapter(Document)
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Loaded:
    """One file that validated, with what is needed to locate things in it later."""

    context: Context
    document: Bank | Framework | SourcesRegistry
    shipped: bool = False


@dataclass
class Library:
    """Everything loaded: the banks asked for, and the frameworks and sources they use."""

    files: list[Loaded] = field(default_factory=list)

    @property
    def banks(self) -> list[Bank]:
        return [f.document for f in self.files if isinstance(f.document, Bank) and not f.shipped]

    @property
    def frameworks(self) -> dict[str, Framework]:
        return {f.document.id: f.document for f in self.files if isinstance(f.document, Framework)}

    @property
    def sources(self) -> dict[str, Source]:
        return {
            s.id: s for f in self.files if isinstance(f.document, SourcesRegistry) for s in f.document.sources
        }

    def context_of(self, document: Bank | Framework | SourcesRegistry) -> Context:
        return next(f.context for f in self.files if f.document is document)

    def competencies(self, bank: Bank) -> dict[str, Competency]:
        framework = self.frameworks.get(bank.framework)
        return {c.id: c for c in framework.competencies} if framework else {}

    def items(self) -> Iterable[tuple[Bank, ItemBase]]:
        for bank in self.banks:
            for item in bank.items:
                yield bank, item

    def find_item(self, item_id: str) -> tuple[Bank, ItemBase] | None:
        return next(((b, i) for b, i in self.items() if i.id == item_id), None)


def shipped_banks_dir() -> Path:
    return data_path("question_banks")


def resolve(arguments: Sequence[str]) -> list[Path]:
    """Files named by paths, folders (searched recursively) or shipped bank ids."""
    files: list[Path] = []
    problems: list[Problem] = []
    shipped = None
    for arg in arguments:
        path = Path(arg)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
            if not found:
                problems.append(Problem("ARG-NO-FILES", {}, str(path)))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            if shipped is None:
                shipped = _shipped_ids()
            if arg in shipped:
                files.append(shipped[arg])
            else:
                problems.append(Problem("ARG-NOT-FOUND", {"name": arg}))
    if problems:
        raise ProblemsFound(problems)
    unique: dict[Path, Path] = {}
    for f in files:
        unique.setdefault(f.resolve(), f)
    return list(unique.values())


def _shipped_ids() -> dict[str, Path]:
    """Shipped bank ids -> files; read cheaply from each file's `id:` line."""
    ids = {}
    for path in sorted(shipped_banks_dir().glob("*.yaml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("id:"):
                ids[line[3:].strip().strip("'\"")] = path
                break
    return ids


def load_file(path: Path, display: str | None = None) -> Loaded:
    """One file, validated on its own; ProblemsFound lists all its problems."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ProblemsFound([Problem("FILE-UNREADABLE", {"reason": e.strerror or str(e)}, name)]) from None
    text = decode(raw, name)
    if not text.strip():
        raise ProblemsFound([Problem("FILE-EMPTY", {}, name)])
    data = parse(text, name)
    if data is None:
        raise ProblemsFound([Problem("FILE-EMPTY", {}, name)])
    ctx = Context(name, text, data)
    if not isinstance(data, dict):
        raise ProblemsFound([ctx.problem("FILE-NOT-MAPPING", ())])
    try:
        document = _DOCUMENT.validate_python(data)
    except ValidationError as e:
        raise ProblemsFound(problems_from(e.errors(include_url=False), ctx)) from None
    return Loaded(ctx, document)


def load(arguments: Sequence[str], *, with_shipped: bool = True) -> Library:
    """Load every file named; add the shipped frameworks and sources they may refer to.

    Raises ProblemsFound with every problem in every file, and with the
    problems between files (repeated ids, unknown competencies and sources).
    """
    library = Library()
    problems: list[Problem] = []
    for path in resolve(arguments):
        try:
            library.files.append(load_file(path))
        except ProblemsFound as e:
            problems.extend(e.problems)
    if with_shipped:
        _add_shipped_references(library, problems)
    problems.extend(cross_check(library))
    if problems:
        raise ProblemsFound(problems)
    return library


def _add_shipped_references(library: Library, problems: list[Problem]) -> None:
    loaded = {(type(f.document), f.document.id) for f in library.files}
    resolved = {f.context.file and Path(f.context.file).resolve() for f in library.files}
    for path in sorted(shipped_banks_dir().glob("*.yaml")):
        if path.resolve() in resolved:
            continue
        try:
            shipped = load_file(path)
        except ProblemsFound as e:
            problems.extend(e.problems)
            continue
        doc = shipped.document
        if isinstance(doc, Framework | SourcesRegistry) and (type(doc), doc.id) not in loaded:
            shipped.shipped = True
            library.files.append(shipped)


def cross_check(library: Library) -> list[Problem]:
    problems: list[Problem] = []
    sources: dict[str, tuple[Loaded, int]] = {}
    # Shipped files first, so that a clash is reported in the author's own file.
    ordered = sorted(library.files, key=lambda f: not f.shipped)
    first_framework: dict[str, Loaded] = {}
    first_bank: dict[str, Loaded] = {}
    first_item: dict[str, tuple[Loaded, int]] = {}
    for f in ordered:
        doc = f.document
        if isinstance(doc, SourcesRegistry):
            for i, s in enumerate(doc.sources):
                if s.id in sources:
                    other, j = sources[s.id]
                    problems.append(
                        f.context.problem(
                            "SOURCES-DUPLICATE-ELSEWHERE",
                            ("sources", i, "id"),
                            {"id": s.id, "other": _place(other, ("sources", j))},
                        )
                    )
                else:
                    sources[s.id] = (f, i)
        elif isinstance(doc, Framework):
            if doc.id in first_framework:
                problems.append(
                    f.context.problem(
                        "FRAMEWORK-DUPLICATE-FRAMEWORK-ID",
                        ("id",),
                        {"id": doc.id, "other": first_framework[doc.id].context.file},
                    )
                )
            first_framework.setdefault(doc.id, f)
    for f in library.files:
        doc = f.document
        if isinstance(doc, Framework):
            for i, comp in enumerate(doc.competencies):
                for j, level in enumerate(comp.levels):
                    if level.source is not None and level.source not in sources:
                        problems.append(
                            f.context.problem(
                                "FRAMEWORK-SOURCE-UNKNOWN",
                                ("competencies", i, "levels", j, "source"),
                                {"id": level.source},
                            )
                        )
        if not isinstance(doc, Bank) or f.shipped:
            continue
        if doc.id in first_bank:
            problems.append(
                f.context.problem(
                    "BANK-DUPLICATE-BANK-ID",
                    ("id",),
                    {"id": doc.id, "other": first_bank[doc.id].context.file},
                )
            )
        first_bank.setdefault(doc.id, f)
        framework = library.frameworks.get(doc.framework)
        if framework is None:
            problems.append(
                f.context.problem("BANK-FRAMEWORK-UNKNOWN", ("framework",), {"id": doc.framework})
            )
        known = {c.id for c in framework.competencies} if framework else None
        for i, item in enumerate(doc.items):
            if item.id in first_item:
                other, j = first_item[item.id]
                problems.append(
                    f.context.problem(
                        "BANK-DUPLICATE-ID",
                        ("items", i, "id"),
                        {"id": item.id, "other": _place(other, ("items", j))},
                    )
                )
            else:
                first_item[item.id] = (f, i)
            if known is not None:
                for j, comp in enumerate(item.competencies):
                    if comp not in known:
                        problems.append(
                            f.context.problem(
                                "BANK-COMPETENCY-UNKNOWN",
                                ("items", i, "competencies", j),
                                {"id": comp, "framework": doc.framework},
                            )
                        )
            for j, src in enumerate(item.source):
                if src not in sources:
                    problems.append(
                        f.context.problem("BANK-SOURCE-UNKNOWN", _source_path(f, i, j), {"id": src})
                    )
    return problems


def _place(loaded: Loaded, path: tuple) -> str:
    pos = loaded.context.locator.position(path)
    return f"{loaded.context.file}:{pos[0]}" if pos else loaded.context.file


def _source_path(loaded: Loaded, item: int, index: int) -> tuple:
    """`source` may be written as one id instead of a list."""
    path = ("items", item, "source")
    return path if isinstance(loaded.context.value(path), str) else (*path, index)


def located(library: Library, findings: Iterable) -> list[Problem]:
    """Lint findings as problems located in their banks' files."""
    banks = {b.id: b for b in library.banks}
    out = []
    for f in findings:
        bank = banks[f.bank]
        path = ("items", f.item, *f.path) if f.item is not None else f.path
        out.append(library.context_of(bank).problem(f.code, path, f.params))
    return sorted(out, key=lambda p: (p.file or "", p.line or 0, p.column or 0, p.code))
