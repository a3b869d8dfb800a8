"""Phases from the command line (issue 15, point 1): `assess phase list|open|close|reopen` with the
dashboard's rules and its audit log, so that an event taken on paper or in Google Forms can be
finished without the web dashboard."""

from __future__ import annotations

import getpass
import json

import pytest

from assess.store.store import IN_PROGRESS, Store
from assess.workspace import Workspace, choose, now
from tests.web_support import copy_workspace


@pytest.fixture
def event(imported_template, tmp_path, run):
    """The worked example with its participants, nothing built or opened: (folder, run with -w)."""
    folder = copy_workspace(imported_template, tmp_path / "pelatihan")

    def in_workspace(*args: str):
        return run("--lang", "en", "-w", str(folder), *args)

    return folder, in_workspace


def _listed(run_here) -> dict[str, list[str]]:
    """`phase list`'s rows by phase: state, form, working, submitted, time ran out (the title between the
    phase's id and its state may hold spaces, and so may the state "not open")."""
    result = run_here("phase", "list")
    assert result.exit_code == 0, result.output
    rows = {}
    for line in result.stdout.splitlines()[2:]:
        cells = line.split()
        state = "not open" if cells[-6] == "not" else cells[-5]
        rows[cells[0]] = [state, *cells[-4:]]
    return rows


def _start_one(folder) -> str:
    """One participant starts the open pre-test on a phone (through the store, as the web app does)."""
    ws = Workspace(*choose(str(folder), None))
    try:
        person = ws.store.participants(ws.event_id)[0].person_id
        ws.store.start_attempt(
            ws.event_id, person, "pre", channel="web", now=now(), personal_order={"items": []}
        )
        return person
    finally:
        ws.close()


def test_open_then_close_with_score_expires_what_is_running_and_is_audited(event):
    folder, run_here = event
    assert _listed(run_here) == {p: ["not open", "no", "0", "0", "0"] for p in ("pre", "post")}
    opened = run_here("phase", "open", "--phase", "pre")
    assert opened.exit_code == 0 and "phase pre: open" in opened.stdout
    person = _start_one(folder)
    assert _listed(run_here)["pre"] == ["open", "yes", "1", "0", "0"]  # the form was built on opening
    closed = run_here("phase", "close", "--phase", "pre", "--score")
    assert closed.exit_code == 0, closed.output
    assert "phase pre: closed" in closed.stdout and "phase pre: 1 attempts scored" in closed.stdout
    assert _listed(run_here)["pre"] == ["closed", "yes", "0", "0", "1"]
    store = Store.open(choose(str(folder), None)[1])
    try:
        [attempt] = store.attempts("payakumbuh-2019", "pre")
        assert attempt.person_id == person and attempt.status != IN_PROGRESS
        log = [
            (e.actor, e.action) for e in store.audit_log("payakumbuh-2019") if e.action.startswith("phase.")
        ]
        assert log == [
            (f"cli:{getpass.getuser()}", "phase.open"),
            (f"cli:{getpass.getuser()}", "phase.closed"),
        ]
        assert len(store.results("payakumbuh-2019", "pre")) == 1
    finally:
        store.close()


def test_a_closed_phase_opens_again_only_with_reopen_and_reopen_needs_a_closed_phase(event):
    folder, run_here = event
    refused = run_here("phase", "reopen", "--phase", "post")
    assert refused.exit_code == 2
    assert "DESK-PHASE-NOT-CLOSED" in refused.stderr and "assess phase open --phase post" in refused.stderr
    assert run_here("phase", "close", "--phase", "pre").exit_code == 0  # never opened: a paper test
    assert _listed(run_here)["pre"][0] == "closed"
    again = run_here("phase", "open", "--phase", "pre")
    assert again.exit_code == 2 and "assess phase reopen --phase pre" in again.stderr
    assert _listed(run_here)["pre"][0] == "closed"
    reopened = run_here("phase", "reopen", "--phase", "pre")
    assert reopened.exit_code == 0 and "open again" in reopened.stdout
    assert _listed(run_here)["pre"][0] == "open"


def test_an_unknown_phase_names_the_events_phases(event):
    _folder, run_here = event
    result = run_here("phase", "close", "--phase", "akhir")
    assert result.exit_code == 2
    assert "WORKSPACE-NO-PHASE" in result.stderr and "pre, post" in result.stderr


