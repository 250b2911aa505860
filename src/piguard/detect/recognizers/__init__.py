"""Recognizers: declarative pattern recognizers wrapping the validators, the health lexicon,
the name/address model, and the registry that holds them.

:func:`default_registry` registers piguard's recognizers in one place and then the plug-ins
of the ``piguard.recognizers`` entry point group (each entry point names a recognizer, a
list of them, or a callable returning either).
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from piguard.detect.recognizers.base import (
    END,
    HIGH,
    LOW,
    MEDIUM,
    NUM_END,
    Hit,
    Pattern,
    PatternRecognizer,
    Recognizer,
    RecognizerRegistry,
    TextRecognizer,
    Verdict,
)
from piguard.detect.recognizers.defaults import ORG_CREDIT_CODE, default_recognizers
from piguard.detect.recognizers.health import HealthRecognizer
from piguard.detect.recognizers.model import ModelRecognizer
from piguard.errors import ConfigError

__all__ = [
    "END",
    "ENTRY_POINT_GROUP",
    "HIGH",
    "LOW",
    "MEDIUM",
    "NUM_END",
    "ORG_CREDIT_CODE",
    "HealthRecognizer",
    "Hit",
    "ModelRecognizer",
    "Pattern",
    "PatternRecognizer",
    "Recognizer",
    "RecognizerRegistry",
    "TextRecognizer",
    "Verdict",
    "default_recognizers",
    "default_registry",
]

#: Entry point group through which other packages add recognizers.
ENTRY_POINT_GROUP = "piguard.recognizers"


def default_registry(*, tagger: Any = None, plugins: bool = True) -> RecognizerRegistry:
    """A new registry with piguard's recognizers (and, if ``plugins``, the entry points')."""
    registry = RecognizerRegistry(default_recognizers())
    registry.add(HealthRecognizer())
    registry.add(ModelRecognizer(tagger=tagger))
    if plugins:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                loaded = ep.load()
            except Exception as exc:
                raise ConfigError(f"recognizer plug-in {ep.name!r} failed to load: {exc}") from None
            items = loaded() if callable(loaded) and not hasattr(loaded, "entities") else loaded
            for item in items if isinstance(items, list | tuple) else [items]:
                registry.add(item)
    return registry
