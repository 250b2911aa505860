"""Find personal information in Chinese text: validators → recognizers → engine.

>>> from piguard.detect import Scanner
>>> found = Scanner(exclude_entities=["PERSON_NAME", "ADDRESS"]).scan_text(
...     "身份证号：360426199101010071，手机 138 0013 8000"
... )
>>> [(f.entity, f.preview, f.score) for f in found]
[('CN_RESIDENT_ID', '360***********0071', 1.0), ('CN_MOBILE', '138 **** 8000', 0.9)]
"""

from piguard.detect.engine import Finding, Scanner
from piguard.detect.recognizers import (
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    Verdict,
    default_registry,
)

__all__ = [
    "Finding",
    "Pattern",
    "PatternRecognizer",
    "RecognizerRegistry",
    "Scanner",
    "Verdict",
    "default_registry",
]
