"""`assess serve` under a class of phones, on loopback: load, then a SIGKILL halfway.

300 simulated participants, each from its own 127.x.y.z source address (or all from one with
`--shared-address`), join within 60 s with the real join limits on, each answers 30 questions of
the pre-test (open the page, think 1-3 s, autosave the answer with its sequence number),
then all submit within 10 s. Printed: requests per second, p50/p95/p99 latency per kind of
request, errors; afterwards every acknowledged save must be in the database (its history
holds the (item, seq) and the latest answer is at least as new). Target: p95 of saves
<= 150 ms, 0 errors, 0 lost answers, the offered rate sustained.

The server is `assess serve` as a trainer would run it for the class: with its default number of
processes (one per 150 phones, at most one per core: two for 300 phones on a 2-core machine), or
`--workers N`. Every CPU figure is the sum over the server's processes.

The second run kills the server with SIGKILL halfway through the answering, starts it again
on the same port, and lets the participants carry on: a save that got no answer is retried
with the same sequence number (as the page's script does) and the page is loaded again.
Nothing acknowledged may be lost.

The load run starts with a waiting phase: the pre-test's form is built but the test is not open;
the phones join and wait in the lobby, each asking `/lobby/state` every 4 s as the lobby's script
does, for 60 s after the last has joined; then the trainer opens the test (on the dashboard, over
HTTP), every lobby sees the change, reloads and starts. Printed for the lobby: the polls' p50/p95/p99
and the server process's CPU time per poll while only polls arrive (from /proc/<pid>/stat). Target:
at most 2 ms of server CPU a poll. The server's CPU per request over each whole run is printed too.

Hostile sockets (`--hostile-sockets 170`, the issue's figure): through the whole load run, that many
half-sent requests from one address of their own (127.250.0.1), each `GET /join HTTP/1.1` and a Host
header, then a byte every 3 s of a header that never ends; whenever the server closes one (its cap per
address at once, its 10 s deadline for headers later), another is opened, so that many are always
tried. Printed: how many the server held each round, how many were opened again, closed at once or
after a while. The targets stay the same.

Behind one address (`--shared-address`): every phone from 127.100.0.1, as behind a hotspot doing NAT,
with the workspace's assessment.yaml set as its docs ask (`web.connections_per_address` 2 x
participants, `web.join_limits.per_address_per_minute` at least 2 x participants). All join and submit.

CPU per kind of request (after the load runs; `--no-cpu-per-kind` leaves it out, `--only-cpu-per-kind`
runs it alone): one client, one request after another,
`--cpu-count` (200) of each kind (the join page and the join, the lobby page and its poll, the start,
a question page, an autosave, a page posted without JavaScript, the review, the submit), each by another
participant in its own session, against a server doing nothing else. Printed for each kind: the server
process's CPU time a request (from /proc/<pid>/stat, before and after the kind's requests), and the
median and p95 latency.

    python benchmarks/bench_serve.py                      # both runs, full size
    python benchmarks/bench_serve.py --participants 60 --join-window 10 --skip-kill   # smaller
    python benchmarks/bench_serve.py --skip-kill                      # the load run, then CPU per kind
    python benchmarks/bench_serve.py --only-cpu-per-kind              # CPU per kind alone (a minute)
    python benchmarks/bench_serve.py --skip-kill --hostile-sockets 170  # 170 half-open sockets throughout
    python benchmarks/bench_serve.py --skip-kill --shared-address     # every phone behind one address
    python benchmarks/bench_serve.py --worst-inputs       # only the worst inputs of one phone (seconds)

Last (unless `--skip-worst-inputs`), the worst inputs one phone may send: the longest text each field
takes, and the worst each refuses (unread), each posted 9 times to `assess serve`; the median of each is
printed. Target: at most 50 ms each.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
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

from benchmarks.people import synthetic_nip  # noqa: E402

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NEXT_SEQ = re.compile(r'data-next-seq="(\d+)"')
SELECT = re.compile(r'<select[^>]*name="((?:m|r)\d+)"')
PASSWORD = "kata-sandi-bench"
SHARED_ADDRESS = "127.100.0.1"  # with --shared-address, every phone's (a hotspot doing NAT)
HOSTILE_ADDRESS = "127.250.0.1"  # the hostile sockets', apart from every phone's
HALF_REQUEST = b"GET /join HTTP/1.1\r\nHost: x\r\n"  # and never the blank line that ends the headers


# -- the workspace -------------------------------------------------------------------------


def make_workspace(
    folder: Path, participants: int, *, open_now: bool = True, web: dict | None = None
) -> None:
    """The worked example with `participants` generated people, its pre-test open (or, without
    `open_now`, its form built and the test not open yet: the trainer opens it during the run); `web`,
    settings for the `web:` section of its assessment.yaml."""
    from click.testing import CliRunner

    from assess.cli import cli

    def run(*args, env=None):
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output

    run("init", "--example", "payakumbuh-2019", str(folder))
    if web:
        set_web(folder, web)
    people = folder / "peserta-bench.csv"
    with people.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["NIP", "Nama", "Jabatan", "Unit Kerja"])
        for k in range(participants):
            w.writerow([synthetic_nip(k), f"Peserta {k:03d}", "Staf", f"Kelurahan {k % 47:02d}"])
    run("-w", str(folder), "participants", "import", str(people))
    run("-w", str(folder), "trainer-password", env={"ASSESS_TRAINER_PASSWORD": PASSWORD})
    if not open_now:
        run("-w", str(folder), "form", "build", "--phase", "pre")
        return
    from assess.delivery.screen.desk import open_phase
    from assess.workspace import Workspace, choose, now

    ws = Workspace(*choose(str(folder), None))
    open_phase(ws, "pre", now())
    ws.close()


def set_web(folder: Path, settings: dict) -> None:
    """Write `settings` (a value or a dict of values each) into the `web:` section of the workspace's
    assessment.yaml, made at its end if it has none."""
    path = folder / "assessment.yaml"
    text = path.read_text(encoding="utf-8")

    def flow(value) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
        return str(value)

    lines = "".join(f"  {key}: {flow(value)}\n" for key, value in settings.items())
    section = re.search(r"^web:[ \t]*\n", text, re.M)
    if section:
        assert not any(re.search(rf"^  {key}:", text, re.M) for key in settings), "set already"
        text = text[: section.end()] + lines + text[section.end() :]
    else:
        assert not re.search(r"^web:", text, re.M), "a web: section this cannot add to"
        text = text.rstrip("\n") + "\n\nweb:\n" + lines
    path.write_text(text, encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# `--workers N` for `assess serve` (from this benchmark's --workers); empty: serve's own default
SERVE_OPTIONS: list[str] = []


def start_server(folder: Path, port: int) -> subprocess.Popen:
    command = ["-m", "assess", "-w", str(folder), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return start_listening([*command, *SERVE_OPTIONS], port)


def start_listening(arguments: list[str], port: int) -> subprocess.Popen:
    """This Python running `arguments`, once something listens on `port`."""
    process = subprocess.Popen(
        [sys.executable, *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
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


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user + system) the server has used so far: the process `pid` and its worker
    processes (`assess serve --workers`), from /proc (None where there is none)."""
    total = _process_cpu(pid)
    if total is None:
        return None
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            total += _process_cpu(int(stat.parent.name)) or 0.0
    return total


