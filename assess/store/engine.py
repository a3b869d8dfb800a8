"""Engines for SQLite and PostgreSQL, set up the way an unreliable venue needs.

SQLite: WAL, synchronous=FULL (a laptop's battery can die: NORMAL can lose the
last commits), a busy timeout, foreign keys, and BEGIN IMMEDIATE for every
transaction (a deferred BEGIN that reads then writes fails with "database is
locked" under concurrent writers, even in WAL). PostgreSQL through psycopg 3.

A SQLite file holds access codes, NIPs and answers: it is made (or set to)
0600 on POSIX before SQLite opens it, and SQLite gives its -wal and -shm files
the database's own mode.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from assess.problems import Problem, ProblemsFound
from assess.sheets.write import private_file

BUSY_TIMEOUT_MS = 30_000
# An execution option for a connection that runs one SELECT and nothing else: SQLite runs it in a read
# transaction of its own, without BEGIN IMMEDIATE's write lock (which every phone's lobby poll would
# otherwise take in turn). One statement sees one snapshot, so nothing is lost; PostgreSQL ignores it.
SINGLE_READ = "assess_single_read"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def normalise_url(url: str) -> str:
    """postgresql:// and postgres:// use psycopg 3, whatever the default driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> sa.Engine:
    url = normalise_url(url)
    try:
        sa.engine.make_url(url).get_dialect()
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError):
        # Said without the address itself: it may hold a password.
        raise ProblemsFound([Problem("DB-URL-INVALID", {}, field="--db")]) from None
    if url.startswith("sqlite"):
        _private_sqlite_files(url)
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _sqlite_setup(engine)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _private_sqlite_files(url: str) -> None:
    """The database file and any -wal and -shm beside it made its owner's only (0600 on POSIX)."""
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # SQLite says what is wrong when it opens it
    try:
        private_file(path)  # an empty file is a new database to SQLite
        for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if companion.exists():  # left by an older version, or by a server still running
                private_file(companion)
    except OSError:
        pass  # someone else's or a read-only file: SQLite opens it as before, or says why not


def _sqlite_setup(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        if connection.get_execution_options().get(SINGLE_READ):
            return
        # On the driver's connection: through SQLAlchemy's execution this statement cost a tenth of a
        # save's CPU. Its error (a lock not had within the busy timeout) is raised as SQLAlchemy's.
        try:
            connection.connection.driver_connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise sa.exc.DBAPIError.instance("BEGIN IMMEDIATE", (), e, sqlite3.Error) from e
