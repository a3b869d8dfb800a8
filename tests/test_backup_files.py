"""Backups that stand alone (issue 15, point 5): `assess db backup` carries assessment.yaml and every
bank, framework and sources registry the event loads; `assess db restore FILE [DIR]` makes the
workspace again from them, and the restored event reads those copies, never the files installed now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from assess.bank import loader
from assess.event.file import COPIES_FOLDER, PINS_FILE
from assess.reports.render import write_reports
from assess.workspace import Workspace
from assess.workspace.backup import FILES
from tests.conftest import Run

EVENT = "payakumbuh-2019"
WRITTEN = dt.datetime(2019, 10, 31, 9, 0)  # the reports' "written at", the one part that may differ
NAME = "name: Tata kelola pemerintahan kelurahan"  # competency T.01 of the shipped framework
RENAMED = "name: Kompetensi Yang Diganti Namanya"


def sqlite(folder: Path) -> str:
    return f"sqlite:///{folder / 'assess.db'}"


def reports(folder: Path, out: Path) -> dict[str, bytes]:
    ws = Workspace(folder, sqlite(folder))
    try:
        write_reports(ws, out, written_at=WRITTEN)
    finally:
        ws.close()
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def source(scored_template, tmp_path_factory) -> tuple[Path, Path, dict[str, bytes]]:
    """The worked example, one bank the workspace's own (banks/), simulated, scored, phases closed; its
    reports and its backup."""
    run = Run()
    base = tmp_path_factory.mktemp("source")
    folder = base / "ws"
    shutil.copytree(scored_template, folder)
    (folder / "banks").mkdir()
    shutil.copy(loader.shipped_bank_ids()["lingkungan-hidup"], folder / "banks" / "lingkungan.yaml")
    event_file = folder / "assessment.yaml"
    text = event_file.read_text(encoding="utf-8").replace(", lingkungan-hidup,", ", banks/lingkungan.yaml,")
    assert "banks/lingkungan.yaml" in text
    event_file.write_text(text, encoding="utf-8")
    result = run("-w", str(folder), "phase", "close", "--phase", "post", "--score")
    assert result.exit_code == 0, result.stderr
    archive = base / "cadangan.zip"
    assert run("-w", str(folder), "db", "backup", str(archive)).exit_code == 0
    return folder, archive, reports(folder, base / "laporan")


def test_the_archive_carries_every_file_the_event_loads_with_its_checksum(source):
    folder, archive, _reports = source
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["format_version"] == 2
        files = manifest["files"]
        assert z.read(files["event"]["member"]) == (folder / "assessment.yaml").read_bytes()
        for entry in [files["event"], *files["loaded"]]:
            assert hashlib.sha256(z.read(entry["member"])).hexdigest() == entry["sha256"]
    loaded = {(e["ref"], e["path"], e["shipped"]) for e in files["loaded"]}
    assert loaded == {
        ("tupoksi-kelurahan", None, True),
        ("paradigma-pelayanan-publik", None, True),
        ("kompetensi-manajerial", None, True),
        ("banks/lingkungan.yaml", "banks/lingkungan.yaml", False),  # the workspace's own, in its place
        (None, None, True),  # the shipped framework and sources registry, beside the banks
    }
    assert len(files["loaded"]) == 6


def _edited_installation(tmp_path: Path) -> Path:
    """The shipped files as a later version of assess might install them: every one-line stem of a bank
    changed, and a competency's name."""
    edited = tmp_path / "shipped"
    shutil.copytree(loader.shipped_banks_dir(), edited)
    bank = edited / loader.shipped_bank_ids()["tupoksi-kelurahan"].name
    text, one_line = re.subn(r"(?m)^(\s+stem: )(?![>|])", r"\1(diubah) ", bank.read_text(encoding="utf-8"))
    text, folded = re.subn(r"(?m)^(\s+stem: [>|]-?\n\s+)", r"\1(diubah) ", text)
    assert one_line + folded > 20
    bank.write_text(text, encoding="utf-8")
    framework = edited / "competencies.yaml"
    text = framework.read_text(encoding="utf-8")
    assert NAME in text
    framework.write_text(text.replace(NAME, RENAMED, 1), encoding="utf-8")
    return edited


