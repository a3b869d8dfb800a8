"""`hr.yaml`: what an HR workspace is (its organisation, framework and positions file), with located
errors like a bank's. Never a database URL: that is `--db`, ASSESS_DATABASE_URL or the folder's hr.db."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, TypeAdapter, model_validator
from pydantic_core import PydanticCustomError

from assess.bank.documents import DEFAULT_FRAMEWORK, Framework, Positions
from assess.bank.loader import load, load_file, read_yaml, shipped_banks_dir, validate
from assess.bank.model import Model, Text
from assess.event import TimeZone
from assess.problems import Problem, ProblemsFound
from assess.workspace.files import HR_FILE


class Organisation(Model):
    name: Text
    time_zone: TimeZone = "Asia/Jakarta"


class TalentMap(Model):
    """The talent map's cut points: two scaled measures (potential low / middle / high) and two rating
    values (a number's performance below / as expected / above); by default the thirds of those shown."""

    measure_cuts: Annotated[list[float], Field(min_length=2, max_length=2)] | None = None
    rating_cuts: Annotated[list[float], Field(min_length=2, max_length=2)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        for name in ("measure_cuts", "rating_cuts"):
            cuts = getattr(self, name)
            if cuts is not None and not cuts[0] < cuts[1]:
                raise PydanticCustomError("cuts_order", "the first cut point must be below the second")
        return self


class HrSettings(Model):
    kind: Literal["hr"]
    organisation: Organisation
    framework: Text | None = None  # a shipped framework's id, or a framework file beside hr.yaml
    positions: Text | None = None  # the positions file (kind: positions), from hr.yaml's folder
    talent_map: TalentMap = TalentMap()


_SETTINGS = TypeAdapter(HrSettings)


def load_settings(path: Path) -> HrSettings:
    """hr.yaml validated; ProblemsFound (InvalidFile) names each problem's line and field."""
    return validate(read_yaml(path), _SETTINGS, HrSettings)


@dataclass(frozen=True)
class Requirements:
    """The HR workspace's framework and positions: what each position requires of each competency."""

    framework: Framework
    positions: Positions | None  # None: hr.yaml names no positions file
    positions_file: str | None


def shipped_positions() -> dict[str, Path]:
    """The shipped positions files (kind: positions) by id."""
    found = {}
    for path in sorted(shipped_banks_dir().glob("*.yaml")):
        head = path.read_text(encoding="utf-8")[:4000]
        if "\nkind: positions" in head:
            found[load_file(path).document.id] = path
    return found


def load_requirements(folder: Path, settings: HrSettings) -> Requirements:
    """hr.yaml's framework and positions file, validated with the shipped frameworks and sources; the
    positions file named by path (from hr.yaml's folder) or by a shipped file's id."""
    where = str(folder / HR_FILE)
    framework_id = settings.framework or DEFAULT_FRAMEWORK
    paths: list[str] = []
    local = folder / framework_id
    if local.is_file():
        paths.append(str(local))
    positions_path = None
    if settings.positions:
        candidate = folder / settings.positions
        shipped = {} if candidate.exists() else shipped_positions()
        positions_path = candidate if candidate.exists() else shipped.get(settings.positions)
        if positions_path is None:
            known = ", ".join(sorted(shipped)) or "-"
            problem = Problem(
                "HR-POSITIONS-NOT-FOUND",
                {"name": settings.positions, "known": known},
                where,
                field="positions",
            )
            raise ProblemsFound([problem])
        paths.append(str(positions_path))
    library = load(paths)
    frameworks = library.frameworks
    if local.is_file():
        framework = next(
            f.document for f in library.files if Path(f.context.file).resolve() == local.resolve()
        )
    elif framework_id in frameworks:
        framework = frameworks[framework_id]
    else:
        known = ", ".join(sorted(frameworks)) or "-"
        raise ProblemsFound(
            [Problem("HR-FRAMEWORK-UNKNOWN", {"id": framework_id, "known": known}, where, field="framework")]
        )
    positions = library.positions[0] if settings.positions else None
    if positions is not None and positions.framework != framework.id:
        params = {"positions": positions.framework, "framework": framework.id}
        raise ProblemsFound(
            [Problem("HR-POSITIONS-FRAMEWORK", params, str(positions_path), field="framework")]
        )
    return Requirements(framework, positions, str(positions_path) if positions_path else None)
