"""The readable answer sheet as `form print` writes it (issue 21, point 1): one SVG per page drawn in
millimetres from the layout, a QR code naming event, phase, variant, form and page (and the participant
on personal sheets), A4 or F4, and an identity grid of the NIP or of the participant number."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import cv2
import numpy as np
import pytest

from assess.delivery.omr.layout import PAPERS
from assess.delivery.omr.sheet import SheetCode, event_tag, form_tag, qr_path
from tests.test_paper import fixture, print_paper, stored

FIXTURE_EVENT = "impor-uji"


class Sheets(HTMLParser):
    """Each printed page: its QR text, size and viewBox, and its sheet's data-person."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pages: list[dict] = []
        self.person: str | None = None
        self.identity: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("class") == "sheet":
            self.person = a.get("data-person")
        elif tag == "svg" and a.get("class") == "omr":
            self.pages.append({"code": a["data-code"], "viewbox": a["viewbox"], "person": self.person})
        elif tag == "g" and a.get("class") == "identity":
            self.identity.append(a["data-kind"])


def read_sheets(path) -> Sheets:
    sheets = Sheets()
    sheets.feed(path.read_text(encoding="utf-8"))
    return sheets


def decode_drawn_qr(text: str) -> str:
    """Draw the printed QR path as pixels (4 per module, a quiet zone) and decode it with OpenCV."""
    path, modules = qr_path(text)
    scale, border = 4, 4
    image = np.full(((modules + 2 * border) * scale,) * 2, 255, np.uint8)
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)", path):
        x, y, w = int(x), int(y), int(w)
        image[
            (y + border) * scale : (y + border + 1) * scale, (x + border) * scale : (x + border + w) * scale
        ] = 0
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return decoded


def test_blank_sheets_name_the_form_in_their_qr_code_and_ask_for_the_participant_number(tmp_path, run):
    folder = fixture(tmp_path, run)
    out = tmp_path / "cetak"
    assert print_paper(run, folder, out).exit_code == 0
    form, _ = stored(folder, FIXTURE_EVENT)
    for variant in form.variants:
        sheets = read_sheets(out / f"lembar-pre-{variant.label}.html")
        codes = [SheetCode.parse(p["code"]) for p in sheets.pages]
        assert codes == [
            SheetCode(
                event_tag(FIXTURE_EVENT), "PRE", variant.label, form_tag(form.hash), k, len(codes), "number"
            )
            for k in range(1, len(codes) + 1)
        ]
        assert all(p["viewbox"] == "0 0 210.0 297.0" for p in sheets.pages)
        # The fixture's participants do not all have a NIP: the grid asks for the number on their card.
        assert sheets.identity == ["number"] * len(codes)
        for page in sheets.pages:  # what is printed decodes to what the page says it is
            assert decode_drawn_qr(SheetCode.parse(page["code"]).text()) == page["code"]
    booklet = (out / "naskah-pre-A.html").read_text(encoding="utf-8")
    assert booklet.count('class="omr"') == len(read_sheets(out / "lembar-pre-A.html").pages)


def test_personal_sheets_on_f4_one_per_participant_with_the_variants_in_turn(tmp_path, run):
    folder = fixture(tmp_path, run)
    out = tmp_path / "cetak"
    result = print_paper(run, folder, out, "--lang", "en")
    assert result.exit_code == 0
    result = run("-w", str(folder), "form", "print", "--phase", "pre", "--out", str(out), "--personal",
                 "--paper", "f4")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "lembar-pre-peserta.html" in result.stdout
    sheets = read_sheets(out / "lembar-pre-peserta.html")
    width, height = PAPERS["f4"]
    assert {p["viewbox"] for p in sheets.pages} == {f"0 0 {width} {height}"}
    assert sheets.identity == []  # the participant is printed and in the QR code: no grid to fill
    by_person: dict[str, list[SheetCode]] = {}
    for page in sheets.pages:
        code = SheetCode.parse(page["code"])
        assert code.person == page["person"]
        by_person.setdefault(code.person, []).append(code)
    people = [line.split(",")[0] for line in (folder / "peserta.csv").read_text().splitlines()[1:] if line]
    assert len(by_person) == len(people)
    variants = [codes[0].variant for codes in by_person.values()]
    assert variants == ["AB"[k % 2] for k in range(len(variants))]
    assert all([c.page for c in codes] == list(range(1, codes[0].pages + 1)) for codes in by_person.values())


@pytest.mark.parametrize(
    "text",
    [
        "AS1:ABCDEF:PRE:A:0123ABCD:1/2:N:",
        "AS1:ABCDEF:PRE:A:0123ABCD:1/1:P:",
        "AS1:ABCDEF:POST-2:B:FFFFFFFF:2/2:-:P0012",
    ],
)
def test_a_sheet_code_reads_back_and_anything_else_is_not_one(text):
    code = SheetCode.parse(text)
    assert code is not None and code.text() == text
    past_the_end = re.sub(r":(\d)/(\d):", lambda m: f":{int(m[2]) + 1}/{m[2]}:", text)
    superscript = re.sub(r":(\d)/(\d):", ":1/\u00b2:", text)  # "²" is a digit to str.isdigit
    others = ["", "hello", text.replace("AS1", "AS2"), past_the_end, text + ":x", text.replace(":N:", ":Q:"),
              superscript]  # fmt: skip
    others.append(text.replace(":-:P0012", ":-:") if code.person else text + "P0012")  # personal <=> a person
    for other in others:
        assert other == text or SheetCode.parse(other) is None, other
