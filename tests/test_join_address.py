"""The join address: the laptop's address on the network, never a loopback one without a warning;
`--url` and ASSESS_BASE_URL for `assess serve` (terminal QR, projector page) and the cards.

Debian and Ubuntu map the host name to 127.0.1.1 in /etc/hosts, so the host name's address is
not the laptop's. Where a test sets the host name's address, the kernel's list of local addresses
(/proc/net/fib_trie) or the addresses that the outgoing-interface probe aims at, it sets the
machine's configuration; the code that reads them runs for real. `assess serve` runs as a process.
"""

from __future__ import annotations

import http.cookiejar
import ipaddress
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from assess.delivery.cards import join_url, qr_svg
from assess.store.engine import sqlite_url
from assess.store.store import Store
from assess.web import address
from assess.web.address import ENV_BASE_URL, JoinBase, join_base, parse_base_url
from assess.web.serve import terminal_qr
from tests.components import require_component
from tests.web_support import CSRF, PASSWORD, example_workspace

JOINED = re.compile(r"Participants join at: (\S+)")
DASHBOARD = re.compile(r"Trainer's dashboard: (\S+)")
LOOPBACK_WARNING = "phones cannot reach it"

# /proc/net/fib_trie of a laptop on a cable (10.0.0.23) and on a phone's hotspot (192.168.43.57)
FIB_TRIE = """\
Main:
  +-- 0.0.0.0/0 3 0 5
     +-- 127.0.0.0/8 2 0 2
        +-- 127.0.0.0/31 1 0 0
           |-- 127.0.0.0
              /8 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
        |-- 127.255.255.255
           /32 link BROADCAST
     +-- 10.0.0.0/24 2 0 2
        |-- 10.0.0.23
           /32 host LOCAL
     +-- 192.168.43.0/24 2 0 2
        |-- 192.168.43.0
           /24 link UNICAST
        |-- 192.168.43.57
           /32 host LOCAL
        |-- 192.168.43.255
           /32 link BROADCAST
Local:
  +-- 0.0.0.0/0 3 0 5
     +-- 192.168.43.0/24 2 0 2
        |-- 192.168.43.57
           /32 host LOCAL
"""
LOOPBACK_ONLY = FIB_TRIE[: FIB_TRIE.index("     +-- 10.0.0.0/24")]


def _outgoing_address() -> str | None:
    """This machine's address towards other networks (a UDP connect sends nothing), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        try:
            udp.connect(("192.0.2.1", 1))
        except OSError:
            return None
        found = udp.getsockname()[0]
    return None if ipaddress.ip_address(found).is_loopback else found


def _is_own_address(host: str) -> bool:
    """Only an address of this machine can be bound to."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, 0))
            return True
        except OSError:
            return False


