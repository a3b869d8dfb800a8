"""Cross-field checks that report every issue of one model at once.

A pydantic `after` validator can raise only one error. To report all the
problems of an item in one run, checks collect `Issue`s and raise a single
`PydanticCustomError` of type `checks` that carries them; the loader expands
it into one located problem per issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic_core import PydanticCustomError

CHECKS_ERROR = "checks"


@dataclass(frozen=True)
class Issue:
    code: str  # a project code, e.g. "BANK-KEY-UNKNOWN"
    loc: tuple[str | int, ...]  # relative to the model being checked
    params: dict[str, Any] = field(default_factory=dict)
    english: str = ""  # for a plain str() of the pydantic error
    at_key: bool = False  # the mapping key at `loc` is wrong, not its value


class Collector:
    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, code: str, loc: tuple, english: str, *, at_key: bool = False, **params: Any) -> None:
        self.issues.append(Issue(code, loc, params, english, at_key))

    def raise_if_any(self) -> None:
        if self.issues:
            raise PydanticCustomError(
                CHECKS_ERROR,
                "{summary}",
                {
                    "summary": "; ".join(i.english for i in self.issues),
                    "issues": self.issues,
                },
            )


def check_unique_ids(found: Collector, entries: list, name: str, code: str) -> set[str]:
    """Report every entry of `entries` (models with an `id`) whose id came earlier; return the ids."""
    ids = [e.id for e in entries]
    for i in duplicates(ids):
        found.add(code, (name, i, "id"), f"{name} id used twice", id=ids[i])
    return set(ids)


def duplicates(values: list) -> list[int]:
    """Indexes of the values that already appeared earlier in the list."""
    seen: set = set()
    dup = []
    for i, v in enumerate(values):
        if v in seen:
            dup.append(i)
        seen.add(v)
    return dup
