"""The installed package is what users run: build the wheel, install it (not
editable) into a fresh virtual environment, and validate the shipped banks from there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_carries_the_banks_and_runs(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("assess-*.whl")
    # A venv without pip of its own, filled by this one's pip, and no bytecode compiled: the same
    # install as a user's, in a third of the time (pip's own copy and scipy's .pyc files were 24 s).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-compile", str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "ASSESS_LANG": "en"}
    env.pop("PYTHONPATH", None)
    # Run from an empty folder so that nothing of the source checkout is importable.
    where = subprocess.run(
        [
            str(bindir / "python"),
            "-c",
            "import assess, assess.resources as r; print(assess.__file__); "
            "print(*(r.data_path(n) for n in ('question_banks', 'templates', 'examples')), sep='\\n')",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(str(venv) in line for line in where), where
    assert all(Path(p).is_dir() for p in where[1:])
    result = subprocess.run(
        [str(bindir / "assess"), "bank", "validate"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "_data/question_banks/lingkungan-hidup.yaml: bank 'lingkungan-hidup'" in result.stdout.replace(
        os.sep, "/"
    )
    shown = subprocess.run(
        [str(bindir / "assess"), "bank", "show", "lingkungan-001"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**env, "ASSESS_LANG": "id"},
    )
    assert shown.returncode == 0 and "Kunci:" in shown.stdout  # the compiled catalogue travelled too
