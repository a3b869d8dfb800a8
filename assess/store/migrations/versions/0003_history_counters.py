"""history counters: versions per answer, bytes per attempt

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07

A save checks its attempt's history against web.history from these two numbers (read with the rows
it reads anyway) instead of listing the history every time; they are filled from the history here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("versions", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("history_bytes", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        "UPDATE responses SET versions = (SELECT count(*) FROM answer_history h"
        " WHERE h.attempt_id = responses.attempt_id AND h.item_id = responses.item_id)"
    )
    op.execute(
        "UPDATE attempts SET history_bytes = COALESCE((SELECT sum(length(CAST(h.value AS TEXT)))"
        " FROM answer_history h WHERE h.attempt_id = attempts.id), 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_column("history_bytes")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("versions")
