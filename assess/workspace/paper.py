"""Paper on a workspace: a phase's booklets, answer sheets and key written as files, from its stored form."""

from __future__ import annotations

from pathlib import Path

from assess.delivery.omr.sheet import identity_kind
from assess.delivery.paper import booklet_html, key_html, sheets_html, variant_of
from assess.problems import Problem, ProblemsFound
from assess.sheets.write import private_file, private_folder
from assess.workspace import Workspace
from assess.workspace.files import BOOKLET_FILE, KEY_FILE, PERSONAL_SHEETS_FILE, SHEETS_FILE


def write_paper(
    ws: Workspace,
    phase_id: str,
    label: str | None = None,
    out_dir: Path | None = None,
    *,
    paper: str = "a4",
    personal: bool = False,
) -> list[Path]:
    """The booklets (one per variant, or only `label`), their blank answer sheets and the key of a phase's
    stored form; with `personal`, instead of blank sheets one sheet per participant, their name and id
    printed and in its QR code, the variants given in turn down the participant list (only `label`'s
    when given). The key is the last path.

    Every page is rendered before anything is written, so a problem writes nothing.
    """
    form = ws.form(phase_id)
    event = ws.loaded.event
    labels = [variant_of(form, label).label] if label is not None else [v.label for v in form.variants]
    people = ws.store.participants(ws.event_id)
    identity = identity_kind([p.nip for p in people])
    pages = {
        BOOKLET_FILE.format(phase=phase_id, variant=v): booklet_html(event, form, v, paper, identity)
        for v in labels
    }
    if personal:
        if not people:
            raise ProblemsFound([Problem("WORKSPACE-NO-PARTICIPANTS", {})])
        sheets = [(labels[k % len(labels)], person) for k, person in enumerate(people)]
        pages[PERSONAL_SHEETS_FILE.format(phase=phase_id)] = sheets_html(event, form, sheets, paper, identity)
    else:
        for v in labels:
            pages[SHEETS_FILE.format(phase=phase_id, variant=v)] = sheets_html(
                event, form, [(v, None)], paper, identity
            )
    pages[KEY_FILE.format(phase=phase_id)] = key_html(event, form, labels)
    folder = out_dir if out_dir is not None else ws.folder
    written = []
    try:
        private_folder(folder)
        for name, html in pages.items():
            path = folder / name
            private_file(path).write_text(html, encoding="utf-8")
            written.append(path)
    except OSError as e:
        raise ProblemsFound(
            [Problem("EXPORT-CANNOT-WRITE", {"reason": e.strerror or str(e)}, str(folder))]
        ) from None
    return written
