"""The trainer's login under guessing: budgets checked before any password hash is computed.

One scrypt check costs about 117 ms of CPU here, so a phone posting passwords in a loop could both
guess and starve the server, and one shared bucket (as before) let anyone lock the real trainer out.
Now a browser that has logged in before (a known device, logins.py) is never slowed; every other try
needs its address's budget (FREE_FAILURES failures, then a doubling wait up to MAX_DELAY) and the
global one (CHECKS_PER_MINUTE password checks a minute). A try over budget is refused (429) and
leaves no entry: only failures are remembered, at most MAX_ADDRESSES of them, least recent out.
The failures are listed on the dashboard (address, count, first and last).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

FREE_FAILURES = 5
FIRST_DELAY = 5.0  # seconds after the 5th failure; then 10, 20, ... up to MAX_DELAY
MAX_DELAY = 300.0
CHECKS_PER_MINUTE = 20
WINDOW = 60.0
MAX_ADDRESSES = 1024


@dataclass
class Failures:
    """An address's failed logins: how many, when the first and the last were (naive UTC), and the clock
    reading of the last (for the wait)."""

    address: str
    count: int
    first: dt.datetime
    last: dt.datetime
    last_tick: float


class LoginGuard:
    def __init__(self, clock=time.monotonic, checks_per_minute: int = CHECKS_PER_MINUTE):
        self.clock = clock
        self.checks_per_minute = checks_per_minute
        self._failures: OrderedDict[str, Failures] = OrderedDict()
        self._checks: deque[float] = deque()  # clock readings of the checks in the last minute
        self._lock = threading.Lock()

    def admit(self, address: str) -> float:
        """0 when a password check from `address` may run now (and counts it), else the seconds to wait."""
        now = self.clock()
        with self._lock:
            wait = self._address_wait(address, now)
            if wait > 0:
                return wait
            while self._checks and now - self._checks[0] >= WINDOW:
                self._checks.popleft()
            if len(self._checks) >= self.checks_per_minute:
                return WINDOW - (now - self._checks[0])
            self._checks.append(now)
            return 0.0

    def _address_wait(self, address: str, now: float) -> float:
        seen = self._failures.get(address)
        if seen is None or seen.count < FREE_FAILURES:
            return 0.0
        delay = min(MAX_DELAY, FIRST_DELAY * 2 ** (seen.count - FREE_FAILURES))
        return max(0.0, seen.last_tick + delay - now)

    def failed(self, address: str, when: dt.datetime) -> None:
        """A wrong password from `address` (at `when`, for the dashboard)."""
        tick = self.clock()
        with self._lock:
            seen = self._failures.pop(address, None)
            if seen is None:
                seen = Failures(address, 0, when, when, tick)
            seen.count, seen.last, seen.last_tick = seen.count + 1, when, tick
            self._failures[address] = seen  # the most recent last
            while len(self._failures) > MAX_ADDRESSES:
                self._failures.popitem(last=False)

    def succeeded(self, address: str) -> None:
        """The right password from `address`: its failures are forgiven (the list keeps none of them)."""
        with self._lock:
            self._failures.pop(address, None)

    def failures(self) -> list[Failures]:
        """The addresses with failed logins, the most recent first."""
        with self._lock:
            return [Failures(**vars(f)) for f in reversed(self._failures.values())]

    def __len__(self) -> int:
        with self._lock:
            return len(self._failures)


class OneTimeLinks:
    """Login links that `assess serve` prints for the laptop's own browser: each opens the dashboard once."""

    def __init__(self):
        self._unused: set[str] = set()
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._unused.add(token)
        return token

    def redeem(self, token: str) -> bool:
        """True once for an issued token; every later call, and any other token, False."""
        with self._lock:
            for unused in self._unused:
                if hmac.compare_digest(unused.encode(), token.encode("utf-8", "replace")):
                    self._unused.discard(unused)
                    return True
        return False
