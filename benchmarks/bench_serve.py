"""`assess serve` under a class of phones, on loopback: load, then a SIGKILL halfway.

300 simulated participants, each from its own 127.x.y.z source address (phones behind a
hotspot), join within 60 s with the real join limits on, each answers the 30 questions of
the pre-test (open the page, think 1-3 s, autosave the answer with its sequence number),
then all submit within 10 s. Printed: requests per second, p50/p95/p99 latency per kind of
request, errors; afterwards every acknowledged save must be in the database (its history
holds the (item, seq) and the latest answer is at least as new). Target: p95 of saves
<= 150 ms, 0 errors, 0 lost answers, the offered rate sustained.

The second run kills the server with SIGKILL halfway through the answering, starts it again
on the same port, and lets the participants carry on: a save that got no answer is retried
with the same sequence number (as the page's script does) and the page is loaded again.
Nothing acknowledged may be lost.

    python benchmarks/bench_serve.py                      # both runs, full size
    python benchmarks/bench_serve.py --participants 60 --join-window 10 --skip-kill   # smaller
"""

from __future__ import annotations

import argparse
import csv
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NEXT_SEQ = re.compile(r'data-next-seq="(\d+)"')
SELECT = re.compile(r'<select[^>]*name="((?:m|r)\d+)"')
PASSWORD = "kata-sandi-bench"


# -- the workspace -------------------------------------------------------------------------


