"""The HR workspace (issue 19, point 1): `assess hr init`, which workspace, events added from backups and
from another database, idempotently, replaced by newer backups in one transaction, listed and removed."""

from __future__ import annotations

import json
import os
import stat
import zipfile

import pytest
import sqlalchemy as sa

from assess.store import dump
from assess.store import schema as t
from tests.hr_support import rewrite_archive
from tests.test_backup import rows_of

EVENT, OTHER = "payakumbuh-2019", "payakumbuh-2021"


def hr_rows(url: str) -> dict[str, list]:
    """Every row of every table of the HR database, the HR tables included (without their times)."""
    rows = rows_of(url)
    engine = sa.create_engine(url)
    with engine.connect() as c:
        for table in (t.hr_events, t.hr_people, t.hr_links):
            found = [dict(r._mapping) for r in c.execute(sa.select(table))]
            for row in found:
                row.pop("added_at", None)
                row.pop("created_at", None)
            rows[table.name] = sorted(found, key=repr)
    engine.dispose()
    return rows


def test_init_makes_a_private_hr_yaml_and_each_kind_of_workspace_refuses_the_other(run, tmp_path, hr, scored):
    assert (hr / "hr.yaml").is_file()
    if os.name == "posix":
        assert stat.S_IMODE((hr / "hr.yaml").stat().st_mode) == 0o600
    assert "database" not in (hr / "hr.yaml").read_text(encoding="utf-8").split("#")[0]
    again = run("hr", "init", str(hr), "--lang", "en")
    assert again.exit_code == 2 and "WORKSPACE-NOT-EMPTY" in again.stderr

    in_event = run("-w", str(scored), "hr", "events", "--lang", "en")
    assert in_event.exit_code == 2 and "HR-WORKSPACE-IS-EVENT" in in_event.stderr
    assert "assessment.yaml" in in_event.stderr and "hr.yaml" in in_event.stderr
    in_hr = run("-w", str(hr), "participants", "list", "--lang", "en")
    assert in_hr.exit_code == 2 and "WORKSPACE-IS-HR" in in_hr.stderr
    walked = run("hr", "events", "--lang", "en", cwd=scored)
    assert walked.exit_code == 2 and "HR-WORKSPACE-IS-EVENT" in walked.stderr
    (hr / "sub").mkdir()
    found = run("hr", "events", "--lang", "en", cwd=hr / "sub")
    assert found.exit_code == 0 and "No events yet" in found.stdout
    assert (hr / "hr.db").is_file()  # the default database, beside hr.yaml
    nowhere = run("hr", "events", "--lang", "en", cwd=tmp_path)
    assert nowhere.exit_code == 2 and "HR-WORKSPACE-NOT-FOUND" in nowhere.stderr


def test_a_bad_hr_yaml_is_located(run, hr):
    (hr / "hr.yaml").write_text("kind: hr\norganisation:\n  nama: BKPSDM\n", encoding="utf-8")
    result = run("-w", str(hr), "hr", "events", "--lang", "en")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "hr.yaml:3" in result.stderr and "nama" in result.stderr


def test_an_event_added_twice_changes_nothing(run, hr, event_backup, database_url):
    first = run("-w", str(hr), "--db", database_url, "hr", "add", str(event_backup), "--lang", "en")
    assert first.exit_code == 0, first.stderr
    assert f"Event {EVENT} added from" in first.stdout
    before = hr_rows(database_url)
    assert before["persons"] and before["attempts"] and before["results"]
    assert (
        len(before["hr_people"]) == len(before["persons"])
        and before["hr_events"][0]["starts_on"].year == 2019
    )
    again = run("-w", str(hr), "--db", database_url, "hr", "add", str(event_backup), "--lang", "en")
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    assert hr_rows(database_url) == before
    listed = run("-w", str(hr), "--db", database_url, "hr", "events", "--lang", "en")
    assert "2019-10-30..2019-10-31" in listed.stdout and "pre, post" in listed.stdout
    assert f"{len(before['persons'])}" in listed.stdout and "backup: payakumbuh-2019.zip" in listed.stdout


