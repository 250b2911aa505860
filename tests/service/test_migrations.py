"""The Alembic migrations create exactly the tables the models describe, on every database."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from sqlalchemy import inspect

from piguard.service.db import make_engine, tables
from piguard.service.migrate import upgrade

from .conftest import drop_tables  # type: ignore[import-not-found]


@pytest.mark.parametrize("db", ["sqlite", "postgresql", "mariadb"])
def test_migration_matches_models(db: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = {
        "sqlite": f"sqlite:///{tmp_path / 'm.db'}",
        "postgresql": "pg_url",
        "mariadb": "mysql_url",
    }[db]
    if db != "sqlite":
        url = request.getfixturevalue(url)
    prefix = f"m{secrets.token_hex(3)}_"
    engine = make_engine(url)
    try:
        upgrade(engine, prefix)
        upgrade(engine, prefix)  # idempotent: already at head
        insp = inspect(engine)
        for table in tables(prefix).metadata.sorted_tables:
            columns = {c["name"] for c in insp.get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name
        indexes = {i["name"] for i in insp.get_indexes(f"{prefix}consent_events")}
        assert f"{prefix}ix_consent_subject" in indexes
    finally:
        engine.dispose()
        if db != "sqlite":
            drop_tables(url, prefix)
