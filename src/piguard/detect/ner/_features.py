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
  栋 单元 室 村 组 ...) or a digit run is followed by one,
* lexicon flags: the position (B/I/E) inside the longest word of ``data/lexicon.txt.gz``
  found at that point, with its types (R person name, F foreign name, S place,
  O organisation; from jieba's dictionary, MIT licence).

>>> feats = Featurizer(surnames={"张"}, compound_surnames=set(), places={"北京市": "P"})
>>> f = feats.features("张伟在北京市")
>>> len(f)
6
>>> "s=10000" in f[0], "gB:P" in f[3], "gE:P" in f[5]
(True, True, True)
"""

from __future__ import annotations

import gzip
import importlib.resources
import io
import itertools
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

__all__ = [
    "ADDRESS_SUFFIXES",
    "DEFAULT_OMIT",
    "LEXICON_TAGS",
    "TEMPLATES",
    "Featurizer",
    "build_featurizer",
    "char_classes",
    "load_default_featurizer",
    "merge_words",
    "normalize",
    "read_lexicon",
    "words_file_bytes",
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
# Lexicon word types (data/lexicon.txt.gz): R person name, F foreign / full name, S place,
# O organisation.
LEXICON_TAGS: str = "FORS"
# Feature template names, in the order of the feature tuple (``omit`` takes a subset).
TEMPLATES: tuple[str, ...] = (
    "c", "l", "r", "ll", "rr", "lc", "cr", "llc", "lcr", "crr", "t", "tt",
    "s", "s0", "s1", "a", "n", "g", "x", "b",
)  # fmt: skip
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
        lexicon: Mapping[str, str] | None = None,
        omit: Iterable[str] = (),
    ) -> None:
        self.surnames = frozenset(surnames)
        self.compound_surnames = frozenset(compound_surnames)
        # places: name -> level letters (e.g. "P", "CA" when a name is at two levels).
        self.places = dict(places)
        # lexicon: word -> type letters (LEXICON_TAGS); empty: no lexicon feature.
        self.lexicon = dict(lexicon or {})
        unknown = set(omit) - set(TEMPLATES)
        if unknown:
            raise ValueError(f"unknown feature templates: {', '.join(sorted(unknown))}")
        self.omit = frozenset(omit)
        # Attributes every character gets; gazetteer / lexicon attributes come after them.
        self.n_dense = len([t for t in TEMPLATES if t not in self.omit and t not in "gx"])
        self._words = merge_words(self.places, self.lexicon, self.omit)
        self._max_len = _max_lengths(self._words)
        self._code_table = _CodeTable(self.surnames)
        firsts = "".join(sorted({x[0] for x in self.compound_surnames}))
        seconds = "".join(sorted({x[1] for x in self.compound_surnames if len(x) > 1}))
        self._csn_re = re.compile(
            f"[{re.escape(firsts)}](?=[{re.escape(seconds)}])" if firsts and seconds else "(?!)"
        )

    def matches(
        self, norm: str, bigrams: list[str] | None = None
    ) -> list[tuple[int, int, str, str]]:
        """Greedy longest match of gazetteer and lexicon words in normalised text.

        ``(start, end, gazetteer levels, lexicon letters)``, left to right, not overlapping.
        ``bigrams[i]`` is ``norm[i : i + 2]`` if the caller has them already.
        """
        max_len = self._max_len
        words = self._words
        out: list[tuple[int, int, str, str]] = []
        pos = 0
        n = len(norm)
        if bigrams is None:
            bigrams = [x + y for x, y in itertools.pairwise(norm)]
        for i in [i for i, b in enumerate(bigrams) if b in max_len]:
            if i < pos:
                continue
            for k in range(min(max_len[bigrams[i]], n - i), 1, -1):
                hit = words.get(norm[i : i + k])
                if hit is not None:
                    out.append((i, i + k, hit[0], hit[1]))
                    pos = i + k
                    break
        return out

    def features(self, text: str) -> list[tuple[str, ...]]:
        """Feature strings for every character of ``text`` (one tuple per code point).

        Built column by column (one list comprehension per template) because that is
        several times faster in CPython than a loop per character. Gazetteer and lexicon
        features are added only where a word matches.
        """
        n = len(text)
        if n == 0:
            return []
        norm = normalize(text)
        code = norm.translate(self._code_table)  # class and flags, one ASCII char each
        p = "^^" + norm + "$$"
        t = "^^" + code.translate(_CODE_CLASS) + "$$"
        ll, lf, c, r, rr = p[:n], p[1 : n + 1], norm, p[3 : n + 3], p[4 : n + 4]
        tl, tc, tr = t[1 : n + 1], t[2 : n + 2], t[3 : n + 3]
        omit = self.omit
        cols: list[list[str]] = []
        add = cols.append
        if "c" not in omit:
            add(["c=" + x for x in c])
        if "l" not in omit:
            add(["l=" + x for x in lf])
        if "r" not in omit:
            add(["r=" + x for x in r])
        if "ll" not in omit:
            add(["ll=" + x for x in ll])
        if "rr" not in omit:
            add(["rr=" + x for x in rr])
        # bigrams / trigrams of the padded text, each built once: bi[k] = p[k : k + 2]
        bi = [x + y for x, y in itertools.pairwise(p[1:])]
        if "lc" not in omit:
            add(["lc=" + x for x in bi[:n]])
        if "cr" not in omit:
            add(["cr=" + x for x in bi[1 : n + 1]])
        tri = [x + y for x, y in zip(p[: n + 2], bi, strict=True)]  # tri[k] = p[k : k + 3]
        if "llc" not in omit:
            add(["llc=" + x for x in tri[:n]])
        if "lcr" not in omit:
            add(["lcr=" + x for x in tri[1 : n + 1]])
        if "crr" not in omit:
            add(["crr=" + x for x in tri[2 : n + 2]])
        if "t" not in omit:
            add(["t=" + x + y + z for x, y, z in zip(tl, tc, tr, strict=True)])
        if "tt" not in omit:
            add(["tt=" + x + y for x, y in zip(t[:n], t[4 : n + 4], strict=True)])
        sn = "00" + code.translate(_CODE_SURNAME) + "00"
        if "s" not in omit:
            # surname flags: this char, one before, two before; compound surname here / before
            cs = ["0"] * (n + 1)
            for m in self._csn_re.finditer(norm):
                i = m.start()
                if norm[i : i + 2] in self.compound_surnames:
                    cs[i + 1] = "1"
            add(
                [
                    "s=" + a + b + d + e + f
                    for a, b, d, e, f in zip(
                        sn[2 : n + 2], sn[1 : n + 1], sn[:n], cs[1:], cs[:n], strict=True
                    )
                ]
            )
        if "s0" not in omit:
            add(["s0=" + x for x in sn[2 : n + 2]])
        if "s1" not in omit:
            add(["s1=" + x for x in sn[1 : n + 1]])
        if "a" not in omit:
            # address grammar: suffix char here / next, digit before a suffix, suffix word
            sf = "0" + code.translate(_CODE_SUFFIX) + "00"
            sw = ["0"] * n
            for m in _SUFFIX_WORD_RE.finditer(norm):
                sw[m.end() - 1] = "1"
            add(
                [
                    "a=" + a + b + ("1" if a == "1" and x == "D" else "0") + d
                    for a, b, x, d in zip(sf[1 : n + 1], sf[2 : n + 2], tl, sw, strict=True)
                ]
            )
        if "n" not in omit:
            na = code.translate(_CODE_AFFIX) + "00"
            add(["n=" + x + y for x, y in itertools.pairwise(na[1 : n + 2])])
        if "b" not in omit:
            add(["b"] * n)  # bias: a per-label prior
        rows = list(zip(*cols, strict=True))
        for s, e, levels, letters in self.matches(norm, bi[1:n]):
            for j, pos in enumerate(("B",) + ("I",) * (e - s - 2) + ("E",)):
                extra: tuple[str, ...] = ()
                if levels:
                    extra += ("g" + pos + ":" + levels,)
                if letters:
                    extra += ("x" + pos + ":" + letters,)
                rows[s + j] += extra
        return rows


def merge_words(
    places: Mapping[str, str], lexicon: Mapping[str, str], omit: Iterable[str] = ()
) -> dict[str, tuple[str, str]]:
    """One dictionary for the greedy longest match: word -> (gazetteer levels, lexicon
    letters), "" where the word is not in that source; words of two characters or more."""
    omit = frozenset(omit)
    words: dict[str, tuple[str, str]] = {}
    if "x" not in omit:
        words = {w: ("", x) for w, x in lexicon.items() if len(w) >= 2}
    if "g" not in omit:
        get = words.get
        for w, levels in places.items():
            if len(w) >= 2:
                words[w] = (levels, get(w, ("", ""))[1])
    return words


def _max_lengths(words: Iterable[str]) -> dict[str, int]:
    """First two characters -> length of the longest word starting with them."""
    out: dict[str, int] = {}
    get = out.get
    for w in words:
        k = len(w)
        if k > get(w[:2], 0):
            out[w[:2]] = k
    return out


# Every character is coded as one ASCII character that carries its class and three flags
# (surname, address suffix, name affix); the columns are then cheap ASCII translations.
_CLASSES = "CNDLSPO"


def _code_of(cls: str, surname: bool, suffix: bool, affix: bool) -> int:
    return 0x21 + _CLASSES.index(cls) * 8 + surname * 4 + suffix * 2 + affix


_CODE_CLASS: dict[int, int] = {}
_CODE_SURNAME: dict[int, int] = {}
_CODE_SUFFIX: dict[int, int] = {}
_CODE_AFFIX: dict[int, int] = {}
for _cls in _CLASSES:
    for _bits in range(8):
        _k = _code_of(_cls, bool(_bits & 4), bool(_bits & 2), bool(_bits & 1))
        _CODE_CLASS[_k] = ord(_cls)
        _CODE_SURNAME[_k] = ord("1" if _bits & 4 else "0")
        _CODE_SUFFIX[_k] = ord("1" if _bits & 2 else "0")
        _CODE_AFFIX[_k] = ord("1" if _bits & 1 else "0")
del _cls, _bits, _k


class _CodeTable(dict[int, int]):
    """str.translate table: character -> its ASCII code (see _code_of), cached on miss."""

    def __init__(self, surnames: Iterable[str]) -> None:
        super().__init__()
        self._surnames = frozenset(surnames)

    def __missing__(self, key: int) -> int:
        ch = chr(key)
        v = _code_of(
            _char_class(ch), ch in self._surnames, ch in ADDRESS_SUFFIXES, ch in _NAME_AFFIXES
        )
        self[key] = v
        return v


_SUFFIX_WORD_RE = re.compile("|".join(sorted(_ADDRESS_SUFFIX_WORDS, key=len, reverse=True)))


def _read_lines(name: str) -> list[str]:
    res = importlib.resources.files("piguard.detect.ner").joinpath("data", name)
    lines = res.read_text(encoding="utf-8").splitlines()
    return [ln for ln in (x.strip() for x in lines) if ln and not ln.startswith("#")]


# Feature templates left out of the shipped model (see benchmarks/ner/RESULTS.md).
DEFAULT_OMIT: frozenset[str] = frozenset({"s0", "s1", "tt", "ll", "rr"})


#: The merged gazetteer + lexicon dictionary of the default featurizer, precomputed by
#: ``tools/ner/words.py`` so that loading the tagger does not rebuild it from piguard.geo and
#: the lexicon in every process (tests/detect/ner checks that it equals the rebuilt one).
WORDS_RESOURCE = "words.tsv.gz"


@lru_cache(maxsize=1)
def load_default_featurizer() -> Featurizer:
    """The featurizer of the shipped model (surnames, gazetteer, lexicon), with the
    precomputed word dictionary of ``data/words.tsv.gz``."""
    surnames, compound = _surnames()
    feat = Featurizer(surnames=surnames, compound_surnames=compound, places={}, omit=DEFAULT_OMIT)
    res = importlib.resources.files("piguard.detect.ner").joinpath("data", WORDS_RESOURCE)
    lines = gzip.decompress(res.read_bytes()).decode("utf-8").splitlines()
    words: dict[str, tuple[str, str]] = {}
    for ln in lines:
        if ln and ln[0] != "#":
            w, g, x = ln.split("\t")
            words[w] = (g, x)
    feat._words = words
    feat._max_len = _max_lengths(words)
    feat.places = {w: g for w, (g, _) in words.items() if g}
    feat.lexicon = {w: x for w, (_, x) in words.items() if x}
    return feat


def words_file_bytes() -> bytes:
    """The content of ``data/words.tsv.gz``: the default featurizer's merged dictionary,
    rebuilt from :func:`gazetteer` and :func:`read_lexicon` (deterministic gzip)."""
    words = merge_words(gazetteer(), read_lexicon(), DEFAULT_OMIT)
    res = importlib.resources.files("piguard.detect.ner").joinpath("data", "lexicon.txt.gz")
    lexicon_header = [
        ln for ln in gzip.decompress(res.read_bytes()).decode("utf-8").splitlines() if ln[:1] == "#"
    ]
    header = (
        "# Word dictionary of the PERSON_NAME / ADDRESS tagger's default featurizer\n"
        "# (piguard.detect.ner): the administrative-division names of piguard.geo (NBS 2023)\n"
        "# merged with the lexicon below; built by tools/ner/words.py.\n"
        "# Format: word<TAB>gazetteer levels<TAB>lexicon letters\n"
        "# The lexicon's header, with its source and licence:\n"
        + "".join(ln + "\n" for ln in lexicon_header)
    )
    body = "".join(f"{w}\t{g}\t{x}\n" for w, (g, x) in sorted(words.items()))
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write((header + body).encode("utf-8"))
    return buf.getvalue()


def _surnames() -> tuple[list[str], list[str]]:
    surnames: list[str] = []
    compound: list[str] = []
    for ln in _read_lines("surnames.txt"):
        for s in ln.split():
            (surnames if len(s) == 1 else compound).append(s)
    return surnames, compound


def build_featurizer(*, lexicon: bool = True, omit: Iterable[str] = ()) -> Featurizer:
    """A featurizer from the shipped data files; ``omit`` leaves templates out."""
    surnames, compound = _surnames()
    return Featurizer(
        surnames=surnames,
        compound_surnames=compound,
        places=gazetteer(),
        lexicon=read_lexicon() if lexicon else None,
        omit=omit,
    )


def read_lexicon() -> dict[str, str]:
    """Word -> type letters from ``data/lexicon.txt.gz`` (jieba dictionary, MIT licence)."""
    res = importlib.resources.files("piguard.detect.ner").joinpath("data", "lexicon.txt.gz")
    lines = gzip.decompress(res.read_bytes()).decode("utf-8").splitlines()
    return dict(ln.split("\t", 1) for ln in lines if ln and ln[0] != "#")


_LEVEL_LETTER = {"province": "P", "city": "C", "county": "A", "township": "T"}


def gazetteer() -> dict[str, str]:
    """Place name -> level letters, from :func:`piguard.geo.all_names` (NBS 2023 divisions).

    Upper case for full names (P province, C prefecture, A county, T township), lower
    case for short forms (北京 for 北京市).
    """
    from piguard import geo  # only here: the shipped tagger loads data/words.tsv.gz instead

    levels: dict[str, set[str]] = {}
    for entry in geo.all_names(townships=True):
        if len(entry.text) < 2:
            continue
        letter = _LEVEL_LETTER.get(entry.level, "X")
        levels.setdefault(entry.text, set()).add(letter.lower() if entry.short else letter)
    return {name: "".join(sorted(v)) for name, v in levels.items()}
