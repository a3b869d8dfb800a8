"""What a participant must never see, CSRF, cookies, the Content-Security-Policy, join limits, escaping."""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse

import pytest

from assess.bank.model import Matching, Ordering
from assess.delivery.screen import question_page, sitting
from assess.templating import markdown_inline
from assess.web.limits import WINDOW_SECONDS, JoinLimiter
from tests.web_support import (
    HOSTILE,
    MARKERS,
    WEIGHTED_POINTS,
    Client,
    answer_form,
    example_workspace,
    make_app,
    open_workspace,
    participant_client,
)


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
    assert c.get("/test/pre/form.json").status_code == 200  # the whole test for offline use: walked too
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


class Clock:
    """The limiter's clock (naive UTC), moved by the test."""

    def __init__(self):
        self.now = dt.datetime(2026, 12, 7, 8, 0)

    def __call__(self):
        return self.now


def test_a_refused_join_leaves_no_entry_and_made_up_codes_do_not_grow_the_limiter(opened):
    ws, _app, _trainer, codes = opened
    text = (
        (ws.folder / "assessment.yaml")
        .read_text(encoding="utf-8")
        .replace("per_address_per_minute: 600", "per_address_per_minute: 3")
    )
    (ws.folder / "assessment.yaml").write_text(text, encoding="utf-8")
    strict = make_app(open_workspace(ws.folder))
    limiter = strict.extensions["assess.join_limiter"]
    c = Client(strict, "127.0.4.1")
    c.get("/join")
    statuses = [c.post("/join", {"code": f"QQQQQ-{k:05d}"}).status_code for k in range(300)]
    assert statuses == [400] * 3 + [429] * 297
    assert len(limiter.held()) == 1 + 3  # the address and the three codes it was allowed to try; no more
    # Allowed tries still count: a real code joins from elsewhere, and is counted once.
    d = Client(strict, "127.0.4.2")
    d.get("/join")
    assert d.post("/join", {"code": codes[0]}).status_code == 302
    assert len(limiter.held()) == 1 + 3 + 2


def test_the_limiter_counts_allowed_tries_and_forgets_refused_and_old_ones(opened):
    ws = opened[0]
    clock = Clock()
    limiter = JoinLimiter(ws.store, ws.event_id, per_address=3, per_code=2, clock=clock)
    assert [limiter.allow("10.0.0.1", "KODE-A") for _ in range(3)] == [True, True, False]  # per code
    assert limiter.allow("10.0.0.1", "KODE-B") is True  # the address's third try
    assert limiter.allow("10.0.0.1", "KODE-C") is False  # the address has had its three
    held = {"join_address:10.0.0.1": 3, "join_code:KODE-A": 2, "join_code:KODE-B": 1}
    assert limiter.held() == held  # the refused KODE-C left nothing
    for k in range(300):  # a flood of made-up codes from a refused address
        assert limiter.allow("10.0.0.1", f"PALSU-{k}") is False
    assert limiter.held() == held
    assert limiter.allow("10.0.0.2", "") is True and len(limiter.held()) == 4  # no code: only the address
    clock.now += dt.timedelta(seconds=WINDOW_SECONDS - 1)
    assert limiter.allow("10.0.0.1", "KODE-D") is False  # still within the minute
    clock.now += dt.timedelta(seconds=1)  # the first tries leave the window; the second address's one too
    assert limiter.allow("10.0.0.3", "KODE-E") is True
    assert limiter.held() == {"join_address:10.0.0.3": 1, "join_code:KODE-E": 1}  # swept
    assert [limiter.allow("10.0.0.1", "KODE-A") for _ in range(3)] == [True, True, False]


def test_the_limiter_holds_at_most_its_cap_and_drops_the_oldest(opened):
    ws = opened[0]
    clock = Clock()
    limiter = JoinLimiter(ws.store, ws.event_id, per_address=2, per_code=10, clock=clock, max_rows=3)
    for address in ("a1", "a2", "a3"):
        clock.now += dt.timedelta(seconds=1)
        assert limiter.allow(address, "")
    clock.now += dt.timedelta(seconds=1)
    assert limiter.allow("a4", "") and set(limiter.held()) == {f"join_address:a{k}" for k in (2, 3, 4)}
    assert [limiter.allow("a1", "") for _ in range(3)] == [True, True, False]  # a1 starts again
    for k in range(200):  # many addresses, each allowed: the table stays at its cap
        clock.now += dt.timedelta(seconds=1)
        assert limiter.allow(f"b{k}", "")
        assert sum(limiter.held().values()) <= 3
    assert [limiter.allow("b199", "") for _ in range(2)] == [True, False]  # the latest is remembered


def test_two_apps_on_one_workspace_count_the_same_joins(opened):
    """Two worker processes of `assess serve` are two apps on one database: the limits are shared."""
    ws, _app, _trainer, codes = opened
    text = (ws.folder / "assessment.yaml").read_text(encoding="utf-8")
    (ws.folder / "assessment.yaml").write_text(
        text.replace("per_address_per_minute: 600", "per_address_per_minute: 4"), encoding="utf-8"
    )
    first, second = make_app(open_workspace(ws.folder)), make_app(open_workspace(ws.folder))
    clients = [Client(first, "127.0.4.9"), Client(second, "127.0.4.9")]
    for c in clients:
        c.get("/join")
    statuses = [clients[k % 2].post("/join", {"code": f"QQQQQ-{k:05d}"}).status_code for k in range(8)]
    assert statuses == [400] * 4 + [429] * 4


HOSTILE_TARGETS = [
    "/%09/evil.example/join",  # a tab: browsers drop it, and "/\t/host" becomes //host
    "/%0A/x",
    "/%0D%0ASet-Cookie:%20x=1",
    "/%0D/x",
    "/\\evil.example",
    "/%5Cevil.example",
    "/%2F%2Fevil.example",
    "/%252F%252Fevil.example",  # "/%2F%2F..." once decoded
    "https://evil.example/x",
    "//evil.example/x",
    "///evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "%20/x",
    "/%E2%80%A8/x",  # the line separator
    "/%C2%85/x",  # the next-line control character
    "/%00",
    "/%7F",
    "/lobby%23x",  # a fragment
    "/é",
    "",
]


def _same_site_path(location: str) -> bool:
    parts = urllib.parse.urlsplit(location)
    return (
        location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and not parts.scheme
        and not parts.netloc
        and all(33 <= ord(ch) < 127 and ch != "\\" for ch in location)
    )


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_the_language_switch_redirects_only_to_a_path_of_this_site(opened, target):
    _ws, app, _trainer, codes = opened
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a failure is a 500 here, as a phone would see it
    c = participant_client(app, codes[0])
    response = c.get(f"/bahasa/en?next={target}")
    assert response.status_code == 302
    assert _same_site_path(response.location), response.location
    assert response.location == "/lobby"  # none of these is a page of the app: the lobby instead


@pytest.mark.parametrize("target", ["/lobby", "/test/pre/1", "/join?code=ABCDE-12345", "/trainer/?phase=pre"])
def test_the_language_switch_goes_back_to_the_page_it_came_from(opened, target):
    _ws, app, _trainer, codes = opened
    c = participant_client(app, codes[0])
    assert c.get(f"/bahasa/en?next={urllib.parse.quote(target)}").location == target
