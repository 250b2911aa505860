"""The import-layer contract in pyproject.toml must name every top-level sub-package.

import-linter enforces the layers (scripts/test runs it); this test makes sure a new
sub-package cannot slip past it by not being listed at all.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import piguard

ROOT = Path(__file__).resolve().parents[1]


def _contract_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    assert isinstance(layers, list)
    return [str(layer) for layer in layers]


def test_every_subpackage_is_in_a_layer() -> None:
    named = {m for layer in _contract_layers() for m in re.findall(r"piguard\.\w+", layer)}
    package_dir = Path(piguard.__file__).parent
    present = {
        f"piguard.{p.stem}"
        for p in package_dir.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists())
        or (p.suffix == ".py" and p.stem not in {"__init__", "__main__", "_version"})
    }
    missing = sorted(present - named)
    assert not missing, f"add these to [tool.importlinter] layers in pyproject.toml: {missing}"


def test_layers_follow_design_order() -> None:
    layers = _contract_layers()
    order = [
        "piguard.cli",
        "piguard.assess",
        "piguard.consent",
        "piguard.deidentify",
        "piguard.sources",
        "piguard.detect",
        "piguard.audit",
        "piguard.taxonomy",
        "piguard.errors",
    ]
    positions = [next(i for i, layer in enumerate(layers) if name in layer) for name in order]
    assert positions == sorted(positions)
