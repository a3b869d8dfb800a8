"""One phone must not stop the server (issue 14, points 2 and 10): every field a request carries is
bounded before it is read, numbers are read in linear time, and no number reaches a column that cannot
hold it. Through the real app and the real store."""

from __future__ import annotations

import time
import urllib.parse
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from assess.delivery.screen import sitting
from assess.delivery.screen.question_page import NUMBER_CHARACTERS
from assess.event import Web
from assess.forms import shown
from assess.responses import NotAFieldNumber, ResponseError, field_number, parse_number
from assess.store.attempts import MAX_SEQ
from assess.store.store import StoreError
from assess.workspace import Workspace
from assess.workspace import now as clock
from tests.web_support import (
    Client,
    cli_run,
    copy_workspace,
    make_app,
    open_workspace,
    participant_client,
    trainer_client,
)

SLOW = "a" * 20_000 + "1"  # held the server for 13.7 s when parse_number backtracked


@pytest.fixture
def opened(marker_template, tmp_path):
    """The marker workspace, its pre-test open; the trainer and one participant with an attempt, in English."""
    ws = open_workspace(copy_workspace(marker_template, tmp_path / "ws"))
    yield ws, *_class_of(ws)
    ws.close()


def _class_of(ws: Workspace):
    app = make_app(ws)
    trainer = trainer_client(app)
    assert trainer.post("/trainer/phase/pre/open").status_code == 302
    codes = [p.access_code for p in ws.store.participants(ws.event_id)]
    c = participant_client(app, codes[0])
    c.get("/bahasa/en")
    trainer.get("/bahasa/en")
    assert c.post("/test/pre/start").status_code == 302
    s = sitting.sitting(ws, ws.store.person_by_code(ws.event_id, codes[0]), "pre")
    numbers = {item.type: n for n, item in enumerate(s.items, 1)}
    return app, trainer, c, s, numbers


def _timed(call, *args, **kw):
    start = time.perf_counter()
    response = call(*args, **kw)
    return response, time.perf_counter() - start


# -- point 2: linear parsing, one bounded reader of whole numbers ----------------------------------


def test_a_number_is_read_in_linear_time_whatever_is_typed():
    for text, value in (
        (SLOW, None),
        ("1" + "a" * 200_000, 1.0),
        ("1." * 100_000, None),
        ("Rp" * 100_000, None),
    ):
        start = time.perf_counter()
        try:
            read = parse_number(text, "m")
        except ResponseError:
            read = None
        assert read == value and time.perf_counter() - start < 0.5, text[:20]
    assert parse_number("Rp 2.500,-") == 2500 and parse_number("-2,5 m") == -2.5  # still read as before
    assert parse_number("٣ ton") == 3.0  # any decimal digit, as before: the unit after it is dropped


@pytest.mark.parametrize("text", ["0", "7", "007", "999999999"])
def test_a_field_number_is_ascii_digits(text):
    assert field_number(text) == int(text)


@pytest.mark.parametrize(
    "text", ["", "²", "١٢", "+1", "-1", " 1", "1 ", "1e3", "1.0", "0x1", "1_000", "9" * 10, "9" * 5000]
)
def test_anything_else_is_no_field_number_before_int_sees_it(text):
    with pytest.raises(NotAFieldNumber):
        field_number(text)


def test_a_field_number_is_checked_against_its_range():
    assert field_number("3", 1, 3) == 3
    for text, low, high in (("0", 1, 3), ("4", 1, 3)):
        with pytest.raises(NotAFieldNumber):
            field_number(text, low, high)


# -- point 2: every text a participant sends has a limit, checked before it is parsed -------------


def test_a_number_over_64_characters_is_refused_at_once_and_never_parsed(opened):
    ws, app, trainer, c, s, numbers = opened
    n = numbers["numeric"]
    url = f"/test/pre/{n}/save"
    assert c.post(url, {"answer": "2,5", "seq": "1"}).get_json()["ok"]
    response, seconds = _timed(c.post, url, {"answer": SLOW, "seq": "2"})
    assert response.status_code == 422 and seconds < 1.0
    assert response.get_json()["error"] == (
        "This answer is too long: 20,001 characters, and at most 64 fit here. Shorten it."
    )
    longest = " " * (NUMBER_CHARACTERS - 3) + "2,5"  # white space counts: the limit comes first
    assert c.post(url, {"answer": longest, "seq": "3"}).get_json()["ok"]
    assert c.post(url, {"answer": longest + " ", "seq": "4"}).status_code == 422
    assert ws.store.answers(s.attempt.id)[s.item(n).id] == "2,5"  # the refused saves changed nothing


