"""The web app in a real browser (Playwright driving Debian's Chromium) against `assess serve`, at phone size.

One server process for the module, on a workspace made with `assess init --example payakumbuh-2019`;
screenshots go to test-artifacts/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa

from assess.store import schema
from tests.browser import (
    ARGS,
    CHROMIUM,
    PHONE,
    horizontal_overflow,
    playwright_available,
    screenshot,
    small_texts,
    wider_than_viewport,
)
from tests.components import require_component
from tests.web_support import PASSWORD, example_workspace, marker_workspace, open_workspace, set_web

SAVED = re.compile(r"^Tersimpan$")  # not "Belum tersimpan" (has_text ignores case)
GRACE_SECONDS = 2  # the pre-test's grace in this module's workspace, so that a timer can run out quickly


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(folder):
    """`assess serve` on `folder` as a subprocess; its base address once it answers."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assess",
            "-w",
            str(folder),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ASSESS_LANG": "id"},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/join", timeout=1)
            return base, process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(process.stdout.read().decode())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_component("Playwright", playwright_available(), "pip install playwright")
    folder = example_workspace(tmp_path_factory.mktemp("browser") / "pelatihan")
    text = (folder / "assessment.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    time_limit_minutes: 40\n", f"    time_limit_minutes: 40\n    grace_seconds: {GRACE_SECONDS}\n", 1
    )
    (folder / "assessment.yaml").write_text(text, encoding="utf-8")
    # These phones answer 30 questions in seconds, two saves each (autosave, then the page): faster than
    # anyone reads, so past web.save_limits' 5 a second. Its own test below keeps the real limit.
    set_web(folder, "save_limits: {per_second: 100, burst: 1000}")
    base, process = _serve(folder)
    ws = open_workspace(folder)
    yield base, ws
    process.terminate()
    process.wait(timeout=10)
    ws.close()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    require_component("Chromium", os.path.exists(CHROMIUM), "apt-get install chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _phone(browser, **kw):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, **kw)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return context, page, errors


def _codes(ws) -> dict[str, str]:
    return {p.person_id: p.access_code for p in ws.store.participants(ws.event_id)}


def _join(page, base: str, code: str) -> None:
    page.goto(f"{base}/join?code={code}")  # as the QR code on the card opens it
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/lobby")


def _answer(page) -> None:
    """Answer the question on the page the way a participant would, on a touch screen."""
    if page.locator("label.option").count():
        page.locator("label.option").nth(1).tap()
    elif page.locator("ol.pairs select").count():
        for k in range(page.locator("ol.pairs select").count()):
            page.locator("ol.pairs select").nth(k).select_option(index=1 + k % 2)
    elif page.locator("ol.ordering").count():
        page.get_by_role("button", name="Pindah ke bawah").first.tap()  # the places follow the list
    else:
        box = page.locator("#text-answer")
        box.fill("2,5" if box.get_attribute("inputmode") == "decimal" else "musyawarah")


def _save_and_go(page) -> None:
    page.locator("button[name=go][value=next], button[name=go][value=review]").first.click()
    page.wait_for_load_state("load")


UNLABELLED = """
() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby') && !el.textContent.trim())
  .map(el => el.outerHTML.slice(0, 80))
"""


def _unlabelled(page) -> list[str]:
    """Form controls without an accessible name (a label, aria-label or text)."""
    return page.evaluate(UNLABELLED)


def _answered(page) -> int:
    return page.locator("nav.navigator .answered").count()


def _open_pre_if_needed(ws) -> None:
    from assess.delivery.screen.desk import open_phase
    from assess.workspace import now

    if ws.store.phase_state(ws.event_id, "pre") != "open":
        open_phase(ws, "pre", now())


def test_two_participants_and_the_trainer_take_the_pre_test_on_phones(server, browser):
    base, ws = server
    codes = _codes(ws)
    ani, budi = list(codes)[:2]
    # The trainer logs in on a phone too.
    t_context, trainer, t_errors = _phone(browser)
    trainer.goto(base + "/trainer/")
    trainer.get_by_label("Kata sandi").fill(PASSWORD)
    trainer.get_by_role("button", name="Masuk").click()
    trainer.wait_for_url("**/trainer/")
    # Both participants wait in the lobby until the test opens; the lobby reloads by itself.
    a_context, a, a_errors = _phone(browser)
    b_context, b, b_errors = _phone(browser)
    _join(a, base, codes[ani])
    _join(b, base, codes[budi])
    assert "Tunggu di sini" in a.content()
    screenshot(a, "web-lobby-waiting")
    # The dashboard on the trainer's phone (issue 16, point 7): who waits in the lobby is told apart
    # from who has not arrived; the test's button and the reports' are on the first screen; the
    # participants are cards, nothing off the screen's edge.
    trainer.reload()
    screenshot(trainer, "web-trainer-dashboard-phone")
    status = 'tr[data-person="{}"] td[data-field="status_text"]'
    assert trainer.locator(status.format(ani)).inner_text() == "di ruang tunggu"
    assert trainer.locator(status.format(list(codes)[2])).inner_text() == "belum masuk"
    assert "Di ruang tunggu: 2" in trainer.locator("#counts").inner_text()
    for button in (
        trainer.locator("form[action$='/phase/pre/open'] button"),
        trainer.get_by_role("button", name="Nilai dan tulis laporan"),
    ):
        box = button.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"] and box["x"] + box["width"] <= PHONE["width"]
    assert horizontal_overflow(trainer) == 0 and trainer.locator("#progress thead").is_hidden()
    assert small_texts(trainer) == [] and wider_than_viewport(trainer) == []
    trainer.locator("form[action$='/phase/pre/open'] button").click()
    trainer.wait_for_load_state("load")
    screenshot(trainer, "web-trainer-dashboard-open")
    n = len(ws.store.form(ws.event_id, "pre").items)
    for page in (a, b):
        page.get_by_role("button", name="Mulai").wait_for(timeout=15000)
        page.get_by_role("button", name="Mulai").click()
        page.wait_for_url("**/test/pre/1")
    screenshot(a, "web-question-1")
    # Every control of every question has a name a screen reader can say.
    for number in range(1, n + 1):
        a.goto(f"{base}/test/pre/{number}")
        assert _unlabelled(a) == [], number
        assert horizontal_overflow(a) == 0 and small_texts(a) == [], number
    a.goto(f"{base}/test/pre/1")
    # Ani answers ten questions, then reloads: every answer is still there.
    for _ in range(10):
        _answer(a)
        _save_and_go(a)
    a.reload()
    assert _answered(a) == 10
    # Autosave alone keeps an answer: choose, wait for "Tersimpan", leave by address.
    _answer(a)
    a.locator(".save-state", has_text=SAVED).wait_for(timeout=10000)
    a.goto(base + "/test/pre/20")
    assert _answered(a) == 11
    a.goto(base + "/test/pre/12")
    # Budi answers fifteen, then his phone dies: on a second phone he continues where he was.
    for _ in range(15):
        _answer(b)
        _save_and_go(b)
    b_context.close()
    b2_context, b2, b2_errors = _phone(browser)
    _join(b2, base, codes[budi])
    b2.get_by_role("button", name="Lanjutkan").click()
    b2.wait_for_url("**/test/pre/1")
    assert _answered(b2) == 15
    b2.goto(base + "/test/pre/16")
    for page in (a, b2):
        while "/review" not in page.url:
            _answer(page)
            _save_and_go(page)
    screenshot(a, "web-review")
    assert "Semua soal sudah dijawab" in a.content()
    # The trainer's dashboard follows them (polling).
    trainer.reload()
    rows = trainer.locator("#progress tbody tr")
    assert rows.count() == len(codes)
    assert f"{n}/{n}" in trainer.locator(f'tr[data-person="{ani}"]').inner_text()
    for page, name in ((a, "ani"), (b2, "budi")):
        page.get_by_role("link", name="Kumpulkan tes").click()
        page.get_by_role("button", name="Ya, kumpulkan").click()
        page.wait_for_url("**/test/pre/result")
        assert "Tes selesai" in page.content() and "Skor" in page.content()
        screenshot(page, f"web-result-{name}")
    trainer.locator(f'tr[data-person="{ani}"] td[data-field="status_text"]', has_text="dikumpulkan").wait_for(
        timeout=15000
    )
    screenshot(trainer, "web-trainer-progress")
    assert horizontal_overflow(a) == 0 and horizontal_overflow(trainer) == 0
    for field in ("answered", "devices"):  # every field of a card within the screen
        box = trainer.locator(f'tr[data-person="{ani}"] td[data-field="{field}"]').bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"], field
    # Close, score and read the reports.
    trainer.locator("a[href$='/phase/pre/close']").click()  # the dashboard asks first
    trainer.wait_for_url("**/phase/pre/close")
    assert "Tutup Tes awal untuk semua peserta?" in trainer.content()
    trainer.get_by_role("button", name="Tutup dan nilai").click()
    trainer.wait_for_load_state("load")
    # Closed, the test's card offers opening it again as a small secondary button, not a primary one.
    again = trainer.locator("form[action$='/phase/pre/open'] button")
    assert again.inner_text() == "Buka lagi" and again.get_attribute("class") == "secondary"
    assert trainer.locator("li.phase-card[data-phase='pre'] .primary").count() == 0
    trainer.get_by_role("button", name="Nilai dan tulis laporan").click()
    trainer.get_by_role("link", name="Buka laporan").click()
    trainer.wait_for_load_state("load")
    assert "Laporan" in trainer.content() or "laporan" in trainer.content()
    screenshot(trainer, "web-trainer-reports")
    trainer.goto(base + "/trainer/qr")
    assert trainer.locator(".qr svg").count() == 1
    assert trainer.locator(".qr svg").bounding_box()["width"] > 250  # fills a phone's width: scalable SVG
    screenshot(trainer, "web-trainer-qr")
    results = {r.person_id: r for r in ws.store.results(ws.event_id, "pre")}
    assert set(results) == {ani, budi}
    for attempt_id in (r.attempt_id for r in results.values()):
        assert len(ws.store.answers(attempt_id)) == n
    assert a_errors == b_errors == b2_errors == t_errors == []
    for context in (a_context, b2_context, t_context):
        context.close()


def test_the_timer_running_out_ends_the_attempt(server, browser):
    base, ws = server
    _open_pre_if_needed(ws)
    person, code = list(_codes(ws).items())[2]
    context, page, errors = _phone(browser)
    _join(page, base, code)
    page.get_by_role("button", name="Mulai").click()
    page.wait_for_url("**/test/pre/1")
    _answer(page)
    page.locator(".save-state", has_text=SAVED).wait_for(timeout=10000)
    # Three seconds left on the server's clock.
    attempt = ws.store.current_attempt(ws.event_id, person, "pre")
    deadline = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=3)
    with ws.store.engine.begin() as c:
        c.execute(
            sa.update(schema.attempts).where(schema.attempts.c.id == attempt.id).values(deadline=deadline)
        )
    page.reload()
    assert page.locator("#timer .clock").inner_text() in ("0:03", "0:02", "0:01")
    page.wait_for_url("**/test/pre/result", timeout=20000)
    assert "Waktu sudah habis" in page.content()
    screenshot(page, "web-time-is-up")
    ended = ws.store.attempt(attempt.id)
    assert ended.status == "expired" and len(ws.store.answers(attempt.id)) == 1
    assert errors == []
    context.close()


