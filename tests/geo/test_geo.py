"""piguard.geo: the division table, look-ups by code and by name, and the shipped data."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from piguard import geo
from piguard.errors import UnknownKeyError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "piguard" / "geo" / "data"
SOURCE = Path(os.environ.get("PIGUARD_CN_DIVISIONS", ROOT.parent / "shared/data/cn_divisions"))


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_divisions", ROOT / "scripts" / "build_divisions.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- counts


def test_province_count_is_31_mainland_plus_taiwan_hong_kong_macao() -> None:
    codes = [p.code for p in geo.provinces()]
    assert len(codes) == 34
    mainland = [c for c in codes if c[:2] not in {"71", "81", "82"}]
    assert len(mainland) == 31
    assert {geo.province_name(c) for c in ("71", "81", "82")} == {
        "台湾省",
        "香港特别行政区",
        "澳门特别行政区",
    }
    # No subdivisions are listed for those three.
    assert all(geo.children(c) == () for c in ("71", "81", "82"))


def test_level_counts_match_the_source_tables() -> None:
    units = geo.all_divisions()
    assert sum(d.level == "city" for d in units) == 342
    assert sum(d.level == "county" for d in units) == 2978
    assert len(geo.counties()) == 2978
    assert sum(1 for _ in geo.iter_townships()) == 41352


# ---------------------------------------------------------------- codes


@pytest.mark.parametrize(
    ("code", "name", "full_name", "level"),
    [
        ("110105", "朝阳区", "北京市朝阳区", "county"),
        ("440305", "南山区", "广东省深圳市南山区", "county"),
        ("220104", "朝阳区", "吉林省长春市朝阳区", "county"),
        ("310115", "浦东新区", "上海市浦东新区", "county"),
        ("500101", "万州区", "重庆市万州区", "county"),
        ("500229", "城口县", "重庆市城口县", "county"),
        ("419001", "济源市", "河南省济源市", "county"),
        ("650000", "新疆维吾尔自治区", "新疆维吾尔自治区", "province"),
        ("440300", "深圳市", "广东省深圳市", "city"),
        ("441900", "东莞市", "广东省东莞市", "county"),
    ],
)
def test_known_codes(code: str, name: str, full_name: str, level: str) -> None:
    unit = geo.division(code)
    assert unit is not None
    assert (unit.name, unit.full_name, unit.level, unit.code) == (name, full_name, level, code)
    assert geo.is_known_code(code)


def test_division_fields() -> None:
    unit = geo.division("440305")
    assert unit == geo.Division(
        code="440305",
        name="南山区",
        level="county",
        parent_code="440300",
        province_code="440000",
        path_names=("广东省", "深圳市", "南山区"),
    )
    with pytest.raises(AttributeError):
        unit.name = "x"  # type: ignore[misc]


def test_short_prefixes_and_bad_input() -> None:
    assert geo.division("44") == geo.division("440000")
    assert geo.division("4403") == geo.division("440300")
    # 东莞市 has no districts: the city (4419) and its one county-level unit share 441900.
    city, county = geo.division("4419"), geo.division("441900")
    assert city is not None
    assert county is not None
    assert (city.level, county.level) == ("city", "county")
    for bad in ("", "1", "110", "11010", "1101055", "abcdef", "11010５", "999999", "110199"):
        assert geo.division(bad) is None, bad
        assert not geo.is_known_code(bad), bad
    assert geo.is_known_province("44")
    assert not geo.is_known_province("4403")
    assert not geo.is_known_province("99")
    assert geo.is_known_city("4403")
    assert not geo.is_known_city("4400")
    assert geo.province_name("110105") == "北京市"
    assert geo.city_name("440305") == "深圳市"
    assert geo.city_name("1101") == "北京市"


def test_id_region_level_accepts_retired_counties_by_province() -> None:
    assert geo.id_region_level("110105") == "county"
    assert geo.id_region_level("110103") == "city"  # 崇文区, merged into 东城区 in 2010
    assert geo.id_region_level("429901") == "province"  # no city 4299
    assert geo.id_region_level("441900") == "county"  # 东莞市: no districts
    assert geo.id_region_level("440300") == "city"  # a city's own code is no address code
    assert geo.id_region_level("810000") == "permit"
    assert geo.id_region_level("830000") == "permit"
    assert geo.id_region_level("000000") is None
    assert geo.id_region_level("99010") is None
    assert geo.id_region_level("11010X") is None


@settings(deadline=None)  # the first example builds the name index
@given(st.text(max_size=12))
def test_lookups_never_raise_on_junk(text: str) -> None:
    geo.division(text)
    geo.is_known_code(text)
    geo.id_region_level(text)
    geo.find_by_name(text)
    geo.locate(text)


# ---------------------------------------------------------------- hierarchy


def test_path_of_a_county() -> None:
    assert [d.code for d in geo.path("440305")] == ["440000", "440300", "440305"]
    assert [d.name for d in geo.path("110105")] == ["北京市", "市辖区", "朝阳区"]
    assert [d.placeholder for d in geo.path("110105")] == [False, True, False]
    assert [d.name for d in geo.path("110101001")] == ["北京市", "市辖区", "东城区", "东华门街道"]
    assert [d.level for d in geo.path("441900")] == ["province", "city", "county"]
    with pytest.raises(UnknownKeyError):
        geo.path("999999")


def test_children_nest() -> None:
    for province in geo.provinces():
        for city in geo.children(province.code):
            assert city.parent_code == province.code
            assert city.level == "city"
            for county in geo.children(city.prefix):
                assert county.level == "county"
                assert county.code.startswith(city.prefix)
                assert county.province_code == province.code
    towns = geo.children("440305")
    assert towns
    assert all(t.level == "township" and t.parent_code == "440305" for t in towns)
    assert geo.children("440305001") == ()


def test_generalize_hierarchy() -> None:
    assert [geo.generalize("440305", lvl) for lvl in ("county", "city", "province")] == [
        "南山区",
        "深圳市",
        "广东省",
    ]
    assert geo.generalize("110105", "city") == "北京市"
    assert geo.generalize("500229", "city") == "重庆市"  # under the placeholder 县
    assert geo.generalize("419001", "city") == "济源市"  # 省直辖县级行政区划
    assert geo.generalize("441900", "city") == "东莞市"
    assert geo.generalize("110105", "county", full_path=True) == "北京市朝阳区"
    assert geo.generalize("441900", "county", full_path=True) == "广东省东莞市"
    assert geo.generalize("440305001", "city") == "深圳市"
    with pytest.raises(UnknownKeyError):
        geo.generalize("440000", "county")
    with pytest.raises(UnknownKeyError):
        geo.generalize("4190", "city")  # the placeholder itself has no city-level name


def test_every_county_generalizes_to_a_nonplaceholder_city() -> None:
    for county in geo.counties():
        city = geo.generalize(county.code, "city")
        assert city not in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
        assert geo.generalize(county.code, "province") == geo.province_name(county.code)


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("北京", ["110000"]),
        ("北京市", ["110000"]),
        ("广西", ["450000"]),
        ("广西壮族自治区", ["450000"]),
        ("内蒙古", ["150000"]),
        ("新疆", ["650000"]),
        ("宁夏", ["640000"]),
        ("西藏", ["540000"]),
        ("香港", ["810000"]),
        ("深圳", ["440300"]),
        ("延边", ["222400"]),
        ("浦东", ["310115"]),
        ("神农架", ["429021"]),
        ("朝阳区", ["110105", "220104"]),
        ("海南", ["460000", "632500", "150303"]),  # province, 海南藏族自治州, 乌海市海南区
    ],
)
def test_find_by_name(name: str, codes: list[str]) -> None:
    assert [d.code for d in geo.find_by_name(name)] == codes


def test_find_by_name_returns_every_level() -> None:
    found = geo.find_by_name("朝阳")
    assert {(d.level, d.code) for d in found} >= {
        ("city", "211300"),
        ("county", "110105"),
        ("county", "220104"),
    }
    assert [d.level for d in found] == sorted((d.level for d in found), key=geo.LEVELS.index)
    assert geo.find_by_name("不存在的地方") == ()
    assert geo.find_by_name("市辖区") == ()


def test_short_forms_are_never_one_character() -> None:
    names = geo.all_names()
    assert all(len(e.text) >= 2 for e in names)
    assert not any(e.short and e.text in {"经济技术开发", "市辖"} for e in names)
    by_text = {(e.text, e.code, e.level): e for e in names}
    assert by_text[("长阳", "420528", "county")].short
    assert by_text[("长阳土家族自治县", "420528", "county")].short is False
    assert ("东乡", "622926", "county") in by_text  # 东乡族自治县
    assert ("莫力达瓦", "150722", "county") in by_text
    assert not any(e.code == "130171" and e.short for e in names)  # 石家庄高新技术产业开发区


def test_all_names_with_townships() -> None:
    base = geo.all_names()
    full = geo.all_names(townships=True)
    assert full[: len(base)] == base
    assert any(e.text == "东华门街道" and e.level == "township" for e in full)
    assert [d.code for d in geo.find_by_name("东华门街道", townships=True)] == ["110101001"]


@pytest.mark.parametrize(
    ("address", "full_names", "end"),
    [
        ("广东省深圳市南山区科技园", ["广东省深圳市南山区"], 9),
        ("北京市朝阳区建国路88号", ["北京市朝阳区"], 6),
        ("北京朝阳区建国路88号", ["北京市朝阳区"], 5),
        ("上海浦东新区世纪大道", ["上海市浦东新区"], 6),
        ("深圳南山科技园", ["广东省深圳市南山区"], 4),
        ("广西南宁市青秀区民族大道", ["广西壮族自治区南宁市青秀区"], 8),
        ("朝阳区建国路", ["北京市朝阳区", "吉林省长春市朝阳区"], 3),
        ("浙江省杭州市", ["浙江省杭州市"], 6),
    ],
)
def test_locate(address: str, full_names: list[str], end: int) -> None:
    found = geo.locate(address)
    assert found is not None
    assert [d.full_name for d in found.candidates] == full_names
    assert found.end == end


def test_locate_needs_a_division_name() -> None:
    assert geo.locate("建国路88号") is None
    assert geo.locate("") is None


def test_province_abbreviations() -> None:
    assert geo.province_abbreviation("11") == "京"
    assert geo.province_abbreviation("440305") == "粤"
    assert all(geo.province_abbreviation(p.code) for p in geo.provinces())
    abbrs = [geo.province_abbreviation(p.code) for p in geo.provinces()]
    assert len(set(abbrs)) == len(abbrs)
    for p in geo.provinces():
        abbr = geo.province_abbreviation(p.code)
        assert abbr is not None
        assert geo.province_by_abbreviation(abbr) == p


# ---------------------------------------------------------------- the shipped data


def test_shipped_files_name_their_source() -> None:
    for name in ("divisions.tsv", "townships.tsv"):
        text = (DATA / name).read_text(encoding="utf-8")
        header = [line for line in text.splitlines() if line.startswith("#")]
        assert any("National Bureau of Statistics" in line for line in header)
        assert any("2023 edition" in line for line in header)
        assert any("scripts/build_divisions.py" in line for line in header)
    assert (DATA / "townships.tsv").stat().st_size < 2_000_000


@pytest.mark.skipif(not SOURCE.is_dir(), reason=f"source tables not found at {SOURCE}")
def test_rebuilt_files_equal_the_shipped_ones(tmp_path: Path) -> None:
    script = _build_script()
    assert script.main(["--source", str(SOURCE), "--out", str(tmp_path)]) == 0
    for name in ("divisions.tsv", "townships.tsv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
    assert script.main(["--source", str(SOURCE), "--out", str(DATA), "--check"]) == 0


def test_build_rejects_a_broken_table(tmp_path: Path) -> None:
    script = _build_script()
    (tmp_path / "provinces.csv").write_text('code,name\n11,"北京市"\n', encoding="utf-8")
    (tmp_path / "cities.csv").write_text(
        'code,name,provinceCode\n1201,"市辖区",12\n', encoding="utf-8"
    )
    (tmp_path / "areas.csv").write_text("code,name,cityCode,provinceCode\n", encoding="utf-8")
    (tmp_path / "streets.csv").write_text(
        "code,name,areaCode,provinceCode,cityCode\n", encoding="utf-8"
    )
    with pytest.raises(SystemExit, match="1201 has no parent 12"):
        script.build(tmp_path)
