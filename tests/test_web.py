"""The web app through Flask's test client: joining, every item type, autosave, deadlines, the dashboard."""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict

import pytest

from assess.delivery.screen import question_page, sitting
from assess.forms import shown
from assess.responses import normalise
from assess.scoring import score_attempt
from assess.store.store import EXPIRED, SUBMITTED, SUPERSEDED
from assess.workspace import now as clock
from assess.workspace.steps import build_phase_form
from tests.web_support import (
    PASSWORD,
    Client,
    answer_form,
    copy_workspace,
    example_workspace,
    make_app,
    open_workspace,
    participant_client,
    trainer_client,
)


@pytest.fixture(scope="module")
def example_template(tmp_path_factory):
    return example_workspace(tmp_path_factory.mktemp("template") / "ws")


class Clock:
    """The app's clock, moved by the test."""

    def __init__(self):
        self.now = clock()

    def __call__(self):
        return self.now

    def advance(self, **kw):
        self.now += dt.timedelta(**kw)


@pytest.fixture
def setup(marker_template, tmp_path):
    """The marker workspace with its pre-test open, an app on a test clock, and the participants' codes."""
    ws = open_workspace(copy_workspace(marker_template, tmp_path / "ws"))
    time = Clock()
    app = make_app(ws, NOW=time)
    trainer = trainer_client(app)
    assert trainer.post("/trainer/phase/pre/open").status_code == 302
    codes = [p.access_code for p in ws.store.participants(ws.event_id)]
    yield ws, app, trainer, codes, time
    ws.close()


def start(app, code, address="127.0.0.2") -> Client:
    c = participant_client(app, code, address)
    response = c.post("/test/pre/start")
    assert response.location.endswith("/test/pre/1")
    return c


def item_at(ws, person_id, number):
    s = sitting.sitting(ws, person_id, "pre")
    return s, s.item(number)


# -- joining ------------------------------------------------------------------------


def test_join_takes_the_code_in_any_case_and_spacing_and_the_qr_link_fills_it(setup):
    ws, app, _, codes, _ = setup
    c = Client(app)
    page = c.get(f"/join?code={codes[0]}").get_data(as_text=True)
    assert f'value="{codes[0]}"' in page
    typed = codes[0].lower().replace("-", " ")
    response = c.post("/join", {"code": typed})
    assert response.status_code == 302 and response.location.endswith("/lobby")
    assert "Budi" not in c.follow(response).get_data(as_text=True)  # the first participant is Ani


def test_a_wrong_code_is_refused_with_a_message(setup):
    _, app, _, _, _ = setup
    c = Client(app)
    c.get("/join")
    response = c.post("/join", {"code": "AAAAA-BBBBB"})
    assert response.status_code == 400
    assert "Kode akses itu tidak dikenal" in response.get_data(as_text=True)
    assert c.get("/lobby").status_code == 302  # still not joined


def test_the_lobby_waits_until_the_phase_opens(setup):
    ws, app, trainer, codes, _ = setup
    c = participant_client(app, codes[1])
    assert trainer.post("/trainer/phase/pre/close").status_code == 302
    page = c.get("/lobby").get_data(as_text=True)
    assert "Tunggu di sini sampai pelatih membuka tes" in page
    assert c.post("/test/post/start").location.endswith("/lobby")  # not open: back to the lobby
    before = json.loads(c.get("/lobby/state").get_data())
    trainer.post("/trainer/phase/post/open")
    after = json.loads(c.get("/lobby/state").get_data())
    assert before != after  # the lobby's polling sees the change and reloads
    assert c.post("/test/post/start").location.endswith("/test/post/1")


# -- every item type, without JavaScript ------------------------------------------------


