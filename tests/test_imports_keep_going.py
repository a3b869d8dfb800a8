"""Imports that keep going (issue 15, point 6): `responses import --skip-unknown` leaves out the rows of
people who are not participants (listed in a file beside the import), `--new-only` the rows imported
before; without them the refusal says that they exist."""

from __future__ import annotations

import csv

from assess.store.store import Store
from tests.test_answer_sheet import HEADER, row, stored_form, xlsx
from tests.test_gforms import ES, EVENT, MR, MT, NU, OR, SA, SC, TF, WO, counts, url_of, workspace, write_csv

STAMP = "2026/10/04 10:0{}:00 AM GMT+7"


QUESTIONS = [SC, MR, TF, f"{MT} [Lurah]", f"{MT} [Camat]", f"{OR} [Camat]", f"{OR} [Lurah]",
             f"{OR} [Bupati/wali kota]", NU, SA, WO, ES]  # fmt: skip


def _export(path, people: list[tuple[int, str]]):
    """A Google Forms export of the test form: (minute, email) a row, each answering Camat to SC only."""
    rows = [["Timestamp", "Email Address", *QUESTIONS]]
    rows += [[STAMP.format(m), who, "Camat"] + [""] * (len(QUESTIONS) - 1) for m, who in people]
    return write_csv(path, rows)


def _imported(url: str) -> dict[str, str]:
    store = Store.open(url)
    try:
        return {a.person_id: a.channel for a in store.attempts(EVENT, "pre")}
    finally:
        store.close()


def test_a_google_forms_row_of_a_stranger_blocks_the_file_unless_skip_unknown(tmp_path, run):
    folder, base = workspace(tmp_path, run)
    url = url_of(folder, None)
    export = _export(
        tmp_path / "jawaban.csv",
        [(0, "ani@contoh.test"), (1, "pelatih@contoh.test"), (2, "budi@contoh.test")],
    )

    def import_(*options: str):
        return run(*base, "--lang", "en", "responses", "import", str(export), "--format", "google-forms",
                   "--phase", "pre", *options)  # fmt: skip

    before = counts(url)
    refused = import_()
    assert refused.exit_code == 2 and "RESPONSES-PERSON-UNKNOWN" in refused.stderr
    assert "--skip-unknown" in refused.stderr and counts(url) == before
    kept = import_("--skip-unknown")
    assert kept.exit_code == 0, kept.stderr
    listed = tmp_path / "jawaban-dilewati.csv"
    assert "phase pre: 2 attempts imported" in kept.stdout
    assert f"1 row skipped: its participant is not known (listed in {listed})" in kept.stdout
    with listed.open(encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == [["row", "respondent"], ["3", "pelatih@contoh.test"]]
    assert sorted(_imported(url)) == ["P0001", "P0002"]


def test_a_later_export_imports_only_its_new_rows_with_new_only(tmp_path, run):
    folder, base = workspace(tmp_path, run)
    url = url_of(folder, None)
    first = _export(tmp_path / "senin.csv", [(0, "ani@contoh.test"), (1, "budi@contoh.test")])
    later = _export(
        tmp_path / "selasa.csv", [(0, "ani@contoh.test"), (1, "budi@contoh.test"), (3, "citra@contoh.test")]
    )

    def import_(path, *options: str):
        return run(*base, "--lang", "en", "responses", "import", str(path), "--format", "google-forms",
                   "--phase", "pre", *options)  # fmt: skip

    assert import_(first).exit_code == 0
    refused = import_(later)
    assert refused.exit_code == 2 and refused.stderr.count("RESPONSES-ATTEMPT-EXISTS") == 2
    assert "--new-only" in refused.stderr
    added = import_(later, "--new-only")
    assert added.exit_code == 0, added.stderr
    assert (
        "phase pre: 1 attempt imported" in added.stdout and "2 rows skipped: imported before" in added.stdout
    )
    assert sorted(_imported(url)) == ["P0001", "P0002", "P0003"]
    # A row of someone imported before, submitted again later, is no "imported before": refused.
    again = _export(tmp_path / "rabu.csv", [(5, "ani@contoh.test")])
    resubmitted = import_(again, "--new-only")
    assert resubmitted.exit_code == 2 and "RESPONSES-ATTEMPT-EXISTS" in resubmitted.stderr


def test_an_answer_sheet_skips_strangers_and_those_who_have_an_attempt(tmp_path, run):
    folder, base = workspace(tmp_path, run)
    url = url_of(folder, None)
    form = stored_form(url)
    answered = {"fx-tf": "B"}
    first = xlsx(tmp_path / "lembar-1.xlsx", [HEADER, row(form, "P0001", "A", answered)])

    def import_(path, *options: str):
        return run(*base, "--lang", "en", "responses", "import", str(path), "--format", "sheet", "--phase", "pre",
                   *options)  # fmt: skip

    assert import_(first).exit_code == 0
    rows = [
        HEADER,
        row(form, "P0001", "A", answered),
        row(form, "P9999", "A", answered),
        row(form, "P0002", "B", answered),
    ]
    second = xlsx(tmp_path / "lembar-2.xlsx", rows)
    refused = import_(second)
    assert refused.exit_code == 2
    assert "RESPONSES-ATTEMPT-EXISTS" in refused.stderr and "RESPONSES-PERSON-UNKNOWN" in refused.stderr
    both = import_(second, "--new-only", "--skip-unknown")
    assert both.exit_code == 0, both.stderr
    assert "phase pre: 1 attempt imported" in both.stdout and "1 row skipped: imported before" in both.stdout
    assert (tmp_path / "lembar-2-dilewati.csv").read_text(encoding="utf-8-sig").splitlines()[1] == "3,P9999"
    assert sorted(_imported(url)) == ["P0001", "P0002"]
