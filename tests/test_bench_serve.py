"""The load and fault benchmark of `assess serve`, run small: it must keep working (the phones wait in
the lobby until the trainer opens the test, then take it), and at any size a server killed with
SIGKILL halfway and started again loses no acknowledged answer.

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
            "--lobby",
            "1.5",
            "--poll-every",
            "0.2",
        ]
    )
    for name in ("load", "kill"):
        run = results[name]
        assert run["errors"] == 0 and run["lost"] == 0, (name, capsys.readouterr().out)
        assert run["acknowledged"] == 8 * 4 and run["submitted"] == 8
    assert results["kill"]["killed"]
    # The load run's phones waited in the lobby, polling, until the trainer opened the test: each
    # asked at least twice (the state it first saw, then the change), and none of them errs.
    assert results["load"]["lobby_polls"] >= 2 * 8 and results["kill"]["lobby_polls"] == 0
    out = capsys.readouterr().out
    assert "SIGKILL at" in out and "lobby:" in out
