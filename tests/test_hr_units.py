"""The roster and units as a tree (issue 19, points 2 and 3): the roster imported whole with located
errors; its birth dates and names checked against the NIPs; units matched by normalised name, listed when
unmatched, joined by command."""

from __future__ import annotations

import sqlalchemy as sa

from assess.store import schema as t
from tests.hr_support import rewrite_archive
from tests.test_hr_events import EVENT, OTHER


def persons(hr) -> list[dict]:
    engine = sa.create_engine(f"sqlite:///{hr / 'hr.db'}")
    with engine.connect() as c:
        found = [
            dict(r._mapping) for r in c.execute(sa.select(t.persons).where(t.persons.c.event_id == EVENT))
        ]
    engine.dispose()
    return sorted(found, key=lambda r: r["person_id"])


def roster_rows(hr) -> list[tuple]:
    engine = sa.create_engine(f"sqlite:///{hr / 'hr.db'}")
    with engine.connect() as c:
        rows = [
            tuple(r)
            for r in c.execute(sa.select(t.hr_roster.c.nip, t.hr_roster.c.unit, t.hr_roster.c.birth_date))
        ]
    engine.dispose()
    return sorted(rows)


def test_the_roster_is_checked_whole_and_replaces_the_one_held(run, hr_added, event_backup, tmp_path):
    hr = hr_added
    a, b = persons(hr)[:2]
    bad = tmp_path / "pegawai.csv"
    bad.write_text(
        "NIP,Nama,Jabatan,Unit Kerja,Unit Induk,Tanggal Lahir\n"
        f"{a['nip']},{a['name'].split(',')[0]},Lurah,Kelurahan Ibuh,Payakumbuh Barat,1970-04-16\n"
        f"{a['nip'][:17]},X,Lurah,Kelurahan Ibuh,Payakumbuh Barat,\n"
        f"{b['nip']},,Lurah,Kelurahan Bunian,Payakumbuh Barat,31-02-1971\n"
        f"{a['nip']},Lagi,Lurah,Kelurahan Ibuh,Payakumbuh Barat,\n",
        encoding="utf-8",
    )
    refused = run("-w", str(hr), "hr", "roster", "import", str(bad), "--lang", "en")
    assert refused.exit_code == 2 and "Traceback" not in refused.stderr
    err = refused.stderr
    assert (
        "pegawai.csv:3:1: PARTICIPANTS-NIP-INVALID" in err
        and "pegawai.csv:4:2: PARTICIPANTS-NAME-EMPTY" in err
    )
    assert "pegawai.csv:4:6: ROSTER-DATE-INVALID" in err and "pegawai.csv:5: ROSTER-NIP-DUPLICATE" in err
    assert roster_rows(hr) == []

    good = tmp_path / "pegawai-2026.csv"
    good.write_text(
        "NIP,Nama,Jabatan,Unit Kerja,Unit Induk,Tanggal Lahir\n"
        f'{a["nip"]},"{a["name"]}",Camat,Kecamatan Payakumbuh Barat,Pemerintah Kota Payakumbuh,16-04-1970\n'
        f'{b["nip"]},"{b["name"]}",Lurah,Kelurahan Balai Nan Duo,Payakumbuh Barat,\n',
        encoding="utf-8",
    )
    done = run("-w", str(hr), "hr", "roster", "import", str(good), "--lang", "en")
    assert done.exit_code == 0 and "2 people (before: 0)" in done.stdout
    again = run("-w", str(hr), "hr", "roster", "import", str(good), "--lang", "en")
    assert "2 people (before: 2)" in again.stdout and len(roster_rows(hr)) == 2


def test_conflicts_name_a_roster_birth_date_the_nip_does_not_hold(run, hr_added, event_backup, tmp_path):
    hr = hr_added
    a, b = persons(hr)[:2]
    born = f"{a['nip'][6:8]}-{a['nip'][4:6]}-{a['nip'][:4]}"
    path = tmp_path / "pegawai.csv"
    path.write_text(
        "NIP,Nama,Tanggal Lahir\n"
        f'{a["nip"]},"{a["name"]}",{born}\n'  # agrees
        f"{b['nip']},Nama Lain,1999-01-01\n",  # another name and another birth date
        encoding="utf-8",
    )
    assert run("-w", str(hr), "hr", "roster", "import", str(path)).exit_code == 0
    result = run("-w", str(hr), "hr", "people", "conflicts", "--lang", "en")
    assert result.exit_code == 0
    assert (
        f"NIP {b['nip']}: the roster's birth date 1999-01-01 is not the NIP's {b['nip'][:8]}" in result.stdout
    )
    assert f"NIP {b['nip']} has different names" in result.stdout and "Nama Lain" in result.stdout
    assert a["nip"] not in result.stdout


