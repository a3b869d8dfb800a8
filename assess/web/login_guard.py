"""The trainer's login under guessing: budgets checked before any password hash is computed.

One scrypt check costs about 117 ms of CPU here, so a phone posting passwords in a loop could both
guess and starve the server, and one shared bucket (as before) let anyone lock the real trainer out.
Now a browser that has logged in before (a known device, logins.py) is never slowed; every other try
needs its address's budget (FREE_FAILURES failures, then a doubling wait up to MAX_DELAY) and the
global one (CHECKS_PER_MINUTE password checks a minute). A try over budget is refused (429) and
leaves no entry: only failures are remembered, at most MAX_FAILURES of them, the oldest out.
The failures are listed on the dashboard (address, count, first and last).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from assess.store.records import LOGIN_LINK
from assess.store.tries import LOGIN_FAILED, PASSWORD_CHECK, Budget

FREE_FAILURES = 5
FIRST_DELAY = 5.0  # seconds after the 5th failure; then 10, 20, ... up to MAX_DELAY
MAX_DELAY = 300.0
CHECKS_PER_MINUTE = 20
WINDOW = dt.timedelta(seconds=60)
MAX_FAILURES = 1024  # failed logins held (the oldest go first); at most 20 a minute are possible
FAILURES_KEPT = dt.timedelta(days=1)  # the dashboard lists the last day's


@dataclass
class Failures:
    """An address's failed logins: how many, when the first and the last were (naive UTC)."""

    address: str
    count: int
    first: dt.datetime
    last: dt.datetime


class LoginGuard:
    """The budgets, counted in the store (tries.py): every worker process of `assess serve` sees the same."""

    def __init__(
        self,
        store,
        event_id: str,
        clock: Callable[[], dt.datetime],
        checks_per_minute: int = CHECKS_PER_MINUTE,
        max_failures: int = MAX_FAILURES,
    ):
        self.store = store
        self.event_id = event_id
        self.clock = clock
        self.checks_per_minute = checks_per_minute
        self.max_failures = max_failures

    def admit(self, address: str) -> float:
        """0 when a password check from `address` may run now (and counts it), else the seconds to wait."""
        now = self.clock()
        wait = self._address_wait(address, now)
        if wait > 0:
            return wait
        budget = [Budget(PASSWORD_CHECK, "", self.checks_per_minute)]
        if self.store.take_tries(self.event_id, budget, now, WINDOW):
            return 0.0
        checks = self.store.tries_of(self.event_id, PASSWORD_CHECK, "", since=now - WINDOW)
        oldest = checks[0].first if checks else now
        return max(1.0, (WINDOW - (now - oldest)).total_seconds())

    def _address_wait(self, address: str, now: dt.datetime) -> float:
        seen = self.store.tries_of(self.event_id, LOGIN_FAILED, address)
        if not seen or seen[0].count < FREE_FAILURES:
            return 0.0
        delay = min(MAX_DELAY, FIRST_DELAY * 2 ** (seen[0].count - FREE_FAILURES))
        return max(0.0, (seen[0].last - now).total_seconds() + delay)

    def failed(self, address: str) -> None:
        """A wrong password from `address`, now."""
        self.store.add_try(
            self.event_id, LOGIN_FAILED, address, self.clock(), FAILURES_KEPT, max_rows=self.max_failures
        )

    def succeeded(self, address: str) -> None:
        """The right password from `address`: its failures are forgiven (the list keeps none of them)."""
        self.store.forget_tries(self.event_id, LOGIN_FAILED, address)

    def failures(self) -> list[Failures]:
        """The addresses with failed logins, the most recent first."""
        return [
            Failures(f.key, f.count, f.first, f.last)
            for f in self.store.tries_of(self.event_id, LOGIN_FAILED)
        ]


class OneTimeLinks:
    """Login links that `assess serve` prints for the laptop's own browser: each opens the dashboard once,
    in whichever worker process it arrives (the store holds them, as web sessions of their own kind)."""

    def __init__(self, store, event_id: str, clock: Callable[[], dt.datetime]):
        self.store = store
        self.event_id = event_id
        self.clock = clock

    def issue(self) -> str:
        """A new link's token; the links issued before it stop working."""
        now = self.clock()
        self.store.end_sessions(self.event_id, (LOGIN_LINK,), "superseded", now)
        return self.store.open_session(self.event_id, LOGIN_LINK, now)

    def redeem(self, token: str) -> bool:
        """True once for an issued token; every later call, and any other token, False."""
        return self.store.use_once(self.event_id, token, LOGIN_LINK, self.clock())