def test_the_test_works_with_javascript_off(server, browser):
    base, ws = server
    _open_pre_if_needed(ws)
    person, code = list(_codes(ws).items())[3]
    context, page, _ = _phone(browser, java_script_enabled=False)
    _join(page, base, code)
    page.get_by_role("button", name="Mulai").click()
    page.wait_for_url("**/test/pre/1")
    for _ in range(3):
        if page.locator("ol.ordering").count():
            selects = page.locator("ol.ordering select")
            for k in range(selects.count()):
                selects.nth(k).select_option(str(selects.count() - k))
        else:
            _answer(page)
        _save_and_go(page)
    screenshot(page, "web-no-javascript")
    page.locator("button[name=go][value=review]").last.click()
    page.wait_for_url("**/review")
    page.get_by_role("link", name="Kumpulkan tes").click()
    page.get_by_role("button", name="Ya, kumpulkan").click()
    page.wait_for_url("**/test/pre/result")
    attempt = ws.store.current_attempt(ws.event_id, person, "pre")
    assert attempt.status == "submitted"
    history = ws.store.history(attempt.id)
    assert len(ws.store.answers(attempt.id)) == 3 and [h.seq for h in history] == [1, 2, 3]
    context.close()


def test_english_switch(server, browser):
    base, ws = server
    context, page, _ = _phone(browser)
    page.goto(base + "/join")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()  # the click only starts the redirect: a busy machine may not have the page yet
    page.get_by_role("button", name="Join").wait_for(timeout=10_000)
    assert page.get_by_role("button", name="Join").count() == 1
    context.close()


