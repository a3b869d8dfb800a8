"""What every import shares: questions read from a foreign file become items of a bank.

A reader turns a file into `Draft`s, one per question, each with the item's fields as far as the
format has them, where the question was, and what could not be carried over. `finish` gives them
ids, competencies and a status, validates each as an item, and returns the bank with a report:
per item what was carried and what was not; per question left out, why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import TypeAdapter, ValidationError

from assess.bank.documents import Bank
from assess.bank.errors import Context, problems_from
from assess.bank.model import ID_PATTERN, Item, ItemBase
from assess.event.policy import MultipleResponsePolicy
from assess.problems import Problem
from assess.scoring import option_weights

ITEM = TypeAdapter(Item)
_ID = re.compile(ID_PATTERN)
_NOT_ID = re.compile(r"[^A-Za-z0-9._-]+")
_PATH_PREFIX = re.compile(r"^\$[a-z]+\$/(top/)?")

# Tags that carry the item's metadata in formats that have only tags (Moodle, GIFT, QTI keywords).
COMPETENCY_TAGS = ("kompetensi", "competency")
DIFFICULTY_TAGS = ("tingkat", "difficulty")
LEVEL_TAGS = ("ranah", "cognitive")
SOURCE_TAGS = ("sumber", "source")
SCALE_TAGS = ("skala", "scale")
CLUSTER_TAGS = ("klaster", "cluster")
TOPIC_TAGS = ("topik", "topic")  # in formats with no category of their own (QTI)
POINTS_TAGS = ("poin", "points")  # in formats with no grade of their own (GIFT)
DIFFICULTY_WORDS = {
    "mudah": "easy", "sedang": "medium", "sulit": "hard", "sukar": "hard",
    "easy": "easy", "medium": "medium", "hard": "hard",
}  # fmt: skip
DIFFICULTY_TAG = {"easy": "mudah", "medium": "sedang", "hard": "sulit"}
COGNITIVE_WORDS = {
    "mengingat": "remember", "memahami": "understand", "menerapkan": "apply", "menganalisis": "analyze",
    "mengevaluasi": "evaluate", "mencipta": "create",
}  # fmt: skip
COGNITIVE_TAG = {v: k for k, v in COGNITIVE_WORDS.items()}
WEIGHTED_SCALE_DEFAULT = 5  # points = fraction x 5 when a weighted item names no scale


@dataclass
class Draft:
    """One question as a reader found it."""

    number: int  # its place among the file's questions, from 1
    line: int | None  # where it starts (line, row or paragraph number)
    fields: dict[str, Any] = field(default_factory=dict)  # the item's fields the format gave
    given_id: str | None = None  # the id the file gave it (Moodle idnumber, GIFT [id:])
    tags: list[str] = field(default_factory=list)
    notes: list[tuple[str, dict]] = field(default_factory=list)  # what was not carried over
    skip: tuple[str, dict] | None = None  # why it cannot become an item at all
    column: int | None = None
    draft_only: bool = False  # something is missing (an image): stays a draft even with --ready
    field: str | None = None  # where a refusal points within the question (a sheet's column header)

    def note(self, code: str, **params: Any) -> None:
        self.notes.append((code, params))

    def refuse(self, code: str, **params: Any) -> Draft:
        self.skip = (code, params)
        return self

    def refuse_at(self, column: int | None, field: str | None, code: str, **params: Any) -> Draft:
        self.column, self.field = column, field
        return self.refuse(code, **params)


@dataclass(frozen=True)
class Options:
    """How the imported items are named and marked."""

    bank_id: str
    title: str
    id_prefix: str
    competency: str | None = None
    language: str = "id"
    ready: bool = False
    known_competencies: frozenset[str] | None = None  # the framework's; None: not checked


@dataclass(frozen=True)
class Carried:
    """One item that was imported, and what of its question was not."""

    id: str
    type: str
    line: int | None
    notes: tuple[Problem, ...]


@dataclass(frozen=True)
class Imported:
    bank: Bank
    carried: tuple[Carried, ...]
    skipped: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()  # about the whole file (its encoding)


@dataclass
class Metadata:
    competencies: list[str] = field(default_factory=list)
    difficulty: str | None = None
    cognitive_level: str | None = None
    source: list[str] = field(default_factory=list)
    scale: tuple[float, float] | None = None
    points: float | None = None
    cluster: str | None = None
    topic: str | None = None
    tags: list[str] = field(default_factory=list)
    notes: list[tuple[str, dict]] = field(default_factory=list)


def _tag_parts(tag: str) -> tuple[str, str] | None:
    name, colon, value = tag.partition(":")
    return (name.strip().casefold(), value.strip()) if colon and value.strip() else None


def read_tags(tags: Iterable[str]) -> Metadata:
    """The item's metadata from tags such as `kompetensi:M.05`, `tingkat:sedang`, `skala:1-5`."""
    meta = Metadata()
    for tag in tags:
        parts = _tag_parts(tag)
        name, value = parts if parts else ("", "")
        if name in COMPETENCY_TAGS:
            meta.competencies += [c for c in re.split(r"[,\s]+", value) if c]
        elif name in DIFFICULTY_TAGS and value.casefold() in DIFFICULTY_WORDS:
            meta.difficulty = DIFFICULTY_WORDS[value.casefold()]
        elif name in LEVEL_TAGS and value.casefold() in {*COGNITIVE_WORDS, *COGNITIVE_TAG}:
            meta.cognitive_level = COGNITIVE_WORDS.get(value.casefold(), value.casefold())
        elif name in SOURCE_TAGS:
            meta.source.append(value)
        elif name in SCALE_TAGS and re.fullmatch(r"-?\d+(\.\d+)?\s*-\s*-?\d+(\.\d+)?", value):
            low, high = re.match(r"(-?[\d.]+)\s*-\s*(-?[\d.]+)", value).groups()
            meta.scale = (float(low), float(high))
        elif name in CLUSTER_TAGS:
            meta.cluster = value
        elif name in TOPIC_TAGS:
            meta.topic = tag.partition(":")[2]
        elif name in POINTS_TAGS and re.fullmatch(r"\d+(\.\d+)?", value) and float(value) > 0:
            meta.points = float(value)
        elif tag.strip():
            meta.tags.append(tag.strip())
    return meta


