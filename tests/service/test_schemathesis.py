"""schemathesis against /openapi.json of a real server: no request may cause a 5xx.

Bounded: a few examples per operation (the suite must stay fast), with the admin key so that
the generated requests reach the handlers, not just the key check.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from .conftest import Server, start_server, stop_server  # type: ignore[import-not-found]


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir: Path = tmp_path_factory.mktemp("schemathesis")
    srv = start_server(
        f"sqlite:///{data_dir / 'piguard.db'}", data_dir, f"s{secrets.token_hex(3)}_"
    )
    with srv.client() as c:  # a notice so that generated consents can sometimes hit real rows
        c.post(
            "/v1/notices",
            json={"notice": "policy", "purposes": [{"id": "trip", "categories": ["basic.name"]}]},
        )
    try:
        yield srv
    finally:
        stop_server(srv)


def test_no_server_errors(sqlite_server: Server) -> None:
    schema = schemathesis.openapi.from_url(sqlite_server.url + "/openapi.json")
    headers = {"Authorization": f"Bearer {sqlite_server.admin_key}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    statuses: list[int] = []
    for operation in operations:

        @given(operation.as_strategy())
        @settings(
            max_examples=5,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            assert response.status_code < 500, (case.method, case.path, response.text[:300])
            if response.status_code >= 400 and case.path != "/openapi.json":
                assert set(response.json()) == {"error"}

        run()
    # the generated requests got past the key check and reached the handlers
    assert len(statuses) >= 3 * len(operations)
    assert sum(200 <= code < 300 for code in statuses) >= len(operations) // 2
    assert 401 not in statuses
