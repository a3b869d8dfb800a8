"""Run every benchmark (`make bench`). Figures are medians; machines here are shared and noisy."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BENCHMARKS = [
    "benchmarks.bench_bank_validate",
    "benchmarks.bench_bank_formats",
    "benchmarks.bench_scoring",
    "benchmarks.bench_demo",
    "benchmarks.bench_analysis",
    "benchmarks.bench_hr",  # the short form; --scale full by hand (see its docstring)
    "benchmarks.bench_reports",
    "benchmarks.bench_lobby",  # one lobby poll through the app, sequentially: CPU per poll
    "benchmarks.bench_omr",  # about 15 minutes: 1,000 synthetic sheets made, then read
    "benchmarks.bench_serve",  # about 5 minutes: 300 phones answering for real, twice
]

if __name__ == "__main__":
    for name in sys.argv[1:] or BENCHMARKS:
        importlib.import_module(name if "." in name else f"benchmarks.{name}").main()
        print()
