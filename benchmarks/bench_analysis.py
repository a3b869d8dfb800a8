"""Item analysis: 1,000,000 people x 50 items, 10 of them with partial credit. Target: at most 3 s.

Every item and test statistic of `assess analyze items` (no distractors),
through the function the command calls (`analyze_items`), on a seeded matrix
held in memory. Reading a marks CSV is reported on its own line, for a
100,000 x 50 file written here (its per-row rate too).

    python benchmarks/run.py bench_analysis
"""

from __future__ import annotations

import tempfile
import warnings
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


def time_analysis() -> float:
    x, top = marks(N_PEOPLE)
    ids = [f"q{j + 1:02d}" for j in range(N_ITEMS)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning here would mean degenerate data: the benchmark is wrong
        result = analyze_items(x, top, ids=ids)
        seconds = median_seconds(lambda: analyze_items(x, top, ids=ids), REPEAT)
    assert result.test.n == N_PEOPLE and 0.8 < result.test.alpha < 1
    return seconds


def time_reading() -> tuple[float, int]:
    small, small_top = marks(N_CSV, SEED + 1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "nilai.csv"
        write_csv(path, small)
        max_marks = ",".join(f"{v:g}" for v in small_top)
        assert np.array_equal(read_matrix(path, max_marks).marks, small)
        return median_seconds(lambda: read_matrix(path, max_marks), REPEAT), path.stat().st_size


def main() -> dict[str, float]:
    seconds = time_analysis()  # the 400 MB matrix is freed before the CSV part
    reading, size = time_reading()
    print(
        f"item analysis, {N_PEOPLE:,} people x {N_ITEMS} items ({N_PARTIAL} partial credit), median of {REPEAT}:"
    )
    print(f"  every item and test statistic (analyze_items)   {seconds:6.3f} s   target <= 3.000 s")
    print(
        f"  reading a marks CSV, {N_CSV:,} x {N_ITEMS} ({size / 1e6:.1f} MB)   {reading:6.3f} s"
        f"   {N_CSV / reading:,.0f} rows/s"
    )
    return {"analysis_s": seconds, "csv_s": reading, "csv_rows_per_s": N_CSV / reading}


if __name__ == "__main__":
    main()
