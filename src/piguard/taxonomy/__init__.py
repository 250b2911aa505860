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

from piguard.taxonomy._apps import (
    GENERAL_RULES,
    AppCategory,
    Condition,
    ConditionKind,
    Confidence,
    NecessaryPI,
    RuleArticle,
    app_categories,
    app_category,
)
from piguard.taxonomy._entities import ENTITIES, ENTITY_CATEGORIES, entity_category
from piguard.taxonomy._export import (
    EXPORT_FORMATS,
    EXPORTS_DIR,
    app_dict,
    category_dict,
    profile_dict,
    render,
    taxonomy_dict,
)
from piguard.taxonomy._model import Category, Example, Grade, HealthDataLevel
from piguard.taxonomy._profiles import (
    FunctionType,
    IndustryProfile,
    ProfileItem,
    Side,
    industry_profile,
    industry_profiles,
)
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
from piguard.taxonomy._version import TAXONOMY_VERSION

__all__ = [
    "ENTITIES",
    "ENTITY_CATEGORIES",
    "EXPORTS_DIR",
    "EXPORT_FORMATS",
    "GBT_CHILD_MAX_AGE",
    "GENERAL_RULES",
    "PIPL_CHILD_AGE_LIMIT",
    "TAXONOMY_VERSION",
    "AppCategory",
    "Category",
    "Condition",
    "ConditionKind",
    "Confidence",
    "Example",
    "FunctionType",
    "Grade",
    "HealthDataLevel",
    "IndustryProfile",
    "NecessaryPI",
    "ProfileItem",
    "RuleArticle",
    "SensitivityVerdict",
    "Side",
    "app_categories",
    "app_category",
    "app_dict",
    "categories",
    "category_dict",
    "children",
    "entity_category",
    "find",
    "get",
    "groups",
    "industry_profile",
    "industry_profiles",
    "is_sensitive",
    "profile_dict",
    "render",
    "sensitivity",
    "taxonomy_dict",
]
