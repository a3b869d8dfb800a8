"""Turn pydantic's validation errors into located, coded problems."""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from assess.bank.checks import CHECKS_ERROR, Issue
from assess.bank.documents import KINDS, Document
from assess.bank.model import ITEM_TYPES, LANGUAGE_PATTERN
from assess.bank.yamlio import Locator
from assess.i18n import N_
from assess.problems import Phrase, Problem, found_name

_TYPE_NAMES = {
    "string_type": N_("text"),
    "int_type": N_("a whole number"),
    "int_parsing": N_("a whole number"),
    "int_from_float": N_("a whole number"),
    "float_type": N_("a number"),
    "float_parsing": N_("a number"),
    "bool_type": N_("true or false"),
    "bool_parsing": N_("true or false"),
    "list_type": N_("a list"),
    "tuple_type": N_("a list"),
    "dict_type": N_("a mapping"),
    "model_type": N_("a mapping"),
    "model_attributes_type": N_("a mapping"),
}
_RANGES = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}


class Context:
    """One file's data and the places in it."""

    def __init__(self, file: str, text: str, data: Any):
        self.file = file
        self.text = text
        self.data = data
        self._locator: Locator | None = None

    @property
    def locator(self) -> Locator:
        if self._locator is None:
            self._locator = Locator(self.text, self.data)
        return self._locator

    def problem(self, code: str, path: tuple, params: dict | None = None, *, key: bool = False) -> Problem:
        """A problem at `path` (data keys and indexes, no union tags)."""
        pos = self.locator.position(path, key=key)
        item, field = self._item_and_field(path)
        return Problem(code, params or {}, self.file, *(pos or (None, None)), item=item, field=field)

    def _item_and_field(self, path: tuple) -> tuple[str | None, str | None]:
        if len(path) >= 2 and path[0] == "items" and isinstance(path[1], int):
            item = self.value(path[:2])
            ident = item.get("id") if isinstance(item, dict) else None
            label = ident if isinstance(ident, str) else f"#{path[1] + 1}"
            return label, dotted(path[2:]) or None
        return None, dotted(path) or None

    def value(self, path: tuple) -> Any:
        node = self.data
        for part in path:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        return node


def dotted(path: tuple) -> str:
    """("options", 2, "text") -> "options[2].text"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems_from(errors: list[ErrorDetails], ctx: Context, root: Any = Document) -> list[Problem]:
    """Located problems for pydantic's `errors` on `ctx.data`, validated as `root`."""
    merged = list(_merge_keys(ctx.data, ()))
    out = [ctx.problem("YAML-MERGE-KEY", (*m, "<<"), key=True) for m in merged]
    for err in errors:
        path, model = _strip_tags(err["loc"], ctx.data, root)
        # A mapping with a merge key fails in confusing ways; its merge-key problem says it all.
        if any(path[: len(m)] == m for m in merged):
            continue
        out.extend(_convert(err, path, model, ctx))
    return out


def _merge_keys(node: Any, path: tuple) -> Any:
    """Paths of the mappings that use YAML 1.1 merge keys (`<<`), which YAML 1.2 lacks."""
    if isinstance(node, dict):
        if "<<" in node:
            yield path
        for k, v in node.items():
            yield from _merge_keys(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _merge_keys(v, (*path, i))


def _convert(err: ErrorDetails, path: tuple, model: type | None, ctx: Context) -> list[Problem]:
    """The located problems of one of pydantic's errors at `path` (union tags stripped)."""
    kind = err["type"]
    info = err.get("ctx") or {}
    if kind == CHECKS_ERROR:
        issues: list[Issue] = info["issues"]
        return [ctx.problem(i.code, path + i.loc, i.params, key=i.at_key) for i in issues]
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        return [_tag_problem(kind, path, info, ctx)]
    if kind == "missing":
        *parent, name = path
        return [ctx.problem("FIELD-MISSING", tuple(parent), {"name": name})]
    if kind == "extra_forbidden":
        return [_unknown_field_problem(path, model, ctx)]
    at_key = bool(path) and path[-1] == "[key]"  # a mapping's key, not its value, is wrong
    if at_key:
        path = path[:-1]
    return [_value_problem(err, path, at_key, ctx)]


def _unknown_field_problem(path: tuple, model: type | None, ctx: Context) -> Problem:
    """A field the model does not have, with the closest field it has if one is close."""
    name = str(path[-1])
    allowed = list(model.model_fields) if model is not None else []
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.7)
    if close:
        return ctx.problem("FIELD-UNKNOWN-SUGGEST", path, {"name": name, "suggestion": close[0]}, key=True)
    return ctx.problem("FIELD-UNKNOWN", path, {"name": name}, key=True)


