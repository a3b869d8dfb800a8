"""the HR workspace: unit names joined by the HR officer, and calibration runs

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hr_unit_aliases",
        sa.Column("alias_key", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("alias_key", name=op.f("pk_hr_unit_aliases")),
    )
    op.create_table(
        "hr_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("anchored_to", sa.Integer(), nullable=True),
        sa.Column("scale_mean", sa.Float(), nullable=False),
        sa.Column("scale_sd", sa.Float(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("anchored_items", sa.Integer(), nullable=False),
        sa.Column("iterations", sa.Integer(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["anchored_to"], ["hr_runs.id"], name=op.f("fk_hr_runs_anchored_to_hr_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hr_runs")),
    )
    op.create_table(
        "hr_run_items",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("threshold_se", sa.JSON(), nullable=False),
        sa.Column("location", sa.Float(), nullable=False),
        sa.Column("infit", sa.Float(), nullable=True),
        sa.Column("outfit", sa.Float(), nullable=True),
        sa.Column("anchored", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["hr_runs.id"], name=op.f("fk_hr_run_items_run_id_hr_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "item_id", "content_hash", name=op.f("pk_hr_run_items")),
    )
    op.create_table(
        "hr_run_measures",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("phase_id", sa.String(length=100), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("theta", sa.Float(), nullable=True),
        sa.Column("se", sa.Float(), nullable=True),
        sa.Column("scaled", sa.Float(), nullable=True),
        sa.Column("percentage", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["hr_runs.id"], name=op.f("fk_hr_run_measures_run_id_hr_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "event_id", "phase_id", "person_id", name=op.f("pk_hr_run_measures")
        ),
    )


def downgrade() -> None:
    op.drop_table("hr_run_measures")
    op.drop_table("hr_run_items")
    op.drop_table("hr_runs")
    op.drop_table("hr_unit_aliases")