def _process_cpu(pid: int) -> float | None:
    """The CPU time (user + system) one process has used so far."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # after the command's name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


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


@dataclass(frozen=True)
class Waiting:
    """The waiting phase: how often a lobby asks for its state, and when to stop waiting for the test."""

    poll_every: float
    give_up_at: float


def wait_in_lobby(p: Participant, waiting: Waiting) -> None:
    """As the lobby's script: ask for the lobby's state at once, then `poll_every` s after each answer;
    once it changes (the trainer opened the test), reload the lobby."""
    phone, seen = p.phone, None
    while True:
        status, body = retrying(p, lambda: phone.request("lobby", "GET", "/lobby/state"))
        if status != 200:
            p.errors.append(f"lobby {status}")  # the script would ask again; the server still failed
        state = json.loads(body)["state"] if status == 200 else seen
        if seen is not None and state != seen:
            break
        seen = state
        if time.monotonic() > waiting.give_up_at:
            raise RuntimeError("the lobby never changed: the test was not opened")
        time.sleep(waiting.poll_every)
    retrying(p, lambda: phone.request("page", "GET", "/lobby"))


def take_test_logged(p: Participant, *args) -> None:
    try:
        take_test(p, *args)
    except Exception as e:  # noqa: BLE001 - a benchmark reports what went wrong and carries on
        p.errors.append(f"{type(e).__name__}: {e}")


def take_test(
    p: Participant,
    join_at: float,
    think: tuple[float, float],
    items: int,
    barrier,
    submit_window: float,
    waiting: Waiting | None = None,
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
        if waiting is not None:
            wait_in_lobby(p, waiting)
            time.sleep(rng.uniform(*think))  # reading the lobby, then pressing Start
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


# -- hostile sockets ---------------------------------------------------------------------------


@dataclass
class HalfOpen:
    sock: socket.socket
    rounds: int = 0  # how many rounds it was found still open


class HostileSockets:
    """`count` half-sent requests from one address of their own, held through a whole run: each sends
    HALF_REQUEST, then one byte of a header line that never ends every `every` s; whenever the server has
    closed one (its cap per address at once, its deadline for headers later), another is opened."""

    def __init__(self, port: int, count: int, every: float, address: str = HOSTILE_ADDRESS):
        self.port, self.count, self.every, self.address = port, count, every, address
        self.opened = self.reopened = self.failed = self.turned_away = self.cut_off = 0
        self.held: list[int] = []  # in each round, how many were still open
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        held = self.held or [0]
        return {
            "sockets": self.count,
            "rounds": len(self.held),
            "opened": self.opened,
            "reopened": self.reopened,
            "turned_away": self.turned_away,
            "cut_off": self.cut_off,
            "failed": self.failed,
            "held_min": min(held),
            "held_median": statistics.median(held),
            "held_max": max(held),
        }

    def _open(self) -> HalfOpen | None:
        try:
            s = socket.create_connection(
                ("127.0.0.1", self.port), timeout=2, source_address=(self.address, 0)
            )
        except OSError:
            self.failed += 1
            return None
        self.opened += 1
        try:
            s.sendall(HALF_REQUEST)
        except OSError:
            pass  # closed already: the next round finds it so
        s.setblocking(False)
        return HalfOpen(s)

    def _still_open(self, h: HalfOpen) -> bool:
        """Whether the server still holds `h`; if so, it gets one more byte."""
        try:
            if h.sock.recv(4096) == b"":
                return False
        except BlockingIOError:
            pass  # nothing to read: open
        except OSError:
            return False  # reset
        try:
            h.sock.send(b"X")
        except BlockingIOError:
            pass
        except OSError:
            return False
        h.rounds += 1
        return True

    def _hold(self) -> None:
        sockets = [self._open() for _ in range(self.count)]
        while not self._stop.wait(self.every):
            held = 0
            for k, h in enumerate(sockets):
                if h is not None and self._still_open(h):
                    held += 1
                    continue
                if h is not None:
                    h.sock.close()
                    if h.rounds:
                        self.cut_off += 1  # held for a while, then closed (the deadline for headers)
                    else:
                        self.turned_away += 1  # closed before its first round (the cap per address)
                sockets[k] = self._open()
                self.reopened += sockets[k] is not None
            self.held.append(held)
        for h in sockets:
            if h is not None:
                h.sock.close()


def report_hostile(figures: dict) -> None:
    print(
        f"  hostile sockets: {figures['sockets']} half-sent requests from {HOSTILE_ADDRESS} kept up through the "
        f"run, a byte each per round ({figures['rounds']} rounds); the server held "
        f"{figures['held_min']}-{figures['held_max']} of them (median {figures['held_median']:.0f}) a round; "
        f"{figures['opened']} opened, {figures['reopened']} of them again after the server closed one: "
        f"{figures['turned_away']} closed at once, {figures['cut_off']} after a while (the deadline for "
        f"headers); {figures['failed']} connects failed"
    )


# -- a run -------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def phone_address(k: int, shared: bool) -> str:
    """The source address of the k-th phone: its own, or with `shared` the one of a hotspot doing NAT."""
    return SHARED_ADDRESS if shared else f"127.{1 + k // 250}.{k % 250 + 1}.{7 + k % 3}"


def web_settings(args) -> dict | None:
    """The `web:` settings of the run's workspace: behind one address, as the settings' docs ask
    (connections_per_address 2 x participants, and room for every join try within the minute)."""
    if not args.shared_address:
        return None
    return {
        "connections_per_address": 2 * args.participants,
        "join_limits": {"per_address_per_minute": max(600, 2 * args.participants)},
    }


@dataclass
class Served:
    """What the server did in a run: its CPU serving it, when it was killed, the waiting phase, and the
    hostile sockets' figures."""

    cpu: float | None
    killed_at: float | None
    waited: Waited | None
    hostile: dict | None


