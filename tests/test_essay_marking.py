"""Essays marked on screen (issue 15, point 7): one at a time on the dashboard, anonymous unless the
trainer asks for names, through the same path as a marks file (stored, audited, the phase scored again)."""

from __future__ import annotations

import re

from assess.bank.model import Essay
from assess.delivery.screen import question_page, sitting
from tests.web_support import (
    Client,
    answer_form,
    copy_workspace,
    make_app,
    open_workspace,
    participant_client,
    trainer_client,
)

ANSWER = "Lurah mengoordinasikan <b>musyawarah</b>\nlalu menetapkan prioritas."


def test_the_trainer_marks_an_essay_on_screen(marker_template, tmp_path):
    ws = open_workspace(copy_workspace(marker_template, tmp_path / "ws"))
    app = make_app(ws)
    trainer = trainer_client(app)
    assert trainer.post("/trainer/phase/pre/open").status_code == 302
    person = ws.store.participants(ws.event_id)[1]  # Budi
    c = participant_client(app, person.access_code)
    c.post("/test/pre/start")
    s = sitting.sitting(ws, person.person_id, "pre")
    number = next(k for k in range(1, s.total + 1) if isinstance(s.item(k), Essay))
    essay = s.item(number)
    form = answer_form(question_page.question(s, number, None))
    c.post(f"/test/pre/{number}", {**form, "answer": ANSWER, "go": "stay"})
    c.post("/test/pre/submit")
    assert trainer.post("/trainer/score").status_code == 302
    [before] = ws.store.results(ws.event_id, "pre")
    assert before.provisional

    url = "/trainer/phase/pre/essays"
    assert Client(app, "127.0.0.60").get(url).location.endswith("/trainer/login")  # trainers only
    page = trainer.get(url).get_data(as_text=True)
    assert re.search(r'id="progress">\D*0\D+1\b', page)
    assert "Lurah mengoordinasikan &lt;b&gt;musyawarah&lt;/b&gt;\nlalu" in page  # escaped, lines kept
    assert "Budi" not in page.split("<main", 1)[1]  # anonymous by default
    assert "Budi" in trainer.get(url + "?names=1").get_data(as_text=True)

    attempt = s.attempt.id
    wrong = trainer.post(url, {"attempt": attempt, "item": essay.id, "level": "tidak-ada", "at": "1"})
    assert wrong.status_code == 400 and "tidak-ada" in wrong.get_data(as_text=True)
    level = essay.rubric[-1]
    done = trainer.post(
        url, {"attempt": attempt, "item": essay.id, "level": level.id, "comment": " Bagus. ", "at": "1"}
    )
    assert done.status_code == 302
    assert ws.store.marks_of([attempt])[attempt] == {essay.id: level.id}
    assert ws.store.mark_comments_of([attempt])[attempt] == {essay.id: "Bagus."}
    [after] = ws.store.results(ws.event_id, "pre")  # scored again, as after a marks file
    assert not after.provisional and after.points > before.points
    entry = [e for e in ws.store.audit_log(ws.event_id) if e.action == "essay.mark"][-1]
    assert entry.actor == "dashboard" and entry.details == {"attempt": attempt, "item": essay.id}
    page = trainer.get(url).get_data(as_text=True)
    assert re.search(r'id="progress">\D*1\D+1\b', page) and "Bagus." in page
    other = trainer.post(url, {"attempt": "999999", "item": essay.id, "level": level.id})
    assert other.status_code == 400  # not an essay of this phase to mark
    ws.close()
