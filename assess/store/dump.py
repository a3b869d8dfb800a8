"""One event's rows out of the database and back in: the SQL behind `assess db backup/restore`.

Reading takes one consistent snapshot while the server keeps writing: on
PostgreSQL a REPEATABLE READ, read-only transaction; on SQLite one deferred
read transaction (in WAL, writers go on; the store's BEGIN IMMEDIATE would
hold them off for the whole backup, so reads use a connection of their own).

Writing happens in one transaction. The autoincrement ids (attempts,
answer_history, audit_log) are kept when their table is empty; otherwise they
are renumbered (on PostgreSQL drawn from the table's own sequence, so a server
writing other events at the same time never collides), with every reference
to an attempt rewritten. Afterwards PostgreSQL's sequences lie past every id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.pool import NullPool

from assess.store import schema as t
from assess.store.engine import BUSY_TIMEOUT_MS
from assess.store.migrate import scripts
from assess.store.store import StoreError

# Every table of an event, parents first (the order rows are written in). `event_secrets` is in:
# the event's forms and personal orders are keyed by its "orders" secret, so a backup carries it and a
# restore brings it back.
TABLES: tuple[sa.Table, ...] = (
    t.events,
    t.event_secrets,
    t.units,
    t.groups,
    t.persons,
    t.participations,
    t.phases,
    t.forms,
    t.form_adjustments,
    t.attempts,
    t.responses,
    t.answer_history,
    t.essay_marks,
    t.results,
    t.audit_log,
)
# Never backed up, never restored: who is logged in on which device, and the web app's counted tries.
# A backup leaves them out, an archive naming one is refused (BACKUP-TABLE-UNKNOWN), and a restore
# writes none; the bare event a restore replaces takes its rows with it (ON DELETE CASCADE).
NEVER_BACKED_UP: tuple[sa.Table, ...] = (t.web_sessions, t.web_tries)
# What opening a workspace writes for its event, its row and its secrets: a database holding nothing
# else of the event does not hold it yet, and a restore replaces them with the archive's.
BARE_EVENT = ("events", "event_secrets")
AUTO_IDS = ("attempts", "answer_history", "audit_log")  # tables whose `id` the database hands out
# Columns holding an attempts.id.
ATTEMPT_REFERENCES = {
    "attempts": ("supersedes",),
    "responses": ("attempt_id",),
    "answer_history": ("attempt_id",),
    "essay_marks": ("attempt_id",),
    "results": ("attempt_id",),
}
CHUNK = 1000


def event_column(table: sa.Table) -> sa.Column:
    return table.c.id if table is t.events else table.c.event_id


def sort_key(table: sa.Table):
    """Rows in primary-key order, compared in Python: the same on every backend and collation."""
    names = [c.name for c in table.primary_key.columns]
    return lambda row: tuple(row[n] for n in names)


# -- schema revisions ----------------------------------------------------------


def _scripts() -> ScriptDirectory:
    return scripts()


def schema_head() -> str:
    """The schema revision this version of assess writes."""
    return _scripts().get_current_head()


# The last revision that changed a table of TABLES: an archive (or a database) at it or at any later
# revision holds the same event rows as this version writes. Move it with every migration that changes one.
EVENT_ROWS_SINCE = "0007"


def same_event_rows(revision: str | None) -> bool:
    """Whether an archive or database at `revision` holds event rows exactly as this version's schema."""
    if revision is None:
        return False
    scripts = _scripts()
    try:
        between = scripts.iterate_revisions(scripts.get_current_head(), EVENT_ROWS_SINCE)
        return revision in {EVENT_ROWS_SINCE, *(r.revision for r in between)}  # the lower end excluded
    except CommandError:
        return False


