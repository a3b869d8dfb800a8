"""Participants: a table read from a spreadsheet becomes a plan of people to add.

The core of `assess participants import`: no file or database I/O. An adapter
(`assess.sheets.read`) reads CSV or XLSX into a `Table`; `plan_import`
checks every row against the event's existing people, units and groups and
returns an `ImportPlan` for `Store.add_participants`, or raises `ProblemsFound`
with every problem of the file, so that nothing is written when one exists.

Locations are those a trainer sees in the spreadsheet: the row number (the
header is row 1), the column number (1-based) and the header as written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import random
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from assess.problems import Problem, ProblemsFound
from assess.sheets.table import Cell, Table, header_key

# -- access codes -----------------------------------------------------------------

# No 0/O, 1/I/L: a code read aloud or copied from paper cannot be mistyped that way.
ACCESS_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACCESS_GROUPS = 2
ACCESS_GROUP_LENGTH = 5
ACCESS_CODE_BITS = ACCESS_GROUPS * ACCESS_GROUP_LENGTH * math.log2(len(ACCESS_ALPHABET))  # about 49.5


def new_access_code(rng: random.Random | secrets.SystemRandom, taken: set[str]) -> str:
    """A fresh code such as "K7QM3-XH9TD", never one in `taken` (which is not changed)."""
    while True:
        groups = (
            "".join(rng.choice(ACCESS_ALPHABET) for _ in range(ACCESS_GROUP_LENGTH))
            for _ in range(ACCESS_GROUPS)
        )
        code = "-".join(groups)
        if code not in taken:
            return code


def canonical_access_code(text: str) -> str:
    """What a participant typed ("k7qm3 xh9td", "K7QM3XH9TD") in the stored form "K7QM3-XH9TD"."""
    bare = re.sub(r"[\s\-]+", "", text).upper()
    n = ACCESS_GROUP_LENGTH
    if len(bare) != n * ACCESS_GROUPS:
        return bare
    return "-".join(bare[i : i + n] for i in range(0, len(bare), n))


# -- headers ---------------------------------------------------------------------------

NIP, NAME, POSITION, UNIT, GROUP, EMAIL = "nip", "name", "position", "unit", "group", "email"
AGENCY = "agency"  # the Instansi (Pemerintah Kota Payakumbuh): kept with the participation
ID = "id"  # the participant's id in the event (P0007): with --update, which one a row corrects

# Normalised header -> (column, header as shown in suggestions).
HEADERS: dict[str, tuple[str, str]] = {
    "id": (ID, "ID"),
    "nip": (NIP, "NIP"),
    "nipbaru": (NIP, "NIP Baru"),  # lists from the BKN's records
    "nama": (NAME, "Nama"),
    "namalengkap": (NAME, "Nama Lengkap"),
    "namapeserta": (NAME, "Nama Peserta"),
    "name": (NAME, "Name"),
    "jabatan": (POSITION, "Jabatan"),
    "position": (POSITION, "Position"),
    "unitkerja": (UNIT, "Unit Kerja"),
    "unit": (UNIT, "Unit"),
    "kecamatan": (GROUP, "Kecamatan"),
    "kelompok": (GROUP, "Kelompok"),
    "group": (GROUP, "Group"),
    "email": (EMAIL, "Email"),
    "surel": (EMAIL, "Surel"),
    "instansi": (AGENCY, "Instansi"),
    "agency": (AGENCY, "Agency"),
}
# A running number column, common in Indonesian lists ("No", "No.", "Nomor"), is read past.
IGNORED_HEADERS = frozenset({"no", "nomor", "nourut", "number"})
TEMPLATE_HEADERS = ("NIP", "Nama", "Jabatan", "Unit Kerja", "Kecamatan", "Email")
# Under 80 characters, so that a message shows it whole (see assess.problems.MAX_SHOWN_TEXT).
EXPECTED_HEADERS = "NIP, Nama/Name, Jabatan/Position, Unit Kerja/Unit, Kecamatan/Group, Email"


def suggest_header(text: str) -> str | None:
    """The known header closest to `text` ("Nama Lengkap" -> "Nama"), if one is close."""
    key = header_key(text)
    if not key:
        return None
    close = difflib.get_close_matches(key, list(HEADERS), n=1, cutoff=0.78)
    if close:
        return HEADERS[close[0]][1]
    for known in sorted(HEADERS, key=len, reverse=True):  # "Nama Lengkap", "Email Kantor"
        if key.startswith(known) or (len(key) >= 4 and known.startswith(key)):
            return HEADERS[known][1]
    return None


# -- the plan ---------------------------------------------------------------------------


class _NewCodes:
    new_units: dict[str, str]
    new_groups: dict[str, str]

    @property
    def new_codes(self) -> list[tuple[str, str, str]]:
        """("unit" | "group", code, name) of every new code, for the command's output."""
        return [("unit", c, n) for c, n in self.new_units.items()] + [
            ("group", c, n) for c, n in self.new_groups.items()
        ]


