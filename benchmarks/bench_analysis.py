"""Item analysis: 1,000,000 people x 50 items, 10 of them with partial credit. Target: at most 1 s.

Every item and test statistic of `assess analyze items` (no distractors),
through the function the command calls (`analyze_items`), on a seeded matrix
held in memory, column-major as the CSV reader gives it (row-major reported too). Reading a marks CSV is reported on its own line, for a
100,000 x 50 file written here (its per-row rate too).

Then the whole command as a user runs it, from the first keystroke to the last number, at
10,000, 100,000 and 1,000,000 x 50, side by side with R (`fread` + `psych::alpha` on a matrix)
and pandas + pingouin (`cronbach_alpha`, which computes alpha only), run alternately on the same
file: medians, CPU per run and peak memory, and assess's time as a ratio of each. R needs
`Rscript` with psych and data.table; pingouin the Python named by PINGOUIN_PYTHON (a scratch
environment) or this one. Where one is missing, the benchmark says so and times assess alone.

    python benchmarks/run.py bench_analysis
    python benchmarks/bench_analysis.py --sizes 10000 --repeat 3   # the side-by-side part only
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assess.analysis.items import analyze_items
from assess.sheets.matrix import read_matrix
from benchmarks.timing import median_seconds

N_PEOPLE = 1_000_000
N_ITEMS = 50
N_PARTIAL = 10  # items marked 0..4
PARTIAL_MAX = 4.0
N_CSV = 100_000

REPEAT = 5
SEED = 2019


def marks(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """A Rasch-like cohort: 40 right/wrong items and 10 items marked 0..4 (graded), float64."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=(n, 1)).astype(np.float32)
    difficulty = rng.normal(size=N_ITEMS).astype(np.float32)
    p = 1 / (1 + np.exp(difficulty - ability))  # (n, items), float32
    x = np.empty((n, N_ITEMS))
    x[:, N_PARTIAL:] = rng.random((n, N_ITEMS - N_PARTIAL), dtype=np.float32) < p[:, N_PARTIAL:]
    steps = rng.random((n, N_PARTIAL, int(PARTIAL_MAX)), dtype=np.float32) < p[:, :N_PARTIAL, None]
    x[:, :N_PARTIAL] = steps.sum(axis=2)
    top = np.ones(N_ITEMS)
    top[:N_PARTIAL] = PARTIAL_MAX
    return x, top


def write_csv(path: Path, x: np.ndarray) -> None:
    header = "id," + ",".join(f"q{j + 1:02d}" for j in range(x.shape[1]))
    body = np.char.add(np.char.add("P", np.arange(x.shape[0]).astype(str)), ",")
    cells = [",".join(f"{v:g}" for v in row) for row in x.tolist()]
    path.write_text(
        header + "\n" + "\n".join(a + b for a, b in zip(body, cells, strict=True)) + "\n", "utf-8"
    )


def time_analysis() -> tuple[float, float]:
    """Seconds for the matrix as the CSV reader gives it (column-major), and row-major."""
    x, top = marks(N_PEOPLE)
    ids = [f"q{j + 1:02d}" for j in range(N_ITEMS)]
    figures = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning here would mean degenerate data: the benchmark is wrong
        for layout in ("F", "C"):
            x = np.asarray(x, order=layout)
            result = analyze_items(x, top, ids=ids)
            assert result.test.n == N_PEOPLE and 0.8 < result.test.alpha < 1
            figures.append(median_seconds(lambda x=x: analyze_items(x, top, ids=ids), REPEAT))
    return figures[0], figures[1]


