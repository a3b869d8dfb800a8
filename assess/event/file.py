"""Reading `assessment.yaml` with located errors, and building its phases' forms.

The event's banks are named by path (from the file's folder) or shipped id;
a blueprint the banks cannot satisfy is reported at its cell, naming the
shortfall.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter

from assess.bank.errors import Context
from assess.bank.loader import Library, load, read_yaml, shipped_bank_ids, validate
from assess.bank.model import ItemBase
from assess.event import Event
from assess.forms import BlueprintShortfall, Form, build_form
from assess.i18n import N_
from assess.problems import Phrase, Problem, ProblemsFound

_EVENT = TypeAdapter(Event)
DIFFICULTY_NAMES = {
    "easy": N_("easy"),
    "medium": N_("medium"),
    "hard": N_("hard"),
    None: N_("any difficulty"),
}


@dataclass
class LoadedEvent:
    event: Event
    context: Context  # the assessment.yaml file, for locating problems
    library: Library
    pool: dict[str, list[ItemBase]]  # the event's banks: bank id -> items


def load_event(path: Path) -> LoadedEvent:
    """The event of `path` with its banks; ProblemsFound lists every problem, located."""
    ctx = read_yaml(path)
    event: Event = validate(ctx, _EVENT, Event)
    shipped = None
    arguments, problems = [], []
    for i, ref in enumerate(event.banks):
        local = path.parent / ref
        if local.is_dir():  # its YAML files, but not this event file itself
            found = [p for p in sorted(local.rglob("*.y*ml")) if p.resolve() != path.resolve()]
            arguments.extend(str(p) for p in found if p.suffix in (".yaml", ".yml"))
            continue
        if local.exists():
            arguments.append(str(local))
            continue
        shipped = shipped if shipped is not None else shipped_bank_ids()
        if ref in shipped:
            arguments.append(ref)
        else:
            problems.append(ctx.problem("EVENT-BANK-NOT-FOUND", ("banks", i), {"name": ref}))
    if problems:
        raise ProblemsFound(problems)
    library = load(arguments)
    pool = {b.id: list(b.items) for b in library.banks}
    problems.extend(_blueprint_problems(event, ctx, library, pool))
    if problems:
        raise ProblemsFound(problems)
    return LoadedEvent(event, ctx, library, pool)


def _blueprint_problems(event: Event, ctx: Context, library: Library, pool: dict) -> list[Problem]:
    known = {c for b in library.banks for c in library.competencies(b)}
    problems = []
    for p, phase in enumerate(event.phases):
        if phase.blueprint is None:
            continue
        for i, bank in enumerate(phase.blueprint.banks or []):
            if bank not in pool:
                path = ("phases", p, "blueprint", "banks", i)
                problems.append(ctx.problem("EVENT-BANK-UNKNOWN", path, {"id": bank}))
        for i, cell in enumerate(phase.blueprint.cells):
            if cell.competency not in known:
                path = ("phases", p, "blueprint", "cells", i, "competency")
                problems.append(ctx.problem("EVENT-COMPETENCY-UNKNOWN", path, {"id": cell.competency}))
    return problems


def _owner(event: Event, phase_id: str) -> int:
    """Index of the phase whose blueprint `phase_id` draws with."""
    phase = event.phase(phase_id)
    while phase.blueprint is None:
        phase = event.phase(phase.same_items or phase.parallel_to)  # type: ignore[arg-type]
    return event.phases.index(phase)


def build_phase(
    loaded: LoadedEvent, phase_id: str, earlier: dict[str, Form], secret: bytes | None = None
) -> Form:
    """One phase's form (with the event's `secret`, a workspace's; without, an example draw);
    ProblemsFound names every blueprint cell the banks cannot fill, at the cell."""
    event, ctx = loaded.event, loaded.context
    try:
        return build_form(event, phase_id, loaded.pool, earlier, secret=secret)
    except BlueprintShortfall as e:
        owner = _owner(event, phase_id)
        problems = []
        for s in e.shortfalls:
            params = {
                "phase": phase_id,
                "competency": s.competency,
                "difficulty": Phrase(DIFFICULTY_NAMES[s.difficulty]),
                "need": s.need,
                "have": s.have,
            }
            path = ("phases", owner, "blueprint", "cells", s.cell)
            problems.append(ctx.problem("FORM-SHORTFALL", path, params))
        raise ProblemsFound(problems) from None


def build_forms(loaded: LoadedEvent, secret: bytes | None = None) -> dict[str, Form]:
    """Every phase's form, in order (nothing stored), drawn with the event's `secret` when given (see
    build_phase); every shortfall of every phase reported."""
    forms: dict[str, Form] = {}
    problems = []
    for phase in loaded.event.phases:
        needs = [r for r in (phase.same_items, phase.parallel_to) if r is not None]
        if any(r not in forms for r in needs):
            continue  # the phase it depends on failed: reported there
        try:
            forms[phase.id] = build_phase(loaded, phase.id, forms, secret)
        except ProblemsFound as e:
            problems.extend(e.problems)
    if problems:
        raise ProblemsFound(problems)
    return forms