def _value_problem(err: ErrorDetails, path: tuple, at_key: bool, ctx: Context) -> Problem:
    """The problem of a value (or of a mapping's key, `at_key`) of the wrong type or text."""
    kind = err["type"]
    info = err.get("ctx") or {}
    value = err.get("input")
    if kind in _TYPE_NAMES:
        params = {"expected": Phrase(_TYPE_NAMES[kind]), "found": found_name(value)}
        return ctx.problem("FIELD-TYPE", path, params, key=at_key)
    if kind == "literal_error":
        expected = str(info.get("expected", "")).replace(" or ", ", ")
        return ctx.problem("FIELD-CHOICE", path, {"value": value, "expected": expected})
    if kind == "string_pattern_mismatch" and info.get("pattern") == LANGUAGE_PATTERN:
        return ctx.problem("FIELD-LANGUAGE-INVALID", path, {"value": value}, key=at_key)
    if kind == "string_pattern_mismatch":
        return ctx.problem("FIELD-ID-INVALID", path, {"value": value}, key=at_key)
    if kind in ("text_empty", "string_too_short"):
        return ctx.problem("FIELD-EMPTY", path)
    if kind == "text_control":
        return ctx.problem("FIELD-CONTROL-CHARACTER", path, {"code": info.get("code", "")})
    if kind == "string_too_long":
        return ctx.problem("FIELD-TOO-LONG", path, {"max": info.get("max_length", "")}, key=at_key)
    if kind == "invalid_key":
        return ctx.problem("FIELD-KEY-NOT-TEXT", path, {"found": found_name(value)}, key=True)
    return _limit_or_other_problem(err, path, ctx)


def _limit_or_other_problem(err: ErrorDetails, path: tuple, ctx: Context) -> Problem:
    """A list too short, a number out of range or not finite, an event setting, a date; else FIELD-INVALID."""
    kind = err["type"]
    info = err.get("ctx") or {}
    if kind == "too_short":
        return ctx.problem("FIELD-TOO-FEW", path, {"min": info.get("min_length", 1)})
    if kind in _RANGES:
        limit = next(iter(info.values()), "")
        return ctx.problem("FIELD-RANGE", path, {"op": _RANGES[kind], "limit": limit})
    if kind == "finite_number":
        return ctx.problem("FIELD-NOT-FINITE", path)
    if kind == "penalty":
        return ctx.problem("EVENT-PENALTY", path)
    if kind == "time_zone":
        return ctx.problem("EVENT-TIME-ZONE", path, {"name": err.get("input")})
    if kind.startswith("date_"):
        return ctx.problem("FIELD-DATE", path)
    return ctx.problem("FIELD-INVALID", path, {"detail": err["msg"]})


def _tag_problem(kind: str, path: tuple, info: dict, ctx: Context) -> Problem:
    at_top = len(path) == 0
    if kind == "union_tag_not_found":
        if at_top:
            return ctx.problem("FILE-KIND-MISSING", path)
        return ctx.problem("BANK-ITEM-TYPE-MISSING", path, {"expected": ", ".join(ITEM_TYPES)})
    value = info.get("tag")
    field = "kind" if at_top else "type"
    choices = KINDS if at_top else tuple(ITEM_TYPES)
    if at_top:
        return ctx.problem("FILE-KIND-UNKNOWN", (field,), {"value": value})
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.5)
    if close:
        return ctx.problem(
            "BANK-ITEM-TYPE-UNKNOWN-SUGGEST", path + (field,), {"value": value, "suggestion": close[0]}
        )
    return ctx.problem(
        "BANK-ITEM-TYPE-UNKNOWN", path + (field,), {"value": value, "expected": ", ".join(choices)}
    )


def _strip_tags(loc: tuple, data: Any, root: Any = Document) -> tuple[tuple, type[BaseModel] | None]:
    """Drop pydantic's union tags from `loc`; also return the model that holds its last part.

    The model is the one an unknown field was found in, for suggesting the
    closest valid name.
    """
    path: list = []
    annotation: Any = root
    holder: type[BaseModel] | None = None
    node = data
    for part in loc:
        annotation = _unwrap(annotation)
        variants = _variants(annotation)
        if variants:
            # pydantic puts the tag of a discriminated union into `loc`.
            chosen = next((v for v in variants if part in _tags(v)), None)
            if chosen is not None:
                annotation = chosen
                continue
            annotation = None
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            holder = annotation
            field = annotation.model_fields.get(part) if isinstance(part, str) else None
            annotation = field.annotation if field else None
        elif typing.get_origin(annotation) in (list, tuple):
            annotation = typing.get_args(annotation)[0]
            holder = None
        elif typing.get_origin(annotation) is dict:
            annotation = typing.get_args(annotation)[1]
            holder = None
        else:
            annotation, holder = None, None
        path.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(path), holder


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    args = typing.get_args(annotation)
    if _is_union(annotation) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return _unwrap(rest[0])
    return annotation


def _is_union(annotation: Any) -> bool:
    import types

    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _variants(annotation: Any) -> tuple:
    if not _is_union(annotation):
        return ()
    args = typing.get_args(annotation)
    if all(isinstance(a, type) and issubclass(a, BaseModel) for a in args):
        return args
    return ()


def _tags(model: type[BaseModel]) -> tuple:
    for name in ("type", "kind"):
        field = model.model_fields.get(name)
        if field is not None and typing.get_origin(field.annotation) is typing.Literal:
            return typing.get_args(field.annotation)
    return ()
