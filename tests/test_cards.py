"""Access-code cards: every participant, their code, the join address and a QR code of it; escaped; offline."""

from __future__ import annotations

import re

from assess.delivery.cards import join_url
from assess.store.store import Store


def setup_event(tmp_path, run):
    folder = tmp_path / "ws"
    assert run("init", "--example", "payakumbuh-2019", str(folder)).exit_code == 0
    assert run("-w", str(folder), "participants", "import", str(folder / "peserta.csv")).exit_code == 0
    return folder


def test_cards_for_every_participant(tmp_path, run):
    folder = setup_event(tmp_path, run)
    out = tmp_path / "kartu.html"
    result = run(
        "-w",
        str(folder),
        "participants",
        "cards",
        "--url",
        "http://192.168.1.10:8000",
        "--out",
        str(out),
        "--lang",
        "en",
    )
    assert result.exit_code == 0 and "52 cards written" in result.stdout
    html = out.read_text(encoding="utf-8")
    store = Store.open(f"sqlite:///{folder / 'assess.db'}")
    people = store.participants("payakumbuh-2019")
    store.close()
    assert html.count('<section class="card">') == 52
    for person in people:
        assert person.access_code in html
        assert not person.nip or person.nip not in html  # never the NIP
        # The number a blank readable answer sheet asks for (P0007 -> 0007; issue 21).
        assert f'data-number="{person.person_id[1:]}"' in html
    assert html.count("<svg") == 52  # a QR code per card, inline
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from a network
    assert "Access code" in html


def test_join_url_and_escaping(tmp_path, run):
    folder = setup_event(tmp_path, run)
    store = Store.open(f"sqlite:///{folder / 'assess.db'}")
    store.add_participants(
        "payakumbuh-2019",
        [{"person_id": "P9999", "name": "<script>alert(1)</script>", "access_code": "AB<&>"}],
        {},
        {},
    )
    store.close()
    out = tmp_path / "kartu.html"
    assert (
        run(
            "-w", str(folder), "participants", "cards", "--url", "http://10.0.0.2:8000/", "--out", str(out)
        ).exit_code
        == 0
    )
    html = out.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert join_url("http://10.0.0.2:8000/", "K7QM3-XH9TD") == "http://10.0.0.2:8000/join?code=K7QM3-XH9TD"
    assert join_url("http://h:1", "AB<&>") == "http://h:1/join?code=AB%3C%26%3E"
    assert run("-w", str(folder), "participants", "cards", "--out", str(out)).exit_code == 0
    assert "Kode akses" in out.read_text(encoding="utf-8")  # Indonesian by default
