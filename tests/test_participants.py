"""Participants import: real CSV and XLSX files in, a plan or every located problem out."""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import openpyxl
import pytest

from assess.i18n import set_language
from assess.participants import (
    ACCESS_ALPHABET,
    ACCESS_CODE_BITS,
    EXPECTED_HEADERS,
    TEMPLATE_HEADERS,
    canonical_access_code,
    new_access_code,
    next_person_number,
    nip_structure,
    plan_import,
    slug,
)
from assess.problems import MAX_SHOWN_TEXT, ProblemsFound
from assess.problems.codes import MESSAGES
from assess.sheets.read import read_table
from assess.sheets.table import Cell, Row, Table
from assess.store.store import Store
from assess.workspace.participants import write_template

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "payakumbuh-2019" / "peserta.csv"
HEADER = "NIP,Nama,Jabatan,Unit Kerja,Kecamatan,Email\n"
CODE = re.compile(r"[A-Z2-9]{5}-[A-Z2-9]{5}")


def make(tmp_path: Path, name: str, content) -> Path:
    """A file in tmp_path: text (UTF-8), bytes, or for .xlsx a list of rows of cell values."""
    path = tmp_path / name
    if name.endswith(".xlsx") and isinstance(content, list):
        book = openpyxl.Workbook()
        sheet = book.active
        for row in content:
            sheet.append(row)
        book.save(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def plan(path: Path, **overrides):
    options = {
        "file": path.name,
        "existing_units": {},
        "existing_groups": {},
        "existing_nips": set(),
        "existing_codes": set(),
        "next_number": 1,
        "rng": random.Random(7),
    }
    options.update(overrides)
    return plan_import(read_table(path), **options)


def problems(path: Path, **overrides) -> list[tuple]:
    with pytest.raises(ProblemsFound) as caught:
        plan(path, **overrides)
    for p in caught.value.problems:
        str(p)  # every problem renders
    return [(p.code, p.line, p.column, p.field) for p in caught.value.problems]


# -- headers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "NIP,Nama,Jabatan,Unit Kerja,Kecamatan,Email",
        "nip,name,position,unit,group,email",
        "NIP,NAME,POSITION,UNIT,KELOMPOK,SUREL",
        " Nip , nama  ,JaBaTaN, unit  kerja ,  Kecamatan,E-mail ",
        "N.I.P.,Nama,Jabatan,Unit_Kerja,Group,e-Mail",
    ],
)
@pytest.mark.parametrize("separator", [",", ";"])
def test_headers_match_in_both_languages_whatever_the_case_and_spacing(tmp_path, header, separator):
    row = "19800101 200501 1 001,Budi Santoso,Lurah,Kelurahan Ibuh,Payakumbuh Barat,budi@contoh.example"
    text = (header + "\n" + row + "\n").replace(",", separator)
    p = plan(make(tmp_path, "p.csv", text))
    assert p.people == [
        {
            "person_id": "P0001",
            "name": "Budi Santoso",
            "nip": "198001012005011001",
            "email": "budi@contoh.example",
            "position": "Lurah",
            "agency": None,
            "unit_code": "kelurahan-ibuh",
            "group_code": "payakumbuh-barat",
            "access_code": p.people[0]["access_code"],
        }
    ]


def test_only_the_name_column_is_required_and_columns_may_come_in_any_order(tmp_path):
    p = plan(make(tmp_path, "p.csv", "Email,Nama\n,Sari\nani@x.example,Ani\n"))
    assert [(x["name"], x["email"], x["nip"], x["unit_code"]) for x in p.people] == [
        ("Sari", None, None, None),
        ("Ani", "ani@x.example", None, None),
    ]
    assert p.new_units == {} and p.new_groups == {}


