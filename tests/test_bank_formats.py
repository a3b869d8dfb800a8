"""Questions in and out: Moodle XML, GIFT and Aiken files as the tools write them, hostile files,
and round trips (bank -> format -> bank) for every item type each format can hold."""

from __future__ import annotations

import functools
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assess.bank.documents import Bank
from assess.bank.formats import export_file, export_text, import_file
from assess.bank.formats.common import Options
from assess.bank.formats.markup import (
    from_moodle_markdown,
    markdown_to_html,
    markdown_to_inline_html,
    moodle_markdown,
)
from assess.bank.loader import load, load_file
from assess.resources import data_path
from tests.strategies import item_data

FIXTURES = Path(__file__).parent / "fixtures" / "bank_formats"
QTI_XSD = Path(__file__).parent / "fixtures" / "qti-2.1" / "qtiv2p1" / "imsqti_v2p1.xsd"


@functools.cache
def qti_schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(QTI_XSD)))  # every import resolves within the fixture


def assert_valid_qti(package: Path) -> int:
    """Every assessmentItem of the package valid against the QTI 2.1 XSD; how many there were."""
    import zipfile

    from lxml import etree

    schema, n = qti_schema(), 0
    with zipfile.ZipFile(package) as z:
        assert "imsmanifest.xml" in z.namelist()
        for name in z.namelist():
            if name.startswith("items/"):
                document = etree.fromstring(z.read(name))
                assert schema.validate(document), (name, str(schema.error_log))
                n += 1
    return n


BANKS = str(data_path("question_banks"))


def imported_items(run, tmp_path, name: str, *args: str, code: int | None = None):
    out = tmp_path / "bank.yaml"
    result = run("bank", "import", str(FIXTURES / name), "--out", str(out), "--lang", "en", *args)
    if code is not None:
        assert result.exit_code == code, result.output
    return result, ({i.id: i for i in load_file(out).document.items} if out.exists() else None)


# -- files as the tools write them ------------------------------------------------------------------


def test_a_moodle_export_imports_every_type_it_shares_and_names_the_rest(run, tmp_path):
    result, items = imported_items(run, tmp_path, "moodle-export.xml", "--competency", "M.05", code=1)
    assert "Read as Moodle XML (guessed from its content)." in result.stdout
    types = [i.type for i in items.values()]
    assert types == ["single_choice", "multiple_response", "true_false", "short_answer", "numeric",
                     "single_choice", "matching", "essay", "ordering"]  # fmt: skip
    first = items["PP-UU25-01"]  # the Moodle idnumber is the item id
    assert first.options[first.options.index(next(o for o in first.options if o.id == first.key))].text == (
        "UU Nomor 25 Tahun 2009"
    )
    assert first.options[1].feedback.startswith("Kurang tepat.")
    assert first.explanation.startswith("UU Nomor 25 Tahun 2009 mengatur")
    assert (
        first.topic == "Pelayanan Publik" and first.difficulty == "medium" and first.competencies == ["M.05"]
    )
    assert "**undang-undang tentang Pelayanan Publik**" in first.stem  # <strong> in CDATA HTML
    multiple = items["moodle-export-002"]
    assert [o.text for o in multiple.options if o.id in multiple.key] == [
        "Persyaratan",
        "Jangka waktu penyelesaian",
    ]
    assert "- Persyaratan\n- Jangka waktu penyelesaian" in multiple.stem  # <ul> became a Markdown list
    assert "IMPORT-FRACTIONS-DIFFER" in result.stdout  # 50/50/-100/-100 is not the default rule
    short = items["moodle-export-004"]
    assert short.accepted[0].text == "PATEN" and short.accepted[1].regex == ".*terpadu kecamatan"
    assert short.accepted[1].credit == 0.5 and not short.case_sensitive
    numeric = items["moodle-export-005"]
    assert (numeric.value, numeric.tolerance, numeric.unit) == (30.0, 0.5, "ha")
    image = items["moodle-export-006"]
    assert image.status == "draft" and "IMPORT-IMAGE" in result.stdout and "'peta.png'" in result.stdout
    matching = items["moodle-export-007"]
    assert len(matching.prompts) == 3 and len(matching.choices) == 4  # the empty subquestion: a distractor
    assert matching.topic == "Pelayanan Publik / Tugas Kelurahan"
    essay = items["moodle-export-008"]
    assert essay.max_points == 10 and (essay.min_words, essay.max_words) == (50, 300)
    assert essay.model_answer.startswith("Jawaban lengkap memuat") and "IMPORT-RUBRIC-MADE" in result.stdout
    ordering = items["moodle-export-009"]
    assert [o.id for o in ordering.options] == ordering.key and len(ordering.key) == 5
    for code, what in (("IMPORT-DESCRIPTION", "#10"), ("IMPORT-TYPE-UNSUPPORTED", "#11"),
                       ("IMPORT-TYPE-UNSUPPORTED", "#12")):  # fmt: skip
        assert f"{code} item {what}" in result.stdout
    assert "'cloze'" in result.stdout and "'calculated'" in result.stdout
    assert "9 items written" in result.stdout and "3 questions not imported." in result.stdout
    assert run("bank", "validate", str(tmp_path / "bank.yaml")).exit_code == 0


