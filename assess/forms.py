"""Blueprint -> frozen Form snapshot; seeded shuffles, paper variants, personal orders (pure: no I/O).

A form is everything needed to deliver and score one phase, frozen: the items
with their content and keys, the scoring policy and grading, the seed, the
paper variants' orders and a content hash. Once an attempt starts on a form,
editing a bank never changes how that attempt is scored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from assess.bank.model import Id, Item, ItemBase, Matching, Model, Ordering
from assess.event import Blueprint, Cell, Event
from assess.event.policy import Grading, ScoringPolicy
from assess.seeded import Stream


class ItemOrder(Model):
    """An order of a form's items and, per item, of its options (matching: its choices)."""

    items: list[Id]
    options: dict[Id, list[Id]] = {}


def content_hash(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Variant(ItemOrder):
    label: Annotated[str, Field(pattern=r"^[A-Z]$")]


# How a form's personal orders are seeded. "person-id": by the bare person id, which a participant can
# read (forms built before event secrets, and example draws without one). "keyed": by the participant
# key, an HMAC under the event's secret (participant_key).
PERSON_ID, KEYED = "person-id", "keyed"


class Form(Model):
    event: Id
    phase: Id
    seed: Annotated[int, Field(ge=0)]
    items: Annotated[list[Item], Field(min_length=1)]  # in the form's own order
    banks: dict[Id, Id]  # item id -> bank id it came from
    policy: ScoringPolicy
    grading: Grading
    shuffle_items: bool
    shuffle_options: bool
    variants: Annotated[list[Variant], Field(min_length=1)]
    # Left at its default, it is left out of the hash: a form stored before the field existed verifies.
    personal_key: Literal["person-id", "keyed"] = PERSON_ID
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]

    @model_validator(mode="after")
    def _hash_matches(self) -> Self:
        if self.hash != self.content_hash():
            raise PydanticCustomError("form_hash", "the form's content does not match its hash")
        return self

    def content_hash(self) -> str:
        """sha256 of everything in the form but the hash itself.

        Fields left at their defaults are left out, so that a field added to the
        models later (with a default) does not change the hash of stored forms.
        """
        return content_hash(self.model_dump(mode="json", exclude={"hash"}, exclude_defaults=True))

    def item(self, item_id: str) -> ItemBase:
        return next(i for i in self.items if i.id == item_id)

    def variant(self, label: str) -> Variant:
        return next(v for v in self.variants if v.label == label)


@dataclass(frozen=True)
class Shortfall:
    """A blueprint cell the banks cannot fill."""

    phase: str
    cell: int  # index in the blueprint's cells
    competency: str
    difficulty: str | None
    need: int
    have: int


class BlueprintShortfall(ValueError):
    """The banks cannot satisfy a blueprint; `shortfalls` names every cell short and by how much."""

    def __init__(self, shortfalls: Sequence[Shortfall]):
        self.shortfalls = list(shortfalls)
        super().__init__(
            "; ".join(
                f"{s.competency}/{s.difficulty or 'any'}: need {s.need}, have {s.have}" for s in shortfalls
            )
        )


def phase_seed(event_id: str, phase_id: str) -> int:
    """A phase's seed from its ids alone, stable across machines and Python versions: the default of
    a draw without the event's secret (an example), and of forms built before event secrets."""
    return int.from_bytes(hashlib.sha256(f"{event_id}/{phase_id}".encode()).digest()[:8], "big") >> 1


def _hmac(secret: bytes, text: str) -> bytes:
    return hmac.new(secret, text.encode(), hashlib.sha256).digest()


def keyed_seed(secret: bytes, event_id: str, phase_id: str) -> int:
    """A phase's default seed in a workspace: HMAC-SHA256 of `<event>/<phase>` under the event's
    secret, its first 63 bits (the range of phase_seed). Nobody without the secret can compute it."""
    return int.from_bytes(_hmac(secret, f"{event_id}/{phase_id}")[:8], "big") >> 1


