"""Jobs done once, the event outbox, and leases of periodic tasks

Revision ID: 0003_jobs
Revises: 0002_ivr
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0003_jobs"
down_revision: str | Sequence[str] | None = "0002_ivr"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, models.db_types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        _stamp("run_after"),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        _stamp("claimed_until", nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("last_error", sa.String(length=2000), nullable=False),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index("ix_job_kind", "job", ["kind"])
    op.create_index("ix_job_run_after", "job", ["run_after"])
    op.create_index("ix_job_status", "job", ["status"])
    op.create_table(
        "lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        _stamp("expires_at"),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        _stamp("created_at"),
        _stamp("published_at", nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_outbox_event_created_at", "outbox_event", ["created_at"])
    op.create_index("ix_outbox_event_published_at", "outbox_event", ["published_at"])


def downgrade() -> None:
    op.drop_table("outbox_event")
    op.drop_table("lease")
    op.drop_table("job")