def test_people_are_joined_across_events_by_nip(run, hr_added, event_backup, tmp_path):
    hr = hr_added  # the 2019 backup added (a copy)

    def no_nip_for_p0003(table, row):
        return {**row, "nip": None} if table == "persons" and row["person_id"] == "P0003" else row

    later = rewrite_archive(
        event_backup,
        tmp_path / "2021.zip",
        event_id=OTHER,
        dates="[2021-03-01, 2021-03-02]",
        edit=no_nip_for_p0003,
    )
    assert run("-w", str(hr), "hr", "add", str(later)).exit_code == 0
    rows = hr_rows(f"sqlite:///{hr / 'hr.db'}")
    persons = [p for p in rows["persons"] if p["event_id"] == EVENT]
    assert all(p["nip"] for p in persons)
    # one person per NIP across both events; P0003 without one in 2021 is a person of their own there
    assert len(rows["hr_people"]) == len(persons) + 1
    links = {(r["event_id"], r["person_id"]): r for r in rows["hr_links"]}
    for p in persons:
        first, second = links[(EVENT, p["person_id"])], links[(OTHER, p["person_id"])]
        assert (first["hr_person_id"] == second["hr_person_id"]) == (p["person_id"] != "P0003")
        assert first["how"] == "nip" and second["how"] == ("own" if p["person_id"] == "P0003" else "nip")
    listed = run("-w", str(hr), "hr", "events", "--lang", "en").stdout
    assert listed.index(EVENT) < listed.index(OTHER) and "2021-03-01..2021-03-02" in listed


def test_a_newer_backup_replaces_the_event_and_an_older_one_is_refused(run, hr_added, event_backup, tmp_path):
    hr = hr_added  # the backup added (a copy)
    url = f"sqlite:///{hr / 'hr.db'}"
    dropped = {}

    def drop_one_result(table, row):
        if table == "results" and not dropped:
            dropped["attempt"] = row["attempt_id"]
            return None
        return row

    manifest = json.loads(zipfile.ZipFile(event_backup).read("manifest.json"))
    newer = rewrite_archive(
        event_backup, tmp_path / "newer.zip", created_at="2030-01-01T00:00:00Z", edit=drop_one_result
    )
    before = hr_rows(url)
    result = run("-w", str(hr), "hr", "add", str(newer), "--lang", "en")
    assert result.exit_code == 0 and f"Event {EVENT} replaced from" in result.stdout
    after = hr_rows(url)
    assert len(after["results"]) == len(before["results"]) - 1
    assert after["hr_people"] == before["hr_people"] and after["hr_links"] == before["hr_links"]
    assert rows_of(url, EVENT)["attempts"]  # the rest is there

    older = rewrite_archive(event_backup, tmp_path / "older.zip", created_at=manifest["created_at"])
    refused = run("-w", str(hr), "hr", "add", str(older), "--lang", "en")
    assert refused.exit_code == 2 and "HR-BACKUP-OLDER" in refused.stderr
    assert hr_rows(url) == after


def test_a_replacement_that_fails_midway_leaves_the_earlier_copy(
    run, hr_added, event_backup, tmp_path, monkeypatch
):
    hr = hr_added  # the backup added (a copy)
    url = f"sqlite:///{hr / 'hr.db'}"
    before = hr_rows(url)
    newer = rewrite_archive(
        event_backup,
        tmp_path / "newer.zip",
        created_at="2030-01-01T00:00:00Z",
        edit=lambda table, row: None if table == "essay_marks" else row,
    )
    real = dump.write_rows

    def write_then_fail(c, rows):
        real(c, rows)
        raise sa.exc.IntegrityError("INSERT", {}, Exception("disk full, as it were"))

    monkeypatch.setattr(dump, "write_rows", write_then_fail)
    result = run("-w", str(hr), "hr", "add", str(newer), "--lang", "en")
    assert result.exit_code == 2 and "disk full" in result.stderr
    assert hr_rows(url) == before


