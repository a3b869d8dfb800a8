"""Loading bank files: a file loaded again in one process is parsed and validated once, and only
while its name and content are the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assess.bank import loader
from assess.bank.loader import InvalidFile, load_file
from assess.resources import data_path


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    path = tmp_path / "tupoksi-kelurahan.yaml"
    shutil.copy(data_path("question_banks") / "tupoksi-kelurahan.yaml", path)
    return path


def test_a_file_loaded_again_is_validated_once(bank):
    first, second = load_file(bank), load_file(bank)
    assert second.document is first.document  # the validated bank is reused...
    assert second is not first  # ...but each caller has its own wrapper (`shipped` is set on it)
    second.shipped = True
    assert load_file(bank).shipped is False


def test_a_changed_file_is_read_again(bank):
    before = load_file(bank).document
    bank.write_text(
        bank.read_text(encoding="utf-8").replace("tupoksi-001", "tupoksi-901", 1), encoding="utf-8"
    )
    after = load_file(bank).document
    assert after is not before and after.items[0].id == "tupoksi-901"
    # The same content under another name is another file: its problems must name it.
    other = bank.with_name("salinan.yaml")
    shutil.copy(bank, other)
    assert load_file(other).context.file == str(other)


def test_an_invalid_file_is_reported_every_time(bank):
    load_file(bank)  # valid, and kept, before it is broken
    bank.write_text(
        bank.read_text(encoding="utf-8").replace("type: essay", "type: esai", 1), encoding="utf-8"
    )
    for _ in range(2):
        with pytest.raises(InvalidFile) as e:
            load_file(bank)
        assert [p.code for p in e.value.problems] == ["BANK-ITEM-TYPE-UNKNOWN-SUGGEST"]


def test_large_files_are_not_kept_and_few_are(bank, monkeypatch):
    monkeypatch.setattr(loader, "_CACHE_MAX_BYTES", bank.stat().st_size - 1)
    assert load_file(bank).document is not load_file(bank).document
    monkeypatch.undo()
    for n in range(loader._CACHE_MAX_FILES + 4):
        shutil.copy(bank, bank.with_name(f"b{n}.yaml"))
        load_file(bank.with_name(f"b{n}.yaml"))
    assert len(loader._validated) == loader._CACHE_MAX_FILES
