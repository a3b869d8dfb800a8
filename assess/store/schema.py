"""The tables. Every row belongs to an event, so one PostgreSQL can hold many events.

People are named in files and reports by their internal `person_id`, never by
NIP or access code. Responses are kept per item (latest answer) with a history
of its changes (a repeat adds none; the web app bounds it per answer and per
attempt); results are recomputed from the responses.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = sa.String(100)
TEXT = sa.Text
WHEN = sa.DateTime()  # naive UTC everywhere; shown in the event's time zone


def _event() -> sa.Column:
    return sa.Column("event_id", ID, sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False)


events = sa.Table(
    "events",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("title", TEXT, nullable=False),
    sa.Column("time_zone", sa.String(64), nullable=False),
    sa.Column("created_at", WHEN, nullable=False),
)

units = sa.Table(
    "units",
    metadata,
    _event(),
    sa.Column("code", ID, nullable=False),
    sa.Column("name", TEXT, nullable=False),
    sa.PrimaryKeyConstraint("event_id", "code"),
)

groups = sa.Table(
    "groups",
    metadata,
    _event(),
    sa.Column("code", ID, nullable=False),
    sa.Column("name", TEXT, nullable=False),
    sa.PrimaryKeyConstraint("event_id", "code"),
)

persons = sa.Table(
    "persons",
    metadata,
    _event(),
    sa.Column("person_id", ID, nullable=False),
    sa.Column("name", TEXT, nullable=False),
    sa.Column("nip", sa.String(18)),  # optional: LPM, RT/RW members have none
    sa.Column("email", TEXT),
    sa.PrimaryKeyConstraint("event_id", "person_id"),
    sa.UniqueConstraint("event_id", "nip", name="uq_persons_event_nip"),
)

participations = sa.Table(
    "participations",
    metadata,
    _event(),
    sa.Column("person_id", ID, nullable=False),
    sa.Column("position", TEXT),
    sa.Column("unit_code", ID),
    sa.Column("group_code", ID),
    sa.Column("access_code", sa.String(32), nullable=False),
    sa.Column("agency", TEXT),  # the Instansi (the Pemerintah Kota or Kabupaten), as the list gives it
    # Taken out of the event after taking a test: rows and attempts kept, left out of every summary.
    sa.Column("removed_at", WHEN),
    sa.PrimaryKeyConstraint("event_id", "person_id"),
    sa.UniqueConstraint("event_id", "access_code", name="uq_participations_event_code"),
    sa.ForeignKeyConstraint(["event_id", "person_id"], ["persons.event_id", "persons.person_id"]),
    sa.ForeignKeyConstraint(["event_id", "unit_code"], ["units.event_id", "units.code"]),
    sa.ForeignKeyConstraint(["event_id", "group_code"], ["groups.event_id", "groups.code"]),
)

phases = sa.Table(
    "phases",
    metadata,
    _event(),
    sa.Column("phase_id", ID, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # not_open | open | closed
    sa.Column("opened_at", WHEN),
    sa.Column("closed_at", WHEN),
    sa.PrimaryKeyConstraint("event_id", "phase_id"),
)

forms = sa.Table(
    "forms",
    metadata,
    _event(),
    sa.Column("phase_id", ID, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("snapshot", TEXT, nullable=False),  # the Form as JSON
    sa.Column("built_at", WHEN, nullable=False),
    sa.PrimaryKeyConstraint("event_id", "phase_id"),
)

attempts = sa.Table(
    "attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _event(),
    sa.Column("person_id", ID, nullable=False),
    sa.Column("phase_id", ID, nullable=False),
    sa.Column("form_hash", sa.String(64), nullable=False),
    sa.Column("personal_order", sa.JSON, nullable=False),
    sa.Column("variant", sa.String(1)),  # paper variant, when on paper
    sa.Column("status", sa.String(16), nullable=False),  # in_progress | submitted | expired | superseded
    sa.Column("channel", sa.String(16), nullable=False),  # web | terminal | paper | import
    sa.Column("started_at", WHEN, nullable=False),
    sa.Column("deadline", WHEN),
    sa.Column("finished_at", WHEN),
    sa.Column("supersedes", sa.Integer, sa.ForeignKey("attempts.id")),
    sa.Column("next_seq", sa.Integer, nullable=False, server_default="1"),
    # The stored size of the attempt's answer_history (JSON characters), kept with every save.
    sa.Column("history_bytes", sa.Integer, nullable=False, server_default="0"),
    sa.ForeignKeyConstraint(["event_id", "person_id"], ["persons.event_id", "persons.person_id"]),
    sa.ForeignKeyConstraint(["event_id", "phase_id"], ["forms.event_id", "forms.phase_id"]),
    sa.Index("ix_attempts_event_phase_person", "event_id", "phase_id", "person_id"),
)

responses = sa.Table(
    "responses",
    metadata,
    _event(),
    sa.Column("attempt_id", sa.Integer, sa.ForeignKey("attempts.id"), nullable=False),
    sa.Column("item_id", ID, nullable=False),
    sa.Column("value", sa.JSON),  # null: blank
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("saved_at", WHEN, nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("versions", sa.Integer, nullable=False, server_default="0"),  # its rows in answer_history
    sa.PrimaryKeyConstraint("attempt_id", "item_id"),
    sa.Index("ix_responses_event", "event_id"),  # an event's rows found without reading every answer
)

answer_history = sa.Table(
    "answer_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _event(),
    sa.Column("attempt_id", sa.Integer, sa.ForeignKey("attempts.id"), nullable=False),
    sa.Column("item_id", ID, nullable=False),
    sa.Column("value", sa.JSON),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("saved_at", WHEN, nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Index("ix_answer_history_attempt", "attempt_id"),
    sa.Index("ix_answer_history_event", "event_id"),
)

essay_marks = sa.Table(
    "essay_marks",
    metadata,
    _event(),
    sa.Column("attempt_id", sa.Integer, sa.ForeignKey("attempts.id"), nullable=False),
    sa.Column("item_id", ID, nullable=False),
    sa.Column("level_id", ID, nullable=False),
    sa.Column("marker", TEXT),
    sa.Column("marked_at", WHEN, nullable=False),
    sa.Column("comment", TEXT),  # the marker's, for the participant's report (marked on the dashboard)
    sa.PrimaryKeyConstraint("attempt_id", "item_id"),
    sa.Index("ix_essay_marks_event", "event_id"),
)

results = sa.Table(
    "results",
    metadata,
    _event(),
    sa.Column("attempt_id", sa.Integer, sa.ForeignKey("attempts.id"), primary_key=True),
    sa.Column("phase_id", ID, nullable=False),
    sa.Column("person_id", ID, nullable=False),
    sa.Column("points", sa.Float, nullable=False),
    sa.Column("max_points", sa.Float, nullable=False),
    sa.Column("percentage", sa.Float, nullable=False),
    sa.Column("band", TEXT, nullable=False),
    sa.Column("passed", sa.Boolean),
    sa.Column("provisional", sa.Boolean, nullable=False),
    sa.Column("competencies", sa.JSON, nullable=False),
    sa.Column("items", sa.JSON, nullable=False),
    sa.Column("scored_at", WHEN, nullable=False),
    sa.Index("ix_results_event_person", "event_id", "person_id"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _event(),
    sa.Column("at", WHEN, nullable=False),
    sa.Column("actor", TEXT, nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("details", sa.JSON, nullable=False),
    sa.Index("ix_audit_log_event", "event_id"),
)

# Corrections after the test (assess.adjustments): the form never changes; these apply to its items
# when scoring. Numbered per phase (`n`), so that an undo's reference survives a restore beside other
# events; a backup carries them.
form_adjustments = sa.Table(
    "form_adjustments",
    metadata,
    _event(),
    sa.Column("phase_id", ID, nullable=False),
    sa.Column("n", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("item_id", ID, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # accept | full_credit | drop | points | undo
    sa.Column("value", sa.JSON),  # accept: the answers; points: the new maximum; undo: the n undone
    sa.Column("reason", TEXT, nullable=False),
    sa.Column("actor", TEXT, nullable=False),
    sa.Column("at", WHEN, nullable=False),
    sa.PrimaryKeyConstraint("event_id", "phase_id", "n"),
)

# Keys made for one event, kept with its data (a backup carries them): "orders" keys the personal
# orders and the default form seeds, so nothing a participant sees lets them compute an order.
event_secrets = sa.Table(
    "event_secrets",
    metadata,
    _event(),
    sa.Column("purpose", sa.String(32), nullable=False),
    sa.Column("secret", sa.String(128), nullable=False),  # hex
    sa.Column("created_at", WHEN, nullable=False),
    sa.PrimaryKeyConstraint("event_id", "purpose"),
)

# Who is logged in, on which device: the cookie carries a random token, the row its SHA-256 (a copy of
# the database opens no session). Ending a row ends the session at once; a backup never carries them.
web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    _event(),
    sa.Column("kind", sa.String(16), nullable=False),  # participant | trainer | known_device
    sa.Column("person_id", ID),  # the participant's; null for the trainer
    sa.Column("created_at", WHEN, nullable=False),
    sa.Column("last_seen", WHEN, nullable=False),
    sa.Column("address", sa.String(64), nullable=False),
    sa.Column("device", sa.String(120), nullable=False),  # the browser, as its User-Agent names it
    sa.Column("ended_at", WHEN),
    sa.Column("ended_why", sa.String(32)),  # logout | leave | password | new_code | ended_by_trainer
    sa.Index("ix_web_sessions_event_person", "event_id", "kind", "person_id"),
)

# Counted tries against the web app's limits (joins per address and per code, the trainer's password
# checks and failed logins), in the store so that every worker process of `assess serve` counts the same
# ones. Rows older than their window are swept; a backup never carries them.
web_tries = sa.Table(
    "web_tries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _event(),
    sa.Column("kind", sa.String(16), nullable=False),  # join_address | join_code | password | login_failed
    sa.Column("key", sa.String(64), nullable=False),  # the address or the code ('' for a global budget)
    sa.Column("at", WHEN, nullable=False),
    sa.Index("ix_web_tries_event_kind_key", "event_id", "kind", "key", "at"),
)

# -- the HR workspace (assess.hr): events added from their backups or another database, and the
# people joined across them. These rows are the HR database's own: an event's backup never carries them.

# An event added to the HR database: where it came from and what it was when added (`fingerprint`: the
# SHA-256 of its rows, the same for a backup and for the database it was written from).
hr_events = sa.Table(
    "hr_events",
    metadata,
    sa.Column("event_id", ID, sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("source", sa.String(16), nullable=False),  # backup | database | here (assess.store.hr)
    sa.Column(
        "origin", TEXT, nullable=False
    ),  # the backup's file name, or the database's URL without password
    sa.Column("source_time", WHEN, nullable=False),  # when the backup was written, or the database read
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("starts_on", sa.Date),  # the event's first and last day (assessment.yaml, else its attempts)
    sa.Column("ends_on", sa.Date),
    sa.Column("event_file", TEXT),  # its assessment.yaml, when the backup carried it
    sa.Column("added_at", WHEN, nullable=False),
)

# A person across events: one per NIP; a participant without a NIP is a person of their own until the
# HR officer merges them (assess hr people merge).
hr_people = sa.Table(
    "hr_people",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("nip", sa.String(18), unique=True),
    sa.Column("name", TEXT, nullable=False),  # as the event that made it gives it
    # Merged into another person by the HR officer: kept (its NIP still finds the person), without links.
    sa.Column("merged_into", sa.Integer, sa.ForeignKey("hr_people.id")),
    sa.Column("created_at", WHEN, nullable=False),
)

# Which person each event's participant is, and why: by NIP, their own (no NIP), or by an HR command.
hr_links = sa.Table(
    "hr_links",
    metadata,
    sa.Column("event_id", ID, sa.ForeignKey("hr_events.event_id", ondelete="CASCADE"), nullable=False),
    sa.Column("person_id", ID, nullable=False),  # the event's own id (P0007)
    sa.Column("hr_person_id", sa.Integer, sa.ForeignKey("hr_people.id"), nullable=False),
    sa.Column("how", sa.String(16), nullable=False),  # nip | own | merged | split
    sa.PrimaryKeyConstraint("event_id", "person_id"),
    sa.Index("ix_hr_links_hr_person_id", "hr_person_id"),
)

# What HR commands changed, each undoable from its details.
hr_audit = sa.Table(
    "hr_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", WHEN, nullable=False),
    sa.Column("actor", TEXT, nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("details", sa.JSON, nullable=False),
    sa.Column("undone_at", WHEN),
)

# Performance ratings by NIP and year (assess hr ratings import): an SKP predicate or a number.
hr_ratings = sa.Table(
    "hr_ratings",
    metadata,
    sa.Column("nip", sa.String(18), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column(
        "predicate", sa.String(32)
    ),  # sangat-baik | baik | butuh-perbaikan | cukup | kurang | sangat-kurang
    sa.Column("value", sa.Float),  # a number, where the file gave one
    sa.Column("source", TEXT, nullable=False),  # the file's name
    sa.Column("imported_at", WHEN, nullable=False),
    sa.PrimaryKeyConstraint("nip", "year"),
)

# The organisation's people now (assess hr roster import): position and unit as they are today.
hr_roster = sa.Table(
    "hr_roster",
    metadata,
    sa.Column("nip", sa.String(18), primary_key=True),
    sa.Column("name", TEXT, nullable=False),
    sa.Column("position", TEXT),
    sa.Column("unit", TEXT),
    sa.Column("parent_unit", TEXT),
    sa.Column("birth_date", sa.Date),
    sa.Column("source", TEXT, nullable=False),
    sa.Column("imported_at", WHEN, nullable=False),
)

# Unit names joined by the HR officer (assess hr units merge): a name's key -> the unit's name it is.
hr_unit_aliases = sa.Table(
    "hr_unit_aliases",
    metadata,
    sa.Column("alias_key", sa.String(200), primary_key=True),
    sa.Column("unit", TEXT, nullable=False),
    sa.Column("created_at", WHEN, nullable=False),
)

# Calibrations (assess hr calibrate): each run puts every added event's results on one scale. A run after
# the first fixes the thresholds of the items it shares with the run before (same id and content hash),
# so that earlier measures do not move; the reported scale 500 + 100 (theta - m) / s keeps the first
# run's m and s.
hr_runs = sa.Table(
    "hr_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", WHEN, nullable=False),
    sa.Column("anchored_to", sa.Integer, sa.ForeignKey("hr_runs.id")),  # the run whose items were fixed
    sa.Column("scale_mean", sa.Float, nullable=False),  # m: the first run's persons' mean theta
    sa.Column("scale_sd", sa.Float, nullable=False),  # s: their standard deviation
    sa.Column("events", sa.JSON, nullable=False),  # the events calibrated
    sa.Column("persons", sa.Integer, nullable=False),
    sa.Column("items", sa.Integer, nullable=False),
    sa.Column("anchored_items", sa.Integer, nullable=False),
    sa.Column("iterations", sa.Integer, nullable=False),
    sa.Column("notes", sa.JSON, nullable=False),  # items left out, with why
)

hr_run_items = sa.Table(
    "hr_run_items",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("hr_runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("item_id", ID, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("categories", sa.JSON, nullable=False),  # the points each category stands for, lowest first
    sa.Column("thresholds", sa.JSON, nullable=False),
    sa.Column("threshold_se", sa.JSON, nullable=False),  # null where anchored (the earlier run's stand)
    sa.Column("location", sa.Float, nullable=False),
    sa.Column("infit", sa.Float),
    sa.Column("outfit", sa.Float),
    sa.Column("anchored", sa.Boolean, nullable=False),
    sa.Column("answers", sa.Integer, nullable=False),  # results that gave the item
    sa.PrimaryKeyConstraint("run_id", "item_id", "content_hash"),
)

hr_run_measures = sa.Table(
    "hr_run_measures",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("hr_runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("event_id", ID, nullable=False),
    sa.Column("phase_id", ID, nullable=False),
    sa.Column("person_id", ID, nullable=False),  # the event's own
    sa.Column("theta", sa.Float),  # Warm's measure; null for a result without a calibrated item
    sa.Column("se", sa.Float),
    sa.Column("scaled", sa.Float),  # 500 + 100 (theta - m) / s
    sa.Column("percentage", sa.Float, nullable=False),  # the result's percent correct, always beside it
    sa.PrimaryKeyConstraint("run_id", "event_id", "phase_id", "person_id"),
)
