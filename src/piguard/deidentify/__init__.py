"""De-identification (去标识化): masking, keyed pseudonyms, FF3-1 format-preserving
encryption, a token vault, generalisation, date shifting, suppression and privacy waybills,
driven by a YAML policy, for text and tables.

>>> from piguard.keys import EnvKeyProvider
>>> keys = EnvKeyProvider(environ={"PIGUARD_KEY_DEIDENTIFY": "11" * 32})
>>> Deidentifier(keys=keys).deidentify_text("身份证110101199003071233，手机13812345678")[-11:]
'138****5678'
"""

from piguard.deidentify.engine import (
    ColumnPlan,
    Deidentifier,
    Summary,
    classify_column,
    metadata_path,
)
from piguard.deidentify.fpe import FormatPreservingEncryptor
from piguard.deidentify.operators import (
    ENTRY_POINT_GROUP,
    Operator,
    OperatorRegistry,
    OperatorSpec,
    default_operators,
    parse_config,
)
from piguard.deidentify.policy import (
    Policy,
    Rule,
    check_keys,
    default_policy,
    load_policy,
    parse_policy,
)
from piguard.deidentify.reidentify import reidentify_file, reidentify_sql
from piguard.deidentify.vault import TokenVault

__all__ = [
    "ENTRY_POINT_GROUP",
    "ColumnPlan",
    "Deidentifier",
    "FormatPreservingEncryptor",
    "Operator",
    "OperatorRegistry",
    "OperatorSpec",
    "Policy",
    "Rule",
    "Summary",
    "TokenVault",
    "check_keys",
    "classify_column",
    "default_operators",
    "default_policy",
    "load_policy",
    "metadata_path",
    "parse_config",
    "parse_policy",
    "reidentify_file",
    "reidentify_sql",
]
