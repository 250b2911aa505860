"""The taxonomy of Chinese personal information (个人信息), as versioned data with dotted keys.

Categories follow GB/T 35273-2020 Table A.1 (13 groups), graded by Table B.1 of the 2020
edition; the children rules of Annex B and PIPL Art. 28 can raise any category to sensitive.
Keys such as ``identity.resident_id`` are a public contract: they are extended, never renamed.

>>> from piguard import taxonomy
>>> taxonomy.get("location.precise").grade
<Grade.SENSITIVE: 'sensitive'>
>>> taxonomy.entity_category("CN_RESIDENT_ID").key
'identity.resident_id'
"""

from __future__ import annotations

from piguard.taxonomy._entities import ENTITIES, ENTITY_CATEGORIES, entity_category
from piguard.taxonomy._model import Category, Example, Grade, HealthDataLevel
from piguard.taxonomy._registry import (
    GBT_CHILD_MAX_AGE,
    PIPL_CHILD_AGE_LIMIT,
    SensitivityVerdict,
    categories,
    children,
    find,
    get,
    groups,
    is_sensitive,
    sensitivity,
)

#: "<edition year of GB/T 35273>.<schema revision>": bumped when keys or records change shape.
TAXONOMY_VERSION = "2020.1"

__all__ = [
    "ENTITIES",
    "ENTITY_CATEGORIES",
    "GBT_CHILD_MAX_AGE",
    "PIPL_CHILD_AGE_LIMIT",
    "TAXONOMY_VERSION",
    "Category",
    "Example",
    "Grade",
    "HealthDataLevel",
    "SensitivityVerdict",
    "categories",
    "children",
    "entity_category",
    "find",
    "get",
    "groups",
    "is_sensitive",
    "sensitivity",
]