def test_every_item_type_posted_without_javascript_is_stored_and_shown_again(setup):
    ws, app, _, codes, _ = setup
    c = start(app, codes[1])
    person = ws.store.person_by_code(ws.event_id, codes[1])
    s = sitting.sitting(ws, person, "pre")
    layouts = set()
    for number in range(1, s.total + 1):
        q = question_page.question(s, number, None)
        layouts.add(q["layout"])
        response = c.post(f"/test/pre/{number}", {**answer_form(q), "go": "next"})
        assert response.status_code == 302, response.get_data(as_text=True)
    assert layouts == {"radio", "checkbox", "matching", "ordering", "text"}
    stored = ws.store.answers(s.attempt.id)
    assert len(stored) == s.total
    for number, item in enumerate(s.items, 1):
        value = stored[item.id]
        assert normalise(item, value) is not None, (item.type, value)  # a real answer of the item's type
        q = question_page.question(s, number, value)  # shown again as given
        page = c.get(f"/test/pre/{number}").get_data(as_text=True)
        if q["layout"] in ("radio", "checkbox"):
            assert page.count(" checked") == sum(o["checked"] for o in q["options"]) >= 1
        if q["layout"] == "ordering":
            # Listed again in the participant's arrangement (the reverse of the order first shown),
            # each step with its own field.
            n = len(q["options"])
            assert [o["rank"] for o in q["options"]] == [str(k + 1) for k in range(n)]
            assert [o["field"] for o in q["options"]] == [f"r{n - 1 - k}" for k in range(n)]
            assert item.type == "ordering" and value == list(reversed(shown(s.order, item)))
        if q["layout"] == "text":
            assert ("2,5" if q["numeric"] else "jawaban &lt;b&gt;saya&lt;/b&gt;") in page
    # The server numbered the posts itself, one after the other.
    history = ws.store.history(s.attempt.id)
    assert [h.seq for h in history] == list(range(1, s.total + 1))


