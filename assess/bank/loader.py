"""Load banks, frameworks and sources registries from files, with located errors.

The common case, every file valid, takes the fast path: yaml-rs, then one
pydantic validation per file. Only files with problems are composed again
by PyYAML to find lines and columns. Every problem of every file is
reported in one run.
"""

from __future__ import annotations

import gc
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from assess.bank import references
from assess.bank.documents import Bank, Competency, Document, Framework, Positions, Source, SourcesRegistry
from assess.bank.errors import Context, problems_from
from assess.bank.model import ItemBase
from assess.bank.yamlio import MAX_FILE_BYTES, decode_yaml, parse
from assess.problems import Problem, ProblemsFound, sort_key
from assess.resources import data_path

_DOCUMENT = TypeAdapter(Document)
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Loaded:
    """One file that validated, with what is needed to locate things in it later."""

    context: Context
    document: Bank | Framework | SourcesRegistry | Positions
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
    def positions(self) -> list[Positions]:
        return [f.document for f in self.files if isinstance(f.document, Positions)]

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


def _yaml_files(folder: Path, problems: list[Problem]) -> list[Path]:
    """YAML files below `folder`, in a stable order; unreadable folders reported, not skipped."""

    def unreadable(error: OSError) -> None:
        problems.append(Problem("FILE-UNREADABLE", {"reason": error.strerror or str(error)}, error.filename))

    found = []
    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs.sort()
        found += [Path(root, n) for n in sorted(names) if n.endswith(YAML_SUFFIXES)]
    return found


def resolve(arguments: Sequence[str]) -> list[Path]:
    """Files named by paths, folders (searched recursively) or shipped bank ids."""
    files: list[Path] = []
    problems: list[Problem] = []
    shipped = None
    for arg in arguments:
        path = Path(arg)
        try:
            is_dir, exists = path.is_dir(), path.exists()
        except OSError as e:  # e.g. a name too long for the file system
            problems.append(Problem("FILE-UNREADABLE", {"reason": e.strerror or str(e)}, arg))
            continue
        if is_dir:
            found = _yaml_files(path, problems)
            if not found:
                problems.append(Problem("ARG-NO-FILES", {}, str(path)))
            files.extend(found)
        elif exists:
            files.append(path)
        else:
            if shipped is None:
                shipped = shipped_bank_ids()
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


def shipped_bank_ids() -> dict[str, Path]:
    """Shipped bank ids -> files."""
    ids = {}
    for path in sorted(shipped_banks_dir().glob("*.yaml")):
        try:
            data = parse(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeDecodeError, ProblemsFound):
            continue
        if isinstance(data, dict) and data.get("kind") == "bank" and isinstance(data.get("id"), str):
            ids[data["id"]] = path
    return ids


class InvalidFile(ProblemsFound):
    """A file with problems; `context` holds its data when it could be parsed."""

    def __init__(self, problems: Sequence[Problem], context: Context | None = None):
        super().__init__(problems)
        self.context = context


# Validated files by name and content, so that a process that loads the same banks again (a
# workspace opened twice, a test session) parses and validates each once. Only bank-sized files are
# kept, and few of them: a 10,000-item bank is parsed afresh every time.
_CACHE_MAX_FILES = 16
_CACHE_MAX_BYTES = 2**20
_validated: OrderedDict[tuple[str, bytes], tuple[Context, Bank | Framework | SourcesRegistry]] = OrderedDict()
_validated_lock = threading.Lock()


def load_file(path: Path, display: str | None = None) -> Loaded:
    """One file, validated on its own; InvalidFile lists all its problems."""
    name = display or str(path)
    raw = _read_bytes(path, name)
    key = (name, hashlib.blake2b(raw, digest_size=16).digest()) if len(raw) <= _CACHE_MAX_BYTES else None
    with _validated_lock:
        hit = _validated.get(key) if key else None
        if hit:
            _validated.move_to_end(key)
    if hit:  # documents are frozen; the Loaded wrapper is the caller's own
        return Loaded(*hit)
    ctx = _context(raw, name)
    document = validate(ctx, _DOCUMENT, Document)
    if key:
        with _validated_lock:
            _validated[key] = (ctx, document)
            while len(_validated) > _CACHE_MAX_FILES:
                _validated.popitem(last=False)
    return Loaded(ctx, document)


