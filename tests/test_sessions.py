"""Revocable sessions (issue 14, point 6): a row in the store behind every cookie, ended at once by
logout, leave, a new trainer password or a new access code; the trainer sees and ends a participant's
other phones. Before this, a copied cookie kept working for 4 days after all of them."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import zipfile
import zlib

from assess.workspace import now as clock
from tests.web_support import (
    PASSWORD,
    Client,
    cli_run,
    copy_workspace,
    make_app,
    open_workspace,
    participant_client,
)


def _copy(app, client: Client, address: str = "127.0.0.77") -> Client:
    """Another browser holding a copy of `client`'s cookie (read off the air on a shared hotspot)."""
    thief = Client(app, address)
    thief.http.set_cookie("assess_session", client.http.get_cookie("assess_session").value)
    return thief


def _cookie_payload(client: Client) -> str:
    """What the signed cookie says, decoded as anyone on the network can."""
    value = client.http.get_cookie("assess_session").value
    compressed = value.startswith(".")
    data = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode()


def test_a_copied_trainer_cookie_dies_with_the_logout(opened):
    ws, app, trainer, codes = opened
    copy = _copy(app, trainer)
    assert copy.get("/trainer/").status_code == 200
    trainer.post("/trainer/logout")
    assert copy.get("/trainer/").status_code == 302
    assert trainer.get("/trainer/").status_code == 302


def test_a_new_trainer_password_logs_out_every_trainer_browser(opened):
    ws, app, trainer, codes = opened
    assert trainer.get("/trainer/").status_code == 200
    result = cli_run(
        "-w", str(ws.folder), "trainer-password", env={"ASSESS_TRAINER_PASSWORD": "kata-sandi-baru"}
    )
    assert "(1)" in result.output
    assert trainer.get("/trainer/").status_code == 302
    t = Client(app, "127.0.0.9")
    t.get("/trainer/login")
    assert t.post("/trainer/login", {"password": PASSWORD}).status_code == 401
    assert t.post("/trainer/login", {"password": "kata-sandi-baru"}).status_code == 302


def test_a_copied_participant_cookie_dies_when_the_participant_leaves(opened):
    ws, app, trainer, codes = opened
    phone = participant_client(app, codes[0])
    copy = _copy(app, phone)
    assert copy.get("/lobby").status_code == 200
    phone.post("/leave")
    assert copy.get("/lobby").status_code == 302
    assert copy.get("/lobby/state").status_code == 302


def test_the_cookie_names_no_person_and_no_attempt(opened):
    ws, app, trainer, codes = opened
    phone = participant_client(app, codes[0])
    assert phone.post("/test/pre/start").status_code == 302
    person = ws.store.person_by_code(ws.event_id, codes[0])
    attempt = ws.store.attempts(ws.event_id, "pre")[0]
    payload = _cookie_payload(phone)
    assert set(json.loads(payload)) <= {"sid", "lang", "csrf_token", "_permanent"}
    assert person not in payload and f'"{attempt.id}"' not in payload and ws.event_id not in payload
    assert "trainer" not in _cookie_payload(trainer)


def test_the_trainer_sees_two_phones_on_one_code_and_logs_out_the_other(opened):
    ws, app, trainer, codes = opened
    first = participant_client(app, codes[0], "127.0.0.2")
    second = participant_client(app, codes[0], "127.0.0.3")
    person = ws.store.person_by_code(ws.event_id, codes[0])
    rows = {r["person"]: r for r in trainer.get("/trainer/progress/pre").get_json()["rows"]}
    assert rows[person]["devices"] == 2
    dashboard = trainer.get("/trainer/?phase=pre").get_data(as_text=True)
    row = dashboard.split(f'data-person="{person}"', 1)[1].split("</tr>", 1)[0]
    assert re.search(
        r'<td data-field="devices"[^>]* class="num shared-code">2</td>', row
    )  # marked, to be seen
    page = trainer.get(f"/trainer/person/{person}").get_data(as_text=True)
    assert page.count('name="device"') == 2 and "127.0.0.3" in page
    second.get("/lobby")  # the second is the one seen last
    response = trainer.post(f"/trainer/person/{person}/end")
    assert response.status_code == 302
    assert "1" in trainer.follow(response).get_data(as_text=True)
    alive = {c.address: c.get("/lobby").status_code for c in (first, second)}
    assert sorted(alive.values()) == [200, 302]
    rows = {r["person"]: r for r in trainer.get("/trainer/progress/pre").get_json()["rows"]}
    assert rows[person]["devices"] == 1