def test_an_incomplete_ordering_is_refused_with_a_message_and_not_stored(setup):
    ws, app, _, codes, _ = setup
    c = start(app, codes[1])
    person = ws.store.person_by_code(ws.event_id, codes[1])
    s = sitting.sitting(ws, person, "pre")
    number = next(n for n, i in enumerate(s.items, 1) if i.type == "ordering")
    response = c.post(f"/test/pre/{number}", {"r0": "1", "r1": "1", "go": "next"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Beri setiap langkah urutan yang berbeda" in page
    assert ws.store.answers(s.attempt.id) == {}
    # The places given are shown again, to be corrected rather than redone.
    assert page.count('<option value="1" selected>') == 2


def test_a_choice_outside_the_options_is_refused(setup):
    ws, app, _, codes, _ = setup
    c = start(app, codes[1])
    person = ws.store.person_by_code(ws.event_id, codes[1])
    s = sitting.sitting(ws, person, "pre")
    number = next(n for n, i in enumerate(s.items, 1) if i.type == "single_choice")
    assert c.post(f"/test/pre/{number}", {"answer": "99"}).status_code == 400
    assert c.post(f"/test/pre/{number}/save", {"answer": "x", "seq": "1"}).status_code == 422


# -- autosave and sequence numbers ----------------------------------------------------------


def test_autosave_orders_saves_by_sequence_number_and_a_reload_continues_the_sequence(setup):
    ws, app, _, codes, _ = setup
    c = start(app, codes[1])
    person = ws.store.person_by_code(ws.event_id, codes[1])
    s = sitting.sitting(ws, person, "pre")
    number = next(n for n, i in enumerate(s.items, 1) if i.type in ("single_choice", "weighted_options"))
    item = s.item(number)
    page = c.get(f"/test/pre/{number}").get_data(as_text=True)
    assert 'data-next-seq="1"' in page
    first = c.post(f"/test/pre/{number}/save", {"answer": "0", "seq": "5"}).get_json()
    assert first == {"ok": True, "seq": 5, "next_seq": 6, "answered": True}
    # A retry of the same save (a browser resending on a closed keep-alive socket) changes nothing...
    assert c.post(f"/test/pre/{number}/save", {"answer": "0", "seq": "5"}).get_json()["seq"] == 5
    # ...and an older save arriving late does not overwrite the newer answer.
    stale = c.post(f"/test/pre/{number}/save", {"answer": "1", "seq": "4"}).get_json()
    assert stale["seq"] == 5
    assert ws.store.answers(s.attempt.id)[item.id] == shown(s.order, item)[0]
    # A reload, or a second phone, gets the next number with the page.
    assert 'data-next-seq="6"' in c.get(f"/test/pre/{number}").get_data(as_text=True)
    second_phone = participant_client(app, codes[1], "127.0.0.3")
    assert 'data-next-seq="6"' in second_phone.get(f"/test/pre/{number}").get_data(as_text=True)
    assert len(ws.store.history(s.attempt.id)) == 1


def test_a_second_phone_continues_the_same_attempt_with_every_saved_answer(setup):
    ws, app, _, codes, _ = setup
    c = start(app, codes[1])
    person = ws.store.person_by_code(ws.event_id, codes[1])
    s = sitting.sitting(ws, person, "pre")
    q = question_page.question(s, 1, None)
    c.post("/test/pre/1", {**answer_form(q), "go": "next"})
    other = participant_client(app, codes[1], "127.0.0.4")
    response = other.post("/test/pre/start")
    assert response.location.endswith("/test/pre/1")
    assert sitting.sitting(ws, person, "pre").attempt.id == s.attempt.id
    nav = other.get("/test/pre/review").get_data(as_text=True)
    assert nav.count('class="answered"') == 1


# -- deadlines, review, submit, result ----------------------------------------------------------


def test_after_the_deadline_and_grace_saves_are_refused_and_the_attempt_has_expired(setup):
    ws, app, _, codes, time = setup
    c = start(app, codes[1])
    c.post("/test/pre/1/save", {"answer": "0", "seq": "1"})
    page = c.get("/test/pre/2").get_data(as_text=True)
    assert 'data-seconds="1800"' in page  # 30 minutes, from the server's deadline
    time.advance(minutes=30, seconds=20)  # within the 30 s grace: still taken
    assert c.post("/test/pre/2/save", {"answer": "0", "seq": "2"}).get_json()["ok"]
    time.advance(seconds=15)
    late = c.post("/test/pre/3/save", {"answer": "0", "seq": "3"})
    assert late.status_code == 409 and late.get_json()["closed"]
    person = ws.store.person_by_code(ws.event_id, codes[1])
    attempt = ws.store.current_attempt(ws.event_id, person, "pre")
    assert attempt.status == EXPIRED and len(ws.store.answers(attempt.id)) == 2
    assert c.get("/test/pre/3").location.endswith("/test/pre/result")
    assert "Waktu sudah habis" in c.get("/test/pre/result").get_data(as_text=True)


def test_review_lists_unanswered_then_submit_asks_to_confirm_and_the_result_follows_the_policy(setup):
    ws, app, _, codes, _ = setup
    c = start(app, codes[1])
    person = ws.store.person_by_code(ws.event_id, codes[1])
    s = sitting.sitting(ws, person, "pre")
    for number in (1, 2):
        c.post(f"/test/pre/{number}", {**answer_form(question_page.question(s, number, None)), "go": "next"})
    review = c.get("/test/pre/review").get_data(as_text=True)
    assert f"{s.total - 2} soal belum dijawab" in review
    confirm = c.get("/test/pre/submit").get_data(as_text=True)
    assert "Kumpulkan tes?" in confirm and "Ya, kumpulkan" in confirm
    assert ws.store.attempt(s.attempt.id).status == "in_progress"  # asking is not submitting
    done = c.post("/test/pre/submit")
    assert done.location.endswith("/test/pre/result")
    assert ws.store.attempt(s.attempt.id).status == SUBMITTED
    result = c.follow(done).get_data(as_text=True)
    answers = ws.store.answers(s.attempt.id)
    values = {i.id: normalise(i, answers.get(i.id)) for i in s.form.items}
    expected = score_attempt(list(s.form.items), s.form.policy, s.form.grading, values)
    # The default policy shows the score at once; the pre-test of two says where one starts, no band.
    from assess.i18n.numbers import Numbers

    assert Numbers("id").pct(expected.percentage) in result and expected.band.label not in result
    assert "Tes ini menunjukkan titik awal Anda" in result and "lulus (batas" not in result
    assert ("Sementara: esai masih menunggu" in result) == expected.provisional
    # A finished attempt takes nothing more, by page or by autosave.
    assert c.post("/test/pre/3", {"answer": "0"}).location.endswith("/test/pre/result")
    assert c.post("/test/pre/3/save", {"answer": "0", "seq": "9"}).status_code == 409


def test_a_policy_of_never_shows_no_score(setup, tmp_path):
    ws, app, _, codes, _ = setup
    text = (ws.folder / "assessment.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    grace_seconds: 30\n", "    grace_seconds: 30\n    review: {score: never, band: never}\n", 1
    )
    (ws.folder / "assessment.yaml").write_text(text, encoding="utf-8")
    ws2 = open_workspace(ws.folder)
    app2 = make_app(ws2)
    c = start(app2, codes[1])
    c.post("/test/pre/submit")
    result = c.get("/test/pre/result").get_data(as_text=True)
    assert "Hasil Anda akan ditampilkan setelah dirilis pelatih" in result
    assert "Skor" not in result and "Nilai" not in result.split("<main", 1)[1]


@pytest.mark.parametrize(
    ("verdict", "shown", "hidden"),
    [
        ("band", ["Predikat", "Kurang"], ["lulus (batas", "titik awal"]),
        ("pass_fail", ["Kurang", "belum lulus (batas lulus 70%)"], ["titik awal"]),
    ],
)
def test_a_phases_verdict_says_its_band_or_pass_or_fail(setup, verdict, shown, hidden):
    ws, app, _, codes, _ = setup
    text = (ws.folder / "assessment.yaml").read_text(encoding="utf-8")
    text = text.replace("    grace_seconds: 30\n", f"    grace_seconds: 30\n    verdict: {verdict}\n", 1)
    (ws.folder / "assessment.yaml").write_text(text, encoding="utf-8")
    c = start(make_app(open_workspace(ws.folder)), codes[1])
    c.post("/test/pre/submit")  # nothing answered: 0%, Kurang, not passed
    result = c.get("/test/pre/result").get_data(as_text=True).split("<main", 1)[1]
    assert all(s in result for s in shown) and not any(h in result for h in hidden), result


# -- the trainer's dashboard ---------------------------------------------------------------------


def test_trainer_routes_need_the_trainer_session(setup):
    _, app, _, codes, _ = setup
    participant = participant_client(app, codes[0])
    stranger = Client(app)
    for c in (participant, stranger):
        for url in ("/trainer/", "/trainer/progress/pre", "/trainer/qr", "/trainer/reports/"):
            response = c.get(url)
            assert response.status_code in (302, 401) and "/trainer/login" in (
                response.location or response.get_data(as_text=True)
            ), url
        c.get("/join")
        for url in ("/trainer/phase/pre/close", "/trainer/extend", "/trainer/reopen", "/trainer/score"):
            assert c.post(url, {"attempt": "1", "reason": "x"}).location.endswith("/trainer/login"), url


def test_a_wrong_trainer_password_is_refused(setup):
    _, app, _, _, _ = setup
    c = Client(app)
    c.get("/trainer/login")
    response = c.post("/trainer/login", {"password": PASSWORD + "x"})
    assert response.status_code == 401 and "Kata sandi salah" in response.get_data(as_text=True)
    assert c.get("/trainer/").location.endswith("/trainer/login")


def test_progress_extend_and_reopen_from_the_dashboard(setup):
    ws, app, trainer, codes, time = setup
    c = start(app, codes[1])
    person = ws.store.person_by_code(ws.event_id, codes[1])
    first = question_page.question(sitting.sitting(ws, person, "pre"), 1, None)  # its type is the order's
    assert c.post("/test/pre/1/save", {**answer_form(first), "seq": "1"}).get_json()["answered"]
    rows = {r["person"]: r for r in trainer.get("/trainer/progress/pre").get_json()["rows"]}
    assert rows[person]["status"] == "in_progress" and rows[person]["answered"].startswith("1/")
    assert rows[person]["left"] == "30:00"
    assert rows[person]["unit"] == "Kelurahan Balai Nan Duo"  # the unit's name, not its code
    attempt = ws.store.current_attempt(ws.event_id, person, "pre")
    trainer.post("/trainer/extend", {"attempt": str(attempt.id), "minutes": "7", "phase": "pre"})
    assert ws.store.attempt(attempt.id).deadline == attempt.deadline + dt.timedelta(minutes=7)
    c.post("/test/pre/submit")
    # Reopening needs a reason, and supersedes the attempt with one that carries the answers.
    trainer.post("/trainer/reopen", {"attempt": str(attempt.id), "reason": "", "phase": "pre"})
    assert ws.store.attempt(attempt.id).status == SUBMITTED
    trainer.post(
        "/trainer/reopen", {"attempt": str(attempt.id), "reason": "HP mati", "minutes": "10", "phase": "pre"}
    )
    assert ws.store.attempt(attempt.id).status == SUPERSEDED
    new = ws.store.current_attempt(ws.event_id, person, "pre")
    assert new.supersedes == attempt.id and ws.store.answers(new.id) == ws.store.answers(attempt.id)
    log = [e for e in ws.store.audit_log(ws.event_id) if e.action in ("attempt.reopen", "attempt.extend")]
    assert [e.action for e in log] == ["attempt.extend", "attempt.reopen"]
    assert log[1].details["reason"] == "HP mati"
    assert c.get("/test/pre/1").status_code == 200  # the participant carries on


def test_an_attempt_of_another_event_in_the_same_database_cannot_be_touched(
    setup, example_template, tmp_path
):
    ws, app, trainer, codes, time = setup
    # The worked example's event, kept in the same database as the marker event.
    other = open_workspace(copy_workspace(example_template, tmp_path / "other"))
    other.database_url = ws.database_url
    from assess.delivery.screen.desk import open_phase
    from assess.workspace.participants import import_participants

    import_participants(other, other.folder / "peserta.csv")
    person = other.store.participants(other.event_id)[0].person_id
    open_phase(other, "pre", time.now)
    theirs = sitting.start(other, person, "pre", time.now)
    response = trainer.post("/trainer/extend", {"attempt": str(theirs.id), "minutes": "5", "phase": "pre"})
    assert response.status_code == 404
    response = trainer.post("/trainer/reopen", {"attempt": str(theirs.id), "reason": "x", "phase": "pre"})
    assert response.status_code == 404
    assert other.store.attempt(theirs.id).deadline == theirs.deadline
    other.close()


def test_closing_scores_and_the_trainer_writes_and_reads_the_reports(setup):
    ws, app, trainer, codes, _ = setup
    c = start(app, codes[1])
    c.post("/test/pre/submit")
    trainer.post("/trainer/phase/pre/close")
    assert len(ws.store.results(ws.event_id, "pre")) == 1
    assert trainer.post("/trainer/score").status_code == 302
    index = trainer.get("/trainer/reports/")
    assert (
        index.status_code == 200 and "style-src 'unsafe-inline'" in index.headers["Content-Security-Policy"]
    )
    assert "script-src" in index.headers["Content-Security-Policy"]
    assert c.get("/trainer/reports/").status_code == 302  # not for participants
    qr = trainer.get("/trainer/qr").get_data(as_text=True)
    assert "<svg" in qr and "/join" in qr


def test_the_trainer_password_is_stored_hashed_and_a_short_one_is_refused(marker_template, tmp_path, run):
    folder = copy_workspace(marker_template, tmp_path / "ws")
    stored = (folder / ".assess-trainer-password").read_text(encoding="ascii")
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))
    result = run("-w", str(folder), "trainer-password", env={"ASSESS_TRAINER_PASSWORD": "pendek"})
    assert result.exit_code == 2 and "WEB-PASSWORD-SHORT" in result.output
    assert (folder / ".assess-trainer-password").read_text(encoding="ascii") == stored
    from click.testing import CliRunner

    from assess.cli import cli

    prompted = CliRunner().invoke(
        cli,
        ["-w", str(folder), "trainer-password"],
        env={"ASSESS_TRAINER_PASSWORD": ""},
        input="baru-sekali\nbaru-sekali\n",
    )
    assert prompted.exit_code == 0
    assert "Kata sandi pelatih yang baru" in prompted.output and "Ulangi untuk konfirmasi" in prompted.output
    assert "baru-sekali" not in prompted.output  # the prompt hides what is typed
    from assess.delivery.screen.desk import password_matches

    assert password_matches(folder, "baru-sekali") and not password_matches(folder, PASSWORD)


