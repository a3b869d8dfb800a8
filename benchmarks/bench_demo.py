"""`assess demo`: the worked example end to end (52 participants, pre and post). Target: under 10 s."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEAT = 3


def main() -> dict[str, float]:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(REPEAT):
            out = Path(tmp) / f"demo{n}"
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "assess", "demo", "--out", str(out)], check=True, capture_output=True
            )
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"assess demo (whole command, SQLite), median of {REPEAT}: {median:6.3f} s   target < 10 s")
    return {"demo_s": median}


if __name__ == "__main__":
    main()
