"""This laptop's address on the venue's network, for join links and QR codes.

Read from the machine's own interfaces: no packet is sent anywhere.
"""

from __future__ import annotations

import ipaddress
import socket

DEFAULT_PORT = 8000


def lan_address() -> str:
    """The first private IPv4 address of this machine, else 127.0.0.1."""
    candidates = []
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        candidates = [info[4][0] for info in infos]
    except OSError:
        pass
    for address in candidates:
        ip = ipaddress.ip_address(address)
        if ip.is_private and not ip.is_loopback:
            return address
    return "127.0.0.1"


def join_base_url(port: int = DEFAULT_PORT) -> str:
    return f"http://{lan_address()}:{port}"
