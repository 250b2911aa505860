"""Character features for the PERSON_NAME / ADDRESS tagger.

This module is shared by inference (:mod:`piguard.detect.ner`) and by training
(``tools/ner/train.py``): the model only works with exactly the features it was
trained on, so they are defined once, here.

Every character of a window gets a list of feature strings:

* the normalised character and its neighbours (n-grams in a ±2 window),
* the character class (Han, digit, Chinese numeral, Latin, punctuation, space),
* surname flags (single and compound surnames from ``data/surnames.txt``),
* gazetteer flags: the position (B/I/E/S) inside the longest administrative-division
  name found at that point, with its levels (province, prefecture, county, township;
  full or short form), from :mod:`piguard.geo` (NBS 2023 administrative divisions),
* address-grammar flags: the character is an address suffix (省 市 区 县 镇 乡 路 街 号
  栋 单元 室 村 组 ...) or a digit run is followed by one.

>>> feats = Featurizer(surnames={"张"}, compound_surnames=set(), places={"北京市": "P"})
>>> f = feats.features("张伟在北京市")
>>> len(f)
6
>>> "s=10000" in f[0], "gB:P" in f[3], "gE:P" in f[5]
(True, True, True)
"""

from __future__ import annotations

import importlib.resources
import itertools
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from piguard import geo

__all__ = [
    "ADDRESS_SUFFIXES",
    "Featurizer",
    "char_classes",
    "load_default_featurizer",
    "normalize",
]

# str.translate table: full-width ASCII -> half-width, ideographic space -> space,
# ASCII digits and full-width digits -> "0", A-Z -> a-z, lone surrogates -> "?".
# Every entry maps one code point to one code point, so offsets never move.
_TABLE: dict[int, int] = {}
for _cp in range(0xFF01, 0xFF5F):
    _TABLE[_cp] = _cp - 0xFEE0
_TABLE[0x3000] = 0x20
for _cp in range(ord("A"), ord("Z") + 1):
    _TABLE[_cp] = _cp + 32
for _cp in range(ord("Ａ"), ord("Ｚ") + 1):
    _TABLE[_cp] = _cp - 0xFEE0 + 32
for _cp in [*range(ord("0"), ord("9") + 1), *range(0xFF10, 0xFF1A)]:
    _TABLE[_cp] = ord("0")
for _cp in range(0xD800, 0xE000):
    _TABLE[_cp] = ord("?")
_TABLE[0] = ord(" ")
del _cp

_CN_NUMERALS = frozenset("零〇一二三四五六七八九十百千万两壹贰叁肆伍陆柒捌玖拾")
_PUNCT = frozenset("，。！？；：、,.!?;:（）()《》<>“”\"'‘’「」『』【】[]{}—-_~·…/\\|@#$%^&*+=`")

# Address grammar (GB/T 2260 level suffixes and the usual street / building words).
ADDRESS_SUFFIXES: frozenset[str] = frozenset(
    "省市区县镇乡村旗盟州路街道巷弄里号栋幢楼座层室户组屯院园苑庄府湾城场厦坊营"
)
# Suffix words of two or more characters; flagged on their last character.
_ADDRESS_SUFFIX_WORDS = (
    "街道",
    "单元",
    "小区",
    "大厦",
    "广场",
    "社区",
    "公寓",
    "花园",
    "新村",
    "家园",
    "大道",
    "胡同",
    "自治区",
    "自治州",
    "开发区",
    "工业园",
)
_NAME_AFFIXES = frozenset("先生女士老师总经理书记主任医生护士教授同学阿姨师傅叔伯哥姐")


@lru_cache(maxsize=65536)
def _char_class(ch: str) -> str:
    if ch == "0":
        return "D"
    o = ord(ch)
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF:
        return "N" if ch in _CN_NUMERALS else "C"
    if "a" <= ch <= "z":
        return "L"
    if ch == " " or ch == "\t":
        return "S"
    if ch in _PUNCT:
        return "P"
    if 0x20000 <= o <= 0x3FFFF:
        return "C"
    return "O"


