"""Odd and hostile input: always a located, coded message and exit 2, never a traceback or a hang."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

VALID_ITEM = (
    "  - id: h-1\n    type: true_false\n    stem: Lurah bertanggung jawab kepada camat.\n"
    "    key: true\n    competencies: [T.01]\n"
)
HEAD = "kind: bank\nid: h\ntitle: H\nitems:\n"


def write(tmp_path: Path, text: str | bytes, name: str = "b.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def validate(run, path: Path):
    result = run("bank", "validate", str(path), "--lang", "en")
    assert "Traceback" not in result.output
    return result


def test_nul_byte_is_refused_not_a_silent_end_of_file(run, tmp_path):
    path = write(tmp_path, HEAD + VALID_ITEM + "\x00  - id: h-2\n    type: nonsense\n")
    result = validate(run, path)
    assert result.exit_code == 2
    assert f"{path}:10:1: FILE-CONTROL-CHARACTER: the control character U+0000" in result.stderr


def test_escaped_control_character_in_text_is_refused(run, tmp_path):
    path = write(tmp_path, HEAD + VALID_ITEM.replace("stem: Lurah", 'stem: "Lurah\\x00'))
    path.write_text(path.read_text().replace("camat.\n", 'camat."\n', 1))
    result = validate(run, path)
    assert result.exit_code == 2
    assert "FIELD-CONTROL-CHARACTER item 'h-1': stem:" in result.stderr


def test_line_separator_characters_do_not_shift_positions(run, tmp_path):
    text = (
        HEAD
        + VALID_ITEM.replace("kepada camat.", '"kepada\u2028camat\u2029dan\x85lurah."')
        + "    diffculty: easy\n"
    )
    path = write(tmp_path, text)
    result = validate(run, path)
    assert f"{path}:10:5: FIELD-UNKNOWN" in result.stderr


def test_huge_integers_are_reported_not_crashed_on(run, tmp_path):
    nines = "9" * 5000
    text = HEAD + VALID_ITEM + f"    difficulty: {nines}\n    points: {nines}\n"
    result = validate(run, write(tmp_path, text))
    assert result.exit_code == 2
    assert re.search(r"difficulty: 'a number of about 5\d\d\d digits' is not one of", result.stderr)
    assert re.search(r"points: expected a number, found a number of about 5\d\d\d digits", result.stderr)


def test_alias_bomb_with_a_duplicate_key_finishes_quickly(run, tmp_path):
    text = "dup: 1\ndup: 2\na: &a [x,x,x,x,x,x,x,x,x,x]\n"
    for name, prev in zip("bcdefghij", "abcdefghi", strict=True):
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]\n"
    start = time.monotonic()
    result = validate(run, write(tmp_path, text))
    assert time.monotonic() - start < 10
    assert result.exit_code == 2 and "YAML-DUPLICATE-KEY" in result.stderr


def test_keys_that_are_not_text_are_located_at_the_key(run, tmp_path):
    path = write(tmp_path, HEAD + VALID_ITEM + "    1: satu\n")
    result = validate(run, path)
    assert result.exit_code == 2
    assert f"{path}:10:5: FIELD-KEY-NOT-TEXT item 'h-1'" in result.stderr


def test_integer_and_text_keys_are_different_keys(run, tmp_path):
    # 1 and '1' are two keys in YAML 1.2: no duplicate to report.
    path = write(
        tmp_path, HEAD + VALID_ITEM + "    translations: {en: {options: {}}}\n" + "extra:\n  1: a\n  '1': b\n"
    )
    result = validate(run, path)
    assert "YAML-DUPLICATE-KEY" not in result.stderr
    assert "FIELD-UNKNOWN" in result.stderr


def test_wrong_types_are_not_quietly_converted(run, tmp_path):
    path = write(tmp_path, HEAD + VALID_ITEM + "    points: true\n")
    result = validate(run, path)
    assert result.exit_code == 2
    assert "FIELD-TYPE item 'h-1': points: expected a number, found true or false" in result.stderr


def test_a_device_is_not_read(run, tmp_path):
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    result = validate(run, link)
    assert result.exit_code == 2
    assert f"{link}: FILE-NOT-REGULAR" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX only")
def test_a_named_pipe_does_not_hang(run, tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    result = validate(run, tmp_path)
    assert result.exit_code == 2
    assert "FILE-NOT-REGULAR" in result.stderr


def test_a_very_long_argument(run):
    result = validate(run, Path("x" * 5000))
    assert result.exit_code == 2
    assert "FILE-UNREADABLE" in result.stderr or "ARG-NOT-FOUND" in result.stderr


def test_ids_have_a_length_limit(run, tmp_path):
    result = validate(run, write(tmp_path, HEAD + VALID_ITEM.replace("h-1", "h" * 200)))
    assert result.exit_code == 2 and "FIELD-TOO-LONG" in result.stderr


def test_long_values_are_cut_in_messages(run, tmp_path):
    result = validate(run, write(tmp_path, HEAD + VALID_ITEM + "    difficulty: " + "x" * 5000 + "\n"))
    [line] = [x for x in result.stderr.splitlines() if "FIELD-CHOICE" in x]
    assert len(line) < 400 and "…" in line


def test_show_letters_past_z(run, tmp_path):
    options = "".join(f"      - {{id: o{i}, text: Pilihan {i}}}\n" for i in range(28))
    text = HEAD + (
        "  - id: m-1\n    type: single_choice\n    stem: Pilih.\n    competencies: [T.01]\n"
        f"    options:\n{options}    key: o27\n"
    )
    path = write(tmp_path, text)
    assert validate(run, path).exit_code == 0
    shown = run("bank", "show", "m-1", str(path))
    assert shown.exit_code == 0
    assert "  AA. Pilihan 26" in shown.stdout and "AB (o27)" in shown.stdout