@dataclass(frozen=True)
class ImportPlan(_NewCodes):
    people: list[dict]  # as Store.add_participants takes them
    new_units: dict[str, str] = field(default_factory=dict)  # code -> name, in order of appearance
    new_groups: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)  # rows imported, with something to check


def person_id(number: int) -> str:
    return f"P{number:04d}"


def next_person_number(existing_ids: Iterable[str]) -> int:
    """One more than the highest "P<number>" id already used (1 when there is none)."""
    numbers = [int(m.group(1)) for i in existing_ids if (m := re.fullmatch(r"P(\d+)", i))]
    return max(numbers, default=0) + 1


def slug(name: str, fallback: str) -> str:
    """A code made of small ASCII letters, digits and dashes: "Kelurahan Ibuh" -> "kelurahan-ibuh"."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return text[:60].rstrip("-") or fallback


FORMULA_START = ("=", "+", "-", "@")
NONE_MARKS = {"-", "–", "—"}  # "NIP: -" is how a list says "none"
_NIP = re.compile(r"[0-9]{18}")
_NIP_GAPS = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")  # spaces, also the invisible ones
_SCIENTIFIC = re.compile(r"[0-9]([.,][0-9]+)?[eE]\+?[0-9]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


class _Codes:
    """Names of units or groups -> codes: existing ones reused, new ones made unique."""

    def __init__(self, existing: dict[str, str], fallback: str):
        self.by_key = {slug(name, fallback): code for code, name in existing.items()}
        self.used = set(existing)
        self.new: dict[str, str] = {}
        self.fallback = fallback

    def code(self, name: str) -> str:
        key = slug(name, self.fallback)
        if key not in self.by_key:
            code, n = key, 1
            while code in self.used:
                n += 1
                code = f"{key}-{n}"
            self.by_key[key] = code
            self.used.add(code)
            self.new[code] = name
        return self.by_key[key]


def _opened(table: Table, file: str):
    """A participants list's problems so far and the function that adds one, its headers, its rows with a
    value and which column holds what; the file's own structure checked."""
    problems: list[Problem] = []

    def problem(
        code: str, /, line: int | None, column: int | None = None, field: str | None = None, **params
    ):
        problems.append(Problem(code, params, file, line, column, field=field))

    headers, rows = _headers_and_rows(table, file)
    columns = _columns(table, headers, rows, problem)
    if NAME not in columns:
        problem("PARTICIPANTS-NAME-COLUMN-MISSING", table.header_line)
    if not rows:
        problem("PARTICIPANTS-NO-ROWS", table.header_line)
    return problems, problem, headers, rows, columns