def write_tags(item: ItemBase, *, points: bool = False, topic: bool = False) -> list[str]:
    """The tags that carry an item's metadata out (read back by `read_tags`); its points and topic too
    when the format has no grade or category of its own."""
    tags = [f"kompetensi:{c}" for c in item.competencies]
    if topic and item.topic:
        tags.append(f"topik:{item.topic}")
    if points and item.type != "weighted_options" and item.max_points != 1:
        tags.append(f"poin:{_number(item.max_points)}")  # an essay's: its rubric is not written
    tags.append(f"tingkat:{DIFFICULTY_TAG[item.difficulty]}")
    if item.cognitive_level:
        tags.append(f"ranah:{COGNITIVE_TAG[item.cognitive_level]}")
    tags += [f"sumber:{s}" for s in item.source]
    if item.cluster:
        tags.append(f"klaster:{item.cluster}")
    if item.type == "weighted_options":
        points = [o.points for o in item.options]
        tags.append(f"skala:{_number(min(points))}-{_number(max(points))}")
    return tags + [t for t in item.tags if _tag_parts(t) is None or _tag_parts(t)[0] not in _META_NAMES]


_META_NAMES = {
    *COMPETENCY_TAGS,
    *DIFFICULTY_TAGS,
    *LEVEL_TAGS,
    *SOURCE_TAGS,
    *SCALE_TAGS,
    *POINTS_TAGS,
    *CLUSTER_TAGS,
}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def lines_of(text: str) -> list[str]:
    """Lines split at CR, LF and CRLF only: U+0085 and U+2028 are text (str.splitlines() breaks there)."""
    return _LINE_BREAK.split(text)


def slug(text: str) -> str:
    """Text made an id: letters, digits, `.`, `_` and `-`, starting with a letter or digit."""
    return _NOT_ID.sub("-", text).strip("-._")[:100]


def finish(drafts: Sequence[Draft], file: str, options: Options) -> Imported:
    """The bank of the drafts that make valid items; a report of the rest."""
    width = max(3, len(str(len(drafts))))
    used: set[str] = {d.given_id for d in drafts if d.given_id and _ID.fullmatch(d.given_id)}
    taken: set[str] = set()
    items: list[ItemBase] = []
    carried: list[Carried] = []
    skipped: list[Problem] = []
    for draft in drafts:
        label = draft.given_id or f"#{draft.number}"
        if draft.skip is not None:
            code, params = draft.skip
            skipped.append(
                Problem(code, params, file, draft.line, draft.column, item=label, field=draft.field)
            )
            continue
        notes = list(draft.notes)
        ident = _item_id(draft, options, width, used, taken, notes)
        meta = read_tags(draft.tags)
        notes += meta.notes
        data = _item_fields(draft, meta, ident, options, notes)
        if isinstance(data, Problem):
            skipped.append(replace(data, file=file, line=draft.line, column=draft.column, item=label))
            continue
        try:
            item = ITEM.validate_python(data)
        except ValidationError as e:
            skipped.append(_invalid(e, data, file, draft, label))
            continue
        taken.add(ident)
        items.append(item)
        located = tuple(Problem(c, p, file, draft.line, draft.column, item=ident) for c, p in notes)
        carried.append(Carried(ident, item.type, draft.line, located))
    bank = Bank(kind="bank", id=options.bank_id, title=options.title, language=options.language, items=items)
    return Imported(bank, tuple(carried), tuple(skipped))