def test_short_answers_and_essays_take_their_default_limits(opened):
    ws, app, trainer, c, s, numbers = opened
    for kind, limit in (("short_answer", 2_000), ("essay", 20_000)):
        url = f"/test/pre/{numbers[kind]}/save"
        assert c.post(url, {"answer": "x" * limit}).get_json()["ok"]
        refused = c.post(url, {"answer": "y" * (limit + 1)})
        assert refused.status_code == 422 and f"at most {limit:,} fit here" in refused.get_json()["error"]
        assert ws.store.answers(s.attempt.id)[s.item(numbers[kind]).id] == "x" * limit
    # A text area sends each line break as two characters; it counts as one, as the phone showed it.
    lines = "\r\n".join(["baris"] * 3334)  # 16,670 + 3,333 = 20,003 characters typed as 20,003
    assert len(lines.replace("\r\n", "\n")) == 20_003
    assert c.post(f"/test/pre/{numbers['essay']}/save", {"answer": lines}).status_code == 422
    assert c.post(f"/test/pre/{numbers['essay']}/save", {"answer": lines[:-7]}).get_json()["ok"]


def test_a_page_posted_without_javascript_over_the_limit_shows_the_message_and_keeps_the_text(opened):
    ws, app, trainer, c, s, numbers = opened
    n = numbers["short_answer"]
    response = c.post(f"/test/pre/{n}", {"answer": "kata " * 401, "go": "next"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This answer is too long: 2,005 characters, and at most 2,000 fit here." in page
    assert "kata " * 401 in page  # put back into the field: nothing typed is lost
    assert s.item(n).id not in ws.store.answers(s.attempt.id)


def test_the_limits_of_text_answers_are_set_in_assessment_yaml(marker_template, tmp_path):
    folder = copy_workspace(marker_template, tmp_path / "ws")
    path = folder / "assessment.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "web:\n", "web:\n  answer_limits: {short_answer: 10, essay: 30}\n"
    )
    path.write_text(text, encoding="utf-8")
    ws = open_workspace(folder)
    app, trainer, c, s, numbers = _class_of(ws)
    assert ws.loaded.event.web.answer_limits.essay == 30
    short, essay = f"/test/pre/{numbers['short_answer']}/save", f"/test/pre/{numbers['essay']}/save"
    assert c.post(short, {"answer": "0123456789"}).get_json()["ok"]
    assert c.post(short, {"answer": "0123456789!"}).status_code == 422
    assert c.post(essay, {"answer": "e" * 30}).get_json()["ok"]
    assert "at most 30 fit here" in c.post(essay, {"answer": "e" * 31}).get_json()["error"]
    ws.close()


@pytest.mark.parametrize("limits", [{"essay": 0}, {"short_answer": 100_001}, {"essay": "many"}])
def test_answer_limits_are_whole_numbers_from_1_to_100000(limits):
    assert (
        Web.model_validate({"answer_limits": {"essay": 100_000, "short_answer": 1}}).answer_limits.essay
        == 100_000
    )
    assert Web().answer_limits.short_answer == 2_000 and Web().answer_limits.essay == 20_000
    with pytest.raises(ValidationError):
        Web.model_validate({"answer_limits": limits})


def test_choice_ordering_and_matching_fields_take_positions_and_nothing_else(opened):
    ws, app, trainer, c, s, numbers = opened
    bad = ["²", "9" * 5000, "-1", "1.0", "99"]
    for kind, field in (
        ("single_choice", "answer"),
        ("weighted_options", "answer"),
        ("multiple_response", "answer"),
        ("matching", "m0"),
        ("ordering", "r0"),
    ):
        for text in bad:
            response = c.post(f"/test/pre/{numbers[kind]}/save", {field: text, "seq": "1"})
            assert response.status_code == 422, (kind, text[:10])
            assert response.get_json()["error"], (kind, text[:10])
    # A multiple response never carries more choices than the question has options.
    options = len(s.item(numbers["multiple_response"]).options)
    many = c.post(f"/test/pre/{numbers['multiple_response']}/save", {"answer": ["0"] * (options + 1)})
    assert many.status_code == 422
    assert c.post(f"/test/pre/{numbers['multiple_response']}/save", {"answer": ["0", "1"]}).get_json()["ok"]
    assert ws.store.answers(s.attempt.id) == {
        s.item(numbers["multiple_response"]).id: sorted(
            [shown(s.order, s.item(numbers["multiple_response"]))[k] for k in (0, 1)]
        )
    }


# -- point 2: every whole number a request carries ---------------------------------------------------

BAD_NUMBERS = ["²", "١", "9" * 5000, "9" * 10, "0x10", "-1", "+1", "1e3", ""]


def test_sequence_numbers_that_are_no_numbers_are_refused_with_a_message(opened):
    ws, app, trainer, c, s, numbers = opened
    url = f"/test/pre/{numbers['short_answer']}/save"
    for text in [*BAD_NUMBERS[:-1], "0"]:
        response = c.post(url, {"answer": "jawaban", "seq": text})
        assert response.status_code == 422, text[:10]
        assert response.get_json() == {
            "ok": False,
            "error": "Something in it is not what this page sends. Go back, reload the page and try again.",
        }
    page = c.post(f"/test/pre/{numbers['short_answer']}", {"answer": "jawaban", "seq": "²", "go": "next"})
    assert page.status_code == 400 and "This request cannot be read" in page.get_data(as_text=True)
    assert ws.store.answers(s.attempt.id) == {}  # nothing half done


def test_the_go_field_is_a_move_or_a_question_of_the_test(opened):
    ws, app, trainer, c, s, numbers = opened
    for text in [*BAD_NUMBERS, "0", str(s.total + 1), "elsewhere"]:
        response = c.post("/test/pre/1", {"go": text})
        assert response.status_code == 400, text[:10]
        assert "This request cannot be read" in response.get_data(as_text=True)
    assert c.post("/test/pre/1", {"go": str(s.total)}).location.endswith(f"/test/pre/{s.total}")
    assert c.post("/test/pre/1", {}).location.endswith("/test/pre/2")  # no button named: the next one


def test_the_trainers_attempt_and_minutes_fields_are_bounded(opened):
    ws, app, trainer, c, s, numbers = opened
    for text in BAD_NUMBERS:
        response = trainer.post("/trainer/extend", {"attempt": text, "minutes": "5", "phase": "pre"})
        assert response.status_code == 400, text[:10]
        assert "This request cannot be read" in response.get_data(as_text=True)
    assert trainer.post("/trainer/extend", {"attempt": "999999999", "minutes": "5"}).status_code == 404
    for text in [*BAD_NUMBERS[:-1], "0", "241", "abc"]:
        for route in ("extend", "reopen"):
            response = trainer.post(
                f"/trainer/{route}", {"attempt": str(s.attempt.id), "minutes": text, "reason": "ponsel mati"}
            )
            page = response.get_data(as_text=True)
            assert response.status_code == 400, (route, text[:10])
            assert "Give the minutes as a whole number from 1 to 240." in page
            assert 'href="/trainer/"' in page  # back to the dashboard, not to the participants' join page
    deadline = ws.store.attempt(s.attempt.id).deadline
    assert (
        trainer.post("/trainer/extend", {"attempt": str(s.attempt.id), "minutes": "240"}).status_code == 302
    )
    assert (ws.store.attempt(s.attempt.id).deadline - deadline).total_seconds() == 240 * 60
    # The phase a form posts only chooses where to go back: one the event does not have is left out.
    response = trainer.post("/trainer/extend", {"attempt": str(s.attempt.id), "phase": "x" * 10_000})
    assert response.location.endswith("/trainer/") and "x" not in response.location


# -- point 10: numbers fit their columns, on both backends -------------------------------------------


@pytest.fixture
def on_backend(marker_template, tmp_path, database_url):
    """The marker workspace with its participants in the database of `database_url` (SQLite, PostgreSQL)."""
    folder = copy_workspace(marker_template, tmp_path / "ws")
    cli_run("-w", str(folder), "--db", database_url, "participants", "import", str(folder / "peserta.csv"))
    ws = Workspace(folder, database_url)
    yield ws
    ws.close()


def test_a_huge_sequence_number_is_refused_and_the_attempt_keeps_working(on_backend):
    ws = on_backend
    app, trainer, c, s, numbers = _class_of(ws)
    url = f"/test/pre/{numbers['short_answer']}/save"
    assert c.post(url, {"answer": "satu", "seq": "2147483646"}).status_code == 422  # the column's top
    assert ws.store.attempt(s.attempt.id).next_seq == 1
    with pytest.raises(StoreError) as refused:  # the store checks it too, before the database sees it
        sitting.save(ws, s, numbers["short_answer"], "satu", 2_147_483_646, clock())
    assert refused.value.code == "STORE-SEQ-RANGE"
    # Afterwards the attempt carries on: autosaves with the number the page hands out, posted pages, even
    # after a client jumps to the largest number taken (the server's own numbers still fit the column).
    assert c.post(url, {"answer": "dua", "seq": "1"}).get_json() == {
        "ok": True,
        "seq": 1,
        "next_seq": 2,
        "answered": True,
    }
    assert c.post(url, {"answer": "tiga", "seq": str(MAX_SEQ)}).get_json()["next_seq"] == MAX_SEQ + 1
    essay = numbers["essay"]
    assert c.post(f"/test/pre/{essay}", {"answer": "empat", "go": "stay"}).status_code == 302
    assert c.post(f"/test/pre/{essay}", {"answer": "lima", "go": "next"}).status_code == 302
    assert ws.store.attempt(s.attempt.id).next_seq == MAX_SEQ + 3
    answers = ws.store.answers(s.attempt.id)
    assert answers[s.item(numbers["short_answer"]).id] == "tiga" and answers[s.item(essay).id] == "lima"
    assert c.post("/test/pre/submit").status_code == 302
    assert ws.store.attempt(s.attempt.id).status == "submitted"


# -- point 2: arbitrary text to every POST route --------------------------------------------------------

HOSTILE_TEXT = [
    "²",
    "١٢",
    "9" * 5000,
    "9" * 10,
    SLOW,
    "1" * 64,
    "x" * 2_001,
    "y" * 20_001,
    "1." * 40,
    "Rp 2.500,-",
    "\x00",
    "-1",
    "0",
]
FIELD_TEXT = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A[0-9]{1,11}\Z"),
    st.sampled_from(HOSTILE_TEXT),
    st.builds(lambda c, n: c * n, st.sampled_from(list("a1.,-% \n")), st.integers(60, 25_000)),
)
# Where a route's fields take something in particular, give it often enough for a post to get through.
USUAL = {
    "answer": st.sampled_from(["0", "1", "2", "true", "2,5", "1.500", "jawaban saya", ""]),
    "seq": st.integers(1, 1000).map(str),
    "go": st.sampled_from(["next", "prev", "review", "stay", "1", "3"]),
    "minutes": st.sampled_from(["5", "240", ""]),
}
ANSWER_FIELDS = ["answer", "m0", "m1", "m2", "r0", "r1", "r2", "r3"]
ROUTES = {
    # name: (client, path with {phase} or {n}, fields)
    "join": ("stranger", "/join", ["code"]),
    "leave": ("leaver", "/leave", []),
    "start": ("other", "/test/{phase}/start", []),
    "page": ("answering", "/test/pre/{n}", [*ANSWER_FIELDS, "seq", "go"]),
    "save": ("answering", "/test/pre/{n}/save", [*ANSWER_FIELDS, "seq"]),
    "batch": ("answering", "/test/pre/batch", ["attempt", "answers"]),  # JSON; form fields are refused
    "submit": ("other", "/test/{phase}/submit", []),
    "login": ("stranger", "/trainer/login", ["password"]),
    "logout": ("second_trainer", "/trainer/logout", []),
    "open": ("trainer", "/trainer/phase/{phase}/open", []),
    "close": ("trainer", "/trainer/phase/{phase}/close", []),
    "extend": ("trainer", "/trainer/extend", ["attempt", "minutes", "phase"]),
    "reopen": ("trainer", "/trainer/reopen", ["attempt", "minutes", "phase", "reason"]),
    "score": ("trainer", "/trainer/score", []),
    "adjust": (
        "trainer",
        "/trainer/phase/{phase}/adjust",
        ["item", "kind", "answers", "points", "undo", "reason"],
    ),
    "essays": (
        "trainer",
        "/trainer/phase/{phase}/essays",
        ["attempt", "item", "level", "comment", "at", "names"],
    ),
    "scan_review": ("trainer", "/trainer/phase/{phase}/scan", ["sheet", "question", "answer", "at"]),
    "end_devices": ("trainer", "/trainer/person/{person}/end", ["device"]),
    "new_code": ("trainer", "/trainer/person/{person}/code", []),
}


