"""The Twilio agents' presence in their queues

Revision ID: 0009_agent_presence
Revises: 0008_screen_pop
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0009_agent_presence"
down_revision: str | Sequence[str] | None = "0008_screen_pop"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_presence",
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("signed_in", sa.Boolean(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("call", sa.String(length=16), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("call_since", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rest_until", models.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("since", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("agent"),
    )
    op.create_index("ix_agent_presence_queue", "agent_presence", ["queue"])
    op.create_index("ix_agent_presence_call_id", "agent_presence", ["call_id"])


def downgrade() -> None:
    op.drop_table("agent_presence")
