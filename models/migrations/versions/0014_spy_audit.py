"""Supervisors' listen, whisper and barge: the audit log of every attempt

Revision ID: 0014_spy_audit
Revises: 0013_call_facts
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0014_spy_audit"
down_revision: str | Sequence[str] | None = "0013_call_facts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spy_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("supervisor", sa.String(length=64), nullable=False),
        sa.Column("supervisor_name", sa.String(length=200), nullable=False),
        sa.Column("supervisor_phone", sa.String(length=120), nullable=False),
        sa.Column("agent_phone", sa.String(length=120), nullable=False),
        sa.Column("agent_name", sa.String(length=200), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("ended_at", models.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_note", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_spy_audit_started_at", "spy_audit", ["started_at"])
    op.create_index("ix_spy_audit_supervisor", "spy_audit", ["supervisor"])
    op.create_index("ix_spy_audit_agent_phone", "spy_audit", ["agent_phone"])
    op.create_index("ix_spy_audit_channel_id", "spy_audit", ["channel_id"], unique=True)


def downgrade() -> None:
    op.drop_table("spy_audit")
