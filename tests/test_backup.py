"""`assess db backup` and `assess db restore`: one event's rows, on SQLite and PostgreSQL.

The source is the worked example after participants import, form build,
simulate and score, with a phase opened and closed, a reopened attempt (and a
save on it), an essay mark and a correction of the form. Every comparison reads the databases directly, every row of every
table, with the renumbered ids replaced by what they point at.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from assess.store import dump
from assess.store.store import Store
from assess.workspace.backup import read_backup
from tests.conftest import Run

EVENT = "payakumbuh-2019"
OTHER = "lain-2020"
NOW = dt.datetime(2019, 10, 31, 3, 0)


def sqlite(folder: Path) -> str:
    return f"sqlite:///{folder / 'assess.db'}"


def workspace(run, folder: Path, event_id: str = EVENT) -> Path:
    assert run("init", "--example", "payakumbuh-2019", str(folder)).exit_code == 0
    if event_id != EVENT:
        event_file = folder / "assessment.yaml"
        text = event_file.read_text(encoding="utf-8")
        event_file.write_text(text.replace(f"id: {EVENT}", f"id: {event_id}", 1), encoding="utf-8")
    return folder


def populate(run, folder: Path, url: str) -> None:
    """Participants, both forms, a simulated cohort and its results, as a trainer would."""
    for args in (
        ("participants", "import", str(folder / "peserta.csv")),
        ("form", "build", "--phase", "pre"),
        ("form", "build", "--phase", "post"),
        ("simulate",),
        ("score",),
    ):
        result = run("-w", str(folder), "--db", url, *args)
        assert result.exit_code == 0, result.stderr


def fresh_postgres(url: str) -> str:
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The worked example on SQLite with a reopened attempt, a save on it and an essay mark."""
    run = Run()
    folder = workspace(run, tmp_path_factory.mktemp("source") / "ws")
    populate(run, folder, sqlite(folder))
    store = Store.open(sqlite(folder))
    store.set_phase_state(EVENT, "pre", "open", NOW - dt.timedelta(days=1))
    store.set_phase_state(EVENT, "pre", "closed", NOW - dt.timedelta(hours=23))
    post = store.attempts(EVENT, "post")
    reopened = store.reopen(post[0].id, reason="ponsel mati", actor="pelatih", now=NOW)
    item = next(iter(store.answers(reopened.id)))
    store.save_answer(reopened.id, item, None, seq=None, channel="web", now=NOW)
    store.set_mark(store.attempts(EVENT, "pre")[1].id, item, "baik", "pelatih", NOW)
    store.add_adjustment(EVENT, "post", item, "drop", None, "soal rusak", "cli:pelatih", NOW)
    store.add_adjustment(EVENT, "post", item, "undo", 1, "ternyata tidak", "cli:pelatih", NOW)  # as scored
    store.close()
    return folder


