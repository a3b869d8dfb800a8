"""Large, well-formed CSV files of numbers read by pyarrow's CSV reader (multi-threaded, in C++).

Only a fast path: it answers None whenever the file is not plainly well formed (a row of the wrong
length, an empty or non-number cell, text that is not UTF-8, a value that is not finite), and the
caller then reads it with its checking reader, which finds and locates every problem. pyarrow is
imported only here, and only for files over ARROW_MIN_BYTES, so that a small file keeps a short
start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

ARROW_MIN_BYTES = 2**20  # smaller files: numpy's parser, without pyarrow's import
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Columns:
    texts: list[list[str]]  # the text columns asked for (ids), trimmed, one list each
    unique: list[bool]  # per text column: no non-empty value in it twice
    numbers: np.ndarray  # rows x number columns asked for, float64, column-major; NaN where empty


def read_columns(
    path: Path, separator: str, width: int, text: list[int], numbers: list[int], *, empty_is_nan: bool = False
) -> Columns | None:
    """Every row after the header, which has `width` columns: the `text` columns as text and the
    `numbers` columns as finite numbers (the others are not read). An empty number is NaN when
    `empty_is_nan`, else a reason for None. Blank lines are not skipped (None), so that row k is
    line k + 2. A decimal comma is read when the separator is `;` (then every number must use it).
    None when anything is not plainly right: the caller's checking reader says what and where.
    """
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
    except ImportError:  # an installation without it is only slower
        return None
    pool = pa.default_memory_pool()
    names = [f"c{j}" for j in range(width)]
    types = {names[j]: pa.string() for j in text} | {names[j]: pa.float64() for j in numbers}
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=separator, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                include_columns=[names[j] for j in [*text, *numbers]],
                decimal_point="," if separator == ";" else ".",
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[""],
            ),
            memory_pool=pool,
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError):
        return None
    if not table.num_rows:
        return None  # the checking reader says there are no rows
    values = np.empty((table.num_rows, len(numbers)), order="F")
    for j, name in enumerate(names[k] for k in numbers):
        column = table.column(name)
        if column.null_count and not empty_is_nan:
            return None  # an empty cell
        row = 0
        for chunk in column.chunks:  # straight into the matrix: one copy, not two (empty: NaN)
            values[row : row + len(chunk), j] = chunk.to_numpy(zero_copy_only=False)
            row += len(chunk)
        finite = np.isfinite(values[:, j])
        if len(finite) - np.count_nonzero(finite) != column.null_count:
            return None  # "nan" or "inf" written out (pyarrow reads them)
        # Freed now and given back to the system, not at the end: the peak stays near one table
        # (0.6 GB for 1,000,000 x 50, where keeping both took 1.3 GB).
        table = table.drop_columns([name])
        pool.release_unused()
    trimmed = [pc.utf8_trim_whitespace(table.column(names[j])) for j in text]
    named = [pc.filter(t, pc.not_equal(t, "")) for t in trimmed]
    unique = [pc.count_distinct(t).as_py() == len(t) for t in named]  # counted in C++, not in a set
    return Columns([t.to_pylist() for t in trimmed], unique, values)


def header_line(path: Path) -> str | None:
    """The file's first line without its byte-order mark; None when it is not UTF-8."""
    with path.open("rb") as f:
        first = f.readline().removeprefix(_BOM)
    try:
        return first.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return None