def make_workspace(folder: Path, participants: int) -> None:
    """The worked example with `participants` generated people, its pre-test open."""
    from click.testing import CliRunner

    from assess.cli import cli

    def run(*args, env=None):
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output

    run("init", "--example", "payakumbuh-2019", str(folder))
    people = folder / "peserta-bench.csv"
    with people.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["NIP", "Nama", "Jabatan", "Unit Kerja"])
        for k in range(participants):
            w.writerow([f"19800101200501{k:04d}", f"Peserta {k:03d}", "Staf", f"Kelurahan {k % 47:02d}"])
    run("-w", str(folder), "participants", "import", str(people))
    run("-w", str(folder), "trainer-password", env={"ASSESS_TRAINER_PASSWORD": PASSWORD})
    from assess.delivery.screen.desk import open_phase
    from assess.workspace import Workspace, choose, now

    ws = Workspace(*choose(str(folder), None))
    open_phase(ws, "pre", now())
    ws.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(folder: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assess",
            "-w",
            str(folder),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the server did not start")


# -- one phone -------------------------------------------------------------------------------


class Down(Exception):
    """No answer from the server (refused, reset, timed out)."""


@dataclass
class Phone:
    port: int
    address: str
    log: list = field(default_factory=list)  # (kind, seconds, ok, at)
    cookie: str = ""
    token: str = ""
    conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=60, source_address=(self.address, 0)
            )
        return self.conn

    def request(self, kind: str, method: str, path: str, form: dict | None = None, expect=(200,)):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({**form, "csrf_token": self.token}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            conn = self._connection()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as e:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            self.log.append((kind, time.perf_counter() - start, False, time.monotonic()))
            raise Down(str(e)) from None
        elapsed = time.perf_counter() - start
        ok = response.status in expect
        self.log.append((kind, elapsed, ok, time.monotonic()))
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("assess_session="):
                self.cookie = value.split(";", 1)[0]
        found = CSRF.search(data)
        if found:
            self.token = found.group(1)
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            self.conn = None
        return response.status, data


def answer_fields(page: str) -> dict:
    """An answer for the question on `page`, as its form would send it."""
    selects = SELECT.findall(page)
    if any(s.startswith("r") for s in selects):
        return {name: str(k + 1) for k, name in enumerate(selects)}
    if selects:
        return {name: "0" for name in selects}
    if 'type="radio"' in page or 'type="checkbox"' in page:
        return {"answer": "0"}
    return {"answer": "2,5" if 'inputmode="decimal"' in page else "musyawarah kelurahan"}


@dataclass
class Participant:
    code: str
    phone: Phone
    acknowledged: list = field(default_factory=list)  # (number, seq)
    retries: int = 0
    errors: list = field(default_factory=list)


def retrying(p: Participant, step, *, resume=None, patience: float = 60.0):
    """Run `step` until the server answers; after an outage, `resume` first (the page is reloaded)."""
    waited, delay, failed = 0.0, 1.0, False  # as the page's script: 1 s, doubling up to 15 s
    while True:
        try:
            if failed and resume is not None:
                resume()
            return step()
        except Down:
            failed = True
            p.retries += 1
            if waited > patience:
                raise
            pause = delay * random.uniform(0.5, 1.5)  # jitter, as the page's script does
            time.sleep(pause)
            waited += pause
            delay = min(delay * 2, 15.0)


def take_test_logged(p: Participant, *args) -> None:
    try:
        take_test(p, *args)
    except Exception as e:  # noqa: BLE001 - a benchmark reports what went wrong and carries on
        p.errors.append(f"{type(e).__name__}: {e}")


def take_test(
    p: Participant, join_at: float, think: tuple[float, float], items: int, barrier, submit_window: float
):
    rng = random.Random(p.code)
    phone = p.phone
    time.sleep(max(0.0, join_at - time.monotonic()))
    try:
        retrying(p, lambda: phone.request("join", "GET", f"/join?code={p.code}"))
        status, _ = retrying(
            p, lambda: phone.request("join", "POST", "/join", {"code": p.code}, expect=(302,))
        )
        if status != 302:
            p.errors.append(f"join {status}")
            return
        retrying(p, lambda: phone.request("page", "GET", "/lobby"))
        retrying(p, lambda: phone.request("start", "POST", "/test/pre/start", {}, expect=(302,)))
        for number in range(1, items + 1):
            state = {}

            def load(number=number, state=state):
                status, page = phone.request("page", "GET", f"/test/pre/{number}")
                found = NEXT_SEQ.search(page)
                if found is None:
                    raise RuntimeError(f"page {number}: {status} {page[:300]!r}")
                state["page"] = page
                state["seq"] = int(found.group(1))

            retrying(p, load)
            time.sleep(rng.uniform(*think))
            fields = answer_fields(state["page"])
            seq = state["seq"]

            def save(number=number, fields=fields, seq=seq):
                return phone.request("save", "POST", f"/test/pre/{number}/save", {**fields, "seq": str(seq)})

            status, body = retrying(p, save, resume=lambda number=number: load(number))
            if status == 200 and '"ok":true' in body.replace(" ", ""):
                p.acknowledged.append((number, seq))
            else:
                p.errors.append(f"save {number}: {status} {body[:80]}")
    finally:
        barrier.wait()
    time.sleep(rng.uniform(0, submit_window))
    retrying(p, lambda: phone.request("review", "GET", "/test/pre/review"))
    retrying(p, lambda: phone.request("submit", "POST", "/test/pre/submit", {}, expect=(302,)))


# -- a run -------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def run(args, *, kill: bool) -> dict:
    from assess.delivery.screen import sitting
    from assess.workspace import Workspace, choose

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pelatihan"
        make_workspace(folder, args.participants)
        ws = Workspace(*choose(str(folder), None))
        codes = [(p.person_id, p.access_code) for p in ws.store.participants(ws.event_id)]
        port = free_port()
        server = start_server(folder, port)
        people = [
            Participant(code, Phone(port, f"127.{1 + k // 250}.{k % 250 + 1}.{7 + k % 3}"))
            for k, (_pid, code) in enumerate(codes)
        ]
        barrier = threading.Barrier(len(people))
        t0 = time.monotonic() + 1
        rng = random.Random(2019)
        threads = [
            threading.Thread(
                target=take_test_logged,
                args=(
                    p,
                    t0 + rng.uniform(0, args.join_window),
                    (args.think_low, args.think_high),
                    args.items,
                    barrier,
                    args.submit_window,
                ),
                daemon=True,
            )
            for p in people
        ]
        for t in threads:
            t.start()
        killed_at = None
        if kill:
            # Halfway through the answering: joining takes join_window, answering items x mean think.
            halfway = t0 + args.join_window / 2 + args.items * (args.think_low + args.think_high) / 4
            time.sleep(max(0.0, halfway - time.monotonic()))
            server.send_signal(signal.SIGKILL)
            server.wait()
            killed_at = time.monotonic()
            server = start_server(folder, port)
            print(f"  SIGKILL at {killed_at - t0:.0f} s; restarted in {time.monotonic() - killed_at:.2f} s")
        for t in threads:
            t.join()
        server.terminate()
        server.wait(timeout=20)
        # Every acknowledged save is in the database.
        lost = 0
        person_of = dict((code, pid) for pid, code in codes)
        for p in people:
            s = sitting.sitting(ws, person_of[p.code], "pre")
            if s is None:
                lost += len(p.acknowledged)
                continue
            history = {(h.item_id, h.seq) for h in ws.store.history(s.attempt.id)}
            latest = {r_item: r_seq for r_item, r_seq in _latest_seqs(ws, s.attempt.id).items()}
            for number, seq in p.acknowledged:
                item = s.item(number).id
                if (item, seq) not in history or latest.get(item, -1) < seq:
                    lost += 1
        submitted = sum(a.status == "submitted" for a in ws.store.attempts(ws.event_id, "pre"))
        ws.close()
    log = [entry for p in people for entry in p.phone.log]
    by_kind = defaultdict(list)
    failures = 0
    for kind, seconds, ok, _at in log:
        if ok:
            by_kind[kind].append(seconds)
        else:
            failures += 1
    start = min(at for *_x, at in log)
    end = max(at for *_x, at in log)
    errors = [e for p in people for e in p.errors]
    acknowledged = sum(len(p.acknowledged) for p in people)
    saves = by_kind["save"]
    save_times = sorted(at for kind, _s, ok, at in log if kind == "save" and ok)
    window = (save_times[-1] - save_times[0]) if len(save_times) > 1 else 1.0
    print(
        f"  {len(people)} participants x {args.items} items; {len(log)} requests in {end - start:.0f} s "
        f"({len(log) / (end - start):.0f}/s overall; saves {len(saves) / window:.0f}/s while answering)"
    )
    # The offered rate: a participant answering offers a page and a save per think time. In each 10 s
    # window, compare what was achieved with what the participants answering throughout it offered.
    spans = [
        (
            min(at for kind, _s, _ok, at in p.phone.log if kind == "start"),
            max(at for kind, _s, _ok, at in p.phone.log if kind == "save"),
        )
        for p in people
        if p.acknowledged
    ]
    per_participant = 2 / ((args.think_low + args.think_high) / 2)
    busiest = None
    for edge in range(int(start), int(end) - 9, 5):
        achieved = sum(edge <= at < edge + 10 for *_x, at in log) / 10
        active = sum(a <= edge and b >= edge + 10 for a, b in spans)
        if active and (busiest is None or achieved > busiest[0]):
            busiest = (achieved, active * per_participant, active)
    if busiest:
        print(
            f"  busiest 10 s: {busiest[0]:.0f} requests/s achieved, {busiest[2]} participants answering "
            f"throughout, offering about {busiest[1]:.0f}/s"
        )
    print(f"  {'kind':<8} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in ("join", "start", "page", "save", "review", "submit"):
        values = by_kind.get(kind, [])
        if values:
            print(
                f"  {kind:<8} {len(values):>6} {1000 * statistics.median(values):>8.1f} "
                f"{1000 * percentile(values, 95):>8.1f} {1000 * percentile(values, 99):>8.1f}"
            )
    if killed_at is not None:
        # The burst of retries and reloads right after the restart, apart from the rest of the run.
        calm = [
            sec
            for kind, sec, ok, at in log
            if kind == "save" and ok and not killed_at <= at <= killed_at + 10
        ]
        burst = [
            sec for kind, sec, ok, at in log if kind == "save" and ok and killed_at <= at <= killed_at + 10
        ]
        if calm and burst:
            print(
                f"  saves outside the 10 s after the restart: p95 {1000 * percentile(calm, 95):.1f} ms; "
                f"within them ({len(burst)}): p95 {1000 * percentile(burst, 95):.1f} ms"
            )
    retries = sum(p.retries for p in people)
    print(
        f"  errors (wrong answers from the server): {len(errors)}; requests without an answer: {failures} "
        f"(retried: {retries}); acknowledged saves: {acknowledged}; lost: {lost}; submitted: {submitted}/{len(people)}"
    )
    for e in errors[:5]:
        print("   ", e)
    return {
        "save_p95_ms": 1000 * percentile(saves, 95) if saves else float("nan"),
        "errors": len(errors),
        "lost": lost,
        "unanswered": failures,
        "killed": killed_at is not None,
        "acknowledged": acknowledged,
        "submitted": submitted,
        "participants": len(people),
    }


def _latest_seqs(ws, attempt_id: int) -> dict[str, int]:
    import sqlalchemy as sa

    from assess.store import schema

    r = schema.responses
    with ws.store.engine.connect() as c:
        return dict(c.execute(sa.select(r.c.item_id, r.c.seq).where(r.c.attempt_id == attempt_id)).all())


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--join-window", type=float, default=60.0)
    parser.add_argument("--think-low", type=float, default=1.0)
    parser.add_argument("--think-high", type=float, default=3.0)
    parser.add_argument("--submit-window", type=float, default=10.0)
    parser.add_argument("--skip-kill", action="store_true")
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse(argv if argv is not None else [])
    os.environ.setdefault("ASSESS_LANG", "id")
    print(f"assess serve, {args.participants} phones on loopback (load run):")
    load = run(args, kill=False)
    results = {"load": load}
    if not args.skip_kill:
        print("assess serve, the same with SIGKILL halfway and a restart:")
        results["kill"] = run(args, kill=True)
    print(f"  target: save p95 <= 150 ms (load run: {load['save_p95_ms']:.0f} ms), 0 errors, 0 lost")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
