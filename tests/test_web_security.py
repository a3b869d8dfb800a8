"""What a participant must never see, CSRF, cookies, the Content-Security-Policy, join limits, escaping."""

from __future__ import annotations

import html
import re

import pytest

from assess.bank.model import Matching, Ordering
from assess.delivery.screen import question_page, sitting
from assess.templating import markdown_inline
from tests.web_support import (
    HOSTILE,
    MARKERS,
    WEIGHTED_POINTS,
    Client,
    answer_form,
    copy_workspace,
    example_workspace,
    make_app,
    open_workspace,
    participant_client,
    trainer_client,
)


@pytest.fixture
def opened(marker_template, tmp_path):
    ws = open_workspace(copy_workspace(marker_template, tmp_path / "ws"))
    app = make_app(ws)
    trainer = trainer_client(app)
    trainer.post("/trainer/phase/pre/open")
    codes = [p.access_code for p in ws.store.participants(ws.event_id)]
    yield ws, app, trainer, codes
    ws.close()


def _leaks(body: str) -> list[str]:
    found = [name for name, marker in MARKERS.items() if marker in body]
    for points in WEIGHTED_POINTS:
        digits = f"{points:.4f}".split(".")[1]
        if digits in body:
            found.append(f"points {points}")
    if "<script>alert" in body or "onerror=alert(1)>" in body:
        found.append("unescaped hostile text")
    if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body) or re.search(r"<[a-z][^>]*\son[a-z]+\s*=", body):
        found.append("inline script")
    return found


def _shown_texts(page: str, css_class: str) -> list[str]:
    return re.findall(rf'<span class="{css_class}"[^>]*>(.*?)</span>', page, flags=re.S)


def test_nothing_secret_reaches_a_participant_on_any_page_or_json_before_the_policy_allows(opened):
    ws, app, trainer, codes = opened
    c = Client(app, "127.0.0.2")
    c.get("/")
    c.get(f"/join?code={codes[0]}")
    c.post("/join", {"code": codes[0]})
    c.get("/lobby")
    c.get("/lobby/state")
    c.post("/test/pre/start")
    person = ws.store.person_by_code(ws.event_id, codes[0])
    s = sitting.sitting(ws, person, "pre")
    for number in range(1, s.total + 1):
        page = c.get(f"/test/pre/{number}").get_data(as_text=True)
        item = s.item(number)
        ids_in_values = set(re.findall(r'value="([^"]*)"', page))
        option_ids = {o.id for o in getattr(item, "options", [])} | {
            x.id for x in getattr(item, "choices", []) + getattr(item, "prompts", [])
        }
        # Options travel by shown position, never by id (an ordering item's ids can follow its key).
        assert not (option_ids - {"0", "1", "2", "3", "4", "5"}) & ids_in_values, item.id
        if isinstance(item, Ordering):
            key_texts = [
                str(markdown_inline(next(o.text for o in item.options if o.id == k))) for k in item.key
            ]
            assert _shown_texts(page, "step-text") != key_texts, "ordering shown in its correct order"
            assert "selected>" not in page.replace('<option value="" selected>', "")  # no place given yet
        if isinstance(item, Matching):
            choices = re.findall(r'<option value="\d+">(.*?)</option>', page.split("</select>")[0])
            lined_up = [
                html.escape(next(ch.text for ch in item.choices if ch.id == item.key[p.id]), quote=True)
                for p in item.prompts
            ]
            assert choices[: len(lined_up)] != lined_up, "matching choices lined up with the key"
        fields = answer_form(question_page.question(s, number, None))
        c.post(f"/test/pre/{number}/save", {**fields, "seq": str(100 + number)})
        c.post(f"/test/pre/{number}", {**fields, "go": "next"})
    c.get("/test/pre/review")
    c.get("/test/pre/submit")
    c.post("/test/pre/submit")
    c.get("/test/pre/result")
    c.get("/test/pre/1")
    # The trainer closes and scores the pre-test: the default policy still hides keys, explanations and
    # sources, because the post-test reuses the items.
    trainer.post("/trainer/phase/pre/close")
    trainer.post("/trainer/score")
    c.get("/lobby")
    c.get("/test/pre/result")
    report = c.get("/report")
    assert report.status_code == 200
    seen = [(url, body) for url, body in c.seen]
    assert len(seen) > 2 * s.total
    leaks = {url: found for url, body in seen if (found := _leaks(body))}
    assert leaks == {}
    # Another participant's name never shows.
    assert all("Budi" not in body for _, body in seen)