def test_a_gift_file_with_comments_escapes_and_formats(run, tmp_path):
    result, items = imported_items(run, tmp_path, "gift-sample.txt", "--competency", "M.05", code=1)
    assert "Read as GIFT" in result.stdout
    first = items["PP-G-01"]  # from the // [id:...] [tag:...] comment
    assert (
        first.competencies == ["M.05"] and first.type == "single_choice" and first.topic == "Pelayanan Publik"
    )
    assert first.explanation and all(o.feedback for o in first.options)
    by_type = [i.type for i in items.values()]
    assert by_type == ["single_choice", "multiple_response", "true_false", "true_false", "single_choice",
                       "matching", "short_answer", "numeric", "numeric", "essay", "single_choice",
                       "single_choice"]  # fmt: skip
    escaped = items["gift-sample-005"]
    assert all(c in escaped.stem for c in "#{}~=")  # \# \{ \} \~ \= are the characters themselves
    assert items["gift-sample-004"].key is False and items["gift-sample-003"].key is True
    ranged = items["gift-sample-009"]
    assert (ranged.value, ranged.tolerance) == (2.0, 1.0)  # {#1..3}
    assert "**organik**" in items["gift-sample-012"].stem
    assert "IMPORT-DESCRIPTION item #13" in result.stdout


def test_gift_with_a_byte_order_mark_and_in_windows_1252(run, tmp_path):
    result, items = imported_items(run, tmp_path, "gift-bom.txt", "--competency", "M.05", code=0)
    assert list(items)[0] == "PP-G-01" and items["PP-G-01"].topic == "Pelayanan Publik"
    result, items = imported_items(
        run, tmp_path, "gift-cp1252.txt", "--competency", "M.05", "--force", code=0
    )
    assert "IMPORT-ENCODING-CP1252" in result.stdout
    stems = " ".join(i.stem for i in items.values())
    assert "Kafé" in stems and "–" in stems and "\x85" not in stems  # 0x85 is "…", not a line break


def test_aiken_questions_and_the_ones_that_are_broken(run, tmp_path):
    result, items = imported_items(run, tmp_path, "aiken-sample.txt", "--competency", "M.05", code=0)
    assert [i.key for i in items.values()] == ["c", "c", "a", "b", "c"]
    assert all(len(i.options) == 4 for i in items.values())
    assert any("&" in i.stem for i in items.values())
    result, items = imported_items(
        run, tmp_path, "aiken-broken.txt", "--competency", "M.05", "--force", code=1
    )
    assert len(items) == 2
    assert "aiken-broken.txt:6: IMPORT-AIKEN-NO-ANSWER item #2" in result.stdout
    assert "aiken-broken.txt:17: IMPORT-AIKEN-ANSWER-UNKNOWN item #4" in result.stdout


@pytest.mark.parametrize("name", ["moodle-xxe.xml", "moodle-billion-laughs.xml"])
def test_xml_with_entities_is_refused_before_anything_is_read(run, tmp_path, name):
    result, items = imported_items(run, tmp_path, name, "--competency", "M.05", code=2)
    assert f"{name}:2: IMPORT-XML-ENTITIES" in result.stderr and "root:" not in result.output
    assert items is None  # nothing written


