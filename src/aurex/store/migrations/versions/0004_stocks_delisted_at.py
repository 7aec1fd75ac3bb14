"""Stocks record when their symbol was delisted.

A delisted symbol keeps its row (orders and trades still name it) with
``delisted_at`` set; listing the symbol again clears it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stocks") as batch:
        batch.add_column(sa.Column("delisted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stocks") as batch:
        batch.drop_column("delisted_at")