def test_reports_say_at_their_top_what_an_open_phase_holds_back_until_it_is_closed(event):
    """The worked example taken on paper (simulated): no phase was ever opened, so every report holds back
    what the review policy shows after closing; the index says so first, with the command that closes,
    and each participant's report says it before anything else. Closing both tests releases it."""
    folder, run_here = event
    for phase in ("pre", "post"):
        assert run_here("form", "build", "--phase", phase).exit_code == 0
    assert run_here("simulate").exit_code == 0 and run_here("score").exit_code == 0
    assert run_here("report").exit_code == 0
    index = (folder / "laporan" / "index.html").read_text(encoding="utf-8")
    top = index.index("Not shown to participants yet")
    assert top < index.index("Cohort report")
    for phase in ("pre", "post"):
        assert f"assess phase close --phase {phase}" in index
    person = next((folder / "laporan" / "participants").glob("*.html")).read_text(encoding="utf-8")
    assert person.index("Not shown yet") < person.index("<h2>Participant</h2>")
    assert "shown once this test has closed for everyone" in person
    for phase in ("pre", "post"):
        assert run_here("phase", "close", "--phase", phase).exit_code == 0
    assert run_here("report").exit_code == 0
    index = (folder / "laporan" / "index.html").read_text(encoding="utf-8")
    assert "Not shown to participants yet" not in index and "assess phase close" not in index
    person = next((folder / "laporan" / "participants").glob("*.html")).read_text(encoding="utf-8")
    assert "shown once this test has closed for everyone" not in person


# -- issue 15, point 4 (in part): participants listed, and a new access code from the command line --------


def test_participants_are_listed_with_their_codes_and_attempts_as_text_json_and_csv(event):
    import csv
    import io
    import json

    folder, run_here = event
    assert run_here("phase", "open", "--phase", "pre").exit_code == 0
    person = _start_one(folder)
    rows = json.loads(run_here("participants", "list", "--json").stdout)
    assert len(rows) == 52 and [r["ID"] for r in rows] == sorted(r["ID"] for r in rows)
    first = next(r for r in rows if r["ID"] == person)
    assert first["pre"] == "in_progress" and first["post"] == "" and first["Kode"] and first["Unit Kerja"]
    listed = list(csv.DictReader(io.StringIO(run_here("participants", "list", "--format", "csv").stdout)))
    assert listed == rows  # the same, for a spreadsheet
    text = run_here("participants", "list").stdout.splitlines()
    assert text[0].split()[:2] == ["ID", "Name"] and len(text) == 2 + 52
    assert next(line for line in text if line.startswith(person)).split()[-2:] == ["working", "-"]


def test_a_new_access_code_from_the_command_line_ends_the_old_one_and_is_audited(event):
    folder, run_here = event
    store = Store.open(choose(str(folder), None)[1])
    try:
        old = store.participants("payakumbuh-2019")[0]
        result = run_here("participants", "new-code", old.person_id)
        assert result.exit_code == 0, result.output
        new = store.participant("payakumbuh-2019", old.person_id).access_code
        assert new != old.access_code and new in result.stdout
        assert store.person_by_code("payakumbuh-2019", old.access_code) is None
        [entry] = [e for e in store.audit_log("payakumbuh-2019") if e.action == "participant.new_code"]
        assert entry.actor == f"cli:{getpass.getuser()}"
    finally:
        store.close()
    unknown = run_here("participants", "new-code", "P9999")
    assert unknown.exit_code == 2 and "STORE-NO-PARTICIPANT" in unknown.stderr


