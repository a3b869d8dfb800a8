"""The participants of a workspace: the file read and added, all or nothing, and the template to fill in."""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path

from assess.delivery.cards import cards_html
from assess.participants import (
    TEMPLATE_HEADERS,
    EditPlan,
    ImportPlan,
    UpdatePlan,
    next_person_number,
    plan_edit,
    plan_import,
    plan_update,
)
from assess.problems import Problem, ProblemsFound
from assess.sheets.read import CSV_SUFFIXES, read_table
from assess.sheets.write import private_file
from assess.store.store import SUPERSEDED, StoreError
from assess.workspace import Workspace
from assess.workspace.files import CARDS_FILE

TEMPLATE_ROWS = 500  # rows of the template whose NIP cells are formatted as text
TEMPLATE_WIDTHS = (22, 32, 24, 30, 24, 30)


def import_participants(ws: Workspace, path: Path) -> ImportPlan:
    """Read a participants file and add everyone in it, all or nothing."""
    existing, so_far = _event_so_far(ws)
    plan = plan_import(
        read_table(path),
        file=str(path),
        existing_nips={p.nip for p in existing if p.nip},
        existing_names_without_nip=frozenset(p.name.casefold() for p in existing if not p.nip),
        **so_far,
    )
    ws.store.add_participants(ws.event_id, plan.people, plan.new_units, plan.new_groups)
    return plan


def _event_so_far(ws: Workspace) -> tuple[list, dict]:
    """The event's participants, and what a list's plan needs of the event: its units, groups and
    access codes, the next participant number, and where new codes come from."""
    store, event_id = ws.store, ws.event_id
    existing = store.participants(event_id)
    return existing, {
        "existing_units": store.units(event_id),
        "existing_groups": store.groups(event_id),
        "existing_codes": {p.access_code for p in existing},
        "next_number": next_person_number(p.person_id for p in existing),
        "rng": secrets.SystemRandom(),
    }


def update_participants(ws: Workspace, path: Path, *, dry_run: bool, actor: str) -> UpdatePlan:
    """Read a participants file again: add the new, correct the changed (matched by NIP, else by ID),
    all or nothing; with `dry_run`, only the plan."""
    existing, so_far = _event_so_far(ws)
    plan = plan_update(
        read_table(path), file=str(path), existing=[dataclasses.asdict(p) for p in existing], **so_far
    )
    if not dry_run:
        updates = [(u.person_id, u.person, u.participation) for u in plan.updates]
        ws.store.add_participants(ws.event_id, plan.people, plan.new_units, plan.new_groups, updates, actor)
    return plan


def write_template(path: Path) -> None:
    """A participants template: a CSV header line when `path` ends in .csv, else an XLSX
    whose NIP column is formatted as text (a number would keep only 15 digits of 18)."""
    if path.suffix.lower() in CSV_SUFFIXES:
        # With a byte-order mark, Excel opens the file as UTF-8.
        private_file(path).write_text(
            "\ufeff" + ",".join(TEMPLATE_HEADERS) + "\r\n", encoding="utf-8", newline=""
        )
        return
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Peserta"
    sheet.append(list(TEMPLATE_HEADERS))
    for i, width in enumerate(TEMPLATE_WIDTHS, start=1):
        sheet.cell(1, i).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(i)].width = width
    nip = get_column_letter(TEMPLATE_HEADERS.index("NIP") + 1)
    sheet.column_dimensions[nip].number_format = "@"
    for line in range(1, TEMPLATE_ROWS + 1):
        sheet[f"{nip}{line}"].number_format = "@"
    sheet.freeze_panes = "A2"
    book.save(private_file(path))


def write_cards(ws: Workspace, base_url: str, path: Path | None = None) -> tuple[Path, int]:
    """Every participant's access-code card, with the join address at `base_url`; the file and the count."""
    people = ws.store.participants(ws.event_id)
    if not people:
        raise ProblemsFound([Problem("WORKSPACE-NO-PARTICIPANTS", {})])
    html = cards_html(ws.loaded.event.event.title, base_url, people, ws.store.units(ws.event_id))
    path = path or ws.folder / CARDS_FILE
    private_file(path).write_text(html, encoding="utf-8")
    return path, len(people)


LIST_COLUMNS = ("ID", "NIP", "Nama", "Jabatan", "Unit Kerja", "Kecamatan", "Instansi", "Email", "Kode")


def participant_list(ws: Workspace) -> tuple[list[str], list[dict[str, str]]]:
    """The event's participants as `assess participants list` shows them: the columns (the import's
    headers, so that the CSV imports again, the id first; then the access code and one column per phase
    with the participant's attempt's status), and a row each, by id."""
    units, groups = ws.store.units(ws.event_id), ws.store.groups(ws.event_id)
    phases = [p.id for p in ws.loaded.event.phases]
    status: dict[tuple[str, str], str] = {}
    for a in ws.store.attempts(ws.event_id):
        if a.status != SUPERSEDED:
            status[(a.person_id, a.phase_id)] = a.status
    rows = []
    for p in sorted(ws.store.participants(ws.event_id), key=lambda p: p.person_id):
        values = (
            p.person_id,
            p.nip,
            p.name,
            p.position,
            units.get(p.unit_code or ""),
            groups.get(p.group_code or ""),
            p.agency,
        )
        row = dict(zip(LIST_COLUMNS, (*(v or "" for v in values), p.email or "", p.access_code), strict=True))
        rows.append(row | {phase: status.get((p.person_id, phase), "") for phase in phases})
    return [*LIST_COLUMNS, *phases], rows


def edit_participant(ws: Workspace, person_id: str, given: dict[str, str], actor: str) -> EditPlan:
    """Correct one participant with the values `given` (column -> text), each checked as the import checks
    it; the reports show the correction when they are written again."""
    people = ws.store.participants(ws.event_id)
    if person_id not in {p.person_id for p in people}:
        raise ProblemsFound([Problem("STORE-NO-PARTICIPANT", {"person": person_id})])
    plan = plan_edit(
        given,
        existing_units=ws.store.units(ws.event_id),
        existing_groups=ws.store.groups(ws.event_id),
        nips_of_others={p.nip for p in people if p.nip and p.person_id != person_id},
    )
    ws.store.update_participant(
        ws.event_id, person_id, plan.person, plan.participation, plan.new_units, plan.new_groups, actor
    )
    return plan


def remove_participant(
    ws: Workspace, person_id: str, now, actor: str, *, with_attempts: bool = False
) -> None:
    """Take a participant out of the event (see Store.remove_participant), or a problem saying why not."""
    try:
        ws.store.remove_participant(ws.event_id, person_id, now, actor, with_attempts=with_attempts)
    except StoreError as e:
        raise ProblemsFound([Problem(e.code, e.params)]) from None
