"""The trainer's login under guessing (issue 14, point 5). Before: one shared bucket of 10 tries a
minute for every address, so 10 wrong passwords from any phone locked the real trainer out, and
every try computed a password hash."""

from __future__ import annotations

import datetime as dt

import pytest

from assess.delivery.screen import desk
from assess.web.login_guard import CHECKS_PER_MINUTE, FREE_FAILURES, MAX_DELAY, LoginGuard
from tests.web_support import PASSWORD, Client, copy_workspace, make_app, open_workspace


class Clock:
    """Naive UTC, moved by the test."""

    def __init__(self):
        self.t = dt.datetime(2026, 12, 7, 8, 0)

    def __call__(self) -> dt.datetime:
        return self.t

    def wait(self, seconds: float) -> None:
        self.t += dt.timedelta(seconds=seconds)


@pytest.fixture
def app_and_clock(marker_template, tmp_path, monkeypatch):
    ws = open_workspace(copy_workspace(marker_template, tmp_path / "ws"))
    app = make_app(ws)
    clock = Clock()
    app.extensions["assess.login_guard"] = LoginGuard(ws.store, ws.event_id, clock=clock)
    checks = []
    real = desk.password_matches

    def counted(folder, password):
        checks.append(password)
        return real(folder, password)

    monkeypatch.setattr(desk, "password_matches", counted)  # counts the hashes; the check itself is real
    yield app, clock, checks, ws
    ws.close()


def _login(app, address: str, password: str, client: Client | None = None):
    c = client or Client(app, address)
    c.get("/trainer/login")
    return c, c.post("/trainer/login", {"password": password})


def test_a_guessing_phone_does_not_lock_out_the_trainer(app_and_clock):
    app, clock, checks, _ws = app_and_clock
    for _ in range(FREE_FAILURES):
        assert _login(app, "127.0.0.66", "salah-salah")[1].status_code == 401
    hashed = len(checks)
    refused = _login(app, "127.0.0.66", "salah-lagi")[1]
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert len(checks) == hashed  # refused before any hash is computed
    assert _login(app, "127.0.0.9", PASSWORD)[1].status_code == 302  # the trainer, from the laptop


def test_the_wait_doubles_up_to_five_minutes(app_and_clock):
    _app, _clock, _checks, ws = app_and_clock
    clock = Clock()
    guard = LoginGuard(ws.store, ws.event_id, clock=clock)
    waits = []
    for _ in range(12):
        wait = guard.admit("10.0.0.1")
        if wait:
            waits.append(wait)
            clock.wait(wait)
            assert guard.admit("10.0.0.1") == 0
        guard.failed("10.0.0.1")
    assert waits[:4] == [5, 10, 20, 40] and max(waits) == MAX_DELAY
    assert guard.admit("10.0.0.2") == 0  # another address is not held


def test_the_global_budget_holds_many_addresses_to_twenty_checks_a_minute(app_and_clock):
    app, clock, checks, _ws = app_and_clock
    for k in range(CHECKS_PER_MINUTE):
        assert _login(app, f"127.1.0.{k + 1}", "salah-salah")[1].status_code == 401
    assert _login(app, "127.1.1.1", "salah-salah")[1].status_code == 429
    assert len(checks) == CHECKS_PER_MINUTE
    clock.wait(61)
    assert _login(app, "127.1.1.1", "salah-salah")[1].status_code == 401


def test_a_browser_that_logged_in_before_is_never_slowed(app_and_clock):
    app, clock, checks, _ws = app_and_clock
    laptop, response = _login(app, "127.0.0.9", PASSWORD)
    assert response.status_code == 302
    laptop.post("/trainer/logout")
    guard = app.extensions["assess.login_guard"]
    for k in range(CHECKS_PER_MINUTE):  # the whole budget spent by others, and this address's too
        guard.admit(f"127.2.0.{k + 1}")
    for _ in range(FREE_FAILURES + 1):
        guard.failed("127.0.0.9")
    assert _login(app, "127.0.0.9", PASSWORD, laptop)[1].status_code == 302
    assert _login(app, "127.0.0.9", PASSWORD)[1].status_code == 429  # another browser there waits


def test_the_dashboard_lists_failed_logins(app_and_clock):
    app, clock, checks, _ws = app_and_clock
    for _ in range(3):
        _login(app, "127.0.0.66", "salah-salah")
    laptop, _response = _login(app, "127.0.0.9", PASSWORD)
    page = laptop.get("/trainer/").get_data(as_text=True)
    assert 'id="failed-logins"' in page
    row = page.split("127.0.0.66", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">3</td>' in row


def test_refused_tries_leave_no_entry_and_the_table_is_capped(app_and_clock):
    _app, _clock, _checks, ws = app_and_clock
    clock = Clock()
    guard = LoginGuard(ws.store, ws.event_id, clock=clock, max_failures=40)
    for _ in range(FREE_FAILURES):
        guard.failed("10.0.0.1")
    assert guard.admit("10.0.0.1") > 0 and len(guard.failures()) == 1
    assert [(f.address, f.count) for f in guard.failures()] == [
        ("10.0.0.1", FREE_FAILURES)
    ]  # refused: not counted
    for k in range(90):
        clock.wait(1)
        guard.failed(f"10.0.1.{k}")
    assert [f.address for f in guard.failures()] == [
        f"10.0.1.{k}" for k in range(89, 49, -1)
    ]  # the 40 latest
    clock.wait(24 * 3600 + 1)
    guard.failed("10.0.2.1")  # a day later the old ones are swept
    assert [f.address for f in guard.failures()] == ["10.0.2.1"]


def test_two_apps_on_one_workspace_share_the_budgets_and_the_link(app_and_clock):
    """Two worker processes of `assess serve` are two apps on one database."""
    app, _clock, checks, ws = app_and_clock
    other = make_app(open_workspace(ws.folder))
    for k in range(FREE_FAILURES):
        assert _login(app if k % 2 else other, "127.0.0.66", "salah-salah")[1].status_code == 401
    assert _login(other, "127.0.0.66", "salah-lagi")[1].status_code == 429
    assert _login(app, "127.0.0.66", "salah-lagi")[1].status_code == 429
    token = other.extensions["assess.login_links"].issue()
    assert Client(app, "127.0.0.1").get(f"/trainer/login/{token}").location.endswith("/trainer/")
    assert Client(other, "127.0.0.1").get(f"/trainer/login/{token}").location.endswith("/trainer/login")
    newer = app.extensions["assess.login_links"].issue()
    older = other.extensions["assess.login_links"].issue()  # a new link ends the one before
    assert Client(app, "127.0.0.1").get(f"/trainer/login/{newer}").location.endswith("/trainer/login")
    assert Client(app, "127.0.0.1").get(f"/trainer/login/{older}").location.endswith("/trainer/")


def test_the_one_time_login_link_opens_the_dashboard_once_and_only_from_the_laptop(app_and_clock):
    app, clock, checks, _ws = app_and_clock
    token = app.extensions["assess.login_links"].issue()
    phone = Client(app, "192.168.1.23")
    assert phone.get(f"/trainer/login/{token}").status_code == 302
    assert phone.get("/trainer/").status_code == 302  # not from a phone on the Wi-Fi
    laptop = Client(app, "127.0.0.1")
    response = laptop.get(f"/trainer/login/{token}")
    assert response.location.endswith("/trainer/")
    assert laptop.get("/trainer/").status_code == 200
    again = Client(app, "127.0.0.1")
    again.get(f"/trainer/login/{token}")
    assert again.get("/trainer/").status_code == 302  # used once
    assert not checks  # no password was needed
