"""`assess responses scan` end to end (issue 21, points 2 and 3, and "done when"): photographs of filled
sheets (the committed synthetic corpus) read, matched and imported; the doubtful and the handwritten kept
for the review; the review filled in and applied; the scores then equal those of the same answers typed
into an answer sheet. Bad pages are listed with why, and the rest imports."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import cv2
import pytest

from assess.delivery.omr.sheet import SheetCode, event_tag, form_tag, sheet_pages
from assess.store.store import Store
from benchmarks.omr_corpus import pdf_of
from tests.omr_support import CORPUS, corpus_form, corpus_truth, corpus_workspace, draw_sheet

EVENT = "payakumbuh-2019"
FILES = [f"{k:04d}.jpg" for k in range(1, 13)]  # twelve participants, P0001 to P0012


def results(folder: Path) -> dict:
    store = Store.open(f"sqlite:///{folder / 'assess.db'}")
    try:
        return {r.person_id: r for r in store.results(EVENT, "pre")}
    finally:
        store.close()


def typed_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return " ".join(f"{p}{c}" for p, c in value.items())
    return str(value)


def typed_import(tmp_path: Path, run, sheets: list[dict]) -> Path:
    """The same answers typed into an answer sheet and imported, essays marked as the marker did."""
    folder = corpus_workspace(tmp_path, run, "typed")
    form = corpus_form()
    rows = [["Peserta", "Varian", *(str(k) for k in range(1, len(form.items) + 1))]]
    marks = []
    for sheet in sheets:
        variant = form.variant(sheet["variant"])
        cells = []
        for number in range(1, len(form.items) + 1):
            item = form.item(variant.items[number - 1])
            value = sheet["answers"].get(str(number))
            if item.type == "essay":
                cells.append("")
                if value is not None:
                    marks.append((sheet["person"], item.id, item.rubric[value].id))
            else:
                cells.append(typed_cell(value))
        rows.append([sheet["person"], sheet["variant"], *cells])
    path = tmp_path / "diketik.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    result = run("-w", str(folder), "responses", "import", str(path), "--format", "sheet", "--phase", "pre")
    assert result.exit_code == 0, result.stdout + result.stderr
    store = Store.open(f"sqlite:///{folder / 'assess.db'}")
    try:
        attempts = {a.person_id: a.id for a in store.attempts(EVENT, "pre")}
        store.set_marks(
            [(attempts[p], item, level) for p, item, level in marks],
            "trainer",
            __import__("datetime").datetime(2019, 10, 31),
        )
    finally:
        store.close()
    assert run("-w", str(folder), "score").exit_code == 0
    return folder


def fill_review(review: Path, truth: dict, form) -> int:
    """Answer every row of koreksi.csv from the truth, as a trainer looking at the cut-outs would."""
    by_file = {s["file"]: s for s in truth["sheets"]}
    path = review / "koreksi.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    col = {name: header.index(name) for name in ("sumber", "nomor", "jawaban")}
    for row in rows[1:]:
        sheet = by_file[Path(row[col["sumber"]]).name]
        number = int(row[col["nomor"]])
        if number == 0:
            row[col["jawaban"]] = sheet["person"]
            continue
        item = form.item(form.variant(sheet["variant"]).items[number - 1])
        value = sheet["answers"].get(str(number))
        if item.type == "essay":
            row[col["jawaban"]] = "-" if value is None else f"{item.rubric[value].points:g}"
        else:
            row[col["jawaban"]] = typed_cell(value) or "-"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return len(rows) - 1


def test_scanned_photos_after_the_review_score_as_the_typed_sheet(tmp_path, run):
    truth = corpus_truth()
    sheets = [s for s in truth["sheets"] if s["file"] in FILES]
    folder = corpus_workspace(tmp_path, run)
    photos = tmp_path / "foto"
    photos.mkdir()
    for name in FILES:
        shutil.copy(CORPUS / name, photos / name)
    result = run("-w", str(folder), "responses", "scan", str(photos), "--phase", "pre")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "12 halaman dibaca" in result.stdout or "12 pages read" in result.stdout
    first = results(folder)
    # Sheets with a doubtful mark wait whole; the others are in, their short answers pending.
    review = folder / "periksa-pre"
    assert (review / "periksa.html").is_file() and (review / "koreksi.csv").is_file()
    assert first and all(r.provisional for r in first.values())  # the handwritten short answer waits
    typed = results(typed_import(tmp_path, run, sheets))
    assert len(typed) == 12

    # Nothing changes when the same photos are read again.
    again = run("-w", str(folder), "responses", "scan", str(photos), "--phase", "pre")
    assert again.exit_code == 0 and "12" in again.stdout
    assert {p: r.points for p, r in results(folder).items()} == {p: r.points for p, r in first.items()}

    rows = fill_review(review, truth, corpus_form())
    assert rows >= 12  # a short answer on each sheet at least
    applied = run(
        "-w",
        str(folder),
        "responses",
        "scan",
        "--phase",
        "pre",
        "--apply-review",
        str(review / "koreksi.csv"),
    )
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    scanned = results(folder)
    assert scanned.keys() == typed.keys()
    for person, r in typed.items():
        assert scanned[person].points == pytest.approx(r.points), person
        assert scanned[person].provisional == r.provisional, person
    with (review / "koreksi.csv").open(encoding="utf-8-sig") as f:
        assert len(list(csv.reader(f))) == 1  # nothing waits any more


def test_pages_that_are_not_this_phases_sheets_are_listed_and_the_rest_imports(tmp_path, run):
    folder = corpus_workspace(tmp_path, run)
    form = corpus_form()
    variant = form.variant("A")
    (page,) = sheet_pages(form, variant, "a4", None)
    tag, ftag = event_tag(EVENT), form_tag(form.hash)
    keyed = {
        (blk.number, "", "A") for blk in page.blocks if blk.kind in ("single_choice", "weighted_options")
    }

    def sheet(person="P0001", event=tag, phase="pre", form_id=ftag) -> cv2.Mat:
        return draw_sheet(page, SheetCode(event, phase, "A", form_id, 1, 1, "", person).text(), keyed)

    pages = tmp_path / "pages"
    pages.mkdir()
    cv2.imwrite(str(pages / "a-good.png"), sheet())
    cv2.imwrite(str(pages / "b-other-event.png"), sheet(event="ABCDEF"))
    cv2.imwrite(str(pages / "c-other-phase.png"), sheet(phase="post"))
    cv2.imwrite(str(pages / "d-changed-form.png"), sheet(form_id="00000000"))
    turned = cv2.rotate(sheet("P0002"), cv2.ROTATE_90_CLOCKWISE)  # photographed sideways
    torn = sheet("P0003")
    torn[: int(30 * 8), : int(30 * 8)] = 255  # the top-left corner torn off: three markers and the QR code
    (pages / "e-not-an-image.jpg").write_bytes(b"this is not a picture")
    (folio,) = sheet_pages(form, variant, "f4", None)  # F4 paper: the reader tells it from A4
    f4 = SheetCode(tag, "pre", "A", ftag, 1, 1, "", "P0004").text()
    cv2.imwrite(str(pages / "g-folio.png"), draw_sheet(folio, f4, keyed))
    pdf_of([turned, None, torn, sheet()], pages / "f-bundle.pdf")  # an empty page; P0001 again
    result = run("-w", str(folder), "responses", "scan", str(pages), "--phase", "pre")
    assert result.exit_code == 1, result.stdout + result.stderr  # some pages left out
    out = result.stdout
    for code, where in [
        ("SCAN-OTHER-EVENT", "b-other-event.png"), ("SCAN-OTHER-PHASE", "c-other-phase.png"),
        ("SCAN-FORM-CHANGED", "d-changed-form.png"), ("SCAN-NOT-AN-IMAGE", "e-not-an-image.jpg"),
        ("SCAN-NO-MARKERS", "f-bundle.pdf#2"), ("SCAN-DUPLICATE", "f-bundle.pdf#4"),
    ]:  # fmt: skip
        assert any(code in line and where in line for line in out.splitlines()), (code, out)
    assert "Traceback" not in out + result.stderr
    imported = results(folder)
    # Upright, sideways, with a corner torn off, and on F4.
    assert set(imported) == {"P0001", "P0002", "P0003", "P0004"}
    # The same marks on each (A on every single-choice question): the same points, however photographed.
    assert len({round(r.points, 6) for r in imported.values()}) == 1


def test_the_review_names_the_participant_and_refuses_wrong_answers_by_line(tmp_path, run):
    """A blank sheet whose NIP is nobody's waits with its identity grid; a wrong correction is named by
    the CSV's line and column and changes nothing; a right one imports the sheet."""
    folder = corpus_workspace(tmp_path, run)
    form = corpus_form()
    (page,) = sheet_pages(form, form.variant("B"), "a4", "nip")
    nobody = "199001012020121001"
    filled = {(0, str(k + 1), digit) for k, digit in enumerate(nobody)}
    first = next(b for b in page.blocks if b.kind == "single_choice")
    filled.add((first.number, "", "A"))
    code = SheetCode(event_tag(EVENT), "pre", "B", form_tag(form.hash), 1, 1, "nip", "").text()
    pages = tmp_path / "pages"
    pages.mkdir()
    cv2.imwrite(str(pages / "sheet.png"), draw_sheet(page, code, filled))
    result = run("-w", str(folder), "responses", "scan", str(pages), "--phase", "pre")
    assert result.exit_code == 0 and not results(folder)
    review = folder / "periksa-pre"
    with (review / "koreksi.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    (who,) = [r for r in rows[1:] if r[header.index("nomor")] == "0"]
    assert who[header.index("terbaca")] == nobody and who[header.index("peserta")] == ""

    def apply(answer: str, extra: list[str] | None = None):
        filled_rows = [header] + [list(r) for r in rows[1:]]
        for r in filled_rows[1:]:
            r[header.index("jawaban")] = answer if r[header.index("nomor")] == "0" else "lurah"
        if extra:
            filled_rows.append(extra)
        path = tmp_path / "koreksi.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(filled_rows)
        return run("-w", str(folder), "responses", "scan", "--phase", "pre", "--apply-review", str(path))

    bad = apply("P9999")
    assert bad.exit_code == 2 and "SCAN-REVIEW-PERSON" in bad.stderr and ":2:9:" in bad.stderr
    key = who[header.index("lembar")]
    wrong_letter = [key, "", "", "B", str(first.number), "", "", "", "Z"]
    bad = apply("P0005", wrong_letter)
    assert bad.exit_code == 2 and "SCAN-REVIEW-UNKNOWN" in bad.stderr  # question not waiting for review
    assert not results(folder)  # nothing changed
    good = apply("P0005")
    assert good.exit_code == 0, good.stdout + good.stderr
    assert set(results(folder)) == {"P0005"}
    store = Store.open(f"sqlite:///{folder / 'assess.db'}")
    try:
        (attempt,) = store.attempts(EVENT, "pre")
        answers = store.answers(attempt.id)
    finally:
        store.close()
    again = apply("P0009")  # the page is imported: whose it is is no longer a question
    assert again.exit_code == 2 and "SCAN-REVIEW-UNKNOWN" in again.stderr
    short = next(b for b in page.blocks if b.kind == "short_answer")
    assert answers[form.variant("B").items[short.number - 1]] == "lurah"  # typed, no longer pending
    assert answers[form.variant("B").items[first.number - 1]] is not None


def test_a_decompression_bomb_is_not_decoded(tmp_path, run):
    folder = corpus_workspace(tmp_path, run)
    pages = tmp_path / "pages"
    pages.mkdir()
    huge = cv2.imencode(".png", __import__("numpy").zeros((12_000, 11_000), "uint8"))[1]
    (pages / "bomb.png").write_bytes(huge.tobytes())
    assert (pages / "bomb.png").stat().st_size < 1_000_000  # 132 megapixels in a small file
    result = run("-w", str(folder), "responses", "scan", str(pages), "--phase", "pre")
    assert result.exit_code == 1 and "SCAN-NOT-AN-IMAGE" in result.stdout


def test_the_dashboard_shows_the_review_and_a_tap_answers_it(tmp_path, run):
    """The same review on the trainer's dashboard: the cut-out, the marks read, a button per letter (or
    a field to type), trainers only; answering every question imports the sheets as the CSV would."""
    from tests.web_support import PASSWORD, Client, make_app, open_workspace, trainer_client

    truth = corpus_truth()
    by_file = {s["file"]: s for s in truth["sheets"]}
    folder = corpus_workspace(tmp_path, run)
    run("-w", str(folder), "trainer-password", env={"ASSESS_TRAINER_PASSWORD": PASSWORD})
    photos = tmp_path / "foto"
    photos.mkdir()
    for name in FILES[:5]:
        shutil.copy(CORPUS / name, photos / name)
    assert run("-w", str(folder), "responses", "scan", str(photos), "--phase", "pre").exit_code == 0
    ws = open_workspace(folder)
    app = make_app(ws)
    url = "/trainer/phase/pre/scan"
    assert Client(app, "127.0.0.61").get(url).location.endswith("/trainer/login")
    trainer = trainer_client(app)
    assert url in trainer.get("/trainer/").get_data(as_text=True)
    form = corpus_form()
    answered = 0
    while True:
        page = trainer.get(url).get_data(as_text=True)
        if 'id="scan-done"' in page:
            break
        sheet = re.search(r'data-sheet="([0-9a-f]+)" data-question="(\d+)"', page)
        key, question = sheet[1], int(sheet[2])
        cut = re.search(r'src="(/trainer/phase/pre/scan/cut/[^"]+)"', page)
        image = trainer.http.get(cut[1], environ_base={"REMOTE_ADDR": trainer.address})  # a PNG: not recorded
        assert image.status_code == 200 and image.data.startswith(b"\x89PNG")  # the cut-out, for the trainer
        assert Client(app, "127.0.0.62").get(cut[1]).status_code == 302  # not for anyone else
        source = Path(re.search(r'<p class="muted">([^<]+)</p>', page)[1]).name
        truth_sheet = by_file[source]
        item = form.item(form.variant(truth_sheet["variant"]).items[question - 1])
        value = truth_sheet["answers"].get(str(question))
        if item.type == "essay":
            answer = "-" if value is None else f"{item.rubric[value].points:g}"
        else:
            answer = typed_cell(value) or "-"
        if item.type in ("single_choice", "true_false", "weighted_options", "essay"):
            assert f'name="answer" value="{answer}"' in page  # one tap
        done = trainer.post(f"{url}?at=1", {"sheet": key, "question": str(question), "answer": answer})
        assert done.status_code == 302, done.get_data(as_text=True)
        answered += 1
        assert answered < 50
    assert answered >= 5  # a short answer on each sheet at least
    bad = trainer.post(f"{url}?at=1", {"sheet": "00", "question": "1", "answer": "A"})
    assert bad.status_code == 400  # nothing of the review has that sheet
    assert trainer.get("/trainer/phase/pre/scan/cut/..%2Fassess.db").status_code == 404
    typed = results(typed_import(tmp_path, run, [by_file[n] for n in FILES[:5]]))
    scanned = results(folder)
    assert {p: r.points for p, r in scanned.items()} == pytest.approx({p: r.points for p, r in typed.items()})
    ws.close()


def test_an_iphone_heic_photo_is_read_and_a_false_one_is_named(tmp_path, run):
    import io

    import pillow_heif

    folder = corpus_workspace(tmp_path, run)
    sheet = next(s for s in corpus_truth()["sheets"] if s["file"] == "0013.jpg")
    rgb = cv2.cvtColor(cv2.imread(str(CORPUS / "0013.jpg")), cv2.COLOR_BGR2RGB)
    heic = pillow_heif.from_bytes(mode="RGB", size=(rgb.shape[1], rgb.shape[0]), data=rgb.tobytes())
    data = io.BytesIO()
    heic.save(data, quality=85)
    photos = tmp_path / "iphone"
    photos.mkdir()
    (photos / "IMG_0013.HEIC").write_bytes(data.getvalue())
    (photos / "IMG_0014.heic").write_bytes(b"ftypheic but nothing after it")  # no picture at all
    result = run("-w", str(folder), "responses", "scan", str(photos), "--phase", "pre")
    assert result.exit_code == 1
    assert "SCAN-NOT-AN-IMAGE" in result.stdout and "IMG_0014.heic" in result.stdout
    assert "IMG_0013.HEIC" not in result.stdout.split("SCAN-NOT-AN-IMAGE")[0].splitlines()[-1]
    state = (folder / "periksa-pre" / "lembar.json").read_text(encoding="utf-8")
    assert sheet["person"] in state and "IMG_0013.HEIC" in state  # read, and its participant found
