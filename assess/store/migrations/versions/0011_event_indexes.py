"""an index on event_id of the tables with no other way to an event's rows (responses, answer history,
essay marks, audit log): replacing or removing one event of an HR database of 3 million answers read
every answer twice (0.4 s of each added event), and PostgreSQL's cascade from events did the same

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_responses_event", "responses"),
    ("ix_answer_history_event", "answer_history"),
    ("ix_essay_marks_event", "essay_marks"),
    ("ix_audit_log_event", "audit_log"),
)


def upgrade() -> None:
    for name, table in INDEXES:
        op.create_index(name, table, ["event_id"])


def downgrade() -> None:
    for name, table in INDEXES:
        op.drop_index(name, table_name=table)
