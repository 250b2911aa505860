"""Administrative divisions of China (行政区划) with their codes.

The table ships in ``piguard/geo/data/divisions.tsv`` (provinces, prefecture-level cities,
county-level units; 2023 NBS edition, see the file's header for the source) and
``townships.tsv`` (township-level units, read only when asked for). Nothing is downloaded.
Each file is parsed once, on first use, and kept (``functools.cache``).

Codes: a county-level code is the 6-digit address code that opens a resident ID number
(GB 11643-1999 takes its address code from GB/T 2260). Province and city codes are given in
their 6-digit form (``110000``, ``440300``); the helpers also take 2- and 4-digit prefixes.

>>> d = division("440305")
>>> d.name, d.level, d.full_name
('南山区', 'county', '广东省深圳市南山区')
>>> [p.name for p in path("110105")]
['北京市', '市辖区', '朝阳区']
>>> division("110105").path_names
('北京市', '朝阳区')
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from piguard.errors import UnknownKeyError

__all__ = [
    "LEVELS",
    "Division",
    "Level",
    "all_divisions",
    "children",
    "city_name",
    "counties",
    "division",
    "generalize",
    "id_region_level",
    "is_known_city",
    "is_known_code",
    "is_known_province",
    "iter_townships",
    "path",
    "province_abbreviation",
    "province_by_abbreviation",
    "province_name",
    "provinces",
    "township",
    "township_rows",
]

Level = Literal["province", "city", "county", "township"]
#: The levels from the top down.
LEVELS: tuple[Level, ...] = ("province", "city", "county", "township")

_PREFIX_LENGTH: dict[Level, int] = {"province": 2, "city": 4, "county": 6, "township": 9}
# City-level grouping units of the NBS tables that are not places: counties directly under
# the province (or a municipality's districts and counties) are filed under them.
_PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# One-character abbreviations (简称) of the province-level units, as used on licence plates
# (GA 36 机动车号牌) and in everyday writing. Keyed by the 2-digit GB/T 2260 province code.
_ABBREVIATIONS = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "贵", "53": "云", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新", "71": "台", "81": "港", "82": "澳",
}  # fmt: skip

# Address codes of the residence permits for Hong Kong, Macao and Taiwan residents
# (港澳台居民居住证, issued since 2018 with an 18-digit number built like a resident ID).
_PERMIT_PREFIXES = {"810000": "香港", "820000": "澳门", "830000": "台湾"}


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative unit.

    ``code`` is 6 digits (9 for a township); ``parent_code`` is ``None`` for a province;
    ``province_code`` is the 6-digit code of the province it lies in (its own for a province).
    ``path_names`` runs from the province down to this unit and leaves out NBS placeholder
    units (``市辖区``, ``县``, ``省直辖县级行政区划``), which are flagged ``placeholder``.

    >>> d = division("110105")
    >>> d.code, d.parent_code, d.province_code, d.placeholder
    ('110105', '110100', '110000', False)
    >>> division("110100").placeholder
    True
    """

    code: str
    name: str
    level: Level
    parent_code: str | None
    province_code: str
    path_names: tuple[str, ...]
    placeholder: bool = False

    @property
    def full_name(self) -> str:
        """The names of the path joined, as written at the start of an address.

        >>> division("450102").full_name
        '广西壮族自治区南宁市兴宁区'
        """
        return "".join(self.path_names)

    @property
    def prefix(self) -> str:
        """The significant digits of the code: 2 (province), 4 (city), 6 or 9 digits.

        >>> division("440000").prefix, division("440300").prefix, division("440305").prefix
        ('44', '4403', '440305')
        """
        return self.code[: _PREFIX_LENGTH[self.level]]


