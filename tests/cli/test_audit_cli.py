"""``piguard audit``: keygen, init, append, checkpoint, prove, verify, show."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from piguard.cli.app import app

runner = CliRunner()
ORIGIN = "audit.cli.example/log"


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def _events(path: Path, n: int, start: int = 0) -> Path:
    lines = [
        json.dumps(
            {
                "time": "2026-11-26T16:00:00+08:00",
                "actor": f"svc-{start + i}",
                "action": "deidentify.run",
                "purpose": "物流配送",
                "categories": ["basic.phone"],
            },
            ensure_ascii=False,
        )
        for i in range(n)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def setup(tmp_path: Path) -> dict[str, Path]:
    key, vkey, db = tmp_path / "audit.key", tmp_path / "audit.vkey", tmp_path / "audit.db"
    code, out, _ = run("audit", "keygen", ORIGIN, "-o", str(key))
    assert code == 0
    assert out.startswith(ORIGIN + "+")
    vkey.write_text(out)
    assert key.stat().st_mode & 0o777 == 0o600
    assert "PRIVATE+KEY" in key.read_text()
    assert "PRIVATE" not in out
    assert run("audit", "init", "--log", str(db), "--origin", ORIGIN)[0] == 0
    return {"key": key, "vkey": vkey, "db": db, "dir": tmp_path}


def test_full_cycle_offline_verification(setup: dict[str, Path]) -> None:
    d, db = setup["dir"], str(setup["db"])
    code, _, err = run("audit", "append", "--log", db, str(_events(d / "a.jsonl", 40)))
    assert code == 0, err
    assert "appended 40 events" in err
    cp1 = d / "cp1.txt"
    code, out, _ = run(
        "audit", "checkpoint", "--log", db, "--key", str(setup["key"]), "-o", str(cp1)
    )
    assert code == 0
    assert out == cp1.read_text()
    assert cp1.read_text().splitlines()[:2] == [ORIGIN, "40"]

    proof = d / "p.json"
    assert run("audit", "prove", "--log", db, "--index", "17", "-o", str(proof))[0] == 0
    code, out, _ = run(
        "audit",
        "verify",
        "--checkpoint",
        str(cp1),
        "--key",
        str(setup["vkey"]),
        "--proof",
        str(proof),
    )
    assert code == 0
    assert out.strip() == f"ok: event 17 is in {ORIGIN} at size 40"
    # The verifier key can also be given inline.
    vkey_text = setup["vkey"].read_text().strip()
    assert run("audit", "verify", "--checkpoint", str(cp1), "--key", vkey_text)[0] == 0

    # By event hash.
    leaf = json.loads(proof.read_text())["leaf_hash"]
    proof2 = d / "p2.json"
    assert run("audit", "prove", "--log", db, "--event-hash", leaf, "-o", str(proof2))[0] == 0
    assert json.loads(proof2.read_text())["index"] == 17

    # Grow, checkpoint again, prove consistency.
    run("audit", "append", "--log", db, str(_events(d / "b.jsonl", 25, 40)))
    cp2 = d / "cp2.txt"
    run("audit", "checkpoint", "--log", db, "--key", str(setup["key"]), "-o", str(cp2))
    cproof = d / "c.json"
    assert run("audit", "prove", "--log", db, "--from", "40", "-o", str(cproof))[0] == 0
    code, out, _ = run(
        "audit",
        "verify",
        "--checkpoint",
        str(cp2),
        "--old-checkpoint",
        str(cp1),
        "--key",
        str(setup["vkey"]),
        "--proof",
        str(cproof),
    )
    assert code == 0
    assert "size 65 extends size 40" in out

    code, out, _ = run(
        "audit", "verify", "--log", db, "--key", str(setup["vkey"]), "--checkpoint", str(cp2)
    )
    assert code == 0
    assert out.startswith("ok: 65 events verify against 2 signed checkpoints")

    code, out, _ = run("audit", "show", "--log", db, "--format", "json")
    info = json.loads(out)
    assert info["tree_size"] == 65
    assert info["latest_checkpoint_size"] == 65
    assert run("audit", "show", "--log", db)[0] == 0


def test_verification_failures_exit_2_with_one_line(setup: dict[str, Path]) -> None:
    d, db = setup["dir"], str(setup["db"])
    run("audit", "append", "--log", db, str(_events(d / "a.jsonl", 12)))
    cp = d / "cp.txt"
    run("audit", "checkpoint", "--log", db, "--key", str(setup["key"]), "-o", str(cp))
    proof = d / "p.json"
    run("audit", "prove", "--log", db, "--index", "5", "-o", str(proof))

    # A tampered proof file.
    data = json.loads(proof.read_text())
    data["event"]["actor"] = "svc-99"
    bad = d / "bad.json"
    bad.write_text(json.dumps(data))
    code, _, err = run(
        "audit", "verify", "--checkpoint", str(cp), "--key", str(setup["vkey"]), "--proof", str(bad)
    )
    assert code == 2
    assert (
        err.strip() == "piguard: error: event 5: the event does not hash to the proof's leaf hash"
    )

    # A checkpoint signed by someone else.
    other = d / "other.key"
    run("audit", "keygen", ORIGIN, "-o", str(other))
    forged = d / "forged.txt"
    run("audit", "checkpoint", "--log", db, "--key", str(other), "-o", str(forged))
    code, _, err = run("audit", "verify", "--checkpoint", str(forged), "--key", str(setup["vkey"]))
    assert code == 2
    assert "no valid signature" in err

    # A changed event in the database.
    con = sqlite3.connect(db)
    con.execute(
        "UPDATE event SET data = CAST(replace(CAST(data AS TEXT), 'svc-7', 'svc-8') AS BLOB) "
        "WHERE idx = 7"
    )
    con.commit()
    con.close()
    code, _, err = run("audit", "verify", "--log", db, "--key", str(setup["vkey"]))
    assert code == 2
    assert err.strip() == "piguard: error: event 7: stored data does not match its leaf hash"
    assert len(err.strip().splitlines()) == 1


def test_bad_input_names_the_line_and_writes_nothing(setup: dict[str, Path]) -> None:
    d, db = setup["dir"], str(setup["db"])
    path = _events(d / "a.jsonl", 5)
    text = path.read_text().splitlines()
    text.insert(
        3, json.dumps({"time": "2026-11-26T08:00:00Z", "actor": "13812345678", "action": "x"})
    )
    path.write_text("\n".join(text) + "\n")
    code, _, err = run("audit", "append", "--log", db, str(path))
    assert code == 2
    assert err.strip().startswith(f"piguard: error: {path}:4: field 'actor' looks like raw")
    assert "13812345678" not in err
    code, out, _ = run("audit", "show", "--log", db, "--format", "json")
    assert json.loads(out)["tree_size"] == 0

    line = {"time": "2026-11-26T08:00:00Z", "actor": "s", "action": "x", "categories": ["x.y"]}
    code, _, err = run("audit", "append", "--log", db, "-", input=json.dumps(line) + "\n")
    assert code == 2
    assert "<stdin>:1: unknown PI category 'x.y'" in err

    code, _, err = run("audit", "append", "--log", db, "-", input="{not json\n")
    assert code == 2
    assert "<stdin>:1: not JSON" in err


def test_stdin_append_and_checkpoint_flag(
    setup: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    d, db = setup["dir"], str(setup["db"])
    monkeypatch.setenv("PIGUARD_AUDIT_SIGNER_KEY", setup["key"].read_text())
    text = _events(d / "a.jsonl", 3).read_text()
    code, out, _ = run("audit", "append", "--log", db, "-", "--checkpoint", input=text)
    assert code == 0
    assert out.splitlines()[:2] == [ORIGIN, "3"]


def test_usage_errors(setup: dict[str, Path]) -> None:
    db = str(setup["db"])
    code, _, err = run("audit", "prove", "--log", db, "--index", "0")
    assert code == 2
    assert "no checkpoint yet" in err
    code, _, err = run("audit", "prove", "--log", db)
    assert code == 2
    assert "exactly one of" in err
    code, _, err = run("audit", "init", "--log", db, "--origin", ORIGIN)
    assert code == 2
    assert "already exists" in err
    code, _, err = run("audit", "keygen", ORIGIN, "-o", str(setup["key"]))
    assert code == 2
    assert "refusing to overwrite" in err
    code, _, err = run("audit", "verify", "--key", str(setup["vkey"]))
    assert code == 2
    assert "give --checkpoint" in err


@pytest.mark.parametrize(
    "command", ["keygen", "init", "append", "checkpoint", "prove", "verify", "show"]
)
def test_every_command_has_help_with_examples(command: str) -> None:
    code, out, _ = run("audit", command, "--help")
    assert code == 0
    assert "Examples" in out