def test_an_answer_given_while_the_connection_is_lost_is_saved_when_it_comes_back(server, browser):
    base, ws = server
    _open_pre_if_needed(ws)
    person, code = list(_codes(ws).items())[4]
    context, page, _ = _phone(browser)
    _join(page, base, code)
    page.get_by_role("button", name="Mulai").click()
    page.wait_for_url("**/test/pre/1")
    context.set_offline(True)  # the phone leaves the Wi-Fi's reach
    _answer(page)
    page.locator(".save-state", has_text="Belum tersimpan").wait_for(timeout=10000)
    attempt = ws.store.current_attempt(ws.event_id, person, "pre")
    assert ws.store.answers(attempt.id) == {}
    screenshot(page, "web-offline")
    context.set_offline(False)  # back: the page retries with the same sequence number
    page.locator(".save-state", has_text=SAVED).wait_for(timeout=20000)
    saved = ws.store.history(attempt.id)
    # One version: the answer as the page last held it (a matching item's selects each numbered a save,
    # and only the newest is sent again), numbered on from the number the page was given.
    assert len(saved) == 1 and saved[0].seq >= attempt.next_seq and saved[0].value is not None
    assert ws.store.answers(attempt.id) == {saved[0].item_id: saved[0].value}
    context.close()


@contextlib.contextmanager
def _started_on_marker_bank(browser, tmp_path, *web: str):
    """The bank with one item of every type served (with `web` settings), its pre-test open, and a phone
    that has started it: (workspace, base address, the phone's sitting, page, browser context, errors)."""
    from assess.delivery.screen import sitting
    from assess.delivery.screen.desk import open_phase
    from assess.workspace import now

    folder = marker_workspace(tmp_path / "ws", time_limit=None)
    if web:
        set_web(folder, *web)
    ws = open_workspace(folder)
    open_phase(ws, "pre", now())
    base, process = _serve(folder)
    try:
        person, code = list(_codes(ws).items())[1]
        context, page, errors = _phone(browser)
        _join(page, base, code)
        page.get_by_role("button", name="Mulai").click()
        page.wait_for_url("**/test/pre/1")
        yield ws, base, sitting.sitting(ws, person, "pre"), page, context, errors
    finally:
        process.terminate()
        process.wait(timeout=10)
        ws.close()


