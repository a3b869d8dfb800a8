"""One address cannot hold the room's connections: deadlines for request headers, a cap per address.

The guarded waitress server (assess/web/server.py) runs for real here, on loopback: in-process with a
small WSGI app and short deadlines, and as `assess serve` in a subprocess. Clients take source
addresses from 127.0.0.0/8 (127.0.0.2, 127.0.0.3, ...) to play phones behind different addresses.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from importlib.metadata import version

import pytest
import waitress.channel
import waitress.server

from assess.web.server import ERROR_HEADERS, create_guarded_server
from tests.test_web_browser import _free_port, _serve
from tests.web_support import example_workspace

HOSTILE, GOOD, PROXY = "127.0.0.3", "127.0.0.2", "127.0.0.4"
HALF_REQUEST = b"GET /join HTTP/1.1\r\nHost: x\r\n"


def _echo_address(environ, start_response):
    body = environ.get("REMOTE_ADDR", "").encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture
def guarded():
    """A guarded server in a thread: (port, server); 3 connections per address, headers within 1 s."""
    port = _free_port()
    server = create_guarded_server(
        _echo_address,
        per_address=3,
        header_seconds=1.0,
        trusted_proxy=PROXY,
        host="127.0.0.1",
        port=port,
        threads=2,
        connection_limit=20,
        channel_timeout=120,
        clear_untrusted_proxy_headers=True,
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield port, server
    server.close()
    server.task_dispatcher.shutdown()
    thread.join(timeout=5)


def _connect(port: int, source: str) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
    return s


def _closed_within(s: socket.socket, seconds: float) -> bool:
    """Whether the server closes `s` within `seconds` (reads until end of stream or the time is up)."""
    s.settimeout(seconds)
    try:
        while s.recv(4096):
            pass
        return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def _closed_now(s: socket.socket) -> bool:
    """Whether the server has closed `s` by now (without waiting)."""
    s.setblocking(False)
    try:
        return s.recv(4096) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True
    finally:
        s.setblocking(True)


def _get(port: int, source: str, path: str = "/", headers: dict | None = None) -> tuple[str, bytes]:
    s = _connect(port, source)
    head = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{head}\r\n".encode())
    data = b""
    while chunk := s.recv(4096):
        data += chunk
    s.close()
    status, _, rest = data.partition(b"\r\n")
    return status.decode(), rest


def test_waitress_is_the_version_the_subclasses_are_written_against():
    assert version("waitress").startswith("3.0.")
    assert {"received", "del_channel"} <= set(vars(waitress.channel.HTTPChannel))
    assert {"handle_accept", "maintenance"} <= set(vars(waitress.server.BaseWSGIServer))


def test_trickled_headers_do_not_keep_a_connection_past_its_deadline(guarded):
    port, _server = guarded
    s = _connect(port, HOSTILE)
    started = time.monotonic()
    s.sendall(b"GET /join HTTP/1.1\r\n")
    s.settimeout(0.3)
    closed = False
    while time.monotonic() - started < 4:
        try:
            s.sendall(b"X")  # one byte at a time, as a slow-loris client does
            if s.recv(4096) == b"":
                closed = True
                break
        except TimeoutError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
    assert closed, "a connection trickling its headers was kept open"
    assert time.monotonic() - started < 3.5  # the deadline (1 s) and one maintenance round


def test_a_complete_request_is_served_and_the_next_one_gets_its_own_deadline(guarded):
    port, _server = guarded
    s = _connect(port, GOOD)
    s.settimeout(5)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _response(s).startswith(b"HTTP/1.1 200")
    # Kept alive and idle past the first request's deadline (1 s): the next request has its own.
    time.sleep(1.6)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _response(s).startswith(b"HTTP/1.1 200")
    s.close()


def _response(s: socket.socket) -> bytes:
    """One whole response (headers and the body its Content-Length gives): a recv may return a part."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    while len(body) < length:
        body += s.recv(4096)
    return head + b"\r\n\r\n" + body


