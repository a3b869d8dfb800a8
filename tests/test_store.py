"""The store on SQLite and PostgreSQL: migrations, people, forms, the attempt lifecycle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from assess.event.file import build_forms, load_event
from assess.store.migrate import NewerDatabase
from assess.store.store import (
    CLOSED,
    EXPIRED,
    IN_PROGRESS,
    NOT_OPEN,
    OPEN,
    SUBMITTED,
    SUPERSEDED,
    AttemptClosed,
    PhaseStanding,
    Store,
    StoreError,
)

ROOT = Path(__file__).resolve().parents[1]
T0 = dt.datetime(2019, 10, 30, 1, 0)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(scope="module")
def forms():
    return build_forms(load_event(ROOT / "examples" / "payakumbuh-2019" / "assessment.yaml"))


@pytest.fixture
def store(database_url, forms):
    s = Store.open(database_url)
    s.ensure_event("payakumbuh-2019", "Uji", "Asia/Jakarta", T0)
    s.add_participants(
        "payakumbuh-2019",
        [
            {
                "person_id": "P001",
                "name": "Budi",
                "nip": "198001012005011001",
                "access_code": "AAAA-BBBB",
                "unit_code": "u1",
                "group_code": "g1",
                "position": "Lurah",
            },
            {
                "person_id": "P002",
                "name": "Sari",
                "nip": None,
                "access_code": "CCCC-DDDD",
                "unit_code": "u1",
                "group_code": "g1",
                "position": "Kasi Pemerintahan",
            },
        ],
        units={"u1": "Kelurahan Contoh"},
        groups={"g1": "Kecamatan Contoh"},
    )
    for form in forms.values():
        s.save_form(form, T0)
    yield s
    s.close()


def start(store, person="P001", phase="pre", now=T0, limit=dt.timedelta(minutes=40)):
    store.set_phase_state("payakumbuh-2019", phase, OPEN, now)
    return store.start_attempt(
        "payakumbuh-2019",
        person,
        phase,
        channel="web",
        now=now,
        personal_order={"items": []},
        time_limit=limit,
        grace=MINUTE,
    )


def test_migrations_bring_a_new_database_to_the_schema(store):
    tables = set(sa.inspect(store.engine).get_table_names())
    assert {
        "events",
        "persons",
        "participations",
        "forms",
        "attempts",
        "responses",
        "answer_history",
        "essay_marks",
        "results",
        "audit_log",
        "alembic_version",
    } <= tables


def test_the_migrations_build_exactly_the_tables_the_code_declares(store):
    """A column or index added to schema.py without a migration (or the other way round) shows here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from assess.store.schema import metadata

    with store.engine.connect() as c:
        differences = compare_metadata(MigrationContext.configure(c), metadata)
    assert differences == []


def test_a_database_from_a_newer_version_is_refused(database_url):
    Store.open(database_url).close()
    engine = sa.create_engine(database_url)
    with engine.begin() as c:
        c.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(NewerDatabase):
        Store.open(database_url)


def test_people_and_codes(store):
    people = store.participants("payakumbuh-2019")
    assert [p.person_id for p in people] == ["P001", "P002"]
    assert people[1].nip is None and people[0].unit_code == "u1"
    assert store.person_by_code("payakumbuh-2019", "CCCC-DDDD") == "P002"
    assert store.person_by_code("payakumbuh-2019", "nope") is None


def test_the_stored_form_is_the_snapshot(store, forms):
    assert store.form("payakumbuh-2019", "pre") == forms["pre"]


def test_a_phase_must_be_open(store):
    with pytest.raises(StoreError) as e:
        store.start_attempt("payakumbuh-2019", "P001", "pre", channel="web", now=T0, personal_order={})
    assert e.value.code == "STORE-PHASE-NOT-OPEN"


