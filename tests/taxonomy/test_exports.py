"""The shipped JSON/YAML exports are generated from the Python definitions and kept in sync."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from piguard import taxonomy as tx

REGENERATE = ".venv/bin/python scripts/export_taxonomy.py"


@pytest.mark.parametrize("fmt", tx.EXPORT_FORMATS)
def test_export_in_sync(fmt: str) -> None:
    path = tx.EXPORTS_DIR / f"taxonomy.{fmt}"
    assert path.exists(), f"{path} is missing; regenerate it with: {REGENERATE}"
    assert path.read_text(encoding="utf-8") == tx.render(fmt), (
        f"{path} is out of date with piguard.taxonomy; regenerate it with: {REGENERATE}"
    )


def test_json_and_yaml_carry_the_same_data() -> None:
    from_json = json.loads((tx.EXPORTS_DIR / "taxonomy.json").read_text(encoding="utf-8"))
    from_yaml = yaml.safe_load((tx.EXPORTS_DIR / "taxonomy.yaml").read_text(encoding="utf-8"))
    assert from_json == from_yaml == tx.taxonomy_dict()


def test_export_contents() -> None:
    data = tx.taxonomy_dict()
    assert data["version"] == tx.TAXONOMY_VERSION
    assert len(data["categories"]) == len(tx.categories())
    assert data["entities"]["CN_MOBILE"] == "basic.phone.mobile"
    assert len(data["apps"]["categories"]) == 39
    assert [p["id"] for p in data["profiles"]] == [
        "online-health",
        "ride-hailing",
        "online-shopping",
        "smart-home",
    ]
    resident = next(c for c in data["categories"] if c["key"] == "identity.resident_id")
    assert resident["sensitive"] is True
    assert resident["grade"] == "sensitive"
    assert resident["table_a1_row"] == "A2"
    assert "B.1 (B4)" in resident["source"]
    assert {"zh": "身份证", "en": "resident identity card"} in resident["examples"]


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="json or yaml"):
        tx.render("xml")


def test_version_scheme() -> None:
    edition, revision = tx.TAXONOMY_VERSION.split(".")
    assert edition == "2020"
    assert revision.isdigit()


def test_export_script_check_mode() -> None:
    script = Path(__file__).resolve().parents[2] / "scripts" / "export_taxonomy.py"
    proc = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
