"""A place reference recorded by a caller and kept as audio until a person transcribes it

Revision ID: 0019_reference_audio
Revises: 0018_public_answer
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0019_reference_audio"
down_revision: str | Sequence[str] | None = "0018_public_answer"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reference_audio",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", models.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("audio", sa.LargeBinary(), nullable=True),
        sa.Column("source_url", sa.String(length=500), nullable=True),
        sa.Column("transcribed_by", sa.String(length=64), nullable=True),
        sa.Column("transcribed_at", models.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["service_request.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
    )
    op.create_index("ix_reference_audio_recorded_at", "reference_audio", ["recorded_at"])


def downgrade() -> None:
    op.drop_table("reference_audio")
