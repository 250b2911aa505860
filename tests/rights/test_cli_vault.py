"""``piguard requests run`` revokes the person's token-vault entries on cancellation, with the
vault key from the key provider (``PIGUARD_KEY_<ID>`` by default)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from piguard.cli.app import app
from piguard.deidentify import TokenVault
from piguard.errors import StorageError

EXAMPLE = Path(__file__).parents[2] / "examples" / "datastores" / "ride-hailing.yaml"
KEY = "44" * 32


def _ok(args: list[str], code: int = 0) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == code, result.output
    return result.output


def test_cancellation_revokes_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault_path = tmp_path / "vault.sqlite"
    vault = TokenVault(str(vault_path), key=bytes.fromhex(KEY), key_id="deidentify",
                       reader_roles=("r",))  # fmt: skip
    card, other, phone = vault.tokenize_batch(["6222020200112233445", "x", "13800000001"])
    db = tmp_path / "ride.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, phone TEXT, email TEXT, name TEXT,"
            " id_number TEXT);"
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id),"
            " address TEXT);"
            "CREATE TABLE trips (id INTEGER PRIMARY KEY, order_id INTEGER, pickup TEXT);"
            "CREATE TABLE payments (id INTEGER PRIMARY KEY, order_id INTEGER, card TEXT);"
            "CREATE TABLE messages (id INTEGER PRIMARY KEY, sender_id INTEGER, body TEXT);"
            "INSERT INTO users VALUES (1, '13800000001', NULL, '张三', NULL),"
            " (2, '13900000002', NULL, '李四', NULL);"
            "INSERT INTO orders VALUES (10, 1, 'addr'), (11, 2, 'addr2');"
        )
        conn.execute("INSERT INTO payments VALUES (200, 10, ?), (201, 11, ?)", (card, other))
    desc = tmp_path / "ride.yaml"
    desc.write_text(
        EXAMPLE.read_text(encoding="utf-8")
        + "vaults:\n  - name: tokens\n    url: env:PIGUARD_VAULT_URL\n    key: deidentify\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PIGUARD_RIDE_DB_URL", f"sqlite:///{db}")
    monkeypatch.setenv("PIGUARD_REQUESTS_DB", str(tmp_path / "requests.db"))
    monkeypatch.setenv("PIGUARD_VAULT_URL", str(vault_path))
    out = _ok(["requests", "create", "cancellation", "--phone", "13800000001"])
    m = re.match(r"(req-[0-9a-f]{16})\s", out)
    assert m
    rid = m.group(1)
    _ok(["requests", "verify", rid])
    # no key yet: the request fails before anything is erased, naming the variable
    out = _ok(["requests", "run", rid, "-d", str(desc)], code=1)
    assert "PIGUARD_KEY_DEIDENTIFY" in out
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM payments").fetchone() == (2,)
    monkeypatch.setenv("PIGUARD_KEY_DEIDENTIFY", KEY)
    out = _ok(["requests", "resume", rid, "-d", str(desc)])
    assert "tokens revoked=2 kept=0" in out  # the card in payment 200 and the phone's token
    for token in (card, phone):
        with pytest.raises(StorageError):
            vault.detokenize(token, role="r")
    assert vault.detokenize(other, role="r") == "x"
    vault.close()
