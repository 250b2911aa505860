"""Table-driven tests of every identifier validator: valid and invalid cases."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from piguard.detect.identifiers import (
    bank_card,
    cn_landline,
    cn_mobile,
    cn_passport,
    cn_plate,
    cn_ric,
    cn_travel_permit,
    cn_uscc,
    dob,
    email,
    gps,
    imei,
    ip,
    iso7064,
    luhn,
    mac,
    mod31,
    qq,
    wechat,
)
from piguard.errors import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


# python-stdnum cn.ric test vectors, used as facts.
def test_stdnum_ric_vectors() -> None:
    assert cn_ric.validate("360426199101010071") == "360426199101010071"
    with pytest.raises(InvalidChecksum):
        cn_ric.validate("36042619910102009X")
    with pytest.raises(InvalidComponent):
        cn_ric.validate("360426199113010079")  # month 13


def test_jionlp_example_has_a_wrong_check_digit() -> None:
    # JioNLP parses 110105194912310021 as an ID; its MOD 11-2 check character must be X.
    assert iso7064.calc_check_digit("11010519491231002") == "X"
    with pytest.raises(InvalidChecksum):
        cn_ric.validate("110105194912310021")
    assert cn_ric.is_valid("11010519491231002X")


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("99042619910101007X", InvalidComponent),  # no province 99
        ("360426289901010074", InvalidComponent),  # born in 2899
        ("360426189901010072", InvalidComponent),  # born before 1900
        ("36042619910101007", InvalidLength),
        ("3604261991010100A1", InvalidFormat),
        ("360426910228007", None),  # legacy 15-digit, valid date
        ("360426911330007", InvalidComponent),  # legacy with month 13
    ],
)
def test_resident_id_cases(number: str, error: type[Exception] | None) -> None:
    if error is None:
        assert cn_ric.validate(number) == number
    else:
        with pytest.raises(error):
            cn_ric.validate(number)


def test_resident_id_retired_county_is_accepted_known_county_is_evidence() -> None:
    body = "110199" + "19800101" + "123"  # 110199 is not a current county
    number = body + iso7064.calc_check_digit(body)
    assert cn_ric.is_valid(number)
    assert cn_ric.region_level(number) != "county"
    assert cn_ric.region_level("360426199101010071") == "county"


def test_resident_id_getters_and_conversion() -> None:
    assert cn_ric.get_birth_date("360426199101010071") == datetime.date(1991, 1, 1)
    assert cn_ric.get_gender("360426199101010071") == "M"
    assert cn_ric.to_18("360426910101007") == "360426199101010071"
    assert cn_ric.compact("３６０４２６ 1991 0101 0071") == "360426199101010071"


@given(st.integers(min_value=0, max_value=10**17 - 1))
def test_iso7064_calc_then_validate_round_trips(n: int) -> None:
    body = f"{n:017d}"
    assert iso7064.is_valid(body + iso7064.calc_check_digit(body))


@given(st.integers(min_value=10**14, max_value=10**18))
def test_luhn_calc_then_validate_round_trips(n: int) -> None:
    body = str(n)
    assert luhn.is_valid(body + luhn.calc_check_digit(body))
    wrong = str((int(luhn.calc_check_digit(body)) + 1) % 10)
    assert not luhn.is_valid(body + wrong)


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("13800138000", True),
        ("+86 138 0013 8000", True),
        ("0086-13800138000", True),
        ("１９９１２３４５６７８", True),
        ("12800138000", False),
        ("1380013800", False),
        ("138001380001", False),
        ("14000138000", False),  # 140 is not a mobile segment
    ],
)
def test_mobile(number: str, ok: bool) -> None:
    assert cn_mobile.is_valid(number) is ok


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("010-62345678", True),
        ("(0755)87654321", True),
        ("0571-8765432", True),
        ("0571-88888888-123", True),
        ("011-62345678", False),  # 011 is not an area code
        ("010-12345678", False),  # subscriber numbers do not start with 1
        ("010-623456", False),
    ],
)
def test_landline(number: str, ok: bool) -> None:
    assert cn_landline.is_valid(number) is ok


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("6222029600133894", True),
        ("6222 0296 0013 3894", True),
        ("6228480402564890018", True),  # 19 digits, ABC
        ("4367420012345670", luhn.is_valid("4367420012345670")),
        ("6222029600133895", False),  # Luhn
        ("1234567812345670", False),  # no scheme
        ("622202960013389", False),  # 15 digits
    ],
)
def test_bank_card(number: str, ok: bool) -> None:
    assert bank_card.is_valid(number) is ok


def test_bank_card_issuer_and_format() -> None:
    assert bank_card.get_issuer("6228480402564890018") == "Agricultural Bank of China"
    assert bank_card.format("6222029600133894") == "6222 0296 0013 3894"


@pytest.mark.parametrize(
    ("module", "good", "bad"),
    [
        (
            cn_passport,
            ["E12345678", "EA1234567", "G12345678"],
            ["E1234567", "EO1234567", "X12345678"],
        ),
        (
            cn_travel_permit,
            ["C12345678", "L12345678", "H1234567801", "M12345678"],
            ["C1234567", "Z12345678"],
        ),
        (
            cn_plate,
            ["粤B12345", "京A·12345", "沪AD12345", "苏E12345F", "川A1234学"],
            ["粤I12345", "粤BABC45", "A12345", "粤B1234"],
        ),
        (cn_uscc, ["91350100M000100Y43"], ["91350100M000100Y44", "91350100M000100Y4"]),
        (imei, ["352099001761481", "35-209900-176148-1"], ["352099001761482", "35209900176148"]),
        (
            mac,
            ["00:1A:2B:3C:4D:5E", "001a.2b3c.4d5e", "00-1a-2b-3c-4d-5e"],
            ["ff:ff:ff:ff:ff:ff", "00:1A:2B:3C:4D", "zz:1A:2B:3C:4D:5E"],
        ),
        (
            ip,
            ["150.3.94.220", "2001:db8::1", "10.0.0.1"],
            ["256.1.1.1", "0.0.0.0", "1.2.3", "01.2.3.4"],  # noqa: S104 - strings, not a bind
        ),
        (
            email,
            ["zhang.san@example.com", "12345@qq.com", "a+b@mail.example.cn"],
            ["a..b@x.com", "a@b", "@x.com", "a@-x.com"],
        ),
        (qq, ["10001", "12345678901"], ["1234", "012345", "123456789012"]),
        (wechat, ["zhangsan_88", "wx-abc123"], ["abc", "1zhangsan", "zhang san"]),
        (
            gps,
            ["39.908722,116.397499", "116.397499, 39.908722", "-33.8688,151.2093"],
            ["39.9,116.4", "91.123456,200.123456", "39.908722"],
        ),
        (
            dob,
            ["1990-01-02", "1990年1月2日", "19900102", "1990/1/2"],
            ["1990-02-30", "1899-12-31", "2990-01-01", "1990-13-01"],
        ),
    ],
)
def test_identifier_tables(module: object, good: list[str], bad: list[str]) -> None:
    for value in good:
        assert module.is_valid(value), value  # type: ignore[attr-defined]
    for value in bad:
        assert not module.is_valid(value), value  # type: ignore[attr-defined]


def test_uscc_check_character_and_alphabet() -> None:
    assert mod31.calc_check_digit("91350100M000100Y4") == "3"
    assert set(mod31.ALPHABET).isdisjoint("IOZSV")


def test_plate_province_and_new_energy() -> None:
    assert cn_plate.get_province("粤B12345") == "广东省"
    assert cn_plate.is_new_energy("粤BD12345")
    assert not cn_plate.is_new_energy("粤B12345")


def test_gps_order_and_bounding_box() -> None:
    assert gps.validate("116.397499,39.908722") == (39.908722, 116.397499)
    assert gps.in_china("39.908722,116.397499")
    assert not gps.in_china("-33.8688,151.2093")


def test_ip_public() -> None:
    assert ip.is_public("150.3.94.220")
    assert not ip.is_public("192.168.1.1")
