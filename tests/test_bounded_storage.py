"""Storage per attempt is bounded (issue 14, point 4): the history keeps changes, not repeats, at most
`web.history.versions_per_item` versions of an answer and `web.history.bytes_per_attempt` in all (an
answer's first and last always kept), and an attempt's saves are limited in rate (`web.save_limits`),
so that 10 s of the largest autosaves grow the database by less than 20 MB. Through the real store and
the real app."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from assess.delivery.screen import sitting
from assess.event import Web
from assess.event.file import build_forms, load_event
from assess.store import schema
from assess.store.attempts import HistoryBounds
from assess.store.store import OPEN, Store
from assess.web.limits import SaveLimiter
from tests.web_support import (
    copy_workspace,
    make_app,
    open_workspace,
    participant_client,
    set_web,
    trainer_client,
)

ROOT = Path(__file__).resolve().parents[1]
T0 = dt.datetime(2019, 10, 30, 1, 0)
EVENT = "payakumbuh-2019"
# The worst text for the store: JSON escapes every character beyond ASCII, 12 bytes for an emoji.
WORST = "🙏😀🎉" * 6_666 + "ok"  # 20,000 characters, 239,980 bytes of JSON
MULTIPART = "multipart/form-data"


class FakeClock:
    """The limiter's clock (seconds), moved by the test instead of sleeping."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- the store: repeats, versions per answer, size per attempt ----------------------------------------


@pytest.fixture
def attempt(database_url):
    """An attempt in progress on the worked example's pre-test, on each backend: (store, attempt id)."""
    store = Store.open(database_url)
    store.ensure_event(EVENT, "Uji", "Asia/Jakarta", T0)
    store.add_participants(EVENT, [{"person_id": "P001", "name": "Budi", "access_code": "K1"}], {}, {})
    form = build_forms(load_event(ROOT / "examples" / "payakumbuh-2019" / "assessment.yaml"))["pre"]
    store.save_form(form, T0)
    store.set_phase_state(EVENT, "pre", OPEN, T0)
    a = store.start_attempt(EVENT, "P001", "pre", channel="web", now=T0, personal_order={})
    yield store, a.id
    store.close()


def _save(store, attempt_id, item, value, seq=None, bounds=None):
    return store.save_answer(attempt_id, item, value, seq=seq, channel="web", now=T0, bounds=bounds)


def _versions(store, attempt_id, item=None) -> list:
    return [h.value for h in store.history(attempt_id) if item is None or h.item_id == item]


def _history_size(store, attempt_id) -> int:
    h = schema.answer_history
    with store.engine.connect() as c:
        return c.execute(
            sa.select(sa.func.sum(sa.func.length(sa.cast(h.c.value, sa.Text)))).where(
                h.c.attempt_id == attempt_id
            )
        ).scalar()


def test_a_repeated_value_adds_no_history_and_still_takes_its_number(attempt):
    store, a = attempt
    assert _save(store, a, "i1", "musyawarah").changed
    repeat = _save(store, a, "i1", "musyawarah", seq=5)  # a phone that sends the same text again
    assert (repeat.seq, repeat.changed, repeat.next_seq) == (5, False, 6)
    assert [(h.seq, h.value) for h in store.history(a)] == [(1, "musyawarah")]
    # The repeat took its number: an older save arriving late does not undo it.
    assert not _save(store, a, "i1", "mufakat", seq=4).changed
    assert store.answers(a) == {"i1": "musyawarah"}
    assert _save(store, a, "i1", "mufakat", seq=6).changed
    # The same value in another form of JSON (a mapping's keys in another order) is a repeat too.
    _save(store, a, "i2", {"p1": "c1", "p2": "c2"})
    assert not _save(store, a, "i2", {"p2": "c2", "p1": "c1"}).changed
    assert _save(store, a, "i3", None).changed  # a first blank is a version; a second is not
    assert not _save(store, a, "i3", None).changed
    assert [h.value for h in store.history(a)] == ["musyawarah", "mufakat", {"p1": "c1", "p2": "c2"}, None]


