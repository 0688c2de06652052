"""IVR sessions, outbound messages and inbound status queries

Revision ID: 0002_ivr
Revises: 0001_initial
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0002_ivr"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp(name: str) -> sa.Column:
    return sa.Column(name, models.db_types.UTCDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "ivr_session",
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("claimed_seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("last_response", sa.Text(), nullable=False),
        sa.Column("media_input", sa.Text(), nullable=False),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.PrimaryKeyConstraint("call_id"),
    )
    op.create_index("ix_ivr_session_created_at", "ivr_session", ["created_at"])
    op.create_table(
        "callback_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _stamp("requested_at"),
        sa.Column("placed_at", models.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("placed_call_sid", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("call_id", "queue", "status", "requested_at"):
        op.create_index(f"ix_callback_request_{column}", "callback_request", [column])
    op.create_table(
        "outbound_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("to", sa.String(length=64), nullable=False),
        sa.Column("body", sa.String(length=1600), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("folio", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("error_code", sa.String(length=16), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbound_message_sid", "outbound_message", ["sid"], unique=True)
    op.create_index("ix_outbound_message_to", "outbound_message", ["to"])
    op.create_index("ix_outbound_message_folio", "outbound_message", ["folio"])
    op.create_index("ix_outbound_message_created_at", "outbound_message", ["created_at"])
    op.create_table(
        "inbound_query",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        _stamp("at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inbound_query_sender", "inbound_query", ["sender"])
    op.create_index("ix_inbound_query_at", "inbound_query", ["at"])


def downgrade() -> None:
    op.drop_table("inbound_query")
    op.drop_table("outbound_message")
    op.drop_table("callback_request")
    op.drop_table("ivr_session")
