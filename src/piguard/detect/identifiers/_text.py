"""Character-level helpers shared by the identifier modules (no I/O, no state).

``HALFWIDTH`` maps full-width forms (U+FF01-U+FF5E) and the ideographic space (U+3000) to
their ASCII counterparts one character for one character, so code-point offsets survive
normalisation (NFKC would not guarantee that).
"""

from __future__ import annotations

__all__ = ["HALFWIDTH", "clean", "to_halfwidth"]

#: str.translate table: full-width ASCII variants and the ideographic space to ASCII, 1:1.
HALFWIDTH: dict[int, int] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
HALFWIDTH[0x3000] = 0x20


def to_halfwidth(text: str) -> str:
    """``text`` with full-width letters, digits and punctuation made ASCII (same length).

    >>> to_halfwidth("１３８ ００１３　８０００")
    '138 0013 8000'
    """
    return text if text.isascii() else text.translate(HALFWIDTH)


def clean(number: str, deletechars: str = " -") -> str:
    """``number`` made half-width, stripped, with the separator characters removed.

    >>> clean(" 138-0013 8000 ")
    '13800138000'
    """
    if not number.isascii():
        number = number.translate(HALFWIDTH)
    number = number.strip()
    for ch in deletechars:
        if ch in number:
            number = number.replace(ch, "")
    return number
