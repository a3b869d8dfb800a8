"""Events into the HR database: from a trainer's backup, or from another database (assess hr add), listed
and removed.

Both ways are idempotent: an event's rows have a fingerprint (the SHA-256 of each table's rows as a
backup writes them), the same for a backup and for the database it was written from; adding the same
rows again changes nothing. A newer backup of an event (or the event's database read again, changed)
replaces the HR database's copy in one transaction; an older backup than the one added is refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Mapping, Sequence
from pathlib import Path

import sqlalchemy as sa
import yaml
from alembic.runtime.migration import MigrationContext

from assess.problems import Problem, ProblemsFound
from assess.store import dump
from assess.store import hr as hr_store
from assess.store.engine import make_engine, normalise_url
from assess.store.records import StoreError
from assess.workspace.backup import member_bytes, read_backup

ACTOR = "hr"


def fingerprint(rows: Mapping[str, Sequence[dict]]) -> str:
    """SHA-256 over every table's rows, encoded as a backup's members are."""
    digest = hashlib.sha256()
    for table in dump.TABLES:
        member = hashlib.sha256(member_bytes(table, list(rows.get(table.name, ())))).hexdigest()
        digest.update(f"{table.name}:{member}\n".encode())
    return digest.hexdigest()


def add_backup(engine: sa.Engine, path: Path) -> hr_store.Put:
    """The event of a backup (checked whole first) into the HR database."""
    archive = read_backup(path)
    created = _manifest_time(archive.manifest.get("created_at"))
    event_file = archive.files.get(archive.manifest.get("files", {}).get("event", {}).get("member", ""))
    text = event_file.decode("utf-8", errors="replace") if event_file is not None else None
    earlier = hr_store.stored_source(engine, archive.event_id)
    rows_print = fingerprint(archive.rows)
    if (
        earlier is not None
        and earlier.fingerprint != rows_print
        and earlier.source in (hr_store.BACKUP, hr_store.DATABASE)
        and created is not None
        and created < earlier.source_time
    ):
        raise ProblemsFound(
            [
                Problem(
                    "HR-BACKUP-OLDER",
                    {
                        "event": archive.event_id,
                        "written": created.isoformat(),
                        "added": earlier.source_time.isoformat(),
                    },
                    str(path),
                )
            ]
        )
    starts, ends = event_days(archive.rows, text)
    source = hr_store.EventSource(
        hr_store.BACKUP, path.name, created or _now(), rows_print, starts, ends, text
    )
    return _put(engine, archive.event_id, archive.rows, source, str(path))


def add_from_database(engine: sa.Engine, url: str, event_id: str) -> hr_store.Put:
    """The event of another database (read in one snapshot, never written) into the HR database. The HR
    database itself: the event's rows stay where they are, and are registered."""
    try:
        given = sa.engine.make_url(normalise_url(url))
    except sa.exc.ArgumentError as e:
        raise ProblemsFound([Problem("HR-SOURCE-UNREADABLE", {"reason": str(e)}, url)]) from None
    here = _same_database(engine, url)
    origin = given.render_as_string(hide_password=True)
    if given.get_backend_name() == "sqlite" and not (given.database and Path(given.database).is_file()):
        raise ProblemsFound([Problem("FILE-NOT-FOUND", {}, given.database or origin)])  # never made empty
    try:
        source_engine = engine if here else make_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as e:
        raise ProblemsFound([Problem("HR-SOURCE-UNREADABLE", {"reason": str(e)}, origin)]) from None
    try:
        with source_engine.connect() as c:
            revision = MigrationContext.configure(c).get_current_revision()
        if revision is None:
            raise ProblemsFound([Problem("HR-SOURCE-NOT-ASSESS", {}, origin)])
        if not dump.same_event_rows(revision):
            head = dump.schema_head()
            raise ProblemsFound([Problem("HR-SOURCE-SCHEMA", {"revision": revision, "head": head}, origin)])
        snapshot = dump.read_event(source_engine, event_id)
    except (sa.exc.DatabaseError, sa.exc.NoSuchModuleError, ImportError) as e:
        if (
            isinstance(e, sa.exc.OperationalError)
            and "unable to open" not in str(e)
            and "no such table" not in str(e)
        ):
            raise  # unreachable: the environment (exit 3)
        reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
        raise ProblemsFound([Problem("HR-SOURCE-UNREADABLE", {"reason": reason}, origin)]) from None
    finally:
        if not here:
            source_engine.dispose()
    if len(snapshot.rows["events"]) != 1 or not any(
        snapshot.rows[name] for name in ("persons", "phases", "attempts")
    ):
        raise ProblemsFound([Problem("HR-SOURCE-NO-EVENT", {"event": event_id}, origin)])
    starts, ends = event_days(snapshot.rows, None)
    kind = hr_store.HERE if here else hr_store.DATABASE
    source = hr_store.EventSource(kind, origin, _now(), fingerprint(snapshot.rows), starts, ends, None)
    return _put(engine, event_id, None if here else snapshot.rows, source, origin)