@pytest.mark.parametrize(
    "damage, code",
    [
        ("not-zip", "BACKUP-NOT-ZIP"),
        ("not-backup", "BACKUP-NOT-A-BACKUP"),
        ("newer-format", "BACKUP-FORMAT-UNKNOWN"),
        ("checksum", "BACKUP-CHECKSUM"),
    ],
)
def test_a_bad_backup_adds_nothing(run, hr, event_backup, tmp_path, damage, code):
    bad = tmp_path / "rusak.zip"
    if damage == "not-zip":
        bad.write_text("NIP,Nama\n", encoding="utf-8")
    else:
        with zipfile.ZipFile(event_backup) as z:
            members = {n: z.read(n) for n in z.namelist()}
        manifest = json.loads(members["manifest.json"])
        if damage == "not-backup":
            manifest["format"] = "something-else"
        elif damage == "newer-format":
            manifest["format_version"] = 99
        else:
            members["results.jsonl"] = members["results.jsonl"].replace(b'"points":', b'"points": ', 1)
        members["manifest.json"] = json.dumps(manifest).encode()
        with zipfile.ZipFile(bad, "w") as z:
            for name, data in members.items():
                z.writestr(name, data)
    result = run("-w", str(hr), "hr", "add", str(bad), "--lang", "en")
    assert result.exit_code == 2 and code in result.stderr and "Traceback" not in result.stderr
    empty = hr_rows(f"sqlite:///{hr / 'hr.db'}")
    assert not any(empty[name] for name in ("events", "persons", "hr_events", "hr_people"))


def test_an_event_from_another_database_has_the_backups_fingerprint(run, hr, event_backup, scored):
    source = f"sqlite:///{scored / 'assess.db'}"
    added = run("-w", str(hr), "hr", "add", "--from-db", source, "--event", EVENT, "--lang", "en")
    assert added.exit_code == 0 and f"Event {EVENT} added from" in added.stdout
    again = run(
        "-w", str(hr), "hr", "add", str(event_backup), "--lang", "en"
    )  # the same rows, by another way
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    listed = run("-w", str(hr), "hr", "events", "--lang", "en").stdout
    assert "database: sqlite:///" in listed
    missing = run("-w", str(hr), "hr", "add", "--from-db", source, "--event", "nope", "--lang", "en")
    assert missing.exit_code == 2 and "HR-SOURCE-NO-EVENT" in missing.stderr
    alone = run("-w", str(hr), "hr", "add", "--from-db", source, "--lang", "en")
    assert alone.exit_code == 2 and "--from-db and --event go together" in alone.stderr


def test_an_event_of_the_hr_database_itself_is_registered_and_removal_keeps_its_rows(run, hr, scored):
    url = f"sqlite:///{scored / 'assess.db'}"  # the trainer's database serves as HR's, as a shared PostgreSQL
    result = run("-w", str(hr), "--db", url, "hr", "add", "--from-db", url, "--event", EVENT, "--lang", "en")
    assert result.exit_code == 0, result.stderr
    attempts = len(rows_of(url, EVENT)["attempts"])
    assert "this database" in run("-w", str(hr), "--db", url, "hr", "events", "--lang", "en").stdout
    assert run("-w", str(hr), "--db", url, "hr", "remove", EVENT).exit_code == 0
    assert len(rows_of(url, EVENT)["attempts"]) == attempts
    assert not hr_rows(url)["hr_people"]


