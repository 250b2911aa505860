from __future__ import annotations

import pytest

from piguard.keys import EnvKeyProvider

KEY_HEX = "5f" * 32
OTHER_HEX = "a0" * 32


@pytest.fixture
def keys() -> EnvKeyProvider:
    return EnvKeyProvider(
        environ={"PIGUARD_KEY_DEIDENTIFY": KEY_HEX, "PIGUARD_KEY_OTHER": OTHER_HEX}
    )
