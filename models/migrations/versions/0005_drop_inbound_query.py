"""Drop inbound_query: status look-ups are counted by the limits library, not in a table

Revision ID: 0005_drop_inbound_query
Revises: 0004_call_records
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0005_drop_inbound_query"
down_revision: str | Sequence[str] | None = "0004_call_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("inbound_query")


def downgrade() -> None:
    op.create_table(
        "inbound_query",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("at", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inbound_query_sender", "inbound_query", ["sender"])
    op.create_index("ix_inbound_query_at", "inbound_query", ["at"])