def test_one_address_holds_at_most_its_share_and_others_still_get_in(guarded):
    port, server = guarded
    held = [_connect(port, HOSTILE) for _ in range(8)]
    for s in held:
        s.sendall(HALF_REQUEST)
    time.sleep(0.3)  # well within the deadline for headers (1 s)
    closed_at_once = [s for s in held if _closed_now(s)]
    assert len(closed_at_once) == 5  # 3 kept (its share), the rest closed as soon as accepted
    assert server.connections.of(HOSTILE) == 3
    started = time.monotonic()
    status, body = _get(port, GOOD)
    assert status == "HTTP/1.1 200 OK" and body.endswith(GOOD.encode())
    assert time.monotonic() - started < 1
    for s in held:
        s.close()


def test_the_trusted_proxy_names_the_phone_and_is_not_capped(guarded):
    port, _server = guarded
    status, body = _get(port, PROXY, headers={"X-Forwarded-For": "192.0.2.7"})
    assert status == "HTTP/1.1 200 OK" and body.endswith(b"192.0.2.7")
    status, body = _get(port, GOOD, headers={"X-Forwarded-For": "192.0.2.7"})  # not the proxy: ignored
    assert body.endswith(GOOD.encode())
    held = [_connect(port, PROXY) for _ in range(6)]  # more than the share of any other address
    time.sleep(0.3)
    assert not any(_closed_now(s) for s in held)
    for s in held:
        s.close()


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", b"400"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n", b"431"),
    ],
)
def test_waitress_error_responses_carry_the_security_headers(guarded, request_bytes, status):
    port, _server = guarded
    s = _connect(port, GOOD)
    try:
        s.sendall(request_bytes)
    except (BrokenPipeError, ConnectionResetError):
        pass
    data = b""
    s.settimeout(5)
    try:
        while chunk := s.recv(4096):
            data += chunk
    except ConnectionResetError:
        pass
    s.close()
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    assert head.split(" ")[1].encode() == status, head
    for name, value in ERROR_HEADERS:
        assert f"{name}: {value}" in head


def test_half_open_sockets_from_one_address_do_not_lock_a_class_out_of_assess_serve(tmp_path):
    """170 half-sent requests from one address (more than the connection limit of 154 for the
    example's 52 participants) and a phone from another address still joins within a second."""
    folder = example_workspace(tmp_path / "pelatihan")
    base, process = _serve(folder)  # `assess serve` in a subprocess, once it answers
    port = int(base.rsplit(":", 1)[1])
    try:
        hostile = []
        for _ in range(170):
            try:
                s = _connect(port, HOSTILE)
                s.sendall(HALF_REQUEST)
                hostile.append(s)
            except OSError:
                pass  # refused or reset: the cap at work
        started = time.monotonic()
        status, body = _get(port, GOOD, "/join")
        assert status == "HTTP/1.1 200 OK", status
        assert time.monotonic() - started < 1
        assert b"<form" in body
        for s in hostile:
            s.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_dashboard_warns_when_more_than_half_the_class_shares_one_address(marker_template, tmp_path):
    from tests.web_support import copy_workspace, make_app, open_workspace, participant_client, trainer_client

    folder = copy_workspace(marker_template, tmp_path / "ws")
    settings = folder / "assessment.yaml"
    text = settings.read_text(encoding="utf-8").replace("web:\n", "web:\n  connections_per_address: 2\n", 1)
    settings.write_text(text, encoding="utf-8")
    ws = open_workspace(folder)
    try:
        app = make_app(ws)
        trainer = trainer_client(app)
        codes = [p.access_code for p in ws.store.participants(ws.event_id)]
        half = len(codes) // 2
        for code in codes[:half]:  # half the class behind one hotspot: not yet more than half
            participant_client(app, code, "10.9.9.9")
        assert "connections_per_address" not in trainer.get("/trainer/").get_data(as_text=True)
        participant_client(app, codes[half], "10.9.9.9")
        page = trainer.get("/trainer/").get_data(as_text=True)
        assert "connections_per_address" in page and str(2 * len(codes)) in page
    finally:
        ws.close()
