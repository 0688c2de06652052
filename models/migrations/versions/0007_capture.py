"""Capture: other reporters attached to an open request, and capture forms sent once

Revision ID: 0007_capture
Revises: 0006_console
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0007_capture"
down_revision: str | Sequence[str] | None = "0006_console"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_supporter",
        sa.Column("citizen_name", sa.String(length=200), nullable=True),
        sa.Column("citizen_phone", sa.String(length=32), nullable=True),
        sa.Column("citizen_email", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("at", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["service_request.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_request_supporter_request_id", "request_supporter", ["request_id"])
    op.create_table(
        "capture_form",
        sa.Column("form_id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("folio", sa.String(length=10), nullable=True),
        sa.Column("attached", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("form_id"),
    )


def downgrade() -> None:
    op.drop_table("capture_form")
    op.drop_table("request_supporter")
