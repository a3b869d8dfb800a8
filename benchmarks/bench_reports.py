"""Reports of 1,000 participants, from stored results to files on disk. Target: at most 5 s.

The worked example's event with 1,000 simulated participants, pre and post
scored, both phases closed (so that every participant report carries its
full item review: the heaviest case). Timed: opening the workspace (event
and banks), every query, the analysis and the rendering and writing of
index.html, cohort.html and the 1,000 participant reports (and items.html
when the item report is installed).
"""

from __future__ import annotations

import csv
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.people import synthetic_nip  # noqa: E402

PEOPLE = 1000
REPEAT = 3
UNITS = 40
GROUPS = 5


def write_people(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["NIP", "Nama", "Jabatan", "Unit Kerja", "Kecamatan", "Email"])
        for k in range(1, n + 1):
            w.writerow(
                [
                    synthetic_nip(k),
                    f"Peserta Uji {k:04d}",
                    "Lurah" if k % 10 else "Kasi Pemerintahan",
                    f"Kelurahan Uji {k % UNITS + 1:02d}",
                    f"Kecamatan Uji {k % GROUPS + 1}",
                    f"peserta{k:04d}@contoh.example",
                ]
            )


def build(folder: Path) -> None:
    from assess.store.engine import sqlite_url
    from assess.store.store import CLOSED
    from assess.workspace import Workspace, now
    from assess.workspace.participants import import_participants
    from assess.workspace.steps import build_phase_form, score_phase, simulate

    shutil.copy(ROOT / "examples" / "payakumbuh-2019" / "assessment.yaml", folder / "assessment.yaml")
    people = folder.parent / "peserta-1000.csv"
    write_people(people, PEOPLE)
    ws = Workspace(folder, sqlite_url(folder / "assess.db"))
    import_participants(ws, people)
    phases = [p.id for p in ws.loaded.event.phases]
    for phase in phases:
        build_phase_form(ws, phase, now())
    simulate(ws, 2019, now())
    for phase in phases:
        score_phase(ws, phase, now())
        ws.store.set_phase_state(ws.event_id, phase, CLOSED, now())
    ws.close()


def main() -> dict[str, float]:
    from assess.i18n import set_language
    from assess.reports.render import write_reports
    from assess.store.engine import sqlite_url
    from assess.workspace import Workspace

    set_language("id")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ws"
        folder.mkdir()
        start = time.perf_counter()
        build(folder)
        setup = time.perf_counter() - start
        times = []
        for n in range(REPEAT):
            start = time.perf_counter()
            ws = Workspace(folder, sqlite_url(folder / "assess.db"))
            index = write_reports(ws, Path(tmp) / f"laporan{n}")
            ws.close()
            times.append(time.perf_counter() - start)
        written = len(list((index.parent / "participants").glob("*.html")))
        size = sum(p.stat().st_size for p in index.parent.rglob("*.html")) / 1e6
    assert written == PEOPLE, written
    median = statistics.median(times)
    print(f"(setup: {PEOPLE} participants imported, simulated and scored in {setup:.1f} s, not timed)")
    print(
        f"reports of {PEOPLE} participants (open workspace, queries, analysis, rendering, {size:.0f} MB "
        f"written), median of {REPEAT}: {median:6.3f} s   target <= 5 s"
    )
    return {"reports_1000_s": median}


if __name__ == "__main__":
    main()