def plan_import(
    table: Table,
    *,
    file: str,
    existing_units: dict[str, str],
    existing_groups: dict[str, str],
    existing_nips: set[str],
    existing_codes: set[str],
    existing_names_without_nip: frozenset[str] = frozenset(),
    next_number: int,
    rng: random.Random | secrets.SystemRandom,
) -> ImportPlan:
    """The people, units and groups to add for `table`, or ProblemsFound with every problem."""
    problems, problem, headers, rows, columns = _opened(table, file)
    if ID in columns:
        problem("PARTICIPANTS-ID-NEEDS-UPDATE", table.header_line, columns[ID] + 1, headers[columns[ID]])

    width = len(headers)
    beyond: set[int] = set()  # spreadsheet columns past the last header that hold values
    units = _Codes(existing_units, "unit")
    groups = _Codes(existing_groups, "group")
    identities = _Identities(existing_nips, existing_names_without_nip)
    taken = set(existing_codes)
    people: list[dict] = []
    number = next_number

    for row in rows:
        beyond.update(_check_row_width(table, row, width, problem))
        values = _row_values(row, columns, headers, problem)
        identities.check(values, row, columns, headers, problem)
        if problems:
            continue  # nothing will be written: no need to plan this row
        code = new_access_code(rng, taken)
        taken.add(code)
        people.append(_person(number, values, code, units, groups))
        number += 1

    if table.separator is None:
        for i in sorted(beyond):
            problem("PARTICIPANTS-HEADER-MISSING", table.header_line, i + 1, number=i + 1)
    if problems:
        raise ProblemsFound(problems)
    warnings = [
        Problem(code, params, file, row.line, columns[NIP] + 1, field=headers[columns[NIP]])
        for row, person in zip(rows, people, strict=True)
        if person.get("nip")
        for code, params in nip_structure(person["nip"])
    ]
    return ImportPlan(people, units.new, groups.new, warnings)


# -- what an 18-digit NIP says -------------------------------------------------------------------------

ADULT = 18  # years: no one is appointed younger


def nip_structure(nip: str) -> list[tuple[str, dict]]:
    """The parts of an 18-digit NIP that do not read, as (warning code, params); none for a NIP that does.

    A civil servant's NIP (Perka BKN 43/2007): date of birth YYYYMMDD, year and month of appointment
    YYYYMM, sex (1 or 2), a 3-digit number. A contract employee's NI PPPK has the same places, but for
    the month of appointment the number of the contract plus 20 (21, 22, ...): see docs/workspace.md."""
    found = []
    birth = _date(nip[0:8])
    if birth is None:
        found.append(("PARTICIPANTS-NIP-BIRTH", {"part": nip[0:8]}))
    year, block = int(nip[8:12]), int(nip[12:14])
    month_reads = 1 <= block <= 12 or block >= 21  # a month, or a contract number (NI PPPK)
    if not month_reads or (birth is not None and year < birth.year + ADULT):
        found.append(("PARTICIPANTS-NIP-APPOINTMENT", {"part": nip[8:14], "adult": ADULT}))
    if nip[14] not in "12":
        found.append(("PARTICIPANTS-NIP-SEX", {"part": nip[14]}))
    return found


def _date(digits: str) -> dt.date | None:
    try:
        return dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _headers_and_rows(table: Table, file: str) -> tuple[list[str], list]:
    """The headers without empty ones at the end and the rows that hold a value; FILE-EMPTY if neither."""
    rows = [r for r in table.rows if any(c.value.strip() for c in r.cells)]
    headers = list(table.headers)
    while headers and not headers[-1].strip():
        headers.pop()
    if not headers and not rows:
        raise ProblemsFound([Problem("FILE-EMPTY", {}, file)])
    return headers, rows


def _columns(table: Table, headers: list[str], rows: list, problem) -> dict[str, int]:
    """Which column holds what (kind -> 0-based index), reporting headers missing, unknown or doubled."""
    columns: dict[str, int] = {}
    for i, text in enumerate(headers):
        if not text.strip():
            if any(i < len(r.cells) and r.cells[i].value.strip() for r in rows):
                problem("PARTICIPANTS-HEADER-MISSING", table.header_line, i + 1, number=i + 1)
            continue
        if header_key(text) in IGNORED_HEADERS:
            continue
        known = HEADERS.get(header_key(text))
        if known is None:
            _unknown_header(table, i, text, problem)
        elif known[0] in columns:
            first = columns[known[0]]
            problem(
                "PARTICIPANTS-HEADER-DUPLICATE",
                table.header_line,
                i + 1,
                text,
                other=first + 1,
                first=headers[first],
            )
        else:
            columns[known[0]] = i
    return columns


def _unknown_header(table: Table, i: int, text: str, problem) -> None:
    """Report the header `text` of column `i` as unknown, with the known one it is close to if any."""
    suggestion = suggest_header(text)
    if suggestion:
        problem(
            "PARTICIPANTS-HEADER-UNKNOWN-SUGGEST",
            table.header_line,
            i + 1,
            text,
            name=text,
            suggestion=suggestion,
        )
    else:
        problem(
            "PARTICIPANTS-HEADER-UNKNOWN",
            table.header_line,
            i + 1,
            text,
            name=text,
            expected=EXPECTED_HEADERS,
        )


