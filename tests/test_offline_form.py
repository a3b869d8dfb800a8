"""The server's side of a test that goes on without the network (issue 22, point 1, first part): the whole
form of the participant's attempt in one payload (no keys, points, explanations, sources: the marker
walk), a block of sequence numbers of its own per page load, and the answers kept offline sent back in one
batch that counts as one save, stored as autosave stores them; whatever does not belong is refused."""

from __future__ import annotations

import json

from assess.delivery.screen import question_page, sitting
from assess.delivery.screen.question_page import SEQ_BLOCK
from tests.web_support import (
    MARKERS,
    answer_form,
    copy_workspace,
    make_app,
    open_workspace,
    participant_client,
    set_web,
    trainer_client,
)


def _started(marker_template, tmp_path, *web):
    folder = copy_workspace(marker_template, tmp_path / "ws")
    if web:
        set_web(folder, *web)
    ws = open_workspace(folder)
    app = make_app(ws)
    trainer = trainer_client(app)
    assert trainer.post("/trainer/phase/pre/open").status_code == 302
    people = ws.store.participants(ws.event_id)
    c = participant_client(app, people[0].access_code)
    c.post("/test/pre/start")
    return ws, app, c, people


def _batch(c, body, *, token: bool = True) -> tuple[int, dict]:
    """POST a batch as the page does (JSON, the CSRF token in a header); `body` a str is sent as it is."""
    response = c.http.post(
        "/test/pre/batch",
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": c.token, "Accept": "application/json"} if token else {},
        environ_base={"REMOTE_ADDR": c.address},
    )
    return response.status_code, response.get_json(silent=True) or {}


def test_the_whole_form_in_one_payload_without_what_the_participant_must_not_see(marker_template, tmp_path):
    ws, app, c, people = _started(marker_template, tmp_path)
    response = c.get("/test/pre/form.json")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for what, marker in MARKERS.items():
        assert marker not in text, what  # keys, explanations, sources, accepted answers, rubrics
    data = json.loads(text)
    s = sitting.sitting(ws, people[0].person_id, "pre")
    assert data["attempt"] == s.attempt.id and data["total"] == s.total
    assert [q["number"] for q in data["questions"]] == list(range(1, s.total + 1))
    assert "<script" not in text.lower()  # hostile stems arrive escaped, as on the page
    first, last = data["seq_block"]
    assert last - first + 1 == SEQ_BLOCK
    again = c.get("/test/pre/form.json").get_json()
    assert again["seq_block"][0] > last  # a second load (another phone, a reload): numbers of its own
    other = participant_client(app, people[1].access_code, "127.0.0.3")
    assert other.get("/test/pre/form.json").status_code == 404  # no attempt of theirs: nothing
    ws.close()


def test_a_batch_of_offline_answers_is_stored_once_in_order_and_counts_as_one_save(marker_template, tmp_path):
    ws, app, c, people = _started(marker_template, tmp_path, "save_limits: {per_second: 0.2, burst: 1}")
    data = c.get("/test/pre/form.json").get_json()
    s = sitting.sitting(ws, people[0].person_id, "pre")
    seq = data["seq_block"][0]
    answers = [
        {"number": q["number"], "seq": seq + k, "fields": answer_form(q)}
        for k, q in enumerate(data["questions"][:4])
    ]
    # The same question twice: the later number wins, whatever the order they arrive in.
    later = {**answers[0], "seq": seq + 10}
    status, body = _batch(c, {"attempt": data["attempt"], "answers": [later, *answers]})
    assert status == 200, body
    assert [r.get("refused") for r in body["results"]] == [None] * 5
    assert body["results"][1]["changed"] is False  # older than what the batch stored first
    stored = ws.store.answers(s.attempt.id)
    for q in data["questions"][:4]:
        expected = question_page.read_answer(s, q["number"], answer_form(q))
        assert stored[s.item(q["number"]).id] == expected
    # One save for the limit (a burst of 1): the batch took it, the next waits.
    status, body = _batch(c, {"attempt": data["attempt"], "answers": answers})
    assert status == 429 and body["retry_after"] >= 1
    ws.close()


def test_what_does_not_belong_in_a_batch_is_refused_and_stores_nothing(marker_template, tmp_path):
    ws, app, c, people = _started(marker_template, tmp_path, "save_limits: {per_second: 100, burst: 1000}")
    data = c.get("/test/pre/form.json").get_json()
    s = sitting.sitting(ws, people[0].person_id, "pre")
    q = data["questions"][0]
    good = {"number": 1, "seq": data["seq_block"][0], "fields": answer_form(q)}
    status, _body = _batch(c, {"attempt": data["attempt"] + 1, "answers": [good]})
    assert status == 409  # another attempt's queue (another participant's phone storage, an old attempt)
    assert ws.store.answers(s.attempt.id) == {}
    wrong = [
        {"number": 0, "seq": 5, "fields": {}},
        {"number": s.total + 1, "seq": 6, "fields": {}},
        {"number": 1, "seq": 0, "fields": answer_form(q)},
        {"number": 1, "seq": 10**12, "fields": answer_form(q)},
        {"number": "1", "seq": 7, "fields": answer_form(q)},
        {"number": 1, "seq": 8, "fields": {"answer": {"x": 1}}},
        "not an answer",
    ]
    short = next(n for n in range(1, s.total + 1) if s.item(n).type == "short_answer")
    untyped = "(jawaban singkat tertulis pada lembar kertas, belum diketik)"  # the paper placeholder
    wrong.append({"number": short, "seq": 9, "fields": {"answer": untyped}})
    status, body = _batch(c, {"attempt": data["attempt"], "answers": wrong})
    assert status == 200
    assert [r["refused"] for r in body["results"]] == [
        "no-such-question", "no-such-question", "sequence", "sequence", "no-such-question", "unreadable",
        "unreadable", "answer",
    ]  # fmt: skip
    assert ws.store.answers(s.attempt.id) == {}
    for junk in (
        "[]",
        "{",
        '{"attempt": 1}',
        json.dumps({"attempt": data["attempt"], "answers": [good] * 2001}),
    ):
        assert _batch(c, junk)[0] in (409, 422), junk[:20]
    assert _batch(c, {"attempt": data["attempt"], "answers": [good]}, token=False)[0] == 400  # CSRF
    assert c.post("/test/pre/submit").status_code in (302, 303)
    assert c.get("/test/pre/form.json").status_code == 409  # submitted: the test is over
    ws.close()


def test_the_health_check_says_whether_the_database_answers(marker_template, tmp_path):
    """For a watchdog or a load balancer in front of several workers (issue 22, point 3): 200 while the
    database answers, 503 when it does not; nothing of the event in either."""
    folder = copy_workspace(marker_template, tmp_path / "ws")
    ws = open_workspace(folder)
    app = make_app(ws)
    client = app.test_client()
    healthy = client.get("/health")
    assert healthy.status_code == 200 and healthy.get_json() == {"ok": True, "database": "ok"}
    ws.store.engine.dispose()
    (folder / "assess.db").write_bytes(b"not a database at all " * 100)  # the disk failed under it
    sick = client.get("/health")
    assert sick.status_code == 503 and sick.get_json() == {"ok": False, "database": "unreachable"}
    ws.close()
