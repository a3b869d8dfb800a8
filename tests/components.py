"""Tests that need an outside component (Chromium, a PostgreSQL server).

Where the component is missing such a test skips and says why, except under
CI=true, where it fails: CI must run everything.
"""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_component(name: str, present: bool, how: str) -> None:
    """Call at the start of a test that needs `name`; `how` says how to get it."""
    if present:
        return
    message = f"{name} is not available ({how})"
    if in_ci():
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)