class _Table:
    """The parsed divisions, indexed by their significant digits (2, 4 or 6)."""

    def __init__(self, text: str) -> None:
        self.by_prefix: dict[str, Division] = {}
        self.children: dict[str, list[Division]] = {}
        self.provinces: list[Division] = []
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            short, name = line.split("\t")
            level: Level = {2: "province", 4: "city", 6: "county"}[len(short)]  # type: ignore[assignment]
            parent = self.by_prefix[short[:-2]] if level != "province" else None
            names: tuple[str, ...] = (name,) if parent is None else parent.path_names
            if parent is not None and name not in _PLACEHOLDER_NAMES and name != names[-1]:
                # 东莞市 (4419) has one county-level unit of the same name and code (441900).
                names = (*names, name)
            unit = Division(
                code=short.ljust(6, "0"),
                name=name,
                level=level,
                parent_code=None if parent is None else parent.code,
                province_code=short[:2] + "0000",
                path_names=names,
                placeholder=level == "city" and name in _PLACEHOLDER_NAMES,
            )
            self.by_prefix[short] = unit
            if parent is None:
                self.provinces.append(unit)
            else:
                self.children.setdefault(short[:-2], []).append(unit)

    def lookup(self, code6: str) -> Division | None:
        """The unit with this 6-digit code; the county-level one where a city without
        districts shares its code with its one county-level unit (东莞市 441900)."""
        return (
            self.by_prefix.get(code6)
            or (self.by_prefix.get(code6[:4]) if code6.endswith("00") else None)
            or (self.by_prefix.get(code6[:2]) if code6.endswith("0000") else None)
        )


def _read_data(name: str) -> str:
    return resources.files("piguard.geo").joinpath("data", name).read_text(encoding="utf-8")


@functools.cache
def _table() -> _Table:
    return _Table(_read_data("divisions.tsv"))


@functools.cache
def township_rows() -> tuple[tuple[str, str], ...]:
    """The township table as (9-digit code, name) pairs, by code, without building
    :class:`Division` objects (for gazetteers that need only the names).

    >>> township_rows()[0]
    ('110101001', '东华门街道')
    """
    rows = []
    for line in _read_data("townships.tsv").splitlines():
        if not line or line.startswith("#"):
            continue
        code, name = line.split("\t")
        rows.append((code, name))
    return tuple(sorted(rows))


@functools.cache
def _townships() -> dict[str, tuple[Division, ...]]:
    """Township-level units grouped by the 6-digit code of their county."""
    table = _table()
    grouped: dict[str, list[Division]] = {}
    for code, name in township_rows():
        county = table.by_prefix[code[:6]]
        grouped.setdefault(county.code, []).append(
            Division(
                code=code,
                name=name,
                level="township",
                parent_code=county.code,
                province_code=county.province_code,
                path_names=(*county.path_names, name),
            )
        )
    return {k: tuple(v) for k, v in grouped.items()}


def _normalise(code: str) -> str | None:
    """A 2/4/6-digit code in its 6-digit form, or None if it is not digits of those lengths."""
    if not (code.isascii() and code.isdigit()) or len(code) not in (2, 4, 6):
        return None
    return code.ljust(6, "0")


def division(code: str) -> Division | None:
    """The unit with this code, or ``None``.

    Takes 6-digit codes (``110105``, ``440300``, ``110000``), 2- and 4-digit prefixes
    (``44``, ``4403``) and 9-digit township codes; anything else gives ``None``.

    >>> division("4403").name, division("44").name
    ('深圳市', '广东省')
    >>> division("110101001").name
    '东华门街道'
    >>> division("999999") is None, division("abc") is None
    (True, True)
    """
    if len(code) == 9 and code.isascii() and code.isdigit():
        for unit in _townships().get(code[:6], ()):
            if unit.code == code:
                return unit
        return None
    if code.isascii() and code.isdigit() and len(code) in (2, 4):
        return _table().by_prefix.get(code)
    six = _normalise(code)
    return None if six is None else _table().lookup(six)


def _require(code: str) -> Division:
    unit = division(code)
    if unit is None:
        raise UnknownKeyError(f"unknown administrative-division code {code!r}")
    return unit


def is_known_code(code6: str) -> bool:
    """Whether a 6-digit code is a current province, city or county code.

    Resident ID numbers keep the county code valid when they were issued, so a code retired
    since then is *not* known here; see :func:`id_region_level` for ID prefixes.

    >>> is_known_code("110105"), is_known_code("440300"), is_known_code("110199")
    (True, True, False)
    >>> is_known_code("11")
    False
    """
    return len(code6) == 6 and division(code6) is not None


def is_known_province(code2: str) -> bool:
    """Whether a 2-digit code is a province-level unit.

    >>> is_known_province("44"), is_known_province("81"), is_known_province("20")
    (True, True, False)
    """
    return len(code2) == 2 and division(code2) is not None


