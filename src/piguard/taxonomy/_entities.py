"""The entities that ``piguard.detect`` finds (DESIGN.md), mapped to taxonomy categories."""

from __future__ import annotations

from types import MappingProxyType

from piguard.errors import UnknownKeyError
from piguard.taxonomy._model import Category
from piguard.taxonomy._registry import get, suggest

#: Entity name → taxonomy key. A public contract: extend, never rename.
ENTITY_CATEGORIES: MappingProxyType[str, str] = MappingProxyType(
    {
        "CN_RESIDENT_ID": "identity.resident_id",
        "CN_MOBILE": "basic.phone.mobile",
        "CN_LANDLINE": "basic.phone.landline",
        "EMAIL": "basic.email",
        "BANK_CARD": "financial.bank_account",
        "CN_PASSPORT": "identity.passport",
        "CN_TRAVEL_PERMIT": "identity.travel_permit",
        "CN_LICENSE_PLATE": "other.license_plate",
        "PERSON_NAME": "basic.name",
        "ADDRESS": "basic.address",
        "GPS_COORDINATE": "location.precise",
        "IP_ADDRESS": "online.ip_address",
        "MAC_ADDRESS": "device.mac_address",
        "IMEI": "device.imei",
        "QQ_NUMBER": "online.account.qq",
        "WECHAT_ID": "online.account.wechat",
        "DATE_OF_BIRTH": "basic.birth_date",
        "HEALTH_CONDITION": "health.medical_record",
        "CREDENTIAL": "financial.authentication",
    }
)

#: The entity names of DESIGN.md, in its order.
ENTITIES: tuple[str, ...] = tuple(ENTITY_CATEGORIES)


def entity_category(entity: str) -> Category:
    """The taxonomy category of an entity found in text (case-insensitive name).

    >>> entity_category("CN_MOBILE").key
    'basic.phone.mobile'
    >>> entity_category("bank_card").sensitive
    True
    >>> entity_category("CN_MOBIL")
    Traceback (most recent call last):
    ...
    piguard.errors.UnknownKeyError: unknown entity 'CN_MOBIL' (did you mean 'CN_MOBILE'?)
    """
    name = entity.strip().upper()
    try:
        key = ENTITY_CATEGORIES[name]
    except KeyError:
        hint = suggest(name, ENTITY_CATEGORIES) or f" (known: {', '.join(ENTITIES)})"
        raise UnknownKeyError(f"unknown entity {entity.strip()!r}{hint}") from None
    return get(key)
