"""No answer is ever lost: kill a writer with SIGKILL mid-run; every acknowledged save is there."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assess.store.store import OPEN, Store

ROOT = Path(__file__).resolve().parents[1]
T0 = dt.datetime(2019, 10, 30, 1, 0)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")
def test_every_acknowledged_save_survives_sigkill(database_url):
    from assess.event.file import build_forms, load_event

    store = Store.open(database_url)
    store.ensure_event("payakumbuh-2019", "Uji", "Asia/Jakarta", T0)
    store.add_participants(
        "payakumbuh-2019", [{"person_id": "P001", "name": "Budi", "access_code": "K1"}], {}, {}
    )
    form = build_forms(load_event(ROOT / "examples" / "payakumbuh-2019" / "assessment.yaml"))["pre"]
    store.save_form(form, T0)
    store.set_phase_state("payakumbuh-2019", "pre", OPEN, T0)
    attempt = store.start_attempt("payakumbuh-2019", "P001", "pre", channel="web", now=T0, personal_order={})
    store.close()

    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.sigkill_writer", database_url, str(attempt.id)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    acknowledged: list[tuple[int, int]] = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 300 and time.monotonic() < deadline:
        line = writer.stdout.readline()
        if not line:
            break
        seq, n = map(int, line.split())
        acknowledged.append((seq, n))
    writer.send_signal(signal.SIGKILL)  # in the middle of the run of saves
    writer.wait(timeout=30)
    assert len(acknowledged) >= 300, writer.stderr.read()

    store = Store.open(database_url)
    history = {(h.seq, h.value["n"]) for h in store.history(attempt.id)}
    assert set(acknowledged) <= history  # nothing acknowledged was lost
    latest = store.answers(attempt.id)
    for item in {f"item-{n % 7}" for _, n in acknowledged}:
        last_acked = max(n for _, n in acknowledged if f"item-{n % 7}" == item)
        assert (
            latest[item]["n"] >= last_acked
        )  # the latest answer is at least as new as the last acknowledged
    store.close()
