"""The HR workspace: a folder with `hr.yaml`, and a database of events added from their backups or from
another database, with people joined across them (docs/hr.md).

Which workspace and which database: `-w` > ASSESS_WORKSPACE > the nearest folder above holding
hr.yaml; `--db` > ASSESS_DATABASE_URL > the folder's hr.db. An event's folder is refused by name, as
an HR folder is by the event commands (assess.workspace.choose).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from assess.hr.settings import HrSettings, load_settings
from assess.problems import Problem, ProblemsFound
from assess.resources import data_path
from assess.sheets.write import private_folder, private_tree
from assess.store.store import Store
from assess.workspace import choose
from assess.workspace.files import DEMO_MARKER, HR_FILE


def choose_hr(workspace: str | None, database: str | None, cwd: Path | None = None) -> tuple[Path, str]:
    """The HR workspace's folder and database URL, by option > environment > default."""
    return choose(workspace, database, cwd, marker=HR_FILE)


@dataclass
class HrWorkspace:
    folder: Path
    database_url: str

    @cached_property
    def settings(self) -> HrSettings:
        return load_settings(self.folder / HR_FILE)

    @cached_property
    def store(self) -> Store:
        return Store.open(self.database_url)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()


EXAMPLES = ("payakumbuh-hr",)
EXAMPLE_FILES = (HR_FILE, "pegawai.csv", "skp.csv", "README.md")  # and kegiatan/, its events' backups
EXAMPLE_EVENTS = "kegiatan"


def create_hr_workspace(target: Path, example: str | None = None) -> None:
    """A new HR workspace in an empty or new folder: the commented hr.yaml, or a worked example's files
    (its events' backups in kegiatan/, to be added); its owner's only. A folder an earlier example made
    (it holds the demo marker) is made anew."""
    if example is not None and (target / DEMO_MARKER).is_file():
        shutil.rmtree(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ProblemsFound([Problem("WORKSPACE-NOT-EMPTY", {}, str(target))])
    private_folder(target)
    if example is None:
        shutil.copy(data_path("templates") / "hr" / HR_FILE, target / HR_FILE)
    else:
        source = data_path("examples") / example
        for name in EXAMPLE_FILES:
            shutil.copy(source / name, target / name)
        shutil.copytree(source / EXAMPLE_EVENTS, target / EXAMPLE_EVENTS)
        (target / DEMO_MARKER).write_text("assess hr init --example\n", encoding="utf-8")
    private_tree(target)