def participant_key(secret: bytes, phase_id: str, person_id: str) -> str:
    """What a keyed form seeds a participant's personal order with: HMAC-SHA256 of
    `<phase>/<person_id>` under the event's secret, in hex. The person id is no secret (the
    participant's cookie shows it); the key is, so nobody can compute their own or a neighbour's order."""
    return _hmac(secret, f"{phase_id}/{person_id}").hex()


def _matches(item: ItemBase, cell: Cell, blueprint_types: Sequence[str] | None = None) -> bool:
    types = cell.types if cell.types is not None else blueprint_types
    return (
        item.primary_competency == cell.competency
        and cell.difficulty in (None, item.difficulty)
        and (types is None or item.type in types)  # type: ignore[attr-defined]
    )


def _cell_order(cells: list[Cell]) -> list[int]:
    # Cells with their own types (an essay cell) draw first: their items are few, and clusters taken
    # by other cells could leave them none. Then cells with a difficulty, so that an "any
    # difficulty" cell of the same competency takes what they leave.
    return sorted(range(len(cells)), key=lambda i: (cells[i].types is None, cells[i].difficulty is None))


def draw(
    blueprint: Blueprint,
    pool: Sequence[ItemBase],
    rng: Stream,
    *,
    phase: str,
    exclude: Sequence[ItemBase] = (),
    fixed: Sequence[ItemBase] = (),
) -> list[ItemBase]:
    """Items for every cell of `blueprint`, from `pool`, none of `exclude`.

    `fixed` items (anchors) count toward their cells. At most one item of a `cluster` is drawn, none
    of the clusters of `exclude` or `fixed`. Raises BlueprintShortfall naming every cell the pool
    cannot fill.
    """
    taken = {i.id for i in [*exclude, *fixed]}
    clusters = {i.cluster for i in [*exclude, *fixed] if i.cluster}
    candidates = sorted((i for i in pool if i.status == "ready"), key=lambda i: i.id)
    chosen: dict[int, list[ItemBase]] = {}
    free_fixed = list(fixed)
    shortfalls = []
    for index in _cell_order(blueprint.cells):
        cell = blueprint.cells[index]
        mine = [i for i in free_fixed if _matches(i, cell, blueprint.types)][: cell.count]
        for i in mine:
            free_fixed.remove(i)
        need = cell.count - len(mine)
        available = [
            i
            for i in candidates
            if _matches(i, cell, blueprint.types) and i.id not in taken and i.cluster not in clusters
        ]
        room = _room(available)
        if room < need:
            shortfalls.append(Shortfall(phase, index, cell.competency, cell.difficulty, need, room))
            continue
        picked = _pick(available, need, rng)
        taken.update(i.id for i in picked)
        clusters.update(i.cluster for i in picked if i.cluster)
        chosen[index] = mine + picked
    if shortfalls:
        raise BlueprintShortfall(sorted(shortfalls, key=lambda s: s.cell))
    return [i for index in range(len(blueprint.cells)) for i in chosen[index]]


def _room(items: Sequence[ItemBase]) -> int:
    """How many of `items` one form can hold: every item outside a cluster, one of each cluster."""
    return sum(1 for i in items if not i.cluster) + len({i.cluster for i in items if i.cluster})


def _pick(available: Sequence[ItemBase], need: int, rng: Stream) -> list[ItemBase]:
    """`need` items drawn at random, at most one of a cluster. Without a clash the first sample is
    the draw, so that banks without clusters draw as before."""
    picked: list[ItemBase] = []
    clusters: set[str] = set()
    while len(picked) < need:
        left = [i for i in available if i not in picked and i.cluster not in clusters]
        for k in rng.sample_indexes(len(left), need - len(picked)):
            item = left[k]
            if item.cluster is None or item.cluster not in clusters:
                picked.append(item)
                clusters.update([item.cluster] if item.cluster else [])
    return picked


def _shuffled_parts(item: ItemBase) -> list[str]:
    if isinstance(item, Matching):
        return [c.id for c in item.choices]
    return [o.id for o in getattr(item, "options", [])]


