"""The entity map: every DESIGN.md entity has a taxonomy category (a contract of the detector)."""

from __future__ import annotations

import pytest

from piguard import taxonomy as tx
from piguard.errors import UnknownKeyError

# DESIGN.md "Entities", with the categories issue 2 assigns them.
DESIGN_ENTITIES = {
    "CN_RESIDENT_ID": ("identity.resident_id", True),
    "CN_MOBILE": ("basic.phone.mobile", False),
    "CN_LANDLINE": ("basic.phone.landline", False),
    "EMAIL": ("basic.email", False),
    "BANK_CARD": ("financial.bank_account", True),
    "CN_PASSPORT": ("identity.passport", True),
    "CN_TRAVEL_PERMIT": ("identity.travel_permit", True),
    "CN_LICENSE_PLATE": ("other.license_plate", False),
    "PERSON_NAME": ("basic.name", False),
    "ADDRESS": ("basic.address", False),
    "GPS_COORDINATE": ("location.precise", True),
    "IP_ADDRESS": ("online.ip_address", False),
    "MAC_ADDRESS": ("device.mac_address", False),
    "IMEI": ("device.imei", False),
    "QQ_NUMBER": ("online.account.qq", False),
    "WECHAT_ID": ("online.account.wechat", False),
    "DATE_OF_BIRTH": ("basic.birth_date", False),
    "HEALTH_CONDITION": ("health.medical_record", True),
    "CREDENTIAL": ("financial.authentication", True),
}


def test_entities_tuple_is_exactly_the_design_list() -> None:
    assert tuple(DESIGN_ENTITIES) == tx.ENTITIES


@pytest.mark.parametrize(("entity", "expected"), DESIGN_ENTITIES.items())
def test_entity_category(entity: str, expected: tuple[str, bool]) -> None:
    key, sensitive = expected
    cat = tx.entity_category(entity)
    assert cat.key == key
    assert cat.sensitive is sensitive
    assert tx.entity_category(entity.lower()) is cat


def test_unknown_entity_suggests() -> None:
    with pytest.raises(UnknownKeyError, match="did you mean 'BANK_CARD'"):
        tx.entity_category("BANK_CARDS")
    with pytest.raises(UnknownKeyError, match="known: CN_RESIDENT_ID"):
        tx.entity_category("XYZZY")