def test_units_are_one_tree_across_events_and_spellings(run, hr, event_backup, tmp_path):
    def respell(table, row):
        if table == "units" and row["name"] == "Kelurahan Ibuh":
            return {**row, "name": "Kel. Ibuh"}  # another list's short form: the same unit
        if table == "units" and row["name"] == "Kelurahan Bunian":
            return {**row, "name": "Kelurahan Bunion"}  # mistyped: to check
        return row

    later = rewrite_archive(event_backup, tmp_path / "2021.zip", event_id=OTHER, edit=respell)
    for path in (event_backup, later):
        assert run("-w", str(hr), "hr", "add", str(path)).exit_code == 0
    tree = run("-w", str(hr), "hr", "units", "--lang", "en").stdout
    ibuh = next(line for line in tree.splitlines() if "[kelurahan-ibuh]" in line)
    assert "(1 people, 2 events)" in ibuh and "also: Kel. Ibuh" in ibuh
    barat = next(line for line in tree.splitlines() if "[payakumbuh-barat]" in line)
    assert not barat.startswith(" ") and "Kecamatan Payakumbuh Barat" in barat  # the group is its office
    assert tree.index("[payakumbuh-barat]") < tree.index("[kelurahan-ibuh]")

    unmatched = run("-w", str(hr), "hr", "units", "--unmatched", "--lang", "en").stdout
    assert "kelurahan-bunion" in unmatched and "may be kelurahan-bunian" in unmatched
    assert "kelurahan-ibuh" not in unmatched

    merged = run(
        "-w", str(hr), "hr", "units", "merge", "kelurahan-bunian", "Kelurahan Bunion", "--lang", "en"
    )
    assert merged.exit_code == 0 and "joined to kelurahan-bunian" in merged.stdout
    after = run("-w", str(hr), "hr", "units", "--lang", "en").stdout
    bunian = next(line for line in after.splitlines() if "[kelurahan-bunian]" in line)
    assert "(1 people, 2 events)" in bunian and "[kelurahan-bunion]" not in after
    assert "Every unit matches" in run("-w", str(hr), "hr", "units", "--unmatched", "--lang", "en").stdout
    assert "units.merge" in run("-w", str(hr), "hr", "log").stdout
    unknown = run("-w", str(hr), "hr", "units", "merge", "kelurahan-bunian", "tidak-ada", "--lang", "en")
    assert unknown.exit_code == 2 and "UNITS-UNKNOWN" in unknown.stderr


def test_with_a_roster_the_units_it_lacks_are_unmatched(run, hr_added, event_backup, tmp_path):
    hr = hr_added
    a = persons(hr)[0]
    path = tmp_path / "pegawai.csv"
    path.write_text(
        f'NIP,Nama,Unit Kerja,Unit Induk\n{a["nip"]},"{a["name"]}",Kelurahan Ibuh,Payakumbuh Barat\n',
        encoding="utf-8",
    )
    assert run("-w", str(hr), "hr", "roster", "import", str(path)).exit_code == 0
    unmatched = run("-w", str(hr), "hr", "units", "--unmatched", "--lang", "en").stdout
    assert "kelurahan-bunian  Kelurahan Bunian: not in the roster" in unmatched
    assert "kelurahan-ibuh " not in unmatched and "payakumbuh-barat " not in unmatched


def test_joined_units_are_one_in_the_comparisons(run, hr, event_backup, tmp_path):
    from assess.hr import HrWorkspace, choose_hr, compare
    from assess.hr.data import load_hr

    def respell(table, row):
        if table == "units" and row["name"] == "Kelurahan Bunian":
            return {**row, "name": "Kelurahan Bunion"}
        return row

    later = rewrite_archive(
        event_backup, tmp_path / "2021.zip", event_id=OTHER, dates="[2021-03-01]", edit=respell
    )
    for path in (event_backup, later):
        assert run("-w", str(hr), "hr", "add", str(path)).exit_code == 0
    assert run("-w", str(hr), "hr", "calibrate").exit_code == 0
    assert run("-w", str(hr), "hr", "units", "merge", "kelurahan-bunian", "kelurahan-bunion").exit_code == 0
    ws = HrWorkspace(*choose_hr(str(hr), None))
    data = load_hr(ws)
    ws.close()
    bunian = next(u for u in compare.units(data) if u.code == "kelurahan-bunian")
    assert [y.year for y in bunian.years] == [2019, 2021] and data.tree.units[
        "kelurahan-bunian"
    ].name == "Kelurahan Bunian"
    assert "kelurahan-bunion" not in {u.code for u in compare.units(data)}


def test_welch_interval_is_scipys():
    from scipy import stats

    from assess.hr.compare import welch

    a, b = [480.0, 510.0, 495.0, 530.0], [520.0, 560.0, 540.0, 515.0, 590.0, 505.0]
    mine = welch(a, b)
    theirs = stats.ttest_ind(b, a, equal_var=False).confidence_interval()
    assert abs(mine.low - theirs.low) < 1e-9 and abs(mine.high - theirs.high) < 1e-9