def test_after_the_last_phase_closes_the_participant_sees_keys_and_explanations(opened):
    """The walk above is not blind: the same report does show the markers once the policy allows."""
    ws, app, trainer, codes = opened
    c = participant_client(app, codes[0])
    c.post("/test/pre/start")
    c.post("/test/pre/submit")
    trainer.post("/trainer/phase/pre/close")
    trainer.post("/trainer/phase/post/open")
    trainer.post("/trainer/phase/post/close")
    trainer.post("/trainer/score")
    report = c.get("/report").get_data(as_text=True)
    assert MARKERS["explanation"] in report and MARKERS["source"] in report


def test_hostile_text_in_items_and_names_is_escaped_for_participant_and_trainer(opened):
    ws, app, trainer, codes = opened
    c = participant_client(app, codes[0])
    lobby = c.get("/lobby").get_data(as_text=True)
    assert html.escape(HOSTILE.replace('"', "'"), quote=True) in lobby or "&lt;script&gt;" in lobby
    c.post("/test/pre/start")
    dashboard = trainer.get("/trainer/").get_data(as_text=True)
    for body in (lobby, dashboard, c.get("/test/pre/1").get_data(as_text=True)):
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;" in body


POSTS = [
    "/join",
    "/leave",
    "/test/pre/start",
    "/test/pre/1",
    "/test/pre/1/save",
    "/test/pre/submit",
    "/trainer/login",
    "/trainer/logout",
    "/trainer/phase/pre/open",
    "/trainer/phase/pre/close",
    "/trainer/extend",
    "/trainer/reopen",
    "/trainer/score",
]


@pytest.mark.parametrize("url", POSTS)
def test_every_post_without_the_csrf_token_is_refused(opened, url):
    ws, app, trainer, codes = opened
    c = participant_client(app, codes[0])
    c.post("/test/pre/start")
    person = ws.store.person_by_code(ws.event_id, codes[0])
    attempt = ws.store.current_attempt(ws.event_id, person, "pre")
    client = trainer if url.startswith("/trainer") else c
    data = {
        "code": codes[0],
        "password": "kata-sandi-pelatih",
        "attempt": str(attempt.id),
        "reason": "x",
        "answer": "0",
    }
    response = client.post(url, data, csrf=False)
    assert response.status_code == 400
    assert "Halaman ini sudah kedaluwarsa" in response.get_data(as_text=True)
    with_foreign_token = client.post(url, {**data, "csrf_token": "IjEyMyI.forged.token"}, csrf=False)
    assert with_foreign_token.status_code == 400
    assert ws.store.answers(attempt.id) == {} and ws.store.attempt(attempt.id).status == "in_progress"
    assert ws.store.phase_state(ws.event_id, "pre") == "open"


def test_cookies_are_httponly_and_samesite_and_pages_carry_a_strict_csp(opened):
    ws, app, trainer, codes = opened
    c = Client(app)
    c.get("/join")
    response = c.post("/join", {"code": codes[0]})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    for url in ("/join", "/lobby", "/trainer/login"):
        policy = c.get(url).headers["Content-Security-Policy"]
        assert (
            "script-src 'self'" in policy and "unsafe-inline" not in policy and "default-src 'self'" in policy
        )
    assert c.get("/static/assess.js").status_code == 200  # served locally: no CDN


