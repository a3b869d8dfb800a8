"""`assess serve --workers N`: several processes on one port (Linux), sharing what must be shared through
the store (issue 14, point 12: one process is held to one core by the interpreter's lock)."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assess.web.workers import MAX_WORKERS, default_workers
from tests.test_join_address import Served
from tests.web_support import example_workspace

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="worker processes are Linux only"
)

LOGIN_LINK = re.compile(r"(http://\S+/trainer/login/\S+)")


def test_the_default_is_one_process_per_150_phones_within_the_cores():
    assert default_workers(58, cores=8, linux=True) == 1
    assert default_workers(300, cores=2, linux=True) == 2
    assert default_workers(300, cores=1, linux=True) == 1
    assert default_workers(1000, cores=16, linux=True) == MAX_WORKERS
    assert default_workers(1000, cores=16, linux=False) == 1  # Windows, macOS: one process


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _workers(served: Served) -> list[int]:
    """The forked workers, once the first request has been answered (they are forked after the
    ready line is printed)."""
    assert _status(served.port, "/join")[0] == 200
    deadline = time.monotonic() + 10
    while not (found := _children(served.process.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[11]) + int(fields[12])


def _status(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # a connection of its own
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = example_workspace(tmp_path_factory.mktemp("workers") / "ws")
    running = Served(folder, "--host", "127.0.0.1", "--workers", "2")
    yield running
    if running.process.poll() is None:
        running.stop()


def test_two_processes_serve_one_port_and_share_the_one_time_link(served):
    assert "2 server processes" in served.output
    workers = _workers(served)
    assert len(workers) == 1
    before = {pid: _cpu_ticks(pid) for pid in (served.process.pid, *workers)}
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: _status(served.port, "/join")[0], range(400)))
    assert statuses == [200] * 400
    used = {pid: _cpu_ticks(pid) - ticks for pid, ticks in before.items()}
    assert all(ticks > 0 for ticks in used.values()), used  # both processes answered some
    # The link `assess serve` printed opens the dashboard once, whichever process each try reaches.
    link = LOGIN_LINK.search(served.output).group(1).replace(f":{served.port}", "", 1)
    path = link.split("//", 1)[1].split("/", 1)[1]
    with ThreadPoolExecutor(8) as pool:
        tries = list(pool.map(lambda _: _status(served.port, "/" + path), range(16)))
    assert sorted(location.endswith("/trainer/") for _status, location in tries) == [False] * 15 + [True]


def test_a_killed_server_leaves_no_worker_and_frees_the_port(served):
    workers = _workers(served)
    assert workers
    os.kill(served.process.pid, signal.SIGKILL)  # the power cable, or the out-of-memory killer
    served.process.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    with socket.socket() as again:  # a restart can listen on the same port
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", served.port))
