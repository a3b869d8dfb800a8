"""`assess participants remove --with-attempts` (issue 15, point 4): a participant who took a test is
kept in the database and its backups, and left out of results, statistics, exports, the dashboard and
the reports."""

from __future__ import annotations

import json
import zipfile

from assess.i18n import set_language
from assess.reports.render import write_reports
from assess.workspace import Workspace
from tests.web_support import Client, make_app, trainer_client

GONE = "P0001"


def test_a_participant_removed_with_attempts_is_kept_but_left_out_of_every_summary(scored, tmp_path, run):
    folder = scored
    w = ("-w", str(folder), "--lang", "en")
    refused = run(*w, "participants", "remove", GONE)
    assert refused.exit_code == 2 and "--with-attempts" in refused.stderr
    ws = Workspace(folder, f"sqlite:///{folder / 'assess.db'}")
    name = next(p.name for p in ws.store.participants(ws.event_id) if p.person_id == GONE)
    code = next(p.access_code for p in ws.store.participants(ws.event_id) if p.person_id == GONE)
    ws.close()
    assert run(*w, "participants", "remove", GONE, "--with-attempts").exit_code == 0
    again = run(*w, "participants", "remove", GONE, "--with-attempts")
    assert again.exit_code == 2 and "STORE-NO-PARTICIPANT" in again.stderr
    assert run(*w, "score").exit_code == 0  # scoring again keeps them out too

    listed = run(*w, "participants", "list", "--json")
    assert GONE not in {p["ID"] for p in json.loads(listed.stdout)}
    export = tmp_path / "hasil.csv"
    assert run(*w, "export", "--format", "csv-wide", "--out", str(export)).exit_code == 0
    with export.open(encoding="utf-8-sig") as f:
        assert GONE not in f.read()
    ws = Workspace(folder, f"sqlite:///{folder / 'assess.db'}")
    try:
        assert len(ws.store.results(ws.event_id, "pre")) == 51
        assert GONE in {p.person_id for p in ws.store.participants(ws.event_id, with_removed=True)}
        assert ws.store.person_by_code(ws.event_id, code) is None  # the code no longer joins
        out = folder / "laporan"
        set_language("en")
        write_reports(ws, out)
        assert not (out / "participants" / f"{GONE}.html").exists()
        assert name not in (out / "index.html").read_text(encoding="utf-8")
        assert name not in (out / "cohort.html").read_text(encoding="utf-8")
        assert "51 participants" in (out / "items.html").read_text(encoding="utf-8")
        page = trainer_client(make_app(ws)).get("/trainer/?phase=pre").get_data(as_text=True)
        assert name not in page
        assert Client(make_app(ws), "127.0.7.1").post("/join", {"code": code}).status_code in (400, 302)
    finally:
        ws.close()
    archive = tmp_path / "cadangan.zip"
    assert run(*w, "db", "backup", str(archive)).exit_code == 0
    with zipfile.ZipFile(archive) as z:
        rows = [json.loads(line) for line in z.read("participations.jsonl").decode().splitlines()]
    assert next(r for r in rows if r["person_id"] == GONE)["removed_at"] is not None  # kept, with when
    restored = tmp_path / "pulih"
    assert run("db", "restore", str(archive), str(restored)).exit_code == 0
    back = Workspace(restored, f"sqlite:///{restored / 'assess.db'}")
    try:
        assert GONE not in {p.person_id for p in back.store.participants(back.event_id)}
        assert len(back.store.results(back.event_id, "pre")) == 51
    finally:
        back.close()
