"""The HR benchmark, run tiny: its synthetic history is a valid HR database (events added, a backup of
one more added, calibrated on one scale, the report written), and it reports each figure
(figures: `make bench`, and --scale full by hand)."""

from __future__ import annotations

import math

from benchmarks import bench_hr


def test_the_hr_benchmark_makes_a_history_that_calibrates_and_reports():
    result = bench_hr.main(["--scale", "tiny", "--repeat", "2"])
    assert set(result) == {
        "add_event_s",
        "add_event_cpu_ms_per_1000_answers",
        "first_calibration_s",
        "calibration_s",
        "calibration_cpu_ms_per_1000_results",
        "report_s",
        "report_cpu_ms_per_person",
        "peak_mb",
    }
    assert all(v > 0 and math.isfinite(v) for v in result.values())


def test_the_synthetic_events_link_through_shared_items():
    history = bench_hr.History(bench_hr.SCALES["tiny"])
    _e1, first = history.event_rows(1, bench_hr.dt.date(2020, 1, 1))
    _e2, second = history.event_rows(2, bench_hr.dt.date(2020, 2, 1))
    items = [{i for r in rows["results"] for i in r["items"]} for rows in (first, second)]
    assert items[0] & items[1]  # consecutive events share items: one scale
    pre = {i for r in first["results"] if r["phase_id"] == "pre" for i in r["items"]}
    post = {i for r in first["results"] if r["phase_id"] == "post" for i in r["items"]}
    assert len(pre & post) == bench_hr.SHARED
