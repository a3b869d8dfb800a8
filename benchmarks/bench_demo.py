"""What `make demo` runs: `assess demo` (the worked event: 52 participants, pre and post), then the HR
worked example (`assess hr init --example payakumbuh-hr`: three events added, a roster and ratings
imported, a calibration) and its report. Target: the whole under 10 s."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEAT = 3


def _timed(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assess", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> dict[str, float]:
    demo, hr, report = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(REPEAT):
            demo.append(_timed("demo", "--out", str(Path(tmp) / f"demo{n}")))
            folder = str(Path(tmp) / f"hr{n}")
            hr.append(_timed("hr", "init", "--example", "payakumbuh-hr", folder))
            report.append(_timed("-w", folder, "hr", "report"))
    medians = {
        k: statistics.median(v) for k, v in (("demo_s", demo), ("hr_example_s", hr), ("hr_report_s", report))
    }
    total = sum(medians.values())
    print(f"assess demo (whole command, SQLite), median of {REPEAT}: {medians['demo_s']:6.3f} s")
    print(f"assess hr init --example payakumbuh-hr, median of {REPEAT}: {medians['hr_example_s']:6.3f} s")
    print(f"assess hr report (63 people), median of {REPEAT}:      {medians['hr_report_s']:6.3f} s")
    print(f"make demo's assess commands together: {total:6.3f} s   target < 10 s")
    return {**medians, "make_demo_s": total}


if __name__ == "__main__":
    main()
