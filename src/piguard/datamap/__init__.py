"""The data map as code (数据映射, 最小必要): which function collects which PI, why, on which
legal basis, for how long and for whom, checked against the rules.

A data map is a YAML file: systems → business functions (basic or extended, GB/T 35273-2020
Appendix C) → PI items (taxonomy keys) with purposes, legal basis, retention period,
recipients and cross-border transfers. :func:`check` returns one :class:`Finding` per broken
rule, each naming its rule id and clause. Framework-free: the service and the CLI call it.

>>> dm = parse_datamap(
...     '''
... datamap: 1
... systems:
...   - id: app
...     functions:
...       - id: face-login
...         type: extended
...         pi:
...           - category: biometric.face
...             purposes: [log in by face]
...             legal_basis: consent
...             storage: raw
... ''',
...     source="map.yaml",
... )
>>> [(f.line, f.rule) for f in check(dm)]
[(9, 'DM002'), (9, 'DM003'), (9, 'DM004')]
>>> check(dm)[1].format()[:60]
'map.yaml:9: DM003 biometrics-raw-or-shared [GB/T 35273-2020 '
"""

from piguard.datamap.load import (
    FORMAT_VERSION,
    load_datamap,
    parse_datamap,
    parse_retention,
)
from piguard.datamap.model import (
    BiometricStorage,
    BusinessFunction,
    CrossBorder,
    DataMap,
    FunctionType,
    LegalBasis,
    PIItem,
    Recipient,
    RecipientType,
    Retention,
    Subjects,
    System,
)
from piguard.datamap.profiles import profile_datamap, profile_datamap_yaml
from piguard.datamap.rules import RULES, Finding, Rule, check, summarise

__all__ = [
    "FORMAT_VERSION",
    "RULES",
    "BiometricStorage",
    "BusinessFunction",
    "CrossBorder",
    "DataMap",
    "Finding",
    "FunctionType",
    "LegalBasis",
    "PIItem",
    "Recipient",
    "RecipientType",
    "Retention",
    "Rule",
    "Subjects",
    "System",
    "check",
    "load_datamap",
    "parse_datamap",
    "parse_retention",
    "profile_datamap",
    "profile_datamap_yaml",
    "summarise",
]