def revision_known(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


# -- reading -----------------------------------------------------------------------


@dataclass(frozen=True)
class EventRows:
    revision: str | None  # the database's schema revision when read
    rows: dict[str, list[dict]]  # table name -> the event's rows, in primary-key order


def read_event(engine: sa.Engine, event_id: str) -> EventRows:
    """Every row of one event (and no other event's), from one consistent snapshot."""
    if engine.dialect.name == "sqlite":
        reader = _sqlite_reader(engine)
        try:
            with reader.begin() as c:
                return _read(c, event_id)
        finally:
            reader.dispose()
    with engine.connect() as c:
        c = c.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with c.begin():
            return _read(c, event_id)


def _sqlite_reader(engine: sa.Engine) -> sa.Engine:
    """A connection for reading only: a deferred BEGIN, so that writers in WAL carry on."""
    reader = sa.create_engine(
        engine.url, poolclass=NullPool, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}
    )

    @sa.event.listens_for(reader, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    @sa.event.listens_for(reader, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return reader


def _read(c: sa.Connection, event_id: str) -> EventRows:
    revision = MigrationContext.configure(c).get_current_revision()
    rows = {}
    for table in TABLES:
        found = [dict(r._mapping) for r in c.execute(sa.select(table).where(event_column(table) == event_id))]
        found.sort(key=sort_key(table))
        rows[table.name] = found
    return EventRows(revision, rows)


# -- writing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    counts: dict[str, int]  # rows written per table
    renumbered: tuple[str, ...]  # tables whose ids were renumbered


def event_tables_holding(c: sa.Connection, event_id: str) -> list[str]:
    """The tables (beyond the bare event: its `events` entry and its secrets) that hold rows of the event."""
    return [
        table.name
        for table in TABLES
        if table.name not in BARE_EVENT
        and c.execute(sa.select(sa.literal(1)).where(event_column(table) == event_id).limit(1)).first()
    ]


def write_event(engine: sa.Engine, event_id: str, rows: Mapping[str, Sequence[dict]]) -> Restored:
    """Write one event's rows into a database that does not hold the event, in one transaction.

    A bare event (the `events` entry and the secrets left by opening the
    workspace, with no other rows) is replaced: the archive's secrets stand.
    Refused with STORE error BACKUP-EVENT-EXISTS when any other row of the
    event exists. Integrity errors propagate after the rollback.
    """
    with engine.begin() as c:
        holding = event_tables_holding(c, event_id)
        if holding:
            raise StoreError("BACKUP-EVENT-EXISTS", event=event_id, n=len(holding), table=holding[0])
        delete_event(c, event_id)
        return write_rows(c, rows)


def delete_event(c: sa.Connection, event_id: str) -> None:
    """Every row of the event, in the caller's transaction: children first, the events row last (whose
    deletion takes rows that refer to it by ON DELETE CASCADE, such as an HR database's)."""
    for table in (*NEVER_BACKED_UP, *reversed(TABLES)):
        c.execute(table.delete().where(event_column(table) == event_id))


def write_rows(c: sa.Connection, rows: Mapping[str, Sequence[dict]]) -> Restored:
    """One event's rows, into a database holding none of them, in the caller's transaction; attempt,
    history and audit ids renumbered when their table holds other rows."""
    postgres = c.dialect.name == "postgresql"
    maps = {name: _new_ids(c, name, [r["id"] for r in rows.get(name, ())], postgres) for name in AUTO_IDS}
    renumbered = tuple(name for name, m in maps.items() if any(k != v for k, v in m.items()))
    fixed = {name: _rewrite(name, rows.get(name, ()), maps) for name in (tt.name for tt in TABLES)}
    supersedes = [(r["id"], r["supersedes"]) for r in fixed["attempts"] if r["supersedes"] is not None]
    for table in TABLES:
        batch = fixed[table.name]
        if table is t.attempts:
            batch = [{**r, "supersedes": None} for r in batch]  # whatever the order, then linked
        for start in range(0, len(batch), CHUNK):
            c.execute(table.insert(), batch[start : start + CHUNK])
        if table is t.attempts and supersedes:
            a = t.attempts
            c.execute(
                a.update().where(a.c.id == sa.bindparam("b_id")).values(supersedes=sa.bindparam("b_sup")),
                [{"b_id": attempt, "b_sup": earlier} for attempt, earlier in supersedes],
            )
    if postgres:
        for name in AUTO_IDS:
            if fixed[name]:
                _advance_sequence(c, name, max(r["id"] for r in fixed[name]))
    return Restored({name: len(batch) for name, batch in fixed.items()}, renumbered)


def _new_ids(c: sa.Connection, name: str, old: list[int], postgres: bool) -> dict[int, int]:
    """old id -> new id: the same in an empty table, else fresh ids in the same order."""
    table = t.metadata.tables[name]
    if not old:
        return {}
    if c.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is None:
        return {i: i for i in old}
    ordered = sorted(set(old))
    if postgres:
        fresh = sorted(
            c.execute(
                sa.text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                {"t": name, "n": len(ordered)},
            ).scalars()
        )
    else:  # writers wait for this transaction (BEGIN IMMEDIATE): the largest id stays the largest
        top = c.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
        fresh = list(range(top + 1, top + 1 + len(ordered)))
    return dict(zip(ordered, fresh, strict=True))


def _rewrite(name: str, rows: Sequence[dict], maps: Mapping[str, dict[int, int]]) -> list[dict]:
    attempts = maps["attempts"]
    own = maps.get(name)
    out = []
    for row in rows:
        row = dict(row)
        if own is not None:
            row["id"] = own[row["id"]]
        for column in ATTEMPT_REFERENCES.get(name, ()):
            if row[column] is not None:
                row[column] = attempts[row[column]]
        if name == "audit_log":
            row["details"] = audit_details(row["action"], row["details"], attempts)
        out.append(row)
    return out


def audit_details(action: str, details: Any, attempts: Mapping[int, int]) -> Any:
    """The audit entry's attempt ids (`attempt`, and `new` of a reopen) renumbered with the attempts."""
    if not isinstance(details, dict) or not attempts:
        return details
    keys = ("attempt", "new") if action == "attempt.reopen" else ("attempt",)
    changed = dict(details)
    for key in keys:
        value = details.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value in attempts:
            changed[key] = attempts[value]
    return changed


def _advance_sequence(c: sa.Connection, name: str, highest: int) -> None:
    """Make the table's sequence hand out ids past `highest` (never moving it back)."""
    c.execute(
        sa.text(
            "SELECT setval(pg_get_serial_sequence(:t, 'id'), GREATEST(:highest, "
            "COALESCE(pg_sequence_last_value(pg_get_serial_sequence(:t, 'id')::regclass), 0)))"
        ),
        {"t": name, "highest": highest},
    )
