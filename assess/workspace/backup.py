"""The portable archive of one event: `assess db backup FILE` and `assess db restore FILE`.

The archive is a zip holding `manifest.json` (format version, the schema's
Alembic revision, the event, the time, and per table its member, row count
and SHA-256) and one JSON Lines member per table (`attempts.jsonl`, ...) with
only the event's own rows, in primary-key order, datetimes as ISO text and
JSON columns as JSON. SQLite and PostgreSQL write the same bytes, so an
archive from one restores into the other.

Since format 2 it also carries the event's files under `files/`, each with its
SHA-256: `assessment.yaml` and every bank, framework and sources registry the
event loads, the shipped ones included. Restored into an empty folder, they
make the workspace again: the workspace's own files go back to their places,
the others into COPIES_FOLDER, which the event then reads instead of the
shipped files installed now (assess.event.file). Format 1 (without files)
still restores into a workspace that has its assessment.yaml.

Restoring checks the whole archive before it touches the database, then
writes everything in one transaction or nothing (assess.store.dump); files
written for a new workspace are taken away again when the restore fails.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import shutil
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from assess import __version__
from assess.event.file import COPIES_FOLDER, PINS_FILE
from assess.i18n import N_
from assess.problems import Phrase, Problem, ProblemsFound, found_name
from assess.sheets.write import PRIVATE_FILE, private_file, private_folder, replace_atomically
from assess.store import dump
from assess.store.store import Store, StoreError
from assess.workspace import Workspace
from assess.workspace.files import EVENT_FILE

FORMAT = "assess-event-backup"
FORMAT_VERSION = 2  # 2: the event's files too
READABLE_VERSIONS = (1, 2)
MANIFEST = "manifest.json"
FILES = "files/"  # the members holding the event's files
MAX_PROBLEMS_PER_MEMBER = 20
# A member that zipfile cannot give back: damaged (CRC, truncated), encrypted, or compressed
# with a method Python lacks.
UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError)

JSON, BOOL, INT, FLOAT, WHEN, TEXT = "json", "bool", "int", "float", "datetime", "text"
EXPECTED = {
    BOOL: N_("true or false"),
    INT: N_("a whole number"),
    FLOAT: N_("a number"),
    WHEN: N_("a date and time such as 2019-10-30T01:00:00"),
    TEXT: N_("text"),
}


def kind(column: sa.Column) -> str:
    return _kind_of(type(column.type))


@functools.cache  # asked for every value of every row: answered once per column type
def _kind_of(column_type: type) -> str:
    for cls, name in (
        (sa.JSON, JSON),
        (sa.Boolean, BOOL),
        (sa.Integer, INT),
        (sa.Float, FLOAT),
        (sa.DateTime, WHEN),
        (sa.String, TEXT),
    ):
        if issubclass(column_type, cls):
            return name
    raise TypeError(f"no archive encoding for {column_type!r}")  # a new column type: teach it here


# -- writing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    path: Path
    event_id: str
    counts: dict[str, int]  # rows per table
    renumbered: tuple[str, ...] = ()  # restore: tables whose ids were renumbered
    workspace_made: bool = False  # restore: the workspace was made again from the archive's files


def encode(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    k = kind(column)
    if k == WHEN:
        return value.isoformat()
    if k == FLOAT:
        return float(value)
    return value


def member_bytes(table: sa.Table, rows: list[dict]) -> bytes:
    lines = (
        json.dumps(
            {c.name: encode(c, row[c.name]) for c in table.columns}, ensure_ascii=False, separators=(",", ":")
        )
        + "\n"
        for row in rows
    )
    return "".join(lines).encode("utf-8")


def event_files(ws: Workspace) -> tuple[dict, dict[str, bytes]]:
    """The manifest's `files` entry and the members for the workspace's assessment.yaml and every file
    its event loads. A file inside the workspace keeps its path there; the others (shipped files,
    files from elsewhere) are named by the entry of `banks:` that loads them (None: a framework or
    sources registry loaded beside the banks)."""
    folder = ws.folder.resolve()
    members: dict[str, bytes] = {}

    def add(member: str, source: Path) -> dict:
        try:
            data = source.read_bytes()
        except OSError as e:
            raise ProblemsFound(
                [Problem("FILE-UNREADABLE", {"reason": e.strerror or str(e)}, str(source))]
            ) from None
        members[member] = data
        return {"member": member, "sha256": hashlib.sha256(data).hexdigest()}

    event = add(FILES + EVENT_FILE, ws.folder / EVENT_FILE)
    loaded, seen = [], set()
    for number, f in enumerate(ws.loaded.files, 1):
        if (f.ref, f.path.resolve()) in seen:
            continue
        seen.add((f.ref, f.path.resolve()))
        entry = add(f"{FILES}{number:03d}-{f.path.name}", f.path)
        inside = not f.shipped and f.path.resolve().is_relative_to(folder)
        here = f.path.resolve().relative_to(folder).as_posix() if inside else None
        if here is not None and here.startswith(COPIES_FOLDER + "/"):
            here = None  # a restored workspace's copies: copies again
        loaded.append({**entry, "ref": f.ref, "path": here, "shipped": f.shipped})
    return {"event": event, "loaded": loaded}, members


def backup_event(
    store: Store, event_id: str, path: Path, *, force: bool = False, workspace: Workspace | None = None
) -> Summary:
    """Write the event's rows, read in one snapshot, into the archive at `path` (whole or not at all),
    with the files of `workspace`'s event."""
    if path.is_dir():
        raise ProblemsFound([Problem("FILE-NOT-REGULAR", {}, str(path))])
    if path.exists() and not force:
        raise ProblemsFound([Problem("BACKUP-FILE-EXISTS", {}, str(path))])
    files, members = event_files(workspace) if workspace is not None else ({}, {})
    snapshot = dump.read_event(store.engine, event_id)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    tables = {}
    for table in dump.TABLES:
        rows = snapshot.rows[table.name]
        member = f"{table.name}.jsonl"
        members[member] = member_bytes(table, rows)
        tables[table.name] = {
            "member": member,
            "rows": len(rows),
            "sha256": hashlib.sha256(members[member]).hexdigest(),
        }
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": snapshot.revision,
        "event_id": event_id,
        "created_at": now.isoformat().replace("+00:00", "Z"),
        "assess_version": __version__,
        "source": store.engine.dialect.name,
        "tables": tables,
    }
    if files:
        manifest["files"] = files
    _write_zip(path, manifest, members, now)
    return Summary(path, event_id, {name: entry["rows"] for name, entry in tables.items()})


