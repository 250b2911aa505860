"""Running the Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

__all__ = ["upgrade"]


def upgrade(engine: Engine, prefix: str, revision: str = "head") -> None:
    """Bring the tables with ``prefix`` up to ``revision``."""
    cfg = Config()
    cfg.set_main_option("script_location", "piguard.service:migrations")
    cfg.attributes["table_prefix"] = prefix
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
