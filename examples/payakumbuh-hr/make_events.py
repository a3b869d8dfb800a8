"""Make the HR example's event backups (kegiatan/*.zip) from sumber/: run once by a maintainer, and again
when the events' rows change schema (a backup of an older schema revision is then refused). Not run
by `assess hr init --example`, which adds the backups made here.

Each event of sumber/ (assessment.yaml and peserta.csv) is built as a trainer would: participants
imported, forms built, every participant's pre- and post-test simulated on the event's days, scored,
then backed up. The same simulation seed for every event keeps each item's difficulty from event to
event. The backups keep assessment.yaml and leave out the banks' files (HR reads the rows and the
event file only), so that each is tens of kilobytes.

    .venv/bin/python examples/payakumbuh-hr/make_events.py
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
import zipfile
from pathlib import Path

from assess.store.engine import sqlite_url
from assess.workspace import Workspace
from assess.workspace.backup import backup_event
from assess.workspace.demo import run_demo

HERE = Path(__file__).resolve().parent
SEED = 2019  # one simulation seed: each item as hard in every event


def make(event: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / event.name
        shutil.copytree(event, folder)
        ws = Workspace(folder, sqlite_url(folder / "assess.db"))
        first_day = ws.loaded.event.event.dates[0]
        when = dt.datetime.combine(first_day, dt.time(2, 0))  # 09:00 WIB, in UTC
        run_demo(ws, folder, SEED, when)
        archive = Path(tmp) / "full.zip"
        backup_event(ws.store, ws.event_id, archive, workspace=ws)
        ws.close()
        _without_banks(archive, out)


def _without_banks(source: Path, target: Path) -> None:
    """The backup with its assessment.yaml and without the files its event loaded."""
    with zipfile.ZipFile(source) as z:
        manifest = json.loads(z.read("manifest.json"))
        loaded = {e["member"] for e in manifest["files"]["loaded"]}
        members = {n: z.read(n) for n in z.namelist() if n != "manifest.json" and n not in loaded}
    manifest["files"]["loaded"] = []
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        for name, data in members.items():
            z.writestr(name, data)
    print(target.name, target.stat().st_size, hashlib.sha256(target.read_bytes()).hexdigest()[:12])


if __name__ == "__main__":
    for event in sorted((HERE / "sumber").iterdir()):
        make(event, HERE / "kegiatan" / f"{event.name}.zip")