def _write_zip(path: Path, manifest: dict, members: dict[str, bytes], now: dt.datetime) -> None:
    """Write to a temporary file beside `path`, then move it into place: no half-written archive."""
    stamp = now.timetuple()[:6]

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
            for name, data in {MANIFEST: text.encode("utf-8"), **members}.items():
                info = zipfile.ZipInfo(name, stamp)
                info.external_attr = PRIVATE_FILE << 16  # an ordinary file, its owner's only, when unzipped
                z.writestr(info, data, zipfile.ZIP_DEFLATED)

    replace_atomically(path, write, "BACKUP-UNWRITABLE")


# -- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Archive:
    path: Path
    manifest: dict
    rows: dict[str, list[dict]]  # table name -> rows with Python values
    files: dict[str, bytes] = dataclasses.field(default_factory=dict)  # member -> bytes, checked (format 2)

    @property
    def event_id(self) -> str:
        return self.manifest["event_id"]

    @property
    def has_files(self) -> bool:
        return bool(self.files)


def read_backup(path: Path) -> Archive:
    """The archive, checked in full: zip, manifest, checksums, counts, every row and reference."""
    where = str(path)
    if not path.exists():
        raise ProblemsFound([Problem("FILE-NOT-FOUND", {}, where)])
    if not path.is_file():
        raise ProblemsFound([Problem("FILE-NOT-REGULAR", {}, where)])
    try:
        with zipfile.ZipFile(path) as z:
            manifest = _manifest(z, where)
            rows, problems = {}, []
            for table in dump.TABLES:
                entry = manifest["tables"][table.name]
                rows[table.name] = _member(z, table, entry, manifest["event_id"], where, problems)
            files = _files(z, manifest, where, problems)
    except zipfile.BadZipFile as e:
        raise ProblemsFound([Problem("BACKUP-NOT-ZIP", {"reason": str(e)}, where)]) from None
    except OSError as e:
        raise ProblemsFound([Problem("FILE-UNREADABLE", {"reason": e.strerror or str(e)}, where)]) from None
    if not problems:
        problems = _references(rows, manifest, where)
    if problems:
        raise ProblemsFound(problems)
    return Archive(path, manifest, rows, files)


