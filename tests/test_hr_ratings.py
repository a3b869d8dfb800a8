"""Performance ratings (issue 19, point 5): NIP, year and an SKP predicate or a number, validated per
row; unknown NIPs listed and left out only with --skip-unknown; a re-import replaces."""

from __future__ import annotations

import openpyxl
import sqlalchemy as sa

from assess.store import schema as t
from tests.test_hr_events import EVENT


def nips(hr, n: int) -> list[str]:
    engine = sa.create_engine(f"sqlite:///{hr / 'hr.db'}")
    with engine.connect() as c:
        found = list(c.execute(sa.select(t.persons.c.nip).where(t.persons.c.event_id == EVENT)).scalars())[:n]
    engine.dispose()
    return found


def stored(hr) -> list[tuple]:
    engine = sa.create_engine(f"sqlite:///{hr / 'hr.db'}")
    with engine.connect() as c:
        rows = [
            tuple(r)
            for r in c.execute(
                sa.select(
                    t.hr_ratings.c.nip, t.hr_ratings.c.year, t.hr_ratings.c.predicate, t.hr_ratings.c.value
                ).order_by(t.hr_ratings.c.nip, t.hr_ratings.c.year)
            )
        ]
    engine.dispose()
    return rows


def test_ratings_are_imported_replaced_and_listed(run, hr_added, event_backup, tmp_path):
    hr = hr_added
    a, b = nips(hr, 2)
    path = tmp_path / "skp.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["NIP", "Nama", "Tahun", "Predikat"])
    sheet.append([f"{a[:8]}.{a[8:14]}.{a[14]}.{a[15:]}", "A", 2021, "sangat baik"])  # dots, as lists write it
    sheet.append([b, "B", 2021, "Butuh Perbaikan"])
    sheet.append([b, "B", 2019, "87,5"])
    book.save(path)
    first = run("-w", str(hr), "hr", "ratings", "import", str(path), "--lang", "en")
    assert first.exit_code == 0, first.stderr
    assert "3 new, 0 replaced" in first.stdout
    assert stored(hr) == sorted(
        [(a, 2021, "sangat-baik", None), (b, 2019, None, 87.5), (b, 2021, "butuh-perbaikan", None)]
    )
    again = run("-w", str(hr), "hr", "ratings", "import", str(path), "--lang", "en")
    assert "0 new, 3 replaced" in again.stdout and len(stored(hr)) == 3
    listed = run("-w", str(hr), "hr", "ratings", "list", "--lang", "en").stdout
    assert "Sangat Baik" in listed and "87.5" in listed and a in listed


def test_bad_rows_are_located_and_nothing_is_written(run, hr_added, event_backup, tmp_path):
    hr = hr_added
    [a] = nips(hr, 1)
    path = tmp_path / "skp.csv"
    path.write_text(
        f"NIP,Tahun,Predikat\n{a},2021,Baik\n{a[:16]},2021,Baik\n{a},1890,Baik\n{a},2020,Hebat\n{a},2020,121\n{a},2021,Kurang\n",
        encoding="utf-8",
    )
    result = run("-w", str(hr), "hr", "ratings", "import", str(path), "--lang", "en")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    err = result.stderr
    assert "skp.csv:3:1: PARTICIPANTS-NIP-INVALID" in err
    assert "skp.csv:4:2: RATINGS-YEAR-INVALID" in err
    assert "skp.csv:5:3: RATINGS-RATING-INVALID" in err and "skp.csv:6:3: RATINGS-RATING-INVALID" in err
    assert "skp.csv:7: RATINGS-DUPLICATE" in err and "row 2" in err
    assert stored(hr) == []
    headers = tmp_path / "kolom.csv"
    headers.write_text("NIP,Periode,Predikat\n", encoding="utf-8")
    missing = run("-w", str(hr), "hr", "ratings", "import", str(headers), "--lang", "en")
    assert "RATINGS-HEADER-UNKNOWN" in missing.stderr and "RATINGS-COLUMN-MISSING" in missing.stderr


def test_an_unknown_nip_stops_the_import_unless_skipped(run, hr_added, event_backup, tmp_path):
    hr = hr_added
    [a] = nips(hr, 1)
    stranger = "199001012015031999"
    path = tmp_path / "skp.csv"
    path.write_text(f"NIP,Tahun,Predikat\n{a},2021,Baik\n{stranger},2021,Baik\n", encoding="utf-8")
    stopped = run("-w", str(hr), "hr", "ratings", "import", str(path), "--lang", "en")
    assert (
        stopped.exit_code == 2
        and "skp.csv:3: RATINGS-NIP-UNKNOWN" in stopped.stderr
        and stranger in stopped.stderr
    )
    assert stored(hr) == []
    skipped = run("-w", str(hr), "hr", "ratings", "import", str(path), "--skip-unknown", "--lang", "en")
    assert skipped.exit_code == 0 and "1 new" in skipped.stdout and f"row 3: NIP {stranger}" in skipped.stdout
    assert stored(hr) == [(a, 2021, "baik", None)]
