"""Alembic environment: runs on the connection piguard passes in ``config.attributes``."""

from __future__ import annotations

from alembic import context

config = context.config
prefix = config.attributes.get("table_prefix", "piguard_")
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=None,
    version_table=f"{prefix}alembic_version",
)
with context.begin_transaction():
    context.run_migrations()