def test_the_session_key_persists_so_a_restart_logs_nobody_out(setup):
    ws, app, _, codes, _ = setup
    c = participant_client(app, codes[1])
    restarted = make_app(open_workspace(ws.folder))
    c.http = _with_cookies(restarted, c)
    assert c.get("/lobby").status_code == 200


def _with_cookies(app, old: Client):
    client = app.test_client()
    cookie = old.http.get_cookie("assess_session")
    client.set_cookie("assess_session", cookie.value)
    return client


def test_serve_sizes_threads_and_connections_from_the_class():
    from assess.web.server import sizes

    assert sizes(52).threads == 4 and sizes(52).connection_limit >= 100
    assert sizes(500).connection_limit >= 1000 and 8 <= sizes(500).threads <= 16
    assert sizes(300).connection_limit >= 600


def test_serve_without_participants_exits_2_and_a_taken_port_exits_3(tmp_path, run):
    import socket

    run("init", "--example", "payakumbuh-2019", str(tmp_path / "empty"))
    result = run("-w", str(tmp_path / "empty"), "serve", "--port", "8999")
    assert result.exit_code == 2 and "WORKSPACE-NO-PARTICIPANTS" in result.output
    folder = example_workspace(tmp_path / "ws")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("-w", str(folder), "serve", "--host", "127.0.0.1", "--port", str(port))
    # Issue 15, point 8: said in the interface's language, with the option that helps
    assert result.exit_code == 3 and f"port {port} " in result.output, result.output
    assert f"assess serve --port {port + 1}" in result.output and "in use" not in result.output