def test_saves_are_ordered_and_idempotent(store):
    attempt = start(store)
    first = store.save_answer(attempt.id, "i1", "a", seq=None, channel="web", now=T0)
    assert (first.seq, first.changed, first.next_seq) == (1, True, 2)  # the server numbered it
    assert store.save_answer(attempt.id, "i1", "b", seq=5, channel="web", now=T0).changed
    stale = store.save_answer(
        attempt.id, "i1", "c", seq=3, channel="web", now=T0
    )  # an older save arriving late
    repeat = store.save_answer(attempt.id, "i1", "b", seq=5, channel="web", now=T0)  # a browser's retry
    assert not stale.changed and not repeat.changed and repeat.next_seq == 6
    assert store.answers(attempt.id) == {"i1": "b"}
    assert [(h.seq, h.value) for h in store.history(attempt.id)] == [(1, "a"), (5, "b")]
    # Blank is an answer too, and JSON values survive both backends.
    store.save_answer(attempt.id, "i2", {"p1": "c1"}, seq=None, channel="web", now=T0)
    store.save_answer(attempt.id, "i3", None, seq=None, channel="web", now=T0)
    assert store.answers(attempt.id) == {"i1": "b", "i2": {"p1": "c1"}, "i3": None}


def test_a_reload_or_second_phone_continues_the_attempt(store):
    attempt = start(store)
    store.save_answer(attempt.id, "i1", "a", seq=None, channel="web", now=T0)
    again = start(store, now=T0 + MINUTE)
    assert again.id == attempt.id and again.next_seq == 2


def test_submitting_twice_is_harmless_and_a_submitted_attempt_never_changes(store):
    attempt = start(store)
    store.save_answer(attempt.id, "i1", "a", seq=None, channel="web", now=T0)
    assert store.submit(attempt.id, T0 + MINUTE).status == SUBMITTED
    assert store.submit(attempt.id, T0 + 2 * MINUTE).finished_at == T0 + MINUTE
    with pytest.raises(AttemptClosed):
        store.save_answer(attempt.id, "i1", "b", seq=None, channel="web", now=T0 + 2 * MINUTE)
    with pytest.raises(AttemptClosed):
        start(store, now=T0 + 3 * MINUTE)
    assert store.answers(attempt.id) == {"i1": "a"}


def test_the_deadline_is_enforced_on_the_next_request(store):
    attempt = start(store, limit=dt.timedelta(minutes=10))
    store.save_answer(
        attempt.id, "i1", "a", seq=None, channel="web", now=T0 + 11 * MINUTE, grace=MINUTE
    )  # in grace
    with pytest.raises(AttemptClosed) as e:
        store.save_answer(attempt.id, "i1", "b", seq=None, channel="web", now=T0 + 12 * MINUTE, grace=MINUTE)
    assert e.value.params["status"] == EXPIRED
    expired = store.attempt(attempt.id)
    assert expired.status == EXPIRED and expired.finished_at == T0 + 10 * MINUTE  # the expiry stuck
    assert store.answers(attempt.id) == {"i1": "a"}  # it keeps what it had


def test_expire_due_and_closing_a_phase(store):
    a = start(store, "P001", limit=dt.timedelta(minutes=5))
    b = start(store, "P002", limit=None)
    assert store.expire_due("payakumbuh-2019", "pre", T0 + 7 * MINUTE, MINUTE) == 1
    assert store.attempt(a.id).status == EXPIRED and store.attempt(b.id).status == IN_PROGRESS
    store.set_phase_state("payakumbuh-2019", "pre", CLOSED, T0 + 8 * MINUTE)
    assert store.attempt(b.id).status == EXPIRED


def test_reopen_supersedes_and_carries_the_answers_forward(store):
    attempt = start(store)
    store.save_answer(attempt.id, "i1", "a", seq=None, channel="web", now=T0)
    store.submit(attempt.id, T0 + MINUTE)
    new = store.reopen(
        attempt.id,
        reason="ponsel mati",
        actor="pelatih",
        now=T0 + 2 * MINUTE,
        time_limit=dt.timedelta(minutes=10),
    )
    old = store.attempt(attempt.id)
    assert old.status == SUPERSEDED and new.status == IN_PROGRESS and new.supersedes == attempt.id
    assert store.answers(new.id) == {"i1": "a"} and store.answers(attempt.id) == {"i1": "a"}
    assert new.next_seq == old.next_seq
    assert store.current_attempt("payakumbuh-2019", "P001", "pre").id == new.id
    entry = store.audit_log("payakumbuh-2019")[-1]
    assert entry.action == "attempt.reopen" and entry.details["reason"] == "ponsel mati"


