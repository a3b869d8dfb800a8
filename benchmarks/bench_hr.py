"""The HR database at scale (issue 19, point 10): a synthetic history of events, each with a pre- and a
post-test of 30 items drawn from a pool, written straight into an HR database (the rows a backup
carries), then timed: adding one more event from its backup, a calibration over everything, and the
whole HR report; with the peak memory of each step.

    python benchmarks/bench_hr.py                 # the short form: 3 years x 10 events x 50 people
    python benchmarks/bench_hr.py --scale full    # 10 years x 100 events x 50: 50,000 participations,
                                                  # 30,000 people, 1,500 items, 3 million answers
    python benchmarks/bench_hr.py --db postgresql+psycopg://...   # on PostgreSQL (a fresh database)

Targets (full scale): adding one event <= 1 s; calibration <= 30 s; the HR report <= 120 s; memory
<= 2 GB. Each timing is the median of --repeat runs of the step (the history is made once).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assess.forms import Form
from assess.hr import HrWorkspace, create_hr_workspace
from assess.hr.calibration import calibrate
from assess.hr.events import add_backup, fingerprint
from assess.hr.site import write_hr_report
from assess.store import dump
from assess.store import hr as hr_store
from assess.store.engine import sqlite_url
from assess.workspace.backup import FORMAT, FORMAT_VERSION, member_bytes

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "examples" / "payakumbuh-hr" / "kegiatan" / "payakumbuh-2019.zip"
SCALES = {
    "tiny": {"years": 2, "per_year": 2, "people": 200, "items": 90},  # the suite's short form
    "small": {"years": 3, "per_year": 10, "people": 1_000, "items": 300},
    "medium": {"years": 2, "per_year": 50, "people": 3_000, "items": 600},
    "full": {"years": 10, "per_year": 100, "people": 30_000, "items": 1_500},
}
PARTICIPANTS, FORM_ITEMS, SHARED = 50, 30, 10  # per event; items per test; pre items kept in the post-test
REPEAT = 3  # a later calibration is timed REPEAT - 1 times, after the first


def _template_item():
    with zipfile.ZipFile(TEMPLATE) as z:
        row = json.loads(z.read("forms.jsonl").decode().splitlines()[0])
    form = Form.model_validate_json(row["snapshot"])
    item = next(i for i in form.items if i.type == "single_choice")
    return form, item


class History:
    """The synthetic organisation: people with abilities, items with difficulties, events drawing them."""

    def __init__(self, scale: dict, seed: int = 19):
        self.rng = np.random.default_rng(seed)
        self.scale = scale
        self.form, item = _template_item()
        self.items = [
            item.model_copy(update={"id": f"b{k:04d}", "stem": f"{item.stem} (b{k:04d})"})
            for k in range(scale["items"])
        ]
        self.difficulty = self.rng.normal(0, 1, scale["items"])
        self.ability = self.rng.normal(0, 1, scale["people"])
        self.order = self.rng.permutation(scale["people"])
        self.key = item.key

    def nip(self, person: int) -> str:
        born = dt.date(1965, 1, 1) + dt.timedelta(days=person % 12_000)
        # one NIP per person: the birth date and the serial number together tell 12 million apart
        serial = 1 + person // 12_000
        return f"{born:%Y%m%d}{2000 + person % 20}{1 + person % 12:02d}{1 + person % 2}{serial:03d}"

    def event_rows(self, number: int, day: dt.date) -> tuple[str, dict]:
        s, rng = self.scale, self.rng
        event_id = f"bench-{number:05d}"
        # the participations in turn over everyone, shuffled: at full scale each of the 30,000 people
        # takes part once or twice (a scale's participations fewer than its people: some never)
        people = [int(self.order[(number * PARTICIPANTS + k) % s["people"]]) for k in range(PARTICIPANTS)]
        window = (number * 11) % s["items"]
        pool = [(window + k) % s["items"] for k in range(2 * FORM_ITEMS)]
        pre = pool[:FORM_ITEMS]
        post = pre[:SHARED] + pool[FORM_ITEMS : 2 * FORM_ITEMS - SHARED]
        when = dt.datetime.combine(day, dt.time(2, 0))
        rows: dict[str, list[dict]] = {t.name: [] for t in dump.TABLES}
        rows["events"].append(
            {"id": event_id, "title": f"Pelatihan {number}", "time_zone": "Asia/Jakarta", "created_at": when}
        )
        units = sorted({f"kel-{p % 500}" for p in people})
        rows["units"] = [{"event_id": event_id, "code": u, "name": f"Kelurahan {u[4:]}"} for u in units]
        rows["groups"] = [
            {"event_id": event_id, "code": f"kec-{g}", "name": f"Kecamatan {g}"} for g in range(5)
        ]
        for k, p in enumerate(people):
            pid = f"P{k + 1:04d}"
            rows["persons"].append(
                {
                    "event_id": event_id,
                    "person_id": pid,
                    "name": f"Pegawai {p}",
                    "nip": self.nip(p),
                    "email": None,
                }
            )
            rows["participations"].append(
                {
                    "event_id": event_id,
                    "person_id": pid,
                    "position": "Lurah",
                    "unit_code": f"kel-{p % 500}",
                    "group_code": f"kec-{p % 5}",
                    "access_code": f"C{number}-{k}",
                    "agency": "Pemerintah Kota Contoh",
                    "removed_at": None,
                }
            )
        attempt = 0
        for phase, chosen, learned in (("pre", pre, 0.0), ("post", post, 0.6)):
            form = self._form(event_id, phase, chosen)
            rows["phases"].append(
                {
                    "event_id": event_id,
                    "phase_id": phase,
                    "state": "closed",
                    "opened_at": when,
                    "closed_at": when,
                }
            )
            rows["forms"].append(
                {
                    "event_id": event_id,
                    "phase_id": phase,
                    "hash": form.hash,
                    "snapshot": form.model_dump_json(),
                    "built_at": when,
                }
            )
            logits = self.ability[people][:, None] + learned - self.difficulty[chosen][None, :]
            right = rng.random(logits.shape) < 1 / (1 + np.exp(-logits))
            for k, _p in enumerate(people):
                attempt += 1
                pid = f"P{k + 1:04d}"
                rows["attempts"].append(
                    {
                        "id": attempt,
                        "event_id": event_id,
                        "person_id": pid,
                        "phase_id": phase,
                        "form_hash": form.hash,
                        "personal_order": {"items": [f"b{i:04d}" for i in chosen]},
                        "variant": None,
                        "status": "submitted",
                        "channel": "web",
                        "started_at": when,
                        "deadline": None,
                        "finished_at": when,
                        "supersedes": None,
                        "next_seq": FORM_ITEMS + 1,
                        "history_bytes": 0,
                    }
                )
                marks = {}
                for j, i in enumerate(chosen):
                    item_id = f"b{i:04d}"
                    value = self.key if right[k, j] else "z"
                    rows["responses"].append(
                        {
                            "event_id": event_id,
                            "attempt_id": attempt,
                            "item_id": item_id,
                            "value": value,
                            "seq": j + 1,
                            "saved_at": when,
                            "channel": "web",
                            "versions": 0,
                        }
                    )
                    marks[item_id] = {
                        "points": float(right[k, j]),
                        "max": 1.0,
                        "blank": False,
                        "pending": False,
                    }
                points = float(right[k].sum())
                rows["results"].append(
                    {
                        "event_id": event_id,
                        "attempt_id": attempt,
                        "phase_id": phase,
                        "person_id": pid,
                        "points": points,
                        "max_points": float(FORM_ITEMS),
                        "percentage": 100 * points / FORM_ITEMS,
                        "band": "-",
                        "passed": None,
                        "provisional": False,
                        "competencies": {},
                        "items": marks,
                        "scored_at": when,
                    }
                )
        return event_id, rows

    def _form(self, event_id: str, phase: str, chosen: list[int]) -> Form:
        items = [self.items[i] for i in chosen]
        ids = [i.id for i in items]
        draft = self.form.model_copy(
            update={
                "event": event_id,
                "phase": phase,
                "items": items,
                "banks": dict.fromkeys(ids, "bench"),
                "variants": [self.form.variants[0].model_copy(update={"items": ids, "options": {}})],
            }
        )
        return Form.model_validate({**draft.model_dump(mode="json"), "hash": draft.content_hash()})


def write_backup(path: Path, event_id: str, rows: dict) -> None:
    members = {f"{t.name}.jsonl": member_bytes(t, rows[t.name]) for t in dump.TABLES}
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": dump.schema_head(),
        "event_id": event_id,
        "created_at": "2030-01-01T00:00:00Z",
        "assess_version": "bench",
        "source": "sqlite",
        "tables": {
            t.name: {
                "member": f"{t.name}.jsonl",
                "rows": len(rows[t.name]),
                "sha256": hashlib.sha256(members[f"{t.name}.jsonl"]).hexdigest(),
            }
            for t in dump.TABLES
        },
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        for name, data in members.items():
            z.writestr(name, data)


@dataclass(frozen=True)
class Timed:
    wall: float  # seconds
    cpu: float  # seconds of this process's CPU (user and system)
    value: object


def _timed(step, *args) -> Timed:
    wall, cpu = time.perf_counter(), time.process_time()
    value = step(*args)
    return Timed(time.perf_counter() - wall, time.process_time() - cpu, value)


def _median(timings: list[Timed], field: str) -> float:
    return statistics.median(getattr(t, field) for t in timings)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = argparse.ArgumentParser()
    args.add_argument("--scale", choices=sorted(SCALES), default="small")
    args.add_argument(
        "--db", default=None, help="a fresh database's URL (default: SQLite in a temporary folder)"
    )
    args.add_argument("--repeat", type=int, default=REPEAT, help="runs of each step (at least 2)")
    opts = args.parse_args(argv)
    repeat = max(2, opts.repeat)
    scale = SCALES[opts.scale]
    history = History(scale)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sdm"
        create_hr_workspace(folder)
        ws = HrWorkspace(folder, opts.db or sqlite_url(folder / "hr.db"))
        start = time.perf_counter()
        number, first = 0, dt.date(2015, 1, 5)
        for year in range(scale["years"]):
            for k in range(scale["per_year"]):
                number += 1
                day = first + dt.timedelta(days=365 * year + 3 * k)
                event_id, rows = history.event_rows(number, day)
                source = hr_store.EventSource(
                    hr_store.BACKUP, "bench", dt.datetime(2030, 1, 1), fingerprint(rows), day, day, None
                )
                hr_store.put_event(ws.store.engine, event_id, rows, source, "bench")
        made = time.perf_counter() - start
        events = number
        answers = events * 2 * PARTICIPANTS * FORM_ITEMS
        print(
            f"history: {events} events, {events * PARTICIPANTS} participations, {answers} answers, made in {made:.1f} s"
        )
        adds, runs, reports = [], [], []
        for n in range(repeat):
            event_id, rows = history.event_rows(100_000 + n, dt.date(2030, 1, 1))
            path = Path(tmp) / f"{event_id}.zip"
            write_backup(path, event_id, rows)
            adds.append(_timed(add_backup, ws.store.engine, path))
        for _n in range(repeat):
            runs.append(_timed(calibrate, ws.store))
        for n in range(repeat):
            reports.append(_timed(write_hr_report, ws, Path(tmp) / f"laporan-{n}"))
            people = reports[-1].value.people
        ws.close()
    results = (events + repeat) * 2 * PARTICIPANTS
    result = {
        "add_event_s": _median(adds, "wall"),
        "add_event_cpu_ms_per_1000_answers": 1000
        * _median(adds, "cpu")
        / (2 * PARTICIPANTS * FORM_ITEMS / 1000),
        "first_calibration_s": runs[0].wall,
        "calibration_s": _median(runs[1:], "wall"),
        "calibration_cpu_ms_per_1000_results": 1000 * _median(runs[1:], "cpu") / (results / 1000),
        "report_s": _median(reports, "wall"),
        "report_cpu_ms_per_person": 1000 * _median(reports, "cpu") / max(people, 1),
        "peak_mb": peak_mb(),
    }
    lines = (
        (f"add one event from its backup, median of {repeat}", result["add_event_s"], "s", "<= 1 s"),
        ("  CPU per 1,000 answers added", result["add_event_cpu_ms_per_1000_answers"], "ms", ""),
        ("the first calibration (every item free)", result["first_calibration_s"], "s", "<= 30 s"),
        (
            f"a later run (earlier items fixed), median of {repeat - 1}",
            result["calibration_s"],
            "s",
            "<= 30 s",
        ),
        ("  CPU per 1,000 results calibrated", result["calibration_cpu_ms_per_1000_results"], "ms", ""),
        (f"the whole HR report ({people} people), median of {repeat}", result["report_s"], "s", "<= 120 s"),
        ("  CPU per person", result["report_cpu_ms_per_person"], "ms", ""),
        ("peak memory of the process", result["peak_mb"], "MB", "<= 2048 MB"),
    )
    for label, value, unit, target in lines:
        print(f"{label:<56} {value:9.3f} {unit:<2}  {('target ' + target) if target else ''}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
