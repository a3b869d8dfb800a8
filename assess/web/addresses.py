"""A warning for the trainer when most of the class reaches the server through one address (a hotspot or
a router doing NAT), which the per-address connection cap would choke.

The addresses are those the participants' live sessions were last seen from (the store's
web_sessions), so every worker process of `assess serve` gives the same answer.
"""

from __future__ import annotations


def shared_address_warning(
    most_shared: tuple[str | None, int], participants: int, per_address: int
) -> int | None:
    """How many participants share one address (`most_shared`: the address and how many) when more
    than half the class does and the per-address connection cap is below two connections for each
    participant; else None."""
    _address, shared = most_shared
    if participants and shared * 2 > participants and per_address < 2 * participants:
        return shared
    return None
