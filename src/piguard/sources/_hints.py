"""What a column's header says: Chinese words, English words and pinyin abbreviations.

Headers are evidence, not proof: values decide, the header breaks ties, lifts a column whose
values need context (QQ numbers, birth dates, diagnoses) and names categories that values
alone cannot show (gender, occupation). The word lists are data; extend them here.

>>> hint_for("身份证号").entity, hint_for("sfzh").entity, hint_for("driver_id_number").entity
('CN_RESIDENT_ID', 'CN_RESIDENT_ID', 'CN_RESIDENT_ID')
>>> hint_for("passengerPhone").entity, hint_for("product_name") is None, hint_for("col_7") is None
('CN_MOBILE', True, True)
>>> hint_for("xb").category, hint_for("order_no").negative
('basic.gender', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Hint", "hint_for"]


@dataclass(frozen=True, slots=True)
class Hint:
    """A header's suggestion: an entity (DESIGN.md id) or only a taxonomy category.

    ``negative``: the header names a business number or a measure (``order_no``,
    ``amount``), which argues against personal identifiers.
    """

    entity: str | None
    category: str | None
    word: str
    negative: bool = False


# (entity, category, Chinese substrings, English token sequences, pinyin tokens).
# Order matters: the first rule that matches wins (``IP地址`` is an IP address, not an address;
# ``收件人电话`` is a phone, not a name).
_Rule = tuple[str | None, str | None, tuple[str, ...], tuple[str, ...], tuple[str, ...]]
_RULES: tuple[_Rule, ...] = (
    (
        "CREDENTIAL",
        "financial.authentication",
        ("密码", "口令", "密钥", "令牌"),
        ("password", "passwd", "pwd", "token", "secret", "api_key", "apikey", "access_token"),
        ("mm", "mima"),
    ),
    ("IP_ADDRESS", "online.ip_address", ("IP地址", "ip地址"), ("ip", "ip_addr", "ipv4"), ()),
    ("MAC_ADDRESS", "device.mac_address", ("MAC地址", "mac地址", "物理地址"), ("mac", "bssid"), ()),
    ("IMEI", "device.imei", ("串号", "设备识别码"), ("imei", "meid"), ()),
    (
        "EMAIL",
        "basic.email",
        ("邮箱", "电子邮件", "邮件地址"),
        ("email", "e_mail", "mail", "mailbox"),
        ("yx", "youxiang", "dzyx"),
    ),
    ("QQ_NUMBER", "online.account.qq", ("QQ号", "qq号", "扣扣"), ("qq",), ("qqh",)),
    (
        "WECHAT_ID",
        "online.account.wechat",
        ("微信",),
        ("wechat", "weixin", "wx", "wxid", "wechat_id"),
        ("wxh",),
    ),
    ("CN_PASSPORT", "identity.passport", ("护照",), ("passport",), ("hzh", "hzhm")),
    ("CN_TRAVEL_PERMIT", "identity.travel_permit", ("通行证",), ("permit",), ("txz",)),
    (
        "CN_RESIDENT_ID",
        "identity.resident_id",
        ("身份证", "证件号", "身份号码", "公民身份", "证件号码"),
        (
            "id_card",
            "idcard",
            "id_no",
            "idno",
            "id_number",
            "id_num",
            "identity",
            "identity_card",
            "resident_id",
            "citizen_id",
            "cert_no",
            "certificate_no",
        ),
        ("sfz", "sfzh", "sfzhm", "sfzjhm", "zjhm", "gmsfhm", "zjh"),
    ),
    (
        "BANK_CARD",
        "financial.bank_account",
        ("银行卡", "卡号", "银行账号", "银行帐号", "收款账户"),
        ("bank_card", "card_no", "card_number", "bank_account", "card", "iban", "pan"),
        ("yhk", "yhkh", "yhzh", "kh"),
    ),
    (
        "CN_LICENSE_PLATE",
        "other.license_plate",
        ("车牌",),
        ("plate", "license_plate", "car_no", "plate_no"),
        ("cph", "cphm"),
    ),
    (
        "CN_MOBILE",
        "basic.phone.mobile",
        ("手机", "电话", "联系方式", "移动电话", "座机", "固话"),
        ("mobile", "phone", "tel", "telephone", "cellphone", "cell", "msisdn", "phone_no"),
        ("sjh", "sjhm", "shouji", "shoujihao", "lxdh", "dh", "dhhm", "lxfs", "gddh"),
    ),
    (
        "DATE_OF_BIRTH",
        "basic.birth_date",
        ("出生", "生日"),
        ("birth", "birthday", "dob", "birthdate", "birth_date", "date_of_birth", "born"),
        ("csrq", "shengri", "csny"),
    ),
    (
        "GPS_COORDINATE",
        "location.precise",
        ("经纬度", "坐标", "定位", "纬度", "经度", "位置"),
        (
            "gps",
            "location",
            "latlng",
            "lnglat",
            "lat_lng",
            "lng_lat",
            "coord",
            "coords",
            "coordinate",
            "coordinates",
            "lat",
            "latitude",
            "lng",
            "lon",
            "longitude",
            "geo",
        ),
        ("jwd", "jd", "wd"),
    ),
    (
        "HEALTH_CONDITION",
        "health.medical_record",
        ("诊断", "病情", "病史", "症状", "疾病", "用药", "药品", "药物", "处方", "过敏", "病名"),
        (
            "diagnosis",
            "diagnoses",
            "disease",
            "symptom",
            "symptoms",
            "drug",
            "drugs",
            "medication",
            "medicine",
            "prescription",
            "allergy",
            "illness",
            "icd",
        ),
        ("zd", "zhenduan", "jbmc", "yp", "ypmc"),
    ),
    (
        "ADDRESS",
        "basic.address",
        ("地址", "住址", "住所", "居住地", "户籍地"),
        ("address", "addr", "street", "home_address", "residence"),
        ("dz", "dizhi", "jtdz", "zz", "hjdz", "xjzd", "jzd"),
    ),
    (
        "PERSON_NAME",
        "basic.name",
        ("姓名", "名字", "联系人", "收件人", "收货人", "寄件人", "监护人"),
        ("name", "full_name", "real_name", "realname", "first_name", "last_name", "surname"),
        ("xm", "xingming", "lxr", "sjr"),
    ),
    (None, "basic.gender", ("性别",), ("gender", "sex"), ("xb", "xingbie")),
    (None, "basic.age", ("年龄",), ("age",), ("nl", "nianling")),
    (None, "basic.ethnicity", ("民族",), ("ethnicity", "ethnic"), ("mz", "minzu")),
    (None, "basic.nationality", ("国籍",), ("nationality", "citizenship"), ("gj",)),
    (
        None,
        "education_work.occupation",
        ("职业", "工种"),
        ("occupation", "job", "profession", "career"),
        ("zy", "zhiye"),
    ),
    (
        None,
        "education_work.employer",
        ("工作单位", "雇主"),
        ("employer", "workplace"),
        ("gzdw",),
    ),
    (None, "education_work.education", ("学历", "教育程度"), ("education",), ("xl",)),
    (None, "other.marital_history", ("婚姻", "婚史"), ("marital", "marriage"), ("hyzk",)),
    (
        None,
        "location.coarse",
        ("邮编", "邮政编码"),
        ("postcode", "zip", "zipcode", "postal_code", "post_code"),
        ("yb", "yzbm"),
    ),
    (None, "other.religion", ("宗教", "信仰"), ("religion", "faith"), ("zj",)),
    (None, "other.criminal_record", ("犯罪", "违法记录"), ("criminal",), ()),
)

# Words that make a "name" header something other than a person's name.
_NOT_PERSON = frozenset(
    {
        "product",
        "sku",
        "item",
        "goods",
        "file",
        "company",
        "shop",
        "store",
        "seller",
        "merchant",
        "org",
        "dept",
        "department",
        "city",
        "province",
        "district",
        "hospital",
        "drug",
        "brand",
        "device",
        "app",
        "host",
        "table",
        "column",
        "user",
        "nick",
        "nickname",
        "display",
        "course",
        "project",
    }
)
_NOT_PERSON_ZH = ("商品", "产品", "公司", "店铺", "医院", "科室", "药品", "设备", "文件", "用户名")

# Business numbers and measures (not personal information by themselves).
_NEGATIVE = frozenset(
    {
        "order",
        "orderno",
        "tracking",
        "waybill",
        "sku",
        "invoice",
        "txn",
        "transaction",
        "serial",
        "batch",
        "amount",
        "price",
        "fee",
        "fare",
        "cost",
        "total",
        "quantity",
        "qty",
        "created",
        "updated",
        "timestamp",
        "credit_code",
        "uscc",
        "request",
        "session",
        "version",
        "distance",
    }
)
_NEGATIVE_ZH = ("订单", "单号", "运单", "流水", "金额", "价格", "费用", "数量", "时间", "信用代码")

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[^0-9a-z]+")


def _tokens(header: str) -> list[str]:
    ascii_part = _CAMEL.sub("_", header)
    return [t for t in _SPLIT.split(ascii_part.lower()) if t]


def hint_for(header: str) -> Hint | None:
    """The hint in a column header (its last dotted component), or None."""
    last = header.replace("[]", "").rsplit(".", 1)[-1]
    return _match(last)


def _match(header: str) -> Hint | None:
    tokens = _tokens(header)
    joined = "_" + "_".join(tokens) + "_"
    for entity, category, zh, en, pinyin in _RULES:
        word = next((w for w in zh if w in header), None)
        if word is None:
            word = next((w for w in en if f"_{w}_" in joined), None)
        if word is None:
            # Two-letter pinyin (xm, dz) only as the whole header; longer ones (sfzh, jtdz)
            # also as a part of it (sfzh_sha256).
            word = next(
                (w for w in pinyin if (len(tokens) == 1 and w == tokens[0])
                 or (len(w) >= 3 and w in tokens)),
                None,
            )  # fmt: skip
        if word is None:
            continue
        if entity == "PERSON_NAME" and (
            _NOT_PERSON.intersection(tokens) or any(w in header for w in _NOT_PERSON_ZH)
        ):
            continue
        # "订单电话" still names a phone; "order_id_number" is an order number.
        if (any(w in header for w in _NEGATIVE_ZH) or _NEGATIVE.intersection(tokens)) and (
            entity in ("CN_RESIDENT_ID", "BANK_CARD", "IMEI") or entity is None
        ):
            return Hint(None, None, word, negative=True)
        return Hint(entity, category, word)
    neg = next((w for w in _NEGATIVE_ZH if w in header), None) or next(
        (t for t in tokens if t in _NEGATIVE), None
    )
    if neg is not None or (
        len(tokens) >= 2 and tokens[-1] in ("no", "code") and "id" not in tokens
    ):
        return Hint(None, None, neg or tokens[-1], negative=True)
    return None