def test_a_participant_is_corrected_checked_as_the_import_checks_and_audited(event):
    folder, run_here = event
    fixed = run_here(
        "participants", "edit", "P0001", "--name", "Afrizal Rahman, S.Sos", "--unit", "Kelurahan Baru"
    )
    assert fixed.exit_code == 0, fixed.output
    assert "P0001: corrected (name, unit)." in fixed.stdout and "new unit: kelurahan-baru" in fixed.stdout
    store = Store.open(choose(str(folder), None)[1])
    try:
        me = store.participant("payakumbuh-2019", "P0001")
        assert me.name == "Afrizal Rahman, S.Sos" and me.unit_code == "kelurahan-baru"
        other_nip = store.participant("payakumbuh-2019", "P0002").nip
        [entry] = [e for e in store.audit_log("payakumbuh-2019") if e.action == "participant.edit"]
        assert entry.actor == f"cli:{getpass.getuser()}"
        assert entry.details == {"person": "P0001", "fields": ["name", "unit_code"]}  # never the values
    finally:
        store.close()
    for args, code in (
        (("--name", ""), "PARTICIPANTS-NAME-EMPTY"),
        (("--email", "bukan-surel"), "PARTICIPANTS-EMAIL-INVALID"),
        (("--nip", other_nip), "PARTICIPANTS-NIP-EXISTS"),
        (("--position", "=SUM(A1)"), "PARTICIPANTS-FORMULA"),
    ):
        refused = run_here("participants", "edit", "P0001", *args)
        assert refused.exit_code == 2 and code in refused.stderr, (args, refused.output)
    assert run_here("participants", "edit", "P0001").exit_code == 2  # nothing to change: a usage error
    warned = run_here("participants", "edit", "P0001", "--nip", "198001012005013001", "--email", "-")
    assert warned.exit_code == 1 and "PARTICIPANTS-NIP-SEX" in warned.stdout
    assert run_here("participants", "edit", "P9999", "--name", "X").exit_code == 2
    listed = run_here("participants", "list", "--json").stdout
    assert '"Nama": "Afrizal Rahman, S.Sos"' in listed and '"NIP": "198001012005013001"' in listed


def test_a_participant_without_attempts_is_removed_and_one_with_attempts_stays(event):
    folder, run_here = event
    assert run_here("phase", "open", "--phase", "pre").exit_code == 0
    started = _start_one(folder)  # the first participant
    kept = run_here("participants", "remove", started)
    assert kept.exit_code == 2 and "STORE-PARTICIPANT-HAS-ATTEMPTS" in kept.stderr
    store = Store.open(choose(str(folder), None)[1])
    phone = store.open_session("payakumbuh-2019", "participant", now(), person_id="P0052")  # joined, waiting
    store.close()
    removed = run_here("participants", "remove", "P0052")
    assert removed.exit_code == 0 and "P0052: removed" in removed.stdout
    assert run_here("participants", "remove", "P0052").exit_code == 2  # no longer there
    store = Store.open(choose(str(folder), None)[1])
    try:
        ids = [p.person_id for p in store.participants("payakumbuh-2019")]
        assert len(ids) == 51 and "P0052" not in ids and started in ids
        [entry] = [e for e in store.audit_log("payakumbuh-2019") if e.action == "participant.remove"]
        assert entry.details == {"person": "P0052", "attempts_kept": 0} and entry.actor.startswith("cli:")
        assert store.live_session(phone, now()) is None  # that phone is logged out
    finally:
        store.close()