def test_bad_input_is_located_and_writes_nothing(run, tmp_path):
    broken = tmp_path / "rusak.xml"
    broken.write_text("<quiz>\n<question type='truefalse'>\n</quiz>\n", encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = run("bank", "import", str(broken), "--out", str(out), "--lang", "en")
    assert result.exit_code == 2 and f"{broken}:3:8: IMPORT-XML-SYNTAX" in result.stderr
    assert "question line 2" in result.stderr  # the element left open
    broken.write_text(
        "<quiz>\n<question type='truefalse'><name><text>&xxe;</text></name></question>\n</quiz>\n"
    )
    result = run(
        "bank", "import", str(broken), "--out", str(out), "--lang", "en"
    )  # no DTD: nothing declares it
    assert result.exit_code == 2 and f"{broken}:2:" in result.stderr and "IMPORT-XML-SYNTAX" in result.stderr
    assert not out.exists()
    unknown = tmp_path / "catatan.txt"
    unknown.write_text("hanya catatan biasa\n", encoding="utf-8")
    result = run("bank", "import", str(unknown), "--out", str(out), "--lang", "en")
    assert result.exit_code == 2 and "IMPORT-FORMAT-UNKNOWN" in result.stderr and not out.exists()
    gift = tmp_path / "tanpa.gift"
    gift.write_text("::a:: Lurah bertanggung jawab kepada camat. {T}\n", encoding="utf-8")
    result = run("bank", "import", str(gift), "--out", str(out), "--lang", "en")  # no competency anywhere
    assert result.exit_code == 2 and "IMPORT-NO-COMPETENCY item 'a'" in result.stderr and not out.exists()
    out.write_text("keep", encoding="utf-8")
    result = run("bank", "import", str(gift), "--out", str(out), "--competency", "M.05", "--lang", "en")
    assert result.exit_code == 2 and "IMPORT-OUT-EXISTS" in result.stderr and out.read_text() == "keep"
    result = run("bank", "import", str(gift), "--out", str(out), "--competency", "X.99", "--force")
    assert result.exit_code == 2 and "IMPORT-COMPETENCY-UNKNOWN" in result.stderr


def test_ready_marks_items_ready_but_not_one_with_an_image(run, tmp_path):
    _result, items = imported_items(run, tmp_path, "moodle-export.xml", "--competency", "M.05", "--ready")
    assert items["moodle-export-006"].status == "draft"
    assert {i.status for k, i in items.items() if k != "moodle-export-006"} == {"ready"}


# -- round trips -------------------------------------------------------------------------------------

FORMAT_TYPES = {
    "moodle-xml": ["single_choice", "multiple_response", "true_false", "matching", "ordering",
                   "short_answer", "numeric", "weighted_options", "essay"],
    "gift": ["single_choice", "multiple_response", "true_false", "matching", "short_answer", "numeric",
             "weighted_options", "essay"],
    "qti": ["single_choice", "multiple_response", "true_false", "matching", "ordering", "short_answer",
            "numeric", "weighted_options", "essay"],
    "xlsx": ["single_choice", "multiple_response", "true_false", "matching", "ordering", "short_answer",
             "numeric", "weighted_options", "essay"],
}  # fmt: skip
# What a format cannot hold is reported when written (EXPORT-NOT-CARRIED) and left out of the comparison.
SIMPLE = (
    st.text("abcdefghij klmnopqrstuvwxyzABC0123456789.-", min_size=1, max_size=20).map(str.strip).filter(bool)
)


def _texts(options, form: str = "") -> list:
    return [(o.text.strip(), (o.feedback or "").strip() if form != "xlsx" else "") for o in options]


def canonical(item, form: str, approx: bool = False) -> dict:
    """What an item means, in the terms the format keeps: option ids are not kept, texts are (QTI: as
    participants see them, the HTML they render to)."""
    if form == "qti":
        item = _as_rendered(item)
    elif form in ("moodle-xml", "gift"):
        item = _breaks_as_moodle_writes_them(item)
    out = {
        "id": item.id, "type": item.type, "stem": item.stem.strip(), "points": round(item.max_points, 6),
        "explanation": (item.explanation or "").strip(), "competencies": item.competencies,
        "difficulty": item.difficulty, "cognitive_level": item.cognitive_level, "source": item.source,
        "cluster": item.cluster, "topic": item.topic, "tags": [t.strip() for t in item.tags],
    }  # fmt: skip
    text = {o.id: o.text.strip() for o in getattr(item, "options", [])}
    if item.type in ("single_choice", "multiple_response"):
        out["options"] = sorted(_texts(item.options, form))
        out["key"] = sorted(text[k] for k in ([item.key] if item.type == "single_choice" else item.key))
    elif item.type == "weighted_options":
        out["options"] = sorted(
            (*t, round(o.points / item.max_points, 4))
            for t, o in zip(_texts(item.options, form), item.options, strict=True)
        )
    elif item.type == "ordering":
        out["key"] = [text[k] for k in item.key]
    elif item.type == "true_false":
        out["key"] = item.key
    elif item.type == "matching":
        prompt, choice = (
            {p.id: p.text.strip() for p in item.prompts},
            {c.id: c.text.strip() for c in item.choices},
        )
        out["key"] = sorted((prompt[p], choice[c]) for p, c in item.key.items())
        out["choices"] = sorted(choice.values())
    elif item.type == "short_answer":
        out["accepted"] = [
            (a.text and a.text.strip(), a.regex, a.credit) for a in item.accepted if a.text is not None
        ]
        out["case_sensitive"] = item.case_sensitive if form in ("moodle-xml", "qti") else None
    elif item.type == "numeric":
        scale = abs(item.value) if item.tolerance_mode == "relative" else 1.0
        partial = (
            None if item.partial_tolerance is None else (item.partial_tolerance * scale, item.partial_credit)
        )
        if partial and partial[0] <= item.tolerance * scale:
            partial = None  # not wider once absolute (a relative tolerance of 0): reported, not written
        if form == "xlsx":
            partial = None  # the template has no column for it (reported)
        # A spreadsheet keeps 15 significant digits.
        value = pytest.approx(item.value, rel=1e-14) if form == "xlsx" and approx else item.value
        out.update(value=value, tolerance=float(f"{item.tolerance * scale:.9g}"), partial=partial)
        out["unit"] = (item.unit or "").strip() if form in ("moodle-xml", "xlsx") else None
    elif item.type == "essay" and form in ("moodle-xml", "qti"):  # GIFT keeps its points, not its rubric

        def shown(text):  # QTI carries the rubric as XHTML list items: compared as they show
            return markdown_to_inline_html(" ".join(text.split())) if form == "qti" and text else text

        out["rubric"] = [(r.id, shown(r.label), r.points, shown(r.description)) for r in item.rubric]
        model = (
            (item.model_answer or "").replace("\r\n", "\n").replace("\r", "\n")
        )  # lines, as graders read them
        out["model_answer"] = " ".join(model.split()) if form == "qti" else model.strip()
        out["words"] = (item.min_words, item.max_words) if form == "moodle-xml" else None
    elif item.type == "essay" and form == "xlsx":  # levels one a line, numbered anew
        out["rubric"] = [(r.label.strip(), r.points, r.description) for r in item.rubric]
    return out


def _breaks_as_moodle_writes_them(item):
    """Moodle's Markdown has one hard line break (two spaces, a newline): the bank's `\\` + newline
    goes out as it and comes back as the bank's; the two are the same break."""

    def same(text):
        return from_moodle_markdown(moodle_markdown(text)) if text else text

    update = {"stem": same(item.stem), "explanation": same(item.explanation)}
    for name in ("options", "prompts"):
        if hasattr(item, name):
            update[name] = [o.model_copy(update={"text": same(o.text), "feedback": same(o.feedback)})
                            for o in getattr(item, name)]  # fmt: skip
    return item.model_copy(update=update)


def _rendered(text: str) -> str:
    return " ".join(markdown_to_html(text).split())


def _as_rendered(item):
    """The item with every text replaced by the HTML it shows (QTI carries XHTML, not Markdown)."""

    def options(values):  # shown inline, as the question page shows them
        return [
            o.model_copy(update={"text": markdown_to_inline_html(" ".join(o.text.split()))}) for o in values
        ]

    update = {"stem": _rendered(item.stem), "explanation": item.explanation and _rendered(item.explanation)}
    for name in ("options", "prompts", "choices"):
        if hasattr(item, name):
            update[name] = options(getattr(item, name))
    return item.model_copy(update=update)


def _item_for(form: str, data: dict) -> dict:
    """An item drawn by the bank's strategy, with the fields a format keeps only in a simple form
    (a topic is a category name; a tag and a rubric line are one line) made simple."""
    for name in ("topic",):
        if name in data:
            data[name] = data["topic"].strip().replace("\n", " ").replace("/", "-") or "topik"
    data["tags"] = [t.strip().replace("\n", " ").replace("]", ")") for t in data.get("tags", []) if t.strip()]
    if data["type"] == "short_answer" and not any("text" in a for a in data["accepted"]):
        data["accepted"].append({"text": "jawaban"})
    if data["type"] == "short_answer":
        data["accepted"] = [a for a in data["accepted"] if "regex" not in a or "text" in a] or [{"text": "x"}]
        data["accepted"] = [{"text": a["text"]} for a in data["accepted"] if "text" in a] or [{"text": "x"}]
    if data["type"] == "essay":
        for level in data["rubric"]:
            level["label"] = " ".join(level["label"].split()).replace("(", "[").replace(")", "]") or "level"
    if form in ("gift", "xlsx"):
        data = _without_carriage_returns(data)
    if form == "xlsx":  # one line per cell entry: tags and answers separated by ';', rubric levels one a line
        data["tags"] = [t.replace(";", ",") for t in data["tags"]]
        for answer in data.get("accepted", []):
            answer["text"] = " ".join(answer["text"].replace(";", ",").split()) or "x"
        for level in data.get("rubric", []):
            level["label"] = level["label"].replace(":", ".").replace("=", "-")
        if data.get("unit"):
            data["unit"] = " ".join(data["unit"].split()) or "m"
    return data


def _without_carriage_returns(value):
    if isinstance(value, str):
        return value.replace("\r", "") or "x"
    if isinstance(value, dict):
        return {k: _without_carriage_returns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_carriage_returns(v) for v in value]
    return value


def round_trip(tmp_path: Path, bank: Bank, form: str, suffix: str) -> tuple[Bank, list]:
    path = tmp_path / f"export{suffix}"
    if form in ("xlsx", "qti"):
        notes = export_file([bank], form, path)
        if form == "qti":
            assert_valid_qti(path)
    else:
        text, notes = export_text([bank], form, "out")
        path.write_text(text, encoding="utf-8")
    options = Options(bank_id=bank.id, title=bank.title, id_prefix="x")
    imported, used, _guessed = import_file(path, form, options)
    assert used == form and not imported.skipped, [str(p) for p in imported.skipped]
    return imported.bank, notes


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])  # fmt: skip
@pytest.mark.parametrize(("form", "type_"), [(f, t) for f, types in FORMAT_TYPES.items() for t in types])
@given(data=st.data())
def test_every_type_a_format_holds_comes_back_the_same(tmp_path, form, type_, data):
    item = _item_for(form, data.draw(item_data(type_)))
    bank = Bank.model_validate({"kind": "bank", "id": "b", "title": "t", "items": [item]})
    suffix = {"moodle-xml": ".xml", "gift": ".txt", "xlsx": ".xlsx", "qti": ".zip"}[form]
    back, notes = round_trip(tmp_path, bank, form, suffix)
    original = bank.items[0]
    assert canonical(back.items[0], form) == canonical(original, form, approx=True)
    reported = " ".join(n.params["what"].msgid for n in notes if n.code == "EXPORT-NOT-CARRIED")
    if original.translations:
        assert "translations" in reported
    if original.lint_ignore:
        assert "lint_ignore" in reported


