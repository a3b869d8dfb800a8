"""`assess demo` and `assess participants import` from the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re

from assess.store.store import Store


def test_demo_runs_the_worked_example_end_to_end(tmp_path, run, database_url):
    out = tmp_path / "demo"
    result = run("demo", "--out", str(out), "--db", database_url, "--lang", "en")
    assert result.exit_code == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if re.match(r"^P\d{4} ", line)]
    assert len(rows) == 52
    mean = next(line for line in result.stdout.splitlines() if "Mean" in line).split()
    pre, post, gain = float(mean[1]), float(mean[2]), float(mean[3])
    assert post > pre and gain > 0
    store = Store.open(database_url)
    results = store.results("payakumbuh-2019")
    assert len(results) == 104 and all(not r.provisional for r in results)
    assert {r.phase_id for r in results} == {"pre", "post"}
    store.close()


def test_demo_makes_its_own_folder_anew_but_never_someone_elses(tmp_path, run):
    out = tmp_path / "demo"
    assert run("demo", "--out", str(out)).exit_code == 0
    again = run("demo", "--out", str(out))  # its own folder: made anew
    assert again.exit_code == 0
    _numbers_follow_the_message_language(out, again.stdout, run)
    other = tmp_path / "lain"
    other.mkdir()
    (other / "data.txt").write_text("jangan dihapus")
    result = run("demo", "--out", str(other), "--lang", "en")
    assert result.exit_code == 2 and "WORKSPACE-NOT-EMPTY" in result.stderr
    assert (other / "data.txt").read_text() == "jangan dihapus"


def test_participants_import_is_all_or_nothing(tmp_path, run):
    folder = tmp_path / "ws"
    assert run("init", "--example", "payakumbuh-2019", str(folder)).exit_code == 0
    result = run("-w", str(folder), "participants", "import", str(folder / "peserta.csv"), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "52 participants added." in result.stdout
    assert result.stdout.count("new group:") == 5
    again = run("-w", str(folder), "participants", "import", str(folder / "peserta.csv"), "--lang", "en")
    assert again.exit_code == 2 and "PARTICIPANTS-NIP-EXISTS" in again.stderr
    store = Store.open(f"sqlite:///{folder / 'assess.db'}")
    people = store.participants("payakumbuh-2019")
    assert len(people) == 52  # the refused file added nobody
    codes = {p.access_code for p in people}
    assert len(codes) == 52 and all(
        re.fullmatch(r"[A-HJ-KM-NP-Z2-9]{5}-[A-HJ-KM-NP-Z2-9]{5}", c) for c in codes
    )
    store.close()


def test_participants_template(tmp_path, run):
    path = tmp_path / "peserta.xlsx"
    assert run("participants", "template", str(path)).exit_code == 0
    import openpyxl

    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[1]][:2] == ["NIP", "Nama"]
    assert sheet["A2"].number_format == "@"


def test_importing_the_same_people_without_nip_twice_is_refused(tmp_path, run):
    folder = tmp_path / "ws"
    assert run("init", "--example", "payakumbuh-2019", str(folder)).exit_code == 0
    people = tmp_path / "lpm.csv"
    people.write_text("Nama,Jabatan\nRina,Ketua LPM\n", encoding="utf-8")
    first = run("-w", str(folder), "participants", "import", str(people), "--lang", "en")
    assert first.exit_code == 0 and "1 participant added." in first.stdout
    again = run("-w", str(folder), "participants", "import", str(people), "--lang", "en")
    assert again.exit_code == 2 and f"{people}:2: PARTICIPANTS-PERSON-EXISTS" in again.stderr


def test_demo_refuses_a_used_database_before_touching_its_folder(tmp_path, run):
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    out = tmp_path / "demo"
    assert run("demo", "--out", str(out), "--db", db).exit_code == 0
    marker = out / "catatan.txt"
    marker.write_text("tetap ada")
    result = run("demo", "--out", str(out), "--db", db, "--lang", "en")
    assert result.exit_code == 2 and "WORKSPACE-DEMO-DATABASE-USED" in result.stderr
    assert marker.read_text() == "tetap ada"


def _numbers_follow_the_message_language(out, demo_output: str, run) -> None:
    """The command line writes numbers as the reports do (52,0 in Indonesian); JSON keeps a point."""
    means = re.search(r"Rata-rata\s+(\S+)\s+(\S+)\s+(\S+)", demo_output)
    assert means and all(re.fullmatch(r"[+-]?\d+,\d", m) for m in means.groups()), demo_output
    scored = run("score", "-w", str(out))
    assert re.search(r"rata-rata \d+,\d%", scored.stdout), scored.stdout
    english = run("score", "-w", str(out), "--lang", "en")
    assert re.search(r"mean \d+\.\d%", english.stdout), english.stdout
    # the same mean, only written in each language
    assert re.findall(r"\d+,\d", scored.stdout) == [
        m.replace(".", ",") for m in re.findall(r"\d+\.\d", english.stdout)
    ]
    as_json = run("analyze", "prepost", "-w", str(out), "--json")
    record = json.loads(as_json.stdout)
    assert isinstance(record["mean_gain"], float)
    table = run("analyze", "prepost", "-w", str(out))
    assert re.search(r"t\(\d+\) = \d+,\d{3}", table.stdout), table.stdout
