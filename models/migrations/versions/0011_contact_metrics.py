"""Contact-centre metrics: how a call left its queue, who missed its rings, the agents' states

Revision ID: 0011_contact_metrics
Revises: 0010_inbox
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0011_contact_metrics"
down_revision: str | Sequence[str] | None = "0010_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("call_record") as batch:
        batch.add_column(sa.Column("queue_exit", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("missed_agents", sa.JSON(), nullable=False, server_default="[]"))
        batch.create_index("ix_call_record_queued_at", ["queued_at"], unique=False)
    op.execute("UPDATE call_record SET queue_exit = 'abandoned' WHERE abandoned_at IS NOT NULL")
    op.create_table(
        "agent_state_change",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("at", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_agent_state_change_at", "agent_state_change", ["at"])


def downgrade() -> None:
    op.drop_index("ix_agent_state_change_at", table_name="agent_state_change")
    op.drop_table("agent_state_change")
    with op.batch_alter_table("call_record") as batch:
        batch.drop_index("ix_call_record_queued_at")
        batch.drop_column("missed_agents")
        batch.drop_column("queue_exit")