def test_restored_into_a_new_folder_it_reports_as_before_whatever_is_installed_now(
    source, tmp_path, monkeypatch, run
):
    folder, archive, before = source
    edited = _edited_installation(tmp_path)
    monkeypatch.setattr(loader, "shipped_banks_dir", lambda: edited)
    (folder / "banks" / "lingkungan.yaml").write_text(  # and the source's own bank edited after the backup
        (folder / "banks" / "lingkungan.yaml").read_text(encoding="utf-8").replace("id: ", "id:  ", 1),
        encoding="utf-8",
    )
    # The source itself reads the installed files: the edits show in its reports.
    assert reports(folder, tmp_path / "source-now") != before
    restored = tmp_path / "baru" / "pelatihan"
    result = run("db", "restore", str(archive), str(restored), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert f"Workspace {restored} made from the archive" in result.stdout
    assert (restored / "assessment.yaml").read_bytes() == (folder / "assessment.yaml").read_bytes()
    assert (restored / "banks" / "lingkungan.yaml").is_file()
    pins = json.loads((restored / COPIES_FOLDER / PINS_FILE).read_text(encoding="utf-8"))
    assert (
        set(pins["banks"]) == {"tupoksi-kelurahan", "paradigma-pelayanan-publik", "kompetensi-manajerial"}
        and len(pins["others"]) == 2
    )
    after = reports(restored, tmp_path / "laporan")
    assert after.keys() == before.keys() and after == before
    assert b"Kompetensi Yang Diganti" not in b"".join(after.values())
    # The restored workspace works on: event check draws the stored forms again.
    check = run("-w", str(restored), "event", "check", "--lang", "en")
    assert check.exit_code == 0 and "phase pre: the stored form matches this draw" in check.stdout


def test_an_archive_without_files_restores_only_into_its_events_workspace(source, tmp_path, run):
    _folder, archive, _reports = source
    old = tmp_path / "format-1.zip"
    with zipfile.ZipFile(archive) as z, zipfile.ZipFile(old, "w") as out:
        manifest = json.loads(z.read("manifest.json"))
        del manifest["files"]
        manifest["format_version"] = 1
        out.writestr("manifest.json", json.dumps(manifest))
        for name in z.namelist():
            if name != "manifest.json" and not name.startswith(FILES):
                out.writestr(name, z.read(name))
    empty = tmp_path / "kosong"
    result = run("db", "restore", str(old), str(empty), "--lang", "en")
    assert result.exit_code == 2 and "BACKUP-NO-FILES" in result.stderr and not empty.exists()
    workspace = tmp_path / "ws"
    assert run("init", "--example", EVENT, str(workspace)).exit_code == 0
    result = run("-w", str(workspace), "db", "restore", str(old), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "made from the archive" not in result.stdout and not (workspace / COPIES_FOLDER).exists()


def test_the_target_folder_is_chosen_and_a_failed_restore_leaves_it_as_it_was(source, tmp_path, run):
    folder, archive, _reports = source
    result = run("-w", str(folder), "db", "restore", str(archive), str(tmp_path / "lain"), "--lang", "en")
    assert result.exit_code == 2 and "differ" in result.stderr and not (tmp_path / "lain").exists()
    busy = tmp_path / "isi"
    busy.mkdir()
    (busy / "catatan.txt").write_text("x", encoding="utf-8")
    result = run("db", "restore", str(archive), str(busy), "--lang", "en")
    assert result.exit_code == 2 and "BACKUP-FOLDER-NOT-EMPTY" in result.stderr
    assert [p.name for p in busy.iterdir()] == ["catatan.txt"]
    # A database that holds the event already refuses it: the files written are taken away again.
    empty = tmp_path / "kosong"
    empty.mkdir()
    result = run("--db", sqlite(folder), "db", "restore", str(archive), str(empty), "--lang", "en")
    assert result.exit_code == 2 and "BACKUP-EVENT-EXISTS" in result.stderr
    assert empty.is_dir() and not any(empty.iterdir())


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (lambda m, f: f.update({"files/001-tupoksi-kelurahan.yaml": b"kind: bank\n"}), "BACKUP-CHECKSUM"),
        (lambda m, f: m["files"]["loaded"][0].update(path="../di-luar.yaml"), "BACKUP-MANIFEST-FIELD"),
        (lambda m, f: f.pop("files/assessment.yaml"), "BACKUP-MEMBER-MISSING"),
    ],
    ids=["checksum", "path-outside", "member-missing"],
)
def test_a_damaged_file_in_the_archive_is_refused_and_nothing_is_written(source, tmp_path, run, edit, code):
    _folder, archive, _reports = source
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
        found = {name: z.read(name) for name in z.namelist() if name != "manifest.json"}
    edit(manifest, found)
    damaged = tmp_path / "rusak.zip"
    with zipfile.ZipFile(damaged, "w") as out:
        out.writestr("manifest.json", json.dumps(manifest))
        for name, data in found.items():
            out.writestr(name, data)
    target = tmp_path / "baru"
    result = run("db", "restore", str(damaged), str(target), "--lang", "en")
    assert result.exit_code == 2 and code in result.stderr and "Traceback" not in result.stderr
    assert not target.exists()