def test_the_english_switch_keeps_the_language_for_the_pages_and_the_result(setup):
    ws, app, _, codes, _ = setup
    c = participant_client(app, codes[1])
    switched = c.get("/bahasa/en?next=/lobby")
    assert switched.location == "/lobby"
    assert "Hello, Budi" in c.get("/lobby").get_data(as_text=True)
    assert c.get("/bahasa/en?next=//evil.example/x").location == "/lobby"  # no redirect off the site
    c.post("/test/pre/start")
    assert "Question 1 of 9" in c.get("/test/pre/1").get_data(as_text=True)
    c.post("/test/pre/submit")
    result = c.get("/test/pre/result").get_data(as_text=True)
    assert "This test shows where you start" in result and "titik awal" not in result


def test_the_lobby_poll_parses_each_form_once_and_the_cache_of_forms_is_bounded(
    setup, example_template, tmp_path, monkeypatch
):
    ws, app, _trainer, codes, time = setup
    monkeypatch.setattr(sitting, "_forms", OrderedDict())  # this test's own cache, emptied
    build_phase_form(ws, "post", time())
    c = participant_client(app, codes[0])
    state = c.get("/lobby/state").get_json()["state"]
    assert state == [["pre", "open", None], ["post", "not_open", None]]
    pre, post = sitting.cached_form(ws, "pre"), sitting.cached_form(ws, "post")
    for _ in range(3):
        assert c.get("/lobby/state").get_json()["state"] == state
    # Parsed once: every poll and every caller get the same object, by the form's hash.
    assert sitting.cached_form(ws, "pre") is pre and sitting.cached_form(ws, "post") is post
    assert "9 soal" in c.get("/lobby").get_data(as_text=True)  # the count comes from the cache too
    # Bounded: the least recently used form goes first.
    monkeypatch.setattr(sitting, "FORMS_CACHED", 2)
    other = open_workspace(copy_workspace(example_template, tmp_path / "other"))
    build_phase_form(other, "pre", time())
    assert sitting.cached_form(ws, "post") is post  # post used last: pre is now the oldest
    other_pre = sitting.cached_form(other, "pre")
    assert len({pre.hash, post.hash, other_pre.hash}) == 3 and len(sitting._forms) == 2
    assert sitting.cached_form(ws, "post") is post and sitting.cached_form(other, "pre") is other_pre
    again = sitting.cached_form(ws, "pre")  # dropped, so read and parsed again
    assert again is not pre and again == pre
    other.close()


def test_closing_asks_first_naming_who_is_still_answering_and_the_own_report_leads_back_to_the_lobby(setup):
    """Issue 16, point 7: one tap does not close a test for everyone; a phone's report has a way back."""
    ws, app, trainer, codes, _ = setup
    start(app, codes[0])
    start(app, codes[1])
    dashboard = trainer.get("/trainer/?phase=pre").get_data(as_text=True)
    assert 'action="/trainer/phase/pre/close"' not in dashboard  # a link to the question, no form
    asked = trainer.get("/trainer/phase/pre/close").get_data(as_text=True)
    assert "2 peserta masih mengerjakan" in asked and 'action="/trainer/phase/pre/close"' in asked
    assert ws.store.phase_state(ws.event_id, "pre") == "open"  # asking closed nothing
    assert trainer.post("/trainer/phase/pre/close").status_code == 302
    assert ws.store.phase_state(ws.event_id, "pre") == "closed"
    own = participant_client(app, codes[0]).get("/report").get_data(as_text=True)
    assert 'href="/lobby"' in own and "../index.html" not in own