def test_ordering_and_matching_by_touch_without_dragging(browser, tmp_path):
    """The worked example's pre-test has no ordering item: the bank with one item of every type has."""
    from assess.forms import shown

    with _started_on_marker_bank(browser, tmp_path) as (ws, base, s, page, context, errors):
        number = next(n for n, i in enumerate(s.items, 1) if i.type == "ordering")
        item = s.item(number)
        page.goto(f"{base}/test/pre/{number}")
        steps = page.locator("li.step .step-text")
        first = steps.nth(0).inner_text()
        down = page.get_by_role("button", name="Pindah ke bawah")
        down.first.tap()  # the first step moves to second place
        page.locator(".save-state", has_text=SAVED).wait_for(timeout=10000)
        assert steps.nth(1).inner_text() == first
        order = shown(s.order, item)
        expected = [order[1], order[0], *order[2:]]
        assert ws.store.answers(s.attempt.id)[item.id] == expected
        screenshot(page, "web-ordering")
        second = steps.nth(0).inner_text()
        page.reload()
        # Back in the participant's arrangement, numbered 1, 2, ... as arranged (issue 16, point 7).
        places = [page.locator("li.step select").nth(k).input_value() for k in range(len(order))]
        assert places == [str(k + 1) for k in range(len(order))]
        assert [steps.nth(0).inner_text(), steps.nth(1).inner_text()] == [second, first]
        matching = next(n for n, i in enumerate(s.items, 1) if i.type == "matching")
        page.goto(f"{base}/test/pre/{matching}")
        selects = page.locator("ol.pairs select")
        for k in range(selects.count()):
            selects.nth(k).select_option(index=1)
        page.locator(".save-state", has_text=SAVED).wait_for(timeout=10000)
        mitem = s.item(matching)
        assert set(ws.store.answers(s.attempt.id)[mitem.id]) == {p.id for p in mitem.prompts}
        assert errors == []
        context.close()


