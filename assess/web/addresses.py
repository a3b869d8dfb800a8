"""The network address each participant's requests come from, to tell a trainer about a shared hotspot.

Kept in the server's memory only (one entry per participant who joined, so it
cannot grow beyond the class), never written anywhere.
"""

from __future__ import annotations

import threading
from collections import Counter


class SeenAddresses:
    def __init__(self) -> None:
        self._by_person: dict[str, str] = {}
        self._lock = threading.Lock()

    def saw(self, person_id: str, address: str) -> None:
        with self._lock:
            self._by_person[person_id] = address

    def most_shared(self) -> tuple[str | None, int]:
        """The address the most participants come from, and how many."""
        with self._lock:
            counts = Counter(self._by_person.values())
        return counts.most_common(1)[0] if counts else (None, 0)


def shared_address_warning(seen: SeenAddresses, participants: int, per_address: int) -> int | None:
    """How many participants share one address when more than half the class does and the
    per-address connection cap is below two connections for each participant; else None."""
    _address, shared = seen.most_shared()
    if participants and shared * 2 > participants and per_address < 2 * participants:
        return shared
    return None
