"""The roster (assess hr roster import): the organisation's people now, with their position, unit and the
unit's parent. It replaces the one held, whole. Events keep the positions and units they had; the roster
gives the current ones, and the units tree its upper levels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assess.hr.tables import columns_of
from assess.participants import clean_nip
from assess.problems import Problem, ProblemsFound
from assess.sheets.read import read_table
from assess.sheets.table import Row, Table, cell, rows_with_values
from assess.store import hr as hr_store

ACTOR = "hr"
NIP, NAME, POSITION, UNIT, PARENT, BIRTH = "nip", "name", "position", "unit", "parent_unit", "birth_date"
HEADERS = {
    "nip": NIP,
    "nipbaru": NIP,
    "nama": NAME,
    "name": NAME,
    "jabatan": POSITION,
    "position": POSITION,
    "unitkerja": UNIT,
    "unit": UNIT,
    "unitinduk": PARENT,
    "induk": PARENT,
    "parentunit": PARENT,
    "kecamatan": PARENT,
    "tanggallahir": BIRTH,
    "tgllahir": BIRTH,
    "birthdate": BIRTH,
    "dateofbirth": BIRTH,
}
EXPECTED = "NIP, Nama, Jabatan, Unit Kerja, Unit Induk, Tanggal Lahir"
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class RosterRow:
    nip: str
    name: str
    position: str | None
    unit: str | None
    parent_unit: str | None
    birth_date: dt.date | None
    line: int


def plan_roster(table: Table, file: str) -> list[RosterRow]:
    """Every row of the roster, or ProblemsFound locating each problem at its row and column."""
    problems: list[Problem] = []
    columns, headers = columns_of(table, file, HEADERS, ((NIP, "NIP"), (NAME, "Nama")), "ROSTER", EXPECTED)
    found, seen = [], {}
    for row in rows_with_values(table):
        entry = _row(row, columns, headers, file, problems)
        if entry is None:
            continue
        if entry.nip in seen:
            problems.append(
                Problem("ROSTER-NIP-DUPLICATE", {"nip": entry.nip, "other": seen[entry.nip]}, file, row.line)
            )
            continue
        seen[entry.nip] = row.line
        found.append(entry)
    if problems:
        raise ProblemsFound(problems)
    if not found:
        raise ProblemsFound([Problem("ROSTER-NO-ROWS", {}, file, table.header_line)])
    return found


def _row(
    row: Row, columns: dict[str, int], headers: list[str], file: str, problems: list
) -> RosterRow | None:
    def problem(kind: str, code: str, **params) -> None:
        i = columns[kind]
        problems.append(Problem(code, params, file, row.line, i + 1, field=headers[i]))

    def text(kind: str) -> str | None:
        if kind not in columns:
            return None
        value = cell(row, columns[kind]).value.strip()
        return value[:200] or None

    before = len(problems)
    nip, wrong = clean_nip(cell(row, columns[NIP]))
    if wrong is not None:
        problem(NIP, wrong[0], **wrong[1])
    elif nip is None:
        problem(NIP, "ROSTER-NIP-EMPTY")
    name = text(NAME)
    if name is None:
        problem(NAME, "PARTICIPANTS-NAME-EMPTY")
    birth = None
    if text(BIRTH) is not None:
        birth = _date(text(BIRTH))
        if birth is None:
            problem(BIRTH, "ROSTER-DATE-INVALID", value=text(BIRTH))
    if len(problems) > before:
        return None
    return RosterRow(nip, name, text(POSITION), text(UNIT), text(PARENT), birth, row.line)


def _date(value: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def import_roster(engine, path: Path) -> tuple[int, int]:
    """Check the file whole, then replace the roster with it in one transaction; (people now, before)."""
    rows = plan_roster(read_table(path), str(path))
    fields = (NIP, NAME, POSITION, UNIT, PARENT, BIRTH)
    return hr_store.put_roster(engine, [{f: getattr(r, f) for f in fields} for r in rows], path.name, ACTOR)
