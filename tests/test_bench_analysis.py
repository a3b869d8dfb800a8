"""The whole-command benchmark of `assess analyze items`, run small: the file it writes reads back as
the marks it drew, and the command's alpha is the one computed in process (figures: `make bench`)."""

from __future__ import annotations

import warnings

import pytest

from assess.analysis.items import analyze_items
from benchmarks import bench_analysis


def test_the_side_by_side_benchmark_times_the_command_on_the_file_it_wrote(tmp_path):
    path = tmp_path / "nilai.csv"
    bench_analysis.write_matrix_csv(path, 2_000)
    x, top = bench_analysis.marks(2_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = analyze_items(x, top, ids=[f"q{j + 1:02d}" for j in range(x.shape[1])]).test.alpha
    run = bench_analysis.run_once(bench_analysis.assess_command(path))
    assert run.alpha == pytest.approx(expected, abs=1e-12)
    assert run.seconds > 0 and run.cpu > 0 and run.peak_mb > 10
    bench_analysis.print_size(2_000, {"assess": [run], "other": [run]})  # the report's lines format
