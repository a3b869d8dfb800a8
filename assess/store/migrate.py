"""Schema migrations (Alembic), applied when a workspace opens.

A database written by a newer assess (a revision this version does not know)
is refused rather than touched.
"""

from __future__ import annotations

import functools
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class NewerDatabase(RuntimeError):
    """The database was written by a newer version of assess."""

    def __init__(self, revision: str):
        super().__init__(revision)
        self.revision = revision


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@functools.cache  # reading the migration scripts costs 30 ms, and every command opens a database
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def upgrade(engine: sa.Engine) -> None:
    """Bring the database to this version's schema; refuse one from a newer version."""
    config = _config()
    script = scripts()
    revision = current_revision(engine)
    if revision is not None and not _known(script, revision):
        raise NewerDatabase(revision)
    if revision == script.get_current_head():
        return
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False
