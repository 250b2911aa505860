"""Names of administrative divisions: short forms, look-up by name, gazetteer entries.

Short forms drop the generic suffix and, for autonomous units, the names of the peoples:
广西壮族自治区 → 广西, 深圳市 → 深圳, 延边朝鲜族自治州 → 延边, 朝阳区 → 朝阳,
长阳土家族自治县 → 长阳. A short form is never a single character, and NBS-only units
(开发区, 管理区, 园区 …) get none. Names repeat across provinces (朝阳区 is in Beijing and
Changchun), so look-ups return every match.

>>> [d.full_name for d in find_by_name("朝阳区")]
['北京市朝阳区', '吉林省长春市朝阳区']
>>> [d.name for d in find_by_name("内蒙古")]
['内蒙古自治区']
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from piguard.geo.divisions import (
    LEVELS,
    Division,
    Level,
    all_divisions,
    division,
    iter_townships,
    township_rows,
)

__all__ = [
    "AddressPrefix",
    "DivisionName",
    "all_names",
    "find_by_name",
    "locate",
    "short_names",
]

# The 55 minority peoples, as they appear in the names of autonomous units; 各族 ("all
# peoples") appears in two county names.
_PEOPLES_TEXT = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 "
    "高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 "
    "普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 "
    "珞巴 基诺 各"
)
_PEOPLES = tuple(_PEOPLES_TEXT.split())
# Longest first, so that 土家族 is tried before 土族 could be.
_PEOPLE_SUFFIXES = sorted(
    [p + "族" for p in _PEOPLES] + [p for p in _PEOPLES if len(p) >= 2],
    key=len,
    reverse=True,
)

_SUFFIXES: dict[Level, tuple[str, ...]] = {
    "province": ("特别行政区", "自治区", "省", "市"),
    "city": ("自治州", "地区", "盟", "市"),
    "county": ("自治县", "自治旗", "矿区", "特区", "新区", "区", "县", "市", "旗"),
    "township": (),
}
# County-level units of the NBS tables that are zones rather than places.
_NO_SHORT = re.compile(r"开发区|...园区$|管理区|示范区|试验区|管委会|委员会|群岛|海域|新城$")
# Short forms that the suffix rules cannot derive.
_SPECIAL = {"神农架林区": "神农架"}


# The same suffixes grouped by their last character (longest first within each group), so
# that a stem is compared only with the few that can end it.
_PEOPLE_BY_LAST: dict[str, tuple[str, ...]] = {}
for _people in _PEOPLE_SUFFIXES:
    _PEOPLE_BY_LAST[_people[-1]] = (*_PEOPLE_BY_LAST.get(_people[-1], ()), _people)


def _strip_peoples(stem: str) -> str:
    changed = True
    while changed and stem:
        changed = False
        for people in _PEOPLE_BY_LAST.get(stem[-1], ()):
            if stem.endswith(people) and len(stem) - len(people) >= 2:
                stem = stem[: -len(people)]
                changed = True
                break
    return stem


def _short_of(name: str, level: Level, city_short: tuple[str, ...] = ()) -> str | None:
    if name in _SPECIAL:
        return _SPECIAL[name]
    if level == "township" or _NO_SHORT.search(name):
        return None
    for suffix in _SUFFIXES[level]:
        if not name.endswith(suffix):
            continue
        stem = name[: -len(suffix)]
        if suffix == "新区" and any(stem.startswith(c) for c in city_short):
            return None  # 兰州新区 is not 兰州
        if stem.endswith("族") and len(stem) > 1:
            # 东乡族自治县 → 东乡, 鄂温克族自治旗 → 鄂温克: the people's name is the place's.
            stripped = _strip_peoples(stem)
            stem = stripped if stripped != stem else stem[:-1]
        else:
            stem = _strip_peoples(stem)
        if len(stem) >= 2:
            return stem  # else try a shorter suffix: 清新区 → 清新, not 清
    return None


def short_names(unit: Division) -> tuple[str, ...]:
    """The short forms of a unit's name (none, or one).

    >>> [short_names(d)[0] for d in map(_div, ["450000", "650000", "150000", "110000"])]
    ['广西', '新疆', '内蒙古', '北京']
    >>> [short_names(_div(c)) for c in ("222400", "422800", "110105", "410100", "131182")]
    [('延边',), ('恩施',), ('朝阳',), ('郑州',), ('深州',)]
    >>> short_names(_div("130171")), short_names(_div("340300"))
    ((), ('蚌埠',))
    """
    if unit.placeholder:
        return ()
    city_short: tuple[str, ...] = ()
    if unit.level == "county" and unit.name.endswith("新区"):
        above = [_div(unit.code[:2]), _div(unit.code[:4])]
        city_short = tuple(_short_of(d.name, d.level) or d.name for d in above if not d.placeholder)
    short = _short_of(unit.name, unit.level, city_short)
    return (short,) if short else ()


def _div(code: str) -> Division:
    unit = division(code)
    assert unit is not None, code
    return unit


@dataclass(frozen=True, slots=True)
class DivisionName:
    """One gazetteer entry: a name (full or short) of one unit.

    >>> entry = next(e for e in all_names() if e.text == "深圳")
    >>> entry.code, entry.level, entry.short
    ('440300', 'city', True)
    """

    text: str
    code: str
    level: Level
    short: bool


@functools.cache
def _entries(townships: bool) -> tuple[tuple[DivisionName, Division], ...]:
    entries: list[tuple[DivisionName, Division]] = []
    for unit in all_divisions():
        if unit.placeholder:
            continue
        entries.append((DivisionName(unit.name, unit.code, unit.level, False), unit))
        entries.extend(
            (DivisionName(s, unit.code, unit.level, True), unit) for s in short_names(unit)
        )
    if townships:
        entries.extend((DivisionName(u.name, u.code, u.level, False), u) for u in iter_townships())
    return tuple(entries)


@functools.cache
def _index(townships: bool) -> dict[str, tuple[Division, ...]]:
    grouped: dict[str, list[Division]] = {}
    for entry, unit in _entries(townships):
        bucket = grouped.setdefault(entry.text, [])
        if unit not in bucket:
            bucket.append(unit)
    return {k: tuple(v) for k, v in grouped.items()}


def all_names(*, townships: bool = False) -> tuple[DivisionName, ...]:
    """Every full and short name of every unit with its code and level, for a gazetteer
    or a trie. Placeholder units (市辖区 …) are left out. With ``townships``, the full names
    of the township-level units are added (about 41,000; township data is read on first use).

    >>> names = all_names()
    >>> sum(e.level == "province" and not e.short for e in names)
    34
    >>> len(all_names(townships=True)) - len(names)
    41352
    """
    names = tuple(entry for entry, _ in _entries(False))
    return names + _township_names() if townships else names


@functools.cache
def _township_names() -> tuple[DivisionName, ...]:
    # Straight from the table's (code, name) rows: building the 41,000 Division objects of
    # iter_townships() would triple the start-up of a gazetteer that needs only the names.
    return tuple(DivisionName(name, code, "township", False) for code, name in township_rows())


def find_by_name(name: str, *, townships: bool = False) -> tuple[Division, ...]:
    """Every unit whose full or short name is ``name``, from the top level down.

    >>> [d.code for d in find_by_name("北京")], [d.code for d in find_by_name("北京市")]
    (['110000'], ['110000'])
    >>> [d.full_name for d in find_by_name("南山区")]
    ['黑龙江省鹤岗市南山区', '广东省深圳市南山区']
    >>> find_by_name("东华门街道"), [d.code for d in find_by_name("东华门街道", townships=True)]
    ((), ['110101001'])
    """
    found = _index(townships).get(name.strip(), ())
    return tuple(sorted(found, key=lambda d: (LEVELS.index(d.level), d.code)))


@functools.cache
def _names_by_parent() -> dict[tuple[str, Level], dict[str, list[Division]]]:
    """Names of the cities / counties within each province and city, and country-wide."""
    table: dict[tuple[str, Level], dict[str, list[Division]]] = {}
    for entry, unit in _entries(False):
        scopes = ["", unit.province_code]
        if unit.level == "county" and unit.parent_code:
            scopes.append(unit.parent_code)
        for scope in scopes:
            bucket = table.setdefault((scope, unit.level), {}).setdefault(entry.text, [])
            if unit not in bucket:
                bucket.append(unit)
    return table


@functools.cache
def _max_len() -> int:
    return max(len(e.text) for e, _ in _entries(False))


@dataclass(frozen=True, slots=True)
class AddressPrefix:
    """The divisions named at the start of an address.

    ``candidates`` holds the deepest units that fit (more than one when a name is
    ambiguous); ``end`` is the code-point offset just after the last matched name.
    """

    candidates: tuple[Division, ...]
    end: int


def _match(text: str, pos: int, names: dict[str, list[Division]]) -> tuple[int, list[Division]]:
    for length in range(min(_max_len(), len(text) - pos), 1, -1):
        units = names.get(text[pos : pos + length])
        if units:
            return pos + length, units
    return pos, []


def locate(address: str) -> AddressPrefix | None:
    """Match the province / city / county names that open an address, in full or short form.

    Each level is optional, but the levels must nest. Returns ``None`` if the text does not
    start with a division name. This is how de-identification finds the part of an address
    to keep when it generalises it.

    >>> p = locate("广东省深圳市南山区科技园科苑路15号")
    >>> [d.full_name for d in p.candidates], p.end
    (['广东省深圳市南山区'], 9)
    >>> p = locate("深圳南山区粤海街道")
    >>> p.candidates[0].code, p.end
    ('440305', 5)
    >>> [d.full_name for d in locate("朝阳区建国路88号").candidates]
    ['北京市朝阳区', '吉林省长春市朝阳区']
    >>> locate("建国路88号") is None
    True
    """
    index = _names_by_parent()
    pos = 0
    scopes: list[Division] = []
    levels: tuple[Level, ...] = ("province", "city", "county")
    while levels:
        best_end, found, best_level = pos, [], levels[0]
        for level in levels:
            contexts: list[Division | None] = [*scopes] or [None]
            for scope in contexts:
                if scope is None:
                    key = ""
                elif scope.level == "city":
                    key = scope.code
                else:
                    key = scope.province_code
                end, units = _match(address, pos, index.get((key, level), {}))
                if units and end > best_end:
                    best_end, found, best_level = end, list(units), level
                elif units and end == best_end and level == best_level:
                    found.extend(u for u in units if u not in found)
        if not found:
            break
        scopes, pos = found, best_end
        levels = levels[levels.index(best_level) + 1 :]
    if not scopes:
        return None
    return AddressPrefix(candidates=tuple(scopes), end=pos)
