"""Located, coded problems: what a user is told when their input is wrong.

Every problem has a stable code (asserted by tests and looked up in the docs),
a place (file, line, column, item, field) and parameters; its wording comes
from the message catalogue in the language in use when it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assess.i18n import N_, _
from assess.problems.codes import MESSAGES

MAX_SHOWN_TEXT = 80  # a parameter longer than this is cut in messages


@dataclass(frozen=True)
class Phrase:
    """A message-catalogue text with its parameters, translated only when shown."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return _(self.msgid).format(**{k: shown(v) for k, v in self.params.items()})


class _Shown(str):
    """Text whose repr() is the quoted form users see for `{name!r}`."""

    def __repr__(self) -> str:
        return "'" + self + "'"


def digits(value: int) -> int:
    """About how many decimal digits a (huge) integer has, without str(), which refuses them."""
    return int(abs(value).bit_length() * 0.30103) + 1


def shown(value: Any) -> Any:
    """A parameter made safe and short for a message (huge numbers, long or odd text)."""
    if isinstance(value, Phrase):
        return _Shown(str(value))
    if isinstance(value, bool):
        return _Shown("true" if value else "false")  # as YAML writes it
    if value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        if value.bit_length() > 64:  # str() of a 5,000-digit number raises
            return _Shown(_("a number of about {n} digits").format(n=digits(value)))
        return value
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_SHOWN_TEXT:
        text = text[: MAX_SHOWN_TEXT - 1] + "…"
    return _Shown(text) if not isinstance(value, str) or text is not value else value


def found_name(value: Any) -> Phrase:
    """What the user wrote, named as a kind of value, for "expected X, found Y"."""
    if value is None:
        return Phrase(N_("nothing"))
    if isinstance(value, bool):
        return Phrase(N_("true or false"))
    if isinstance(value, int) and value.bit_length() > 64:
        return Phrase(N_("a number of about {n} digits"), {"n": digits(value)})
    if isinstance(value, int | float):
        return Phrase(N_("the number {value}"), {"value": value})
    if isinstance(value, str):
        return Phrase(N_("the text {value!r}"), {"value": value})
    if isinstance(value, list | tuple):
        return Phrase(N_("a list"))
    return Phrase(N_("a mapping"))


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
        return str(Phrase(MESSAGES[self.code], self.params))

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
                else _("item {id!r}").format(id=shown(self.item))
            )
            head.append(" " + label)
        text = "".join(head) + ": "
        if self.field:
            text += f"{self.field}: "
        return text + self.message()


class Found:
    """Problems of one file, collected with their place."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(
        self,
        code: str,
        /,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        item: str | None = None,
        **params: Any,
    ) -> None:
        self.problems.append(Problem(code, params, self.file, line, column, item=item, field=field))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ProblemsFound(self.problems)


def sort_key(p: Problem) -> tuple:
    return (p.file or "", p.line or 0, p.column or 0, p.code)


class ProblemsFound(Exception):
    """The input has problems; every one found is in `problems`."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=sort_key)
        super().__init__(f"{len(self.problems)} problems")

    def __str__(self) -> str:  # rendered when shown, so the current language applies
        return "\n".join(str(p) for p in self.problems)