def _not_the_key_order(item: ItemBase, order: list[str]) -> bool:
    """An ordering item must not be shown in its correct order, nor matching choices lined up with the key."""
    if isinstance(item, Ordering):
        return order != list(item.key)
    if isinstance(item, Matching):
        lined_up = [item.key[p.id] for p in item.prompts]
        return order[: len(lined_up)] != lined_up
    return True


def option_order(item: ItemBase, rng: Stream, shuffle: bool) -> list[str]:
    """The order a participant sees an item's options (matching: choices) in."""
    parts = _shuffled_parts(item)
    must = isinstance(item, Ordering | Matching)
    if not parts or not (shuffle or must):
        return parts
    for _ in range(100):
        order = rng.shuffled(parts)
        if _not_the_key_order(item, order) or len(parts) < 2:
            return order
    # Practically unreachable (the key order is one of n! >= 2 orders): take the first order
    # that is not the key's, trying the rotations.
    rotations = [parts[k:] + parts[:k] for k in range(1, len(parts))]
    return next((r for r in rotations if _not_the_key_order(item, r)), parts)


def make_order(
    form_items: Sequence[ItemBase], rng: Stream, *, shuffle_items: bool, shuffle_options: bool
) -> ItemOrder:
    ids = [i.id for i in form_items]
    if shuffle_items:
        ids = rng.shuffled(ids)
    options = {i.id: option_order(i, rng, shuffle_options) for i in form_items}
    return ItemOrder(items=ids, options={k: v for k, v in options.items() if v})


def shown(order: ItemOrder, item: ItemBase) -> list[str]:
    """The option ids of `item` (matching: its choices) in the order `order` shows them."""
    return order.options.get(item.id, _shuffled_parts(item))


def answer_at(order: ItemOrder, item: ItemBase, positions: Sequence[int]) -> list[str]:
    """The option ids at the shown positions a participant (or an answer sheet) gave."""
    ids = shown(order, item)
    return [ids[p] for p in positions]


def positions_of(order: ItemOrder, item: ItemBase, ids: Sequence[str]) -> list[int]:
    """Where the given option ids are shown: the letters a participant would mark."""
    shown_ids = shown(order, item)
    return [shown_ids.index(i) for i in ids]


def default_seed(event_id: str, phase_id: str, secret: bytes | None) -> int:
    """The seed of a phase whose assessment.yaml gives none: keyed by the event's secret, or (without
    one: an example draw) from the ids alone."""
    return phase_seed(event_id, phase_id) if secret is None else keyed_seed(secret, event_id, phase_id)


def build_form(
    event: Event,
    phase_id: str,
    pool: dict[str, list[ItemBase]],
    earlier: dict[str, Form] | None = None,
    *,
    secret: bytes | None = None,
) -> Form:
    """The form of one phase. `pool` maps bank ids to their items; `earlier` holds
    the forms of the phases this one refers to (same_items, parallel_to).

    `secret` is the event's "orders" secret (a workspace's): it keys the default seed and the
    form's personal orders. Without it (a bare assessment.yaml) the draw is an example: the seed
    comes from the ids and personal orders from the bare person id."""
    earlier = earlier or {}
    phase = event.phase(phase_id)
    blueprint = event.blueprint_of(phase_id)
    seed = phase.seed if phase.seed is not None else default_seed(event.event.id, phase_id, secret)
    rng = Stream(seed, "draw")
    bank_of = {i.id: bank for bank, items in pool.items() for i in items}
    for other in earlier.values():  # reused items keep the bank they came from
        bank_of.update(other.banks)
    banks = blueprint.banks or list(pool)
    candidates = [i for b in banks for i in pool.get(b, [])]
    if phase.same_items is not None:
        items = list(earlier[phase.same_items].items)
    elif phase.parallel_to is not None:
        other = earlier[phase.parallel_to]
        anchor_rows = rng.sample_indexes(len(other.items), min(phase.anchors, len(other.items)))
        anchors = [other.items[k] for k in anchor_rows]
        items = draw(blueprint, candidates, rng, phase=phase_id, exclude=other.items, fixed=anchors)
    else:
        items = draw(blueprint, candidates, rng, phase=phase_id)
    variants = [
        Variant(
            label=chr(ord("A") + v),
            **make_order(
                items,
                Stream(seed, "variant", str(v)),
                shuffle_items=blueprint.shuffle_items and v > 0,
                shuffle_options=blueprint.shuffle_options,
            ).model_dump(),
        )
        for v in range(blueprint.variants)
    ]
    draft = Form.model_construct(
        event=event.event.id,
        phase=phase_id,
        seed=seed,
        items=items,
        banks={i.id: bank_of.get(i.id, "") for i in items},
        policy=event.scoring_of(phase_id),
        grading=event.grading,
        shuffle_items=blueprint.shuffle_items,
        shuffle_options=blueprint.shuffle_options,
        variants=variants,
        personal_key=PERSON_ID if secret is None else KEYED,
    )
    return Form.model_validate({**draft.model_dump(mode="json"), "hash": draft.content_hash()})


