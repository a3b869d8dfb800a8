"""Checks between files: repeated ids, and competencies and sources that do not exist.

They run on what each bank says about its items, taken from the validated
model, or, for a file with other problems, from its raw data as far as it
can be read, so that one run reports every problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from assess.bank.documents import DEFAULT_FRAMEWORK, Bank, Framework, Positions, SourcesRegistry
from assess.bank.errors import Context
from assess.problems import Problem


@dataclass(frozen=True)
class ItemRefs:
    index: int
    id: str | None
    competencies: list[str]
    sources: list[str]
    source_is_one: bool  # `source: x` rather than `source: [x]`
    stem: str | None = None  # a ready item's stem, case and whitespace normalised (two must differ)


@dataclass(frozen=True)
class BankRefs:
    context: Context
    id: str | None
    framework: str | None
    items: list[ItemRefs]


def refs_of_bank(bank: Bank, context: Context) -> BankRefs:
    return BankRefs(
        context,
        bank.id,
        bank.framework,
        [
            ItemRefs(
                i,
                item.id,
                item.competencies,
                item.source,
                isinstance(context.value(("items", i, "source")), str),
                stem_key(item.stem) if item.status == "ready" else None,
            )
            for i, item in enumerate(bank.items)
        ],
    )


def stem_key(stem: str) -> str:
    """A stem as two ready items may not share it: case and whitespace do not count."""
    return " ".join(stem.casefold().split())


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def refs_of_raw(context: Context) -> BankRefs | None:
    """What an invalid bank file says about its items, as far as it can be read."""
    data = context.data
    if not isinstance(data, dict) or data.get("kind") != "bank":
        return None
    items = data.get("items") if isinstance(data.get("items"), list) else []
    framework = data.get("framework", DEFAULT_FRAMEWORK)
    return BankRefs(
        context,
        data.get("id") if isinstance(data.get("id"), str) else None,
        framework if isinstance(framework, str) else None,
        [
            ItemRefs(
                i,
                item.get("id") if isinstance(item.get("id"), str) else None,
                _texts(item.get("competencies")) if isinstance(item.get("competencies"), list) else [],
                _texts(item.get("source")),
                isinstance(item.get("source"), str),
                stem_key(item["stem"])
                if item.get("status") == "ready" and isinstance(item.get("stem"), str)
                else None,
            )
            for i, item in enumerate(items)
            if isinstance(item, dict)
        ],
    )


def check(
    banks: list[BankRefs],
    frameworks: list[tuple[Framework, Context, bool]],
    registries: list[tuple[SourcesRegistry, Context, bool]],
    positions: Sequence[tuple[Positions, Context, bool]] = (),
) -> list[Problem]:
    """Every problem between files. Shipped files (the bool) come first in each list."""
    problems: list[Problem] = []
    sources: dict[str, tuple[Context, int]] = {}
    for registry, ctx, _shipped in sorted(registries, key=lambda r: not r[2]):
        for i, s in enumerate(registry.sources):
            if s.id in sources:
                other, j = sources[s.id]
                params = {"id": s.id, "other": _place(other, ("sources", j))}
                problems.append(ctx.problem("SOURCES-DUPLICATE-ELSEWHERE", ("sources", i, "id"), params))
            else:
                sources[s.id] = (ctx, i)
    known_frameworks: dict[str, Framework] = {}
    first_framework: dict[str, Context] = {}
    for framework, ctx, _shipped in sorted(frameworks, key=lambda r: not r[2]):
        if framework.id in first_framework:
            params = {"id": framework.id, "other": first_framework[framework.id].file}
            problems.append(ctx.problem("FRAMEWORK-DUPLICATE-FRAMEWORK-ID", ("id",), params))
            continue
        first_framework[framework.id] = ctx
        known_frameworks[framework.id] = framework
        for i, comp in enumerate(framework.competencies):
            for j, level in enumerate(comp.levels):
                if level.source is not None and level.source not in sources:
                    path = ("competencies", i, "levels", j, "source")
                    problems.append(ctx.problem("FRAMEWORK-SOURCE-UNKNOWN", path, {"id": level.source}))
    problems.extend(_bank_problems(banks, known_frameworks, sources))
    for document, ctx, _shipped in positions:
        problems.extend(_position_problems(document, ctx, known_frameworks, sources))
    return problems


def _position_problems(
    document: Positions, ctx: Context, frameworks: dict[str, Framework], sources: dict
) -> list[Problem]:
    """A positions file's framework, the competencies each position requires, and its sources."""
    framework = frameworks.get(document.framework)
    if framework is None:
        known = ", ".join(sorted(frameworks)) or "-"
        return [
            ctx.problem(
                "POSITIONS-FRAMEWORK-UNKNOWN", ("framework",), {"id": document.framework, "known": known}
            )
        ]
    competencies = {c.id for c in framework.competencies}
    problems = []
    for i, position in enumerate(document.positions):
        for competency in position.requires:
            if competency not in competencies:
                path = ("positions", i, "requires", competency)
                params = {"id": competency, "framework": framework.id}
                problems.append(ctx.problem("POSITIONS-COMPETENCY-UNKNOWN", path, params))
        for j, source in enumerate(position.sources):
            if source not in sources:
                problems.append(
                    ctx.problem("POSITIONS-SOURCE-UNKNOWN", ("positions", i, "sources", j), {"id": source})
                )
    return problems