def test_a_form_cannot_be_rebuilt_once_attempts_exist(store, forms):
    store.save_form(forms["pre"], T0)  # no attempt yet: fine
    start(store)
    with pytest.raises(StoreError) as e:
        store.save_form(forms["pre"], T0)
    assert e.value.code == "STORE-FORM-IN-USE"


def test_events_do_not_see_each_others_rows(store, forms):
    store.ensure_event("lain", "Kegiatan lain", "Asia/Jakarta", T0)
    store.add_participants(
        "lain", [{"person_id": "P001", "name": "Orang lain", "access_code": "AAAA-BBBB"}], {}, {}
    )
    assert [p.name for p in store.participants("lain")] == ["Orang lain"]
    assert store.person_by_code("lain", "AAAA-BBBB") == "P001"
    assert [p.name for p in store.participants("payakumbuh-2019")] == ["Budi", "Sari"]


def test_a_late_start_records_the_expiry(store):
    attempt = start(store, limit=dt.timedelta(minutes=5))
    with pytest.raises(AttemptClosed):
        store.start_attempt(
            "payakumbuh-2019",
            "P001",
            "pre",
            channel="web",
            now=T0 + 10 * MINUTE,
            personal_order={},
            grace=MINUTE,
        )
    late = store.attempt(attempt.id)
    assert late.status == EXPIRED and late.finished_at == T0 + 5 * MINUTE


def test_only_a_finished_attempt_can_be_reopened(store):
    attempt = start(store)
    with pytest.raises(StoreError) as e:
        store.reopen(attempt.id, reason="x", actor="pelatih", now=T0)
    assert e.value.code == "STORE-ATTEMPT-OPEN"


def test_closing_a_phase_ends_an_overdue_attempt_at_its_deadline(store):
    attempt = start(store, limit=dt.timedelta(minutes=5))
    store.set_phase_state("payakumbuh-2019", "pre", CLOSED, T0 + 30 * MINUTE)
    assert store.attempt(attempt.id).finished_at == T0 + 5 * MINUTE


def test_extending_moves_the_deadline_and_is_audit_logged(store):
    attempt = start(store, limit=dt.timedelta(minutes=10))
    longer = store.extend(attempt.id, 5, actor="pelatih", now=T0 + 9 * MINUTE, grace=MINUTE)
    assert longer.deadline == attempt.deadline + 5 * MINUTE
    # Saving at minute 14 would have been too late without the extension.
    store.save_answer(
        attempt.id, "i1", "a", seq=None, channel="web", now=T0 + 14 * MINUTE, grace=dt.timedelta(0)
    )
    entry = store.audit_log("payakumbuh-2019")[-1]
    assert entry.action == "attempt.extend" and entry.details == {"attempt": attempt.id, "minutes": 5}
    untimed = start(store, "P002", limit=None)
    assert store.extend(untimed.id, 5, actor="pelatih", now=T0).deadline is None


def test_an_attempt_that_has_run_out_is_not_extended(store):
    attempt = start(store, limit=dt.timedelta(minutes=10))
    with pytest.raises(AttemptClosed):
        store.extend(attempt.id, 5, actor="pelatih", now=T0 + 12 * MINUTE, grace=MINUTE)
    assert store.attempt(attempt.id).status == EXPIRED  # the expiry found on the way stuck


def test_expire_if_due_ends_an_overdue_attempt_and_leaves_others(store):
    attempt = start(store, limit=dt.timedelta(minutes=10))
    assert store.expire_if_due(attempt.id, T0 + 10 * MINUTE, MINUTE).status == IN_PROGRESS
    ended = store.expire_if_due(attempt.id, T0 + 12 * MINUTE, MINUTE)
    assert ended.status == EXPIRED and ended.finished_at == attempt.deadline