def personal_order(form: Form, participant: str, secret: bytes | None = None) -> ItemOrder:
    """The order one participant (a person id) sees on a screen, derived from the form's seed and the
    participant's key: on a keyed form participant_key under the event's `secret` (required), on a
    form built before event secrets the bare person id."""
    if form.personal_key == KEYED:
        if secret is None:
            raise ValueError("a keyed form's personal orders need the event's secret")
        key = participant_key(secret, form.phase, participant)
    else:
        key = participant
    return make_order(
        form.items,
        Stream(form.seed, "participant", key),
        shuffle_items=form.shuffle_items,
        shuffle_options=form.shuffle_options,
    )


# -- how a form drawn now differs from the stored one ------------------------------------------------

WORDING = frozenset(
    {"stem", "topic", "difficulty", "cognitive_level", "explanation", "source", "status", "tags"}
    | {"lint_ignore", "translations", "model_answer", "min_words", "max_words"}
)
LABELS = frozenset({"text", "label", "description"})  # of options, prompts, choices and rubric levels


@dataclass(frozen=True)
class Drift:
    """What differs between the stored form of a phase and the form drawn now from assessment.yaml and
    the banks. The stored form is what scores: a drift is told, never applied."""

    only_stored: list[str]  # items of the stored form the draw no longer gives
    only_drawn: list[str]  # items the draw gives that the stored form has not
    keys: list[str]  # items in both whose key, accepted answers, options or rubric differ
    points: list[str]
    competencies: list[str]
    wording: list[str]  # stems, explanations, translations, labels
    policy: bool  # the scoring policy
    grading: bool  # bands, pass mark, competency levels

    @property
    def differs(self) -> bool:
        return bool(
            self.only_stored or self.only_drawn or self.keys or self.points or self.competencies
        ) or bool(self.wording or self.policy or self.grading)


def drift(stored: Form, drawn: Form) -> Drift:
    old = {i.id: i.model_dump(mode="json") for i in stored.items}
    new = {i.id: i.model_dump(mode="json") for i in drawn.items}
    changed: dict[str, list[str]] = {"keys": [], "points": [], "competencies": [], "wording": []}
    for item_id in [i for i in old if i in new]:
        kinds = {
            _kind(field, old[item_id].get(field), new[item_id].get(field))
            for field in {*old[item_id], *new[item_id]}
        }
        for kind in sorted(kinds - {None}):
            changed[kind].append(item_id)
    return Drift(
        only_stored=[i for i in old if i not in new],
        only_drawn=[i for i in new if i not in old],
        **changed,
        policy=stored.policy != drawn.policy,
        grading=stored.grading != drawn.grading,
    )


def _kind(field: str, before, after) -> str | None:
    """Which kind of change a field of an item makes, or None when it is the same."""
    if before == after:
        return None
    if field in ("points", "competencies"):
        return field
    if field in WORDING:
        return "wording"
    if (
        isinstance(before, list)
        and isinstance(after, list)
        and field in ("options", "prompts", "choices", "rubric")
    ):
        bare = [[{k: v for k, v in e.items() if k not in LABELS} for e in side] for side in (before, after)]
        return "wording" if bare[0] == bare[1] else "keys"
    return "keys"
