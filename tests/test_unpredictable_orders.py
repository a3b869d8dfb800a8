"""Unpredictable orders (issue 14, point 7): personal orders and default seeds keyed by the event's secret.

The person id is readable in a participant's session cookie, so an order derived from it alone
could be recomputed by the participant (and by a neighbour). The event's "orders" secret, kept in
the database and carried by backups, keys both the participant's order and a phase's default seed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from assess.delivery.screen import sitting
from assess.event.file import build_forms, load_event
from assess.forms import Form, ItemOrder, make_order, personal_order, phase_seed
from assess.seeded import Stream
from assess.store import dump
from assess.store import schema as t
from assess.store.hr import HR_TABLES
from assess.store.store import Store
from assess.workspace import Workspace
from assess.workspace.backup import read_backup
from assess.workspace.steps import build_phase_form

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "payakumbuh-2019" / "assessment.yaml"
EVENT = "payakumbuh-2019"
NOW = dt.datetime(2019, 10, 30, 1, 0)
PEOPLE = ("P0001", "P0002", "P0003")


def sqlite(folder: Path) -> str:
    return f"sqlite:///{folder / 'assess.db'}"


def without_seeds(folder: Path) -> Path:
    """The example's assessment.yaml with its phases' `seed:` lines taken out."""
    path = folder / "assessment.yaml"
    text, n = re.subn(r"^    seed: \d+\n", "", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert n == 2
    path.write_text(text, encoding="utf-8")
    return folder


def example(run, folder: Path, *, seeds: bool = True) -> Path:
    assert run("init", "--example", EVENT, str(folder)).exit_code == 0
    return folder if seeds else without_seeds(folder)


def open_ws(folder: Path) -> Workspace:
    return Workspace(folder, sqlite(folder))


def old_order(form: Form, person_id: str) -> ItemOrder:
    """The derivation before event secrets: from the form's seed and the bare person id."""
    return make_order(
        form.items,
        Stream(form.seed, "participant", person_id),
        shuffle_items=form.shuffle_items,
        shuffle_options=form.shuffle_options,
    )


def secret_rows(url: str) -> list[dict]:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        rows = [dict(r._mapping) for r in c.execute(sa.select(t.event_secrets))]
    engine.dispose()
    return rows


# -- the secret in the store -------------------------------------------------------------------


def test_the_event_gets_its_secret_when_it_is_first_stored(database_url):
    store = Store.open(database_url)
    try:
        store.ensure_event(EVENT, "Uji", "Asia/Jakarta", NOW)
        [row] = secret_rows(database_url)
        assert (row["event_id"], row["purpose"], row["created_at"]) == (EVENT, "orders", NOW)
        assert re.fullmatch(r"[0-9a-f]{64}", row["secret"])
        assert store.event_secret(EVENT) == bytes.fromhex(row["secret"])
        store.ensure_event(EVENT, "Judul baru", "Asia/Jakarta")  # an update makes no new secret
        assert secret_rows(database_url) == [row]

        store.ensure_event("lain", "Lain", "Asia/Jakarta", NOW)  # each event its own
        assert store.event_secret("lain") != store.event_secret(EVENT)

        with store.engine.begin() as c:  # an event stored before secrets existed: one on first use
            c.execute(t.event_secrets.delete().where(t.event_secrets.c.event_id == "lain"))
        made = store.event_secret("lain")
        assert len(made) == 32 and store.event_secret("lain") == made
        with pytest.raises(sa.exc.IntegrityError):
            store.event_secret("tidak-ada")  # no event, no secret
    finally:
        store.close()


# -- default seeds and personal orders ---------------------------------------------------------------


def test_two_workspaces_without_seeds_draw_different_seeds_and_orders(tmp_path, run):
    forms, orders = [], []
    for name in ("satu", "dua"):
        ws = open_ws(example(run, tmp_path / name, seeds=False))
        try:
            form = build_phase_form(ws, "pre", NOW)
            forms.append(form)
            orders.append([personal_order(form, p, ws.orders_secret()) for p in PEOPLE])
            assert ws.store.form(EVENT, "pre") == form and form.personal_key == "keyed"
        finally:
            ws.close()
    one, two = forms
    assert one.seed != two.seed
    assert phase_seed(EVENT, "pre") not in (one.seed, two.seed)  # not computable from the ids
    assert [i.id for i in one.items] != [i.id for i in two.items]
    for mine, theirs in zip(*orders, strict=True):
        assert mine.items != theirs.items


