"""The event workspace: a folder with assessment.yaml, the participants file and the database.

Which workspace and which database: option > environment (ASSESS_WORKSPACE,
ASSESS_DATABASE_URL) > default (the folder found by walking up from the
current one to an assessment.yaml; its `assess.db`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from assess.event_file import EVENT_FILE, LoadedEvent, load_event
from assess.problems import Problem, ProblemsFound
from assess.store.engine import sqlite_url
from assess.store.store import Store

ENV_WORKSPACE = "ASSESS_WORKSPACE"
ENV_DATABASE = "ASSESS_DATABASE_URL"
DATABASE_FILE = "assess.db"


def find_workspace(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding an assessment.yaml."""
    for folder in (start, *start.parents):
        if (folder / EVENT_FILE).is_file():
            return folder
    return None


def choose(workspace: str | None, database: str | None, cwd: Path | None = None) -> tuple[Path, str]:
    """The workspace folder and database URL, by option > environment > default."""
    cwd = cwd or Path.cwd()
    chosen = workspace or os.environ.get(ENV_WORKSPACE)
    if chosen:
        folder = Path(chosen)
        if not (folder / EVENT_FILE).is_file():
            raise ProblemsFound([Problem("WORKSPACE-NO-EVENT", {}, str(folder / EVENT_FILE))])
    else:
        found = find_workspace(cwd.resolve())
        if found is None:
            raise ProblemsFound([Problem("WORKSPACE-NOT-FOUND", {"start": str(cwd)})])
        folder = found
    url = database or os.environ.get(ENV_DATABASE) or sqlite_url(folder / DATABASE_FILE)
    return folder, url


@dataclass
class Workspace:
    folder: Path
    database_url: str

    @cached_property
    def loaded(self) -> LoadedEvent:
        return load_event(self.folder / EVENT_FILE)

    @property
    def event_id(self) -> str:
        return self.loaded.event.event.id

    @cached_property
    def store(self) -> Store:
        store = Store.open(self.database_url)
        info = self.loaded.event.event
        store.ensure_event(info.id, info.title, info.time_zone)
        return store

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()


def now() -> dt.datetime:
    """Naive UTC, as the store keeps times."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
