"""Join tries per network address and per access code, in a sliding minute, and saves per attempt, in
a token bucket (one process, many threads).

Only a counted try makes a join entry: a refused one leaves the table as it was. Entries whose last try
has left the window are swept, and the table holds at most MAX_KEYS of them, the least recently
used going first, so that a flood of made-up codes or addresses cannot grow the server's memory.
The save buckets are bounded the same way.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque

WINDOW_SECONDS = 60.0
# A class of 500 joining within the minute uses about 2 x 500 keys (addresses and codes); an entry
# is about 1 KB, so the table stays under a few MB whatever arrives.
MAX_KEYS = 4096


class JoinLimiter:
    def __init__(self, per_address: int, per_code: int, clock=time.monotonic, max_keys: int = MAX_KEYS):
        self.per_address = per_address
        self.per_code = per_code
        self.clock = clock
        self.max_keys = max_keys
        # (kind, address or code) -> times of its counted tries; least recently counted first
        self._tries: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many addresses and codes the table holds now."""
        with self._lock:
            return len(self._tries)

    def allow(self, address: str, code: str) -> bool:
        """Count one try; False when the address or the code has had its share this minute."""
        now = self.clock()
        with self._lock:
            self._sweep(now)
            if self._count(("address", address), now) >= self.per_address:
                return False
            if code and self._count(("code", code), now) >= self.per_code:
                return False
            self._add(("address", address), now)
            if code:
                self._add(("code", code), now)
            return True

    def _count(self, key: tuple[str, str], now: float) -> int:
        """The key's tries in the window, without making an entry for it."""
        tries = self._tries.get(key)
        if tries is None:
            return 0
        while tries and now - tries[0] >= WINDOW_SECONDS:
            tries.popleft()
        if not tries:
            del self._tries[key]
        return len(tries)

    def _add(self, key: tuple[str, str], now: float) -> None:
        tries = self._tries.get(key)
        if tries is None:
            tries = self._tries[key] = deque()
        tries.append(now)
        self._tries.move_to_end(key)
        while len(self._tries) > self.max_keys:
            self._tries.popitem(last=False)  # the least recently counted

    def _sweep(self, now: float) -> None:
        """Forget keys whose last try has left the window: they are the oldest, at the front."""
        while self._tries:
            key, tries = next(iter(self._tries.items()))
            if now - tries[-1] < WINDOW_SECONDS:
                return
            del self._tries[key]


class SaveLimiter:
    """A token bucket per attempt for its saves (autosaves and posted pages): `per_second` on average,
    `burst` at once. A bucket left alone for burst / per_second seconds is full again, the same as no
    entry: such entries are swept, and at most `max_keys` are held, the least recently used going first.
    """

    def __init__(self, per_second: float, burst: int, clock=time.monotonic, max_keys: int = MAX_KEYS):
        self.per_second = per_second
        self.burst = burst
        self.clock = clock
        self.max_keys = max_keys
        # attempt -> (tokens, when they were counted); least recently used first
        self._buckets: OrderedDict[int, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._buckets)

    def wait(self, attempt_id: int) -> int:
        """Take a token for one save: 0 when there was one, else the whole seconds (at least 1) until
        there is (nothing is taken then)."""
        now = self.clock()
        with self._lock:
            self._sweep(now)
            tokens, since = self._buckets.pop(attempt_id, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - since) * self.per_second)
            self._buckets[attempt_id] = (tokens - 1 if tokens >= 1 else tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            if tokens >= 1:
                return 0
            return max(1, math.ceil((1 - tokens) / self.per_second))

    def _sweep(self, now: float) -> None:
        """Forget buckets full again by now: the least recently used, at the front."""
        refill = self.burst / self.per_second
        while self._buckets:
            _tokens, since = next(iter(self._buckets.values()))
            if now - since < refill:
                return
            self._buckets.popitem(last=False)
