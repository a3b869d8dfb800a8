"""Paper on a workspace: a phase's booklets and key written as files, from its stored form."""

from __future__ import annotations

from pathlib import Path

from assess.delivery.paper import booklet_html, key_html, variant_of
from assess.problems import Problem, ProblemsFound
from assess.sheets.write import private_file, private_folder
from assess.workspace import Workspace
from assess.workspace.files import BOOKLET_FILE, KEY_FILE


def write_paper(
    ws: Workspace, phase_id: str, label: str | None = None, out_dir: Path | None = None
) -> list[Path]:
    """The booklets (one per variant, or only `label`) and the key of a phase's stored form.

    Every page is rendered before anything is written, so a problem writes nothing.
    """
    form = ws.form(phase_id)
    event = ws.loaded.event
    labels = [variant_of(form, label).label] if label is not None else [v.label for v in form.variants]
    pages = {BOOKLET_FILE.format(phase=phase_id, variant=v): booklet_html(event, form, v) for v in labels}
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
