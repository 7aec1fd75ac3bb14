"""Users record whether their exchange account has been opened.

Sign-up stores the user first and opens the exchange account afterwards; a user whose
account opening failed (engine down, disk full) keeps ``account_opened = false`` until
auth retries it (on start, at login). Users from before this revision were opened by
the sign-up that created them, so the column defaults to true for them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("account_opened", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("account_opened")
