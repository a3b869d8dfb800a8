"""The statements of every page and save, compiled once per database and run on the driver's cursor.

SQLAlchemy runs a prebuilt statement in about 0.15 ms of CPU here; the driver alone takes 0.04 ms
(the rest is SQLAlchemy's execution context, events and result wrapping). A phone's save runs six
statements and its page three, each of a few hundred a second, so those statements are compiled by
SQLAlchemy once for the engine's dialect and handed to the driver as SQL text, with the columns' own
conversions applied both ways (naive dates as SQLite stores them, JSON): what is stored and read
back is what SQLAlchemy itself would store and read (tests/test_prepared.py compares the two on
SQLite and PostgreSQL). They run inside a SQLAlchemy connection, so its transaction is theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa


@dataclass(frozen=True)
class _Compiled:
    sql: str
    defaults: dict[str, Any]  # the statement's own values (a LIMIT's)
    names: tuple[str, ...] | None  # the parameters' order for a positional driver (SQLite); None: by name
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  # (name, conversion) of those that need one
    columns: tuple[str, ...]  # the names of a SELECT's (or RETURNING's) columns
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, conversion)


class Prepared:
    """One statement, compiled on first use for each dialect it meets.

    `keys` names the columns an INSERT or UPDATE sets (its parameters take their names); the WHERE
    clause's parameters are the statement's own `bindparam`s.
    """

    def __init__(self, statement: sa.Executable, keys: Sequence[str] = ()):
        self.statement = statement
        self.keys = tuple(keys)
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect: sa.Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = self._by_dialect[dialect.name] = self._compile(dialect)
        return found

    def _compile(self, dialect: sa.Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect, column_keys=list(self.keys) or None)
        binds = []
        for name, bind in compiled.binds.items():
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:
                binds.append((name, convert))
        columns, results = [], []
        for position, column in enumerate(getattr(self.statement, "exported_columns", ())):
            columns.append(column.key)
            convert = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if convert is not None:
                results.append((position, convert))
        return _Compiled(
            sql=compiled.string,
            defaults={name: b.effective_value for name, b in compiled.binds.items() if not b.required},
            names=tuple(compiled.positiontup) if compiled.positional else None,
            binds=tuple(binds),
            columns=tuple(columns),
            results=tuple(results),
        )

    def _cursor(self, c: sa.Connection | sa.Engine, params: Mapping[str, Any]):
        compiled = self._compiled(c.dialect)
        values = {**compiled.defaults, **params}
        for name, convert in compiled.binds:
            values[name] = convert(values[name])
        if isinstance(c, sa.Engine):  # one statement of its own: a pooled connection, no SQLAlchemy around it
            connection = c.raw_connection()
            cursor = connection.cursor()
        else:
            connection, cursor = None, c.connection.driver_connection.cursor()
        try:
            if compiled.names is None:
                cursor.execute(compiled.sql, values)
            else:
                cursor.execute(compiled.sql, tuple(values[name] for name in compiled.names))
        except BaseException as e:
            _close(cursor, connection)
            driver_error = c.dialect.loaded_dbapi.Error
            if isinstance(e, driver_error):  # as SQLAlchemy raises it (IntegrityError, OperationalError)
                raise sa.exc.DBAPIError.instance(compiled.sql, values, e, driver_error) from e
            raise
        return cursor, connection, compiled

    def rows(self, c: sa.Connection | sa.Engine, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The rows a SELECT gives, each as {column: value}. On an engine, the SELECT runs alone on a
        connection of its own (outside any transaction of the caller's)."""
        cursor, connection, compiled = self._cursor(c, params)
        try:
            fetched = cursor.fetchall()
        finally:
            _close(cursor, connection)
        return [_row(compiled, raw) for raw in fetched]

    def first(self, c: sa.Connection | sa.Engine, params: Mapping[str, Any]) -> dict[str, Any] | None:
        cursor, connection, compiled = self._cursor(c, params)
        try:
            raw = cursor.fetchone()
        finally:
            _close(cursor, connection)
        return None if raw is None else _row(compiled, raw)

    def run(self, c: sa.Connection, params: Mapping[str, Any]) -> int:
        """Run an INSERT, UPDATE or DELETE in `c`'s transaction; how many rows it touched."""
        cursor, _connection, _compiled = self._cursor(c, params)
        try:
            return cursor.rowcount
        finally:
            cursor.close()


def _close(cursor, connection) -> None:
    cursor.close()
    if connection is not None:
        connection.close()  # back to the pool, which ends its read transaction


def _row(compiled: _Compiled, raw: Sequence[Any]) -> dict[str, Any]:
    values = list(raw)
    for position, convert in compiled.results:
        values[position] = convert(values[position])
    return dict(zip(compiled.columns, values, strict=True))
