"""Policies: rules by entity/category/grade/column/table, line-numbered errors, the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from piguard.deidentify import default_policy, load_policy, parse_policy
from piguard.deidentify.operators import FpeConfig, HashConfig
from piguard.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

POLICY = """\
version: 1
keys: file:/etc/piguard/keys
columns:
  remark: text
  internal_*: keep
tables:
  "orders*":
    columns:
      buyer_contact: CN_MOBILE
rules:
  - table: "orders*"
    column: buyer_contact
    operator: tokenize
  - entity: [CN_RESIDENT_ID, BANK_CARD]
    operator: fpe
    options: {keep_region: true}
  - category: "basic.phone.*"
    operator: mask
  - grade: sensitive
    operator: hash
    options: {length: 12}
  - grade: ordinary
    operator: replace
"""


def test_rules_match_first_wins() -> None:
    p = parse_policy(POLICY, source="p.yaml")
    assert p.keys == "file:/etc/piguard/keys"
    assert (
        p.rule_for("CN_MOBILE", column="buyer_contact", table="orders_2024").operator == "tokenize"
    )  # type: ignore[union-attr]
    assert p.rule_for("CN_MOBILE", column="buyer_contact", table="users").operator == "mask"  # type: ignore[union-attr]
    assert p.rule_for("CN_LANDLINE").operator == "mask"  # type: ignore[union-attr]
    rule = p.rule_for("CN_RESIDENT_ID")
    assert rule is not None
    assert rule.config == FpeConfig(keep_region=True)
    assert rule.line == 14
    assert p.rule_for("CN_PASSPORT").config == HashConfig(length=12)  # type: ignore[union-attr]
    assert p.rule_for("PERSON_NAME").operator == "replace"  # type: ignore[union-attr]
    assert p.column_kind("remark") == "text"
    assert p.column_kind("internal_id") == "keep"
    assert p.column_kind("buyer_contact", "orders_1") == "CN_MOBILE"
    assert p.column_kind("buyer_contact", "users") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules:\n  - entity: CN_MOBILE\n    operator: fpe3\n", "p.yaml:3: unknown operator 'fpe3'"),  # noqa: E501
        ("rules:\n  - entity: CN_MOBIL\n    operator: mask\n", "p.yaml:2: unknown entity 'CN_MOBIL'"),  # noqa: E501
        ("rules:\n  - entity: CN_MOBILE\n    operator: hash\n    options:\n      length: 4\n",
         "p.yaml:5: hash: option 'length' must be between 8 and 64"),
        ("rules:\n  - grade: secret\n    operator: mask\n", "p.yaml:2: grade must be"),
        ("rules:\n  - entity: CN_MOBILE\n", "p.yaml:2: rule 1 has no operator"),
        ("rules:\n  - entity: CN_MOBILE\n    operater: mask\n", "p.yaml:3: rule 1: unknown key 'operater'"),  # noqa: E501
        ("rulez: []\n", "p.yaml:1: unknown section 'rulez'"),
        ("rules: []\n", "p.yaml: the policy has no rules"),
        ("rules:\n  - entity: [a\n", "p.yaml:3: not valid YAML"),
        ("columns:\n  a: PHONE\nrules:\n  - grade: sensitive\n    operator: mask\n",
         "p.yaml:2: unknown entity 'PHONE'"),
        ("version: 2\nrules: []\n", "p.yaml:1: unsupported policy version"),
        ("rules:\n  - category: 'nothing.*'\n    operator: mask\n", "p.yaml:2: category"),
        ("rules:\n  - grade: sensitive\n    operator: fpe\n    options: {keep_region: yes, keep_birth_date: true}\n",  # noqa: E501
         "p.yaml:4: fpe: fpe: keeping both region and birth date"),
    ],
)  # fmt: skip
def test_errors_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_policy(text, source="p.yaml")
    assert str(info.value).startswith(message)


def test_load_policy_file(tmp_path: Path) -> None:
    f = tmp_path / "policy.yaml"
    f.write_text("rules:\n  - grade: ordinary\n    operator: mask\n  - grade: x\n", "utf-8")
    with pytest.raises(ConfigError, match=r"policy\.yaml:4: grade must be"):
        load_policy(f)
    with pytest.raises(ConfigError, match="cannot read the policy"):
        load_policy(tmp_path / "missing.yaml")


def test_default_policy_is_the_example_and_sensible() -> None:
    shipped = (ROOT / "src/piguard/deidentify/default_policy.yaml").read_text("utf-8")
    example = (ROOT / "examples/policies/default.yaml").read_text("utf-8")
    assert shipped == example
    assert load_policy(ROOT / "examples/policies/default.yaml").rules == default_policy().rules
    p = default_policy()
    from piguard import taxonomy

    for entity in taxonomy.ENTITIES:
        rule = p.rule_for(entity)
        assert rule is not None, entity
        sensitive = taxonomy.entity_category(entity).sensitive
        if sensitive:  # sensitive PI: pseudonym, FPE, or removed / coarsened
            assert rule.operator in {"fpe", "hash", "replace", "generalize"}, entity
        else:  # ordinary PI: masked
            assert rule.operator == "mask", entity