@pytest.mark.parametrize(
    ("form", "suffix"), [("moodle-xml", ".xml"), ("gift", ".txt"), ("xlsx", ".xlsx"), ("qti", ".zip")]
)
def test_the_shipped_banks_come_back_as_themselves(tmp_path, form, suffix):
    library = load((BANKS,))
    for bank in library.banks:
        back, notes = round_trip(tmp_path, bank, form, suffix)
        kept = [i for i in bank.items if i.type in FORMAT_TYPES[form]]
        assert [canonical(i, form) for i in sorted(back.items, key=lambda i: i.id)] == [
            canonical(i, form, approx=True) for i in sorted(kept, key=lambda i: i.id)
        ]
        dropped = {n.item for n in notes if n.code == "EXPORT-TYPE-UNSUPPORTED"}
        assert dropped == {i.id for i in bank.items if i.type not in FORMAT_TYPES[form]}
        regex_items = {i.id for i in bank.items if any(a.regex for a in getattr(i, "accepted", []))}
        not_written = {n.item for n in notes if n.code == "EXPORT-NOT-CARRIED"
                       and "regular expression" in n.params["what"].msgid}  # fmt: skip
        assert regex_items <= not_written


def test_moodle_fractions_of_multiple_response_follow_the_default_rule():
    bank = Bank.model_validate({"kind": "bank", "id": "b", "title": "t", "items": [{
        "id": "m", "type": "multiple_response", "stem": "s", "competencies": ["M.05"], "key": ["a", "b", "c"],
        "options": [{"id": x, "text": x.upper()} for x in "abcde"]}]})  # fmt: skip
    text, _notes = export_text([bank], "moodle-xml", "out")
    fractions = [line.split('"')[1] for line in text.splitlines() if "<answer fraction=" in line]
    assert fractions == ["33.33333", "33.33333", "33.33333", "-50", "-50"]  # 1/|key|; 1/max(|wrong|, 2)
    assert math.isclose(sum(float(f) for f in fractions[:3]), 100, abs_tol=1e-4)


