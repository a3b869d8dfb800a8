"""Shared fixtures: the CLI runner, fresh language state, and component checks."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from assess import click_messages
from assess.cli import cli
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

    def __call__(self, *args: str, env: dict | None = None):
        result = self.runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        set_language(None)
        return result


@pytest.fixture
def run() -> Run:
    """Invoke `assess ARGS...`; the result has .exit_code, .stdout and .stderr."""
    return Run()