@pytest.fixture(scope="module")
def archive(source, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("archive") / "cadangan.zip"
    result = Run()("-w", str(source), "db", "backup", str(path), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert f"Event {EVENT} written to {path}:" in result.stdout
    return path


# -- reading databases -----------------------------------------------------------------


def rows_of(url: str, event_id: str | None = None) -> dict[str, list[dict]]:
    """Every row of every table (of one event, or of all), in primary-key order."""
    engine = sa.create_engine(url)
    out = {}
    with engine.connect() as c:
        for table in dump.TABLES:
            query = sa.select(table)
            if event_id is not None:
                query = query.where(dump.event_column(table) == event_id)
            out[table.name] = sorted((dict(r._mapping) for r in c.execute(query)), key=dump.sort_key(table))
    engine.dispose()
    return out


def canonical(url: str, event_id: str = EVENT) -> dict[str, list]:
    """The event's rows with every autoincrement id replaced by what it identifies.

    An attempt becomes (person, phase, n): its person's n-th attempt on the
    phase; the answer history and the audit log keep their order, not their ids.
    """
    rows = rows_of(url, event_id)
    seen: dict[tuple, int] = {}
    key = {}
    for a in rows["attempts"]:
        n = seen[(a["person_id"], a["phase_id"])] = seen.get((a["person_id"], a["phase_id"]), 0) + 1
        key[a["id"]] = (a["person_id"], a["phase_id"], n)
    out = {}
    for name, found in rows.items():
        fixed = []
        for row in found:
            row = dict(row)
            if name in dump.AUTO_IDS:
                row["id"] = key[row["id"]] if name == "attempts" else None
            for column in dump.ATTEMPT_REFERENCES.get(name, ()):
                row[column] = key.get(row[column])
            if name == "audit_log":
                row["details"] = {
                    k: key.get(v, v) if k in ("attempt", "new") else v for k, v in row["details"].items()
                }
            fixed.append(row)
        out[name] = fixed if name in ("answer_history", "audit_log") else sorted(fixed, key=repr)
    return out


def answers_by_person(url: str) -> dict[tuple, object]:
    store = Store.open(url)
    attempts = {a.id: a for a in store.attempts(EVENT)}
    answers = store.answers_of(list(attempts))
    out = {
        (a.person_id, a.phase_id, a.status, item): value
        for a_id, a in attempts.items()
        for item, value in answers[a_id].items()
    }
    store.close()
    return out


def results_by_person(url: str) -> dict[tuple, tuple]:
    store = Store.open(url)
    out = {
        (r.person_id, r.phase_id): (r.points, r.band, store.attempt(r.attempt_id).person_id)
        for r in store.results(EVENT)
    }
    store.close()
    return out


def restore(run, folder: Path, url: str, path: Path):
    return run("-w", str(folder), "--db", url, "db", "restore", str(path), "--lang", "en")


def backup(run, folder: Path, url: str, path: Path):
    return run("-w", str(folder), "--db", url, "db", "backup", str(path), "--lang", "en")


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


# -- the round trip ------------------------------------------------------------------------


def test_round_trip_sqlite_postgresql_sqlite_loses_nothing(source, archive, postgres_url, tmp_path, run):
    pg = fresh_postgres(postgres_url)
    expected = canonical(sqlite(source))
    assert all(expected.values())  # every table has rows to lose
    assert len(expected["attempts"]) == 105
    assert any(m["marker"] == "pelatih" and m["level_id"] == "baik" for m in expected["essay_marks"])
    assert any(a["status"] == "superseded" for a in expected["attempts"])

    into_pg = workspace(run, tmp_path / "pg")
    result = restore(run, into_pg, pg, archive)
    assert result.exit_code == 0, result.stderr
    assert f"Event {EVENT} restored from {archive}:" in result.stdout
    assert canonical(pg) == expected
    assert answers_by_person(pg) == answers_by_person(sqlite(source))
    assert results_by_person(pg) == results_by_person(sqlite(source))

    again = tmp_path / "dari-pg.zip"
    assert backup(run, into_pg, pg, again).exit_code == 0
    sqlite_members, pg_members = members(archive), members(again)
    manifest = json.loads(pg_members.pop("manifest.json"))
    del sqlite_members["manifest.json"]
    assert pg_members == sqlite_members  # the same bytes from either backend
    assert manifest["source"] == "postgresql" and manifest["schema_revision"] == dump.schema_head()

    back = workspace(run, tmp_path / "kembali")
    result = restore(run, back, sqlite(back), again)
    assert result.exit_code == 0, result.stderr
    assert "renumbered" not in result.stdout
    assert canonical(sqlite(back)) == expected
    assert rows_of(sqlite(back)) == rows_of(sqlite(source))  # into an empty database: even the ids

    # PostgreSQL's sequences lie past the restored ids: the next inserts succeed.
    store = Store.open(pg)
    newest = max(store.attempts(EVENT), key=lambda a: a.id)
    reopened = store.reopen(store.attempts(EVENT, "pre")[0].id, reason="uji", actor="pelatih", now=NOW)
    store.save_answer(
        reopened.id, next(iter(store.answers(reopened.id))), None, seq=None, channel="web", now=NOW
    )
    assert reopened.id > newest.id
    store.close()

    # The restored workspace works on: scoring again gives the same results (the reopened
    # attempt, in progress again, has none until it is submitted).
    assert run("-w", str(back), "score").exit_code == 0
    rescored, stored = results_by_person(sqlite(back)), results_by_person(sqlite(source))
    assert rescored == {k: v for k, v in stored.items() if k != ("P0001", "post")}


# -- a database shared by several events ---------------------------------------------------------


@pytest.fixture
def shared(database_url, tmp_path, run) -> str:
    """A database already holding another event, whose ids collide with the archive's."""
    populate(run, workspace(run, tmp_path / "lain", OTHER), database_url)
    return database_url


def test_restore_beside_another_event_renumbers_ids_and_leaves_it_untouched(
    source, archive, shared, tmp_path, run
):
    other_before = rows_of(shared, OTHER)
    taken = {a["id"] for a in other_before["attempts"]}
    assert taken & {a["id"] for a in rows_of(sqlite(source), EVENT)["attempts"]}  # they would collide

    folder = workspace(run, tmp_path / "ws")
    result = restore(run, folder, shared, archive)
    assert result.exit_code == 0, result.stderr
    assert "Ids renumbered" in result.stdout and "attempts, answer_history, audit_log" in result.stdout
    assert rows_of(shared, OTHER) == other_before
    assert canonical(shared) == canonical(sqlite(source))
    assert answers_by_person(shared) == answers_by_person(sqlite(source))
    assert results_by_person(shared) == results_by_person(sqlite(source))
    restored = rows_of(shared, EVENT)
    assert not taken & {a["id"] for a in restored["attempts"]}
    reopen = next(r for r in restored["audit_log"] if r["action"] == "attempt.reopen")
    superseded = next(a for a in restored["attempts"] if a["status"] == "superseded")
    assert reopen["details"]["attempt"] == superseded["id"]  # the audit's reference followed the attempt

    store = Store.open(shared)  # the next inserts of either event do not collide
    for event_id in (EVENT, OTHER):
        attempt = store.reopen(store.attempts(event_id, "pre")[0].id, reason="uji", actor="pelatih", now=NOW)
        store.save_answer(
            attempt.id, next(iter(store.answers(attempt.id))), None, seq=None, channel="web", now=NOW
        )
    store.close()


def test_a_backup_from_a_shared_database_holds_only_its_event(source, archive, shared, tmp_path, run):
    folder = workspace(run, tmp_path / "ws")
    assert restore(run, folder, shared, archive).exit_code == 0
    path = tmp_path / "satu.zip"
    assert backup(run, folder, shared, path).exit_code == 0
    rows = read_backup(path).rows
    assert all(r[dump.event_column(t).name] == EVENT for t in dump.TABLES for r in rows[t.name])
    expected = rows_of(sqlite(source), EVENT)
    assert {n: len(r) for n, r in rows.items()} == {n: len(r) for n, r in expected.items()}

    other = tmp_path / "lain.zip"
    assert backup(run, tmp_path / "lain", shared, other).exit_code == 0
    rows = read_backup(other).rows
    assert {r["event_id"] for r in rows["attempts"]} == {OTHER}
    assert len(rows["attempts"]) == 104


def test_a_backup_reads_one_snapshot_while_the_server_writes(
    source, archive, database_url, tmp_path, run, monkeypatch
):
    folder = workspace(run, tmp_path / "ws")
    if database_url.startswith("sqlite"):
        shutil.copy(source / "assess.db", database_url.removeprefix("sqlite:///"))
    else:
        assert restore(run, folder, database_url, archive).exit_code == 0
    written = []

    class WriteMidway(tuple):
        """The tables, with a write committed by another connection once the backup has begun reading."""

        def __iter__(self):
            for n, table in enumerate(tuple.__iter__(self)):
                if n == 8 and not written:
                    store = Store.open(database_url)  # a writer beside the backup, as the server is
                    attempt = store.reopen(
                        store.attempts(EVENT, "pre")[0].id, reason="uji", actor="x", now=NOW
                    )
                    written.append(attempt.id)
                    store.close()
                yield table

    monkeypatch.setattr(dump, "TABLES", WriteMidway(dump.TABLES))
    path = tmp_path / "saat-berjalan.zip"
    assert backup(run, folder, database_url, path).exit_code == 0
    assert written  # the writer was not held up by the backup
    rows = read_backup(path).rows
    before = rows_of(sqlite(source), EVENT)
    assert len(rows["attempts"]) == len(before["attempts"])  # the attempt came after the snapshot
    assert len(rows["responses"]) == len(before["responses"])  # ... and so did its carried answers
    assert len(rows["audit_log"]) == len(before["audit_log"])
    assert len(rows_of(database_url, EVENT)["attempts"]) == len(before["attempts"]) + 1


# -- refusals: nothing written -------------------------------------------------------------------


@pytest.fixture
def target(database_url) -> str:
    """A database holding a small other event, to show that a refusal changes nothing."""
    store = Store.open(database_url)
    store.ensure_event(OTHER, "Lain", "Asia/Jakarta", NOW)
    store.add_participants(
        OTHER, [{"person_id": "P0001", "name": "Sari", "access_code": "AAAA-BBBB"}], {}, {}
    )
    store.close()
    return database_url


def rebuild(src: Path, dst: Path, edit, fix_checksums: bool = True) -> Path:
    """A copy of the archive with `edit(manifest, members)` applied, checksums and counts made to match."""
    found = members(src)
    manifest = json.loads(found.pop("manifest.json"))
    edit(manifest, found)
    if fix_checksums:
        for entry in manifest["tables"].values():
            data = found.get(entry["member"])
            if data is not None:
                entry["sha256"] = hashlib.sha256(data).hexdigest()
                entry["rows"] = data.count(b"\n")
    with zipfile.ZipFile(dst, "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))
        for name, data in found.items():
            z.writestr(name, data)
    return dst


def edit_line(member: str, n: int, change):
    def edit(manifest, found):
        lines = found[member].decode().splitlines()
        row = json.loads(lines[n])
        change(row)
        lines[n] = json.dumps(row)
        found[member] = ("\n".join(lines) + "\n").encode()

    return edit


def _flip_byte(manifest, found):
    data = bytearray(found["responses.jsonl"])
    data[100] = ord("X") if data[100] != ord("X") else ord("Y")
    found["responses.jsonl"] = bytes(data)


DAMAGE = {
    "not-a-zip": ("BACKUP-NOT-ZIP", None),
    "crc": ("BACKUP-MEMBER-UNREADABLE", None),
    "truncated": ("BACKUP-NOT-ZIP", None),
    "manifest-missing": ("BACKUP-MEMBER-MISSING", lambda m, f: None),
    "member-missing": ("BACKUP-MEMBER-MISSING", lambda m, f: f.pop("attempts.jsonl")),
    "checksum": ("BACKUP-CHECKSUM", _flip_byte),
    "format-version": ("BACKUP-FORMAT-UNKNOWN", lambda m, f: m.update(format_version=3)),
    "newer-schema": ("BACKUP-SCHEMA-NEWER", lambda m, f: m.update(schema_revision="9999_future")),
    "not-a-backup": ("BACKUP-NOT-A-BACKUP", lambda m, f: m.update(format="something-else")),
    "count": ("BACKUP-COUNT-MISMATCH", None),
    "bad-datetime": ("FIELD-TYPE", edit_line("attempts.jsonl", 2, lambda r: r.update(started_at="kemarin"))),
    "other-event": (
        "BACKUP-ROW-OTHER-EVENT",
        edit_line("persons.jsonl", 0, lambda r: r.update(event_id=OTHER)),
    ),
    "dangling-attempt": (
        "BACKUP-REFERENCE-MISSING",
        edit_line("results.jsonl", 0, lambda r: r.update(attempt_id=999)),
    ),
}


def _crc_damaged(archive: Path, path: Path) -> None:
    """A stored (uncompressed) copy with one byte of a member changed behind the zip's CRC."""
    found = members(archive)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in found.items():
            z.writestr(name, data)
    raw = bytearray(path.read_bytes())
    at = raw.index(found["responses.jsonl"][:60]) + 30
    raw[at] = ord("X") if raw[at] != ord("X") else ord("Y")
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_archive_is_refused_and_nothing_is_written(damage, archive, target, tmp_path, run):
    code, edit = DAMAGE[damage]
    path = tmp_path / "rusak.zip"
    if damage == "not-a-zip":
        path.write_text("bukan zip", encoding="utf-8")
    elif damage == "crc":
        _crc_damaged(archive, path)
    elif damage == "truncated":
        path.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    elif damage == "manifest-missing":
        with zipfile.ZipFile(path, "w") as z:
            for name, data in members(archive).items():
                if name != "manifest.json":
                    z.writestr(name, data)
    elif damage == "count":
        rebuild(archive, path, lambda m, f: m["tables"]["results"].update(rows=3), fix_checksums=False)
    else:
        rebuild(archive, path, edit, fix_checksums=damage != "checksum")
    before = rows_of(target)
    result = restore(run, workspace(run, tmp_path / "ws"), target, path)
    assert result.exit_code == 2, result.stdout
    assert code in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert rows_of(target) == before


def test_a_row_problem_is_located_by_member_line_and_column(archive, tmp_path, run):
    path = rebuild(
        archive,
        tmp_path / "baris.zip",
        edit_line("attempts.jsonl", 2, lambda r: r.update(started_at="kemarin")),
    )
    folder = workspace(run, tmp_path / "ws")
    result = restore(run, folder, sqlite(folder), path)
    assert result.exit_code == 2
    assert f"{path}:attempts.jsonl:3: FIELD-TYPE: started_at: expected a date and time" in result.stderr
    assert not (folder / "assess.db").exists()  # the database was not even created


def test_a_member_full_of_problems_shows_the_first_ones_and_counts_the_rest(archive, tmp_path, run):
    def every_line(manifest, found):
        rows = [json.loads(line) for line in found["attempts.jsonl"].splitlines()]
        found["attempts.jsonl"] = "".join(json.dumps({**r, "status": 1}) + "\n" for r in rows).encode()

    path = rebuild(archive, tmp_path / "banyak.zip", every_line)
    folder = workspace(run, tmp_path / "ws")
    result = restore(run, folder, sqlite(folder), path)
    assert result.exit_code == 2
    assert result.stderr.count("FIELD-TYPE") == 20
    assert f"{path}:attempts.jsonl: BACKUP-MORE-PROBLEMS: 85 more problems" in result.stderr


def test_a_refusal_by_the_database_midway_rolls_everything_back(archive, target, tmp_path, run):
    def duplicate_result(manifest, found):  # passes every check of the archive; the database refuses it
        lines = found["results.jsonl"].decode().splitlines()
        found["results.jsonl"] = ("\n".join([*lines, lines[0]]) + "\n").encode()

    path = rebuild(archive, tmp_path / "ganda.zip", duplicate_result)
    before = rows_of(target)
    result = restore(run, workspace(run, tmp_path / "ws"), target, path)
    assert result.exit_code == 2 and "BACKUP-RESTORE-FAILED" in result.stderr
    assert rows_of(target) == before  # attempts, answers... written before the results: all rolled back


def test_restore_refuses_a_database_that_holds_the_event(archive, target, tmp_path, run):
    folder = workspace(run, tmp_path / "ws")
    assert restore(run, folder, target, archive).exit_code == 0
    before = rows_of(target)
    result = restore(run, folder, target, archive)
    assert result.exit_code == 2 and "BACKUP-EVENT-EXISTS" in result.stderr
    assert rows_of(target) == before


def test_restore_into_a_freshly_opened_workspace_replaces_its_bare_event(archive, target, tmp_path, run):
    folder = workspace(run, tmp_path / "ws")
    assert run("-w", str(folder), "--db", target, "score").exit_code == 0  # opening it adds the event
    result = restore(run, folder, target, archive)
    assert result.exit_code == 0, result.stderr
    assert len(rows_of(target, EVENT)["attempts"]) == 105


def test_restore_refuses_another_events_workspace(archive, target, tmp_path, run):
    folder = workspace(run, tmp_path / "lain", OTHER)
    before = rows_of(target)
    result = restore(run, folder, target, archive)
    assert result.exit_code == 2
    assert "BACKUP-EVENT-MISMATCH" in result.stderr and f"'{EVENT}'" in result.stderr
    assert str(folder / "assessment.yaml") in result.stderr
    assert rows_of(target) == before


# -- writing the archive ------------------------------------------------------------------------


def test_backup_never_replaces_a_file_unless_forced(source, tmp_path, run):
    path = tmp_path / "ada.zip"
    path.write_text("cadangan lama", encoding="utf-8")
    result = backup(run, source, sqlite(source), path)
    assert result.exit_code == 2 and "BACKUP-FILE-EXISTS" in result.stderr
    assert path.read_text(encoding="utf-8") == "cadangan lama"
    assert run("-w", str(source), "db", "backup", str(path), "--force").exit_code == 0
    assert read_backup(path).event_id == EVENT
    assert [p.name for p in tmp_path.iterdir()] == ["ada.zip"]  # no temporary file left behind


def test_backup_into_a_missing_folder_is_a_located_error(source, tmp_path, run):
    path = tmp_path / "tidak-ada" / "cadangan.zip"
    result = backup(run, source, sqlite(source), path)
    assert result.exit_code == 2 and f"{path}: BACKUP-UNWRITABLE" in result.stderr


def test_the_manifest_describes_every_member(archive):
    found = members(archive)
    manifest = json.loads(found["manifest.json"])
    assert manifest["format_version"] == 2 and manifest["event_id"] == EVENT
    assert manifest["schema_revision"] == dump.schema_head() and manifest["created_at"].endswith("Z")
    assert list(manifest["tables"]) == [t.name for t in dump.TABLES]
    for entry in manifest["tables"].values():
        data = found[entry["member"]]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert data.count(b"\n") == entry["rows"]
    first = json.loads(found["attempts.jsonl"].splitlines()[0])
    assert isinstance(first["personal_order"], dict)  # JSON columns as JSON
    assert dt.datetime.fromisoformat(first["started_at"])  # datetimes as ISO text


def test_help_points_whole_database_backups_to_pg_dump(run):
    for command in ("backup", "restore"):
        result = run("db", command, "--help", "--lang", "en")
        assert result.exit_code == 0 and "pg_dump" in result.stdout
