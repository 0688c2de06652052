"""When a call's turn was claimed, so a claim left by a dead worker expires

Revision ID: 0017_ivr_claim_lease
Revises: 0016_primary_roads
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0017_ivr_claim_lease"
down_revision: str | Sequence[str] | None = "0016_primary_roads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ivr_session") as batch:
        batch.add_column(
            sa.Column("claimed_at", models.db_types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("ivr_session") as batch:
        batch.drop_column("claimed_at")
