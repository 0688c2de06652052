"""The public face: sex, age and consent, postal code and source of a request; rows imported
from the official open data; the Open311 API keys

Revision ID: 0015_public
Revises: 0014_spy_audit
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0015_public"
down_revision: str | Sequence[str] | None = "0014_spy_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("service_request") as batch:
        batch.add_column(sa.Column("postal_code", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("citizen_sex", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("citizen_age", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column(
                "demographics_public", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(sa.Column("source", sa.String(length=64), nullable=True))
    op.create_table(
        "open_data_row",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("id_folio", sa.String(length=32), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("source_file", sa.String(length=200), nullable=False),
        sa.Column("imported_at", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["service_request.id"]),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_index("ix_open_data_row_id_folio", "open_data_row", ["id_folio"], unique=True)
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", models.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", models.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_api_key_prefix", "api_key", ["prefix"], unique=True)


def downgrade() -> None:
    op.drop_table("api_key")
    op.drop_table("open_data_row")
    with op.batch_alter_table("service_request") as batch:
        for column in ("source", "demographics_public", "citizen_age", "citizen_sex"):
            batch.drop_column(column)
        batch.drop_column("postal_code")