def _check_row_width(table: Table, row, width: int, problem) -> list[int]:
    """The row's columns past the last header that hold a value, reported when the file has a separator."""
    extra = [i for i in range(width, len(row.cells)) if row.cells[i].value.strip()]
    if extra and table.separator is not None:
        n = max(extra) + 1
        problem("PARTICIPANTS-ROW-TOO-LONG", row.line, width + 1, n=n, width=width, separator=table.separator)
    return extra


def _row_values(row, columns: dict[str, int], headers: list[str], problem) -> dict[str, str | None]:
    """The row's clean value of each known column (None when empty or wrong), reporting each wrong one."""
    values: dict[str, str | None] = {}
    for kind, i in columns.items():
        cell = row.cells[i] if i < len(row.cells) else Cell("")
        at = {"line": row.line, "column": i + 1, "field": headers[i]}
        values[kind] = _check_cell(kind, cell, at, problem)
    return values


class _Identities:
    """The NIPs and rows without NIP seen so far, to report a person already known or listed twice."""

    def __init__(self, existing_nips: set[str], existing_names_without_nip: frozenset[str]):
        self.existing_nips = existing_nips
        self.existing_names_without_nip = existing_names_without_nip
        self.nips: dict[str, int] = {}  # NIP -> first row
        self.seen_rows: dict[tuple, int] = {}  # a row without NIP -> its first row

    def check(self, values: dict, row, columns: dict[str, int], headers: list[str], problem) -> None:
        """Report the row's person when the NIP, or without one the whole row, is known or seen before."""
        nip = values.get(NIP)
        if nip is not None:
            i = columns[NIP]
            if nip in self.existing_nips:
                problem("PARTICIPANTS-NIP-EXISTS", row.line, i + 1, headers[i], nip=nip)
            elif nip in self.nips:
                problem(
                    "PARTICIPANTS-NIP-DUPLICATE", row.line, i + 1, headers[i], nip=nip, other=self.nips[nip]
                )
            else:
                self.nips[nip] = row.line
            return
        same = tuple((values.get(k) or "").casefold() for k in (NAME, POSITION, UNIT, GROUP, EMAIL))
        if not same[0]:
            return
        if same[0] in self.existing_names_without_nip:
            # Without a NIP, the name is all that tells a person apart: importing the list twice
            # must not make everyone twice.
            problem("PARTICIPANTS-PERSON-EXISTS", row.line, name=values[NAME])
        elif same in self.seen_rows:
            problem("PARTICIPANTS-ROW-DUPLICATE", row.line, other=self.seen_rows[same])
        else:
            self.seen_rows[same] = row.line


def _person(number: int, values: dict, code: str, units: _Codes, groups: _Codes) -> dict:
    """The person to add, as Store.add_participants takes them, with new unit and group codes made."""
    return {
        "person_id": person_id(number),
        "name": values[NAME],
        "nip": values.get(NIP),
        "email": values.get(EMAIL),
        "position": values.get(POSITION),
        "agency": values.get(AGENCY),
        "unit_code": None if values.get(UNIT) is None else units.code(values[UNIT]),
        "group_code": None if values.get(GROUP) is None else groups.code(values[GROUP]),
        "access_code": code,
    }


def clean_nip(cell: Cell) -> tuple[str | None, tuple[str, dict] | None]:
    """A NIP cell's 18 digits (spaces and the dots of "19800101.200501.1.001" removed), None when empty;
    or None and its problem (code, params) when it is no NIP."""
    text = cell.value.strip()
    if cell.number:
        return None, ("PARTICIPANTS-NIP-NUMBER", {"value": text})
    nip = _NIP_GAPS.sub("", text).removeprefix("'")  # "19800101 200501 1 001"
    if not nip or nip in NONE_MARKS:
        return None, None
    if _SCIENTIFIC.fullmatch(nip):
        return None, ("PARTICIPANTS-NIP-SCIENTIFIC", {"value": text})
    nip = nip.replace(".", "")
    if not _NIP.fullmatch(nip):
        return None, ("PARTICIPANTS-NIP-INVALID", {"value": text, "n": sum(ch in "0123456789" for ch in nip)})
    return nip, None


