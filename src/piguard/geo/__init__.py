"""China's administrative divisions (行政区划): codes, names, hierarchy.

Provinces, prefecture-level cities and county-level units with their 6-digit codes (the
address codes that open resident ID numbers), plus township-level units on demand, from the
National Bureau of Statistics 2023 tables shipped in the package (see ``data/*.tsv`` for the
source). Standard library only; each table is read once, on first use.

Used by the detection engine (resident-ID region prefixes, address gazetteer), the name and
address tagger, de-identification (generalise an address to province / city / district) and
anonymisation (hierarchies district → city → province).

>>> from piguard import geo
>>> geo.division("110105").full_name
'北京市朝阳区'
>>> geo.generalize("440305", "city")
'深圳市'
>>> [d.name for d in geo.find_by_name("广西")]
['广西壮族自治区']
>>> geo.id_region_level("110105"), geo.province_abbreviation("44")
('county', '粤')
"""

from piguard.geo.divisions import (
    LEVELS,
    Division,
    Level,
    all_divisions,
    children,
    city_name,
    counties,
    division,
    generalize,
    id_region_level,
    is_known_city,
    is_known_code,
    is_known_province,
    iter_townships,
    path,
    province_abbreviation,
    province_by_abbreviation,
    province_name,
    provinces,
    township,
)
from piguard.geo.names import (
    AddressPrefix,
    DivisionName,
    all_names,
    find_by_name,
    locate,
    short_names,
)

__all__ = [
    "LEVELS",
    "AddressPrefix",
    "Division",
    "DivisionName",
    "Level",
    "all_divisions",
    "all_names",
    "children",
    "city_name",
    "counties",
    "division",
    "find_by_name",
    "generalize",
    "id_region_level",
    "is_known_city",
    "is_known_code",
    "is_known_province",
    "iter_townships",
    "locate",
    "path",
    "province_abbreviation",
    "province_by_abbreviation",
    "province_name",
    "provinces",
    "short_names",
    "township",
]