@pytest.fixture
def debian_host_name(monkeypatch):
    """/etc/hosts as Debian and Ubuntu write it: the host name is 127.0.1.1."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "laptop":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.1.1", 0))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "gethostname", lambda: "laptop")
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def no_route(monkeypatch):
    """No default route (a laptop on a hotspot without internet): the outgoing probe finds loopback only."""
    monkeypatch.setattr(address, "UNROUTED", ("127.0.0.1",))


def _kernel_lists(monkeypatch, tmp_path: Path, text: str) -> None:
    fib = tmp_path / "fib_trie"
    fib.write_text(text, encoding="ascii")
    monkeypatch.setattr(address, "LINUX_LOCAL_ADDRESSES", fib)


@pytest.fixture(autouse=True)
def _no_base_url_from_outside(monkeypatch):
    monkeypatch.delenv(ENV_BASE_URL, raising=False)


# -- choosing the address -----------------------------------------------------------------------


def test_a_host_name_on_127_0_1_1_gives_the_outgoing_interfaces_address(debian_host_name):
    require_component("a network interface besides loopback", _outgoing_address() is not None, "any network")
    base = join_base(8000)
    host = urllib.parse.urlsplit(base.url).hostname
    assert not ipaddress.ip_address(host).is_loopback and _is_own_address(host), base
    assert base.url == f"http://{host}:8000" and base.warning() is None


def test_without_a_route_the_kernels_list_gives_the_address_and_the_others_are_listed(
    debian_host_name, no_route, monkeypatch, tmp_path
):
    _kernel_lists(monkeypatch, tmp_path, FIB_TRIE)
    assert join_base(8000) == JoinBase("http://10.0.0.23:8000", ("http://192.168.43.57:8000",))
    assert "http://192.168.43.57:8000" in join_base(8000).also()


def test_a_host_name_on_127_0_1_1_puts_the_lan_address_on_the_cards(
    debian_host_name, no_route, monkeypatch, tmp_path, run
):
    _kernel_lists(monkeypatch, tmp_path, FIB_TRIE)
    folder = example_workspace(tmp_path / "ws")
    result = run("-w", str(folder), "participants", "cards", "--lang", "en")
    assert result.exit_code == 0, result.output
    html = (folder / "kartu-peserta.html").read_text(encoding="utf-8")
    assert "http://10.0.0.23:8000" in html and "127.0." not in html
    assert JOINED.search(result.stdout).group(1) == "http://10.0.0.23:8000/join"
    assert "http://192.168.43.57:8000" in result.stdout and LOOPBACK_WARNING not in result.stderr


def test_a_machine_with_loopback_only_is_shown_with_a_warning_and_what_to_do(
    debian_host_name, no_route, monkeypatch, tmp_path, run
):
    _kernel_lists(monkeypatch, tmp_path, LOOPBACK_ONLY)
    assert join_base(8000) == JoinBase("http://127.0.0.1:8000")
    folder = example_workspace(tmp_path / "ws")
    result = run("-w", str(folder), "participants", "cards", "--lang", "en")
    assert result.exit_code == 0
    assert (
        LOOPBACK_WARNING in result.stderr and "--url" in result.stderr and "ASSESS_BASE_URL" in result.stderr
    )
    assert "http://127.0.0.1:8000/join" in result.stderr


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("http://192.168.1.10:8000", "http://192.168.1.10:8000"),
        ("HTTP://192.168.1.10:8000/", "http://192.168.1.10:8000"),
        (" https://ujian.example.id ", "https://ujian.example.id"),
        ("http://[fe80::1]:8000", "http://[fe80::1]:8000"),
        ("http://laptop-pelatih.local:8080/", "http://laptop-pelatih.local:8080"),
    ],
)
def test_a_base_address_is_taken_without_its_slash(given, base):
    assert parse_base_url(given) == base
    assert join_base(8000, given) == JoinBase(base)


BAD_URLS = [
    "192.168.1.10:8000",  # no scheme
    "ftp://192.168.1.10",
    "http://",
    "http://:8000",
    "http://192.168.1.10:8000/join",
    "http://192.168.1.10:8000/ujian/",
    "http://192.168.1.10:8000/?code=X",
    "http://192.168.1.10:8000/#x",
    "http://192.168.1.10:99999",
    "http://192.168.1.10:port",
    "http://192.168.1.10:0",
    "http://pelatih:rahasia@192.168.1.10:8000",
    "http://laptop pelatih:8000",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("bad", BAD_URLS)
def test_a_bad_base_address_exits_2_for_serve_and_cards_and_writes_nothing(bad, workspace, run):
    folder = workspace  # with participants: only the address is wrong
    for command in (["serve", "--port", "8999"], ["participants", "cards"]):
        for given in (["--url", bad], []):
            env = {} if given else {ENV_BASE_URL: bad}
            result = run("-w", str(folder), *command, *given, "--lang", "en", env=env)
            assert result.exit_code == 2, (command, given, result.output)
            assert "WEB-BASE-URL-INVALID" in result.stderr and "http://192.168.1.10:8000" in result.stderr
    assert not (folder / "kartu-peserta.html").exists()


# -- the cards ----------------------------------------------------------------------------------


def test_cards_take_assess_base_url_and_url_wins_over_it(tmp_path, run):
    folder = example_workspace(tmp_path / "ws")
    out = folder / "kartu-peserta.html"
    env = {ENV_BASE_URL: "https://ujian.example.id/"}
    result = run("-w", str(folder), "participants", "cards", "--lang", "en", env=env)
    assert result.exit_code == 0 and JOINED.search(result.stdout).group(1) == "https://ujian.example.id/join"
    code = _a_code(folder)
    html = out.read_text(encoding="utf-8")
    assert qr_svg(join_url("https://ujian.example.id", code)) in html  # the QR code opens it with the code
    assert "https://ujian.example.id" in html and "192.168" not in html
    result = run("-w", str(folder), "participants", "cards", "--url", "http://10.0.0.5:8000", env=env)
    assert result.exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert qr_svg(join_url("http://10.0.0.5:8000", code)) in html and "ujian.example.id" not in html


def _a_code(folder: Path) -> str:
    store = Store.open(sqlite_url(folder / "assess.db"))
    try:
        return store.participants("payakumbuh-2019")[0].access_code
    finally:
        store.close()


# -- assess serve, as a process -----------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return example_workspace(tmp_path_factory.mktemp("alamat") / "pelatihan")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """`assess serve` running; its output up to the line that says it is ready."""

    def __init__(self, folder: Path, *args: str, env: dict | None = None):
        self.port = _free_port()
        environment = {k: v for k, v in os.environ.items() if k != ENV_BASE_URL}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assess", "-w", str(folder), "serve", "--port", str(self.port), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**environment, "ASSESS_LANG": "en", **(env or {})},
        )
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(lines,), daemon=True).start()
        self.output = ""
        deadline = time.monotonic() + 60
        while "Stop with Ctrl+C" not in self.output:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                raise AssertionError(f"assess serve ended: {self.output}")
            self.output += line

    def _read(self, lines: queue.Queue) -> None:
        for line in self.process.stdout:
            lines.put(line)
        lines.put(None)

    def join(self) -> str:
        return JOINED.search(self.output).group(1)

    def local(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        self.process.stdout.close()


def _trainer_pages(served: Served) -> tuple[str, str]:
    """The trainer logs in (on the laptop): the dashboard, then the projector page."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    login = opener.open(served.local("/trainer/login"), timeout=10).read().decode()
    form = urllib.parse.urlencode({"csrf_token": CSRF.search(login).group(1), "password": PASSWORD})
    dashboard = opener.open(served.local("/trainer/login"), data=form.encode(), timeout=10)
    assert dashboard.url.endswith("/trainer/")  # logged in: sent on to the dashboard
    return dashboard.read().decode(), opener.open(served.local("/trainer/qr"), timeout=10).read().decode()