def test_a_list_read_again_with_update_adds_the_new_and_corrects_the_changed(event):
    folder, run_here = event
    lines = (folder / "peserta.csv").read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1]
    nip = first.split(",")[0]
    corrected = first.replace("Afrizal, S.Sos", "Afrizal Rahman, S.Sos")
    late = "198502022010012005,Rina Marlina,Staf,Kelurahan Ibuh,Payakumbuh Barat,rina@contoh.example"
    again = folder / "peserta-2.csv"
    again.write_text("\n".join([header, corrected, *lines[2:], late]) + "\n", encoding="utf-8")
    assert '"Afrizal, S.Sos"' in first and nip.isdigit()  # the example's first row, quoted for its comma

    plain = run_here("participants", "import", str(again))
    assert plain.exit_code == 2 and plain.stderr.count("PARTICIPANTS-NIP-EXISTS") == 52
    dry = run_here("participants", "import", str(again), "--update", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Would add 1 and correct 1 participants" in dry.stdout
    assert "  P0001: name" in dry.stdout and "new: Rina Marlina" in dry.stdout
    store = Store.open(choose(str(folder), None)[1])
    try:
        assert len(store.participants("payakumbuh-2019")) == 52  # nothing written
        done = run_here("participants", "import", str(again), "--update")
        assert done.exit_code == 0 and "1 participants added, 1 corrected." in done.stdout
        assert store.participant("payakumbuh-2019", "P0001").name == "Afrizal Rahman, S.Sos"
        assert store.participant("payakumbuh-2019", "P0053").name == "Rina Marlina"
        [entry] = [e for e in store.audit_log("payakumbuh-2019") if e.details.get("updated")]
        assert entry.details["updated"] == {"P0001": ["name"]} and entry.actor.startswith("cli:")
    finally:
        store.close()
    assert (
        "0 participants added, 0 corrected."
        in run_here("participants", "import", str(again), "--update").stdout
    )


def test_update_matches_by_id_and_refuses_what_it_cannot_tell(event, tmp_path):
    _folder, run_here = event
    by_id = tmp_path / "koreksi.csv"
    by_id.write_text("ID,Nama\nP0002,Yulnefri Putra\nP9999,Siapa\n", encoding="utf-8")
    assert "PARTICIPANTS-ID-UNKNOWN" in run_here("participants", "import", str(by_id), "--update").stderr
    needs = run_here("participants", "import", str(by_id))
    assert needs.exit_code == 2 and "PARTICIPANTS-ID-NEEDS-UPDATE" in needs.stderr
    by_id.write_text("ID,Nama\nP0002,Yulnefri Putra\n", encoding="utf-8")
    assert "P0002: name" in run_here("participants", "import", str(by_id), "--update").stdout
    ambiguous = tmp_path / "tanpa-nip.csv"
    ambiguous.write_text("Nama,Jabatan\nYulnefri Putra,Lurah\n", encoding="utf-8")
    refused = run_here("participants", "import", str(ambiguous), "--update")
    assert refused.exit_code == 2 and "PARTICIPANTS-ROW-AMBIGUOUS" in refused.stderr
    twice = tmp_path / "dua-kali.csv"
    twice.write_text("ID,Nama\nP0003,A\np0003,B\n", encoding="utf-8")
    assert "PARTICIPANTS-ROW-SAME-PERSON" in run_here("participants", "import", str(twice), "--update").stderr
    assert (
        run_here("participants", "import", str(twice), "--dry-run").exit_code == 2
    )  # --dry-run needs --update


def test_the_agency_column_is_kept_listed_corrected_and_on_the_report(scored, tmp_path, run):
    """`Instansi` (issue 15, point 4): read by an import and by --update, listed, edited, reported."""
    folder = scored

    def run_here(*args: str):
        return run("--lang", "en", "-w", str(folder), *args)

    lines = (folder / "peserta.csv").read_text(encoding="utf-8").splitlines()
    rows = [f"{lines[0]},Instansi", *(f"{line},Pemerintah Kota Payakumbuh" for line in lines[1:])]
    rows[1] = rows[1].replace("Pemerintah Kota Payakumbuh", "Pemkab Lima Puluh Kota")
    again = tmp_path / "peserta-instansi.csv"
    again.write_text("\n".join(rows) + "\n", encoding="utf-8")
    done = run_here("participants", "import", str(again), "--update")
    assert done.exit_code == 0 and "0 participants added, 52 corrected." in done.stdout
    listed = {p["ID"]: p for p in json.loads(run_here("participants", "list", "--json").stdout)}
    assert listed["P0001"]["Instansi"] == "Pemkab Lima Puluh Kota"
    assert listed["P0002"]["Instansi"] == "Pemerintah Kota Payakumbuh"
    assert run_here("participants", "edit", "P0001", "--agency", "Pemerintah Kota Payakumbuh").exit_code == 0
    csv_text = run_here("participants", "list", "--format", "csv").stdout
    assert csv_text.splitlines()[0].split(",")[:9] == [
        "ID",
        "NIP",
        "Nama",
        "Jabatan",
        "Unit Kerja",
        "Kecamatan",
        "Instansi",
        "Email",
        "Kode",
    ]
    assert "Pemkab" not in csv_text
    assert run_here("report").exit_code == 0  # the pre-test is closed and scored
    report = (folder / "laporan" / "participants" / "P0002.html").read_text(encoding="utf-8")
    assert "<dt>Agency</dt><dd>Pemerintah Kota Payakumbuh</dd>" in report
