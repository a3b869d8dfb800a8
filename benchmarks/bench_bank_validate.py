"""`assess bank validate` on a generated 10,000-item bank. Target: at most 1 s here.

Reported apart: loading and validation in one process (what the target
counts), Python's and the package's start-up, and the whole command.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from assess.bank.loader import load
from benchmarks.bank_generator import bank_yaml
from benchmarks.timing import median_seconds

N_ITEMS = 10_000
REPEAT = 7


def main() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(bank_yaml(N_ITEMS), encoding="utf-8")
        size_mb = path.stat().st_size / 1e6
        library = load([str(path)])
        assert sum(len(b.items) for b in library.banks) == N_ITEMS
        in_process = median_seconds(lambda: load([str(path)]))
        exe = [sys.executable, "-m", "assess"]
        startup = median_seconds(
            lambda: subprocess.run([*exe, "--version"], check=True, capture_output=True), REPEAT
        )
        command = median_seconds(
            lambda: subprocess.run([*exe, "bank", "validate", str(path)], check=True, capture_output=True)
        )
    print(f"bank validate, {N_ITEMS:,} items ({size_mb:.1f} MB), median of {REPEAT}:")
    print(f"  load + validate (in process)   {in_process:6.3f} s   target <= 1.000 s")
    print(f"  process start (assess --version) {startup:6.3f} s")
    print(f"  whole command                  {command:6.3f} s")
    return {"load_validate_s": in_process, "startup_s": startup, "command_s": command}


if __name__ == "__main__":
    main()