def test_serve_prints_a_join_address_that_is_not_loopback_and_answers_there(workspace):
    require_component("a network interface besides loopback", _outgoing_address() is not None, "any network")
    served = Served(workspace)  # listening on every interface, as at the venue
    try:
        join = served.join()
        host = urllib.parse.urlsplit(join).hostname
        assert not ipaddress.ip_address(host).is_loopback and _is_own_address(host), served.output
        assert LOOPBACK_WARNING not in served.output
        assert DASHBOARD.search(served.output).group(1) == join.removesuffix("/join") + "/trainer/"
        page = urllib.request.urlopen(join, timeout=10)  # the server answers at the address it printed
        assert page.status == 200 and 'name="code"' in page.read().decode()
    finally:
        served.stop()


@pytest.mark.parametrize("source", ["--url", ENV_BASE_URL])
def test_serve_takes_the_base_for_the_terminal_qr_and_the_projector_page(workspace, source):
    base = "http://192.168.1.10:8000"
    args, env = (["--url", base + "/"], {}) if source == "--url" else ([], {ENV_BASE_URL: base})
    served = Served(workspace, "--host", "127.0.0.1", *args, env=env)
    try:
        assert served.join() == base + "/join"
        assert DASHBOARD.search(served.output).group(1) == base + "/trainer/"
        assert terminal_qr(base + "/join") in served.output
        assert LOOPBACK_WARNING not in served.output  # the address phones get is the one given
        dashboard, projector = _trainer_pages(served)
        assert f'<p class="address">{base}/join</p>' in projector and "notice warning" not in projector
        assert f'<strong class="address">{base}/join</strong>' in dashboard
    finally:
        served.stop()


def test_serve_on_loopback_warns_in_the_terminal_and_on_the_projector_page(workspace):
    served = Served(workspace, "--host", "127.0.0.1")
    try:
        join = f"http://127.0.0.1:{served.port}/join"
        assert served.join() == join
        warning = next(line for line in served.output.splitlines() if LOOPBACK_WARNING in line)
        assert join in warning and "--url" in warning
        for page in _trainer_pages(served):  # the dashboard and the projector page
            warnings = re.findall(r'<p class="notice warning" role="alert">([^<]*)</p>', page)
            assert any(join in w and "--url" in w for w in warnings), page
        # Issue 14, point 5: the one-time link opens the laptop's browser on the dashboard, once.
        link = re.search(r"(http://127\.0\.0\.1:\d+/trainer/login/\S+)", served.output).group(1)
        for expected in ("/trainer/", "/trainer/login"):  # the dashboard, then (used) the login page
            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            assert opener.open(link, timeout=10).url.endswith(expected)
    finally:
        served.stop()
