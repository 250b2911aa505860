"""Table-driven tests per operator: presets, keys, reversibility, validation of configs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from piguard.deidentify import OperatorRegistry, OperatorSpec, default_operators
from piguard.deidentify.operators import MaskConfig, Operator, ReplaceConfig
from piguard.detect.identifiers import bank_card, cn_mobile, cn_ric
from piguard.errors import ConfigError, IntegrityError, KeyProviderError
from piguard.keys import EnvKeyProvider

REG = default_operators(plugins=False)


@pytest.mark.parametrize(
    ("entity", "value", "masked"),
    [
        ("CN_MOBILE", "13812345678", "138****5678"),
        ("CN_MOBILE", "+86 138 1234 5678", "+86 138 **** 5678"),
        ("CN_RESIDENT_ID", "110101199003071234", "110101********1234"),
        ("PERSON_NAME", "张三", "张*"),
        ("PERSON_NAME", "欧阳娜娜", "欧***"),
        ("ADDRESS", "北京市朝阳区建国路88号", "北京市朝阳区****"),
        ("EMAIL", "zhangsan@example.com", "z*******@example.com"),
        ("BANK_CARD", "6222029600133894", "************3894"),
        ("BANK_CARD", "6222 0296 0013 3894", "**** **** **** 3894"),
    ],
)
def test_mask_presets(entity: str, value: str, masked: str) -> None:
    op = REG.build("mask", {})
    assert op.apply(value, entity) == masked
    assert op.apply_batch([value] * 100, entity) == [masked] * 100  # the NumPy path too


def test_mask_custom_and_batch_mixed_widths() -> None:
    op = REG.build("mask", {"keep_first": 2, "keep_last": 1, "char": "#"})
    values = ["ABCDEFG", "1234567", "12-34", "中文字符串"] * 30
    expected = [op.apply(v) for v in values]
    assert op.apply_batch(values) == expected
    assert expected[:4] == ["AB####G", "12####7", "12-#4", "中文##串"]


def test_replace_and_redact() -> None:
    assert REG.build("replace", {}).apply("13812345678", "CN_MOBILE") == "<手机号>"
    assert REG.build("replace", {"tag": "[PHONE]"}).apply("x", "CN_MOBILE") == "[PHONE]"
    assert REG.build("redact", {}).apply("13812345678") == ""


def test_hash_is_keyed_join_preserving_and_truncated(keys: EnvKeyProvider) -> None:
    a = REG.build("hash", {"length": 16, "prefix": "P_"}, keys)
    b = REG.build("hash", {"length": 16, "prefix": "P_"}, keys)
    other = REG.build("hash", {"key": "other", "length": 16, "prefix": "P_"}, keys)
    v = "110101199003071234"
    assert a.apply(v) == b.apply(v)  # same key: same pseudonym across runs
    assert re.fullmatch(r"P_[0-9a-f]{16}", a.apply(v))
    assert a.apply(v) != other.apply(v)
    assert a.apply_batch([v, "x", v]) == [a.apply(v), a.apply("x"), a.apply(v)]
    sm3 = REG.build("hash", {"algorithm": "hmac-sm3"}, keys)
    assert len(sm3.apply(v)) == 64
    assert sm3.apply(v) != REG.build("hash", {}, keys).apply(v)


def test_operators_say_they_need_keys() -> None:
    with pytest.raises(ConfigError, match="needs a key provider"):
        REG.build("hash", {})
    with pytest.raises(KeyProviderError, match="PIGUARD_KEY_MISSING"):
        REG.build("hash", {"key": "missing"}, EnvKeyProvider(environ={}))
    assert REG.spec("fpe").reversible
    assert REG.spec("fpe").needs_key
    assert not REG.spec("mask").needs_key
    assert not REG.spec("hash").reversible


@pytest.mark.parametrize("algorithm", ["aes-gcm", "sm4-gcm"])
def test_encrypt_round_trip_and_wrong_key(keys: EnvKeyProvider, algorithm: str) -> None:
    op = REG.build("encrypt", {"algorithm": algorithm}, keys)
    token = op.apply("张三 13812345678")
    assert token.startswith("ENC.")
    assert "138" not in token
    assert op.apply("张三 13812345678") != token  # random nonce
    assert op.reverse(token) == "张三 13812345678"
    wrong = REG.build("encrypt", {"algorithm": algorithm, "key": "other"}, keys)
    with pytest.raises(IntegrityError):
        wrong.reverse(token)


@pytest.mark.parametrize(
    ("entity", "value", "validator"),
    [
        ("CN_MOBILE", "13812345678", cn_mobile.is_valid),
        ("CN_RESIDENT_ID", "110101199003071233", cn_ric.is_valid),
        ("CN_RESIDENT_ID", "36042619910101104X", cn_ric.is_valid),
        ("BANK_CARD", "6222029600133894", bank_card.is_valid),
        ("BANK_CARD", "6217005219224679865", bank_card.is_valid),
    ],
)
def test_fpe_keeps_identifiers_valid(
    keys: EnvKeyProvider, entity: str, value: str, validator: object
) -> None:
    op = REG.build("fpe", {}, keys)
    enc = op.apply(value, entity)
    assert enc != value
    assert len(enc) == len(value)
    assert validator(enc)  # type: ignore[operator]
    assert op.reverse(enc, entity) == value


def test_fpe_options(keys: EnvKeyProvider) -> None:
    value = "110101199003071233"
    keep_region = REG.build("fpe", {"keep_region": True}, keys).apply(value, "CN_RESIDENT_ID")
    assert keep_region[:6] == "110101"
    assert cn_ric.is_valid(keep_region)
    keep_birth = REG.build("fpe", {"keep_birth_date": True}, keys).apply(value, "CN_RESIDENT_ID")
    assert keep_birth[6:14] == "19900307"
    assert cn_ric.is_valid(keep_birth)
    assert REG.build("fpe", {}, keys).apply("6222029600133894", "BANK_CARD")[:6] == "622202"
    assert REG.build("fpe", {}, keys).apply("13812345678", "CN_MOBILE")[:3] == "138"
    with pytest.raises(ConfigError, match="SP 800-38G"):
        REG.parse("fpe", {"keep_region": True, "keep_birth_date": True})


def test_fpe_keeps_layout_and_generic_values(keys: EnvKeyProvider) -> None:
    op = REG.build("fpe", {}, keys)
    enc = op.apply("+86 138-1234-5678", "CN_MOBILE")
    assert re.fullmatch(r"\+86 138-\d{4}-\d{4}", enc)
    assert enc != "+86 138-1234-5678"
    assert op.reverse(enc, "CN_MOBILE") == "+86 138-1234-5678"
    order = op.apply("SF1563706046623")
    assert order.startswith("SF")
    assert order != "SF1563706046623"
    assert op.reverse(order) == "SF1563706046623"


def test_tokenize_vault_roles(keys: EnvKeyProvider, tmp_path: Path) -> None:
    vault = str(tmp_path / "vault.sqlite")
    op = REG.build("tokenize", {"vault": vault, "roles": ["auditor"]}, keys)
    tokens = op.apply_batch(["13812345678", "13987654321", "13812345678"])
    assert tokens[0] == tokens[2] != tokens[1]
    assert all(t.startswith("tok_") for t in tokens)
    assert op.reverse(tokens[1], role="auditor") == "13987654321"
    with pytest.raises(KeyProviderError, match="may not detokenise"):
        op.reverse(tokens[1], role="analyst")
    with pytest.raises(ConfigError, match="explicit role"):
        op.reverse(tokens[1])
    # the value is encrypted at rest: the raw number is nowhere in the database file
    assert b"13987654321" not in Path(vault).read_bytes()
    # a new run with the same key reuses the tokens; another key cannot read them
    again = REG.build("tokenize", {"vault": vault, "roles": ["auditor"]}, keys)
    assert again.apply("13812345678") == tokens[0]
    other = REG.build("tokenize", {"vault": vault, "key": "other", "roles": ["auditor"]}, keys)
    with pytest.raises(KeyProviderError):
        other.reverse(tokens[0], role="auditor")


@pytest.mark.parametrize(
    ("options", "entity", "value", "expected"),
    [
        ({"kind": "age"}, None, "37", "30-39"),
        ({"kind": "age", "width": 5}, None, "37岁", "35-39"),
        ({"kind": "number", "width": 100}, None, "1234.5", "1200-1299"),
        ({"kind": "date"}, None, "2024-03-07", "2024-03"),
        ({"kind": "date", "date_level": "year"}, None, "2024年3月7日", "2024"),
        ({}, "DATE_OF_BIRTH", "1990-03-07", "1990-03"),
        ({}, "ADDRESS", "广东省深圳市南山区科技园科苑路15号", "广东省深圳市"),
        ({"address_level": "county"}, "ADDRESS", "深圳南山区粤海街道", "广东省深圳市南山区"),
        ({"address_level": "province"}, "ADDRESS", "北京市朝阳区建国路88号", "北京市"),
        ({}, "GPS_COORDINATE", "39.908722,116.397499", "wx4g0"),
        ({"gps_method": "grid", "precision": 2}, "GPS_COORDINATE", "39.908722,116.397499",
         "39.90,116.39"),
        ({}, "CN_RESIDENT_ID", "110101199003071233", "110101************"),
        ({}, "ADDRESS", "建国路88号", "*"),
    ],
)  # fmt: skip
def test_generalize(
    options: dict[str, object], entity: str | None, value: str, expected: str
) -> None:
    assert REG.build("generalize", options).apply(value, entity) == expected


def test_date_shift_is_consistent_per_person(keys: EnvKeyProvider) -> None:
    op = REG.build("date_shift", {"max_days": 30}, keys)
    a1 = op.apply("2024-03-01", subject="person-1")
    a2 = op.apply("2024-03-11", subject="person-1")
    from datetime import date

    d1, d2 = date.fromisoformat(a1), date.fromisoformat(a2)
    assert (d2 - d1).days == 10  # intervals within a person survive
    assert abs((d1 - date(2024, 3, 1)).days) <= 30
    offsets = {op.offset(f"p{i}") for i in range(50)}  # type: ignore[attr-defined]
    assert len(offsets) > 10
    assert op.apply("2024-03-01 08:00:00", subject="person-1").endswith(" 08:00:00")


def test_waybill_preset(keys: EnvKeyProvider, tmp_path: Path) -> None:
    op = REG.build("waybill", {})
    assert op.apply("张三丰", "PERSON_NAME") == "张**"
    assert op.apply("13812345678", "CN_MOBILE") == "138****5678"
    assert op.apply("北京市朝阳区建国路88号3单元", "ADDRESS") == "北京市朝阳区"
    virtual = REG.build("waybill", {"phone": "virtual", "vault": str(tmp_path / "v.sqlite")}, keys)
    number = virtual.apply("13812345678", "CN_MOBILE")
    assert number.startswith("170")
    assert cn_mobile.is_valid(number)
    assert number != "13812345678"
    assert virtual.apply("13812345678", "CN_MOBILE") == number


def test_config_validation_messages() -> None:
    with pytest.raises(ConfigError, match="unknown option 'lenght'"):
        REG.parse("hash", {"lenght": 8})
    with pytest.raises(ConfigError, match="must be one of 'hmac-sha256', 'hmac-sm3'"):
        REG.parse("hash", {"algorithm": "md5"})
    with pytest.raises(ConfigError, match="between 8 and 64"):
        REG.parse("hash", {"length": 4})
    with pytest.raises(ConfigError, match="must be an integer"):
        REG.parse("mask", {"keep_first": "3"})
    with pytest.raises(ConfigError, match="unknown operator 'fpe3'"):
        REG.spec("fpe3")
    cfg = REG.parse("mask", {"keep_first": 1})
    assert cfg == MaskConfig(keep_first=1)
    with pytest.raises(AttributeError):
        cfg.keep_first = 2  # type: ignore[misc]  # frozen


def test_registry_is_an_object_with_plugins() -> None:
    class Upper(Operator):
        name = "upper"

        def apply(self, value: str, entity: str | None = None, subject: str | None = None) -> str:
            return value.upper()

    reg = OperatorRegistry([OperatorSpec("upper", ReplaceConfig, lambda c, k: Upper(c))])
    assert reg.names() == ["upper"]
    assert reg.build("upper", {}).apply("abc") == "ABC"
    with pytest.raises(ConfigError, match="already registered"):
        reg.register(OperatorSpec("upper", ReplaceConfig, lambda c, k: Upper(c)))
    assert "upper" not in REG.names()


def test_no_key_material_in_repr_or_metadata(keys: EnvKeyProvider) -> None:
    for name in ("hash", "encrypt", "fpe"):
        op = REG.build(name, {}, keys)
        text = repr(op) + repr(op.describe())
        assert "5f5f" not in text.lower()
        assert "env:deidentify" in text