def _value(field: str):
    return st.one_of(USUAL[field], FIELD_TEXT) if field in USUAL else FIELD_TEXT


@st.composite
def posts(draw, total: int, attempts: list[str], people: list[str]):
    """A route and a form of arbitrary text for it: (route name, path, fields)."""
    name = draw(st.sampled_from([*sorted(ROUTES), *["save", "page"] * 3]))  # the answers most often
    client, path, names = ROUTES[name]
    fields = {}
    for field in names:
        if draw(st.booleans()):
            fields[field] = draw(
                st.sampled_from(attempts) if field == "attempt" and draw(st.booleans()) else _value(field)
            )
    if name == "save" and draw(st.integers(0, 3)) == 0:
        fields["answer"] = draw(st.lists(_value("answer"), max_size=8))  # checkboxes: a repeated field
    extra = draw(st.dictionaries(st.text(min_size=1, max_size=8), FIELD_TEXT, max_size=2))
    # Never the pre-test's own phase for opening and closing: its attempt must stay open to take answers.
    phase = draw(
        st.sampled_from(["post", "pre"] if name in ("start", "submit") else ["post"])
        | st.text(min_size=1, max_size=20)
    )
    number = draw(st.integers(1, total) | st.integers(0, total + 2))
    person = draw(st.sampled_from(people) | st.text(min_size=1, max_size=20))
    path = path.format(
        phase=urllib.parse.quote(phase, safe=""), n=number, person=urllib.parse.quote(person, safe="")
    )
    return name, client, path, {**extra, **fields}