def test_an_unknown_header_gets_the_closest_known_one(tmp_path):
    path = make(tmp_path, "p.csv", "Nama Panggilan,Jabtan,Tanggal Lahir\nBudi,Lurah,1980\n")
    with pytest.raises(ProblemsFound) as caught:
        plan(path)
    found = {(p.code, p.line, p.column, p.field): dict(p.params) for p in caught.value.problems}
    assert found[("PARTICIPANTS-HEADER-UNKNOWN-SUGGEST", 1, 1, "Nama Panggilan")]["suggestion"] == "Nama"
    assert found[("PARTICIPANTS-HEADER-UNKNOWN-SUGGEST", 1, 2, "Jabtan")]["suggestion"] == "Jabatan"
    assert found[("PARTICIPANTS-HEADER-UNKNOWN", 1, 3, "Tanggal Lahir")]["expected"] == EXPECTED_HEADERS
    assert len(EXPECTED_HEADERS) < MAX_SHOWN_TEXT  # a message shows the list whole
    assert ("PARTICIPANTS-NAME-COLUMN-MISSING", 1, None, None) in found
    assert len(found) == 4


@pytest.mark.parametrize(("nip", "name"), [("NIP Baru", "Nama Lengkap"), ("NIP", "Nama Peserta")])
def test_the_headers_of_other_lists_are_taken_too(tmp_path, nip, name):
    """Issue 15, point 4: lists from the BKN's records and attendance sheets name their columns so."""
    path = make(tmp_path, "p.csv", f"No,{nip},{name}\n1,198001012005011001,Budi\n")
    assert [(x["name"], x["nip"]) for x in plan(path).people] == [("Budi", "198001012005011001")]


# -- every problem, located ----------------------------------------------------------------

NIP_A = "198001012005011001"
NIP_B = "198502142010012003"