def is_known_city(code4: str) -> bool:
    """Whether a 4-digit code is a prefecture-level unit (NBS placeholders included).

    >>> is_known_city("4403"), is_known_city("1101"), is_known_city("4499")
    (True, True, False)
    """
    return len(code4) == 4 and code4[2:] != "00" and division(code4) is not None


def province_name(code2: str) -> str | None:
    """The name of the province with this 2-digit code (or a longer code starting with it).

    >>> province_name("44"), province_name("45"), province_name("440305")
    ('广东省', '广西壮族自治区', '广东省')
    >>> province_name("99") is None
    True
    """
    unit = division(code2[:2]) if len(code2) >= 2 else None
    return None if unit is None else unit.name


def city_name(code4: str) -> str | None:
    """The meaningful city-level name for a 4-digit code (or a longer code starting with it).

    For a municipality's placeholder units (``市辖区``, ``县``) this is the municipality.
    For ``省直辖县级行政区划`` it is ``None`` for the bare 4-digit code (the county itself
    stands at city level: ask :func:`generalize` with the county's code).

    >>> city_name("4403"), city_name("1101"), city_name("5002"), city_name("440305")
    ('深圳市', '北京市', '重庆市', '深圳市')
    >>> city_name("4190") is None
    True
    """
    unit = division(code4[:4]) if len(code4) >= 4 else None
    if unit is None or unit.level != "city":
        return None
    if not unit.placeholder:
        return unit.name
    province = _table().by_prefix[unit.prefix[:2]]
    return province.name if province.name.endswith("市") else None


def province_abbreviation(code2: str) -> str | None:
    """The one-character abbreviation (简称) of a province, as on licence plates.

    >>> province_abbreviation("11"), province_abbreviation("44"), province_abbreviation("45")
    ('京', '粤', '桂')
    """
    return _ABBREVIATIONS.get(code2[:2])


def province_by_abbreviation(char: str) -> Division | None:
    """The province whose one-character abbreviation (简称) is ``char``.

    >>> province_by_abbreviation("粤").name, province_by_abbreviation("京").code
    ('广东省', '110000')
    >>> province_by_abbreviation("X") is None
    True
    """
    for code2, abbr in _ABBREVIATIONS.items():
        if abbr == char:
            return division(code2)
    return None


def id_region_level(prefix6: str) -> Literal["county", "city", "province", "permit"] | None:
    """How much of a resident-ID address code (the first 6 digits) is known.

    ``"county"``: the code is a current county-level unit; ``"city"``: not, but its first 4
    digits are a current city; ``"province"``: only its first 2 digits name a province (a
    retired county such as 110199, or a re-numbered city); ``"permit"``: the address codes
    810000, 820000 and 830000 of the Hong Kong, Macao and Taiwan residents' residence
    permits; ``None``: the province code does not exist, or the input is not 6 digits.

    A detector should accept any non-``None`` level (IDs keep retired county codes) and
    treat ``"county"`` as extra evidence.

    >>> [id_region_level(c) for c in ("110105", "110199", "119901", "830000", "990101")]
    ['county', 'city', 'province', 'permit', None]
    >>> id_region_level("441900"), id_region_level("440300")
    ('county', 'city')
    """
    if len(prefix6) != 6 or not (prefix6.isascii() and prefix6.isdigit()):
        return None
    if prefix6 in _PERMIT_PREFIXES:
        return "permit"
    if prefix6 in _table().by_prefix:  # a county-level unit (东莞市 441900 included)
        return "county"
    if is_known_city(prefix6[:4]):
        return "city"
    if is_known_province(prefix6[:2]):
        return "province"
    return None


def path(code: str) -> tuple[Division, ...]:
    """The units from the province down to ``code``, placeholders included.

    Raises :class:`~piguard.errors.UnknownKeyError` for an unknown code.

    >>> [d.name for d in path("440305")]
    ['广东省', '深圳市', '南山区']
    >>> [d.code for d in path("110101001")]
    ['110000', '110100', '110101', '110101001']
    """
    return _path(_require(code))


def _path(unit: Division) -> tuple[Division, ...]:
    table, prefix = _table(), unit.prefix
    return (*(table.by_prefix[prefix[:n]] for n in (2, 4, 6) if n < len(prefix)), unit)


