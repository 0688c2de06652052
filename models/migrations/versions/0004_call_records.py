"""Call records for both fronts: IVR path and outcome, hand-off context, queue, rings, hold,
transfer, who hung up, every folio of the call, wrap-up, and the events already applied

Revision ID: 0004_call_records
Revises: 0003_jobs
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.db_types

revision: str = "0004_call_records"
down_revision: str | Sequence[str] | None = "0003_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp(name: str) -> sa.Column:
    return sa.Column(name, models.db_types.UTCDateTime(timezone=True), nullable=True)


def _count(name: str, kind: sa.types.TypeEngine) -> sa.Column:
    return sa.Column(name, kind, nullable=False, server_default="0")


def _list(name: str) -> sa.Column:
    return sa.Column(name, sa.JSON(), nullable=False, server_default="[]")


def _columns() -> tuple[sa.Column, ...]:
    return (
        _list("ivr_path"),
        sa.Column("ivr_outcome", sa.String(length=16), nullable=True),
        sa.Column("handoff", sa.JSON(), nullable=True),
        sa.Column("queue_position", sa.Integer(), nullable=True),
        _count("rings", sa.Integer()),
        _count("missed", sa.Integer()),
        _stamp("abandoned_at"),
        _count("hold_count", sa.Integer()),
        _count("hold_seconds", sa.Float()),
        _stamp("held_since"),
        sa.Column("transfer_target", sa.String(length=200), nullable=True),
        _stamp("transferred_at"),
        sa.Column("ended_by", sa.String(length=8), nullable=False, server_default=""),
        _list("folios"),
        sa.Column("wrapup_disposition", sa.String(length=64), nullable=True),
        sa.Column("wrapup_notes", sa.String(length=2000), nullable=True),
        _stamp("wrapped_up_at"),
        _list("applied_events"),
    )


def upgrade() -> None:
    with op.batch_alter_table("call_record", schema=None) as batch_op:
        for column in _columns():
            batch_op.add_column(column)
    as_json = "::json" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute(
        f"UPDATE call_record SET folios = ('[\"' || folio || '\"]'){as_json} "
        "WHERE folio IS NOT NULL"
    )
    with op.batch_alter_table("call_record", schema=None) as batch_op:
        batch_op.drop_index("ix_call_record_folio")
        batch_op.drop_column("folio")


def downgrade() -> None:
    with op.batch_alter_table("call_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("folio", sa.String(length=10), nullable=True))
        batch_op.create_index("ix_call_record_folio", ["folio"], unique=False)
        for column in reversed(_columns()):
            batch_op.drop_column(column.name)