def test_remove_takes_the_event_and_the_people_seen_only_in_it(run, hr_added, event_backup, tmp_path):
    hr = hr_added  # the 2019 backup added (a copy)
    url = f"sqlite:///{hr / 'hr.db'}"
    only = rewrite_archive(
        event_backup,
        tmp_path / "2020.zip",
        event_id="payakumbuh-2020",
        edit=lambda table, row: {**row, "nip": None} if table == "persons" else row,
    )
    assert run("-w", str(hr), "hr", "add", str(only)).exit_code == 0
    people = len(hr_rows(url)["hr_people"])
    result = run("-w", str(hr), "hr", "remove", "payakumbuh-2020", "--lang", "en")
    assert result.exit_code == 0 and "removed" in result.stdout
    rows = hr_rows(url)
    assert not [r for r in rows["persons"] if r["event_id"] == "payakumbuh-2020"]
    assert len(rows["hr_people"]) == people - len(rows["persons"])  # the 2020 event's own people went
    unknown = run("-w", str(hr), "hr", "remove", "payakumbuh-2020", "--lang", "en")
    assert unknown.exit_code == 2 and "HR-EVENT-UNKNOWN" in unknown.stderr and EVENT in unknown.stderr


def test_a_backup_from_the_schema_before_the_hr_tables_is_added(run, hr, event_backup, tmp_path):
    """The HR tables changed no event table: an event_backup of revision 0007 holds the same rows."""
    same_rows = rewrite_archive(event_backup, tmp_path / "0007.zip", schema_revision="0007")
    assert run("-w", str(hr), "hr", "add", str(same_rows)).exit_code == 0
    before = rewrite_archive(event_backup, tmp_path / "0006.zip", event_id=OTHER, schema_revision="0006")
    refused = run("-w", str(hr), "hr", "add", str(before), "--lang", "en")
    assert refused.exit_code == 2 and "BACKUP-SCHEMA-OLDER" in refused.stderr
    missing = run(
        "-w", str(hr), "hr", "add", "--from-db", f"sqlite:///{tmp_path / 'none.db'}", "--event", EVENT
    )
    assert missing.exit_code == 2 and not (tmp_path / "none.db").exists()


def test_a_backup_never_replaces_an_event_registered_from_the_hr_database_itself(
    run, hr, scored, event_backup
):
    url = f"sqlite:///{scored / 'assess.db'}"
    assert run("-w", str(hr), "--db", url, "hr", "add", "--from-db", url, "--event", EVENT).exit_code == 0
    before = rows_of(url, EVENT)
    refused = run("-w", str(hr), "--db", url, "hr", "add", str(event_backup), "--lang", "en")
    if refused.exit_code == 0:  # the very same rows: nothing to replace
        assert "nothing changed" in refused.stdout
    else:
        assert refused.exit_code == 2 and "HR-EVENT-HERE" in refused.stderr
    assert rows_of(url, EVENT) == before


def test_an_event_without_its_file_lists_its_tests_in_the_order_taken(run, hr, scored):
    """Read from a database, an event has no assessment.yaml: its phases come in the order taken (ties,
    as when forms are built and tests simulated in one second, pre before post), so its gain is post
    minus pre."""
    result = run(
        "-w", str(hr), "hr", "add", "--from-db", f"sqlite:///{scored / 'assess.db'}", "--event", EVENT
    )
    assert result.exit_code == 0
    assert "pre, post" in run("-w", str(hr), "hr", "events", "--lang", "en").stdout


@pytest.mark.parametrize(
    "url", ["not-a-url", "mysql://u@h/db", "README"], ids=["malformed", "no-driver", "not-a-database"]
)
def test_a_source_that_is_no_readable_database_is_said(run, hr, url):
    if url == "README":
        (hr / "README").write_text("bukan basis data\n" * 100, encoding="utf-8")
        url = f"sqlite:///{hr / 'README'}"
    result = run("-w", str(hr), "hr", "add", "--from-db", url, "--event", EVENT, "--lang", "en")
    assert (
        result.exit_code == 2 and "HR-SOURCE-UNREADABLE" in result.stderr and "Traceback" not in result.stderr
    )