def _bank_problems(
    banks: list[BankRefs], frameworks: dict[str, Framework], sources: dict
) -> Iterator[Problem]:
    first_bank: dict[str, Context] = {}
    first_item: dict[str, tuple[Context, int]] = {}
    first_stem: dict[str, tuple[Context, int, str | None]] = {}
    for bank in banks:
        ctx = bank.context
        if bank.id is not None:
            if bank.id in first_bank:
                params = {"id": bank.id, "other": first_bank[bank.id].file}
                yield ctx.problem("BANK-DUPLICATE-BANK-ID", ("id",), params)
            first_bank.setdefault(bank.id, ctx)
        framework = frameworks.get(bank.framework) if bank.framework else None
        if bank.framework is not None and framework is None:
            yield ctx.problem("BANK-FRAMEWORK-UNKNOWN", ("framework",), {"id": bank.framework})
        known = {c.id for c in framework.competencies} if framework else None
        for item in bank.items:
            yield from _item_problems(bank, item, known, sources, first_item)
            if item.stem is None:
                continue
            if item.stem in first_stem:
                other, j, other_id = first_stem[item.stem]
                params = {"other": other_id or _place(other, ("items", j)), "at": _place(other, ("items", j))}
                yield ctx.problem("BANK-DUPLICATE-STEM", ("items", item.index, "stem"), params)
            else:
                first_stem[item.stem] = (ctx, item.index, item.id)


def _item_problems(
    bank: BankRefs, item: ItemRefs, known: set[str] | None, sources: dict, first_item: dict
) -> Iterable[Problem]:
    ctx, i = bank.context, item.index
    if item.id is not None:
        if item.id in first_item:
            other, j = first_item[item.id]
            params = {"id": item.id, "other": _place(other, ("items", j))}
            yield ctx.problem("BANK-DUPLICATE-ID", ("items", i, "id"), params)
        else:
            first_item[item.id] = (ctx, i)
    if known is not None:
        for j, comp in enumerate(item.competencies):
            if comp not in known:
                params = {"id": comp, "framework": bank.framework}
                yield ctx.problem("BANK-COMPETENCY-UNKNOWN", ("items", i, "competencies", j), params)
    for j, src in enumerate(item.sources):
        if src not in sources:
            path = ("items", i, "source") if item.source_is_one else ("items", i, "source", j)
            yield ctx.problem("BANK-SOURCE-UNKNOWN", path, {"id": src})


def _place(ctx: Context, path: tuple) -> str:
    pos = ctx.locator.position(path)
    return f"{ctx.file}:{pos[0]}" if pos else ctx.file
