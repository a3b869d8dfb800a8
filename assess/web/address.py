"""This laptop's address on the venue's network, for join links and QR codes.

Read from the machine's own interfaces: no packet is sent anywhere. The host
name alone says nothing on Debian and Ubuntu, whose /etc/hosts maps it to
127.0.1.1, so the addresses come from three places, the likeliest first: the
interface that outgoing traffic leaves from (a UDP socket "connected" to an
address no network routes: connecting UDP sends nothing), the host name's
addresses, and on Linux every local address the kernel lists. A base address
the trainer gives (`--url`, ASSESS_BASE_URL) wins over all of them; a
loopback address is only ever shown with a warning that phones cannot open it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from assess.i18n import _
from assess.problems import Problem, ProblemsFound

DEFAULT_PORT = 8000
ENV_BASE_URL = "ASSESS_BASE_URL"
LOOPBACK = "127.0.0.1"
WILDCARD_HOSTS = ("0.0.0.0", "", "::")  # listening on every interface
UNROUTED = ("10.255.255.255", "192.0.2.1")  # a route is chosen for them, and nothing is sent
LINUX_LOCAL_ADDRESSES = Path("/proc/net/fib_trie")
HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")  # as urlsplit gives it: lower case


def _outgoing() -> list[str]:
    """The address of the interface that traffic to another network would leave from."""
    for target in UNROUTED:
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.connect((target, 1))  # UDP: picks the route, sends no packet
                return [udp.getsockname()[0]]
        except OSError:  # no route at all (a laptop on its own hotspot, say)
            continue
    return []


def _host_name() -> list[str]:
    try:
        return [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        return []


def _linux_local() -> list[str]:
    """Every local IPv4 address of a Linux machine, as its kernel lists them (lines "|-- A" then
    "/32 host LOCAL"); nothing elsewhere."""
    try:
        lines = LINUX_LOCAL_ADDRESSES.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    return [
        above.split()[-1]
        for above, line in zip(lines, lines[1:], strict=False)
        if line.strip() == "/32 host LOCAL" and "|--" in above
    ]


def _reachable(address: str) -> bool:
    """An IPv4 address that another device on the network could open (never loopback)."""
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified or ip.is_multicast or ip.is_reserved)


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses that a phone on its network could open, the likeliest first;
    link-local ones (169.254.x.x: no DHCP on that network) last. Empty when it has loopback only."""
    found = dict.fromkeys(a for a in [*_outgoing(), *_host_name(), *_linux_local()] if _reachable(a))
    return sorted(found, key=lambda a: ipaddress.IPv4Address(a).is_link_local)


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) is this machine only, where no phone can reach it."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_name_valid(host: str) -> bool:
    """A DNS name or an IP address, as a phone's browser takes it in an address."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return HOST_NAME.fullmatch(host) is not None


def parse_base_url(text: str) -> str:
    """A base address as `--url` and ASSESS_BASE_URL take it (http or https, a host, an optional
    port, no path but "/"), without a trailing slash; anything else is the problem WEB-BASE-URL-INVALID."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port  # ValueError for a port that is not one
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or not _host_name_valid(parts.hostname)
        or port == 0
        or "@" in parts.netloc
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ProblemsFound([Problem("WEB-BASE-URL-INVALID", {"value": text})])
    return f"{parts.scheme.lower()}://{parts.netloc}"


def _base(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def loopback_warning(url: str) -> str | None:
    """What to say beside an address that phones cannot open (this laptop's own); None for others."""
    if not is_loopback(urlsplit(url).hostname or ""):
        return None
    return _(
        "{url} opens only on this laptop: phones cannot reach it. Give the address phones reach "
        "with --url (or ASSESS_BASE_URL), e.g. --url http://192.168.1.10:8000."
    ).format(url=url)


@dataclass(frozen=True)
class JoinBase:
    """Where participants join: the base address to show and print, and the laptop's other ones."""

    url: str  # scheme://host[:port], no trailing slash
    others: tuple[str, ...] = ()  # the same port on the laptop's other addresses

    @property
    def join(self) -> str:
        return self.url + "/join"

    def warning(self) -> str | None:
        """A warning when phones cannot open the address."""
        return loopback_warning(self.join)

    def also(self) -> str | None:
        """The laptop's other addresses, when it has some."""
        if not self.others:
            return None
        return _("If phones cannot open it, this laptop also has: {urls} (choose one with --url).").format(
            urls=", ".join(self.others)
        )


def join_base(port: int = DEFAULT_PORT, given: str | None = None, host: str | None = None) -> JoinBase:
    """The base address of the join link: `given` (--url or ASSESS_BASE_URL, checked), else the
    address the server listens on when it is one (`host`), else this laptop's address on the network."""
    if given:
        return JoinBase(parse_base_url(given))
    if host is not None and host not in WILDCARD_HOSTS:
        return JoinBase(_base(host, port))
    found = lan_addresses() or [LOOPBACK]
    return JoinBase(_base(found[0], port), tuple(_base(a, port) for a in found[1:]))