def test_the_51st_version_drops_the_second_oldest_and_keeps_the_first_and_the_last(attempt):
    store, a = attempt
    bounds = HistoryBounds(versions=50, size=2_000_000)
    _save(store, a, "other", "tetap", bounds=bounds)
    for n in range(1, 51):
        _save(store, a, "i1", f"versi {n}", bounds=bounds)
    assert _versions(store, a, "i1") == [f"versi {n}" for n in range(1, 51)]
    _save(store, a, "i1", "versi 51", bounds=bounds)
    assert _versions(store, a, "i1") == ["versi 1", *[f"versi {n}" for n in range(3, 52)]]
    _save(store, a, "i1", "versi 52", bounds=bounds)
    assert _versions(store, a, "i1") == ["versi 1", *[f"versi {n}" for n in range(4, 53)]]
    assert _versions(store, a, "other") == ["tetap"]  # another answer's versions are its own
    assert store.answers(a)["i1"] == "versi 52"


def test_an_attempts_history_stays_within_its_size_keeping_each_answers_first_and_last(attempt):
    store, a = attempt
    limit = Web().history.bytes_per_attempt  # 2 MB by default
    bounds = HistoryBounds(versions=50, size=limit)
    for n in range(12):
        for item in ("essay-1", "essay-2"):
            _save(store, a, item, f"{n:02d}{WORST}", bounds=bounds)
        assert _history_size(store, a) <= limit, n
    for item in ("essay-1", "essay-2"):
        kept = _versions(store, a, item)
        assert kept[0] == f"00{WORST}" and kept[-1] == f"11{WORST}"  # the first and the last
        assert store.answers(a)[item] == f"11{WORST}"
    assert len(_versions(store, a)) == 8  # 240 KB each: as many as 2 MB holds


def test_the_counters_a_save_checks_match_the_history(attempt):
    """A save decides to trim from two counters (versions per answer, bytes per attempt) instead of
    listing the history; they must say what the history holds, through trims, repeats and reopening."""
    store, a = attempt
    bounds = HistoryBounds(versions=3, size=600_000)
    for n in range(5):
        _save(store, a, "essay-1", f"{n}{WORST}", bounds=bounds)
        _save(store, a, "i1", f"versi {n % 2}", bounds=bounds)
        _save(store, a, "i1", f"versi {n % 2}", bounds=bounds)  # a repeat counts nothing
    r = schema.responses
    with store.engine.connect() as c:
        versions = dict(c.execute(sa.select(r.c.item_id, r.c.versions).where(r.c.attempt_id == a)).all())
    assert versions == {item: len(_versions(store, a, item)) for item in ("essay-1", "i1")}
    assert store.attempt(a).history_bytes == _history_size(store, a) <= 600_000
    store.submit(a, T0)
    new = store.reopen(a, reason="HP mati", actor="trainer", now=T0)
    assert new.history_bytes == 0 and _save(store, new.id, "i1", "baru", bounds=bounds).changed
    assert store.attempt(new.id).history_bytes == _history_size(store, new.id)


def test_when_the_firsts_and_lasts_alone_are_over_the_size_only_they_are_kept(attempt):
    store, a = attempt
    bounds = HistoryBounds(versions=50, size=100_000)
    for n in range(3):
        for item in ("essay-1", "essay-2"):
            _save(store, a, item, f"{n}{WORST}", bounds=bounds)
    assert _versions(store, a) == [f"0{WORST}", f"0{WORST}", f"2{WORST}", f"2{WORST}"]
    assert store.answers(a) == {"essay-1": f"2{WORST}", "essay-2": f"2{WORST}"}  # the latest always


@pytest.mark.parametrize(
    "history",
    [{"versions_per_item": 1}, {"versions_per_item": 10_001}, {"bytes_per_attempt": 99_999}, {"x": 1}],
)
def test_history_limits_are_bounded(history):
    assert Web().history.versions_per_item == 50 and Web().history.bytes_per_attempt == 2_000_000
    with pytest.raises(ValidationError):
        Web.model_validate({"history": history})


