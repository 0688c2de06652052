"""The console: staff bound to authorities and phones, sign-in sessions, the personal-data log

Revision ID: 0006_console
Revises: 0005_drop_inbound_query
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0006_console"
down_revision: str | Sequence[str] | None = "0005_drop_inbound_query"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user") as batch:
        batch.add_column(sa.Column("authority_code", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("unit_code", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(length=200), nullable=True))
        batch.create_foreign_key(
            "fk_staff_user_authority", "authority", ["authority_code"], ["code"]
        )
    op.create_table(
        "staff_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("created_at", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", models.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_staff_session_user_id", "staff_session", ["user_id"])
    op.create_table(
        "personal_data_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("folio", sa.String(length=10), nullable=True),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("page", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_personal_data_view_at", "personal_data_view", ["at"])
    op.create_index("ix_personal_data_view_username", "personal_data_view", ["username"])
    op.create_index("ix_personal_data_view_folio", "personal_data_view", ["folio"])


def downgrade() -> None:
    op.drop_table("personal_data_view")
    op.drop_table("staff_session")
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_constraint("fk_staff_user_authority", type_="foreignkey")
        batch.drop_column("phone")
        batch.drop_column("unit_code")
        batch.drop_column("authority_code")
