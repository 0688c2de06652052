"""The screen pop and the wrap-up: callers' earlier requests and calls by number, wrap-up time

Revision ID: 0008_screen_pop
Revises: 0007_capture
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_screen_pop"
down_revision: str | Sequence[str] | None = "0007_capture"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("call_record") as batch:
        batch.add_column(sa.Column("wrapup_seconds", sa.Float(), nullable=True))
        batch.create_index("ix_call_record_caller", ["caller"], unique=False)
    op.create_index("ix_service_request_citizen_phone", "service_request", ["citizen_phone"])


def downgrade() -> None:
    op.drop_index("ix_service_request_citizen_phone", table_name="service_request")
    with op.batch_alter_table("call_record") as batch:
        batch.drop_index("ix_call_record_caller")
        batch.drop_column("wrapup_seconds")
