"""web tries: the web app's limits counted in the store, shared by its worker processes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_tries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_web_tries_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_tries")),
    )
    with op.batch_alter_table("web_tries", schema=None) as batch_op:
        batch_op.create_index("ix_web_tries_event_kind_key", ["event_id", "kind", "key", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_tries", schema=None) as batch_op:
        batch_op.drop_index("ix_web_tries_event_kind_key")
    op.drop_table("web_tries")
