"""The web app's counted tries in the store (tries.py), on SQLite and PostgreSQL: what every worker
process of `assess serve` shares (join limits, the trainer's login budgets, failed logins)."""

from __future__ import annotations

import datetime as dt

import pytest

from assess.store.store import Store
from assess.store.tries import JOIN_ADDRESS, JOIN_CODE, LOGIN_FAILED, Budget

T0 = dt.datetime(2026, 12, 7, 8, 0)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def store(database_url):
    s = Store.open(database_url)
    s.ensure_event("e", "Uji", "Asia/Jakarta", T0)
    s.ensure_event("other", "Lain", "Asia/Jakarta", T0)
    yield s
    s.close()


def _take(store, address, code, at, per_address=3, per_code=2, **kw):
    budgets = [Budget(JOIN_ADDRESS, address, per_address), Budget(JOIN_CODE, code, per_code)]
    return store.take_tries("e", budgets, at, MINUTE, **kw)


def _held(store, kind):
    return {t.key: t.count for t in store.tries_of("e", kind)}


def test_all_or_nothing_in_a_sliding_window(store):
    assert [_take(store, "10.0.0.1", "A", T0) for _ in range(3)] == [True, True, False]  # the code's two
    assert _held(store, JOIN_ADDRESS) == {
        "10.0.0.1": 2
    }  # the refused try wrote nothing, not even the address
    assert _take(store, "10.0.0.1", "B", T0 + dt.timedelta(seconds=30))
    assert not _take(store, "10.0.0.1", "C", T0 + dt.timedelta(seconds=59))  # the address has had three
    assert _take(store, "10.0.0.1", "C", T0 + MINUTE)  # the first two are exactly a minute old: out
    assert _held(store, JOIN_ADDRESS) == {"10.0.0.1": 2} and _held(store, JOIN_CODE) == {"B": 1, "C": 1}
    assert store.tries_of("other", JOIN_ADDRESS) == []  # per event


def test_each_kind_holds_at_most_its_cap_the_oldest_out(store):
    for k in range(10):
        assert _take(store, f"10.0.1.{k}", f"K{k}", T0 + dt.timedelta(seconds=k), max_rows=4)
    assert sorted(_held(store, JOIN_ADDRESS)) == [f"10.0.1.{k}" for k in range(6, 10)]


def test_failures_are_listed_newest_first_and_forgotten(store):
    for k, address in enumerate(["10.0.0.1", "10.0.0.2", "10.0.0.1"]):
        store.add_try("e", LOGIN_FAILED, address, T0 + dt.timedelta(seconds=k), dt.timedelta(days=1))
    listed = store.tries_of("e", LOGIN_FAILED)
    assert [(t.key, t.count) for t in listed] == [("10.0.0.1", 2), ("10.0.0.2", 1)]
    assert listed[0].first == T0 and listed[0].last == T0 + dt.timedelta(seconds=2)
    store.forget_tries("e", LOGIN_FAILED, "10.0.0.1")
    assert [t.key for t in store.tries_of("e", LOGIN_FAILED)] == ["10.0.0.2"]
    assert store.tries_of("e", LOGIN_FAILED, since=T0 + dt.timedelta(seconds=1)) == []  # after it only
    assert len(store.tries_of("e", LOGIN_FAILED, since=T0)) == 1
