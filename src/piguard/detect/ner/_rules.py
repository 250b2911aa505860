"""Rule layer applied after the CRF: address grammar and clean-up of spans.

The CRF is good at finding where a name or an address starts; personal addresses
in orders often go on with house numbers, buildings and rooms that the news-trained
model has rarely seen (建国路88号SOHO现代城5号楼1501室). These rules:

* extend an address span forward over address-grammar continuations (numbers with
  号/栋/幢/楼/单元/室/层/座/弄, roads and compounds ending in 路/街/巷/小区/大厦 ...),
* merge address spans that touch or are separated only by a space,
* drop one-character names (a lone surname is not a name),
* a short "address" right after a person's field label (乘客：黄海然, where 黄海 is a sea)
  is a name.

>>> extend_address("北京市朝阳区建国路88号院3号楼2单元501室，电话", 0, 6)
23
>>> merge_spans([(0, 3, "ADDRESS"), (3, 6, "ADDRESS")], "北京市朝阳区")
[(0, 6, 'ADDRESS')]
"""

from __future__ import annotations

import re

from piguard.detect.recognizers.defaults import PERSON_FIELD_LABELS

__all__ = ["clean_spans", "extend_address", "merge_spans", "trim_address"]

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
    # a bare room number right after a building (17幢322)
    r"|(?<=[幢栋座元])[0-9０-９]{2,5}(?![0-9０-９])"
)
# Address suffix characters: a whitespace-separated piece without one (and without a
# digit) is a field label or a following word, not part of the address.
_ADDR_CHARS = re.compile(r"[省市区县旗镇乡村路街道巷弄号栋幢楼座层室单元组屯苑园城府里]")
_DIGIT = re.compile(r"[0-9０-９]")
_SPACES = re.compile(r"\s+")
# Position words that follow an address but are not part of it (…号门口, …小区附近).
_TRAILING_WORDS = re.compile(r"(?:门口|附近|旁边|对面|楼下|一带|这边|那边)$")
_ONLY_HAN = re.compile(r"[\u4e00-\u9fff]+")
_MAX_EXTENSION = 40
# A person's field label (the scanner's labelled_name labels) right before a span.
_PERSON_LABEL = re.compile(
    "(?:" + "|".join(map(re.escape, PERSON_FIELD_LABELS)) + r")[:：]?[ \t]{0,2}$"
)


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


def trim_address(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading / trailing whitespace-separated pieces that are not address pieces.

    >>> t = "地址 阜阳市观音里365号  诊断"
    >>> s, e = trim_address(t, 0, len(t))
    >>> t[s:e]
    '阜阳市观音里365号'
    """
    pieces = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    if len(pieces) > 1:
        lead = 0
        while lead < len(pieces) - 1 and not _ADDR_CHARS.search(
            text, start + pieces[lead][0], start + pieces[lead][1]
        ):
            lead += 1
        tail = len(pieces) - 1
        while tail > lead:
            a, b = start + pieces[tail][0], start + pieces[tail][1]
            if _ADDR_CHARS.search(text, a, b) or _DIGIT.search(text, a, b):
                break
            tail -= 1
        start, end = start + pieces[lead][0], start + pieces[tail][1]
    m = _TRAILING_WORDS.search(text, start, end)
    if m and m.start() - start >= 2:
        end = m.start()
    return start, end


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
        if (
            lab == "ADDRESS"
            and 2 <= e - s <= 4
            and _ONLY_HAN.fullmatch(text, s, e)
            and not _ADDR_CHARS.search(text, s, e)
            and _PERSON_LABEL.search(text, max(0, s - 6), s)
        ):
            out.append((s, e, "PERSON_NAME"))
            continue
        if lab == "ADDRESS":
            if extend:
                nxt = spans[k + 1][0] if k + 1 < n else len(text)
                e = max(e, min(extend_address(text, s, e), nxt))
            s, e = trim_address(text, s, e)
            if e <= s:
                continue
        out.append((s, e, lab))
    return merge_spans(out, text)
