"""An answer the authority published for everyone (checked to name nobody)

Revision ID: 0018_public_answer
Revises: 0017_ivr_claim_lease
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_public_answer"
down_revision: str | Sequence[str] | None = "0017_ivr_claim_lease"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("service_request") as batch:
        batch.add_column(
            sa.Column("answer_public", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("service_request") as batch:
        batch.drop_column("answer_public")