def test_the_lobby_reads_every_phase_at_once_and_a_result_by_its_key(store, forms):
    """`standings`: each phase's state, form hash and the person's live attempt (a superseded one is
    not); `form_hash` and `has_result` are key lookups that read no form and no result rows."""
    ev = "payakumbuh-2019"
    assert set(forms) == {"pre", "post"}
    assert store.form_hash(ev, "pre") == forms["pre"].hash and store.form_hash(ev, "tengah") is None
    nothing = {p: PhaseStanding(NOT_OPEN, forms[p].hash, None) for p in forms}
    assert store.standings(ev, "P001") == nothing
    first = start(store)
    store.submit(first.id, T0 + MINUTE)
    assert store.standings(ev, "P001")["pre"] == PhaseStanding(OPEN, forms["pre"].hash, SUBMITTED)
    again = store.reopen(first.id, reason="ponsel mati", actor="pelatih", now=T0 + 2 * MINUTE)
    store.set_phase_state(ev, "post", CLOSED, T0 + 3 * MINUTE)
    assert store.standings(ev, "P001") == {
        "pre": PhaseStanding(OPEN, forms["pre"].hash, IN_PROGRESS),  # the reopened one, not the superseded
        "post": PhaseStanding(CLOSED, forms["post"].hash, None),
    }
    assert store.standings(ev, "P002")["pre"].attempt is None  # nobody else's attempt
    assert store.standings("lain", "P001") == {}  # another event: nothing
    # A result, by person: none until the phase is scored, then only for the person scored.
    assert not store.has_result(ev, "P001") and not store.has_result(ev, "P002")
    store.submit(again.id, T0 + 4 * MINUTE)
    row = {
        "attempt_id": again.id,
        "person_id": "P001",
        "points": 1.0,
        "max_points": 2.0,
        "percentage": 50.0,
        "band": "cukup",
        "passed": None,
        "provisional": False,
        "competencies": {},
        "items": {},
        "scored_at": T0 + 5 * MINUTE,
    }
    store.replace_results(ev, "pre", [row])
    assert store.has_result(ev, "P001") and not store.has_result(ev, "P002")
    assert not store.has_result("lain", "P001")


def test_the_lobby_poll_does_not_wait_for_a_writer(store):
    """A lobby poll is one SELECT: on SQLite it takes no write lock, so a transaction that is writing
    (a save waiting for its fsync, a phase closing) does not hold up every waiting phone."""
    import threading

    answered = []
    with store.engine.begin() as writing:
        writing.execute(
            sa.text("UPDATE events SET title = :t WHERE id = :e"), {"t": "Uji lagi", "e": "payakumbuh-2019"}
        )
        poll = threading.Thread(
            target=lambda: answered.append(store.standings("payakumbuh-2019", "P001")), daemon=True
        )
        poll.start()
        poll.join(timeout=5)  # a poll that waited for the write lock would wait for the busy timeout (30 s)
        assert answered and answered[0]["pre"].state == NOT_OPEN


def test_saves_from_many_threads_at_once_all_land(store):
    """Every save reads, then writes, in one transaction: on SQLite it begins IMMEDIATE (on the driver's
    connection, store/engine.py), or concurrent writers fail with "database is locked"."""
    import threading

    attempts = [start(store, person).id for person in ("P001", "P002")]
    failures, saves = [], 40

    def save_all(attempt_id: int, thread: int) -> None:
        for n in range(saves):
            try:
                store.save_answer(
                    attempt_id, f"t{thread}-{n % 5}", f"jawaban {n}", seq=n + 1, channel="web", now=T0
                )
            except Exception as e:  # noqa: BLE001 - every failure is the finding
                failures.append(repr(e))

    threads = [threading.Thread(target=save_all, args=(attempts[k % 2], k)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    stored = [store.answers(a) for a in attempts]
    assert sum(len(answers) for answers in stored) == 6 * 5
    assert all(value == f"jawaban {saves - 5 + int(item[-1])}" for a in stored for item, value in a.items())


def test_a_write_lock_not_had_is_raised_as_sqlalchemys_error(tmp_path):
    """The immediate BEGIN runs on the driver's connection; its failure is still SQLAlchemy's
    OperationalError, which the command line answers with exit status 3."""
    import sqlite3

    store = Store.open(f"sqlite:///{tmp_path / 'assess.db'}")
    holder = sqlite3.connect(tmp_path / "assess.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, and not letting go
    try:
        with store.engine.connect() as c:
            c.connection.driver_connection.execute("PRAGMA busy_timeout=0")  # not the 30 s of a real one
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                c.begin()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()
