"""``piguard serve`` and ``piguard admin``: one command starts the service; keys are shown once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from piguard.cli.app import app

from .conftest import free_port  # type: ignore[import-not-found]

runner = CliRunner()


def test_serve_starts_with_one_command_and_admin_keys_work(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = runner.invoke(app, ["serve", "--migrate", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        ["admin", "create-key", "--scope", "consent:read", "--name", "t", "--data-dir", str(data)],
    )
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("pgk_")
    listed = runner.invoke(app, ["admin", "list-keys", "-f", "json", "--data-dir", str(data)])
    rows = json.loads(listed.stdout)
    assert [r["scopes"] for r in rows] == [["consent:read"]]
    assert key not in listed.stdout  # only the hash is stored
    bad = runner.invoke(app, ["admin", "create-key", "--scope", "root", "--data-dir", str(data)])
    assert bad.exit_code == 2
    assert "unknown scope 'root'" in bad.output

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "piguard", "serve", "--port", str(port), "--data-dir", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
        env=os.environ.copy(),
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        headers = {"Authorization": f"Bearer {key}"}
        r = httpx.get(url + "/v1/receipts/key", headers=headers)
        assert r.status_code == 200
        vkey = r.json()["vkey"]
        assert vkey.startswith("piguard.local/service+")
        # a consent:read key may not write
        r = httpx.post(url + "/v1/notices", headers=headers, json={})
        assert r.status_code == 403
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    # keys were created on first start, readable by the owner only
    assert (data / "keys" / "subject.key").stat().st_mode & 0o077 == 0
    assert (data / "keys" / "signer.key").stat().st_mode & 0o077 == 0
    assert (data / "piguard.db").exists()
    assert (data / "audit.db").exists()


def test_verify_receipt_command(tmp_path: Path) -> None:
    from piguard.consent import sign_receipt
    from piguard.keys import NoteSigner

    signer = NoteSigner.generate("consent.test")
    path = tmp_path / "r.json"
    path.write_text(json.dumps(sign_receipt({"consentReceiptID": "abc"}, signer)), encoding="utf-8")
    ok = runner.invoke(app, ["admin", "verify-receipt", str(path), "--key", signer.verifier().vkey])
    assert ok.exit_code == 0, ok.output
    assert "valid receipt abc" in ok.output
    other = NoteSigner.generate("other.test").verifier().vkey
    bad = runner.invoke(app, ["admin", "verify-receipt", str(path), "--key", other])
    assert bad.exit_code == 2
    assert "does not verify" in bad.output


@pytest.mark.parametrize(
    "db_url",
    [
        "foo://u:s3cretpw@h/db",  # unknown scheme
        "postgresql://u:s3cretpw@127.0.0.1:x/db",  # bad port
        "postgresql://u:s3cretpw@127.0.0.1:1/db",  # nothing listens
    ],
)
@pytest.mark.parametrize(
    "command",
    [["admin", "list-keys"], ["admin", "revoke-key", "abc"], ["serve", "--migrate"], ["serve"]],
)
def test_an_unusable_database_url_is_a_one_line_error(
    db_url: str, command: list[str], tmp_path: Path
) -> None:
    """Exit 2 with one line naming the error's type: no traceback, no password."""
    result = runner.invoke(app, [*command, "--db", db_url, "--data-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "cannot open the service's database" in result.output
    assert "s3cretpw" not in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
