"""The load and fault benchmark of `assess serve`, run small: it must keep working, and at any size a
server killed with SIGKILL halfway and started again loses no acknowledged answer.

Only behaviour is asserted here; the figures come from `make bench` (benchmarks/bench_serve.py).
"""

from __future__ import annotations

import sys

import pytest

from benchmarks import bench_serve


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_small_class_survives_a_sigkill_of_the_server_without_losing_an_acknowledged_answer(capsys):
    results = bench_serve.main(
        [
            "--participants",
            "8",
            "--items",
            "4",
            "--join-window",
            "0.5",
            "--think-low",
            "0.05",
            "--think-high",
            "0.2",
            "--submit-window",
            "0.3",
        ]
    )
    for name in ("load", "kill"):
        run = results[name]
        assert run["errors"] == 0 and run["lost"] == 0, (name, capsys.readouterr().out)
        assert run["acknowledged"] == 8 * 4 and run["submitted"] == 8
    assert results["kill"]["killed"]
    assert "SIGKILL at" in capsys.readouterr().out
