"""Fixtures shared by the whole suite.

Database tests run against real servers (DESIGN.md). Their URLs come from
``PIGUARD_TEST_PG_URL`` and ``PIGUARD_TEST_MYSQL_URL`` (``scripts/test`` sets the
machine's defaults). On CI (``CI=true``) an unreachable server fails the test;
elsewhere the test is skipped with a one-line reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, settings

# Timing is never a test assertion here: on a loaded 2-core machine Hypothesis' per-example
# deadline only makes property tests flaky, so the suite runs without it.
settings.register_profile(
    "piguard", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("piguard")

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    if ON_CI:
        pytest.fail(f"{reason} (CI=true: database tests must run, not skip)")
    pytest.skip(reason)


def _check_pg(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
        pass


def _check_mysql(url: str) -> None:
    import pymysql

    parts = urlsplit(url)
    conn = pymysql.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
        database=(parts.path or "/test").lstrip("/") or "test",
        connect_timeout=3,
    )
    conn.close()


def _server_url(env: str, check: Callable[[str], None]) -> str:
    url = os.environ.get(env)
    if not url:
        _unavailable(f"{env} is not set")
        raise AssertionError("unreachable")
    try:
        check(url)
    except Exception as exc:  # any driver error means the server cannot be used
        _unavailable(f"{env} server not reachable: {type(exc).__name__}")
    return url


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of a real PostgreSQL database (``postgresql://...``)."""
    return _server_url("PIGUARD_TEST_PG_URL", _check_pg)


@pytest.fixture(scope="session")
def mysql_url() -> str:
    """URL of a real MySQL/MariaDB database (``mysql://...``)."""
    return _server_url("PIGUARD_TEST_MYSQL_URL", _check_mysql)