# (file name, content, plan options, expected (code, row, column, field) in order)
CASES = {
    "unknown header": (
        "p.csv",
        "Nama,Tanggal Lahir\nBudi,1980\n",
        {},
        [("PARTICIPANTS-HEADER-UNKNOWN", 1, 2, "Tanggal Lahir")],
    ),
    "unknown header, suggested": (
        "p.csv",
        "Nama,Unit Kerj\nBudi,Kelurahan Ibuh\n",
        {},
        [("PARTICIPANTS-HEADER-UNKNOWN-SUGGEST", 1, 2, "Unit Kerj")],
    ),
    "two headers for one column": (
        "p.csv",
        "Nama,Jabatan,NAME\nBudi,Lurah,Budi\n",
        {},
        [("PARTICIPANTS-HEADER-DUPLICATE", 1, 3, "NAME")],
    ),
    "values under no header (CSV)": (
        "p.csv",
        "Nama,,Email\nBudi,x,\n",
        {},
        [("PARTICIPANTS-HEADER-MISSING", 1, 2, None)],
    ),
    "values under no header (XLSX)": (
        "p.xlsx",
        [["Nama", "Jabatan"], ["Budi", "Lurah", None, "catatan"], ["Sari", "Lurah", None, "lagi"]],
        {},
        [("PARTICIPANTS-HEADER-MISSING", 1, 4, None)],
    ),
    "no name column": (
        "p.csv",
        f"NIP,Jabatan\n{NIP_A},Lurah\n",
        {},
        [("PARTICIPANTS-NAME-COLUMN-MISSING", 1, None, None)],
    ),
    "no rows": (
        "p.csv",
        HEADER + ",,,,,\n\n",
        {},
        [("PARTICIPANTS-NO-ROWS", 1, None, None)],
    ),
    "empty file": ("p.csv", "", {}, [("FILE-EMPTY", None, None, None)]),
    "an unquoted comma": (
        "p.csv",
        "Nama,Jabatan\nBudi,Lurah\nDrs. Amir, M.Si,Lurah\n",
        {},
        [("PARTICIPANTS-ROW-TOO-LONG", 3, 3, None)],
    ),
    "the same row twice": (
        "p.csv",
        "Nama,Jabatan\nBudi,Lurah\nSari,Lurah\n budi , LURAH\n",
        {},
        [("PARTICIPANTS-ROW-DUPLICATE", 4, None, None)],
    ),
    "empty name": (
        "p.csv",
        f"NIP,Nama\n{NIP_A},  \n{NIP_B},-\n",
        {},
        [("PARTICIPANTS-NAME-EMPTY", 2, 2, "Nama"), ("PARTICIPANTS-NAME-EMPTY", 3, 2, "Nama")],
    ),
    "formulas": (
        "p.csv",
        'Nama,Jabatan,Unit Kerja,Kecamatan,Email\n=1+1,+Lurah,-2+3,@SUM(A1),"=x@y.example"\n',
        {},
        [
            ("PARTICIPANTS-FORMULA", 2, 1, "Nama"),
            ("PARTICIPANTS-FORMULA", 2, 2, "Jabatan"),
            ("PARTICIPANTS-FORMULA", 2, 3, "Unit Kerja"),
            ("PARTICIPANTS-FORMULA", 2, 4, "Kecamatan"),
            ("PARTICIPANTS-FORMULA", 2, 5, "Email"),
        ],
    ),
    "control character": (
        "p.csv",
        "Jabatan,Nama\nLurah,Bu\x07di\n",
        {},
        [("PARTICIPANTS-CONTROL-CHARACTER", 2, 2, "Nama")],
    ),
    "NIP not 18 digits": (
        "p.csv",
        f"Nama,NIP\nBudi,12345\nSari,{NIP_A[:-1]}A\nAni,=1980\nRina,{NIP_A}0\nDodi,{NIP_B}\n",
        {},
        [
            ("PARTICIPANTS-NIP-INVALID", 2, 2, "NIP"),
            ("PARTICIPANTS-NIP-INVALID", 3, 2, "NIP"),
            ("PARTICIPANTS-NIP-INVALID", 4, 2, "NIP"),
            ("PARTICIPANTS-NIP-INVALID", 5, 2, "NIP"),
        ],
    ),
    "NIP a spreadsheet turned into a number (CSV)": (
        "p.csv",
        "NIP;Nama\n1,98001E+17;Budi\n1.98001012005011E+17;Sari\n",
        {},
        [("PARTICIPANTS-NIP-SCIENTIFIC", 2, 1, "NIP"), ("PARTICIPANTS-NIP-SCIENTIFIC", 3, 1, "NIP")],
    ),
    "NIP stored as a number (XLSX)": (
        "p.xlsx",
        [["Nama", "nip"], ["Budi", int(NIP_A)], ["Sari", NIP_B]],
        {},
        [("PARTICIPANTS-NIP-NUMBER", 2, 2, "nip")],
    ),
    "NIP twice in the file": (
        "p.csv",
        f"NIP,Nama\n{NIP_A},Budi\n{NIP_B},Sari\n{NIP_A[:8]} {NIP_A[8:14]} 1 001,Budi S.\n",
        {},
        [("PARTICIPANTS-NIP-DUPLICATE", 4, 1, "NIP")],
    ),
    "NIP already in the event": (
        "p.csv",
        f"NIP,Nama\n{NIP_B},Sari\n{NIP_A},Budi\n",
        {"existing_nips": {NIP_A}},
        [("PARTICIPANTS-NIP-EXISTS", 3, 1, "NIP")],
    ),
    "malformed email": (
        "p.csv",
        "Nama,Surel\nBudi,budi@\nSari,sari di kantor.example\nAni,ani@x.example\nRina,a..b@x.example\n",
        {},
        [
            ("PARTICIPANTS-EMAIL-INVALID", 2, 2, "Surel"),
            ("PARTICIPANTS-EMAIL-INVALID", 3, 2, "Surel"),
            ("PARTICIPANTS-EMAIL-INVALID", 5, 2, "Surel"),
        ],
    ),
    "not UTF-8": (
        "p.csv",
        "Nama,Jabatan\nBudi,Lurah\nJos\xe9,Lurah\n".encode("cp1252"),
        {},
        [("PARTICIPANTS-CSV-NOT-UTF8", 3, 4, None)],
    ),
    "a field too large for CSV": (
        "p.csv",
        "Nama\nBudi\n" + "x" * 200_000 + "\n",
        {},
        [("PARTICIPANTS-CSV-SYNTAX", 3, None, None)],
    ),
    "an old .xls file": (
        "p.xls",
        b"\xd0\xcf\x11\xe0",
        {},
        [("PARTICIPANTS-FORMAT-UNKNOWN", None, None, None)],
    ),
    "not a spreadsheet": (
        "p.xlsx",
        b"Nama\nBudi\n",
        {},
        [("PARTICIPANTS-XLSX-UNREADABLE", None, None, None)],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_problem_is_located(tmp_path, case):
    name, content, options, expected = CASES[case]
    assert problems(make(tmp_path, name, content), **options) == expected


def test_every_participants_code_is_tested():
    tested = {code for *_, expected in CASES.values() for code, *_ in expected}
    tested.add("PARTICIPANTS-PERSON-EXISTS")  # needs a stored event: tests/test_demo.py, through the CLI
    # warnings, not problems: test_an_eighteen_digit_nip_is_read_part_by_part
    tested |= {"PARTICIPANTS-NIP-BIRTH", "PARTICIPANTS-NIP-APPOINTMENT", "PARTICIPANTS-NIP-SEX"}
    # an import --update, through the CLI: tests/test_phase_cli.py
    tested |= {"PARTICIPANTS-ID-NEEDS-UPDATE", "PARTICIPANTS-ID-UNKNOWN", "PARTICIPANTS-ROW-AMBIGUOUS"}
    tested |= {"PARTICIPANTS-ROW-SAME-PERSON"}
    assert {c for c in MESSAGES if c.startswith("PARTICIPANTS-")} <= tested


def test_a_running_number_column_is_read_past(tmp_path):
    result = plan(make(tmp_path, "p.csv", "No.,Nama,Jabatan\n1,Budi,Lurah\n2,Sari,Lurah\n"))
    assert [p["name"] for p in result.people] == ["Budi", "Sari"]


def test_problem_parameters_name_the_other_row_and_the_digits(tmp_path):
    text = f"NIP,Nama\n{NIP_A},Budi\n{NIP_A},Sari\n123,Ani\n"
    with pytest.raises(ProblemsFound) as caught:
        plan(make(tmp_path, "p.csv", text))
    duplicate, invalid = caught.value.problems
    assert dict(duplicate.params) == {"nip": NIP_A, "other": 2}
    assert dict(invalid.params) == {"value": "123", "n": 3}


def test_a_number_in_the_nip_column_says_to_format_it_as_text(tmp_path):
    set_language("en")
    path = make(tmp_path, "peserta.xlsx", [["NIP", "Nama"], [int(NIP_A), "Budi"]])
    with pytest.raises(ProblemsFound) as caught:
        plan(path)
    text = str(caught.value)
    assert text.startswith("peserta.xlsx:2:1: PARTICIPANTS-NIP-NUMBER: NIP: the NIP is stored as a number")
    assert "15 significant digits" in text and "format the NIP column as text" in text


def test_every_problem_of_the_file_at_once_and_nothing_planned(tmp_path):
    text = (
        "NIP,Nama,Jabatan,Unit Kerja,Kecamatan,Email,Catatan\n"
        f"{NIP_A},Budi,Lurah,Kelurahan Ibuh,Payakumbuh Barat,budi@x.example,\n"
        f"{NIP_B},,Lurah,Kelurahan Bunian,Payakumbuh Barat,,\n"
        "1980,Sari,Lurah,Kelurahan Ibuh,Payakumbuh Barat,sari@,\n"
        f"{NIP_A},Ani,Lurah,Kelurahan Ibuh,Payakumbuh Barat,,\n"
    )
    assert problems(make(tmp_path, "p.csv", text)) == [
        ("PARTICIPANTS-HEADER-UNKNOWN", 1, 7, "Catatan"),
        ("PARTICIPANTS-NAME-EMPTY", 3, 2, "Nama"),
        ("PARTICIPANTS-NIP-INVALID", 4, 1, "NIP"),
        ("PARTICIPANTS-EMAIL-INVALID", 4, 6, "Email"),
        ("PARTICIPANTS-NIP-DUPLICATE", 5, 1, "NIP"),
    ]


# -- what the plan holds --------------------------------------------------------------------


def test_unknown_units_and_groups_become_new_codes_known_ones_are_reused(tmp_path):
    text = HEADER + (
        f"{NIP_A},Budi,Lurah,kelurahan  IBUH,Payakumbuh Barat,\n"
        f"{NIP_B},Sari,Lurah,Kelurahan Bunian,Lamposi Tigo Nagori,\n"
        ",Ani,Staf,Kelurahan Bunian,Lamposi Tigo Nagori,\n"
        ",Rina,Staf,Kelurahan Ibuh,-,\n"
    )
    p = plan(
        make(tmp_path, "p.csv", text),
        existing_units={"u-ibuh": "Kelurahan Ibuh", "kelurahan-bunian": "Kantor lain"},
        existing_groups={"barat": "Payakumbuh Barat"},
        next_number=41,
    )
    assert [(x["person_id"], x["unit_code"], x["group_code"]) for x in p.people] == [
        ("P0041", "u-ibuh", "barat"),
        ("P0042", "kelurahan-bunian-2", "lamposi-tigo-nagori"),
        ("P0043", "kelurahan-bunian-2", "lamposi-tigo-nagori"),
        ("P0044", "u-ibuh", None),
    ]
    assert p.new_units == {"kelurahan-bunian-2": "Kelurahan Bunian"}
    assert p.new_groups == {"lamposi-tigo-nagori": "Lamposi Tigo Nagori"}
    assert p.new_codes == [
        ("unit", "kelurahan-bunian-2", "Kelurahan Bunian"),
        ("group", "lamposi-tigo-nagori", "Lamposi Tigo Nagori"),
    ]


def test_slugs():
    assert slug("Kelurahan Ibuh", "unit") == "kelurahan-ibuh"
    assert slug("  Kecamatan Payakumbuh  Barat ", "unit") == "kecamatan-payakumbuh-barat"
    assert slug("Kantor Café (Pusat)", "unit") == "kantor-cafe-pusat"
    assert slug("!!!", "group") == "group"


def test_person_numbers():
    assert next_person_number([]) == 1
    assert next_person_number(["P0001", "P0052", "X9", "P7"]) == 53


def test_text_is_tidied_and_none_marks_are_empty(tmp_path):
    text = 'NIP,Nama,Jabatan,Email\n-,"Budi\n Santoso ",  Lurah ,-\n'
    (person,) = plan(make(tmp_path, "p.csv", text)).people
    assert (person["nip"], person["name"], person["position"], person["email"]) == (
        None,
        "Budi Santoso",
        "Lurah",
        None,
    )


# -- access codes -------------------------------------------------------------------------


def test_the_access_alphabet_has_no_look_alikes_and_codes_carry_40_bits():
    assert len(set(ACCESS_ALPHABET)) == len(ACCESS_ALPHABET) == 31
    assert not set(ACCESS_ALPHABET) & set("0O1IL")
    # 10 characters from 31: log2(31**10) = 10 * 4.954 = 49.5 bits.
    assert ACCESS_CODE_BITS == pytest.approx(10 * math.log2(31))
    assert 31**10 == 819_628_286_980_801 > 2**49 > 2**40
    code = new_access_code(random.Random(1), set())
    letters = code.replace("-", "")
    assert CODE.fullmatch(code) and len(letters) == 10 and set(letters) <= set(ACCESS_ALPHABET)
    assert len(letters) * math.log2(len(ACCESS_ALPHABET)) >= 40


def test_access_codes_avoid_the_taken_ones():
    first = new_access_code(random.Random(5), set())
    assert new_access_code(random.Random(5), {first}) != first


def test_every_participation_gets_a_distinct_code_not_already_used(tmp_path):
    rows = "".join(f",Peserta {i},Lurah,,,\n" for i in range(300))
    taken = {new_access_code(random.Random(7), set())}  # the first code the plan's rng would make
    p = plan(make(tmp_path, "p.csv", HEADER + rows), existing_codes=taken)
    codes = [x["access_code"] for x in p.people]
    assert len(set(codes)) == 300 and not set(codes) & taken
    assert all(CODE.fullmatch(c) for c in codes)


def test_codes_as_typed_are_made_canonical():
    assert canonical_access_code(" k7qm3 xh9td ") == "K7QM3-XH9TD"
    assert canonical_access_code("K7QM3XH9TD") == "K7QM3-XH9TD"
    assert canonical_access_code("abc") == "ABC"


# -- reading files -----------------------------------------------------------------------


def test_csv_with_a_byte_order_mark_and_semicolons(tmp_path):
    path = make(tmp_path, "p.csv", b'\xef\xbb\xbfNama;Jabatan\r\n"Drs. Amir; M.Si";Lurah\r\n')
    table = read_table(path)
    assert table.headers == ("Nama", "Jabatan") and table.separator == ";"
    assert table.rows == (Row(2, (Cell("Drs. Amir; M.Si"), Cell("Lurah"))),)


def test_xlsx_rows_keep_their_numbers_and_trailing_empty_rows_are_ignored(tmp_path):
    path = tmp_path / "p.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["NIP", "Nama", "Jabatan"])
    sheet.append([NIP_A, "Budi", 7])
    sheet.append([])
    sheet.append([None, "Sari", "Lurah"])
    for line in range(5, 40):
        sheet[f"A{line}"].number_format = "@"  # formatted but empty
    book.save(path)
    table = read_table(path)
    assert [r.line for r in table.rows] == [2, 3, 4]
    assert table.rows[0].cells == (Cell(NIP_A), Cell("Budi"), Cell("7", number=True))
    p = plan(path)
    assert [(x["person_id"], x["name"], x["position"]) for x in p.people] == [
        ("P0001", "Budi", "7"),
        ("P0002", "Sari", "Lurah"),
    ]


def test_a_missing_file(tmp_path):
    with pytest.raises(ProblemsFound) as caught:
        read_table(tmp_path / "none.csv")
    assert [p.code for p in caught.value.problems] == ["FILE-NOT-FOUND"]


def test_the_core_takes_a_table_built_by_hand():
    table = Table(("Nama", "NIP"), (Row(2, (Cell("Budi"), Cell(NIP_A, number=True))),))
    with pytest.raises(ProblemsFound) as caught:
        plan_import(
            table,
            file="x",
            existing_units={},
            existing_groups={},
            existing_nips=set(),
            existing_codes=set(),
            next_number=1,
            rng=random.Random(0),
        )
    assert [(p.code, p.line, p.column, p.field) for p in caught.value.problems] == [
        ("PARTICIPANTS-NIP-NUMBER", 2, 2, "NIP")
    ]


# -- the template --------------------------------------------------------------------------


def test_the_xlsx_template_has_the_indonesian_headers_and_a_text_nip_column(tmp_path):
    path = tmp_path / "peserta.xlsx"
    write_template(path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert (
        tuple(c.value for c in sheet[1])
        == TEMPLATE_HEADERS
        == (
            "NIP",
            "Nama",
            "Jabatan",
            "Unit Kerja",
            "Kecamatan",
            "Email",
        )
    )
    assert sheet.column_dimensions["A"].number_format == "@"
    assert all(sheet[f"A{line}"].number_format == "@" for line in (2, 3, 100, 500))
    assert sheet["B2"].number_format == "General"
    table = read_table(path)
    assert table.headers == TEMPLATE_HEADERS and table.rows == ()


def test_a_filled_in_template_imports(tmp_path):
    path = tmp_path / "peserta.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    book.worksheets[0].append([NIP_A, "Budi", "Lurah", "Kelurahan Ibuh", "Payakumbuh Barat", None])
    book.save(path)
    (person,) = plan(path).people
    assert person["nip"] == NIP_A and person["unit_code"] == "kelurahan-ibuh"


def test_the_csv_template(tmp_path):
    path = tmp_path / "peserta.csv"
    write_template(path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfNIP,Nama,")
    assert read_table(path).headers == TEMPLATE_HEADERS


# -- the worked example --------------------------------------------------------------------


def test_the_example_plans_52_people_in_5_groups(tmp_path):
    p = plan(EXAMPLE)
    assert len(p.people) == 52
    assert [x["person_id"] for x in p.people] == [f"P{i:04d}" for i in range(1, 53)]
    assert sorted(p.new_groups.values()) == [
        "Lamposi Tigo Nagori",
        "Payakumbuh Barat",
        "Payakumbuh Selatan",
        "Payakumbuh Timur",
        "Payakumbuh Utara",
    ]
    positions = [x["position"] for x in p.people]
    assert positions.count("Lurah") == 47 and positions.count("Kasi Pemerintahan") == 5
    kasi_groups = [x["group_code"] for x in p.people if x["position"] == "Kasi Pemerintahan"]
    assert sorted(kasi_groups) == sorted(p.new_groups)  # one per kecamatan
    assert len(p.new_units) == 52 and all(x["nip"] for x in p.people)
    assert sum(x["email"] is None for x in p.people) == 3


def test_the_example_goes_into_the_store_and_a_second_import_is_refused(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'assess.db'}")
    try:
        store.ensure_event("payakumbuh-2019", "Uji", "Asia/Jakarta")
        p = plan(EXAMPLE)
        store.add_participants("payakumbuh-2019", p.people, p.new_units, p.new_groups)
        stored = store.participants("payakumbuh-2019")
        assert [s.person_id for s in stored] == [x["person_id"] for x in p.people]
        again = problems(
            EXAMPLE,
            existing_nips={s.nip for s in stored},
            existing_codes={s.access_code for s in stored},
            next_number=next_person_number(s.person_id for s in stored),
        )
        assert {code for code, *_ in again} == {"PARTICIPANTS-NIP-EXISTS"} and len(again) == 52
    finally:
        store.close()


# -- issue 15, point 4: what an 18-digit NIP says ----------------------------------------------------


@pytest.mark.parametrize(
    ("nip", "codes"),
    [
        ("198001012005011001", []),  # a civil servant: born 1 Jan 1980, appointed Jan 2005, male, 001
        ("199208172022212003", []),  # a NI PPPK: the first contract (21) in 2022, female
        ("198013012005011001", ["PARTICIPANTS-NIP-BIRTH"]),  # no 13th month
        ("198001012005131001", ["PARTICIPANTS-NIP-APPOINTMENT"]),  # 13: neither a month nor a contract
        ("198001011995011001", ["PARTICIPANTS-NIP-APPOINTMENT"]),  # appointed at 15
        ("198001012005013001", ["PARTICIPANTS-NIP-SEX"]),
        (
            "000000000000000000",
            ["PARTICIPANTS-NIP-BIRTH", "PARTICIPANTS-NIP-APPOINTMENT", "PARTICIPANTS-NIP-SEX"],
        ),
    ],
)
def test_an_eighteen_digit_nip_is_read_part_by_part(nip, codes):
    assert [code for code, _params in nip_structure(nip)] == codes


def test_a_nip_that_does_not_read_is_imported_with_a_located_warning_and_exit_1(tmp_path, run):
    folder = tmp_path / "ws"
    assert run("init", str(folder)).exit_code == 0
    people = make(tmp_path, "p.csv", "Nama,NIP\nAni,198001012005011001\nBudi,198013012005013001\n")
    result = run("--lang", "en", "-w", str(folder), "participants", "import", str(people))
    assert result.exit_code == 1, result.output
    assert "2 participants added." in result.stdout
    assert f"{people.name}:3:2: PARTICIPANTS-NIP-BIRTH: NIP: warning" in result.stdout.replace(
        str(tmp_path) + "/", ""
    )
    assert "PARTICIPANTS-NIP-SEX" in result.stdout and "2 warnings" in result.stdout
    from assess.workspace import Workspace, choose

    ws = Workspace(*choose(str(folder), None))
    try:
        assert {p.nip for p in ws.store.participants(ws.event_id)} == {
            "198001012005011001",
            "198013012005013001",
        }
    finally:
        ws.close()
