"""Positions and what they require (issue 19, point 4): a `kind: positions` file validated like a bank,
with located errors; the shipped example labelled as one; hr.yaml's framework and positions checked."""

from __future__ import annotations

from pathlib import Path

import yaml

from assess.bank.loader import load

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "question_banks" / "jabatan-kewilayahan.yaml"

POSITIONS = """\
kind: positions
id: jabatan-uji
title: Jabatan uji
framework: kompetensi-asn
positions:
  - id: lurah
    name: Lurah
    type: pengawas
    requires: {M.01: 2, M.05: 2, T.01: 3}
  - id: camat
    name: Camat
    type: administrator
    requires: {M.01: 3, M.99: 3, M.05: 6}
    sources: [tidak-ada]
  - id: lurah
    name: Lurah lagi
    type: kepala
    requires: {M.01: 2}
"""


def test_the_shipped_example_validates_and_says_it_is_an_example():
    library = load([str(SHIPPED)])
    [positions] = library.positions
    assert positions.example is True
    framework = library.frameworks[positions.framework]
    managerial = [c.id for c in framework.competencies if c.id.startswith(("M.", "SK."))]
    by_type = {p.type: p for p in positions.positions}
    # one level for every managerial and socio-cultural competency per type (Permenpan RB 38/2017, mark P)
    for kind, level in (("administrator", 3), ("pengawas", 2), ("pelaksana", 1)):
        assert {by_type[kind].requires[c] for c in managerial} == {level}
    lurah = next(p for p in positions.positions if p.id == "lurah")
    assert lurah.type == "pengawas" and "pp-18-2016-pasal-95-kecamatan-kelurahan" in lurah.sources
    sources = library.sources
    assert sources["pp-18-2016-pasal-95-kecamatan-kelurahan"].mark == "V"
    assert sources["permenpan-rb-38-2017-standar-jenjang"].mark == "P"  # not confirmed in the Lampiran
    assert "CONTOH" in SHIPPED.read_text(encoding="utf-8")


def test_a_bad_positions_file_is_located(run, tmp_path):
    path = tmp_path / "jabatan.yaml"
    path.write_text(POSITIONS, encoding="utf-8")
    result = run("bank", "validate", str(path), "--lang", "en")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    err = result.stderr
    lines = POSITIONS.splitlines()
    level_line = next(n for n, text in enumerate(lines, 1) if "M.05: 6" in text)
    assert f"jabatan.yaml:{level_line}:" in err and "FIELD-RANGE" in err  # a level above 5
    type_line = next(n for n, text in enumerate(lines, 1) if "type: kepala" in text)
    assert f"jabatan.yaml:{type_line}:" in err and "kepala" in err
    fixed = POSITIONS.replace("M.05: 6", "M.05: 4").replace("type: kepala", "type: pelaksana")
    fixed = fixed.replace("M.99", "M.02").replace("    sources: [tidak-ada]\n", "")
    path.write_text(fixed, encoding="utf-8")
    twice = run("bank", "validate", str(path), "--lang", "en")
    line = next(n for n, text in enumerate(fixed.splitlines(), 1) if "Lurah lagi" in text) - 1  # its id
    assert twice.exit_code == 2 and f"jabatan.yaml:{line}:" in twice.stderr
    assert "POSITIONS-DUPLICATE-ID" in twice.stderr


def test_an_unknown_competency_and_source_are_located(run, tmp_path):
    text = POSITIONS.replace("M.05: 6", "M.05: 4").replace("    type: kepala\n", "    type: pelaksana\n")
    text = text.replace("  - id: lurah\n    name: Lurah lagi", "  - id: lurah-2\n    name: Lurah lagi")
    path = tmp_path / "jabatan.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("bank", "validate", str(path), "--lang", "en")
    assert result.exit_code == 2
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "M.99" in t)
    assert f"jabatan.yaml:{line}:" in result.stderr and "POSITIONS-COMPETENCY-UNKNOWN" in result.stderr
    assert "'M.99'" in result.stderr and "POSITIONS-SOURCE-UNKNOWN" in result.stderr
    assert "tidak-ada" in result.stderr


def test_hr_check_reads_hr_yaml_its_framework_and_positions(run, hr, tmp_path):
    shipped = run("-w", str(hr), "hr", "check", "--lang", "en")
    assert shipped.exit_code == 0, shipped.stderr
    assert "kompetensi-asn" in shipped.stdout and "7 positions" in shipped.stdout
    assert "an example" in shipped.stdout

    (hr / "jabatan.yaml").write_text(POSITIONS, encoding="utf-8")
    settings = yaml.safe_load((hr / "hr.yaml").read_text(encoding="utf-8"))
    settings["positions"] = "jabatan.yaml"
    (hr / "hr.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    bad = run("-w", str(hr), "hr", "check", "--lang", "en")
    assert bad.exit_code == 2 and "jabatan.yaml:" in bad.stderr and "FIELD-RANGE" in bad.stderr

    settings["positions"] = "tidak-ada"
    (hr / "hr.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    missing = run("-w", str(hr), "hr", "check", "--lang", "en")
    assert missing.exit_code == 2 and "HR-POSITIONS-NOT-FOUND" in missing.stderr
    assert "jabatan-kewilayahan" in missing.stderr  # the shipped ones are named

    settings["positions"], settings["framework"] = "jabatan-kewilayahan", "kerangka-lain"
    (hr / "hr.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    unknown = run("-w", str(hr), "hr", "check", "--lang", "en")
    assert unknown.exit_code == 2 and "HR-FRAMEWORK-UNKNOWN" in unknown.stderr
