"""The token vault on real PostgreSQL and MariaDB servers (fixtures from tests/conftest.py)."""

from __future__ import annotations

import secrets

import pytest

from piguard.deidentify import TokenVault
from piguard.errors import KeyProviderError

pytestmark = pytest.mark.db


def _exercise(url: str) -> None:
    key_id = "t" + secrets.token_hex(4)  # a fresh key id: rows of other runs do not interfere
    vault = TokenVault(url, key=secrets.token_bytes(32), key_id=key_id, reader_roles=["auditor"])
    try:
        value = "1380013" + secrets.token_hex(2)
        tokens = vault.tokenize_batch([value, "另一个值", value])
        assert tokens[0] == tokens[2] != tokens[1]
        assert vault.detokenize(tokens[1], role="auditor") == "另一个值"
        with pytest.raises(KeyProviderError):
            vault.detokenize(tokens[0], role="analyst")
    finally:
        vault.close()


def test_vault_postgresql(pg_url: str) -> None:
    _exercise(pg_url)


def test_vault_mariadb(mysql_url: str) -> None:
    _exercise(mysql_url)
