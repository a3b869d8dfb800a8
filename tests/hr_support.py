"""Event backups for the HR tests: one real backup of the worked example, rewritten into other events."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

MANIFEST = "manifest.json"


def rewrite_archive(
    source: Path,
    target: Path,
    *,
    event_id: str | None = None,
    created_at: str | None = None,
    edit: Callable[[str, dict], dict | None] | None = None,
    dates: str | None = None,
    schema_revision: str | None = None,
) -> Path:
    """A copy of the backup `source` at `target`: every row moved to `event_id`, the manifest's time set to
    `created_at`, each row passed through `edit(table, row)` (None drops it), the event file's dates
    `dates` (as YAML: "[2021-03-01, 2021-03-02]"); checksums and counts
    written anew, so that the copy is a valid backup."""
    with zipfile.ZipFile(source) as z:
        manifest = json.loads(z.read(MANIFEST))
        members = {name: z.read(name) for name in z.namelist() if name != MANIFEST}
    old = manifest["event_id"]
    if event_id is not None:
        manifest["event_id"] = event_id
    if created_at is not None:
        manifest["created_at"] = created_at
    if schema_revision is not None:
        manifest["schema_revision"] = schema_revision
    for table, entry in manifest["tables"].items():
        rows = [json.loads(line) for line in members[entry["member"]].decode().splitlines() if line]
        out = []
        for row in rows:
            key = "id" if table == "events" else "event_id"
            if row[key] == old and event_id is not None:
                row[key] = event_id
            if table == "events" and event_id is not None:
                row["title"] = f"{row['title']} ({event_id})"
            row = edit(table, row) if edit else row
            if row is not None:
                out.append(row)
        data = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in out).encode()
        members[entry["member"]] = data
        entry["rows"] = len(out)
        entry["sha256"] = hashlib.sha256(data).hexdigest()
    if (event_id is not None or dates is not None) and "files" in manifest:
        event_member = manifest["files"]["event"]["member"]
        text = members[event_member].decode().replace(f"id: {old}", f"id: {event_id or old}", 1)
        if dates is not None:
            text = re.sub(r"dates: \[[^\]]*\]", f"dates: {dates}", text, count=1)
        members[event_member] = text.encode()
        manifest["files"]["event"]["sha256"] = hashlib.sha256(members[event_member]).hexdigest()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        for name, data in members.items():
            z.writestr(name, data)
    return target


def changing_an_item(phase: str, index: int = 0):
    """An `edit` for rewrite_archive that rewords the `index`-th item of the form of `phase` (a new
    content hash: another item to HR), with the form's hash and its attempts' made anew. Returns
    (edit, the changed item's id, filled in once the form has been seen)."""
    from assess.forms import Form

    changed: dict[str, str] = {}

    def edit(table: str, row: dict) -> dict:
        if table == "forms" and row["phase_id"] == phase:
            form = Form.model_validate_json(row["snapshot"])
            item = form.items[index]
            items = list(form.items)
            items[index] = item.model_copy(update={"stem": item.stem + " (diperbarui)"})
            draft = form.model_copy(update={"items": items})
            new = Form.model_validate({**draft.model_dump(mode="json"), "hash": draft.content_hash()})
            changed.update(old=row["hash"], new=new.hash, item=item.id)
            return {**row, "snapshot": new.model_dump_json(), "hash": new.hash}
        if table == "attempts" and changed and row["form_hash"] == changed["old"]:
            return {**row, "form_hash": changed["new"]}
        return row

    return edit, changed