def test_a_forged_session_cookie_reaches_nobody(opened):
    ws, app, trainer, codes = opened
    other = ws.store.person_by_code(ws.event_id, codes[1])
    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous import URLSafeTimedSerializer

    serializer = SecureCookieSessionInterface().serializer
    forged = URLSafeTimedSerializer(
        b"not-the-key",
        salt="cookie-session",
        serializer=serializer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": __import__("hashlib").sha1},
    )
    c = app.test_client()
    c.set_cookie(
        "assess_session", forged.dumps({"event": ws.event_id, "person": other, "trainer": ws.event_id})
    )
    assert c.get("/lobby").status_code == 302
    assert c.get("/trainer/").status_code == 302


def test_participant_pages_name_no_attempt_or_other_person(opened):
    ws, app, trainer, codes = opened
    a = participant_client(app, codes[0], "127.0.0.2")
    b = participant_client(app, codes[1], "127.0.0.3")
    a.post("/test/pre/start")
    b.post("/test/pre/start")
    person_a = ws.store.person_by_code(ws.event_id, codes[0])
    s = sitting.sitting(ws, person_a, "pre")
    text_number = next(n for n, i in enumerate(s.items, 1) if i.type == "short_answer")
    a.post(f"/test/pre/{text_number}", {"answer": "RAHASIA-ANI", "go": "stay"})
    person_b = ws.store.person_by_code(ws.event_id, codes[1])
    sb = sitting.sitting(ws, person_b, "pre")
    for number in range(1, sb.total + 1):
        body = b.get(f"/test/pre/{number}").get_data(as_text=True)
        assert "RAHASIA-ANI" not in body and person_a not in body
    # The attempt is found from the session alone: B's posts land in B's attempt.
    b_number = next(n for n, i in enumerate(sb.items, 1) if i.type == "short_answer")
    b.post(f"/test/pre/{b_number}", {"answer": "punya-budi", "go": "stay"})
    assert "punya-budi" not in ws.store.answers(s.attempt.id).values()
    assert "RAHASIA-ANI" in ws.store.answers(s.attempt.id).values()


def test_join_is_limited_per_code_and_per_address(opened, tmp_path):
    ws, app, trainer, codes = opened
    # Per code: ten tries a minute, from anywhere.
    for k in range(10):
        c = Client(app, f"127.0.1.{k + 1}")
        c.get("/join")
        assert c.post("/join", {"code": "ZZZZZ-ZZZZZ"}).status_code == 400
    statuses = []
    for k in range(3):
        c = Client(app, f"127.0.2.{k + 1}")
        c.get("/join")
        statuses.append(c.post("/join", {"code": "zzzzz zzzzz"}).status_code)
    assert statuses == [429, 429, 429]
    # Per address, as set in assessment.yaml.
    text = (
        (ws.folder / "assessment.yaml")
        .read_text(encoding="utf-8")
        .replace("per_address_per_minute: 600", "per_address_per_minute: 3")
    )
    (ws.folder / "assessment.yaml").write_text(text, encoding="utf-8")
    strict = make_app(open_workspace(ws.folder))
    c = Client(strict, "127.0.3.1")
    c.get("/join")
    assert [c.post("/join", {"code": f"AAAAA-BBBB{k}"}).status_code for k in range(4)] == [400, 400, 400, 429]
    d = Client(strict, "127.0.3.2")
    d.get("/join")
    assert d.post("/join", {"code": codes[0]}).status_code == 302


def test_the_default_limits_let_a_whole_class_join_from_one_hotspot_address(tmp_path):
    ws = open_workspace(example_workspace(tmp_path / "ws"))
    app = make_app(ws)
    codes = [p.access_code for p in ws.store.participants(ws.event_id)]
    statuses = set()
    for code in codes:
        c = Client(app, "10.0.0.1")
        c.get("/join")
        statuses.add(c.post("/join", {"code": code}).status_code)
    assert len(codes) == 52 and statuses == {302}
    ws.close()
