"""the HR workspace: events added, people across events, their links and the HR audit log

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hr_events",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("source_time", sa.DateTime(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("event_file", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_hr_events_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_hr_events")),
    )
    op.create_table(
        "hr_people",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["hr_people.id"], name=op.f("fk_hr_people_merged_into_hr_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hr_people")),
        sa.UniqueConstraint("nip", name=op.f("uq_hr_people_nip")),
    )
    op.create_table(
        "hr_links",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("hr_person_id", sa.Integer(), nullable=False),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["hr_events.event_id"],
            name=op.f("fk_hr_links_event_id_hr_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["hr_person_id"], ["hr_people.id"], name=op.f("fk_hr_links_hr_person_id_hr_people")
        ),
        sa.PrimaryKeyConstraint("event_id", "person_id", name=op.f("pk_hr_links")),
    )
    with op.batch_alter_table("hr_links", schema=None) as batch_op:
        batch_op.create_index("ix_hr_links_hr_person_id", ["hr_person_id"], unique=False)
    op.create_table(
        "hr_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hr_audit")),
    )


def downgrade() -> None:
    op.drop_table("hr_audit")
    with op.batch_alter_table("hr_links", schema=None) as batch_op:
        batch_op.drop_index("ix_hr_links_hr_person_id")
    op.drop_table("hr_links")
    op.drop_table("hr_people")
    op.drop_table("hr_events")