def _files(z: zipfile.ZipFile, manifest: dict, where: str, problems: list[Problem]) -> dict[str, bytes]:
    """The event's files (format 2), each checked against its SHA-256; {} for an archive without."""
    listed = manifest.get("files")
    if listed is None:
        return {}
    here = f"{where}:{MANIFEST}"
    entries = _file_entries(listed)
    if entries is None:
        problems.append(Problem("BACKUP-MANIFEST-FIELD", {}, here, field="files"))
        return {}
    names, files = set(z.namelist()), {}
    for entry in entries:
        member = entry["member"]
        if member not in names:
            problems.append(Problem("BACKUP-MEMBER-MISSING", {"member": member}, where))
            continue
        try:
            data = z.read(member)
        except UNREADABLE as e:
            problems.append(Problem("BACKUP-MEMBER-UNREADABLE", {"reason": str(e)}, f"{where}:{member}"))
            continue
        if hashlib.sha256(data).hexdigest() != entry["sha256"].lower():
            problems.append(Problem("BACKUP-CHECKSUM", {}, f"{where}:{member}"))
            continue
        files[member] = data
    return files


def _file_entries(listed: Any) -> list[dict] | None:
    """Every file entry of the manifest's `files`, or None when it is not as format 2 writes it."""
    if not isinstance(listed, dict) or not isinstance(listed.get("loaded"), list):
        return None
    entries = [listed.get("event"), *listed["loaded"]]
    for number, entry in enumerate(entries):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("member"), str)
            and entry["member"].startswith(FILES)
            and isinstance(entry.get("sha256"), str)
        ):
            return None
        if number and not (
            isinstance(entry.get("ref"), str | None)
            and (entry.get("path") is None or _safe_place(entry["path"]))
        ):
            return None
    return entries


def _safe_place(place: Any) -> bool:
    """A path inside the workspace: relative, no `..`, not in the copies' folder."""
    if not isinstance(place, str) or not place or "\\" in place:
        return False
    parts = place.split("/")
    return (
        not place.startswith("/")
        and ":" not in place  # a Windows drive
        and ".." not in parts
        and "" not in parts
        and parts[0] != COPIES_FOLDER
    )


def _fail(code: str, params: dict, where: str, field: str | None = None) -> ProblemsFound:
    return ProblemsFound([Problem(code, params, where, field=field)])