def test_the_example_keeps_its_seeds_so_the_demo_is_reproducible(tmp_path, run):
    ws = open_ws(example(run, tmp_path / "ws"))
    try:
        stored = {phase: build_phase_form(ws, phase, NOW) for phase in ("pre", "post")}
    finally:
        ws.close()
    drawn = build_forms(load_event(EXAMPLE))
    for phase, form in stored.items():
        assert form.seed == load_event(EXAMPLE).event.phase(phase).seed  # the seeds it writes
        assert form.items == drawn[phase].items and form.variants == drawn[phase].variants
        assert form.personal_key == "keyed" and drawn[phase].personal_key == "person-id"


def test_a_personal_order_cannot_be_computed_from_what_the_participant_sees(tmp_path, run):
    folder = example(run, tmp_path / "ws")  # even with the seed written in assessment.yaml
    for args in (
        ("participants", "import", str(folder / "peserta.csv")),
        ("form", "build", "--phase", "pre"),
    ):
        assert run("-w", str(folder), *args).exit_code == 0
    ws = open_ws(folder)
    try:
        ws.store.set_phase_state(EVENT, "pre", "open", NOW)
        form = ws.form("pre")
        secret = ws.orders_secret()
        for person_id in PEOPLE:
            attempt = sitting.start(ws, person_id, "pre", NOW)
            stored = ItemOrder.model_validate(attempt.personal_order)
            assert stored == personal_order(form, person_id, secret)
            assert stored.items != old_order(form, person_id).items
            assert sorted(stored.items) == sorted(i.id for i in form.items)
        with pytest.raises(ValueError):
            personal_order(form, "P0001")  # a keyed form has no order without the secret
    finally:
        ws.close()


def test_a_form_built_before_keeps_its_order_and_hash(tmp_path, run):
    """A snapshot stored before `personal_key` existed loads, verifies and orders as it did."""
    built = build_forms(load_event(EXAMPLE))["pre"]  # no secret: ordered by the bare person id
    snapshot = json.loads(built.model_dump_json())
    snapshot.pop("personal_key")  # as the version before wrote it
    folder = example(run, tmp_path / "ws")
    assert run("-w", str(folder), "participants", "import", str(folder / "peserta.csv")).exit_code == 0
    ws = open_ws(folder)
    try:
        with ws.store.engine.begin() as c:
            c.execute(
                t.forms.insert().values(
                    event_id=EVENT,
                    phase_id="pre",
                    hash=built.hash,
                    snapshot=json.dumps(snapshot),
                    built_at=NOW,
                )
            )
        old = ws.store.form(EVENT, "pre")  # the hash is checked on reading
        assert old.hash == built.hash == old.content_hash() and old.personal_key == "person-id"
        ws.store.set_phase_state(EVENT, "pre", "open", NOW)
        for person_id in PEOPLE:
            attempt = sitting.start(ws, person_id, "pre", NOW)
            assert attempt.form_hash == built.hash
            assert ItemOrder.model_validate(attempt.personal_order) == old_order(old, person_id)
    finally:
        ws.close()


# -- backups carry the secret, never the sessions ------------------------------------------------------