@pytest.fixture
def everyone(opened):
    """Clients for every route: the trainer, a second trainer to log out, a participant answering, another
    starting and submitting, a stranger joining and logging in, one leaving."""
    ws, app, trainer, answering, s, numbers = opened
    codes = [p.access_code for p in ws.store.participants(ws.event_id)]
    clients = {
        "trainer": trainer,
        "second_trainer": trainer_client(app),
        "answering": answering,
        "other": participant_client(app, codes[1], "127.0.0.3"),
        "stranger": Client(app, "127.0.0.4"),
        "leaver": Client(app, "127.0.0.5"),
    }
    clients["stranger"].get("/join")
    attempts = [str(s.attempt.id), str(s.attempt.id + 1)]
    # The trainer may give a new code to, or log out the phones of, anyone but the one answering.
    people = [p.person_id for p in ws.store.participants(ws.event_id) if p.access_code != codes[0]]
    return app, s, clients, attempts, people


def test_arbitrary_text_to_every_post_route_is_answered_in_time_and_never_with_a_server_error(everyone):
    app, s, clients, attempts, people = everyone
    # ROUTES holds every route that takes a post, in both blueprints (a route added later is added there).
    urls = app.url_map.bind("localhost")
    posted = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert {
        urls.match(path.format(phase="pre", n=1, person="P001"), "POST")[0]
        for _who, path, _f in ROUTES.values()
    } == posted
    statuses: Counter = Counter()  # (route, status) -> posts
    accepted: Counter = Counter()  # route -> posts whose answer fields were taken

    def send(name: str, who: str, path: str, fields: dict) -> None:
        client = clients[who]
        if who == "leaver":
            client.get("/join")  # leaving clears the session and its token: a fresh one each time
        response, seconds = _timed(client.post, path, fields)
        what = (name, path[:60], {k: str(v)[:40] for k, v in fields.items()})
        assert response.status_code < 500, what
        assert seconds < 2.0, (seconds, *what)
        statuses[name, response.status_code] += 1
        answered = any(fields.get(f) for f in ANSWER_FIELDS)
        if answered and (name, response.status_code) in (("save", 200), ("page", 302)):
            accepted[name] += 1

    # Every route at least once, every field with one of the worst texts...
    for k, name in enumerate(sorted(ROUTES)):
        who, path, names = ROUTES[name]
        fields = {f: HOSTILE_TEXT[(k + j) % len(HOSTILE_TEXT)] for j, f in enumerate(names)}
        send(name, who, path.format(phase="post", n=1 + k % s.total, person=people[0]), fields)
    assert {name for name, _status in statuses} == set(ROUTES)

    # ...then arbitrary text, the answers' routes most often.
    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        # The same 200 posts every run: random ones took a page's answer in most runs but not in all
        # (one CI run in six had none), and a test that fails by chance proves nothing.
        derandomize=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(post=posts(s.total, attempts, people))
    def post_anything(post):
        send(*post)

    post_anything()
    # Posts got past the validators to the parsers and the store: text was taken as answers.
    assert accepted["save"] >= 3 and accepted["page"] >= 1, (accepted, statuses)