@pytest.mark.parametrize(
    "limits", [{"per_second": 0}, {"per_second": 1001}, {"burst": 0}, {"burst": 1.5}, {"burst": "20"}]
)
def test_save_limits_are_bounded(limits):
    assert Web().save_limits.per_second == 5 and Web().save_limits.burst == 20
    assert Web.model_validate({"save_limits": {"per_second": 2, "burst": 3}}).save_limits.per_second == 2.0
    with pytest.raises(ValidationError):
        Web.model_validate({"save_limits": limits})


# -- the limiter: a token bucket per attempt, bounded memory --------------------------------------------


def test_the_limiter_lets_a_burst_through_then_the_rate_and_says_how_long_to_wait():
    clock = FakeClock()
    limiter = SaveLimiter(per_second=5, burst=20, clock=clock)
    assert [limiter.wait(1) for _ in range(20)] == [0] * 20
    assert limiter.wait(1) == 1 and limiter.wait(1) == 1  # refused: nothing taken, still 1 s
    assert limiter.wait(2) == 0  # another attempt has its own bucket
    clock.now += 0.2  # one token back
    assert [limiter.wait(1) for _ in range(2)] == [0, 1]
    clock.now += 10  # full again, and no fuller than the burst
    assert [limiter.wait(1) for _ in range(21)] == [0] * 20 + [1]
    slow = SaveLimiter(per_second=0.25, burst=1, clock=clock)
    assert [slow.wait(7), slow.wait(7)] == [0, 4]  # whole seconds, rounded up


def test_the_limiter_forgets_full_buckets_and_holds_at_most_max_keys():
    clock = FakeClock()
    limiter = SaveLimiter(per_second=5, burst=20, clock=clock, max_keys=100)
    for attempt_id in range(1000):
        limiter.wait(attempt_id)
    assert len(limiter) == 100  # the least recently used went first
    clock.now += 4  # 20 / 5 s: every bucket is full again, the same as none
    limiter.wait(5000)
    assert len(limiter) == 1


# -- the app: 429 with Retry-After, for autosaves and posted pages ------------------------------------


@pytest.fixture
def sitting_in(marker_template, tmp_path):
    """The marker workspace (SQLite) with its pre-test open, a participant with an attempt, and the app's
    save limiter on a test clock: (ws, app, client, sitting, question numbers by type, clock)."""
    ws = open_workspace(copy_workspace(marker_template, tmp_path / "ws"))
    app = make_app(ws)
    clock = FakeClock()
    limits = ws.loaded.event.web.save_limits
    app.extensions["assess.save_limiter"] = SaveLimiter(limits.per_second, limits.burst, clock=clock)
    assert trainer_client(app).post("/trainer/phase/pre/open").status_code == 302
    code = ws.store.participants(ws.event_id)[0].access_code
    c = participant_client(app, code)
    c.get("/bahasa/en")
    assert c.post("/test/pre/start").status_code == 302
    s = sitting.sitting(ws, ws.store.person_by_code(ws.event_id, code), "pre")
    numbers = {item.type: n for n, item in enumerate(s.items, 1)}
    yield ws, app, c, s, numbers, clock
    ws.close()


def test_saves_beyond_the_rate_are_answered_429_with_retry_after_then_go_through(sitting_in):
    ws, app, c, s, numbers, clock = sitting_in
    n = numbers["short_answer"]
    item = s.item(n).id
    for seq in range(1, 21):  # the burst
        assert c.post(f"/test/pre/{n}/save", {"answer": f"jawaban {seq}", "seq": str(seq)}).status_code == 200
    refused = c.post(f"/test/pre/{n}/save", {"answer": "jawaban 21", "seq": "21"})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.get_json() == {"ok": False, "retry_after": 1}  # no error: the page waits and sends again
    # A page posted without JavaScript comes back with what was posted and the message.
    page = c.post(f"/test/pre/{n}", {"answer": "dari halaman", "go": "next"})
    assert page.status_code == 429 and page.headers["Retry-After"] == "1"
    body = page.get_data(as_text=True)
    assert "Answers were sent too quickly. Wait a moment, then press the button again." in body
    assert "dari halaman" in body
    assert ws.store.answers(s.attempt.id)[item] == "jawaban 20"
    # A refused answer is not counted: it stores nothing.
    assert c.post(f"/test/pre/{n}/save", {"answer": "x" * 2_001, "seq": "21"}).status_code == 422
    clock.now += 1  # the wait the server asked for: the same save, the same number, goes through
    again = c.post(f"/test/pre/{n}/save", {"answer": "jawaban 21", "seq": "21"})
    assert again.status_code == 200 and again.get_json()["seq"] == 21
    assert c.post(f"/test/pre/{n}", {"answer": "dari halaman", "go": "next"}).status_code == 302
    assert ws.store.answers(s.attempt.id)[item] == "dari halaman"


