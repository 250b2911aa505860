"""The first schema: API keys, notices, consent events, data maps.

Revision ID: 0001
Revises:

The tables are spelled out here (not imported from ``piguard.service.db``) so that this
revision keeps creating exactly this schema when later revisions change the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _prefix() -> str:
    return str(context.config.attributes.get("table_prefix", "piguard_"))


def upgrade() -> None:
    p = _prefix()
    op.create_table(
        f"{p}api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(255), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_table(
        f"{p}notices",
        sa.Column("notice", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("controller", sa.String(255), nullable=False),
        sa.Column("purposes", sa.Text, nullable=False),
    )
    op.create_table(
        f"{p}consent_events",
        sa.Column("seq", _ID, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column("subject", sa.String(160), nullable=False),
        sa.Column("notice", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("categories", sa.Text, nullable=False),
        sa.Column("guardian", sa.String(160), nullable=True),
        sa.Column("guardian_relationship", sa.String(64), nullable=True),
        sa.Column("child_until", sa.Date, nullable=True),
        sa.Column("ref", sa.String(32), nullable=True),
        sa.Column("receipt", sa.Text, nullable=True),
    )
    op.create_index(
        f"{p}ix_consent_subject",
        f"{p}consent_events",
        ["subject", "notice", "purpose", "seq"],
    )
    op.create_table(
        f"{p}datamaps",
        sa.Column("seq", _ID, primary_key=True, autoincrement=True),
        sa.Column("loaded_us", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )


def downgrade() -> None:
    p = _prefix()
    op.drop_table(f"{p}datamaps")
    op.drop_index(f"{p}ix_consent_subject", table_name=f"{p}consent_events")
    op.drop_table(f"{p}consent_events")
    op.drop_table(f"{p}notices")
    op.drop_table(f"{p}api_keys")
