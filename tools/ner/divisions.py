"""Load the administrative divisions (行政区划) of ../shared/data/cn_divisions.

Used by build_gazetteer.py (the shipped gazetteer) and synth.py (synthetic personal
addresses for training). Source: NBS 统计用区划代码 2023 via
github.com/modood/Administrative-divisions-of-China (WTFPL); see that folder's README.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DIR = REPO.parent / "shared" / "data" / "cn_divisions"

# Placeholder units of the NBS tables that are not names (see the data README).
PLACEHOLDERS = frozenset(
    {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "直辖县级行政区划"}
)

_ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|"
    "高山|拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|"
    "普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|"
    "珞巴|基诺|各"
)
_AUTONOMOUS = re.compile(rf"^(.+?)(?:(?:{_ETHNIC})族?)+自治(?:区|州|县|旗)$")
_LEVEL_SUFFIX = re.compile(r"^(.{2,})(?:特别行政区|省|市|地区|盟|区|县|旗|特区)$")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent: str  # code of the parent unit ("" for provinces)


@dataclass(frozen=True)
class Divisions:
    provinces: dict[str, Division]
    cities: dict[str, Division]
    areas: dict[str, Division]
    streets: dict[str, Division]


def short_form(name: str) -> str | None:
    """Usual short form of a division name, or None (北京市 -> 北京; 延边朝鲜族自治州 -> 延边)."""
    if name == "神农架林区":  # the one forestry district (林区)
        return name[:-2]
    m = _AUTONOMOUS.match(name)
    if m and len(m.group(1)) >= 2:
        return m.group(1)
    m = _LEVEL_SUFFIX.match(name)
    if m:
        return m.group(1)
    return None


def _read(path: Path, parent_field: str | None) -> dict[str, Division]:
    out: dict[str, Division] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            parent = row[parent_field] if parent_field else ""
            out[row["code"]] = Division(row["code"], row["name"].strip(), parent)
    return out


def load(directory: Path = DEFAULT_DIR) -> Divisions:
    return Divisions(
        provinces=_read(directory / "provinces.csv", None),
        cities=_read(directory / "cities.csv", "provinceCode"),
        areas=_read(directory / "areas.csv", "cityCode"),
        streets=_read(directory / "streets.csv", "areaCode"),
    )
