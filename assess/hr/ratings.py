"""Performance ratings (assess hr ratings import): NIP, year and rating, validated row by row.

A rating is an SKP predicate of Permenpan RB 6/2022 (Sangat Baik, Baik, Butuh Perbaikan, Kurang,
Sangat Kurang; its text not read here, mark P in sources.yaml), the predicate "Cukup" of PP 30/2019
Pasal 41 ayat (5) that years before it used, or a number (a PP 30/2019 value, 0 to 120). A file is
checked whole first: with any problem nothing is written. Ratings for a NIP the HR database does not
know are listed, and left out only with --skip-unknown.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from assess.hr.tables import columns_of
from assess.participants import clean_nip
from assess.problems import Problem, ProblemsFound
from assess.sheets.read import read_table
from assess.sheets.table import Row, Table, cell, header_key, rows_with_values
from assess.store import hr as hr_store

ACTOR = "hr"
MAX_LISTED = 50  # unknown NIPs named one by one; the rest counted

# predicate -> (its words as files write them, its rank: 5 the best)
PREDICATES = {
    "sangat-baik": ("Sangat Baik", 5),
    "baik": ("Baik", 4),
    "butuh-perbaikan": ("Butuh Perbaikan", 3),
    "cukup": ("Cukup", 3),  # PP 30/2019: the middle predicate before Permenpan RB 6/2022
    "kurang": ("Kurang", 2),
    "sangat-kurang": ("Sangat Kurang", 1),
}
_BY_WORDS = {header_key(words): key for key, (words, _rank) in PREDICATES.items()}
VALUE_RANGE = (0.0, 120.0)  # PP 30/2019 Pasal 41 ayat (5): a value up to 120
FIRST_YEAR = 1990
NIP, YEAR, RATING, NAME = "nip", "year", "rating", "name"
HEADERS = {
    "nip": NIP,
    "nipbaru": NIP,
    "tahun": YEAR,
    "year": YEAR,
    "predikat": RATING,
    "predikatkinerja": RATING,
    "nilai": RATING,
    "nilaiskp": RATING,
    "rating": RATING,
    "nama": NAME,  # allowed for the reader; not used
    "name": NAME,
}
_NUMBER = re.compile(r"[0-9]{1,3}([.,][0-9]+)?")


@dataclass(frozen=True)
class Rating:
    nip: str
    year: int
    predicate: str | None  # a key of PREDICATES
    value: float | None
    line: int  # the row in the file


def plan_ratings(table: Table, file: str, today: dt.date) -> list[Rating]:
    """Every row's rating, or ProblemsFound locating each problem at its row and column."""
    problems: list[Problem] = []
    columns, headers = columns_of(
        table,
        file,
        HEADERS,
        ((NIP, "NIP"), (YEAR, "Tahun"), (RATING, "Predikat")),
        "RATINGS",
        "NIP, Tahun/Year, Predikat/Nilai/Rating",
    )
    ratings, seen = [], {}
    for row in rows_with_values(table):
        rating = _row(row, columns, headers, file, today, problems)
        if rating is None:
            continue
        key = (rating.nip, rating.year)
        if key in seen:
            params = {"nip": rating.nip, "year": rating.year, "other": seen[key]}
            problems.append(Problem("RATINGS-DUPLICATE", params, file, row.line))
            continue
        seen[key] = row.line
        ratings.append(rating)
    if problems:
        raise ProblemsFound(problems)
    if not ratings:
        raise ProblemsFound([Problem("RATINGS-NO-ROWS", {}, file, table.header_line)])
    return ratings


def _row(
    row: Row, columns: dict[str, int], headers: list[str], file: str, today: dt.date, problems: list
) -> Rating | None:
    def problem(kind: str, code: str, **params) -> None:
        i = columns[kind]
        problems.append(Problem(code, params, file, row.line, i + 1, field=headers[i]))

    before = len(problems)
    nip, wrong = clean_nip(cell(row, columns[NIP]))
    if wrong is not None:
        problem(NIP, wrong[0], **wrong[1])
    elif nip is None:
        problem(NIP, "RATINGS-NIP-EMPTY")
    year_text = cell(row, columns[YEAR]).value.strip().removesuffix(".0")
    year = int(year_text) if year_text.isascii() and year_text.isdigit() and len(year_text) == 4 else None
    if year is None or not FIRST_YEAR <= year <= today.year:
        problem(YEAR, "RATINGS-YEAR-INVALID", value=year_text, first=FIRST_YEAR, last=today.year)
    predicate, value = _rating(cell(row, columns[RATING]).value.strip())
    if predicate is None and value is None:
        text = cell(row, columns[RATING]).value.strip()
        names = ", ".join(words for key, (words, _rank) in PREDICATES.items())
        problem(
            RATING,
            "RATINGS-RATING-INVALID",
            value=text,
            expected=names,
            low=int(VALUE_RANGE[0]),
            high=int(VALUE_RANGE[1]),
        )
    if len(problems) > before:
        return None
    return Rating(nip, year, predicate, value, row.line)


def _rating(text: str) -> tuple[str | None, float | None]:
    """(predicate, None) or (None, value) for a rating's text; (None, None) when it is neither."""
    if len(text) > 40:
        return None, None
    key = _BY_WORDS.get(header_key(text))
    if key is not None:
        return key, None
    if _NUMBER.fullmatch(text):
        value = float(text.replace(",", "."))
        if VALUE_RANGE[0] <= value <= VALUE_RANGE[1]:
            return None, value
    return None, None


@dataclass(frozen=True)
class Imported:
    new: int
    replaced: int
    skipped: list[Rating]  # unknown NIPs left out (--skip-unknown)


def import_ratings(engine, path: Path, *, skip_unknown: bool, today: dt.date) -> Imported:
    """Check the file whole, then write its ratings in one transaction (or nothing)."""
    planned = plan_ratings(read_table(path), str(path), today)
    known = hr_store.known_nips(engine)
    unknown = [r for r in planned if r.nip not in known]
    if unknown and not skip_unknown:
        problems = [
            Problem("RATINGS-NIP-UNKNOWN", {"nip": r.nip}, str(path), r.line) for r in unknown[:MAX_LISTED]
        ]
        if len(unknown) > MAX_LISTED:
            problems.append(Problem("RATINGS-MORE-UNKNOWN", {"n": len(unknown) - MAX_LISTED}, str(path)))
        raise ProblemsFound(problems)
    rows = [
        {"nip": r.nip, "year": r.year, "predicate": r.predicate, "value": r.value}
        for r in planned
        if r.nip in known
    ]
    new, replaced = hr_store.put_ratings(engine, rows, path.name, ACTOR) if rows else (0, 0)
    return Imported(new, replaced, unknown)
