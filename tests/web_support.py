"""Workspaces and clients for the web app's tests: the worked example, and a bank seeded with markers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from assess.cli import cli
from assess.i18n import set_language
from assess.web import create_app
from assess.workspace import Workspace, choose

ROOT = Path(__file__).resolve().parents[1]
CONTOH = ROOT / "tests" / "fixtures" / "banks" / "contoh.yaml"
PASSWORD = "kata-sandi-pelatih"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# Unique strings that must never reach a participant before the review policy allows it.
MARKERS = {
    "explanation": "PENANDA-PENJELASAN-7Q2",
    "source": "PENANDA-SUMBER-4K9",
    "accepted": "PENANDA-JAWABAN-DITERIMA-3X8",
    "model_answer": "PENANDA-JAWABAN-MODEL-5W1",
    "rubric": "PENANDA-RUBRIK-8M4",
}
# Weighted options' points: numbers found nowhere else on a page.
WEIGHTED_POINTS = [1.4142, 2.7183, 3.1416, 4.6692, 0.5772]
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def cli_run(*args: str, env: dict | None = None):
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    set_language(None)
    assert result.exit_code == 0, result.output
    return result


def example_workspace(folder: Path) -> Path:
    """`assess init --example payakumbuh-2019`, its participants imported, a trainer password set."""
    cli_run("init", "--example", "payakumbuh-2019", str(folder))
    cli_run("-w", str(folder), "participants", "import", str(folder / "peserta.csv"))
    cli_run("-w", str(folder), "trainer-password", env={"ASSESS_TRAINER_PASSWORD": PASSWORD})
    return folder


def marker_workspace(folder: Path, *, time_limit: int | None = 30) -> Path:
    """One item of every type with markers in explanations, sources, accepted answers, model answers and
    rubrics; hostile HTML in stems, options and a participant's name; two phases (the post-test reuses
    the items, so the default policy hides keys until it closes)."""
    bank = yaml.safe_load(CONTOH.read_text(encoding="utf-8"))
    bank["id"] = "penanda"
    for item in bank["items"]:
        item["id"] = item["id"].replace("contoh", "penanda")
        item["explanation"] = f"{item.get('explanation', '')} {MARKERS['explanation']}"
        item["source"] = [*item.get("source", []), "penanda-sumber"]
        item["stem"] = f"{item['stem']} {HOSTILE}"
        item.pop("translations", None)
        item.pop("lint_ignore", None)
        if item["type"] == "short_answer":
            item["accepted"].append({"text": MARKERS["accepted"]})
        if item["type"] == "weighted_options":
            for option, points in zip(item["options"], WEIGHTED_POINTS, strict=False):
                option["points"] = points
        if item["type"] == "essay":
            item["model_answer"] = MARKERS["model_answer"]
            for level in item["rubric"]:
                level["description"] = MARKERS["rubric"]
        if item["type"] == "single_choice":
            item["options"][0]["text"] += " " + HOSTILE
    banks = folder / "bank"
    banks.mkdir(parents=True)
    (banks / "penanda.yaml").write_text(yaml.safe_dump(bank, allow_unicode=True, sort_keys=False), "utf-8")
    sources = {
        "kind": "sources",
        "id": "sumber-penanda",
        "title": "Sumber penanda",
        "sources": [
            {
                "id": "penanda-sumber",
                "kind": "other",
                "citation": MARKERS["source"],
                "quote": MARKERS["source"],
                "mark": "P",
                "confirmed": "test",
            }
        ],
    }
    (banks / "sumber.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True), "utf-8")
    limit = f"\n    time_limit_minutes: {time_limit}" if time_limit else ""
    (folder / "assessment.yaml").write_text(
        f"""kind: assessment
event: {{id: penanda, title: "Uji penanda {HOSTILE.replace('"', "'")}", dates: [2026-11-28]}}
banks: [bank]
phases:
  - id: pre
    title: Tes awal{limit}
    grace_seconds: 30
    blueprint:
      cells:
        - {{competency: T.01, count: 8}}
        - {{competency: M.05, count: 1}}
  - id: post
    title: Tes akhir{limit}
    same_items: pre
