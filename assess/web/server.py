"""waitress, guarded against one phone holding the room's connections.

waitress closes a connection only when it has been silent for `channel_timeout`,
and any byte counts as activity: 170 sockets that send `GET /join HTTP/1.1` and
then one byte every 30 s fill its `connection_limit`, and nobody else can join.
Two rules close that door, the same on Windows and Linux (no OS-specific calls):

- every request's headers must be complete within `header_seconds` of its first
  byte (of the connection's acceptance, for the first request): trickled bytes
  do not extend this;
- one address holds at most `per_address` open connections; further ones are
  closed as soon as they are accepted. A trusted reverse proxy is exempt: its
  own limits apply, and the app reads the client's address from its
  X-Forwarded-For (waitress's `trusted_proxy`).

waitress's own error responses (400 for a malformed request, 413, 431) carry the
same security headers as the app's pages.

Written against waitress 3.0 (pinned in pyproject.toml): the subclasses use its
channel's `received` and `del_channel`, its server's `handle_accept` and
`maintenance`, and its ErrorTask.
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

HEADER_SECONDS = 10.0
CHECK_SECONDS = 1  # how often the server looks for connections past their deadline
ERROR_HEADERS = (
    ("Content-Security-Policy", "default-src 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-store"),
)


# Sized from the number of participants (see DESIGN.md's measurements).
MIN_THREADS, MAX_THREADS = 4, 16
# waitress's default connection_limit (100) failed 742 requests with 500 phones: every phone keeps
# a connection or two open (a page and an autosave), so allow twice the class and some spare.
SPARE_CONNECTIONS = 50


@dataclass(frozen=True)
class Sizes:
    threads: int
    connection_limit: int


def sizes(participants: int) -> Sizes:
    """Threads and connection limit for a class of `participants` phones."""
    threads = min(MAX_THREADS, max(MIN_THREADS, math.ceil(participants / 60)))
    return Sizes(threads=threads, connection_limit=max(100, 2 * participants + SPARE_CONNECTIONS))


class GuardedErrorTask(ErrorTask):
    """waitress's error response (400, 413, 431, 500) with the app's security headers."""

    def execute(self) -> None:
        self.response_headers.extend(ERROR_HEADERS)
        super().execute()


class OpenConnections:
    """Open connections per address, shared by the listening sockets of one server."""

    def __init__(self, per_address: int, exempt: frozenset[str] = frozenset()):
        self.per_address = per_address
        self.exempt = exempt
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()

    def admit(self, address: str) -> bool:
        """Count a new connection from `address`; False (not counted) when it already holds its share."""
        with self._lock:
            if address not in self.exempt and self._open[address] >= self.per_address:
                return False
            self._open[address] += 1
            return True

    def release(self, address: str) -> None:
        with self._lock:
            self._open[address] -= 1
            if self._open[address] <= 0:
                del self._open[address]

    def of(self, address: str) -> int:
        with self._lock:
            return self._open[address]


class GuardedChannel(HTTPChannel):
    """A connection whose request headers must be complete within the server's `header_seconds`."""

    error_task_class = GuardedErrorTask

    def __init__(self, server: GuardedServer, sock, addr, adj, map=None):
        super().__init__(server, sock, addr, adj, map=map)
        self.headers_due: float | None = self.creation_time + server.header_seconds
        self.counted_address: str | None = None

    def received(self, data: bytes) -> bool:
        done = super().received(data)
        partial = self.request  # the request being read, if its end has not come yet
        if partial is None or partial.headers_finished:
            self.headers_due = None  # headers complete: the app (or the body's own limits) takes over
        elif self.headers_due is None:
            self.headers_due = time.time() + self.server.header_seconds  # a new request has begun
        return done

    def del_channel(self, map=None) -> None:
        super().del_channel(map)
        if self.counted_address is not None:
            self.server.connections.release(self.counted_address)
            self.counted_address = None


