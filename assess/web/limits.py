"""Join tries per network address and per access code, in a sliding minute, and saves per attempt, in
a token bucket.

The join tries are counted in the store (tries.py), so every worker process of `assess serve` counts
the same ones. Only a counted try writes a row: a refused one leaves the table as it was; rows that
have left the window are swept, and at most `max_rows` of each kind are held (the oldest go first),
so that a flood of made-up codes or addresses cannot grow the database.

The save buckets are kept in each worker process's memory: a save is the most frequent request, and
a phone's autosaves go over its one kept-alive connection, to one worker. A phone that opens
connections to several workers gets at most one bucket in each; what it can store stays bounded by
the history limits (web.history), which the store enforces.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from assess.store.tries import JOIN_ADDRESS, JOIN_CODE, MAX_ROWS, Budget

WINDOW_SECONDS = 60.0
WINDOW = dt.timedelta(seconds=WINDOW_SECONDS)
# A class of 500 keeps about 500 buckets; an entry is about 200 bytes.
MAX_KEYS = 4096


class JoinLimiter:
    def __init__(
        self,
        store,
        event_id: str,
        per_address: int,
        per_code: int,
        clock: Callable[[], dt.datetime],
        max_rows: int = MAX_ROWS,
    ):
        self.store = store
        self.event_id = event_id
        self.per_address = per_address
        self.per_code = per_code
        self.clock = clock
        self.max_rows = max_rows

    def allow(self, address: str, code: str) -> bool:
        """Count one try; False when the address or the code has had its share this minute."""
        budgets = [Budget(JOIN_ADDRESS, address, self.per_address)]
        if code:
            budgets.append(Budget(JOIN_CODE, code, self.per_code))
        return self.store.take_tries(self.event_id, budgets, self.clock(), WINDOW, max_rows=self.max_rows)

    def held(self) -> dict[str, int]:
        """The addresses and codes with counted tries in the table now, and how many each."""
        held = {}
        for kind in (JOIN_ADDRESS, JOIN_CODE):
            held.update({f"{kind}:{k.key}": k.count for k in self.store.tries_of(self.event_id, kind)})
        return held


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