def _put(engine: sa.Engine, event_id: str, rows, source: hr_store.EventSource, where: str) -> hr_store.Put:
    try:
        return hr_store.put_event(engine, event_id, rows, source, ACTOR)
    except StoreError as e:
        raise ProblemsFound([Problem(e.code, e.params, where)]) from None
    except (sa.exc.IntegrityError, sa.exc.DataError) as e:
        reason = str(e.orig or e).strip().splitlines()[0]
        raise ProblemsFound([Problem("BACKUP-RESTORE-FAILED", {"reason": reason}, where)]) from None


def _same_database(engine: sa.Engine, url: str) -> bool:
    mine, theirs = engine.url, sa.engine.make_url(normalise_url(url))
    if mine.get_backend_name() != theirs.get_backend_name():
        return False
    if mine.get_backend_name() == "sqlite":
        return (
            bool(mine.database and theirs.database)
            and Path(mine.database).resolve() == Path(theirs.database).resolve()
        )
    return (mine.host, mine.port or 5432, mine.database) == (
        theirs.host,
        theirs.port or 5432,
        theirs.database,
    )


def _manifest_time(text: object) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def event_days(
    rows: Mapping[str, Sequence[dict]], event_file: str | None
) -> tuple[dt.date | None, dt.date | None]:
    """The event's first and last day: its assessment.yaml's `event.dates`, else the days (in the
    event's time zone) its attempts started on."""
    days = _file_days(event_file)
    if days:
        return min(days), max(days)
    events = rows.get("events") or [{}]
    try:
        zone = zoneinfo.ZoneInfo(events[0].get("time_zone") or "Asia/Jakarta")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("Asia/Jakarta")
    started = [
        a["started_at"].replace(tzinfo=dt.UTC).astimezone(zone).date()
        for a in rows.get("attempts", ())
        if isinstance(a.get("started_at"), dt.datetime)
    ]
    return (min(started), max(started)) if started else (None, None)


def _file_days(text: str | None) -> list[dt.date]:
    """The dates of an assessment.yaml's `event.dates`, read leniently (the file of an older version)."""
    if not text:
        return []
    try:
        data = yaml.safe_load(text)
        dates = data["event"]["dates"]
    except (yaml.YAMLError, TypeError, KeyError):
        return []
    found = []
    for value in dates if isinstance(dates, list) else []:
        if isinstance(value, dt.date):
            found.append(value)
        elif isinstance(value, str):
            try:
                found.append(dt.date.fromisoformat(value))
            except ValueError:
                continue
    return found


def list_events(engine: sa.Engine) -> list[hr_store.AddedEvent]:
    """The added events, each with its phases in its assessment.yaml's order where the backup carried it
    (forms built in one second have no order of their own)."""
    events = []
    for added in hr_store.added_events(engine):
        source = hr_store.stored_source(engine, added.event_id)
        events.append(
            dataclasses.replace(
                added, phases=phase_order(added.phases, source.event_file if source else None)
            )
        )
    return events


def phase_order(phases: tuple[str, ...], event_file: str | None) -> tuple[str, ...]:
    """`phases` in the order the event file lists them (those it does not name last)."""
    try:
        listed = [p.get("id") for p in yaml.safe_load(event_file or "")["phases"] if isinstance(p, dict)]
    except (yaml.YAMLError, TypeError, KeyError):
        return phases
    rank = {phase: n for n, phase in enumerate(listed)}
    return tuple(sorted(phases, key=lambda p: rank.get(p, len(rank))))  # stable: the rest as given


def remove_event(engine: sa.Engine, event_id: str) -> None:
    if not hr_store.remove_event(engine, event_id, ACTOR):
        known = ", ".join(e.event_id for e in hr_store.added_events(engine)) or "-"
        raise ProblemsFound([Problem("HR-EVENT-UNKNOWN", {"event": event_id, "known": known})])
