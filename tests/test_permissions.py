"""The workspace holds codes, NIPs, answers and keys: every file assess writes there is its owner's only.

On POSIX a file is 0600 and a folder that assess makes 0700, whatever the umask
(the tests set the usual 022, under which a plain write gives 0644). Windows
keeps access in the folder's ACL, not in these bits: the tests skip there.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from assess.sheets.write import private_file, private_folder
from assess.store.engine import sqlite_url
from assess.store.store import Store
from tests.test_marks import essay_workspace

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's; Windows keeps ACLs")


@pytest.fixture(autouse=True)
def _usual_umask():
    old = os.umask(0o022)  # what most desktops have: a plain write would give 0644
    yield
    os.umask(old)


def modes(root: Path) -> dict[str, str]:
    """Every folder and file under `root` (itself as "."), with its permission bits in octal."""
    found = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for path in sorted(root.rglob("*")):
        found[path.relative_to(root).as_posix()] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def not_private(root: Path) -> dict[str, str]:
    return {
        name: mode
        for name, mode in modes(root).items()
        if mode != (oct(0o700) if (root / name).is_dir() else oct(0o600))
    }


def test_a_realistic_run_leaves_every_file_0600_and_every_folder_0700(tmp_path, run):
    out = tmp_path / "kursus" / "demo"  # its parent is made too
    assert run("demo", "--out", str(out)).exit_code == 0
    w = ("-w", str(out))
    commands = [
        ("report",),
        ("form", "print", "--phase", "pre"),
        ("form", "print", "--phase", "post", "--out", str(out / "cetak" / "akhir")),
        ("participants", "cards", "--url", "http://192.168.1.10:8000"),
        ("export", "--format", "xlsx"),
        ("export", "--format", "csv-long", "--out", str(out / "hasil-panjang.csv")),
        ("export", "--format", "xlsx", "--pseudonymise", "--out", str(out / "hasil-samaran.xlsx")),
        ("db", "backup", str(out / "cadangan.zip")),
        ("responses", "template", "--phase", "pre"),
    ]
    for command in commands:
        result = run(*w, *command)
        assert result.exit_code == 0, (command, result.output)
    written = modes(out)
    for name in (
        "assess.db",
        "assessment.yaml",
        "peserta.csv",
        "laporan",
        "laporan/index.html",
        "laporan/participants",
        "kunci-pre.html",
        "cetak/akhir/kunci-post.html",
        "kartu-peserta.html",
        "hasil-panjang.csv",
        "hasil-samaran.xlsx",
        "cadangan.zip",
        "lembar-jawaban-pre.xlsx",
        ".assess-secret-pseudonym",
    ):
        assert name in written, sorted(written)
    assert any(name.startswith("laporan/participants/") for name in written)
    assert any(name.startswith("naskah-pre-") for name in written), sorted(written)
    assert any(name.endswith(".xlsx") and name.startswith("hasil") for name in written), sorted(written)
    assert not_private(out) == {}
    assert oct(stat.S_IMODE((tmp_path / "kursus").stat().st_mode)) == oct(0o700)


def test_essays_to_mark_are_written_private(tmp_path, run):
    folder, options = essay_workspace(tmp_path, run)  # its assessment.yaml and peserta.csv written here
    for out in ([], ["--out", str(folder / "uraian.csv")]):
        assert run(*options, "marks", "export", "--phase", "post", *out).exit_code == 0
    written = {
        name: mode for name, mode in modes(folder).items() if name not in ("assessment.yaml", "peserta.csv")
    }
    assert set(written) >= {
        ".",
        "assess.db",
        "penilaian-uraian-post.xlsx",
        "uraian.csv",
    }
    assert {name: mode for name, mode in written.items() if name != "."} == {
        name: oct(0o700) if (folder / name).is_dir() else oct(0o600) for name in written if name != "."
    }


def test_init_copies_the_example_and_the_template_privately(tmp_path, run):
    assert run("init", "--example", "payakumbuh-2019", str(tmp_path / "contoh")).exit_code == 0
    assert run("init", str(tmp_path / "baru")).exit_code == 0
    given = tmp_path / "kosong"
    given.mkdir(mode=0o755)  # an empty folder the trainer made: it becomes the workspace
    assert run("init", "--example", "payakumbuh-2019", str(given)).exit_code == 0
    for folder in ("contoh", "baru", "kosong"):
        assert len(modes(tmp_path / folder)) > 1
        assert not_private(tmp_path / folder) == {}, folder


def test_the_database_and_its_wal_and_shm_are_private_while_the_server_has_them_open(tmp_path):
    path = tmp_path / "assess.db"
    store = Store.open(sqlite_url(path))
    try:
        store.ensure_event("e", "Pelatihan", "Asia/Jakarta")
        companions = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
        assert all(c.exists() for c in companions)  # WAL: both while a connection is open
        assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in [path, *companions]} == {
            "assess.db": oct(0o600),
            "assess.db-wal": oct(0o600),
            "assess.db-shm": oct(0o600),
        }
    finally:
        store.close()


def test_a_database_an_older_version_left_readable_is_made_private_when_opened(tmp_path):
    path = tmp_path / "assess.db"
    old = sqlite3.connect(path)  # as an older version made it: 0644 under the umask
    old.execute("PRAGMA journal_mode=WAL")
    old.execute("CREATE TABLE t (x)")
    old.commit()
    wal = path.with_name("assess.db-wal")
    assert oct(stat.S_IMODE(path.stat().st_mode)) == oct(0o644) and wal.exists()
    store = Store.open(sqlite_url(path))
    store.close()
    old.close()
    assert oct(stat.S_IMODE(path.stat().st_mode)) == oct(0o600)


def test_the_helpers_make_new_and_existing_files_private_and_leave_a_given_folder_alone(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    os.chmod(mine, 0o755)
    existing = mine / "a.html"
    existing.write_text("old")  # 0644
    private_file(existing).write_text("new")
    assert existing.read_text() == "new" and oct(stat.S_IMODE(existing.stat().st_mode)) == oct(0o600)
    made = private_folder(mine / "b" / "c")
    assert {p: oct(stat.S_IMODE((mine / p).stat().st_mode)) for p in (".", "b", "b/c")} == {
        ".": oct(0o755),  # not made by assess: left as the trainer set it
        "b": oct(0o700),
        "b/c": oct(0o700),
    }
    private_file(made / "d.csv").write_bytes(b"x")
    assert oct(stat.S_IMODE((made / "d.csv").stat().st_mode)) == oct(0o600)
