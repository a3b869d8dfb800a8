"""Located, coded problems: what a user is told when their input is wrong.

Every problem has a stable code (asserted by tests and looked up in the docs),
a place (file, line, column, item, field) and parameters; its wording comes
from the message catalogue in the language in use when it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assess.codes import MESSAGES
from assess.i18n import _


@dataclass(frozen=True)
class Problem:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    item: str | None = None  # the item's id, or "#n" when it has none
    field: str | None = None  # e.g. "options[2].text"

    def message(self) -> str:
        return _(MESSAGES[self.code]).format(**self.params)

    def where(self) -> str:
        if self.file is None:
            return ""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        head = [f"{self.where()}: {self.code}" if self.file else self.code]
        if self.item is not None:
            label = (
                _("item #{n}").format(n=self.item[1:])
                if self.item.startswith("#")
                else _("item {id!r}").format(id=self.item)
            )
            head.append(" " + label)
        text = "".join(head) + ": "
        if self.field:
            text += f"{self.field}: "
        return text + self.message()


class ProblemsFound(Exception):
    """The input has problems; every one found is in `problems`."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=_order)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:  # rendered anew so the current language applies
        return "\n".join(str(p) for p in self.problems)


def _order(p: Problem) -> tuple:
    return (p.file or "", p.line or 0, p.column or 0, p.code)
