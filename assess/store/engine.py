"""Engines for SQLite and PostgreSQL, set up the way an unreliable venue needs.

SQLite: WAL, synchronous=FULL (a laptop's battery can die: NORMAL can lose the
last commits), a busy timeout, foreign keys, and BEGIN IMMEDIATE for every
transaction (a deferred BEGIN that reads then writes fails with "database is
locked" under concurrent writers, even in WAL). PostgreSQL through psycopg 3.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

BUSY_TIMEOUT_MS = 30_000


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
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _sqlite_setup(engine)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


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
        connection.exec_driver_sql("BEGIN IMMEDIATE")
