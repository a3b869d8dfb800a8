"""The package's functions stay small enough to read: at most 80 lines, McCabe complexity at most 15.

A function that grows past either is split into steps whose names explain
them. Migrations (assess/store/migrations/) are exempt: they are written once
and never read again as code. The complexity limit is ruff's C901 with the
`max-complexity` of pyproject.toml; the length is counted here, from the
`def` line to the function's last line (decorators not counted).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "assess"
EXEMPT = (PACKAGE / "store" / "migrations",)
MAX_LINES = 80


def long_functions(root: Path, exempt: tuple[Path, ...] = (), limit: int = MAX_LINES) -> list[str]:
    """ "file:line name (n lines)" for every function or method under `root` longer than `limit` lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if any(path.is_relative_to(e) for e in exempt):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    where = path.relative_to(root.parent) if path.is_relative_to(root.parent) else path
                    found.append(f"{where}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_is_longer_than_80_lines():
    offenders = long_functions(PACKAGE, EXEMPT)
    assert not offenders, f"functions longer than {MAX_LINES} lines:\n" + "\n".join(offenders)


def test_the_length_check_finds_a_long_function(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    body = "".join(f"    x{k} = {k}\n" for k in range(79))  # with the def and the return: 81 lines
    (package / "sub" / "long.py").write_text(
        f"import functools\n\n\n@functools.cache\ndef planted():\n{body}    return 0\n", encoding="utf-8"
    )
    shorter = "".join(f"        x{k} = {k}\n" for k in range(78))  # 80 lines: allowed
    (package / "short.py").write_text(
        f"class A:\n    @property\n    def fits(self):\n{shorter}        return 0\n", encoding="utf-8"
    )
    long, short = Path("pkg", "sub", "long.py"), Path("pkg", "short.py")
    assert long_functions(package) == [f"{long}:5 planted (81 lines)"]
    assert long_functions(package, limit=79) == [f"{short}:3 fits (80 lines)", f"{long}:5 planted (81 lines)"]
    assert long_functions(package, exempt=(package / "sub",)) == []


def _ruff() -> list[str]:
    """How to run ruff: as a module of this Python, else the executable next to it."""
    probe = subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True, text=True)
    if probe.returncode == 0:
        return [sys.executable, "-m", "ruff"]
    return [str(Path(sys.executable).parent / "ruff")]


def test_no_function_is_more_complex_than_pyproject_allows():
    result = subprocess.run(
        [*_ruff(), "check", "--select", "C901", "assess"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_complexity_check_finds_a_complex_function(tmp_path):
    def planted(branches: int) -> str:  # complexity: 1 + one per `if`
        ifs = "".join(f"    if x == {k}:\n        return {k}\n" for k in range(branches))
        return f"def planted(x):\n{ifs}    return -1\n"

    (tmp_path / "fits.py").write_text(planted(14), encoding="utf-8")
    (tmp_path / "too_complex.py").write_text(planted(15), encoding="utf-8")
    result = subprocess.run(
        [*_ruff(), "check", "--config", str(ROOT / "pyproject.toml"), "--select", "C901", "--no-cache", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "too_complex.py" in result.stdout and "(16 > 15)" in result.stdout
    assert "fits.py" not in result.stdout
