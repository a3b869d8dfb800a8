"""What HR's files (ratings, roster) share: which column holds what, each problem located."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assess.problems import Problem, ProblemsFound
from assess.sheets.table import Table, header_key, trimmed_headers


def columns_of(
    table: Table,
    file: str,
    known: Mapping[str, str],
    required: Sequence[tuple[str, str]],
    prefix: str,
    expected: str,
) -> tuple[dict[str, int], list[str]]:
    """(kind -> 0-based column, the headers), or ProblemsFound naming each unknown, doubled or missing
    column: `known` maps a header's key to its kind, `required` lists (kind, the header to name when
    missing), and the problems are `prefix`-HEADER-UNKNOWN and `prefix`-COLUMN-MISSING."""
    problems: list[Problem] = []
    headers = trimmed_headers(table)
    columns: dict[str, int] = {}
    for i, text in enumerate(headers):
        kind = known.get(header_key(text))
        if kind is None:
            params = {"name": text, "expected": expected}
            problems.append(Problem(f"{prefix}-HEADER-UNKNOWN", params, file, table.header_line, i + 1))
        elif kind in columns:
            params = {"other": columns[kind] + 1, "first": headers[columns[kind]]}
            problems.append(Problem("PARTICIPANTS-HEADER-DUPLICATE", params, file, table.header_line, i + 1))
        else:
            columns[kind] = i
    for kind, name in required:
        if kind not in columns:
            problems.append(Problem(f"{prefix}-COLUMN-MISSING", {"name": name}, file, table.header_line))
    if problems:
        raise ProblemsFound(problems)
    return columns, headers