def provinces() -> tuple[Division, ...]:
    """Every province-level unit, by code.

    The 31 mainland units of the NBS tables, plus 台湾省 (71), 香港特别行政区 (81) and
    澳门特别行政区 (82), which have no subdivisions here.

    >>> len(provinces()), provinces()[0].name, provinces()[-1].name
    (34, '北京市', '澳门特别行政区')
    """
    table = _table()
    return tuple(table.provinces)


def children(code: str) -> tuple[Division, ...]:
    """The units directly below ``code``: cities of a province, counties of a city,
    townships of a county (township data is read on first use).

    >>> [d.name for d in children("1101")][:3]
    ['东城区', '西城区', '朝阳区']
    >>> len(children("110000")), children("110101")[0].name
    (1, '东华门街道')
    """
    unit = _require(code)
    if unit.level == "county":
        return _townships().get(unit.code, ())
    if unit.level == "township":
        return ()
    table = _table()
    return tuple(table.children.get(unit.prefix, ()))


def counties(code: str | None = None) -> tuple[Division, ...]:
    """Every county-level unit, or those within a province or city.

    >>> len(counties()), len(counties("110000")), counties("4403")[0].name
    (2978, 16, '罗湖区')
    """
    units = all_divisions()
    if code is None:
        return tuple(d for d in units if d.level == "county")
    top = _require(code)
    return tuple(d for d in units if d.level == "county" and d.code.startswith(top.prefix))


def all_divisions() -> tuple[Division, ...]:
    """Every province, city and county-level unit (not townships), sorted by code.

    >>> len(all_divisions())
    3354
    """
    return _all_divisions()


@functools.cache
def _all_divisions() -> tuple[Division, ...]:
    table = _table()
    return tuple(table.by_prefix[c] for c in sorted(table.by_prefix))


def township(code9: str) -> Division | None:
    """The township-level unit (街道, 镇, 乡 …) with this 9-digit code, or ``None``.

    >>> township("440305001").full_name
    '广东省深圳市南山区南头街道'
    """
    return division(code9) if len(code9) == 9 else None


def iter_townships() -> Iterator[Division]:
    """Every township-level unit, by code (reads the township table on first use)."""
    for county_code in sorted(_townships()):
        yield from _townships()[county_code]


def generalize(
    code: str, level: Literal["province", "city", "county"], *, full_path: bool = False
) -> str:
    """The name of the unit containing ``code`` at ``level``: a hierarchy step for
    de-identification and anonymisation (district → city → province).

    At city level a municipality stands for its districts (北京市) and a county-level unit
    directly under its province (省直辖县级行政区划, e.g. 济源市) stands for itself. With
    ``full_path`` the names above are prefixed, without repeating a name.

    >>> generalize("440305", "city"), generalize("110105", "city"), generalize("419001", "city")
    ('深圳市', '北京市', '济源市')
    >>> generalize("440305", "province"), generalize("440305", "county", full_path=True)
    ('广东省', '广东省深圳市南山区')
    >>> generalize("110105", "city", full_path=True)
    '北京市'

    Raises :class:`~piguard.errors.UnknownKeyError` for an unknown code, or if ``level`` is
    below the unit's own level.
    """
    unit = _require(code)
    if LEVELS.index(level) > LEVELS.index(unit.level):
        raise UnknownKeyError(f"{code} is a {unit.level}; it has no {level}-level name")
    units = [u for u in _path(unit) if LEVELS.index(u.level) <= LEVELS.index(level)]
    target = units[-1]
    names = [u.name for u in units if not u.placeholder]
    if target.placeholder:
        # A municipality's districts: the municipality. A county directly under its
        # province: the county itself, if we were given one.
        province = units[0]
        if province.name.endswith("市"):
            names = [province.name]
        elif unit.level in ("county", "township"):
            county = next(u for u in _path(unit) if u.level == "county")
            names = [province.name, county.name]
        else:
            raise UnknownKeyError(f"{code} is a placeholder unit with no {level}-level name")
    deduped = [n for i, n in enumerate(names) if i == 0 or n != names[i - 1]]
    return "".join(deduped) if full_path else deduped[-1]