def normalize(text: str) -> str:
    """Normalise ``text`` for features without changing its length.

    >>> normalize("ＡＢ１２3号")
    'ab000号'
    """
    return text.translate(_TABLE)


def char_classes(norm: str) -> list[str]:
    """Class letter of every character of a normalised string.

    >>> "".join(char_classes(normalize("张3号a，五")))
    'CDCLPN'
    """
    return [_char_class(c) for c in norm]


class Featurizer:
    """Turns a string into per-character feature lists (see the module docstring)."""

    def __init__(
        self,
        *,
        surnames: Iterable[str],
        compound_surnames: Iterable[str],
        places: Mapping[str, str],
    ) -> None:
        self.surnames = frozenset(surnames)
        self.compound_surnames = frozenset(compound_surnames)
        # places: name -> level letters (e.g. "P", "CA" when a name is at two levels).
        self.places = dict(places)
        prefix: dict[str, set[int]] = {}
        for name in self.places:
            if len(name) >= 2:
                prefix.setdefault(name[:2], set()).add(len(name))
        self._prefix_lengths = {k: sorted(v, reverse=True) for k, v in prefix.items()}
        self._sn_table = _MaskTable(self.surnames)
        firsts = "".join(sorted({x[0] for x in self.compound_surnames}))
        seconds = "".join(sorted({x[1] for x in self.compound_surnames if len(x) > 1}))
        self._csn_re = re.compile(
            f"[{re.escape(firsts)}](?=[{re.escape(seconds)}])" if firsts and seconds else "(?!)"
        )

    def _gazetteer(self, norm: str) -> list[str]:
        """Greedy longest-match of place names; one feature string per character."""
        n = len(norm)
        out = ["g"] * n
        places = self.places
        plen = self._prefix_lengths
        i = 0
        while i < n - 1:
            lengths = plen.get(norm[i : i + 2])
            if lengths is None:
                i += 1
                continue
            for k in lengths:
                if i + k <= n:
                    levels = places.get(norm[i : i + k])
                    if levels is not None:
                        out[i] = "gB:" + levels
                        for j in range(i + 1, i + k - 1):
                            out[j] = "gI:" + levels
                        out[i + k - 1] = "gE:" + levels
                        i += k
                        break
            else:
                i += 1
        return out

    def features(self, text: str) -> list[tuple[str, ...]]:
        """Feature strings for every character of ``text`` (one tuple per code point).

        Built column by column (one list comprehension per template) because that is
        several times faster in CPython than a loop per character.
        """
        n = len(text)
        if n == 0:
            return []
        norm = normalize(text)
        p = "^^" + norm + "$$"
        t = "^^" + norm.translate(_CLASS_TABLE) + "$$"
        ll, lf, c, r, rr = p[:n], p[1 : n + 1], norm, p[3 : n + 3], p[4 : n + 4]
        tl, tc, tr = t[1 : n + 1], t[2 : n + 2], t[3 : n + 3]
        sn = "00" + norm.translate(self._sn_table) + "00"
        sf = "0" + norm.translate(_SUFFIX_TABLE) + "00"
        na = norm.translate(_AFFIX_TABLE) + "00"
        cs = ["0"] * (n + 1)
        for m in self._csn_re.finditer(norm):
            i = m.start()
            if norm[i : i + 2] in self.compound_surnames:
                cs[i + 1] = "1"
        sw = ["0"] * n
        for m in _SUFFIX_WORD_RE.finditer(norm):
            sw[m.end() - 1] = "1"
        cols: list[list[str]] = [
            ["c=" + x for x in c],
            ["l=" + x for x in lf],
            ["r=" + x for x in r],
            ["ll=" + x for x in ll],
            ["rr=" + x for x in rr],
            ["lc=" + x + y for x, y in zip(lf, c, strict=True)],
            ["cr=" + x + y for x, y in zip(c, r, strict=True)],
            ["llc=" + x + y + z for x, y, z in zip(ll, lf, c, strict=True)],
            ["lcr=" + x + y + z for x, y, z in zip(lf, c, r, strict=True)],
            ["crr=" + x + y + z for x, y, z in zip(c, r, rr, strict=True)],
            ["t=" + x + y + z for x, y, z in zip(tl, tc, tr, strict=True)],
            ["tt=" + x + y for x, y in zip(t[:n], t[4 : n + 4], strict=True)],
            # surname flags: this char, the one before, two before; compound surname here / before
            [
                "s=" + a + b + d + e + f
                for a, b, d, e, f in zip(
                    sn[2 : n + 2], sn[1 : n + 1], sn[:n], cs[1:], cs[:n], strict=True
                )
            ],
            ["s0=" + x for x in sn[2 : n + 2]],
            ["s1=" + x for x in sn[1 : n + 1]],
            # address grammar: suffix char here / next, digit before a suffix, suffix word ends here
            [
                "a=" + a + b + ("1" if a == "1" and x == "D" else "0") + d
                for a, b, x, d in zip(sf[1 : n + 1], sf[2 : n + 2], tl, sw, strict=True)
            ],
            ["n=" + x + y for x, y in itertools.pairwise(na[1 : n + 2])],
            self._gazetteer(norm),
            ["b"] * n,  # bias: a per-label prior
        ]
        return list(zip(*cols, strict=True))