def test_the_import_benchmark_runs_on_a_small_file(capsys):
    from benchmarks import bench_bank_formats

    figures = bench_bank_formats.main(n_items=120, repeat=1)
    assert figures["import_s"] > 0 and figures["import_cpu_per_1000_s"] > 0
    assert "bank import, Moodle XML, 120 questions" in capsys.readouterr().out


# -- the Excel and Word templates ----------------------------------------------------------------------


def test_the_templates_hold_an_example_of_every_type_they_carry_and_import_back(run, tmp_path):
    xlsx, docx_file = tmp_path / "soal.xlsx", tmp_path / "soal.docx"
    assert run("bank", "template", "--format", "xlsx", "--out", str(xlsx)).exit_code == 0
    assert run("bank", "template", "--format", "docx", "--out", str(docx_file)).exit_code == 0
    import openpyxl

    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["Soal", "Petunjuk"]  # Indonesian by default
    assert [c.value for c in book["Soal"][1]][:4] == ["id", "tipe", "soal", "A"]
    assert "kunci" in [c.value for c in book["Soal"][1]] and "pasangan A" in [
        c.value for c in book["Soal"][1]
    ]
    for path, expected in ((xlsx, set(FORMAT_TYPES["moodle-xml"])),
                           (docx_file, {"single_choice", "multiple_response", "true_false", "essay"})):  # fmt: skip
        out = tmp_path / f"{path.suffix[1:]}.yaml"
        result = run("bank", "import", str(path), "--out", str(out), "--lang", "en")
        assert result.exit_code == 0, result.output
        assert {i.type for i in load_file(out).document.items} == expected
    english = tmp_path / "en.xlsx"
    assert run("bank", "template", "--format", "xlsx", "--out", str(english), "--lang", "en").exit_code == 0
    book = openpyxl.load_workbook(english)
    assert book.sheetnames == ["Questions", "Instructions"] and book["Questions"]["B1"].value == "type"
    assert run("bank", "import", str(english), "--out", str(tmp_path / "en.yaml")).exit_code == 0


