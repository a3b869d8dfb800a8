"""A test whose component is missing skips outside CI and fails under CI=true."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INNER = """
from tests.components import require_component

def test_needs_a_browser():
    require_component("chromium", False, "apt-get install chromium")

def test_has_what_it_needs():
    require_component("python", True, "always here")
"""


@pytest.mark.parametrize(
    "ci, outcome", [("", {"skipped": 1, "passed": 1}), ("true", {"failed": 1, "passed": 1})]
)
def test_missing_component(pytester, monkeypatch, ci, outcome):
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_subprocess("-rs")
    result.assert_outcomes(**outcome)
    reason = (
        "CI=true and chromium is not available"
        if ci
        else "chromium is not available (apt-get install chromium)"
    )
    result.stdout.fnmatch_lines([f"*{reason}*"])
