"""``piguard datamap``: exit codes, one line per finding, JSON, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from piguard.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "datamaps"
runner = CliRunner()


def test_compliant_passes() -> None:
    result = runner.invoke(app, ["datamap", "check", str(EXAMPLES / "ride-hailing-compliant.yaml")])
    assert result.exit_code == 0, result.output
    assert "no findings" in result.output


def test_violation_exits_1_one_line_per_finding() -> None:
    path = EXAMPLES / "violations" / "dm005-third-party.yaml"
    result = runner.invoke(app, ["datamap", "check", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"{path}:16: DM005 provision-without-separate-consent [PIPL Art. 23")
    assert lines[-1] == "1 finding(s): DM005 ×1"


def test_app_category_option_and_json(tmp_path: Path) -> None:
    out = tmp_path / "f.json"
    path = EXAMPLES / "table2-ride-hailing.yaml"
    result = runner.invoke(
        app,
        [
            "datamap",
            "check",
            str(path),
            "--app-category",
            "网络约车",
            "-f",
            "json",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["app_category"] == "网络约车"
    assert any(f["rule"] == "DM001" and f["clause"].startswith("2021") for f in data["findings"])


def test_bad_file_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("datamap: 1\nsystems:\n  - id: a\n    functions: 3\n", encoding="utf-8")
    result = runner.invoke(app, ["datamap", "check", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:4: functions must be a list" in result.output
    assert "Traceback" not in result.output


def test_rules_and_from_profile() -> None:
    result = runner.invoke(app, ["datamap", "rules", "-f", "json"])
    assert result.exit_code == 0
    assert {r["id"] for r in json.loads(result.output)} >= {"DM001", "DM008"}
    result = runner.invoke(app, ["datamap", "from-profile", "ride-hailing", "--side", "driver"])
    assert result.exit_code == 0
    assert "biometric.face" in result.output
    assert "passenger" not in result.output


def test_help_has_examples() -> None:
    for cmd in (["datamap", "--help"], ["datamap", "check", "--help"]):
        result = runner.invoke(app, cmd)
        assert result.exit_code == 0
        assert "Examples" in result.output