def add_session(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(
            t.web_sessions.insert().values(
                token_hash="a" * 64,
                event_id=EVENT,
                kind="participant",
                person_id="P0001",
                created_at=NOW,
                last_seen=NOW,
                address="192.168.1.20",
                device="Mozilla/5.0",
            )
        )
    engine.dispose()


def session_count(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        n = c.execute(sa.select(sa.func.count()).select_from(t.web_sessions)).scalar()
    engine.dispose()
    return n


def test_backup_and_restore_carry_the_secret_and_no_sessions(tmp_path, run):
    source = example(run, tmp_path / "sumber", seeds=False)
    for args in (
        ("participants", "import", str(source / "peserta.csv")),
        ("form", "build", "--phase", "pre"),
    ):
        assert run("-w", str(source), *args).exit_code == 0
    add_session(sqlite(source))
    [secret] = secret_rows(sqlite(source))

    path = tmp_path / "cadangan.zip"
    assert run("-w", str(source), "db", "backup", str(path)).exit_code == 0
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
    assert "event_secrets.jsonl" in names and "web_sessions.jsonl" not in names
    assert manifest["tables"]["event_secrets"]["rows"] == 1 and "web_sessions" not in manifest["tables"]
    assert read_backup(path).rows["event_secrets"] == [secret]
    assert t.web_sessions not in dump.TABLES and t.web_sessions in dump.NEVER_BACKED_UP

    target = example(run, tmp_path / "tujuan", seeds=False)
    assert run("-w", str(target), "score").exit_code == 0  # opening it makes the event and its own secret
    [own] = secret_rows(sqlite(target))
    assert own["secret"] != secret["secret"]
    result = run("-w", str(target), "db", "restore", str(path), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert secret_rows(sqlite(target)) == [secret]  # the archive's secret replaced the bare event's
    assert session_count(sqlite(target)) == 0 and session_count(sqlite(source)) == 1

    before, after = open_ws(source), open_ws(target)  # the restored event orders everyone as before
    try:
        assert after.orders_secret() == before.orders_secret()
        form = after.form("pre")
        assert form == before.form("pre")
        for person_id in PEOPLE:
            assert personal_order(form, person_id, after.orders_secret()) == personal_order(
                form, person_id, before.orders_secret()
            )
    finally:
        before.close()
        after.close()


def test_every_table_is_backed_up_or_left_out_on_purpose():
    backed_up = {table.name for table in dump.TABLES}
    left_out = {table.name for table in dump.NEVER_BACKED_UP}
    hr = {table.name for table in HR_TABLES}  # the HR database's own (assess hr), never an event's
    assert left_out == {"web_sessions", "web_tries"} and not backed_up & left_out and not hr & backed_up
    assert backed_up | left_out | hr == set(t.metadata.tables)


def test_an_archive_carrying_sessions_is_refused(tmp_path, run):
    source = example(run, tmp_path / "sumber")
    assert run("-w", str(source), "form", "build", "--phase", "pre").exit_code == 0
    path = tmp_path / "cadangan.zip"
    assert run("-w", str(source), "db", "backup", str(path)).exit_code == 0
    with zipfile.ZipFile(path) as z:
        found = {name: z.read(name) for name in z.namelist()}
    row = {
        "token_hash": "b" * 64,
        "event_id": EVENT,
        "kind": "trainer",
        "person_id": None,
        "created_at": NOW.isoformat(),
        "last_seen": NOW.isoformat(),
        "address": "127.0.0.1",
        "device": "x",
        "ended_at": None,
        "ended_why": None,
    }
    found["web_sessions.jsonl"] = (json.dumps(row) + "\n").encode()
    manifest = json.loads(found.pop("manifest.json"))
    manifest["tables"]["web_sessions"] = {"member": "web_sessions.jsonl", "rows": 1, "sha256": "0" * 64}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))
        for name, data in found.items():
            z.writestr(name, data)
    target = example(run, tmp_path / "tujuan")
    result = run("-w", str(target), "db", "restore", str(path), "--lang", "en")
    assert result.exit_code == 2 and "BACKUP-TABLE-UNKNOWN" in result.stderr
    assert not (target / "assess.db").exists()


# -- assess event check ----------------------------------------------------------------------------


EXAMPLE_NOTE = "only an example"


def check_hashes(result) -> dict[str, str]:
    # 1: another draw may carry a reported competency on too few items (a warning); the forms are printed.
    assert result.exit_code in (0, 1), result.stderr
    return dict(re.findall(r"phase (\w+): .*, hash ([0-9a-f]{12})", result.stdout))


def test_event_check_outside_a_workspace_says_the_draw_is_an_example(tmp_path, run, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("event", "check", str(EXAMPLE), "--lang", "en")
    assert check_hashes(result).keys() == {"pre", "post"}
    assert result.stdout.count(EXAMPLE_NOTE) == 1
    assert not (EXAMPLE.parent / "assess.db").exists()  # nothing made beside a bare file
    indonesian = run("event", "check", str(EXAMPLE))
    assert indonesian.exit_code == 0 and EXAMPLE_NOTE not in indonesian.stdout


def test_event_check_inside_a_workspace_draws_with_its_secret(tmp_path, run, monkeypatch):
    checked = {}
    for name in ("satu", "dua"):
        folder = example(run, tmp_path / name, seeds=False)
        monkeypatch.chdir(folder)
        result = run("event", "check", "--lang", "en")  # the workspace's own assessment.yaml
        assert EXAMPLE_NOTE not in result.stdout
        checked[name] = check_hashes(result)
        by_name = run("-w", str(folder), "event", "check", str(folder / "assessment.yaml"), "--lang", "en")
        assert check_hashes(by_name) == checked[name] and EXAMPLE_NOTE not in by_name.stdout
        assert run("form", "build", "--phase", "pre").exit_code == 0
        store = Store.open(sqlite(folder))
        try:
            assert store.form(EVENT, "pre").hash[:12] == checked[name]["pre"]  # what form build stores
        finally:
            store.close()
    assert checked["satu"]["pre"] != checked["dua"]["pre"]  # each workspace its own draw

    monkeypatch.chdir(tmp_path)
    outside = run("event", "check", str(tmp_path / "satu" / "assessment.yaml"), "--lang", "en")
    assert EXAMPLE_NOTE in outside.stdout and check_hashes(outside)["pre"] != checked["satu"]["pre"]
