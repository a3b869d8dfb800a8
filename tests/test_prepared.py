"""The statements of every page and save run on the driver's cursor (assess/store/prepared.py): what they
store and read back is exactly what SQLAlchemy stores and reads, on SQLite and PostgreSQL (issue 14,
point 12: they halved the store's share of a save's CPU)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from assess.store.engine import make_engine
from assess.store.prepared import Prepared

metadata = sa.MetaData()
checked = sa.Table(
    "prepared_check",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.DateTime()),
    sa.Column("value", sa.JSON),
    sa.Column("text", sa.String(100)),
)
KEYS = ("id", "at", "value", "text")
ROWS = [
    # a whole second (SQLAlchemy writes ".000000" on SQLite; the driver alone would not), JSON of every
    # kind, text beyond ASCII, a JSON null (a blank answer) and SQL NULLs
    {"id": 1, "at": dt.datetime(2019, 10, 30, 1, 0), "value": {"a": [1, 2.5, None]}, "text": "ok"},
    {"id": 2, "at": dt.datetime(2019, 10, 30, 1, 0, 0, 120), "value": 'Tupoksi 🙏 "x"', "text": "ü"},
    {"id": 3, "at": None, "value": None, "text": None},
    {"id": 4, "at": dt.datetime(2026, 12, 7, 23, 59, 59, 999999), "value": [["a", "b"], 7], "text": ""},
]
BY_ID = sa.select(checked).where(checked.c.id == sa.bindparam("b_id"))
SINCE = (
    sa.select(checked.c.id, checked.c.value)
    .where(checked.c.at >= sa.bindparam("b_at"))
    .order_by(checked.c.id)
)


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def _stored(engine: sa.Engine) -> list[tuple]:
    """The rows as the database holds them (dates and JSON as text)."""
    with engine.connect() as c:
        return c.execute(
            sa.text("SELECT id, CAST(at AS TEXT), CAST(value AS TEXT), text FROM prepared_check ORDER BY id")
        ).all()


def test_what_prepared_statements_store_is_what_sqlalchemy_stores(engine):
    with engine.begin() as c:
        c.execute(checked.insert(), ROWS)
    by_sqlalchemy = _stored(engine)
    with engine.begin() as c:
        c.execute(checked.delete())
    insert = Prepared(checked.insert(), KEYS)
    with engine.begin() as c:
        assert [insert.run(c, row) for row in ROWS] == [1, 1, 1, 1]
    assert _stored(engine) == by_sqlalchemy


def test_what_prepared_statements_read_is_what_sqlalchemy_reads(engine):
    with engine.begin() as c:
        c.execute(checked.insert(), ROWS)
    by_id, since = Prepared(BY_ID), Prepared(SINCE)
    for row in ROWS:
        with engine.connect() as c:
            expected = dict(c.execute(BY_ID, {"b_id": row["id"]}).one()._mapping)
            assert by_id.first(c, {"b_id": row["id"]}) == expected == row  # in a connection
        assert by_id.first(engine, {"b_id": row["id"]}) == row  # on a pooled connection of its own
    assert by_id.first(engine, {"b_id": 99}) is None
    at = dt.datetime(2019, 10, 30, 1, 0, 0, 1)  # compared as stored: the bound date is converted too
    assert since.rows(engine, {"b_at": at}) == [
        {"id": 2, "value": ROWS[1]["value"]},
        {"id": 4, "value": ROWS[3]["value"]},
    ]


def test_an_update_counts_its_rows_and_the_statements_own_values_are_kept(engine):
    with engine.begin() as c:
        c.execute(checked.insert(), ROWS)
    update = Prepared(checked.update().where(checked.c.id >= sa.bindparam("b_from")), ("text", "at"))
    when = dt.datetime(2020, 1, 1, 7, 30)
    with engine.begin() as c:
        assert update.run(c, {"b_from": 3, "text": "baru", "at": when}) == 2
    newest = Prepared(sa.select(checked.c.id, checked.c.at).order_by(checked.c.id.desc()).limit(1))
    assert newest.rows(engine, {}) == [{"id": 4, "at": when}]  # the LIMIT's own value is bound


def test_a_failed_statement_leaves_the_transaction_to_roll_back_and_the_pool_whole(engine):
    insert = Prepared(checked.insert(), KEYS)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as c:  # as SQLAlchemy raises it
        insert.run(c, ROWS[0])
        insert.run(c, ROWS[0])  # the same key again
    assert _stored(engine) == []  # the first insert went with the transaction
    for _ in range(engine.pool.size() + 2):  # every connection went back to the pool
        assert Prepared(BY_ID).first(engine, {"b_id": 1}) is None