def _workbook(path: Path, headers: list[str], rows: list[list]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Soal"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_spreadsheet_row_with_a_wrong_cell_is_named_by_sheet_row_and_column(run, tmp_path):
    headers = ["id", "tipe", "soal", "A", "B", "C", "kunci", "kompetensi", "jawaban", "toleransi"]
    path = _workbook(tmp_path / "soal.xlsx", headers, [
        ["q1", "pilihan ganda", "Lurah bertanggung jawab kepada ...", "Bupati", "Camat", "Sekda", "B", "T.01"],
        ["q2", "pilihan ganda", "Kelurahan dibentuk dengan ...", "Perda", "Perkada", "UU", "F", "T.01"],
        ["q3", "pilihan", "Soal tanpa jenis yang dikenal", "x", "y", "", "A", "T.01"],
        ["q4", "isian angka", "Luas minimal RTH publik kota (persen)?", "", "", "", "", "T.01", "30 %", "0,5"],
        ["q5", "benar salah", "Lurah adalah perangkat kecamatan.", "", "", "", "Benar", "T.01"],
    ])  # fmt: skip
    out = tmp_path / "bank.yaml"
    result = run("bank", "import", str(path), "--out", str(out), "--lang", "en")
    assert result.exit_code == 1, result.output
    assert f"{path}:3:7: IMPORT-SHEET-KEY item 'q2': Soal!kunci: the key 'F'" in result.stdout
    assert f"{path}:4:2: IMPORT-SHEET-TYPE item 'q3': Soal!tipe:" in result.stdout
    items = {i.id: i for i in load_file(out).document.items}
    assert set(items) == {"q1", "q4", "q5"} and items["q1"].key == "b"
    assert (items["q4"].value, items["q4"].tolerance, items["q4"].unit) == (30.0, 0.5, "%")
    assert items["q5"].key is True


def test_english_headers_are_read_as_well(run, tmp_path):
    headers = ["ID", "Type", "Question", "A", "B", "Key", "Competency", "Difficulty", "Explanation"]
    row = [
        "e1",
        "single_choice",
        "The lurah answers to the ...",
        "Camat",
        "Governor",
        "A",
        "T.01",
        "easy",
        "Art. 229",
    ]
    path = _workbook(tmp_path / "questions.xlsx", headers, [row])
    result = run("bank", "import", str(path), "--out", str(tmp_path / "b.yaml"))
    assert result.exit_code == 0, result.output
    item = load_file(tmp_path / "b.yaml").document.items[0]
    assert (item.key, item.difficulty, item.explanation) == ("a", "easy", "Art. 229")
    path = _workbook(tmp_path / "bare.xlsx", ["id", "soal"], [["x", "y"]])
    result = run("bank", "import", str(path), "--out", str(tmp_path / "c.yaml"), "--lang", "en")
    assert result.exit_code == 2 and f"{path}:1: IMPORT-SHEET-HEADERS" in result.stderr


def test_a_word_document_with_typed_and_word_numbering(run, tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Latihan soal kelurahan")  # a title before the first question
    document.add_paragraph("1. Lurah bertanggung jawab kepada ...")
    for line in (
        "A. Bupati",
        "B. Camat",
        "C. Sekretaris daerah",
        "Kunci: B",
        "Pembahasan: Pasal 229 ayat (2).",
    ):
        document.add_paragraph(line)
    document.add_paragraph("Manakah yang termasuk tugas lurah?", style="List Number")  # Word's own numbering
    for line in ("A. Pemberdayaan masyarakat", "B. Menetapkan perda", "C. Ketenteraman", "Kunci: A, C"):
        document.add_paragraph(line)
    document.add_paragraph("3. Kelurahan merupakan perangkat daerah kecamatan.")
    document.add_paragraph("Kunci: Benar")
    document.add_paragraph("4. Jelaskan peran lurah dalam musrenbang.")
    for line in ("Rubrik:", "0 = Tidak menjawab", "2 = Menyebut perannya: dengan contoh"):
        document.add_paragraph(line)
    document.add_paragraph("5. Siapa yang melantik lurah?")
    for line in ("A. Camat", "B. Wali kota", "Kunci: E"):
        document.add_paragraph(line)
    path = tmp_path / "soal.docx"
    document.save(path)
    out = tmp_path / "bank.yaml"
    result = run("bank", "import", str(path), "--out", str(out), "--competency", "T.01", "--lang", "en")
    assert result.exit_code == 1, result.output
    items = load_file(out).document.items
    assert [i.type for i in items] == ["single_choice", "multiple_response", "true_false", "essay"]
    assert (
        items[0].key == "b" and items[0].explanation == "Pasal 229 ayat (2)." and items[1].key == ["a", "c"]
    )
    assert [(r.points, r.label, r.description) for r in items[3].rubric] == [
        (0.0, "Tidak menjawab", None), (2.0, "Menyebut perannya", "dengan contoh")]  # fmt: skip
    assert f"{path}:19: IMPORT-WORD-KEY item #5: Siapa yang melantik lurah?: the key 'E'" in result.stdout


@pytest.mark.parametrize(("name", "content", "code"), [
    ("bukan.xlsx", b"ini bukan spreadsheet", "IMPORT-FORMAT-UNKNOWN"),
    ("rahasia.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "IMPORT-ENCRYPTED"),
])  # fmt: skip
def test_office_files_that_are_not_what_they_say(run, tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "b.yaml"
    form = ("--from", "xlsx") if code == "IMPORT-ENCRYPTED" else ()
    result = run("bank", "import", str(path), "--out", str(out), *form, "--lang", "en")
    assert result.exit_code == 2 and code in result.stderr and not out.exists()
    result = run("bank", "import", str(path), "--out", str(out), "--from", "docx", "--lang", "en")
    assert result.exit_code == 2 and not out.exists()
    assert ("IMPORT-ENCRYPTED" if code == "IMPORT-ENCRYPTED" else "IMPORT-NOT-ZIP") in result.stderr


def test_a_zip_bomb_is_refused_before_it_is_unpacked(run, tmp_path):
    import zipfile

    path = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 2**20))  # 20 MB of zeros packs to ~20 kB
    out = tmp_path / "b.yaml"
    result = run("bank", "import", str(path), "--out", str(out), "--lang", "en")
    assert result.exit_code == 2 and "IMPORT-ZIP-TOO-LARGE" in result.stderr and not out.exists()


# -- IMS QTI 2.1 ---------------------------------------------------------------------------------------


def _qti_package(tmp_path: Path) -> Path:
    import zipfile

    source = FIXTURES / "qti"
    path = tmp_path / "paket.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for file in sorted(source.rglob("*.xml")):
            z.write(file, file.relative_to(source).as_posix())
        z.writestr("images/peta.png", b"\x89PNG\r\n\x1a\n")
    return path


def test_a_qti_package_as_tools_write_it(run, tmp_path):
    package = _qti_package(tmp_path)
    out = tmp_path / "bank.yaml"
    result = run("bank", "import", str(package), "--out", str(out), "--competency", "M.05", "--lang", "en")
    assert result.exit_code == 1, result.output
    assert "Read as QTI 2.1 (guessed from its content)." in result.stdout
    items = {i.id: i for i in load_file(out).document.items}
    assert [i.type for i in items.values()] == ["single_choice", "multiple_response", "ordering", "matching",
                                                 "short_answer", "numeric", "essay"]  # fmt: skip
    choice = items["choice"]
    assert choice.key == "ChoiceA" and choice.difficulty == "easy" and choice.competencies == ["M.05"]
    assert "**undang-undang**" in choice.stem and choice.stem.endswith(
        "Pilih satu jawaban."
    )  # with its prompt
    multiple = items["multiple"]  # a namespace prefix (qti:) and a mapping that is not the default rule
    assert multiple.key == ["syarat", "waktu"] and "IMPORT-FRACTIONS-DIFFER" in result.stdout
    assert items["order"].key == ["daftar", "periksa", "tanda"]
    match = items["match"]
    assert match.key == {"domisili": "kel", "paten": "kec"} and len(match.choices) == 3
    text = items["text_entry"]
    assert [(a.text, a.credit) for a in text.accepted] == [("PATEN", 1.0), ("Paten Kecamatan", 0.5)]
    assert "_____" not in text.stem and text.stem.startswith("Singkatan dari")
    assert (items["numeric"].value, items["numeric"].tolerance) == (30.0, 0.5)
    essay = items["extended_text"]
    assert [(r.id, r.points) for r in essay.rubric] == [("0", 0.0), ("2", 2.0), ("4", 4.0)]
    assert essay.rubric[1].description == "menyebut membersihkan lokasi saja"
    assert "Langkah" not in essay.stem  # the scorer's rubric is not the question
    assert (
        "IMPORT-TYPE-UNSUPPORTED item 'hotspot'" in result.stdout and "'hotspotInteraction'" in result.stdout
    )


def test_a_single_qti_item_file(run, tmp_path):
    out = tmp_path / "bank.yaml"
    item = FIXTURES / "qti" / "items" / "order.xml"
    result = run("bank", "import", str(item), "--out", str(out), "--competency", "M.05", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Read as QTI 2.1" in result.stdout and load_file(out).document.items[0].type == "ordering"


def test_every_shipped_item_exported_to_qti_is_valid(run, tmp_path):
    package = tmp_path / "semua.zip"
    result = run("bank", "export", "--to", "qti", "--out", str(package), "--lang", "en")
    assert result.exit_code == 0, result.output
    n = sum(len(b.items) for b in load((BANKS,)).banks)
    assert assert_valid_qti(package) == n and f"{n} items written" in result.stdout
    result = run("bank", "export", "--to", "qti", "--lang", "en")
    assert result.exit_code == 2 and "EXPORT-NEEDS-OUT" in result.stderr


def test_gift_escapes_its_special_characters_and_export_writes_into_a_folder(run, tmp_path):
    bank = tmp_path / "b.yaml"
    bank.write_text(
        "kind: bank\nid: simbol\ntitle: t\nitems:\n- id: s1\n  type: true_false\n"
        "  stem: 'Rumus {a} = b: #1 ~ 2'\n  competencies: [M.05]\n  key: true\n",
        encoding="utf-8",
    )
    result = run("bank", "export", str(bank), "--to", "gift", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "simbol.gift.txt").read_text(encoding="utf-8")
    assert "Rumus \\{a\\} \\= b\\: \\#1 \\~ 2{TRUE" in text


@pytest.mark.parametrize(("encoding", "warned"), [("utf-8-sig", False), ("cp1252", True)])
def test_aiken_with_a_byte_order_mark_or_in_windows_1252(run, tmp_path, encoding, warned):
    path = tmp_path / "aiken.txt"
    path.write_bytes("Kafé literasi dikelola oleh …\nA. RT\nB. Kelurahan\nANSWER: B\n".encode(encoding))
    out = tmp_path / "b.yaml"
    result = run("bank", "import", str(path), "--out", str(out), "--competency", "M.05", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert ("IMPORT-ENCODING-CP1252" in result.stdout) is warned
    item = load_file(out).document.items[0]
    assert item.stem == "Kafé literasi dikelola oleh …" and item.key == "b"


# -- what a review of the first landing found ----------------------------------------------------------


def test_xml_in_another_encoding_cannot_hide_its_entities(tmp_path):
    from assess.bank.formats.source import parse_large_xml
    from assess.problems import ProblemsFound

    hidden = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE quiz [<!ENTITY x "I">]><quiz>&x;</quiz>'
    for data in (
        hidden.encode("utf-16-le"),
        b'<?xml version="1.0" encoding="UTF-7"?><+ACE-DOCTYPE quiz><quiz/>',
    ):
        with pytest.raises(ProblemsFound) as found:
            parse_large_xml(data, "f.xml")
        assert found.value.problems[0].code in ("IMPORT-XML-ENTITIES", "IMPORT-XML-SYNTAX")


def test_question_lines_skip_processing_instructions_that_look_like_comments():
    from assess.bank.formats.moodle_read import question_lines

    data = b"<quiz>\n" + b"<?a <!--?>\n" * 2000 + b"<question type='truefalse'/>\n</quiz>"
    assert question_lines(data) == [2002]  # the lazy comment pattern no longer runs to the file's end


def test_plausible_but_odd_files_are_read_without_a_traceback(run, tmp_path):
    cases = {
        "a.gift": "::Q1:: Pilih satu {=a ~%1.2.3%b}\n\n::Q2:: Tidak ditutup {=a ~b\n",
        "b.txt": "B.J. Habibie menjabat presiden mulai tahun ...\nA. 1997\nB. 1998\nC. 1999\nANSWER: B\n",
        "c.xml": "<quiz><question type='multichoice'><questiontext format='html'><text>Lurah?</text></questiontext>"
        "<answer fraction='100'><text>Camat</text></answer><answer fraction='0'><text>Bupati</text></answer>"
        "<maxwordlimit>inf</maxwordlimit></question></quiz>",
    }
    out = tmp_path / "b.yaml"
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = run(
            "bank", "import", str(path), "--out", str(out), "--competency", "M.05", "--force", "--lang", "en"
        )
        assert result.exit_code in (0, 1), result.output
        items = load_file(out).document.items
        if name == "a.gift":
            assert "IMPORT-GIFT-ANSWERS item 'Q2'" in result.stdout
        if name == "b.txt":  # "B.J." is the stem's text, not an option B
            assert (
                items[0].stem.startswith("B.J. Habibie")
                and items[0].key == "b"
                and len(items[0].options) == 3
            )
        if name == "c.xml":  # no <single>: Moodle's own default, single choice
            assert items[0].type == "single_choice" and items[0].key == "a"


def test_a_short_answer_no_format_can_hold_is_left_out_and_said(run, tmp_path):
    bank = tmp_path / "b.yaml"
    bank.write_text(
        "kind: bank\nid: rx\ntitle: t\nitems:\n- id: r1\n  type: short_answer\n  stem: Singkatan?\n"
        "  competencies: [M.05]\n  accepted:\n  - regex: '(lembaga\\s+)?ombudsman'\n",
        encoding="utf-8",
    )
    for form in ("moodle-xml", "gift", "qti", "xlsx"):
        out = tmp_path / f"out.{form}"
        result = run("bank", "export", str(bank), "--to", form, "--out", str(out), "--force", "--lang", "en")
        assert result.exit_code == 1 and "EXPORT-NO-ANSWER item 'r1'" in result.stderr, (form, result.output)


def test_a_hard_line_break_goes_to_moodle_as_moodle_writes_one():
    bank = Bank.model_validate({"kind": "bank", "id": "b", "title": "t", "items": [{
        "id": "h", "type": "true_false", "stem": "Baris satu\\\nBaris dua", "competencies": ["M.05"],
        "key": True}]})  # fmt: skip
    text, _notes = export_text([bank], "moodle-xml", "out")
    assert "Baris satu  \nBaris dua" in text


def test_a_word_document_with_no_list_numbering_at_all(run, tmp_path):
    """Documents typed without any Word list have no numbering part (python-docx's default has one)."""
    import io
    import re
    import zipfile

    import docx

    document = docx.Document()
    for line in ("1. Lurah bertanggung jawab kepada ...", "A. Camat", "B. Bupati", "Kunci: A"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "tanpa-daftar.docx"
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/numbering.xml":
                continue
            if name in ("word/_rels/document.xml.rels", "[Content_Types].xml"):
                data = re.sub(rb"<(Relationship|Override) [^>]*numbering[^>]*/>", b"", data)
            target.writestr(name, data)
    assert "word/numbering.xml" not in zipfile.ZipFile(path).namelist()
    out = tmp_path / "b.yaml"
    result = run("bank", "import", str(path), "--out", str(out), "--competency", "T.01", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert [(i.type, i.key) for i in load_file(out).document.items] == [("single_choice", "a")]