def time_reading() -> tuple[float, int]:
    small, small_top = marks(N_CSV, SEED + 1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "nilai.csv"
        write_csv(path, small)
        max_marks = ",".join(f"{v:g}" for v in small_top)
        assert np.array_equal(read_matrix(path, max_marks).marks, small)
        return median_seconds(lambda: read_matrix(path, max_marks), REPEAT), path.stat().st_size


# -- the whole command, side by side -------------------------------------------------------

SIZES = (10_000, 100_000, 1_000_000)
COMMAND_REPEAT = {10_000: 5, 100_000: 5, 1_000_000: 3}
MAX_MARKS = ",".join(["4"] * N_PARTIAL + ["1"] * (N_ITEMS - N_PARTIAL))
R_SCRIPT = """suppressMessages({library(data.table); library(psych)})
x <- as.matrix(fread(commandArgs(TRUE)[1])[, -1])
a <- psych::alpha(x, warnings = FALSE, check.keys = FALSE)
cat(sprintf("%.10f\\n", a$total$raw_alpha))
"""
PINGOUIN_SCRIPT = """import sys, pandas as pd, pingouin as pg
print("%.10f" % pg.cronbach_alpha(pd.read_csv(sys.argv[1], index_col=0))[0])
"""


@dataclass(frozen=True)
class Run:
    seconds: float  # wall, from start to exit
    cpu: float  # user + system of the process and its threads
    peak_mb: float
    alpha: float


def write_matrix_csv(path: Path, n: int, seed: int = SEED) -> None:
    """`n` people of `marks` as a CSV (id, q01..q50), written by pyarrow: 1M rows in seconds."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    x, _ = marks(n, seed)
    columns = {"id": pa.array([f"P{k}" for k in range(n)])}
    columns |= {f"q{j + 1:02d}": pa.array(x[:, j].astype(np.int8)) for j in range(N_ITEMS)}
    with path.open("wb") as out:  # pyarrow quotes the names of a header it writes: written here
        out.write((",".join(columns) + "\n").encode())
        options = pacsv.WriteOptions(include_header=False, quoting_style="none")
        pacsv.write_csv(pa.table(columns), out, options)


def assess_command(path: Path) -> list[str]:
    script = Path(sys.executable).with_name("assess")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "assess"]
    return [*head, "analyze", "items", "--matrix", str(path), "--max-marks", MAX_MARKS, "--json"]


def tools(folder: Path) -> tuple[dict, list[str]]:
    """The commands to compare, by name, and what is missing (said, not hidden)."""
    found = {"assess": assess_command}
    missing = []
    rscript = shutil.which("Rscript")
    check = "suppressMessages({library(data.table); library(psych)})"
    if rscript and subprocess.run([rscript, "-e", check], capture_output=True).returncode == 0:
        (folder / "alpha.R").write_text(R_SCRIPT, encoding="utf-8")
        found["R fread + psych::alpha"] = lambda path: [rscript, str(folder / "alpha.R"), str(path)]
    else:
        missing.append(
            "R (Rscript with psych and data.table: apt-get install r-cran-psych r-cran-data.table)"
        )
    python = os.environ.get("PINGOUIN_PYTHON", sys.executable)
    if subprocess.run([python, "-c", "import pandas, pingouin"], capture_output=True).returncode == 0:
        (folder / "alpha_pingouin.py").write_text(PINGOUIN_SCRIPT, encoding="utf-8")
        found["pandas + pingouin"] = lambda path: [python, str(folder / "alpha_pingouin.py"), str(path)]
    else:
        missing.append("pingouin (pip install pingouin in a scratch environment; PINGOUIN_PYTHON=its python)")
    return found, missing


def run_once(command: list[str]) -> Run:
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} exited {process.returncode}")
    alpha = json.loads(out)["test"]["alpha"] if out.lstrip().startswith("{") else float(out)
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, alpha)


def side_by_side(sizes=SIZES, repeat: dict[int, int] | None = None) -> dict[int, dict[str, list[Run]]]:
    """Every tool on the same file, alternately, `repeat` times per size."""
    results: dict[int, dict[str, list[Run]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        found, missing = tools(Path(folder))
        for what in missing:
            print(f"  not installed, not compared: {what}")
        for n in sizes:
            path = Path(folder) / f"nilai-{n}.csv"
            write_matrix_csv(path, n)
            runs: dict[str, list[Run]] = {name: [] for name in found}
            for _ in range((repeat or COMMAND_REPEAT).get(n, 3)):
                for name, command in found.items():
                    runs[name].append(run_once(command(path)))
            results[n] = runs
            path.unlink()
            print_size(n, runs)
    return results


def print_size(n: int, runs: dict[str, list[Run]]) -> None:
    mine = statistics.median(r.seconds for r in runs["assess"])
    print(f"  {n:>9,} x {N_ITEMS}, median of {len(runs['assess'])} alternating runs:")
    for name, rs in runs.items():
        seconds = statistics.median(r.seconds for r in rs)
        cpu = statistics.median(r.cpu for r in rs)
        peak = max(r.peak_mb for r in rs)
        ratio = "" if name == "assess" else f"   assess takes {mine / seconds:.2f}x its time"
        print(
            f"    {name:<24} {seconds:7.2f} s  cpu {cpu:6.2f} s  peak {peak:6.0f} MB"
            f"  alpha {rs[0].alpha:.6f}{ratio}"
        )


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = list(argv or [])
    if args and args[0] == "--sizes":  # the side-by-side part alone, e.g. --sizes 10000 --repeat 3
        sizes = [int(x) for x in args[1].split(",")]
        repeat = int(args[3]) if len(args) > 3 else 3
        print("assess analyze items, the whole command, side by side:")
        side_by_side(sizes, {n: repeat for n in sizes})
        return {}
    seconds, row_major = time_analysis()  # the 400 MB matrix is freed before the CSV part
    reading, size = time_reading()
    print(
        f"item analysis, {N_PEOPLE:,} people x {N_ITEMS} items ({N_PARTIAL} partial credit), median of {REPEAT}:"
    )
    print(f"  every item and test statistic (analyze_items)   {seconds:6.3f} s   target <= 1.000 s")
    print(f"    the same matrix in row-major order            {row_major:6.3f} s")
    print(
        f"  reading a marks CSV, {N_CSV:,} x {N_ITEMS} ({size / 1e6:.1f} MB)   {reading:6.3f} s"
        f"   {N_CSV / reading:,.0f} rows/s"
    )
    print("assess analyze items, the whole command, side by side:")
    side_by_side()
    return {
        "analysis_s": seconds,
        "analysis_row_major_s": row_major,
        "csv_s": reading,
        "csv_rows_per_s": N_CSV / reading,
    }


if __name__ == "__main__":
    main(sys.argv[1:])