def test_the_trainer_logs_out_one_chosen_phone(opened):
    ws, app, trainer, codes = opened
    phone = participant_client(app, codes[1], "127.0.0.4")
    person = ws.store.person_by_code(ws.event_id, codes[1])
    (device,) = ws.store.live_sessions(ws.event_id, "participant", clock(), person_id=person)
    assert trainer.post(f"/trainer/person/{person}/end", {"device": device.token_hash}).status_code == 302
    assert phone.get("/lobby").status_code == 302
    assert trainer.post(f"/trainer/person/{person}/end", {"device": "<script>"}).status_code == 400
    assert trainer.get("/trainer/person/P999").status_code == 404


def test_a_new_access_code_ends_the_old_one_and_its_phones(opened):
    ws, app, trainer, codes = opened
    phone = participant_client(app, codes[0])
    person = ws.store.person_by_code(ws.event_id, codes[0])
    response = trainer.post(f"/trainer/person/{person}/code")
    page = trainer.follow(response).get_data(as_text=True)
    new = next(p.access_code for p in ws.store.participants(ws.event_id) if p.person_id == person)
    assert new != codes[0] and new in page
    assert phone.get("/lobby").status_code == 302
    stranger = Client(app, "127.0.0.5")
    stranger.get("/join")
    assert stranger.post("/join", {"code": codes[0]}).status_code == 400
    participant_client(app, new, "127.0.0.6")
    card = trainer.get(f"/trainer/person/{person}/card")
    assert (
        card.status_code == 200
        and new in card.get_data(as_text=True)
        and "<svg" in card.get_data(as_text=True)
    )
    assert any(e.action == "participant.new_code" for e in ws.store.audit_log(ws.event_id))


def test_a_session_unseen_for_four_days_has_ended(marker_template, tmp_path):
    ws = open_workspace(copy_workspace(marker_template, tmp_path / "ws"))
    moment = [clock()]
    app = make_app(ws, NOW=lambda: moment[0])
    phone = participant_client(app, ws.store.participants(ws.event_id)[0].access_code)
    moment[0] += dt.timedelta(days=3, hours=23)
    assert phone.get("/lobby").status_code == 200  # seen: the four days start again
    moment[0] += dt.timedelta(days=3, hours=23)
    assert phone.get("/lobby").status_code == 200
    moment[0] += dt.timedelta(days=4, minutes=1)
    assert phone.get("/lobby").status_code == 302
    ws.close()


def test_the_cookie_is_renewed_with_its_row_once_a_minute_and_not_with_every_response(
    marker_template, tmp_path
):
    """The cookie and the store's row live as long as each other: both are renewed when the session is
    noted as seen (at most once a minute), not with every page, poll and save (re-signing the cookie
    was a tenth of a page's CPU and a fifth of a poll's)."""
    ws = open_workspace(copy_workspace(marker_template, tmp_path / "ws"))
    moment = [clock()]
    app = make_app(ws, NOW=lambda: moment[0])
    phone = participant_client(app, ws.store.participants(ws.event_id)[0].access_code)

    def renewed(path: str) -> bool:
        response = phone.get(path)
        assert response.status_code == 200
        return any(c.startswith("assess_session=") for c in response.headers.getlist("Set-Cookie"))

    def last_seen():
        return ws.store.live_sessions(ws.event_id, "participant", moment[0])[0].last_seen

    joined_at = last_seen()
    moment[0] += dt.timedelta(seconds=50)
    assert not renewed("/lobby") and not renewed("/lobby/state") and last_seen() == joined_at
    moment[0] += dt.timedelta(seconds=15)  # a minute and more since the row was written
    assert renewed("/lobby/state") and last_seen() == moment[0]
    assert not renewed("/lobby")  # the minute starts again
    ws.close()


def test_a_backup_carries_no_session(opened, tmp_path):
    ws, app, trainer, codes = opened
    participant_client(app, codes[0])
    backup = tmp_path / "cadangan.zip"
    cli_run("-w", str(ws.folder), "db", "backup", str(backup))
    (session,) = ws.store.live_sessions(ws.event_id, "participant", clock())
    with zipfile.ZipFile(backup) as z:
        assert not [n for n in z.namelist() if "session" in n]
        assert not any(session.token_hash.encode() in z.read(n) for n in z.namelist())
