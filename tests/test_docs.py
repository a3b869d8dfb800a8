"""The docs tell the truth: their examples validate and every problem code is explained."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assess.bank.loader import load
from assess.bank.model import ITEM_TYPES
from assess.problems.codes import MESSAGES

ROOT = Path(__file__).resolve().parents[1]
FORMAT = ROOT / "docs" / "bank-format.md"


def test_every_problem_code_is_in_a_code_table_of_the_docs():
    table = set()
    for doc in (ROOT / "docs").glob("*.md"):
        table |= set(
            re.findall(r"^\| `([A-Z][A-Z0-9]*-[A-Z0-9-]+)` \|", doc.read_text(encoding="utf-8"), re.MULTILINE)
        )
    assert table == set(MESSAGES)


def test_example_banks_validate_and_cover_every_type(run):
    result = run("bank", "validate", str(ROOT / "docs" / "examples"))
    assert result.exit_code == 0, result.stderr
    library = load([str(ROOT / "docs" / "examples")])
    assert {item.type for _, item in library.items()} == set(ITEM_TYPES)


COMPLETE_FILES = [
    block
    for block in re.findall(r"```yaml\n(.*?)```", FORMAT.read_text(encoding="utf-8"), re.DOTALL)
    if re.search(r"^kind: (bank|framework|sources)$", block, re.MULTILINE)
]


@pytest.mark.parametrize("block", COMPLETE_FILES, ids=lambda b: b.splitlines()[0][:40])
def test_complete_files_in_the_doc_validate(tmp_path, block):
    path = tmp_path / "example.yaml"
    path.write_text(block, encoding="utf-8")
    load([str(path)])


def test_the_doc_has_complete_files():
    assert len(COMPLETE_FILES) >= 3
