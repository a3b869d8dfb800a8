"""Paper answer sheets in (letters through each variant's printed order), and the empty sheet out."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from assess.bank.show import letter
from assess.delivery.answer_sheet import PAPER_ESSAY
from assess.forms import Form, positions_of
from assess.store.store import Store
from tests.test_gforms import EVENT, counts, results, url_of, workspace

HEADER = ["Peserta", "Nama", "Varian", *(str(k) for k in range(1, 10))]


def stored_form(url: str) -> Form:
    store = Store.open(url)
    try:
        return store.form(EVENT, "pre")
    finally:
        store.close()


def at(form: Form, label: str, item: str, *options: str) -> str:
    """The letters printed for `options` of `item` in variant `label`."""
    return "".join(letter(p) for p in positions_of(form.variant(label), form.item(item), list(options)))


def row(form: Form, person: str, label: str | None, cells: dict[str, object]) -> list:
    """A sheet row: the answers by item id, put in the variant's question order."""
    known = [v.label for v in form.variants]
    order = form.variant(label.upper() if label and label.upper() in known else "A").items
    return [person, "", label or ""] + [cells.get(item_id, "") for item_id in order]


def xlsx(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    for r in rows:
        book.active.append(r)
    book.save(path)
    return path


def sheet_rows(form: Form) -> list[list]:
    """Four participants, both variants, keyed, wrong and blank answers; all in letters as printed."""
    return [
        HEADER,
        # Ani, variant A, every answer keyed: 1 + 2 + 1 + 2 + 3 + 1 + 1 + 5 = 16 (the essay's cell stays empty:
        # it is on the paper and waits for its mark).
        row(
            form,
            "P0001",
            "A",
            {
                "fx-sc": at(form, "A", "fx-sc", "sekda"),
                "fx-mr": at(form, "A", "fx-mr", "a", "b"),
                "fx-tf": "B",
                "fx-mt": f"1{at(form, 'A', 'fx-mt', 'bupati')} 2{at(form, 'A', 'fx-mt', 'bupati')}",
                "fx-or": at(form, "A", "fx-or", "bupati", "camat", "lurah"),
                "fx-nu": "5",
                "fx-sa": "Ombudsman",
                "fx-wo": at(form, "A", "fx-wo", "w2"),
            },
        ),
        # Budi, variant B, keyed too, in the other spellings: 16.
        row(
            form,
            "p0002",
            "b",
            {
                "fx-sc": at(form, "B", "fx-sc", "sekda").lower(),
                "fx-mr": ",".join(at(form, "B", "fx-mr", "b", "a")),
                "fx-tf": "Benar",
                "fx-mt": ",".join(at(form, "B", "fx-mt", "bupati", "bupati")),
                "fx-or": ",".join(at(form, "B", "fx-or", "bupati", "camat", "lurah")),
                "fx-nu": 5,
                "fx-sa": "ombudsman",
                "fx-wo": at(form, "B", "fx-wo", "w2"),
            },
        ),
        # Citra, variant B, wrong and blank: sc 0; mr a and d: 1/2 - 1/2 = 0; tf 0; mt camat right 1;
        # or [camat, bupati, lurah]: the last position right, 1; nu 0; sa blank; wo 3. Total 5.
        row(
            form,
            "P0003",
            "B",
            {
                "fx-sc": at(form, "B", "fx-sc", "camat"),
                "fx-mr": " ".join(at(form, "B", "fx-mr", "a", "d")),
                "fx-tf": "S",
                "fx-mt": f"1{at(form, 'B', 'fx-mt', 'gubernur')}, 2{at(form, 'B', 'fx-mt', 'bupati')}",
                "fx-or": at(form, "B", "fx-or", "camat", "bupati", "lurah"),
                "fx-nu": "4",
                "fx-wo": at(form, "B", "fx-wo", "w3"),
            },
        ),
        # Dedi by NIP, variant A, only the first item, by its option id: 1.
        ["198706212009061006", "Dedi Kurnia", "A"] + [""] * 9,
        # Eko did not sit the test: no answers, no attempt.
        row(form, "P0005", "", {}),
    ]


EXPECTED = {"P0001": 16.0, "P0002": 16.0, "P0003": 5.0, "P0004": 1.0}


def test_the_variants_print_options_in_different_orders(tmp_path, run):
    folder, _ = workspace(tmp_path, run)
    form = stored_form(url_of(folder, None))
    # The event's secret seeds the form, so which items differ is the draw's; some must.
    a, b = form.variant("A"), form.variant("B")
    assert any(a.options[i] != b.options[i] for i in a.options if len(a.options[i]) > 2)
    assert a.items != b.items


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_sheet_per_variant_scores_exactly_by_hand(tmp_path, run, suffix):
    folder, base = workspace(tmp_path, run)
    url = url_of(folder, None)
    form = stored_form(url)
    rows = sheet_rows(form)
    number = form.variant("A").items.index("fx-sc") + 1
    rows[4][2 + number] = "sekda"  # Dedi's answer to question `number` of variant A, as an option id
    if suffix == ".xlsx":
        path = xlsx(tmp_path / "lembar.xlsx", rows)
    else:
        path = tmp_path / "lembar.csv"
        path.write_text(
            "\ufeff" + "\n".join(";".join(str(c) for c in r) for r in rows) + "\n", encoding="utf-8"
        )  # a spreadsheet's CSV with `;`
    result = run(
        *base, "--lang", "en", "responses", "import", str(path), "--format", "sheet", "--phase", "pre"
    )
    assert result.exit_code == 0, result.stderr
    assert "phase pre: 4 attempts imported" in result.stdout
    assert "rows without answers, so without an attempt: 1" in result.stdout
    assert "1 participant has no attempt on this phase" in result.stdout
    got = results(url, "pre")
    assert {p: r.points for p, r in got.items()} == pytest.approx(EXPECTED)
    # The essay (its column empty) was written on paper: every result waits for its mark.
    assert all(r.max_points == pytest.approx(20) and r.provisional for r in got.values())
    assert "mean 47.5%" in result.stdout  # (80 + 80 + 25 + 5) / 4
    store = Store.open(url)
    attempts = {a.person_id: a for a in store.attempts(EVENT, "pre")}
    answers = store.answers_of([a.id for a in attempts.values()])
    store.close()
    assert attempts["P0002"].variant == "B" and attempts["P0002"].channel == "import"
    assert attempts["P0002"].personal_order["items"] == form.variant("B").items
    budi, citra = answers[attempts["P0002"].id], answers[attempts["P0003"].id]
    assert budi["fx-mt"] == {"lurah": "bupati", "camat": "bupati"}
    assert budi["fx-or"] == ["bupati", "camat", "lurah"]
    assert sorted(budi["fx-mr"]) == ["a", "b"]
    assert citra["fx-or"] == ["camat", "bupati", "lurah"]
    assert citra["fx-sa"] is None and citra["fx-es"] == PAPER_ESSAY


def test_the_template_lists_everyone_and_reads_back(tmp_path, run):
    folder, base = workspace(tmp_path, run)
    result = run(*base, "--lang", "en", "responses", "template", "--phase", "pre")
    assert result.exit_code == 0, result.stderr
    path = folder / "lembar-jawaban-pre.xlsx"
    assert f"Written {path}: 5 participants." in result.stdout
    book = openpyxl.load_workbook(path)
    sheet = book.active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == HEADER
    assert [r[:2] for r in values[1:6]] == [
        ["P0001", "Ani Lestari"],
        ["P0002", "Budi Santoso"],
        ["P0003", "Citra Dewi"],
        ["P0004", "Dedi Kurnia"],
        ["P0005", "Eko Prasetyo"],
    ]
    assert all(sheet.cell(r, c).number_format == "@" for r in range(2, 8) for c in range(1, 13))
    # The untouched template imports nothing and fails nothing.
    result = run(
        *base, "--lang", "en", "responses", "import", str(path), "--format", "sheet", "--phase", "pre"
    )
    assert result.exit_code == 0, result.stderr
    assert "phase pre: 0 attempts imported" in result.stdout
    # Filled in (two rows), it reads back.
    form = stored_form(url_of(folder, None))
    for r, person, label in [(2, "P0001", "A"), (4, "P0003", "B")]:
        assert sheet.cell(r, 1).value == person
        sheet.cell(r, 3).value = label
        order = form.variant(label).items
        sheet.cell(r, 4 + order.index("fx-sc")).value = at(form, label, "fx-sc", "sekda")
        sheet.cell(r, 4 + order.index("fx-tf")).value = "B"
    book.save(path)
    result = run(
        *base, "--lang", "en", "responses", "import", str(path), "--format", "sheet", "--phase", "pre"
    )
    assert result.exit_code == 0, result.stderr
    assert {p: r.points for p, r in results(url_of(folder, None), "pre").items()} == {
        "P0001": 2.0,
        "P0003": 2.0,
    }
    result = run(*base, "responses", "template", "--phase", "pre", "--out", str(tmp_path / "t.csv"))
    assert result.exit_code == 0
    lines = (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "\ufeff" + ",".join(HEADER) and lines[1].startswith("P0001,Ani Lestari,")


def test_a_bad_sheet_is_located_cell_by_cell_and_writes_nothing(tmp_path, run, database_url):
    folder, base = workspace(tmp_path, run, database_url)
    url = url_of(folder, database_url)
    form = stored_form(url)
    a_order, b_order = form.variant("A").items, form.variant("B").items
    first = xlsx(tmp_path / "first.xlsx", [HEADER, row(form, "P0004", "A", {"fx-tf": "B"})])
    assert run(*base, "responses", "import", str(first), "--format", "sheet", "--phase", "pre").exit_code == 0
    before = counts(url)
    assert before["attempts"] == before["results"] == 1 and before["responses"] == 9
    bad = [
        HEADER,
        row(form, "P0001", "A", {"fx-sc": "B"}),  # a good row: not written either
        row(form, "P0099", "A", {"fx-sc": "A"}),
        row(form, "P0002", "C", {"fx-sc": "A"}),
        row(form, "P0003", "", {"fx-sc": "A"}),
        row(
            form,
            "P0005",
            "B",
            {
                "fx-sc": "E",
                "fx-tf": "Ya",
                "fx-mt": "1Z 2A",
                "fx-or": "AB",
                "fx-nu": "banyak",
                "fx-es": "Lurah adalah perangkat kecamatan.",
                "fx-mr": "A?",
            },
        ),
        row(form, "P0001", "B", {"fx-mt": "3A"}),
        row(form, "P0004", "A", {"fx-sc": "A"}),
    ]
    path = xlsx(tmp_path / "bad.xlsx", bad)
    result = run(
        *base, "--lang", "en", "responses", "import", str(path), "--format", "sheet", "--phase", "pre"
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    name = str(path)

    def col(order, item):
        return 4 + order.index(item)

    located = {
        (line.split(": ")[0], line.split(": ")[1].split(" ")[0]) for line in result.stderr.splitlines()[:-1]
    }
    assert located == {
        (f"{name}:3:1", "RESPONSES-PERSON-UNKNOWN"),
        (f"{name}:4:3", "RESPONSES-SHEET-VARIANT-UNKNOWN"),
        (f"{name}:5:3", "RESPONSES-SHEET-VARIANT-EMPTY"),
        (f"{name}:6:{col(b_order, 'fx-sc')}", "RESPONSES-SHEET-LETTER"),
        (f"{name}:6:{col(b_order, 'fx-tf')}", "RESPONSES-SHEET-TRUE-FALSE"),
        (f"{name}:6:{col(b_order, 'fx-mt')}", "RESPONSES-SHEET-LETTER"),
        (f"{name}:6:{col(b_order, 'fx-or')}", "RESPONSE-ORDER-INCOMPLETE"),
        (f"{name}:6:{col(b_order, 'fx-nu')}", "RESPONSE-NOT-A-NUMBER"),
        (f"{name}:6:{col(b_order, 'fx-es')}", "RESPONSES-SHEET-ESSAY"),
        (f"{name}:6:{col(b_order, 'fx-mr')}", "RESPONSES-SHEET-LETTERS"),
        (f"{name}:7:1", "RESPONSES-SHEET-PERSON-DUPLICATE"),
        (f"{name}:8:1", "RESPONSES-ATTEMPT-EXISTS"),
    }
    assert f"question {b_order.index('fx-es') + 1} of variant B is an essay" in result.stderr
    assert "'E' is not an option letter (A to D) or an option id" in result.stderr
    assert a_order  # variant A's order locates row 2, which has no problem
    assert counts(url) == before
    # The duplicate row of P0001 is reported; once it is gone, its own problem (prompt 3) shows.
    del bad[1]
    path = xlsx(tmp_path / "bad.xlsx", bad)
    result = run(
        *base, "--lang", "en", "responses", "import", str(path), "--format", "sheet", "--phase", "pre"
    )
    assert f"{name}:6:{col(b_order, 'fx-mt')}: RESPONSES-SHEET-PROMPT" in result.stderr
    assert counts(url) == before


def test_sheet_headers_are_checked_first(tmp_path, run):
    folder, base = workspace(tmp_path, run)
    path = xlsx(
        tmp_path / "kepala.xlsx",
        [["No", "Nama", "1", "2", "3", "Catatan", "10", "Soal 4", "4"], [1, "Ani", "A"]],
    )
    result = run(
        *base, "--lang", "en", "responses", "import", str(path), "--format", "sheet", "--phase", "pre"
    )
    assert result.exit_code == 2
    name = str(path)
    located = {
        (line.split(": ")[0], line.split(": ")[1].split(" ")[0]) for line in result.stderr.splitlines()[:-1]
    }
    assert located == {
        (f"{name}:1:6", "RESPONSES-SHEET-HEADER-UNKNOWN"),
        (f"{name}:1:7", "RESPONSES-SHEET-QUESTION-RANGE"),
        (f"{name}:1:9", "PARTICIPANTS-HEADER-DUPLICATE"),  # "4" and "Soal 4"
        (f"{name}:1", "RESPONSES-SHEET-PERSON-COLUMN-MISSING"),
        (f"{name}:1", "RESPONSES-SHEET-VARIANT-COLUMN-MISSING"),
        (f"{name}:1", "RESPONSES-SHEET-QUESTIONS-MISSING"),
    }
    assert "there is no column for questions 5-9" in result.stderr


def test_a_nip_stored_as_a_number_is_refused(tmp_path, run):
    folder, base = workspace(tmp_path, run)
    path = xlsx(tmp_path / "nip.xlsx", [HEADER, [197004161994041011, "Ani", "A", "A"]])
    result = run(
        *base, "--lang", "en", "responses", "import", str(path), "--format", "sheet", "--phase", "pre"
    )
    assert result.exit_code == 2
    assert f"{path}:2:1: PARTICIPANTS-NIP-NUMBER" in result.stderr


def test_options_of_the_other_format_are_refused(tmp_path, run):
    folder, base = workspace(tmp_path, run)
    path = xlsx(tmp_path / "x.xlsx", [HEADER])
    result = run(
        *base, "responses", "import", str(path), "--format", "sheet", "--phase", "pre", "--match", "nip"
    )
    assert result.exit_code == 2
    result = run(
        *base, "--lang", "en", "responses", "import", str(path), "--format", "sheet", "--phase", "nope"
    )
    assert result.exit_code == 2 and "WORKSPACE-NO-PHASE" in result.stderr