def _check_cell(kind: str, cell: Cell, at: dict, problem) -> str | None:
    """The cell's clean value (None when empty), or None after reporting its problem."""
    text = cell.value.strip()
    if kind == NIP:
        nip, wrong = clean_nip(cell)
        if wrong is not None:
            problem(wrong[0], **at, **wrong[1])
        return nip
    if not text or text in NONE_MARKS:
        if kind == NAME:
            problem("PARTICIPANTS-NAME-EMPTY", **at)
        return None
    bad = _CONTROL.search(text)
    if bad is not None:
        problem("PARTICIPANTS-CONTROL-CHARACTER", **at, code=f"U+{ord(bad.group()):04X}")
        return None
    if text.startswith(FORMULA_START):
        problem("PARTICIPANTS-FORMULA", **at, value=text, sign=text[0])
        return None
    if kind == EMAIL:
        if not _EMAIL.fullmatch(text):
            problem("PARTICIPANTS-EMAIL-INVALID", **at, value=text)
            return None
        return text
    return " ".join(text.split())  # a line break inside a cell, doubled spaces


# -- one participant corrected -------------------------------------------------------------------------


@dataclass(frozen=True)
class EditPlan(_NewCodes):
    """What `assess participants edit` changes: the person's and the participation's new values (a None
    value clears an optional field), and the unit and group codes to add."""

    person: dict[str, str | None]  # name, nip, email
    participation: dict[str, str | None]  # position, agency, unit_code, group_code
    new_units: dict[str, str] = field(default_factory=dict)
    new_groups: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def plan_edit(
    given: dict[str, str],
    *,
    existing_units: dict[str, str],
    existing_groups: dict[str, str],
    nips_of_others: set[str],
) -> EditPlan:
    """The changes `given` asks for (column -> text as typed; "" or "-" clears an optional one), each
    checked by the import's rules, or ProblemsFound naming the option."""
    problems: list[Problem] = []

    def problem(code: str, /, line=None, column=None, field: str | None = None, **params):
        problems.append(Problem(code, params, None, None, None, field=field))

    values = {
        kind: _check_cell(kind, Cell(text), {"line": None, "field": f"--{kind}"}, problem)
        for kind, text in given.items()
    }
    nip = values.get(NIP)
    if nip is not None and nip in nips_of_others:
        problem("PARTICIPANTS-NIP-EXISTS", field="--nip", nip=nip)
    if problems:
        raise ProblemsFound(problems)
    units, groups = _Codes(existing_units, "unit"), _Codes(existing_groups, "group")
    person_changes = {k: values[k] for k in (NAME, NIP, EMAIL) if k in values}
    participation = {k: values[k] for k in (POSITION, AGENCY) if k in values}
    for kind, codes, column in ((UNIT, units, "unit_code"), (GROUP, groups, "group_code")):
        if kind in values:
            participation[column] = None if values[kind] is None else codes.code(values[kind])
    warnings = (
        [Problem(code, params, None, field="--nip") for code, params in nip_structure(nip)] if nip else []
    )
    return EditPlan(person_changes, participation, units.new, groups.new, warnings)


# -- a list read again: the new added, the changed corrected --------------------------------------------

COMPARED = {NAME: "name", NIP: "nip", EMAIL: "email", POSITION: "position", AGENCY: "agency"}


@dataclass(frozen=True)
class Update:
    person_id: str
    person: dict[str, str | None]  # name, nip, email
    participation: dict[str, str | None]  # position, agency, unit_code, group_code

    @property
    def fields(self) -> list[str]:
        return sorted({*self.person, *self.participation})