def _manifest(z: zipfile.ZipFile, where: str) -> dict:
    if MANIFEST not in z.namelist():
        raise _fail("BACKUP-MEMBER-MISSING", {"member": MANIFEST}, where)
    here = f"{where}:{MANIFEST}"
    try:
        manifest = json.loads(z.read(MANIFEST).decode("utf-8"))
    except (*UNREADABLE, UnicodeDecodeError, ValueError) as e:
        raise _fail("BACKUP-MANIFEST-INVALID", {"reason": str(e)}, here) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _fail("BACKUP-NOT-A-BACKUP", {}, where)
    version = manifest.get("format_version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise _fail("BACKUP-FORMAT-UNKNOWN", {"version": str(version), "known": FORMAT_VERSION}, here)
    for field in ("schema_revision", "event_id"):
        if not isinstance(manifest.get(field), str) or not manifest[field]:
            raise _fail("BACKUP-MANIFEST-FIELD", {}, here, field)
    revision, head = manifest["schema_revision"], dump.schema_head()
    if not dump.revision_known(revision):
        raise _fail("BACKUP-SCHEMA-NEWER", {"revision": revision}, here)
    if not dump.same_event_rows(revision):
        wrote = str(manifest.get("assess_version", "?"))
        raise _fail("BACKUP-SCHEMA-OLDER", {"revision": revision, "head": head, "version": wrote}, here)
    tables = manifest.get("tables")
    if not isinstance(tables, dict):
        raise _fail("BACKUP-MANIFEST-FIELD", {}, here, "tables")
    known = {table.name for table in dump.TABLES}
    problems = [Problem("BACKUP-TABLE-UNKNOWN", {"name": n}, here) for n in tables if n not in known]
    names = set(z.namelist())
    for table in dump.TABLES:
        entry = tables.get(table.name)
        if entry is None:
            problems.append(Problem("BACKUP-MEMBER-MISSING", {"member": f"{table.name}.jsonl"}, where))
        elif not (
            isinstance(entry, dict)
            and isinstance(entry.get("member"), str)
            and isinstance(entry.get("rows"), int)
            and isinstance(entry.get("sha256"), str)
        ):
            problems.append(Problem("BACKUP-MANIFEST-FIELD", {}, here, field=f"tables.{table.name}"))
        elif entry["member"] not in names:
            problems.append(Problem("BACKUP-MEMBER-MISSING", {"member": entry["member"]}, where))
    if problems:
        raise ProblemsFound(problems)
    return manifest


def _member(
    z: zipfile.ZipFile, table: sa.Table, entry: dict, event_id: str, where: str, problems: list[Problem]
) -> list[dict]:
    name = entry["member"]
    located = f"{where}:{name}"
    try:
        data = z.read(name)
    except UNREADABLE as e:
        problems.append(Problem("BACKUP-MEMBER-UNREADABLE", {"reason": str(e)}, located))
        return []
    if hashlib.sha256(data).hexdigest() != entry["sha256"].lower():
        problems.append(Problem("BACKUP-CHECKSUM", {}, located))
        return []
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError as e:
        problems.append(Problem("BACKUP-MEMBER-UNREADABLE", {"reason": str(e)}, located))
        return []
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != entry["rows"]:
        problems.append(
            Problem("BACKUP-COUNT-MISMATCH", {"found": len(lines), "expected": entry["rows"]}, located)
        )
        return []
    rows, mine = [], []
    for number, line in enumerate(lines, 1):
        row = _row(table, line, event_id, located, number, mine)
        if row is not None:
            rows.append(row)
    problems.extend(_capped(mine, located))
    return rows


def _capped(problems: list[Problem], where: str) -> list[Problem]:
    """The first problems of one part of the archive, and how many more there are."""
    if len(problems) <= MAX_PROBLEMS_PER_MEMBER:
        return problems
    more = Problem("BACKUP-MORE-PROBLEMS", {"n": len(problems) - MAX_PROBLEMS_PER_MEMBER}, where)
    return [*problems[:MAX_PROBLEMS_PER_MEMBER], more]


def _row(table: sa.Table, line: str, event_id: str, where: str, number: int, problems: list) -> dict | None:
    def problem(code: str, params: dict, field: str | None = None) -> None:
        problems.append(Problem(code, params, where, number, field=field))

    try:
        raw = json.loads(line)
    except ValueError as e:
        problem("BACKUP-ROW-NOT-JSON", {"reason": str(e)})
        return None
    if not isinstance(raw, dict):
        problem("BACKUP-ROW-NOT-JSON", {"reason": found_name(raw)})
        return None
    before = len(problems)
    for name in raw:
        if name not in table.c:
            problem("FIELD-UNKNOWN", {"name": name})
    row = {}
    for column in table.columns:
        if column.name not in raw:
            problem("FIELD-MISSING", {"name": column.name})
            continue
        value = raw[column.name]
        try:
            row[column.name] = decode_value(column, value)
        except _Invalid as e:
            problem(e.code, e.params, column.name)
    if len(problems) > before:
        return None
    owner = row[dump.event_column(table).name]
    if owner != event_id:
        problem("BACKUP-ROW-OTHER-EVENT", {"found": owner, "event": event_id})
        return None
    return row


class _Invalid(Exception):
    def __init__(self, code: str, params: dict):
        self.code, self.params = code, params


_FITS = {  # whether a JSON value can be a column's of each kind (dates are parsed below)
    BOOL: lambda v: isinstance(v, bool),
    INT: lambda v: isinstance(v, int) and not isinstance(v, bool) and v.bit_length() < 63,
    FLOAT: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    WHEN: lambda v: isinstance(v, str),
    TEXT: lambda v: isinstance(v, str),
}


def decode_value(column: sa.Column, value: Any) -> Any:
    k = kind(column)
    if value is None:
        if column.nullable or k == JSON:
            return None
        raise _Invalid(
            "FIELD-TYPE", {"expected": Phrase(EXPECTED.get(k, N_("text"))), "found": found_name(None)}
        )
    if k == JSON:
        return value
    ok = _FITS[k](value)
    if ok and k == WHEN:
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            ok = False
        else:
            ok = value.tzinfo is None
    if not ok:
        raise _Invalid("FIELD-TYPE", {"expected": Phrase(EXPECTED[k]), "found": found_name(value)})
    if k == TEXT and column.type.length is not None and len(value) > column.type.length:
        raise _Invalid("FIELD-TOO-LONG", {"max": column.type.length})
    return float(value) if k == FLOAT else value


def _references(rows: dict[str, list[dict]], manifest: dict, where: str) -> list[Problem]:
    """One events row, the manifest's, and every attempt reference to an attempt in the archive."""
    problems = []
    events = rows["events"]
    if len(events) != 1:
        problems.append(Problem("BACKUP-EVENT-ROW", {"event": manifest["event_id"], "n": len(events)}, where))
    attempts = {r["id"] for r in rows["attempts"]}
    for name, columns in dump.ATTEMPT_REFERENCES.items():
        member = f"{where}:{manifest['tables'][name]['member']}"
        dangling = [
            Problem("BACKUP-REFERENCE-MISSING", {"attempt": row[column]}, member, number, field=column)
            for number, row in enumerate(rows[name], 1)
            for column in columns
            if row[column] is not None and row[column] not in attempts
        ]
        problems.extend(_capped(dangling, member))
    return problems


# -- restoring -------------------------------------------------------------------------


def check_event(archive: Archive, event_id: str, event_file: Path) -> None:
    """The workspace's assessment.yaml must be the archive's event."""
    if archive.event_id != event_id:
        raise ProblemsFound(
            [
                Problem(
                    "BACKUP-EVENT-MISMATCH",
                    {"archive": archive.event_id, "workspace": event_id},
                    str(event_file),
                    field="event.id",
                )
            ]
        )


def restore_event(store: Store, archive: Archive) -> Summary:
    """Write the archive's event into the store's database: all of it in one transaction, or nothing."""
    try:
        restored = dump.write_event(store.engine, archive.event_id, archive.rows)
    except StoreError as e:
        raise ProblemsFound([Problem(e.code, e.params)]) from None
    except (sa.exc.IntegrityError, sa.exc.DataError) as e:
        reason = str(e.orig or e).strip().splitlines()[0]
        raise ProblemsFound(
            [Problem("BACKUP-RESTORE-FAILED", {"reason": reason}, str(archive.path))]
        ) from None
    return Summary(archive.path, archive.event_id, restored.counts, restored.renumbered)


def restore_workspace(folder: Path, database_url: str, path: Path) -> Summary:
    """Check the archive, then restore its event: into the workspace in `folder` when it has its
    assessment.yaml (which must be the archive's event), else into `folder` empty or missing, made
    into the workspace again from the archive's files.

    The database is opened (and its schema created) only once the archive has passed every check;
    files written for a new workspace are taken away again when anything fails. NewerDatabase and
    unreachable databases propagate.
    """
    archive = read_backup(path)
    event_file = folder / EVENT_FILE
    if event_file.is_file():
        check_event(archive, Workspace(folder, database_url).event_id, event_file)
        return _restore_rows(database_url, archive)
    if not archive.has_files:
        raise _fail("BACKUP-NO-FILES", {"folder": str(folder)}, str(path))
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise _fail("BACKUP-FOLDER-NOT-EMPTY", {}, str(folder))
    made = not folder.exists()
    try:
        write_files(folder, archive)
        check_event(archive, Workspace(folder, database_url).event_id, event_file)
        return replace(_restore_rows(database_url, archive), workspace_made=True)
    except BaseException:
        _take_away(folder, made)
        raise


def _restore_rows(database_url: str, archive: Archive) -> Summary:
    store = Store.open(database_url)
    try:
        return restore_event(store, archive)
    finally:
        store.close()


def write_files(folder: Path, archive: Archive) -> None:
    """The archive's assessment.yaml and the files its event loaded, into `folder`: the workspace's own
    back in their places, the others into COPIES_FOLDER with the list the event reads them by."""
    listed = archive.manifest["files"]
    private_folder(folder)
    _write(folder / EVENT_FILE, archive.files[listed["event"]["member"]])
    copies = folder / COPIES_FOLDER
    pins: dict = {"banks": {}, "others": []}
    for entry in listed["loaded"]:
        data = archive.files[entry["member"]]
        if entry["path"] is not None:
            _write(folder / entry["path"], data)
            continue
        name = entry["member"][len(FILES) :]
        _write(copies / name, data)
        if entry["ref"] is None:
            pins["others"].append(name)
        else:
            pins["banks"].setdefault(entry["ref"], []).append(name)
    if pins["banks"] or pins["others"]:
        text = json.dumps(pins, ensure_ascii=False, indent=2) + "\n"
        _write(copies / PINS_FILE, text.encode("utf-8"))


def _write(path: Path, data: bytes) -> None:
    private_folder(path.parent)
    private_file(path).write_bytes(data)


def _take_away(folder: Path, made: bool) -> None:
    """Undo a restore into a new workspace: the folder as it was (missing, or empty)."""
    if made:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
