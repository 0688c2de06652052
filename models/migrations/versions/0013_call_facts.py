"""Each queued call's fact for the metrics' reports (grouped in SQL by interval); the call
record's queue-join index goes (the reports read the facts)

Revision ID: 0013_call_facts
Revises: 0012_callback_attempts
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0013_call_facts"
down_revision: str | Sequence[str] | None = "0012_callback_attempts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_fact",
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("quarter_at", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("wait_ms", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("handled", sa.Boolean(), nullable=False),
        sa.Column("talk_ms", sa.Integer(), nullable=False),
        sa.Column("hold_ms", sa.Integer(), nullable=False),
        sa.Column("wrapup_ms", sa.Integer(), nullable=False),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.Column("missed_agents", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("call_id"),
    )
    op.create_index("ix_call_fact_quarter_at", "call_fact", ["quarter_at"])
    with op.batch_alter_table("call_record") as batch:
        batch.drop_index("ix_call_record_queued_at")


def downgrade() -> None:
    with op.batch_alter_table("call_record") as batch:
        batch.create_index("ix_call_record_queued_at", ["queued_at"], unique=False)
    op.drop_index("ix_call_fact_quarter_at", table_name="call_fact")
    op.drop_table("call_fact")
