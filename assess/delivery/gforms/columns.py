"""Which item (and which prompt or option) each column of a Google Forms export answers (pure).

A column is matched by an explicit mapping (its title, or its number, ->
"item-id", "item-id/part-id", or nothing to ignore it), else by the stem of
an item of the phase's form (or a translation's, or its first paragraph),
as plain text. A grid column "Title [Row]" answers one prompt of a matching
item or one option of an ordering item.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assess.bank.model import ItemBase, Matching, Ordering
from assess.delivery.gforms.text import plain, stems, texts
from assess.delivery.imports import Note
from assess.forms import Form
from assess.i18n import N_
from assess.problems import Found, Phrase, found_name


@dataclass(frozen=True)
class MappingEntry:
    """One line of a mapping file: a column (title, or number) -> item id, "item/part" or None."""

    key: Any
    value: Any
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class Target:
    item: ItemBase
    part: str | None = None  # a matching prompt or an ordering option, for a grid column


def match_columns(
    headers: list[str],
    used: set[int],
    form: Form,
    mapping: Sequence[MappingEntry],
    mapping_file: str | None,
    found: Found,
    notes: list[Note],
    line: int,
) -> tuple[dict[int, Target], list[int]]:
    """Which item (and part) each question column answers; the columns left unmatched."""
    items = {i.id: i for i in form.items}
    by_title, by_number = _read_mapping(mapping, items, mapping_file, found, form.phase)
    by_stem: dict[str, list[ItemBase]] = {}
    for item in form.items:
        for s in stems(item):
            by_stem.setdefault(s, []).append(item)
    targets: dict[int, Target] = {}
    unmatched: list[int] = []
    mapped: set = set()
    for i, title in enumerate(headers):
        if i in used or not title:
            continue
        at = {"line": line, "column": i + 1, "field": title}
        grid = re.fullmatch(r"(.*?)\s*\[([^\[\]]*)\]", title)
        key: Any = i + 1 if i + 1 in by_number else plain(title)
        if key in by_number or key in by_title:
            mapped.add(key)
            entry = by_number[key] if isinstance(key, int) else by_title[key]
            target = _mapped_target(entry, items, grid, at, found)
        else:
            matches, by_grid = _stem_matches(by_stem, title, grid)
            if len(matches) > 1:
                found.add("RESPONSES-GFORMS-COLUMN-AMBIGUOUS", **at, ids=", ".join(m.id for m in matches))
                continue
            if not matches:
                unmatched.append(i)
                continue
            target = _grid_target(matches[0], grid.group(2), at, found) if by_grid else Target(matches[0])
        if target is not None:  # else reported, or a column the mapping ignores
            _add_target(targets, i, target, at, found)
    _note_unused_mapping(mapping, mapped, notes)
    return targets, _report_missing_items(form, targets, unmatched, headers, found, line)


def _mapped_target(
    entry: str | None, items: dict, grid: re.Match | None, at: dict, found: Found
) -> Target | None:
    """The target the mapping gives a column, or None when it says to ignore it or its grid row is unknown."""
    if entry is None:
        return None  # the mapping says: ignore this column
    item_id, _, part = entry.partition("/")
    item = items[item_id]
    if part:
        return Target(item, part)
    if grid and isinstance(item, Matching | Ordering):
        return _grid_target(item, grid.group(2), at, found)
    return Target(item)


def _stem_matches(
    by_stem: dict[str, list[ItemBase]], title: str, grid: re.Match | None
) -> tuple[list[ItemBase], bool]:
    """(The items whose stem is the title, False), else (the grid items of its part before "[Row]", True)."""
    matches = by_stem.get(plain(title), [])
    if matches or not grid:
        return matches, False
    return [m for m in by_stem.get(plain(grid.group(1)), []) if isinstance(m, Matching | Ordering)], True


def _add_target(targets: dict[int, Target], i: int, target: Target, at: dict, found: Found) -> None:
    """Take `target` for column `i`, unless it is a whole matching item or another column answers it."""
    if isinstance(target.item, Matching) and target.part is None:
        found.add("RESPONSES-GFORMS-MATCHING-GRID", **at, item=target.item.id)
        return
    clash = next((c for c, t in targets.items() if _overlap(t, target)), None)
    if clash is not None:
        found.add("RESPONSES-GFORMS-COLUMN-DUPLICATE", **at, item=target.item.id, other=clash + 1)
        return
    targets[i] = target


def _note_unused_mapping(mapping: Sequence[MappingEntry], mapped: set, notes: list[Note]) -> None:
    """A note for each entry of the mapping that matches no column of the file."""
    for entry in mapping:
        key = entry.key if isinstance(entry.key, int) else plain(str(entry.key))
        if isinstance(entry.key, str | int) and not isinstance(entry.key, bool) and key not in mapped:
            notes.append(
                Note(Phrase(N_("mapping {key!r} matches no column of the file"), {"key": entry.key}))
            )


def _report_missing_items(
    form: Form, targets: dict[int, Target], unmatched: list[int], headers: list[str], found: Found, line: int
) -> list[int]:
    """Report the items and grid parts no column answers; the columns left unmatched (none if one is)."""
    missing = []
    for item in form.items:
        mine = [t for t in targets.values() if t.item.id == item.id]
        parts = _parts(item)
        if not mine:
            missing.append(item)
        elif mine[0].part is not None:
            for p in [p for p in parts if p not in {t.part for t in mine}]:
                found.add("RESPONSES-GFORMS-PART-MISSING", line, item=item.id, part=p)
    suggested = _closest(missing, unmatched, headers)
    for item in missing:
        if item.id in suggested:
            k = suggested[item.id]
            found.add(
                "RESPONSES-GFORMS-ITEM-MISSING-SUGGEST", line, k + 1, headers[k], item=item.id, stem=item.stem
            )
        else:
            found.add("RESPONSES-GFORMS-ITEM-MISSING", line, item=item.id, stem=item.stem)
    if missing:
        for i in unmatched:
            found.add("RESPONSES-GFORMS-COLUMN-UNMATCHED", line, i + 1, headers[i], phase=form.phase)
        return []
    return unmatched


def _closest(items: list[ItemBase], columns: list[int], headers: list[str]) -> dict[str, int]:
    """For items without a column, the unmatched column most like each stem (each column once)."""
    pairs = sorted(
        (
            (difflib.SequenceMatcher(None, s, plain(headers[c])).ratio(), n, item.id, c)
            for n, item in enumerate(items)
            for c in columns
            for s in stems(item)
        ),
        reverse=True,
    )
    chosen: dict[str, int] = {}
    for ratio, _, item_id, c in pairs:
        if ratio >= 0.6 and item_id not in chosen and c not in chosen.values():
            chosen[item_id] = c
    return chosen


def _overlap(a: Target, b: Target) -> bool:
    """Two columns answering the same item, or the same part of it."""
    return a.item.id == b.item.id and (a.part is None or b.part is None or a.part == b.part)


def _parts(item: ItemBase) -> list[str]:
    if isinstance(item, Matching):
        return [p.id for p in item.prompts]
    if isinstance(item, Ordering):
        return [o.id for o in item.options]
    return []


def _grid_target(item: ItemBase, row_text: str, at: dict, found: Found) -> Target | None:
    rows = texts(item, "prompts" if isinstance(item, Matching) else "options")
    part = rows.get(plain(row_text))
    if part is None:
        found.add("RESPONSES-GFORMS-GRID-ROW-UNKNOWN", **at, item=item.id, row=row_text)
        return None
    return Target(item, part)


def _read_mapping(
    mapping: Sequence[MappingEntry], items: dict, file: str | None, found: Found, phase: str
) -> tuple[dict[str, str | None], dict[int, str | None]]:
    by_title: dict[str, str | None] = {}
    by_number: dict[int, str | None] = {}
    for e in mapping:
        at = {"line": e.line, "column": e.column}
        where = Found(file or "")
        if isinstance(e.key, bool) or not isinstance(e.key, str | int):
            where.add("RESPONSES-MAPPING-KEY", **at, found=found_name(e.key))
        elif e.value is not None and not isinstance(e.value, str):
            where.add("RESPONSES-MAPPING-VALUE", **at, field=str(e.key), found=found_name(e.value))
        elif e.value is not None:
            item_id, _, part = e.value.partition("/")
            if item_id not in items:
                where.add("RESPONSES-MAPPING-ITEM-UNKNOWN", **at, field=str(e.key), id=item_id, phase=phase)
            elif part and part not in _parts(items[item_id]):
                where.add("RESPONSES-MAPPING-PART-UNKNOWN", **at, field=str(e.key), id=item_id, part=part)
        if where.problems:
            found.problems.extend(where.problems)
        elif isinstance(e.key, int):
            by_number[e.key] = e.value
        else:
            by_title[plain(e.key)] = e.value
    return by_title, by_number
