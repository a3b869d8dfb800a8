"""Join tries per network address and per access code, in a sliding minute (one process, many threads)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

WINDOW_SECONDS = 60.0


class JoinLimiter:
    def __init__(self, per_address: int, per_code: int, clock=time.monotonic):
        self.per_address = per_address
        self.per_code = per_code
        self.clock = clock
        self._tries: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, address: str, code: str) -> bool:
        """Count one try; False when the address or the code has had its share this minute."""
        now = self.clock()
        with self._lock:
            by_address = self._window(("address", address), now)
            by_code = self._window(("code", code), now)
            if len(by_address) >= self.per_address or (code and len(by_code) >= self.per_code):
                return False
            by_address.append(now)
            if code:
                by_code.append(now)
            return True

    def _window(self, key: tuple[str, str], now: float) -> deque[float]:
        tries = self._tries[key]
        while tries and now - tries[0] >= WINDOW_SECONDS:
            tries.popleft()
        if not tries:
            # Forget idle keys, so that a flood of made-up codes cannot grow the table without end.
            del self._tries[key]
            tries = self._tries[key]
        return tries
