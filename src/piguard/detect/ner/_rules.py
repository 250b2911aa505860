"""Rule layer applied after the CRF: address grammar and clean-up of spans.

The CRF is good at finding where a name or an address starts; personal addresses
in orders often go on with house numbers, buildings and rooms that the news-trained
model has rarely seen (建国路88号SOHO现代城5号楼1501室). These rules:

* extend an address span forward over address-grammar continuations (numbers with
  号/栋/幢/楼/单元/室/层/座/弄, roads and compounds ending in 路/街/巷/小区/大厦 ...),
* merge address spans that touch or are separated only by a space,
* drop one-character names (a lone surname is not a name).

>>> extend_address("北京市朝阳区建国路88号院3号楼2单元501室，电话", 0, 6)
23
>>> merge_spans([(0, 3, "ADDRESS"), (3, 6, "ADDRESS")], "北京市朝阳区")
[(0, 6, 'ADDRESS')]
"""

from __future__ import annotations

import re

__all__ = ["clean_spans", "extend_address", "merge_spans"]

_NUM = (
    r"(?:[0-9０-９]{1,6}|[零〇一二三四五六七八九十百两]{1,4}"
    r"|[A-Za-zＡ-Ｚａ-ｚ]{1,2}[0-9０-９]{0,4})"
)
# One continuation piece: a number with a building / room unit, or a named piece of
# 2-10 Han characters ending in a road / compound word.
_UNIT = r"(?:号楼|号院|号门|号|栋|幢|座|楼|层|单元|室|户|弄|巷|组|队|排|区|期|门)"
_PLACE_END = (
    r"(?:街道|大道|路|街|巷|弄|胡同|道|里|村|组|屯|镇|乡|小区|社区|花园|家园|公寓|"
    r"大厦|广场|中心|新村|苑|园|府|城|湾|庭|阁|居|坊|院|区|期|厂|场)"
)
# Characters that never occur inside an address piece: particles and common verbs.
_STOP = "的了是在和与去到从把被说也都就还而及或但为对向给让我你他她它们这那有没不"
_NAMED = rf"[^\W\d_{_STOP}]{{1,10}}?{_PLACE_END}"
_PIECE = re.compile(
    rf"[ \-－—]?(?:{_NUM}{_UNIT}|{_NAMED}|{_NUM}(?=[\-－—]{_NUM}))|[\-－—]{_NUM}(?:{_UNIT})?"
)
_ONLY_HAN = re.compile(r"[\u4e00-\u9fff]+")
_MAX_EXTENSION = 40


def extend_address(text: str, start: int, end: int) -> int:
    """New end of the address span ``text[start:end]`` after grammar continuations."""
    pos = end
    limit = min(len(text), end + _MAX_EXTENSION)
    while pos < limit:
        m = _PIECE.match(text, pos, limit)
        if m is None or m.end() == pos:
            break
        piece = m.group()
        # A bare Han piece must end in an address word and not swallow a clause:
        # stop at a verb-like long run without numbers.
        if _ONLY_HAN.fullmatch(piece) and len(piece) > 8:
            break
        pos = m.end()
    return pos


def merge_spans(spans: list[tuple[int, int, str]], text: str) -> list[tuple[int, int, str]]:
    """Merge touching address spans (or ones separated by one space)."""
    out: list[tuple[int, int, str]] = []
    for s, e, lab in spans:
        if out:
            ps, pe, plab = out[-1]
            if (
                plab == lab == "ADDRESS"
                and s >= pe
                and (s == pe or (s - pe == 1 and text[pe].isspace()))
            ):
                out[-1] = (ps, e, lab)
                continue
        out.append((s, e, lab))
    return out


def clean_spans(
    spans: list[tuple[int, int, str]], text: str, *, extend: bool = True
) -> list[tuple[int, int, str]]:
    """Apply the rule layer to the sorted, non-overlapping CRF spans of ``text``."""
    out: list[tuple[int, int, str]] = []
    n = len(spans)
    for k, (s, e, lab) in enumerate(spans):
        if lab == "PERSON_NAME" and e - s < 2:
            continue
        if lab == "ADDRESS" and extend:
            nxt = spans[k + 1][0] if k + 1 < n else len(text)
            e = max(e, min(extend_address(text, s, e), nxt))
        out.append((s, e, lab))
    return merge_spans(out, text)