def test_the_save_limits_are_set_in_assessment_yaml(marker_template, tmp_path):
    folder = copy_workspace(marker_template, tmp_path / "ws")
    set_web(folder, "save_limits: {per_second: 0.5, burst: 2}", "history: {versions_per_item: 3}")
    ws = open_workspace(folder)
    limiter = make_app(ws).extensions["assess.save_limiter"]
    assert (limiter.per_second, limiter.burst) == (0.5, 2)
    assert ws.loaded.event.web.history.versions_per_item == 3
    ws.close()


def test_posted_pages_keep_three_versions_when_assessment_yaml_says_so(marker_template, tmp_path):
    folder = copy_workspace(marker_template, tmp_path / "ws")
    set_web(folder, "history: {versions_per_item: 3}")
    ws = open_workspace(folder)
    app = make_app(ws)
    assert trainer_client(app).post("/trainer/phase/pre/open").status_code == 302
    code = ws.store.participants(ws.event_id)[0].access_code
    c = participant_client(app, code)
    assert c.post("/test/pre/start").status_code == 302
    s = sitting.sitting(ws, ws.store.person_by_code(ws.event_id, code), "pre")
    n = next(k for k, item in enumerate(s.items, 1) if item.type == "essay")
    for text in ("satu", "dua", "dua", "tiga", "empat"):
        assert c.post(f"/test/pre/{n}", {"answer": text, "go": "stay"}).status_code == 302
    assert [h.value for h in ws.store.history(s.attempt.id)] == ["satu", "tiga", "empat"]
    ws.close()


# -- the proof ---------------------------------------------------------------------------------


def _database_bytes(db: Path) -> int:
    """The SQLite file's size once the WAL is checkpointed into it (and emptied)."""
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = db.with_name(db.name + "-wal")
    return db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def test_ten_seconds_of_the_largest_autosaves_grow_the_database_by_less_than_20_mb(sitting_in):
    ws, app, c, s, numbers, clock = sitting_in
    db = Path(sa.engine.make_url(ws.database_url).database)
    n = numbers["essay"]
    assert len(WORST) == ws.loaded.event.web.answer_limits.essay  # the longest essay taken
    before = _database_bytes(db)
    stored, refused, k = [], 0, 0
    for step in range(51):  # every 0.2 s of the limiter's clock for 10 s, saves until one is refused
        clock.now = 1000.0 + step * 0.2
        while True:
            k += 1
            text = f"{k:03d}" + WORST[3:]  # each one a change, so each one a new version
            # Multipart, which the server decodes faster than the page's urlencoded body: the same save.
            status = c.post(f"/test/pre/{n}/save", {"answer": text}, content_type=MULTIPART).status_code
            if status != 200:
                assert status == 429
                refused += 1
                break
            stored.append(text)
    growth = _database_bytes(db) - before
    assert 69 <= len(stored) <= 70 and refused == 51  # 20 at once, then 5 a second
    assert ws.store.answers(s.attempt.id)[s.item(n).id] == stored[-1]  # the latest, whole
    assert _history_size(ws.store, s.attempt.id) <= ws.loaded.event.web.history.bytes_per_attempt
    print(
        f"10 s of 20,000-character autosaves: {len(stored)} stored, the database grew {growth / 1e6:.2f} MB"
    )
    assert growth < 20_000_000