def run(args, *, kill: bool, lobby: float = 0.0) -> dict:
    """One run; with `lobby` seconds, the test opens that long after the last phone has joined."""
    from assess.workspace import Workspace, choose

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pelatihan"
        make_workspace(folder, args.participants, open_now=not lobby, web=web_settings(args))
        ws = Workspace(*choose(str(folder), None))
        try:
            web = ws.loaded.event.web
            if args.shared_address:
                print(
                    f"  every phone from {SHARED_ADDRESS}; assessment.yaml: web.connections_per_address "
                    f"{web.connections_per_address}, web.join_limits.per_address_per_minute "
                    f"{web.join_limits.per_address_per_minute}"
                )
            codes = [(p.person_id, p.access_code) for p in ws.store.participants(ws.event_id)]
            port = free_port()
            people = [
                Participant(code, Phone(port, phone_address(k, args.shared_address)))
                for k, (_pid, code) in enumerate(codes)
            ]
            served = drive(args, folder, port, people, kill=kill, lobby=lobby)
            lost, submitted = count_lost(ws, codes, people)
        finally:
            ws.close()
    figures = summarise(args, people, lost, submitted, served)
    figures["connections_per_address"] = web.connections_per_address
    return figures


def start_phones(args, people: list[Participant], t0: float, lobby: float):
    """The phones' threads, started: they join from `t0` on; (threads, when the trainer opens the test,
    the waiting phase or None)."""
    barrier = threading.Barrier(len(people))
    rng = random.Random(2019)
    open_at = t0 + args.join_window + lobby
    waiting = Waiting(args.poll_every, open_at + 60) if lobby else None
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
                waiting,
            ),
            daemon=True,
        )
        for p in people
    ]
    for t in threads:
        t.start()
    return threads, open_at, waiting


