"""The event workspace: a folder with assessment.yaml, the participants file and the database.

Which workspace and which database: option > environment (ASSESS_WORKSPACE,
ASSESS_DATABASE_URL) > default (the folder found by walking up from the
current one to an assessment.yaml; its `assess.db`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from assess.event import Phase
from assess.event.file import LoadedEvent, load_event
from assess.forms import Form
from assess.problems import Problem, ProblemsFound
from assess.store.engine import sqlite_url
from assess.store.store import ORDERS, Store
from assess.workspace.files import DATABASE_FILE, EVENT_FILE, HR_DATABASE_FILE, HR_FILE, SECRET_FILE

ENV_WORKSPACE = "ASSESS_WORKSPACE"
ENV_DATABASE = "ASSESS_DATABASE_URL"
SECRET_BYTES = 32


def find_workspace(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding an event's assessment.yaml or an HR workspace's
    hr.yaml."""
    for folder in (start, *start.parents):
        if (folder / EVENT_FILE).is_file() or (folder / HR_FILE).is_file():
            return folder
    return None


# Per kind of workspace (the file that makes a folder one): the problem of a given folder without it,
# the problem of finding none, and the default database's file.
KINDS = {
    EVENT_FILE: ("WORKSPACE-NO-EVENT", "WORKSPACE-NOT-FOUND", DATABASE_FILE),
    HR_FILE: ("HR-WORKSPACE-NO-FILE", "HR-WORKSPACE-NOT-FOUND", HR_DATABASE_FILE),
}


def other_kind(folder: Path, marker: str) -> Problem | None:
    """The problem of a folder that is the other kind of workspace (an HR one for an event command, or
    the other way round), naming the kind it is; None when it holds `marker` or is neither."""
    if (folder / marker).is_file():
        return None
    if marker == EVENT_FILE and (folder / HR_FILE).is_file():
        return Problem("WORKSPACE-IS-HR", {}, str(folder / HR_FILE))
    if marker == HR_FILE and (folder / EVENT_FILE).is_file():
        return Problem("HR-WORKSPACE-IS-EVENT", {}, str(folder / EVENT_FILE))
    return None


def choose(
    workspace: str | None, database: str | None, cwd: Path | None = None, marker: str = EVENT_FILE
) -> tuple[Path, str]:
    """The workspace folder (an event's; with `marker` HR_FILE an HR workspace) and database URL, each by
    option > environment > default. Only the default walks up, to the nearest workspace of either kind;
    a folder of the other kind is refused by name."""
    no_file, not_found, default_database = KINDS[marker]
    cwd = cwd or Path.cwd()
    chosen = workspace or os.environ.get(ENV_WORKSPACE)
    if chosen:
        folder = Path(chosen)
    else:
        found = find_workspace(cwd.resolve())
        if found is None:
            raise ProblemsFound([Problem(not_found, {"start": str(cwd)})])
        folder = found
    if not (folder / marker).is_file():
        raise ProblemsFound([other_kind(folder, marker) or Problem(no_file, {}, str(folder / marker))])
    url = database or os.environ.get(ENV_DATABASE) or sqlite_url(folder / default_database)
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

    def orders_secret(self) -> bytes:
        """The event's secret for personal orders and default seeds, from the database (not cached:
        a restore may bring another)."""
        return self.store.event_secret(self.event_id, ORDERS)

    def phase(self, phase_id: str) -> Phase:
        """The event's phase, or a problem naming the phases it has."""
        known = [p.id for p in self.loaded.event.phases]
        if phase_id not in known:
            raise ProblemsFound(
                [Problem("WORKSPACE-NO-PHASE", {"phase": phase_id, "known": ", ".join(known)})]
            )
        return self.loaded.event.phase(phase_id)

    def form(self, phase_id: str) -> Form:
        """The phase's stored form, or a located problem saying what to do first."""
        self.phase(phase_id)
        if not self.store.has_form(self.event_id, phase_id):
            raise ProblemsFound([Problem("WORKSPACE-NO-FORM", {"phase": phase_id})])
        return self.store.form(self.event_id, phase_id)

    def forms(self) -> dict[str, Form]:
        """The stored form of every phase that has one, in the event's order."""
        return {
            p.id: self.store.form(self.event_id, p.id)
            for p in self.loaded.event.phases
            if self.store.has_form(self.event_id, p.id)
        }

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()


def secret(ws: Workspace, name: str) -> bytes:
    """A random 32-byte key kept in the workspace folder (`.assess-secret-<name>`), made on first use.

    For keyed pseudonyms and the web app's sessions: the same workspace always
    gives the same key. The file holds the key in hex, readable by its owner
    only where the system has such permissions; two processes that make it at
    once end up with the same key (the first one written wins).
    """
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise ValueError(f"not a secret's name: {name!r}")
    path = ws.folder / SECRET_FILE.format(name=name)
    if not path.exists():
        try:
            _write_secret(path, secrets.token_bytes(SECRET_BYTES))
        except OSError as e:
            raise ProblemsFound(
                [Problem("EXPORT-CANNOT-WRITE", {"reason": e.strerror or str(e)}, str(path))]
            ) from None
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (UnicodeDecodeError, ValueError):
        key = b""
    except OSError as e:
        raise ProblemsFound(
            [Problem("FILE-UNREADABLE", {"reason": e.strerror or str(e)}, str(path))]
        ) from None
    if len(key) != SECRET_BYTES:
        raise ProblemsFound([Problem("EXPORT-SECRET-DAMAGED", {}, str(path))])
    return key


def _write_secret(path: Path, key: bytes) -> None:
    """Write the key to a private temporary file, then link it into place unless another process won."""
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key.hex() + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # fails when the file exists: the first key written stays
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def now() -> dt.datetime:
    """Naive UTC, as the store keeps times."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
