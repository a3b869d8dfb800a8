"""Shared fixtures: the CLI runner, fresh language state, and component checks."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from assess.cli import cli, click_messages
from assess.i18n import set_language

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _fresh_language(monkeypatch):
    monkeypatch.delenv("ASSESS_LANG", raising=False)
    set_language(None)
    yield
    set_language(None)


@pytest.fixture(scope="session", autouse=True)
def _click_in_catalogue():
    click_messages.install()


class Run:
    def __init__(self):
        self.runner = CliRunner()

    def __call__(
        self, *args: str, env: dict | None = None, cwd: Path | None = None, input: str | None = None
    ):
        """`cwd`: the folder the command runs in (a workspace found by walking up from it); `input`: what
        is typed at its prompts."""
        with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
            result = self.runner.invoke(cli, list(args), env=env, input=input, catch_exceptions=False)
        set_language(None)
        return result


@pytest.fixture
def run() -> Run:
    """Invoke `assess ARGS...`; the result has .exit_code, .stdout and .stderr."""
    return Run()


# -- databases: SQLite always, PostgreSQL when a server can be reached ----------

import os  # noqa: E402
import secrets  # noqa: E402

import sqlalchemy as sa  # noqa: E402

from tests.components import require_component  # noqa: E402

DEFAULT_TEST_POSTGRES = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres"


def _postgres_admin_url() -> str:
    return os.environ.get("ASSESS_TEST_DATABASE_URL", DEFAULT_TEST_POSTGRES)


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test run, dropped afterwards."""
    admin_url = _postgres_admin_url()
    try:
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text("select 1"))
    except Exception as e:  # noqa: BLE001 - any failure to connect means: no server here
        require_component("PostgreSQL", False, f"no server at {admin_url.split('@')[-1]}: {type(e).__name__}")
        return None
    name = f"assess_test_{secrets.token_hex(4)}"
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A database URL on each backend; PostgreSQL's is emptied before each test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'assess.db'}"
    url = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def marker_template(tmp_path_factory):
    """The web tests' workspace with markers and hostile text (tests/web_support.py), built once; copy it."""
    from tests.web_support import marker_workspace

    return marker_workspace(tmp_path_factory.mktemp("template") / "ws")


@pytest.fixture(scope="session")
def imported_template(tmp_path_factory):
    """`assess init --example payakumbuh-2019` with its participants imported, built once; copy it."""
    from tests.web_support import cli_run

    folder = tmp_path_factory.mktemp("imported") / "pelatihan"
    cli_run("init", "--example", "payakumbuh-2019", str(folder))
    cli_run("-w", str(folder), "participants", "import", str(folder / "peserta.csv"))
    return folder


@pytest.fixture(scope="session")
def scored_template(imported_template, tmp_path_factory):
    """The worked example with its participants, both forms, a simulated cohort and the pre-test closed
    and scored (the post-test's attempts submitted, not scored), and a trainer password, built once;
    copy it."""
    from tests.web_support import PASSWORD, cli_run, copy_workspace

    folder = copy_workspace(imported_template, tmp_path_factory.mktemp("scored") / "ws")
    cli_run("-w", str(folder), "trainer-password", env={"ASSESS_TRAINER_PASSWORD": PASSWORD})
    for args in (
        ("form", "build", "--phase", "pre"),
        ("form", "build", "--phase", "post"),
        ("simulate",),
        ("phase", "close", "--phase", "pre", "--score"),
    ):
        cli_run("-w", str(folder), *args)
    return folder


@pytest.fixture
def scored(scored_template, tmp_path) -> Path:
    """A copy of `scored_template`, the test's own."""
    from tests.web_support import copy_workspace

    return copy_workspace(scored_template, tmp_path / "pelatihan")


@pytest.fixture
def opened(marker_template, tmp_path):
    """A copy of the marker workspace, its app, the trainer logged in with the pre-test open, and the
    participants' codes (a test module may define its own `opened`)."""
    from tests.web_support import copy_workspace, make_app, open_workspace, trainer_client

    ws = open_workspace(copy_workspace(marker_template, tmp_path / "ws"))
    app = make_app(ws)
    trainer = trainer_client(app)
    trainer.post("/trainer/phase/pre/open")
    codes = [p.access_code for p in ws.store.participants(ws.event_id)]
    yield ws, app, trainer, codes
    ws.close()


# -- the HR workspace (tests/test_hr_*.py) ---------------------------------------


@pytest.fixture(scope="session")
def event_backup(scored_template, tmp_path_factory) -> Path:
    """A real backup of the worked example (participants, both forms, a simulated cohort, results)."""
    from tests.web_support import cli_run

    path = tmp_path_factory.mktemp("hr-archive") / "payakumbuh-2019.zip"
    cli_run("-w", str(scored_template), "db", "backup", str(path))
    return path


@pytest.fixture
def hr(run, tmp_path) -> Path:
    """A new HR workspace (assess hr init), its database hr.db beside hr.yaml."""
    folder = tmp_path / "sdm"
    assert run("hr", "init", str(folder)).exit_code == 0
    return folder


@pytest.fixture(scope="session")
def hr_added_template(event_backup, tmp_path_factory) -> Path:
    """An HR workspace with the worked example's backup added, made once: copy it (hr_added)."""
    from tests.web_support import cli_run

    folder = tmp_path_factory.mktemp("hr-added") / "sdm"
    cli_run("hr", "init", str(folder))
    cli_run("-w", str(folder), "hr", "add", str(event_backup))
    return folder


@pytest.fixture
def hr_added(hr_added_template, tmp_path) -> Path:
    """A copy of hr_added_template, the test's own (its SQLite files with it)."""
    import shutil

    return Path(shutil.copytree(hr_added_template, tmp_path / "sdm"))