@dataclass(frozen=True)
class UpdatePlan(_NewCodes):
    """What `participants import --update` does: people to add, participants to correct."""

    people: list[dict]
    updates: list[Update]
    new_units: dict[str, str] = field(default_factory=dict)
    new_groups: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def plan_update(
    table: Table,
    *,
    file: str,
    existing: list[dict],  # each: person_id, name, nip, email, position, unit_code, group_code
    existing_units: dict[str, str],
    existing_groups: dict[str, str],
    existing_codes: set[str],
    next_number: int,
    rng: random.Random | secrets.SystemRandom,
) -> UpdatePlan:
    """Each row matched to a participant by NIP, else by ID: a correction of what differs; a row that
    matches none is a new participant, unless it has neither and names someone already there (ambiguous).
    ProblemsFound with every problem located, as the import's."""
    problems, problem, headers, rows, columns = _opened(table, file)
    match = _Match(existing)
    units, groups = _Codes(existing_units, "unit"), _Codes(existing_groups, "group")
    new_rows, updates, taken, seen = [], [], set(existing_codes), set()
    nips = []  # (row, NIP) of every row with one, for the warnings
    for row in rows:
        values = _row_values(row, columns, headers, problem)
        person = match.person(values, row, columns, headers, problem, seen)
        if values.get(NIP):
            nips.append((row, values[NIP]))
        if problems:
            continue
        if person is None:
            new_rows.append((row, values))
            continue
        update = _update(person, values, units, groups)
        if update.fields:
            updates.append(update)
    if problems:
        raise ProblemsFound(problems)
    people = []
    for number, (_row, values) in enumerate(new_rows, next_number):
        code = new_access_code(rng, taken)
        taken.add(code)
        people.append(_person(number, values, code, units, groups))
    warnings = [
        Problem(code, params, file, row.line, columns[NIP] + 1, field=headers[columns[NIP]])
        for row, nip in nips
        for code, params in nip_structure(nip)
    ]
    return UpdatePlan(people, updates, units.new, groups.new, warnings)


class _Match:
    """Which participant a row is: by NIP, else by ID; ambiguity and repeats reported."""

    def __init__(self, existing: list[dict]):
        self.by_nip = {p["nip"]: p for p in existing if p.get("nip")}
        self.by_id = {p["person_id"].casefold(): p for p in existing}
        self.by_name = {p["name"].casefold() for p in existing}
        self.new_nips: dict[str, int] = {}  # a NIP of a new participant -> its first row

    def person(
        self, values: dict, row, columns: dict[str, int], headers: list[str], problem, seen: set
    ) -> dict | None:
        nip, pid = values.get(NIP), values.get(ID)
        found = self.by_nip.get(nip) if nip else None
        if found is None and pid:
            found = self.by_id.get(pid.casefold())
            if found is None:
                i = columns[ID]
                problem("PARTICIPANTS-ID-UNKNOWN", row.line, i + 1, headers[i], id=pid)
                return None
            if nip and nip in self.by_nip:  # the NIP of someone else
                i = columns[NIP]
                problem("PARTICIPANTS-NIP-EXISTS", row.line, i + 1, headers[i], nip=nip)
                return None
        if found is None:
            if not nip and (values.get(NAME) or "").casefold() in self.by_name:
                problem("PARTICIPANTS-ROW-AMBIGUOUS", row.line, name=values[NAME])
            elif nip and nip in self.new_nips:
                i = columns[NIP]
                problem(
                    "PARTICIPANTS-NIP-DUPLICATE",
                    row.line,
                    i + 1,
                    headers[i],
                    nip=nip,
                    other=self.new_nips[nip],
                )
            elif nip:
                self.new_nips[nip] = row.line
            return None
        if found["person_id"] in seen:
            problem("PARTICIPANTS-ROW-SAME-PERSON", row.line, person=found["person_id"])
            return None
        seen.add(found["person_id"])
        return found


def _update(person: dict, values: dict, units: _Codes, groups: _Codes) -> Update:
    """What a matched row changes of the participant: each value it gives that differs. An empty cell
    changes nothing (a list may lack a value; `participants edit` clears one)."""
    person_changes, participation = {}, {}
    for kind, key in COMPARED.items():
        if values.get(kind) is not None and values[kind] != person.get(key):
            (person_changes if kind in (NAME, NIP, EMAIL) else participation)[key] = values[kind]
    for kind, codes, key in ((UNIT, units, "unit_code"), (GROUP, groups, "group_code")):
        if values.get(kind) is not None and (code := codes.code(values[kind])) != person.get(key):
            participation[key] = code
    return Update(person["person_id"], person_changes, participation)