def drive(args, folder: Path, port: int, people: list[Participant], *, kill: bool, lobby: float) -> Served:
    """Start the server, let the phones take the test (the trainer opening it `lobby` s after the last
    join; with `kill`, a SIGKILL halfway and a restart), with the hostile sockets held throughout the
    load run; then stop the server."""
    server = start_server(folder, port)
    cpu_started = cpu_seconds(server.pid) or 0.0  # starting (imports, the app) is not serving
    hostile = None
    if args.hostile_sockets and not kill:
        hostile = HostileSockets(port, args.hostile_sockets, args.hostile_every)
        hostile.start()
    t0 = time.monotonic() + 1
    killed_at, cpu_before_kill, waited, server_cpu, finished = None, 0.0, None, None, False
    try:
        threads, open_at, waiting = start_phones(args, people, t0, lobby)
        if (
            waiting is not None
        ):  # only polls arrive between the last join (and its lobby page) and the opening
            waited = wait_then_open(port, server.pid, open_at, after=t0 + args.join_window + lobby / 4)
        if kill:
            server, killed_at, cpu_before_kill, cpu_restarted = kill_halfway(args, folder, port, server, t0)
            cpu_started += cpu_restarted
        for t in threads:
            t.join()
        server_cpu = cpu_seconds(server.pid)
        server_cpu = None if server_cpu is None else server_cpu + cpu_before_kill - cpu_started
        finished = True
    finally:
        hostile_figures = hostile.stop() if hostile is not None else None
        if not finished:
            server.kill()  # something failed: no need to wait for a clean stop
        server.terminate()
        server.wait(timeout=20)
    return Served(server_cpu, killed_at, waited, hostile_figures)


def kill_halfway(args, folder: Path, port: int, server: subprocess.Popen, t0: float):
    """SIGKILL the server halfway through the answering and start it again on the same port: (the new
    server, when it was killed, the CPU the killed one had used, the CPU the new one used starting)."""
    # Halfway through the answering: joining takes join_window, answering items x mean think.
    halfway = t0 + args.join_window / 2 + args.items * (args.think_low + args.think_high) / 4
    time.sleep(max(0.0, halfway - time.monotonic()))
    cpu_before_kill = cpu_seconds(server.pid) or 0.0
    server.send_signal(signal.SIGKILL)
    server.wait()
    killed_at = time.monotonic()
    server = start_server(folder, port)
    cpu_restarted = cpu_seconds(server.pid) or 0.0
    print(f"  SIGKILL at {killed_at - t0:.0f} s; restarted in {time.monotonic() - killed_at:.2f} s")
    return server, killed_at, cpu_before_kill, cpu_restarted


def count_lost(ws, codes: list[tuple[int, str]], people: list[Participant]) -> tuple[int, int]:
    """(acknowledged saves not in the database, attempts submitted): an acknowledged save is kept when its
    history holds the (item, seq) and the latest answer is at least as new."""
    from assess.delivery.screen import sitting

    lost = 0
    person_of = dict((code, pid) for pid, code in codes)
    for p in people:
        s = sitting.sitting(ws, person_of[p.code], "pre")
        if s is None:
            lost += len(p.acknowledged)
            continue
        history = {(h.item_id, h.seq) for h in ws.store.history(s.attempt.id)}
        latest = _latest_seqs(ws, s.attempt.id)
        for number, seq in p.acknowledged:
            item = s.item(number).id
            if (item, seq) not in history or latest.get(item, -1) < seq:
                lost += 1
    submitted = sum(a.status == "submitted" for a in ws.store.attempts(ws.event_id, "pre"))
    return lost, submitted


