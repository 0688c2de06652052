"""The authorities' inbox: an authority's requests by status and due date

Revision ID: 0010_inbox
Revises: 0009_agent_presence
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_inbox"
down_revision: str | Sequence[str] | None = "0009_agent_presence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_service_request_inbox", "service_request", ["authority_code", "status", "due_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_service_request_inbox", table_name="service_request")