def test_a_save_answered_429_is_sent_again_after_retry_after_and_stored(browser, tmp_path):
    """One save a second (web.save_limits): a second choice at once is answered 429, and the page
    sends it again, with the same sequence number, once Retry-After has passed (its usual backoff after a
    failed save would try again sooner, and be refused again)."""
    from assess.forms import shown

    web = "save_limits: {per_second: 1, burst: 1}"
    with _started_on_marker_bank(browser, tmp_path, web) as (ws, base, s, page, context, errors):
        number = next(n for n, i in enumerate(s.items, 1) if i.type == "single_choice")
        page.goto(f"{base}/test/pre/{number}")
        saves: list[tuple[int, str | None, str | None, float]] = []  # (status, seq sent, Retry-After, when)

        def seen(response) -> None:
            if response.url.endswith("/save"):
                sent = dict(urllib.parse.parse_qsl(response.request.post_data or ""))
                wait = response.headers.get("retry-after")
                saves.append((response.status, sent.get("seq"), wait, time.monotonic()))

        def stored(response) -> bool:
            return response.url.endswith("/save") and response.status == 200

        page.on("response", seen)
        page.locator("label.option").nth(0).tap()
        page.locator(".save-state", has_text=SAVED).wait_for(timeout=10000)
        with page.expect_response(stored, timeout=10000):
            page.locator("label.option").nth(1).tap()  # at once: over the limit
        page.locator(".save-state", has_text=SAVED).wait_for(timeout=10000)
        assert [status for status, *_rest in saves] == [200, 429, 200]
        (_s, seq, wait, refused_at), (_s2, seq_again, _w, stored_at) = saves[1:]
        assert wait == "1" and seq_again == seq  # the same save...
        assert stored_at - refused_at >= int(wait) - 0.05  # ...after the wait the server asked for
        item = s.item(number)
        assert ws.store.answers(s.attempt.id)[item.id] == shown(s.order, item)[1]
        assert [e for e in errors if "status of 429" not in e] == []  # Chromium logs the 429 itself
        context.close()
