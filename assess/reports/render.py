"""Write the reports of an event into a folder, all at once: index.html, cohort.html, items.html and
participants/<id>.html (the internal id: never the NIP or the access code).

Everything is written into a fresh folder beside the target first, then put in
place: a failure leaves the previous reports as they were. The target must
be missing, empty, or a folder of reports written before (it carries a
marker file); anything else is refused rather than overwritten.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from pathlib import Path

from assess.problems import Problem, ProblemsFound
from assess.reports.context import EventData, index_context, load, named_report_files, participant_context
from assess.reports.context_cohort import cohort_context
from assess.reports.items import write_items_report
from assess.sheets.write import private_file, private_folder
from assess.templating import environment, render
from assess.workspace import Workspace, now
from assess.workspace.files import REPORTS_MARKER

PARTICIPANTS = "participants"
SUMMARIES, ALL_SUMMARIES = "ringkasan", "ringkasan.html"


def check_target(out: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / REPORTS_MARKER).exists())):
        raise ProblemsFound([Problem("REPORTS-OUT-NOT-EMPTY", {}, str(out))])


def _write(path: Path, text: str) -> None:
    with private_file(path).open("w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_reports(
    ws: Workspace,
    out: Path,
    written_at: dt.datetime | None = None,
    *,
    summary: bool = False,
    name_files: bool = False,
) -> Path:
    """Every report of the event into `out`; returns the path of its index.html. With `summary`, also
    one page per participant: ringkasan/<id>.html, and all of them in ringkasan.html (a page each).
    With `name_files`, a participant's files are named by their name and NIP instead of their id."""
    out = Path(out)
    check_target(out)
    data = load(ws)
    if name_files:
        data.report_files = named_report_files(data.people)
    env = environment()
    private_folder(out.parent)
    tmp = out.parent / f".{out.name}.tmp-{secrets.token_hex(4)}"
    try:
        private_folder(tmp / PARTICIPANTS)
        _write(tmp / REPORTS_MARKER, "assess report\n")
        template = env.get_template("report/participant.html")
        lang = data.lang
        contexts = []
        for person in data.people:
            context = participant_context(data, person)
            contexts.append((person, context))
            html = template.render(lang=lang, **context)
            _write(tmp / PARTICIPANTS / data.report_file(person.person_id), html)
        if summary:
            _summaries(env, tmp, contexts, lang, data)
        _write(
            tmp / "cohort.html",
            env.get_template("report/cohort.html").render(lang=lang, **cohort_context(data)),
        )
        has_items = _items_report(ws, tmp)
        index = index_context(data, has_items=has_items, written_at=written_at or now())
        _write(tmp / "index.html", env.get_template("report/index.html").render(lang=lang, **index))
        _replace(tmp, out)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ProblemsFound(
            [Problem("REPORTS-CANNOT-WRITE", {"reason": e.strerror or str(e)}, str(out))]
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out / "index.html"


def _summaries(env, folder: Path, contexts: list, lang: str, data: EventData) -> None:
    """One page per participant, each alone and all together (to print the cohort's in one go)."""
    template = env.get_template("report/summary.html")
    private_folder(folder / SUMMARIES)
    for person, context in contexts:
        html = template.render(lang=lang, title=f"{person.name} · {data.title}", sheets=[context])
        _write(folder / SUMMARIES / data.report_file(person.person_id), html)
    every = template.render(lang=lang, title=data.title, sheets=[c for _p, c in contexts])
    _write(folder / ALL_SUMMARIES, every)


def _items_report(ws: Workspace, folder: Path) -> bool:
    """The item report; whether items.html was written."""
    write_items_report(ws, folder)
    return (folder / "items.html").is_file()


def participant_report_html(ws: Workspace, person_id: str, lobby: str | None = None) -> str | None:
    """A participant's own report, as the review policies allow it now, its one link back to `lobby`
    (on a phone there is no folder of reports to go back to); None for no such participant."""
    data = load(ws)
    found = next((p for p in data.people if p.person_id == person_id), None)
    if found is None:
        return None
    return render("report/participant.html", lobby=lobby, **participant_context(data, found))


def _replace(new: Path, out: Path) -> None:
    """Put the freshly written folder in the place of `out` (two renames: never half of each)."""
    if not out.exists():
        os.replace(new, out)
        return
    old = out.parent / f".{out.name}.old-{secrets.token_hex(4)}"
    os.replace(out, old)
    try:
        os.replace(new, out)
    except OSError:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
