"""Abandoned callers called back from the console: each attempt and its result

Revision ID: 0012_callback_attempts
Revises: 0011_contact_metrics
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0012_callback_attempts"
down_revision: str | Sequence[str] | None = "0011_contact_metrics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "callback_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("transport", sa.String(length=16), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("created_at", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("placed_call_id", sa.String(length=64), nullable=True),
        sa.Column("finished_at", models.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_callback_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number", "seq"),
    )
    op.create_index("ix_callback_attempt_number", "callback_attempt", ["number"])
    op.create_index("ix_callback_attempt_created_at", "callback_attempt", ["created_at"])
    op.create_index("ix_callback_attempt_placed_call_id", "callback_attempt", ["placed_call_id"])


def downgrade() -> None:
    op.drop_table("callback_attempt")
