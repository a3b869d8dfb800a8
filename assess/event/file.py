"""Reading `assessment.yaml` with located errors, and building its phases' forms.

The event's banks are named by path (from the file's folder) or shipped id;
a blueprint the banks cannot satisfy is reported at its cell, naming the
shortfall.

A workspace restored from a backup holds copies of every file its event loaded
(COPIES_FOLDER, listed in its PINS_FILE): such an event reads the copies,
never the shipped files installed now, so that it scores and reports as it did.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
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


COPIES_FOLDER = "salinan-cadangan"  # beside assessment.yaml: the files a backup carried
PINS_FILE = "daftar.json"  # in it: {"banks": {entry of `banks:`: [copy, ...]}, "others": [copy, ...]}


@dataclass(frozen=True)
class EventFile:
    """A file the event loaded: by which entry of `banks:` (None: a framework or sources registry taken
    from the shipped files because a bank refers to it), and whether it is an installed shipped file."""

    path: Path
    ref: str | None
    shipped: bool


@dataclass(frozen=True)
class Pinned:
    """Copies restored from a backup: what each entry of `banks:` loads, and the frameworks and sources
    registries beside them (which then replace the shipped ones)."""

    refs: dict[str, list[Path]]
    others: list[Path]


@dataclass
class LoadedEvent:
    event: Event
    context: Context  # the assessment.yaml file, for locating problems
    library: Library
    pool: dict[str, list[ItemBase]]  # the event's banks: bank id -> items
    files: list[EventFile] = field(default_factory=list)  # every file loaded, for a backup
    pinned: bool = False  # read from copies restored from a backup


def read_pins(folder: Path) -> Pinned | None:
    """The copies a restore wrote into `folder` (the workspace), or None where there are none."""
    pins = folder / COPIES_FOLDER / PINS_FILE
    if not pins.is_file():
        return None
    where = str(pins)
    try:
        data = json.loads(pins.read_text(encoding="utf-8"))
        refs = {str(ref): [pins.parent / name for name in names] for ref, names in data["banks"].items()}
        others = [pins.parent / name for name in data["others"]]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ProblemsFound([Problem("EVENT-COPIES-INVALID", {"reason": str(e)}, where)]) from None
    return Pinned(refs, others)


def load_event(path: Path) -> LoadedEvent:
    """The event of `path` with its banks; ProblemsFound lists every problem, located."""
    ctx = read_yaml(path)
    event: Event = validate(ctx, _EVENT, Event)
    pinned = read_pins(path.parent)
    shipped = None
    arguments, problems, files = [], [], []
    for i, ref in enumerate(event.banks):
        if pinned is not None and ref in pinned.refs:
            found = pinned.refs[ref]
            shipped_file = False
        else:
            found, shipped_file = [], False
            local = path.parent / ref
            if local.is_dir():  # its YAML files, but not this event file itself
                found = [p for p in sorted(local.rglob("*.y*ml")) if p.resolve() != path.resolve()]
                found = [p for p in found if p.suffix in (".yaml", ".yml")]
            elif local.exists():
                found = [local]
            else:
                shipped = shipped if shipped is not None else shipped_bank_ids()
                if ref in shipped:
                    found, shipped_file = [shipped[ref]], True
                else:
                    problems.append(ctx.problem("EVENT-BANK-NOT-FOUND", ("banks", i), {"name": ref}))
        arguments.extend(str(p) for p in found)
        files.extend(EventFile(p, ref, shipped_file) for p in found)
    if problems:
        raise ProblemsFound(problems)
    if pinned is None:
        library = load(arguments)
        files.extend(EventFile(Path(f.context.file), None, True) for f in library.files if f.shipped)
    else:
        library = load([*arguments, *(str(p) for p in pinned.others)], with_shipped=False)
        files.extend(EventFile(p, None, False) for p in pinned.others)
    pool = {b.id: list(b.items) for b in library.banks}
    problems.extend(_blueprint_problems(event, ctx, library, pool))
    if problems:
        raise ProblemsFound(problems)
    return LoadedEvent(event, ctx, library, pool, files, pinned is not None)


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
    for i, competency in enumerate(event.reporting.competencies or []):
        if competency not in known:
            path = ("reporting", "competencies", i)
            problems.append(ctx.problem("EVENT-COMPETENCY-UNKNOWN", path, {"id": competency}))
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


def competency_warnings(loaded: LoadedEvent, forms: dict[str, Form]) -> list[Problem]:
    """A warning per phase and competency the reports would show but whose assembled form carries it on
    fewer than `reporting.min_items_per_competency` items (counted as scoring counts them): the reports
    will say "too few items" there instead of a score."""
    event, ctx = loaded.event, loaded.context
    wanted, minimum = event.reporting.competencies, event.reporting.min_items_per_competency
    found = []
    for index, phase in enumerate(event.phases):
        form = forms.get(phase.id)
        if form is None:
            continue
        counts = Counter(c for item in form.items for c in dict.fromkeys(item.competencies))
        for competency in wanted if wanted is not None else list(counts):
            if counts[competency] < minimum:
                params = {
                    "phase": phase.id,
                    "competency": competency,
                    "n": counts[competency],
                    "min": minimum,
                }
                found.append(ctx.problem("EVENT-COMPETENCY-FEW-ITEMS", ("phases", index, "id"), params))
    return found
