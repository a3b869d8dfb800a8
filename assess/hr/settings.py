"""`hr.yaml`: what an HR workspace is (its organisation, framework and positions file), with located
errors like a bank's. Never a database URL: that is `--db`, ASSESS_DATABASE_URL or the folder's hr.db."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import TypeAdapter

from assess.bank.loader import read_yaml, validate
from assess.bank.model import Model, Text
from assess.event import TimeZone


class Organisation(Model):
    name: Text
    time_zone: TimeZone = "Asia/Jakarta"


class HrSettings(Model):
    kind: Literal["hr"]
    organisation: Organisation
    framework: Text | None = None  # a shipped framework's id, or a framework file beside hr.yaml
    positions: Text | None = None  # the positions file (kind: positions), from hr.yaml's folder


_SETTINGS = TypeAdapter(HrSettings)


def load_settings(path: Path) -> HrSettings:
    """hr.yaml validated; ProblemsFound (InvalidFile) names each problem's line and field."""
    return validate(read_yaml(path), _SETTINGS, HrSettings)