web:
  join_limits: {{per_address_per_minute: 600, per_code_per_minute: 10}}
""",
        encoding="utf-8",
    )
    (folder / "peserta.csv").write_text(
        "NIP,Nama,Jabatan,Unit Kerja\n"
        f'197004161994041011,"Ani {HOSTILE.replace(chr(34), chr(39))}",Lurah,Kelurahan Ibuh\n'
        "197311111999071010,Budi,Lurah,Kelurahan Balai Nan Duo\n",
        encoding="utf-8",
    )
    cli_run("-w", str(folder), "participants", "import", str(folder / "peserta.csv"))
    cli_run("-w", str(folder), "trainer-password", env={"ASSESS_TRAINER_PASSWORD": PASSWORD})
    return folder


def set_web(folder: Path, *lines: str) -> None:
    """Add settings to the `web:` section of the workspace's assessment.yaml (one is made if it has none)."""
    path = folder / "assessment.yaml"
    text = path.read_text(encoding="utf-8")
    settings = "".join(f"  {line}\n" for line in lines)
    text = (
        text.replace("\nweb:\n", "\nweb:\n" + settings, 1)
        if "\nweb:\n" in text
        else text + "\nweb:\n" + settings
    )
    path.write_text(text, encoding="utf-8")


def copy_workspace(template: Path, folder: Path) -> Path:
    shutil.copytree(template, folder)
    return folder


def open_workspace(folder: Path) -> Workspace:
    return Workspace(*choose(str(folder), None))


class Client:
    """A browser-like client of the app: keeps cookies, sends the page's CSRF token with each post."""

    def __init__(self, app, address: str = "127.0.0.1"):
        self.http = app.test_client()
        self.address = address
        self.token = ""
        self.seen: list[tuple[str, str]] = []  # (url, body) of every response, for the marker walk

    def _record(self, url: str, response):
        body = response.get_data(as_text=True)
        self.seen.append((url, body))
        found = CSRF.search(body)
        if found:
            self.token = found.group(1)
        return response

    def get(self, url: str, **kw):
        kw.setdefault("environ_base", {"REMOTE_ADDR": self.address})
        return self._record(url, self.http.get(url, **kw))

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token)
        kw.setdefault("environ_base", {"REMOTE_ADDR": self.address})
        return self._record(url, self.http.post(url, data=data, **kw))

    def follow(self, response):
        """GET where a redirect points."""
        return self.get(response.location)


def answer_form(q: dict) -> dict:
    """An answer for the question page `q` (question_page.question), as a browser without JavaScript posts it."""
    if q["layout"] == "radio":
        return {"answer": q["options"][-1]["value"]}
    if q["layout"] == "checkbox":
        return {"answer": [q["options"][0]["value"], q["options"][2]["value"]]}
    if q["layout"] == "matching":
        return {p["field"]: q["options"][k % len(q["options"])]["value"] for k, p in enumerate(q["prompts"])}
    if q["layout"] == "ordering":
        n = len(q["options"])
        return {o["field"]: str(n - k) for k, o in enumerate(q["options"])}  # the shown order, reversed
    return {"answer": "2,5" if q["numeric"] else "jawaban <b>saya</b>"}


def make_app(ws: Workspace, **config):
    return create_app(ws, config)


def trainer_client(app) -> Client:
    t = Client(app, "127.0.0.9")
    t.get("/trainer/login")
    assert t.post("/trainer/login", {"password": PASSWORD}).status_code == 302
    t.get("/trainer/")
    return t


def participant_client(app, code: str, address: str = "127.0.0.2") -> Client:
    c = Client(app, address)
    c.get("/join")
    response = c.post("/join", {"code": code})
    assert response.status_code == 302, response.get_data(as_text=True)
    c.get("/lobby")
    return c