class _MaskTable(dict[int, int]):
    """str.translate table: members -> "1", everything else -> "0" (cached on miss)."""

    def __init__(self, members: Iterable[str]) -> None:
        super().__init__({ord(ch): ord("1") for ch in members})

    def __missing__(self, key: int) -> int:
        self[key] = ord("0")
        return ord("0")


class _ClassTableT(dict[int, int]):
    """str.translate table: character -> its class letter (cached on miss)."""

    def __missing__(self, key: int) -> int:
        v = ord(_char_class(chr(key)))
        self[key] = v
        return v


_CLASS_TABLE = _ClassTableT()
_SUFFIX_TABLE = _MaskTable(ADDRESS_SUFFIXES)
_AFFIX_TABLE = _MaskTable(_NAME_AFFIXES)
_SUFFIX_WORD_RE = re.compile("|".join(sorted(_ADDRESS_SUFFIX_WORDS, key=len, reverse=True)))


def _read_lines(name: str) -> list[str]:
    res = importlib.resources.files("piguard.detect.ner").joinpath("data", name)
    lines = res.read_text(encoding="utf-8").splitlines()
    return [ln for ln in (x.strip() for x in lines) if ln and not ln.startswith("#")]


@lru_cache(maxsize=1)
def load_default_featurizer() -> Featurizer:
    """The featurizer built from the shipped surname list and gazetteer."""
    surnames: list[str] = []
    compound: list[str] = []
    for ln in _read_lines("surnames.txt"):
        for s in ln.split():
            (surnames if len(s) == 1 else compound).append(s)
    return Featurizer(surnames=surnames, compound_surnames=compound, places=gazetteer())


_LEVEL_LETTER = {"province": "P", "city": "C", "county": "A", "township": "T"}


def gazetteer() -> dict[str, str]:
    """Place name -> level letters, from :func:`piguard.geo.all_names` (NBS 2023 divisions).

    Upper case for full names (P province, C prefecture, A county, T township), lower
    case for short forms (北京 for 北京市).
    """
    levels: dict[str, set[str]] = {}
    for entry in geo.all_names(townships=True):
        if len(entry.text) < 2:
            continue
        letter = _LEVEL_LETTER.get(entry.level, "X")
        levels.setdefault(entry.text, set()).add(letter.lower() if entry.short else letter)
    return {name: "".join(sorted(v)) for name, v in levels.items()}
