"""Alembic migrations of the service's tables (run by ``create_app`` or ``piguard serve
--migrate``). The table prefix comes from ``config.attributes["table_prefix"]``."""