def read_yaml(path: Path, display: str | None = None) -> Context:
    """A YAML file's mapping with its text, for locating; InvalidFile when it cannot be had."""
    name = display or str(path)
    return _context(_read_bytes(path, name), name)


def _read_bytes(path: Path, name: str) -> bytes:
    """The file's bytes; InvalidFile, before reading, when it is missing, not a file or too large."""
    try:
        if not path.exists():
            raise InvalidFile([Problem("FILE-NOT-FOUND", {}, name)])
        if not path.is_file():
            raise InvalidFile([Problem("FILE-NOT-REGULAR", {}, name)])
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidFile([Problem("FILE-TOO-LARGE", {"limit": MAX_FILE_BYTES // 2**20}, name)])
        return path.read_bytes()
    except OSError as e:
        raise InvalidFile([Problem("FILE-UNREADABLE", {"reason": e.strerror or str(e)}, name)]) from None


def _context(raw: bytes, name: str) -> Context:
    try:
        text = decode_yaml(raw, name)
        data = parse(text, name) if text.strip() else None
    except ProblemsFound as e:
        raise InvalidFile(e.problems) from None
    if data is None:
        raise InvalidFile([Problem("FILE-EMPTY", {}, name)])
    ctx = Context(name, text, data)
    if not isinstance(data, dict):
        raise InvalidFile([ctx.problem("FILE-NOT-MAPPING", ())], ctx)
    return ctx


def validate(ctx: Context, adapter: TypeAdapter, root: Any) -> Any:
    """`ctx.data` validated by `adapter` (whose type is `root`), or InvalidFile with located problems."""
    try:
        return adapter.validate_python(ctx.data)
    except ValidationError as e:
        raise InvalidFile(problems_from(e.errors(include_url=False), ctx, root), ctx) from None


def load(arguments: Sequence[str], *, with_shipped: bool = True) -> Library:
    """Load every file named; add the shipped frameworks and sources they may refer to.

    Raises ProblemsFound with every problem in every file, and with the
    problems between files (repeated ids, unknown competencies and sources),
    those of invalid files included as far as their data can be read.
    """
    with _gc_paused():
        return _load(arguments, with_shipped)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading allocates millions of objects and makes no cycles worth collecting:
    pausing the cyclic collector meanwhile cuts a 10,000-item bank's load by a third."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load(arguments: Sequence[str], with_shipped: bool) -> Library:
    library = Library()
    problems: list[Problem] = []
    invalid: list[Context] = []
    for path in resolve(arguments):
        try:
            library.files.append(load_file(path))
        except InvalidFile as e:
            problems.extend(e.problems)
            if e.context is not None:
                invalid.append(e.context)
    if with_shipped:
        _add_shipped_references(library, problems)
    problems.extend(cross_check(library, invalid))
    if problems:
        raise ProblemsFound(problems)
    return library


def _add_shipped_references(library: Library, problems: list[Problem]) -> None:
    loaded = {(type(f.document), f.document.id) for f in library.files}
    resolved = {Path(f.context.file).resolve() for f in library.files}
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


def cross_check(library: Library, invalid: Sequence[Context] = ()) -> list[Problem]:
    """Problems between files (see assess.bank.references)."""
    banks = [
        references.refs_of_bank(f.document, f.context)
        for f in library.files
        if isinstance(f.document, Bank) and not f.shipped
    ]
    banks += [refs for ctx in invalid if (refs := references.refs_of_raw(ctx)) is not None]
    banks.sort(key=lambda b: b.context.file)

    def of_kind(kind: type) -> list:
        return [(f.document, f.context, f.shipped) for f in library.files if isinstance(f.document, kind)]

    return references.check(banks, of_kind(Framework), of_kind(SourcesRegistry), of_kind(Positions))


def located(library: Library, findings: Iterable) -> list[Problem]:
    """Lint findings as problems located in their banks' files."""
    banks = {b.id: b for b in library.banks}
    out = []
    for f in findings:
        bank = banks[f.bank]
        path = ("items", f.item, *f.path) if f.item is not None else f.path
        out.append(library.context_of(bank).problem(f.code, path, f.params))
    return sorted(out, key=sort_key)
