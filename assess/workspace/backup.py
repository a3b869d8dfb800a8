"""The portable archive of one event: `assess db backup FILE` and `assess db restore FILE`.

The archive is a zip holding `manifest.json` (format version, the schema's
Alembic revision, the event, the time, and per table its member, row count
and SHA-256) and one JSON Lines member per table (`attempts.jsonl`, ...) with
only the event's own rows, in primary-key order, datetimes as ISO text and
JSON columns as JSON. SQLite and PostgreSQL write the same bytes, so an
archive from one restores into the other.

Restoring checks the whole archive before it touches the database, then
writes everything in one transaction or nothing (assess.store.dump).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from assess import __version__
from assess.i18n import N_
from assess.problems import Phrase, Problem, ProblemsFound, found_name
from assess.sheets.write import PRIVATE_FILE, replace_atomically
from assess.store import dump
from assess.store.store import Store, StoreError
from assess.workspace import Workspace
from assess.workspace.files import EVENT_FILE

FORMAT = "assess-event-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
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
    for cls, name in (
        (sa.JSON, JSON),
        (sa.Boolean, BOOL),
        (sa.Integer, INT),
        (sa.Float, FLOAT),
        (sa.DateTime, WHEN),
        (sa.String, TEXT),
    ):
        if isinstance(column.type, cls):
            return name
    raise TypeError(f"no archive encoding for {column.type!r}")  # a new column type: teach it here


# -- writing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    path: Path
    event_id: str
    counts: dict[str, int]  # rows per table
    renumbered: tuple[str, ...] = ()  # restore: tables whose ids were renumbered


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


def backup_event(store: Store, event_id: str, path: Path, *, force: bool = False) -> Summary:
    """Write the event's rows, read in one snapshot, into the archive at `path` (whole or not at all)."""
    if path.is_dir():
        raise ProblemsFound([Problem("FILE-NOT-REGULAR", {}, str(path))])
    if path.exists() and not force:
        raise ProblemsFound([Problem("BACKUP-FILE-EXISTS", {}, str(path))])
    snapshot = dump.read_event(store.engine, event_id)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    members: dict[str, bytes] = {}
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

    @property
    def event_id(self) -> str:
        return self.manifest["event_id"]


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
    except zipfile.BadZipFile as e:
        raise ProblemsFound([Problem("BACKUP-NOT-ZIP", {"reason": str(e)}, where)]) from None
    except OSError as e:
        raise ProblemsFound([Problem("FILE-UNREADABLE", {"reason": e.strerror or str(e)}, where)]) from None
    if not problems:
        problems = _references(rows, manifest, where)
    if problems:
        raise ProblemsFound(problems)
    return Archive(path, manifest, rows)


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
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise _fail("BACKUP-FORMAT-UNKNOWN", {"version": str(version), "known": FORMAT_VERSION}, here)
    for field in ("schema_revision", "event_id"):
        if not isinstance(manifest.get(field), str) or not manifest[field]:
            raise _fail("BACKUP-MANIFEST-FIELD", {}, here, field)
    revision, head = manifest["schema_revision"], dump.schema_head()
    if not dump.revision_known(revision):
        raise _fail("BACKUP-SCHEMA-NEWER", {"revision": revision}, here)
    if revision != head:
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
    ok = {
        BOOL: isinstance(value, bool),
        INT: isinstance(value, int) and not isinstance(value, bool) and value.bit_length() < 63,
        FLOAT: isinstance(value, int | float) and not isinstance(value, bool),
        WHEN: isinstance(value, str),
        TEXT: isinstance(value, str),
    }[k]
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
    """Check the archive and the workspace's event, then restore into the workspace's database.

    The database is opened (and its schema created) only once the archive has
    passed every check. NewerDatabase and unreachable databases propagate.
    """
    event_id = Workspace(folder, database_url).event_id
    archive = read_backup(path)
    check_event(archive, event_id, folder / EVENT_FILE)
    store = Store.open(database_url)
    try:
        return restore_event(store, archive)
    finally:
        store.close()