def summarise(args, people: list[Participant], lost: int, submitted: int, served: Served) -> dict:
    """Print the run's figures; the main ones, as a dict."""
    log = [entry for p in people for entry in p.phone.log]
    by_kind = defaultdict(list)
    failures = 0
    for kind, seconds, ok, _at in log:
        if ok:
            by_kind[kind].append(seconds)
        else:
            failures += 1
    errors = [e for p in people for e in p.errors]
    acknowledged = sum(len(p.acknowledged) for p in people)
    saves = by_kind["save"]
    report_rates(args, people, log, saves)
    print(f"  {'kind':<8} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in ("join", "lobby", "start", "page", "save", "review", "submit"):
        values = by_kind.get(kind, [])
        if values:
            print(
                f"  {kind:<8} {len(values):>6} {1000 * statistics.median(values):>8.1f} "
                f"{1000 * percentile(values, 95):>8.1f} {1000 * percentile(values, 99):>8.1f}"
            )
    if served.killed_at is not None:
        report_restart(log, served.killed_at)
    retries = sum(p.retries for p in people)
    print(
        f"  errors (wrong answers from the server): {len(errors)}; requests without an answer: {failures} "
        f"(retried: {retries}); acknowledged saves: {acknowledged}; lost: {lost}; submitted: {submitted}/{len(people)}"
    )
    for e in errors[:5]:
        print("   ", e)
    figures = {
        **report_cpu(log, by_kind["lobby"], served.cpu, served.waited),
        "save_p95_ms": 1000 * percentile(saves, 95) if saves else float("nan"),
        "errors": len(errors),
        "lost": lost,
        "unanswered": failures,
        "killed": served.killed_at is not None,
        "acknowledged": acknowledged,
        "submitted": submitted,
        "participants": len(people),
    }
    if served.hostile is not None:
        figures["hostile"] = served.hostile
        report_hostile(served.hostile)
    return figures


def report_rates(args, people: list[Participant], log: list, saves: list[float]) -> None:
    """The requests per second over the run, and in its busiest 10 s against the rate offered then."""
    start = min(at for *_x, at in log)
    end = max(at for *_x, at in log)
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


def report_restart(log: list, killed_at: float) -> None:
    """The burst of retries and reloads right after the restart, apart from the rest of the run."""
    calm = [
        sec for kind, sec, ok, at in log if kind == "save" and ok and not killed_at <= at <= killed_at + 10
    ]
    burst = [sec for kind, sec, ok, at in log if kind == "save" and ok and killed_at <= at <= killed_at + 10]
    if calm and burst:
        print(
            f"  saves outside the 10 s after the restart: p95 {1000 * percentile(calm, 95):.1f} ms; "
            f"within them ({len(burst)}): p95 {1000 * percentile(burst, 95):.1f} ms"
        )


def report_cpu(log: list, lobby: list[float], server_cpu: float | None, waited) -> dict:
    """The server's CPU per request over the run and, after a waiting phase, the lobby's figures."""
    figures = {"lobby_polls": len(lobby), "lobby_p95_ms": 1000 * percentile(lobby, 95) if lobby else None}
    if server_cpu is not None:
        figures["cpu_ms_per_request"] = 1000 * server_cpu / len(log)
        print(
            f"  server CPU: {server_cpu:.1f} s serving the run, {figures['cpu_ms_per_request']:.2f} ms a request"
        )
    if waited is None or not lobby:
        return figures
    alone = [sec for kind, sec, ok, at in log if kind == "lobby" and ok and waited.start <= at <= waited.end]
    polls = len(alone)
    print(
        f"  lobby: {len(lobby)} polls, p50 {1000 * statistics.median(lobby):.1f} ms, "
        f"p95 {figures['lobby_p95_ms']:.1f} ms (the opening's burst included); in the "
        f"{waited.end - waited.start:.0f} s before the test opened, polls alone: {polls} "
        f"({polls / (waited.end - waited.start):.0f}/s)"
        + (
            f", p50 {1000 * statistics.median(alone):.1f} ms, p95 {1000 * percentile(alone, 95):.1f} ms"
            if alone
            else ""
        )
    )
    if waited.cpu is not None and polls:
        figures["lobby_cpu_ms_per_poll"] = 1000 * waited.cpu / polls
        print(
            f"  lobby: server CPU {waited.cpu:.2f} s for those {polls} polls: "
            f"{figures['lobby_cpu_ms_per_poll']:.2f} ms a poll "
            f"({100 * waited.cpu / (waited.end - waited.start):.0f}% of one core, the machine waking for each "
            "poll included); target <= 2 ms a poll, sent back to back (the lobby poll of CPU per kind)"
        )
    return figures


@dataclass(frozen=True)
class Waited:
    """A window of the waiting phase in which only lobby polls arrived, and the server's CPU in it."""

    start: float
    end: float
    cpu: float | None


def wait_then_open(port: int, pid: int, when: float, *, after: float) -> Waited:
    """Measure the server's CPU from `after` to `when`; then the trainer logs in on the dashboard and
    presses Open on the pre-test."""
    time.sleep(max(0.0, after - time.monotonic()))
    start, cpu_start = time.monotonic(), cpu_seconds(pid)
    time.sleep(max(0.0, when - time.monotonic()))
    end, cpu_end = time.monotonic(), cpu_seconds(pid)
    trainer = Phone(port, "127.0.0.1")
    trainer.request("trainer", "GET", "/trainer/login")
    status, _ = trainer.request("trainer", "POST", "/trainer/login", {"password": PASSWORD}, expect=(302,))
    if status != 302:
        raise RuntimeError(f"the trainer's log-in: {status}")
    trainer.request("trainer", "GET", "/trainer/")  # the dashboard, with its CSRF token
    status, _ = trainer.request("trainer", "POST", "/trainer/phase/pre/open", {}, expect=(302,))
    if status != 302:
        raise RuntimeError(f"opening the test: {status}")
    cpu = None if cpu_start is None or cpu_end is None else cpu_end - cpu_start
    return Waited(start, end, cpu)


def _latest_seqs(ws, attempt_id: int) -> dict[str, int]:
    import sqlalchemy as sa

    from assess.store import schema

    r = schema.responses
    with ws.store.engine.connect() as c:
        return dict(c.execute(sa.select(r.c.item_id, r.c.seq).where(r.c.attempt_id == attempt_id)).all())


# -- the server's CPU per kind of request ---------------------------------------------------------

KIND_STEPS = (  # (kind, method, path, status expected): one participant's way through the test, in order
    ("join page", "GET", "/join?code={code}", 200),
    ("join", "POST", "/join", 302),
    ("lobby page", "GET", "/lobby", 200),
    ("lobby poll", "GET", "/lobby/state", 200),
    ("start", "POST", "/test/pre/start", 302),
    ("question page", "GET", "/test/pre/1", 200),
    ("autosave", "POST", "/test/pre/1/save", 200),
    ("page post", "POST", "/test/pre/1", 302),
    ("review", "GET", "/test/pre/review", 200),
    ("submit", "POST", "/test/pre/submit", 302),
)


@dataclass
class Identity:
    """One participant's session, as the single client of the sequential run holds it."""

    code: str
    cookie: str = ""
    token: str = ""
    page: str = ""  # its question page, as last loaded


def kind_form(kind: str, who: Identity) -> dict | None:
    """What a request of `kind` posts (None: a GET)."""
    if kind == "join":
        return {"code": who.code}
    if kind in ("start", "submit"):
        return {}
    if kind == "autosave":
        found = NEXT_SEQ.search(who.page)
        return {**answer_fields(who.page), "seq": found.group(1) if found else "1"}
    if kind == "page post":  # as the page's form sends it without JavaScript: the server numbers it
        return {**answer_fields(who.page), "go": "next"}
    return None


def request_as(phone: Phone, who: Identity, step: tuple[str, str, str, int]) -> None:
    """One request of `step` by `phone` in `who`'s session."""
    kind, method, path, status = step
    phone.cookie, phone.token = who.cookie, who.token
    try:
        _status, body = phone.request(
            kind, method, path.format(code=who.code), kind_form(kind, who), (status,)
        )
    except Down:
        return  # in the phone's log as unanswered
    finally:
        who.cookie, who.token = phone.cookie, phone.token
    if kind == "question page":
        who.page = body


def measure_kind(phone: Phone, pid: int, people: list[Identity], step) -> dict:
    """One request of `step` for each of `people`, one after another: the server's CPU a request, the
    latencies, and the wrong answers."""
    first, before = len(phone.log), cpu_seconds(pid)
    for who in people:
        request_as(phone, who, step)
    after = cpu_seconds(pid)
    entries = phone.log[first:]
    seconds = [sec for _kind, sec, _ok, _at in entries]
    return {
        "n": len(entries),
        "cpu_ms": None if before is None or after is None else 1000 * (after - before) / len(entries),
        "p50_ms": 1000 * statistics.median(seconds),
        "p95_ms": 1000 * percentile(seconds, 95),
        "wrong": sum(not ok for _kind, _sec, ok, _at in entries),
    }


def cpu_per_kind(count: int) -> dict[str, dict]:
    """`count` requests of each kind, by one client one after another (`count` participants, each in its own
    session), against `assess serve` doing nothing else: the server's CPU a request of each kind from
    /proc/<pid>/stat before and after the kind's requests, and their latencies."""
    from assess.workspace import Workspace, choose

    print(f"assess serve, one client, {count} requests of each kind one after another:")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pelatihan"
        joins = {"join_limits": {"per_address_per_minute": max(600, 2 * (count + 1))}}  # all from one address
        make_workspace(folder, count + 1, web=joins)
        ws = Workspace(*choose(str(folder), None))
        people = [Identity(p.access_code) for p in ws.store.participants(ws.event_id)]
        ws.close()
        port = free_port()
        server = start_server(folder, port)
        phone = Phone(port, "127.0.0.1")
        try:
            for step in KIND_STEPS:  # one participant first, not counted: the first of each kind warms up
                request_as(phone, people[0], step)
            figures = {step[0]: measure_kind(phone, server.pid, people[1:], step) for step in KIND_STEPS}
        finally:
            server.terminate()
            server.wait(timeout=20)
    figures = {**floor(count), **figures}
    print(
        f"  {'kind':<14} {'n':>5} {'CPU ms':>7} {'p50 ms':>7} {'p95 ms':>7}  (CPU: the server's, a request)"
    )
    for kind, f in figures.items():
        cpu = "-" if f["cpu_ms"] is None else f"{f['cpu_ms']:.2f}"
        wrong = f"  ({f['wrong']} wrong answers)" if f["wrong"] else ""
        print(f"  {kind:<14} {f['n']:>5} {cpu:>7} {f['p50_ms']:>7.1f} {f['p95_ms']:>7.1f}{wrong}")
    return figures


FLOOR = {  # the kind's name in the table: floor_server.py's app
    "floor: waitress": "wsgi",
    "floor: + Flask": "flask",
}


def floor(count: int) -> dict[str, dict]:
    """What every request costs before the app does anything: five times `count` requests (each costs a
    fraction of a clock tick of /proc), the same client, to the same guarded waitress serving an app that
    only answers, then a Flask route that only reads and renews its cookie session (floor_server.py)."""
    figures = {}
    for kind, app in FLOOR.items():
        port = free_port()
        server = start_listening([str(Path(__file__).with_name("floor_server.py")), app, str(port)], port)
        phone = Phone(port, "127.0.0.1")
        try:
            step = (kind, "GET", "/floor", 200)
            request_as(phone, Identity(""), step)  # not counted: the first warms up
            figures[kind] = measure_kind(phone, server.pid, [Identity("")] * (5 * count), step)
        finally:
            server.terminate()
            server.wait(timeout=20)
    return figures


# -- the worst inputs one phone may send -------------------------------------------------------------

WORST_REPEAT = 9  # each input this many times; the median is printed
WORST_TARGET_MS = 50.0


def every_type_workspace(folder: Path) -> None:
    """One participant and an open pre-test of one generated item of every type (the worked example has no
    essay): the fields the worst inputs go to."""
    from click.testing import CliRunner

    from assess.bank.yamlwrite import dump
    from assess.cli import cli
    from assess.delivery.screen.desk import open_phase
    from assess.workspace import Workspace, choose, now
    from benchmarks.bank_generator import TYPES, item

    rng, chosen, n = random.Random(2019), {}, 0
    while len(chosen) < len(set(TYPES)):
        n += 1
        generated = item(rng, n)
        chosen.setdefault(generated["type"], {**generated, "competencies": ["T.01"], "difficulty": "medium"})
    (folder / "bank").mkdir(parents=True)
    bank = {"kind": "bank", "id": "bench", "title": "Bank", "framework": "kompetensi-asn"}
    (folder / "bank" / "bench.yaml").write_text(
        dump({**bank, "items": list(chosen.values())}), encoding="utf-8"
    )
    (folder / "assessment.yaml").write_text(
        "kind: assessment\nevent: {id: bench-worst, title: Masukan terburuk, dates: [2026-11-28]}\n"
        "banks: [bank]\nphases:\n  - id: pre\n    time_limit_minutes: 60\n"
        f"    blueprint: {{cells: [{{competency: T.01, count: {len(chosen)}}}]}}\n"
        # The inputs' own cost is measured, not the answer of web.save_limits to one phone's quick saves.
        "web:\n  save_limits: {per_second: 1000, burst: 10000}\n",
        encoding="utf-8",
    )
    (folder / "peserta.csv").write_text(
        "NIP,Nama,Jabatan,Unit Kerja\n198001012005011001,Uji,Staf,Kel\n", "utf-8"
    )
    result = CliRunner().invoke(
        cli, ["-w", str(folder), "participants", "import", str(folder / "peserta.csv")]
    )
    assert result.exit_code == 0, result.output
    ws = Workspace(*choose(str(folder), None))
    open_phase(ws, "pre", now())
    ws.close()


def worst_posts(number: dict[str, int]) -> list[tuple[str, str, dict, int]]:
    """(kind, path, form, status expected): the longest text each field takes, and the worst it refuses
    (refused before it is read). Saves without a sequence number: the server numbers each and stores it."""

    def save(kind: str) -> str:
        return f"/test/pre/{number[kind]}/save"

    lines = "\r\n".join(["kalimat jawaban yang panjang sekali"] * 540)[:19_990]
    return [
        ("number, 64 characters", save("numeric"), {"answer": "1" + ".000" * 15 + " persen"[:3]}, 200),
        ("number, 64 that are not one", save("numeric"), {"answer": "a" * 63 + "1"}, 422),
        ("number, 20,001 characters", save("numeric"), {"answer": "a" * 20_000 + "1"}, 422),
        ("short answer, 2,000", save("short_answer"), {"answer": "musyawarah " * 181 + "x" * 9}, 200),
        ("short answer, 100,000", save("short_answer"), {"answer": "m" * 100_000}, 422),
        ("essay, 20,000 with lines", save("essay"), {"answer": lines}, 200),
        ("essay, 20,001", save("essay"), {"answer": "e" * 20_001}, 422),
        ("choice, 100,000 digits", save("single_choice"), {"answer": "9" * 100_000}, 422),
        ("choices, 5,000 values", save("multiple_response"), {"answer": ["0"] * 5_000}, 422),
        ("matching, 9 digits each", save("matching"), {f"m{k}": "9" * 9 for k in range(3)}, 422),
        ("ordering, '²' places", save("ordering"), {f"r{k}": "²" for k in range(5)}, 422),
        ("seq, 5,000 digits", save("true_false"), {"answer": "true", "seq": "9" * 5_000}, 422),
        ("go, 5,000 digits", f"/test/pre/{number['essay']}", {"answer": "x", "go": "9" * 5_000}, 400),
    ]


def worst_inputs() -> dict[str, float]:
    """Median milliseconds of each worst input against `assess serve` on loopback (one phone, nothing else)."""
    from assess.delivery.screen import sitting
    from assess.workspace import Workspace, choose

    print(f"assess serve, the worst input of each kind, {WORST_REPEAT} times each:")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pelatihan"
        every_type_workspace(folder)
        ws = Workspace(*choose(str(folder), None))
        person = ws.store.participants(ws.event_id)[0]
        port = free_port()
        server = start_server(folder, port)
        try:
            phone = Phone(port, "127.0.0.1")
            phone.request("join", "GET", f"/join?code={person.access_code}")
            phone.request("join", "POST", "/join", {"code": person.access_code}, expect=(302,))
            phone.request("page", "GET", "/lobby")  # joining starts a new session: its token
            phone.request("start", "POST", "/test/pre/start", {}, expect=(302,))
            s = sitting.sitting(ws, person.person_id, "pre")
            number = {item.type: n for n, item in enumerate(s.items, 1)}
            phone.request("page", "GET", "/test/pre/1")  # the page's token
            for _ in range(WORST_REPEAT):
                for kind, path, form, status in worst_posts(number):
                    phone.request(kind, "POST", path, form, expect=(status,))
        finally:
            server.terminate()
            server.wait(timeout=20)
            ws.close()
    medians = {}
    for kind, *_rest in worst_posts(number):
        entries = [(seconds, ok) for k, seconds, ok, _at in phone.log if k == kind]
        medians[kind] = 1000 * statistics.median(seconds for seconds, _ok in entries)
        wrong = sum(not ok for _s, ok in entries)
        print(f"  {kind:<30} {medians[kind]:>7.1f} ms" + (f"  ({wrong} wrong answers)" if wrong else ""))
    worst = max(medians, key=medians.get)
    print(f"  target: each <= {WORST_TARGET_MS:.0f} ms (slowest: {worst}, {medians[worst]:.1f} ms)")
    return medians


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--join-window", type=float, default=60.0)
    parser.add_argument("--think-low", type=float, default=1.0)
    parser.add_argument("--think-high", type=float, default=3.0)
    parser.add_argument("--submit-window", type=float, default=10.0)
    parser.add_argument(
        "--lobby",
        type=float,
        default=60.0,
        help="seconds in the lobby after the last join (load run; 0: none)",
    )
    parser.add_argument("--poll-every", type=float, default=4.0, help="the lobby's polling interval")
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument(
        "--hostile-sockets",
        type=int,
        default=0,
        help=f"half-sent requests held from {HOSTILE_ADDRESS} through the load run (the issue's: 170)",
    )
    parser.add_argument("--hostile-every", type=float, default=3.0, help="seconds between their bytes")
    parser.add_argument(
        "--shared-address",
        action="store_true",
        help=f"every phone from {SHARED_ADDRESS} (a hotspot doing NAT), the workspace set for it",
    )
    parser.add_argument(
        "--cpu-per-kind",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="then the server's CPU a request of each kind, one client sending one request after another",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="assess serve --workers (default: its own, from the class)"
    )
    parser.add_argument("--only-cpu-per-kind", action="store_true", help="only that (about a minute)")
    parser.add_argument("--cpu-count", type=int, default=200, help="requests of each kind for --cpu-per-kind")
    parser.add_argument("--worst-inputs", action="store_true", help="only the worst inputs of one phone")
    parser.add_argument("--skip-worst-inputs", action="store_true")
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse(argv if argv is not None else [])
    os.environ.setdefault("ASSESS_LANG", "id")
    SERVE_OPTIONS[:] = ["--workers", str(args.workers)] if args.workers else []
    if args.worst_inputs:
        return {"worst": worst_inputs()}
    if args.only_cpu_per_kind:
        return {"cpu_per_kind": cpu_per_kind(args.cpu_count)}
    behind = f" all behind {SHARED_ADDRESS}" if args.shared_address else ""
    hostile = f", {args.hostile_sockets} hostile sockets throughout" if args.hostile_sockets else ""
    workers = f"{args.workers} server processes" if args.workers else "serve's default processes"
    print(
        f"assess serve ({workers}), {args.participants} phones{behind} on loopback (load run, "
        f"{args.lobby:.0f} s in the lobby first{hostile}):"
    )
    load = run(args, kill=False, lobby=args.lobby)
    results = {"load": load}
    if not args.skip_kill:
        print("assess serve, the same with SIGKILL halfway and a restart:")
        results["kill"] = run(args, kill=True)
    print(f"  target: save p95 <= 150 ms (load run: {load['save_p95_ms']:.0f} ms), 0 errors, 0 lost")
    if args.cpu_per_kind:
        results["cpu_per_kind"] = cpu_per_kind(args.cpu_count)
    if not args.skip_worst_inputs:
        results["worst"] = worst_inputs()
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