class GuardedServer(TcpWSGIServer):
    """waitress's TCP server with a deadline for request headers and a cap per address."""

    channel_class = GuardedChannel

    def __init__(self, application, *, connections: OpenConnections, header_seconds: float, **kw):
        self.connections = connections
        self.header_seconds = header_seconds
        super().__init__(application, **kw)

    def handle_accept(self) -> None:
        try:
            accepted = self.accept()
            if accepted is None:
                return
            conn, addr = accepted
            self.set_socket_options(conn)
        except OSError:
            return  # the peer left before it was accepted (as waitress itself shrugs it off)
        addr = self.fix_addr(addr)
        address = addr[0] if isinstance(addr, tuple) else str(addr)
        if not self.connections.admit(address):
            conn.close()  # this address holds its share already
            return
        channel = self.channel_class(self, conn, addr, self.adj, map=self._map)
        channel.counted_address = address

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        for channel in list(self.active_channels.values()):
            due = getattr(channel, "headers_due", None)
            if due is not None and now > due and not channel.requests:
                channel.will_close = True


def create_guarded_server(
    application,
    *,
    per_address: int,
    header_seconds: float = HEADER_SECONDS,
    trusted_proxy: str | None = None,
    **adjustments,
):
    """A waitress server as `waitress.create_server` makes one, with the guards above.

    Raises OSError when the address cannot be bound (a port in use).
    """
    if trusted_proxy:
        adjustments.update(
            trusted_proxy=trusted_proxy,
            trusted_proxy_count=1,
            trusted_proxy_headers={"x-forwarded-for"},
        )
    adjustments.setdefault("cleanup_interval", CHECK_SECONDS)
    adj = Adjustments(**adjustments)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    connections = OpenConnections(per_address, frozenset({trusted_proxy}) if trusted_proxy else frozenset())
    socket_map: dict = {}
    guarded = {
        "connections": connections,
        "header_seconds": header_seconds,
        "map": socket_map,
        "dispatcher": dispatcher,
        "adj": adj,
    }
    if adj.sockets:  # bound before: by `listening_sockets`, shared by the worker processes
        servers = [
            GuardedServer(
                application,
                _sock=sock,
                bind_socket=False,
                sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
                **guarded,
            )
            for sock in adj.sockets
        ]
    else:
        servers = [GuardedServer(application, sockinfo=sockinfo, **guarded) for sockinfo in adj.listen]
    if len(servers) == 1:
        return servers[0]
    listening = [(s.effective_host, s.effective_port) for s in servers]
    return MultiSocketServer(socket_map, adj, listening, dispatcher, servers[-1].log_info)


def listening_sockets(host: str, port: int) -> list[socket.socket]:
    """The sockets waitress would listen on for `host` and `port`, bound and listening, for servers made
    with `sockets=` (the worker processes of `assess serve` accept on the same ones). Raises OSError
    when the address cannot be bound (a port in use)."""
    adj = Adjustments(host=host, port=port)
    bound = []
    try:
        for family, kind, proto, address in adj.listen:
            sock = socket.socket(family, kind, proto)
            bound.append(sock)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if os.name != "nt":  # a restart binds while the last run's connections linger (TIME_WAIT);
                # on Windows the same option would let two servers share the port, unnoticed
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(adj.backlog)
    except OSError:
        for sock in bound:
            sock.close()
        raise
    return bound


def serve_class(
    application,
    *,
    participants: int,
    per_address: int,
    trusted_proxy: str | None = None,
    workers: int = 1,
    **where,
):
    """The guarded server as `assess serve` runs it for a class of `participants` phones, in one of
    `workers` processes (threads and connection limit from `sizes`), serving `application` on `host`
    and `port`, or on `sockets` bound before."""
    size = sizes(math.ceil(participants / workers))
    return create_guarded_server(
        application,
        per_address=per_address,
        trusted_proxy=trusted_proxy,
        **where,
        threads=size.threads,
        connection_limit=size.connection_limit,
        channel_timeout=120,
        ident="assess",
        clear_untrusted_proxy_headers=True,
    )
