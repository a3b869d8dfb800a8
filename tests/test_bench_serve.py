"""The load and fault benchmark of `assess serve`, run small: it must keep working (the phones wait in
the lobby until the trainer opens the test, then take it), and at any size a server killed with
SIGKILL halfway and started again loses no acknowledged answer; phones behind one address, with
half-sent requests held from another throughout, still all take the test, and the server's CPU of each
kind of request is measured.

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
            "--no-cpu-per-kind",
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


def test_a_small_class_behind_one_address_takes_the_test_past_hostile_sockets_and_each_kind_has_its_cpu(
    capsys,
):
    """The phones share one address (the workspace set for it), 20 half-sent requests from another are kept
    up throughout (more than one address may hold: some are turned away and opened again), and afterwards
    each kind of request is sent by one client, one after another: its server CPU is measured."""
    results = bench_serve.main(
        [
            "--participants",
            "6",
            "--items",
            "3",
            "--join-window",
            "0.5",
            "--think-low",
            "0.05",
            "--think-high",
            "0.2",
            "--submit-window",
            "0.3",
            "--lobby",
            "1.0",
            "--poll-every",
            "0.2",
            "--skip-kill",
            "--shared-address",
            "--hostile-sockets",
            "20",
            "--hostile-every",
            "0.3",
            "--cpu-per-kind",
            "--cpu-count",
            "30",
            "--skip-worst-inputs",
        ]
    )
    out = capsys.readouterr().out
    load = results["load"]
    assert load["errors"] == 0 and load["lost"] == 0, out
    assert load["acknowledged"] == 6 * 3 and load["submitted"] == 6, out
    assert load["connections_per_address"] == 2 * 6  # written into the workspace's assessment.yaml
    hostile = load["hostile"]
    assert hostile["rounds"] >= 5 and 0 < hostile["held_max"] <= 2 * 6, out
    assert hostile["turned_away"] > 0 and hostile["reopened"] > 0, out
    kinds = results["cpu_per_kind"]
    assert set(kinds) == {kind for kind, *_rest in bench_serve.KIND_STEPS}
    for kind, figures in kinds.items():
        assert figures["n"] == 30 and figures["wrong"] == 0, (kind, out)
        assert figures["cpu_ms"] > 0 and figures["p50_ms"] > 0, (kind, out)
    assert "hostile sockets:" in out and "worst" not in results
