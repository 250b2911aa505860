"""The first schema: API keys, notices, consent events, data maps.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import context, op

from piguard.service.db import tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    prefix = context.config.attributes.get("table_prefix", "piguard_")
    t = tables(prefix)
    t.metadata.create_all(op.get_bind())


def downgrade() -> None:
    prefix = context.config.attributes.get("table_prefix", "piguard_")
    t = tables(prefix)
    t.metadata.drop_all(op.get_bind())
