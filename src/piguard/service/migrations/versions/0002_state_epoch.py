"""The state epoch: one row whose ``epoch`` every change to notices, the data map or API keys
advances in its own transaction. Decisions read it with their consent query, so that cached
notices, data maps and key checks are used only while nothing has changed (in any process).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _prefix() -> str:
    return str(context.config.attributes.get("table_prefix", "piguard_"))


def upgrade() -> None:
    p = _prefix()
    state = op.create_table(
        f"{p}state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("epoch", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(state, [{"id": 1, "epoch": 0}])


def downgrade() -> None:
    op.drop_table(f"{_prefix()}state")
