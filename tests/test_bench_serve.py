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

ARGS = {
    "--participants": "8",
    "--items": "4",
    "--join-window": "0.5",
    "--think-low": "0.05",
    "--think-high": "0.2",
    "--submit-window": "0.3",
    "--lobby": "0.8",
    "--poll-every": "0.2",
    "--hostile-sockets": "20",
    "--hostile-every": "0.3",
    "--cpu-count": "30",
}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_small_class_behind_one_address_past_hostile_sockets_survives_a_sigkill_and_each_kind_has_its_cpu(
    capsys,
):
    """One run of everything the benchmark does but the worst inputs (tests/test_bounded_input.py has
    those): the phones share one address (the workspace set for it), 20 half-sent requests from another
    are kept up through the load run (more than the address may hold: some are turned away and opened
    again), the server is killed halfway through the second run, and afterwards each kind of request is
    sent by one client, one after another, its server CPU measured."""
    argv = [part for pair in ARGS.items() for part in pair]
    results = bench_serve.main([*argv, "--shared-address", "--skip-worst-inputs"])
    out = capsys.readouterr().out
    for name in ("load", "kill"):
        run = results[name]
        assert run["errors"] == 0 and run["lost"] == 0, (name, out)
        assert run["acknowledged"] == 8 * 4 and run["submitted"] == 8, (name, out)
    assert results["kill"]["killed"] and "SIGKILL at" in out
    # The load run's phones waited in the lobby, polling, until the trainer opened the test: each
    # asked at least twice (the state it first saw, then the change), and none of them errs.
    load = results["load"]
    assert load["lobby_polls"] >= 2 * 8 and results["kill"]["lobby_polls"] == 0 and "lobby:" in out
    assert load["connections_per_address"] == 2 * 8  # written into the workspace's assessment.yaml
    hostile = load["hostile"]
    assert hostile["rounds"] >= 5 and 0 < hostile["held_max"] <= 2 * 8, out
    assert hostile["turned_away"] > 0 and hostile["reopened"] > 0 and "hostile sockets:" in out
    kinds = results["cpu_per_kind"]
    assert set(kinds) == {kind for kind, *_rest in bench_serve.KIND_STEPS} | set(bench_serve.FLOOR)
    for kind, figures in kinds.items():
        assert figures["n"] == (150 if kind in bench_serve.FLOOR else 30) and figures["wrong"] == 0, (
            kind,
            out,
        )
        assert figures["cpu_ms"] > 0 and figures["p50_ms"] > 0, (kind, out)
    assert "worst" not in results
