"""The HR worked example (assess hr init --example payakumbuh-hr): its events added from kegiatan/, its
roster and ratings imported, and a first calibration run, as an HR officer would do it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assess.hr import EXAMPLE_EVENTS, HrWorkspace
from assess.hr.calibration import calibrate
from assess.hr.events import add_backup
from assess.hr.ratings import import_ratings
from assess.hr.roster import import_roster

ROSTER, RATINGS = "pegawai.csv", "skp.csv"


@dataclass(frozen=True)
class Filled:
    events: int
    people: int
    ratings: int
    run: int


def fill_example(ws: HrWorkspace) -> Filled:
    engine = ws.store.engine
    backups = sorted((ws.folder / EXAMPLE_EVENTS).glob("*.zip"))
    for backup in backups:
        add_backup(engine, backup)
    people, _before = import_roster(engine, ws.folder / ROSTER)
    rated = import_ratings(engine, ws.folder / RATINGS, skip_unknown=False, today=dt.date.today())
    run = calibrate(ws.store)
    return Filled(len(backups), people, rated.new + rated.replaced, run.run)
