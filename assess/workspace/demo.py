"""A new workspace, and the worked example end to end: what `assess init` and `assess demo` do.

The demo copies a worked example into a folder, runs its course with a
simulated cohort and closes its tests; the command then writes its reports.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from assess.problems import Problem, ProblemsFound
from assess.resources import data_path
from assess.sheets.write import private_file, private_folder, private_tree
from assess.store.store import CLOSED, Store
from assess.workspace import Workspace
from assess.workspace.files import DEMO_MARKER, EVENT_FILE, PARTICIPANTS_FILE, PARTICIPANTS_TEMPLATE
from assess.workspace.participants import import_participants, write_template
from assess.workspace.steps import build_phase_form, score_phase, simulate

EXAMPLES = ("payakumbuh-2019",)
DEMO_EVENT = "payakumbuh-2019"  # the event id in examples/payakumbuh-2019/assessment.yaml


def _refuse_a_used_folder(target: Path) -> None:
    if target.exists() and any(target.iterdir()) and not (target / DEMO_MARKER).exists():
        raise ProblemsFound([Problem("WORKSPACE-NOT-EMPTY", {}, str(target))])


def create_workspace(target: Path, example: str | None = None) -> None:
    """A new workspace in an empty or new folder: a worked example untouched, or the commented
    assessment.yaml with a participants template; its folders and files its owner's only."""
    if target.exists() and any(target.iterdir()):
        raise ProblemsFound([Problem("WORKSPACE-NOT-EMPTY", {}, str(target))])
    private_folder(target)
    if example:
        shutil.copytree(data_path("examples") / example, target, dirs_exist_ok=True)
    else:
        shutil.copy(data_path("templates") / "workspace" / EVENT_FILE, target / EVENT_FILE)
        write_template(target / PARTICIPANTS_TEMPLATE)
    private_tree(target)


def check_demo_database(url: str) -> None:
    """The demo's event must not already have participants in a database given from outside."""
    store = Store.open(url)
    try:
        if store.participants(DEMO_EVENT):
            raise ProblemsFound([Problem("WORKSPACE-DEMO-DATABASE-USED", {"event": DEMO_EVENT})])
    finally:
        store.close()


def prepare_demo(target: Path, external_database: str | None) -> None:
    """The worked example copied to `target`, made anew when it holds a previous demo.

    A database given from outside is checked before the folder is touched.
    """
    _refuse_a_used_folder(target)
    if external_database:
        check_demo_database(external_database)
    if target.exists():
        shutil.rmtree(target)  # a previous demo's folder: made anew
    private_folder(target.parent)
    shutil.copytree(data_path("examples") / EXAMPLES[0], target)
    private_tree(target)
    private_file(target / DEMO_MARKER).write_text("assess demo\n", encoding="utf-8")


@dataclass(frozen=True)
class DemoResults:
    phases: list[str]
    rows: list[dict]  # person_id, name, group_code, and percentage per phase


def run_demo(ws: Workspace, folder: Path, seed: int, now: dt.datetime) -> DemoResults:
    """The worked example end to end on `ws`: participants, forms, a simulated cohort, results."""
    if ws.store.participants(ws.event_id):
        raise ProblemsFound([Problem("WORKSPACE-DEMO-DATABASE-USED", {"event": ws.event_id})])
    import_participants(ws, folder / PARTICIPANTS_FILE)
    phases = [p.id for p in ws.loaded.event.phases]
    for phase_id in phases:
        build_phase_form(ws, phase_id, now)
    simulate(ws, seed, now)
    for phase_id in phases:
        score_phase(ws, phase_id, now)
    by_person: dict[str, dict] = {
        p.person_id: {"person_id": p.person_id, "name": p.name, "group_code": p.group_code}
        for p in ws.store.participants(ws.event_id)
    }
    for r in ws.store.results(ws.event_id):
        by_person[r.person_id][r.phase_id] = r.percentage
    return DemoResults(phases, list(by_person.values()))


def close_course(ws: Workspace, now: dt.datetime) -> None:
    """The worked course is over: its tests close, so that the reports show what the review
    policy keeps until then (keys, explanations, competencies, position in the cohort)."""
    for phase in ws.loaded.event.phases:
        ws.store.set_phase_state(ws.event_id, phase.id, CLOSED, now, actor="demo")
