"""What the response imports share (pure: no I/O): the plan, notes, people and cell checks.

`assess.delivery.gforms` (Google Forms exports) and `assess.delivery.answer_sheet` (paper
answer sheets) turn a `Table` into an `AttemptsPlan` for
`Store.import_attempts`, or raise `ProblemsFound` with every problem located
by the spreadsheet's row and column, so that nothing is written when one
exists.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from assess.problems import Found, Phrase
from assess.sheets.table import Row, Table, cell

MAX_TEXT = 10_000  # characters of a typed answer (short answer, essay, number)
TRUE_WORDS = frozenset({"benar", "true", "betul"})
FALSE_WORDS = frozenset({"salah", "false"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NIP_GAPS = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")


@dataclass(frozen=True)
class Note:
    """Something a successful import ignored or assumed, for its output."""

    phrase: Phrase
    line: int | None = None
    column: int | None = None


UNKNOWN, IMPORTED = "unknown", "imported"  # why a row was left out


@dataclass(frozen=True)
class Leniency:
    """What an import may leave out instead of refusing the whole file (`responses import`'s options)."""

    skip_unknown: bool = False  # rows whose participant is not known: listed, not imported
    # Rows imported before: from Google Forms, the same respondent with the same timestamp; from an answer
    # sheet, a participant who already has an attempt on the phase.
    new_only: bool = False


STRICT = Leniency()  # the whole file or nothing


@dataclass(frozen=True)
class Skipped:
    """A row an import left out: its line, who it names (the cell as written, or the participant's id),
    and why (UNKNOWN or IMPORTED)."""

    line: int
    who: str
    why: str


@dataclass(frozen=True)
class AttemptsPlan:
    records: list[dict]  # as Store.import_attempts takes them
    notes: list[Note] = field(default_factory=list)
    form_scores: list[float] = field(default_factory=list)  # Google Forms' own percentages, reported only
    skipped: list[Skipped] = field(default_factory=list)


def check_header_row(table: Table, headers: list[str], rows: list[Row], found: Found) -> None:
    """Values in columns without a header (or beyond the header, in a CSV row)."""
    width = len(headers)
    for i, text in enumerate(headers):
        if not text.strip() and any(cell(r, i).value.strip() for r in rows):
            found.add("PARTICIPANTS-HEADER-MISSING", table.header_line, i + 1, number=i + 1)
    beyond: set[int] = set()
    for row in rows:
        extra = [i for i in range(width, len(row.cells)) if row.cells[i].value.strip()]
        if extra and table.separator is not None:
            found.add(
                "PARTICIPANTS-ROW-TOO-LONG",
                row.line,
                width + 1,
                n=max(extra) + 1,
                width=width,
                separator=table.separator,
            )
        beyond.update(extra)
    if table.separator is None:
        for i in sorted(beyond):
            found.add("PARTICIPANTS-HEADER-MISSING", table.header_line, i + 1, number=i + 1)


def text_problem(text: str) -> tuple[str, dict] | None:
    """A typed answer's problem (a control character, too long), as (code, params)."""
    bad = _CONTROL.search(text)
    if bad is not None:
        return "PARTICIPANTS-CONTROL-CHARACTER", {"code": f"U+{ord(bad.group()):04X}"}
    if len(text) > MAX_TEXT:
        return "FIELD-TOO-LONG", {"max": MAX_TEXT}
    return None


def truth(text: str) -> bool | None:
    """True for Benar/True, False for Salah/False, None for anything else."""
    word = text.strip().casefold()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def clean_nip(text: str) -> str:
    return _NIP_GAPS.sub("", text).removeprefix("'")


def plain_name(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class Person(Protocol):
    """A participant as the imports read one (a row of `Store.participants`)."""

    @property
    def person_id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def nip(self) -> str | None: ...

    @property
    def email(self) -> str | None: ...


class People:
    """The event's participants, found by id, NIP, email or name."""

    def __init__(self, participants: Iterable[Person]):
        self.by: dict[str, dict[str, list[str]]] = {"id": {}, "nip": {}, "email": {}, "name": {}}
        for p in participants:
            pid = p.person_id
            self.by["id"].setdefault(pid.casefold(), []).append(pid)
            if p.nip:
                self.by["nip"].setdefault(p.nip, []).append(pid)
            if p.email:
                self.by["email"].setdefault(p.email.strip().casefold(), []).append(pid)
            self.by["name"].setdefault(plain_name(p.name), []).append(pid)

    def find(self, kind: str, value: str) -> list[str]:
        """The participants whose `kind` (id, nip, email, name) is `value`: none, one or several."""
        key = {
            "id": lambda v: v.strip().casefold(),
            "nip": clean_nip,
            "email": lambda v: v.strip().casefold(),
            "name": plain_name,
        }[kind](value)
        return self.by[kind].get(key, [])


def person_problem(
    found: Found,
    kind_label: Phrase,
    value: str,
    matches: list[str],
    at: dict,
    skipped: list[Skipped] | None = None,
) -> str | None:
    """The one participant matched, or None after reporting why not (or, given `skipped`, after listing
    there a row whose participant is not known)."""
    if not matches and value.strip() and skipped is not None:
        skipped.append(Skipped(at["line"], value.strip(), UNKNOWN))
        return None
    if not value.strip():
        found.add("RESPONSES-PERSON-EMPTY", **at, what=kind_label)
    elif not matches:
        found.add("RESPONSES-PERSON-UNKNOWN", **at, value=value.strip(), what=kind_label)
    elif len(matches) > 1:
        found.add("RESPONSES-PERSON-AMBIGUOUS", **at, value=value.strip(), people=", ".join(matches))
    else:
        return matches[0]
    return None
