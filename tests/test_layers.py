"""The package's layout reads as the pipeline: layers kept, no import cycle.

LAYERS is the layer table of DESIGN.md's "Layout" as data (the README shows
it too). A module's layer is that of the longest place that contains it, so
`delivery/screen/` is 6 although `delivery/` is 3. A module may import
modules of its own layer or a lower one. Every import counts, also one made
inside a function: hiding an import there hides a cycle, it does not remove it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assess"
README = PACKAGE.parent / "README.md"

# place (a module file, or a folder ending in "/") -> layer
LAYERS: dict[str, int] = {
    "__init__.py": 1,
    "resources.py": 1,
    "seeded.py": 1,
    "templating.py": 1,
    "problems/": 1,
    "i18n/": 1,
    "sheets/": 1,
    "bank/": 2,
    "event/": 2,
    "forms.py": 2,
    "responses.py": 2,
    "scoring.py": 2,
    "adjustments.py": 2,
    "participants.py": 2,
    "analysis/": 2,
    "delivery/": 3,
    "store/": 4,
    "workspace/": 5,
    "delivery/screen/": 6,
    "reports/": 7,
    "hr/": 7,
    "web/": 8,
    "cli/": 9,
    "__main__.py": 9,
}

# The rules do no I/O: they import no store, workspace, web, CLI or template code.
RULES = ("bank/", "event/", "forms.py", "responses.py", "scoring.py", "adjustments.py", "analysis/")
RULES_NEVER_IMPORT = ("store/", "workspace/", "web/", "cli/", "templating.py")
RULES_NEVER_IMPORT_LIBRARIES = ("jinja2", "flask", "sqlalchemy")
# Steps that end in reports are composed in cli/ and web/ from a workspace step and a reports step.
NEVER_IMPORT_REPORTS = ("workspace/", "delivery/screen/")
MAX_TOP_LEVEL_MODULES = 10


@dataclass(frozen=True)
class Import:
    importer: str  # a module's path inside the package, e.g. "delivery/paper.py"
    imported: str  # the same for the module imported, or a top-level library's name
    line: int


def module_path(file: Path, package: Path) -> str:
    return file.relative_to(package).as_posix()


def place_of(path: str, layers: dict[str, int]) -> str | None:
    """The longest place of the table that contains `path`."""
    found = [p for p in layers if path == p or (p.endswith("/") and path.startswith(p))]
    return max(found, key=len) if found else None


def _modules(package: Path) -> dict[str, str]:
    """Dotted name (without the package's own name) -> path, for every module of the package."""
    names = {}
    for file in sorted(package.rglob("*.py")):
        path = module_path(file, package)
        parts = path.removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def imports_of(package: Path) -> list[Import]:
    """Every import of every module of `package`, at any depth of the code (functions too)."""
    top = package.name
    names = _modules(package)
    found = []

    def target(dotted: str) -> str | None:
        # The longest module that the dotted name names (a name imported from a module is that module).
        while dotted and dotted not in names:
            dotted = dotted.rpartition(".")[0]
        return names.get(dotted)

    for dotted, path in names.items():
        tree = ast.parse((package / path).read_text(encoding="utf-8"), filename=path)
        here = dotted.split(".") if dotted else []
        if not path.endswith("__init__.py"):
            here = here[:-1]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                wanted = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[: len(here) - node.level + 1] if node.level > 1 else here
                    module = ".".join([top, *base, *([node.module] if node.module else [])])
                else:
                    module = node.module or ""
                wanted = [f"{module}.{a.name}" for a in node.names]
            else:
                continue
            for name in wanted:
                if name == top or name.startswith(top + "."):
                    inner = target(name.removeprefix(top).removeprefix("."))
                    if inner is not None and inner != path:
                        found.append(Import(path, inner, node.lineno))
                else:
                    found.append(Import(path, name.split(".")[0], node.lineno))
    return found


def cycles(edges: list[Import]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        if e.imported.endswith(".py"):
            graph.setdefault(e.importer, set()).add(e.imported)
            graph.setdefault(e.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def violations(package: Path, layers: dict[str, int] = LAYERS) -> list[str]:
    """Every broken rule of the layout, one line each."""
    edges = imports_of(package)
    problems = [f"import cycle: {' <-> '.join(group)}" for group in cycles(edges)]
    for path in _modules(package).values():
        if place_of(path, layers) is None:
            problems.append(f"{path}: in no place of the layer table")
    for e in edges:
        here = place_of(e.importer, layers)
        if here is None:
            continue
        if not e.imported.endswith(".py"):
            if here in RULES and e.imported in RULES_NEVER_IMPORT_LIBRARIES:
                problems.append(f"{e.importer}:{e.line}: a rule imports {e.imported}")
            continue
        there = place_of(e.imported, layers)
        if there is None:
            continue
        if layers[there] > layers[here]:
            problems.append(
                f"{e.importer}:{e.line}: imports {e.imported}, a higher layer ({layers[here]} < {layers[there]})"
            )
        if here in RULES and any(e.imported == p or e.imported.startswith(p) for p in RULES_NEVER_IMPORT):
            problems.append(f"{e.importer}:{e.line}: a rule imports {e.imported}")
        if here in NEVER_IMPORT_REPORTS and e.imported.startswith("reports/"):
            problems.append(f"{e.importer}:{e.line}: imports {e.imported}; compose reports in cli/ or web/")
    return sorted(set(problems))


def test_the_package_keeps_its_layers_and_has_no_cycle():
    assert violations(PACKAGE) == []


def test_the_top_of_the_package_holds_few_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_imports_inside_functions_count():
    edges = imports_of(PACKAGE)
    # cli/__init__.py loads its command groups by name, but __main__ imports it at module level
    assert Import("__main__.py", "cli/__init__.py", 1) in edges
    functions: dict[str, list[tuple[int, int]]] = {}  # each module parsed once, not once an import
    for e in edges:
        if e.importer not in functions:
            tree = ast.parse((PACKAGE / e.importer).read_text(encoding="utf-8"))
            functions[e.importer] = [
                (n.lineno, n.end_lineno) for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
            ]
    nested = [
        e
        for e in edges
        if e.imported.endswith(".py") and any(a <= e.line <= b for a, b in functions[e.importer])
    ]
    assert nested, "no import inside a function was found: the checker would miss a hidden cycle"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_checker_finds_a_planted_cycle_and_an_upward_import(tmp_path):
    package = tmp_path / "pkg"
    _write(
        package,
        {
            "__init__.py": "",
            "low/__init__.py": "",
            # a cycle hidden behind an import inside a function
            "low/a.py": "from pkg.low import b\n",
            "low/b.py": "def f():\n    from pkg.low.a import thing\n",
            # an upward import, relative, inside a function
            "low/c.py": "def g():\n    from ..high import d\n",
            "high/__init__.py": "",
            "high/d.py": "import pkg.low.c\n",
            # a rule importing a database library
            "rules/e.py": "import sqlalchemy as sa\n",
            "stray.py": "",
        },
    )
    layers = {"__init__.py": 1, "low/": 1, "high/": 2, "bank/": 2}
    found = violations(package, layers)
    assert "import cycle: low/a.py <-> low/b.py" in found
    assert any(v.startswith("low/c.py:2: imports high/d.py, a higher layer") for v in found), found
    assert "rules/e.py: in no place of the layer table" in found
    assert "stray.py: in no place of the layer table" in found
    # the same rule file placed among the rules is caught for its library
    found = violations(package, {**layers, "rules/": 2, "stray.py": 1})
    assert "rules/e.py:1: a rule imports sqlalchemy" not in found  # rules/ is not one of RULES
    _write(package, {"bank/e.py": "import sqlalchemy as sa\n", "bank/__init__.py": ""})
    found = violations(package, {**layers, "rules/": 2, "stray.py": 1})
    assert "bank/e.py:1: a rule imports sqlalchemy" in found


@pytest.mark.parametrize("place", sorted(LAYERS))
def test_the_readme_shows_the_layer_table(place):
    rows = re.findall(r"^\| (\d+) \| (.+?) \|", README.read_text(encoding="utf-8"), re.M)
    shown = {p.strip("` "): int(layer) for layer, cell in rows for p in cell.split(",")}
    assert shown.get(f"assess/{place}") == LAYERS[place]


# Helpers that had been copied and had drifted: each is defined once in the package (by name:
# a name given to two different things is renamed, so that this stays a simple check).
ONE_OF_EACH = {
    "header_key": "sheets/table.py",
    "decode": "sheets/read.py",
    "read_table": "sheets/read.py",
    "CSV_SUFFIXES": "sheets/read.py",
    "ConfidenceInterval": "analysis/_common.py",
    "_warn": "analysis/_common.py",
    "table": "cli/support.py",
    "numbers": "i18n/numbers.py",
    "Found": "problems/__init__.py",
    "found_name": "problems/__init__.py",
    "stored_value": "responses.py",
    "phase_title": "event/__init__.py",
    "REPORTS_FOLDER": "workspace/files.py",
    "Table": "sheets/table.py",
    "Sheet": "sheets/table.py",
}


def _definitions(package: Path) -> dict[str, list[str]]:
    """Where each name is defined (a function, a class or a module-level assignment)."""
    found: dict[str, list[str]] = {}
    for file in sorted(package.rglob("*.py")):
        path = module_path(file, package)
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                found.setdefault(node.name, []).append(path)
        for node in ast.parse(file.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, []).append(path)
    return found


def test_one_of_each_helper():
    defined = _definitions(PACKAGE)
    assert {name: defined.get(name) for name in ONE_OF_EACH} == {
        name: [place] for name, place in ONE_OF_EACH.items()
    }
    # the workspace's file names live in workspace/files.py only
    names = re.compile(r"""["'](laporan|kartu-peserta\.html|penilaian-uraian-|lembar-jawaban-|assess\.db)""")
    elsewhere = [
        f"{module_path(f, PACKAGE)}:{n}"
        for f in sorted(PACKAGE.rglob("*.py"))
        if module_path(f, PACKAGE) != "workspace/files.py"
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
        if names.search(line) and not line.lstrip().startswith(("#", '"""', "help="))
    ]
    assert elsewhere == []