def _item_id(draft: Draft, options: Options, width: int, used: set, taken: set, notes: list) -> str:
    given = draft.given_id
    if given and _ID.fullmatch(given) and given not in taken:
        return given
    if given:
        code = "IMPORT-ID-REPEATED" if given in taken else "IMPORT-ID-INVALID"
        base = slug(given) if code == "IMPORT-ID-INVALID" and slug(given) else None
        candidate = base if base and base not in used and base not in taken else None
        ident = candidate or _numbered(options.id_prefix, draft.number, width, used, taken)
        notes.append((code, {"given": given, "id": ident}))
        return ident
    return _numbered(options.id_prefix, draft.number, width, used, taken)


def _numbered(prefix: str, number: int, width: int, used: set, taken: set) -> str:
    ident, n = f"{prefix}-{number:0{width}d}", 1
    while ident in used or ident in taken:
        n += 1
        ident = f"{prefix}-{number:0{width}d}-{n}"
    return ident


def _item_fields(draft: Draft, meta: Metadata, ident: str, options: Options, notes: list):
    competencies = meta.competencies or ([options.competency] if options.competency else [])
    if not competencies:
        return Problem("IMPORT-NO-COMPETENCY", {})
    known = options.known_competencies
    unknown = [c for c in competencies if known is not None and c not in known]
    if unknown:
        return Problem("IMPORT-COMPETENCY-UNKNOWN", {"id": unknown[0]})
    data: dict[str, Any] = {"id": ident, **draft.fields, "competencies": competencies}
    if meta.difficulty:
        data["difficulty"] = meta.difficulty
    if meta.cognitive_level:
        data["cognitive_level"] = meta.cognitive_level
    if meta.source:
        data["source"] = meta.source
    if meta.cluster:
        data["cluster"] = meta.cluster
    if meta.topic and "topic" not in data:
        data["topic"] = meta.topic
    if meta.tags:
        data["tags"] = meta.tags
    if meta.points is not None and data.get("type") not in ("weighted_options", "essay"):
        data["points"] = meta.points
    if meta.points is not None and data.get("type") == "essay" and ("IMPORT-RUBRIC-MADE", {}) in notes:
        data["rubric"] = made_rubric(meta.points)
    if data.get("type") == "weighted_options" and "fractions" in data:
        data["options"] = _weighted(data.pop("fractions"), data["options"], meta.scale, notes)
    data["status"] = "ready" if options.ready and not draft.draft_only else "draft"
    return data


def _weighted(fractions: list[float], options: list[dict], scale, notes: list) -> list[dict]:
    """Points of a weighted item from its answers' fractions: the scale's highest times the fraction."""
    high = scale[1] if scale else WEIGHTED_SCALE_DEFAULT
    if scale is None:
        notes.append(("IMPORT-WEIGHTS-SCALED", {"high": WEIGHTED_SCALE_DEFAULT}))
    return [{**o, "points": round(f * high, 4)} for o, f in zip(options, fractions, strict=True)]


def _invalid(error: ValidationError, data: dict, file: str, draft: Draft, label: str) -> Problem:
    problems = problems_from(error.errors(), Context(file, "", data), root=Item)
    first = problems[0] if problems else None
    reason = f"{first.field}: {first.message()}" if first and first.field else (
        first.message() if first else str(error))  # fmt: skip
    return Problem("IMPORT-INVALID", {"reason": reason}, file, draft.line, draft.column, item=label)


# -- shared by the readers and writers ------------------------------------------------------------


def category_topic(path: str) -> str | None:
    # Moodle writes a "/" inside a category's name as "//".
    parts = [p.replace("\0", "/") for p in _PATH_PREFIX.sub("", path.strip()).replace("//", "\0").split("/")]
    parts = [p.strip() for p in parts if p.strip()]
    return " / ".join(parts) or None


def option_id(n: int) -> str:
    """Option ids a, b, ... z, then aa, ab ...: what a bank author would write."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def wildcard_regex(answer: str, case_sensitive: bool = False) -> str:
    """Moodle's `*` (any characters) as a regex; `\\*` is a literal star. The literal parts are case
    folded unless the answer is case sensitive, as the participant's answer is before it is matched."""
    parts = re.split(r"(\\\*|\*)", answer)
    literal = (lambda p: p) if case_sensitive else str.casefold
    return "".join(
        ".*" if p == "*" else re.escape(literal("*" if p == "\\*" else p)).replace("\\ ", " ") for p in parts
    )


def multiple_response_fractions(n_correct: int, n_wrong: int) -> tuple[float, float]:
    """The fractions of a right and a wrong option under the default `scoring.multiple_response` rule."""
    gain, cost = option_weights(n_correct, n_wrong, MultipleResponsePolicy())
    return gain, -cost


def made_rubric(points: float) -> list[dict]:
    """A two-level rubric for an essay that came without one (the import says so)."""
    return [
        {"id": "0", "label": "Belum memadai", "points": 0.0},
        {"id": "1", "label": "Memadai", "points": points},
    ]
