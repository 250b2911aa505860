"""piguard's built-in recognizers, registered in one place (:func:`default_recognizers`).

Every validator is a wrapper around a module of :mod:`piguard.detect.identifiers`: the
recognizers never re-implement a check. Patterns use CJK-safe boundaries (the engine adds
``(?<![0-9A-Za-z])`` before every candidate; :data:`END` / :data:`NUM_END` close them) and
bounded repetitions only, so scanning stays linear in the input length.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from importlib import resources
from types import ModuleType

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
    mac,
    qq,
    wechat,
)
from piguard.detect.recognizers.base import (
    END,
    HIGH,
    LOW,
    NUM_END,
    Pattern,
    PatternRecognizer,
    Verdict,
)
from piguard.errors import InvalidIdentifier

__all__ = ["ORG_CREDIT_CODE", "PERSON_FIELD_LABELS", "default_recognizers"]

#: Internal entity of the unified social credit code: recognised to keep its digits from
#: being reported as personal identifiers, never reported itself.
ORG_CREDIT_CODE = "ORG_CREDIT_CODE"

# Words that argue against a personal identifier: the number is an order, a waybill, a
# transaction or a product (GB/T 35273 does not list these as PI).
_BUSINESS_NUMBERS = (
    "订单号",
    "订单编号",
    "订单",
    "运单号",
    "运单",
    "快递单号",
    "物流单号",
    "单号",
    "流水号",
    "交易号",
    "交易单号",
    "发票号",
    "批次号",
    "工单号",
    "商品编号",
    "商品编码",
    "货号",
    "sku",
    "型号",
    "序列号",
    "版本",
    "固件",
    "编号",
    "挂号单",
    "编码",
    "order no",
    "order id",
    "order",
    "tracking",
    "waybill",
    "invoice",
    "serial",
    "transaction",
    "txn",
    "batch",
)


#: Field labels that introduce a person's name in orders, prescriptions and trip messages
#: (收货人张三, 乘客：黄海然): context of the labelled_name recognizer, and used by the
#: name/address tagger's rules (piguard.detect.ner._rules).
PERSON_FIELD_LABELS: tuple[str, ...] = (
    "收货人",
    "收件人",
    "寄件人",
    "乘客",
    "患者",
    "病人",
    "司机",
    "用户",
    "姓名",
    "联系人",
    "客户",
)


def _reason(exc: InvalidIdentifier) -> str:
    return str(exc).split(":")[-1].strip()


# ------------------------------------------------------------------ validators -> verdicts
def _resident_id(value: str) -> Verdict:
    try:
        number = cn_ric.validate(value)
    except InvalidIdentifier as exc:
        return Verdict(False, _reason(exc), keep_with_context=True)
    if len(number) == 15:
        return Verdict(True, "legacy 15-digit layout, birth date and province valid")
    level = cn_ric.region_level(number)
    if level == "county":
        return Verdict(True, "MOD 11-2 check digit, birth date and county code valid", 0.1)
    return Verdict(True, f"MOD 11-2 check digit and birth date valid ({level} code known)")


def _bank_card(value: str) -> Verdict:
    try:
        number = bank_card.validate(value)
    except InvalidIdentifier as exc:
        return Verdict(False, _reason(exc))
    issuer = bank_card.get_issuer(number)
    if issuer is not None:
        return Verdict(True, f"Luhn check digit valid, BIN of {issuer}", 0.1)
    return Verdict(True, f"Luhn check digit valid, {bank_card.get_scheme(number)} range")


def _mobile(value: str) -> Verdict:
    try:
        number = cn_mobile.validate(value)
    except InvalidIdentifier as exc:
        return Verdict(False, _reason(exc))
    return Verdict(True, f"allocated mobile segment {number[:3]}")


def _landline(value: str) -> Verdict:
    try:
        cn_landline.validate(value)
    except InvalidIdentifier as exc:
        return Verdict(False, _reason(exc))
    return Verdict(True, "area code and subscriber number valid")


def _simple(module: ModuleType, what: str) -> Callable[[str], Verdict]:
    validate = module.validate

    def check(value: str) -> Verdict:
        try:
            validate(value)
        except InvalidIdentifier as exc:
            return Verdict(False, _reason(exc))
        return Verdict(True, what)

    return check


def _imei(value: str) -> Verdict:
    try:
        number = imei.validate(value)
    except InvalidIdentifier as exc:
        return Verdict(False, _reason(exc))
    # Reporting-body identifiers of the GSMA TAC allocation (first two digits).
    if number[:2] not in (
        "01",
        "10",
        "30",
        "33",
        "35",
        "44",
        "45",
        "49",
        "50",
        "51",
        "52",
        "53",
        "54",
        "86",
        "91",
        "98",
        "99",
    ):
        return Verdict(False, "no GSMA reporting body uses these first digits")
    return Verdict(True, "Luhn check digit and reporting body valid")


# IPv4 blocks that are not globally reachable (RFC 6890 special-purpose registry), as
# (network, prefix length); checked with integer arithmetic, far cheaper than is_global.
_IPV4_SPECIAL = tuple(
    (int(ipaddress.IPv4Address(net)), bits)
    for net, bits in (
        ("0.0.0.0", 8),  # noqa: S104 - an address block, not a bind
        ("10.0.0.0", 8),
        ("100.64.0.0", 10),
        ("127.0.0.0", 8),
        ("169.254.0.0", 16),
        ("172.16.0.0", 12),
        ("192.0.0.0", 24),
        ("192.0.2.0", 24),
        ("192.168.0.0", 16),
        ("198.18.0.0", 15),
        ("198.51.100.0", 24),
        ("203.0.113.0", 24),
        ("224.0.0.0", 3),
    )
)


def _ip(value: str) -> Verdict:
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        return Verdict(False, "not an IPv4 or IPv6 address")
    if addr.version == 4:
        n = int(addr)
        public = not any(n >> (32 - bits) == net >> (32 - bits) for net, bits in _IPV4_SPECIAL)
    else:
        if addr.is_unspecified:
            return Verdict(False, "the unspecified address names no host")
        public = addr.is_global
    if public:
        return Verdict(True, f"public IPv{addr.version} address", 0.1)
    return Verdict(True, f"private or reserved IPv{addr.version} address", -0.1)


def _gps(value: str) -> Verdict:
    try:
        lat, lng = gps.validate(value)
    except InvalidIdentifier as exc:
        return Verdict(False, _reason(exc))
    if gps.in_box(lat, lng):
        return Verdict(True, "precise coordinate pair inside China's bounding box")
    # Elsewhere a pair of decimals is reported only with context: its score stays below the
    # default threshold unless a context word lifts it.
    return Verdict(True, "precise coordinate pair outside China", -0.2)


def _mac(value: str) -> Verdict:
    try:
        mac.validate(value)
    except InvalidIdentifier as exc:
        return Verdict(False, _reason(exc))
    if mac.is_local(value):
        return Verdict(True, "locally administered (random) MAC address", -0.1)
    return Verdict(True, "globally unique MAC address")


def _plate(value: str) -> Verdict:
    try:
        number = cn_plate.validate(value)
    except InvalidIdentifier as exc:
        return Verdict(False, _reason(exc))
    kind = "new-energy" if len(number) == 8 else "ordinary"
    return Verdict(True, f"{kind} plate layout (GA 36-2018)")


# ------------------------------------------------------------------ the recognizers
_ID_CONTEXT = (
    "身份证",
    "身份证号",
    "身份证号码",
    "证件号",
    "证件号码",
    "公民身份号码",
    "居民身份证",
    "身份号码",
    "idcard",
    "id card",
    "id no",
    "id number",
    "identity",
    "resident id",
)
_PHONE_CONTEXT = (
    "手机",
    "手机号",
    "电话",
    "联系电话",
    "联系方式",
    "号码",
    "致电",
    "来电",
    "拨打",
    "tel",
    "phone",
    "mobile",
    "cell",
    "收件人",
    "联系人",
    "短信",
    "预留",
)
_CARD_CONTEXT = (
    "银行卡",
    "卡号",
    "银行账号",
    "账号",
    "储蓄卡",
    "信用卡",
    "借记卡",
    "开户行",
    "开户",
    "收款账户",
    "bank",
    "card",
    "account",
    "支付卡",
)
_NUMBER_PATTERNS_END = NUM_END
# Province-level codes of GB/T 2260 (and 81-83 of the HK/Macao/Taiwan residence permits).
_PROVINCE = (
    r"[1-8](?:(?<=1)[1-5]|(?<=2)[1-3]|(?<=3)[1-7]|(?<=4)[1-6]|(?<=5)[0-4]|(?<=6)[1-5]"
    r"|(?<=7)1|(?<=8)[1-3])"
)
_MD = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_YMD = r"(?:19|20)[0-9]{2}" + _MD


@functools.cache
def _surnames() -> str:
    """Alternation of the surnames shipped with the name tagger (compound ones first)."""
    text = (
        resources.files("piguard.detect.ner")
        .joinpath("data/surnames.txt")
        .read_text(encoding="utf-8")
    )
    words = {w for line in text.splitlines() if not line.startswith("#") for w in line.split()}
    compound = sorted((w for w in words if len(w) > 1), key=lambda w: (-len(w), w))
    single = "".join(sorted(w for w in words if len(w) == 1))
    return "(?:" + "".join(f"{w}|" for w in compound) + f"[{single}])"


def default_recognizers() -> list[PatternRecognizer]:
    """The built-in pattern recognizers, in the engine's priority order (first match wins
    at a position; a rejected candidate falls through to the next pattern)."""
    return [
        PatternRecognizer(
            name="credential",
            entity="CREDENTIAL",
            patterns=(
                Pattern(
                    "pem_private_key", r"-----BEGIN (?:[A-Z0-9]{1,12} ){0,2}PRIVATE KEY-----", HIGH
                ),
                Pattern(
                    "password_assignment",
                    r"[Pp](?i:ass(?:word|wd)?|wd)[\"']?[ \t]{0,3}[:=：][ \t]{0,3}[\"']?"
                    r"(?P<v>[^\s\"',;，。；]{3,128})",
                    HIGH,
                    value_group="v",
                ),
                Pattern(
                    "password_spaced",
                    r"[Pp](?i:ass(?:word|code)|in(?: code)?)(?: (?i:is))?[ \t]{1,3}"
                    r"(?P<v>(?=[^\s\"',;，。；]{0,63}[0-9])[^\s\"',;，。；]{4,64})(?![^\s\"',;，。；])",
                    HIGH,
                    value_group="v",
                ),
                Pattern(
                    "secret_assignment",
                    r"[AaSsTtCc](?i:pi[_-]?key|ccess[_-]?key(?:[_-]?id)?|ecret(?:[_-]?key)?|"
                    r"lient[_-]?secret|oken|ccess[_-]?token|uth[_-]?token)[\"']?[ \t]{0,3}[:=：]"
                    r"[ \t]{0,3}[\"']?(?P<v>[A-Za-z0-9_\-./+=]{8,256})",
                    HIGH,
                    value_group="v",
                ),
                Pattern(
                    "password_zh",
                    r"[密口](?:码|令)[ \t]{0,3}(?:[:：=]|是|为)[ \t]{0,3}(?P<v>[!-~]{3,64})",
                    HIGH,
                    value_group="v",
                ),
                Pattern(
                    "bearer_token",
                    r"[Bb]earer[ \t]{1,3}(?P<v>[A-Za-z0-9\-._~+/]{16,512}={0,2})",
                    HIGH,
                    value_group="v",
                ),
                Pattern("aws_access_key", r"A(?:KIA|SIA)[0-9A-Z]{16}" + END, HIGH),
                Pattern(
                    "jwt",
                    r"e(?:yJ[A-Za-z0-9_-]{8,2048})\.eyJ[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{8,1024}"
                    + END,
                    HIGH,
                ),
            ),
            priority=5,
        ),
        PatternRecognizer(
            name="email",
            entity="EMAIL",
            patterns=(
                Pattern(
                    "addr_spec",
                    r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}"
                    r"[A-Za-z]{2,24}" + END,
                ),
            ),
            context=("邮箱", "电子邮件", "邮件", "e-mail", "email", "mail"),
            validator=_simple(email, "well-formed address (RFC 5322 subset)"),
            priority=10,
        ),
        PatternRecognizer(
            name="org_credit_code",
            entity=ORG_CREDIT_CODE,
            patterns=(
                # Only codes with a letter after the first two characters: an all-digit
                # 18-digit number is tried as an ID and a card, never suppressed here.
                Pattern(
                    "uscc",
                    r"[0-9A-HJ-NPQRTUWY][0-9A-HJ-NPQRTUWXY](?![0-9]{16})[0-9]{6}"
                    r"[0-9A-HJ-NPQRTUWXY]{10}" + END,
                ),
            ),
            validator=_simple(cn_uscc, "GB 32100 check character valid (organisation, not PI)"),
            report=False,
            priority=32,  # after resident_id: an 18-digit number is tried as an ID first
        ),
        PatternRecognizer(
            name="gps",
            entity="GPS_COORDINATE",
            patterns=(
                Pattern(
                    "decimal_pair",
                    r"[-0-9][0-9]{0,2}\.[0-9]{4,10}[ \t]{0,2}[,，/ ][ \t]{0,2}-?[0-9]{1,3}\.[0-9]{4,10}"  # noqa: E501 - one regex piece
                    + NUM_END,
                ),
            ),
            context=(
                "经纬度",
                "坐标",
                "定位",
                "位置",
                "纬度",
                "经度",
                "gps",
                "lat",
                "lng",
                "lon",
                "location",
                "coordinates",
                "坐标点",
            ),
            validator=_gps,
            priority=15,
        ),
        PatternRecognizer(
            name="ip_address",
            entity="IP_ADDRESS",
            patterns=(
                Pattern("ipv4", r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}" + NUM_END + r"(?!\.)"),
                # Eight groups, or fewer around one "::" (times such as 10:30:45 never match).
                Pattern("ipv6_full", r"[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}" + END + r"(?!:)"),
                Pattern(
                    "ipv6_compressed",
                    r"[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6}::"
                    r"(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?" + END + r"(?!:)",
                ),
            ),
            context=("ip", "ip地址", "登录ip", "地址", "来源", "host", "client", "remote", "addr"),
            negative_context=(*_BUSINESS_NUMBERS, "version", "ver", "v."),
            validator=_ip,
            priority=20,
        ),
        PatternRecognizer(
            name="mac_address",
            entity="MAC_ADDRESS",
            patterns=(
                Pattern("colon", r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}" + END + r"(?!:)"),
                Pattern("hyphen", r"[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}" + END + r"(?!-)"),
                Pattern("dotted", r"[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}" + END),
            ),
            context=("mac", "mac地址", "物理地址", "网卡", "设备", "bssid", "wifi"),
            validator=_mac,
            priority=18,
        ),
        PatternRecognizer(
            name="date_of_birth",
            entity="DATE_OF_BIRTH",
            patterns=(
                Pattern(
                    "separated",
                    r"[12][0-9]{3}(?:[-/.][0-9]{1,2}[-/.][0-9]{1,2}|年[0-9]{1,2}月[0-9]{1,2}日?)"
                    + NUM_END,
                    needs_context=True,
                ),
            ),
            context=(
                "出生",
                "出生日期",
                "生日",
                "出生年月",
                "生于",
                "birth",
                "birthday",
                "dob",
                "born",
            ),
            validator=_simple(dob, "real date between 1900 and today"),
            priority=25,
        ),
        PatternRecognizer(
            name="resident_id",
            entity="CN_RESIDENT_ID",
            patterns=(
                # The regex already asks for a province code and a plausible date (GB 11643:
                # address code, YYYYMMDD, sequence, check) so random numbers rarely reach
                # the validator, which checks them exactly.
                Pattern("id18", _PROVINCE + r"[0-9]{4}" + _YMD + r"[0-9]{3}[0-9Xx]" + NUM_END),
                Pattern(
                    "id15",
                    _PROVINCE + r"[0-9]{4}[0-9]{2}" + _MD + r"[0-9]{3}" + NUM_END,
                    needs_context=True,
                ),
            ),
            context=_ID_CONTEXT,
            negative_context=_BUSINESS_NUMBERS,
            validator=_resident_id,
            priority=30,
        ),
        PatternRecognizer(
            name="bank_card",
            entity="BANK_CARD",
            patterns=(
                Pattern(
                    "grouped", r"[2-69][0-9]{3}(?:[ -][0-9]{4}){3}(?:[ -]?[0-9]{1,3})?" + NUM_END
                ),
                # Scheme prefixes (62/60 UnionPay, 4 Visa, 51-55 and 22-27 Mastercard, 35 JCB,
                # 9 legacy domestic) in the regex; the validator checks them exactly.
                Pattern(
                    "plain",
                    r"[2-69](?:(?<=6)[02]|(?<=4)[0-9]|(?<=5)[1-5]|(?<=2)[2-7]|(?<=3)5|(?<=9)[0-9])"
                    r"[0-9]{14,17}" + NUM_END,
                ),
            ),
            context=_CARD_CONTEXT,
            negative_context=_BUSINESS_NUMBERS,
            validator=_bank_card,
            priority=35,
        ),
        PatternRecognizer(
            name="imei",
            entity="IMEI",
            patterns=(
                Pattern("plain", r"[0-9]{15}" + NUM_END, score=0.5),
                Pattern("grouped", r"[0-9]{2}-[0-9]{6}-[0-9]{6}-[0-9]" + NUM_END),
            ),
            context=("imei", "串号", "设备号", "设备识别码", "移动设备识别码", "device id", "设备"),
            negative_context=_BUSINESS_NUMBERS,
            validator=_imei,
            priority=40,
        ),
        PatternRecognizer(
            name="mobile",
            entity="CN_MOBILE",
            patterns=(
                Pattern(
                    "plus86", r"\+86[- ]?1[3-9][0-9](?:[0-9]{8}|[- ][0-9]{4}[- ][0-9]{4})" + NUM_END
                ),
                Pattern(
                    "0086", r"0086[- ]?1[3-9][0-9](?:[0-9]{8}|[- ][0-9]{4}[- ][0-9]{4})" + NUM_END
                ),
                Pattern("plain", r"1[3-9][0-9](?:[0-9]{8}|[- ][0-9]{4}[- ][0-9]{4})" + NUM_END),
            ),
            context=_PHONE_CONTEXT,
            negative_context=_BUSINESS_NUMBERS,
            validator=_mobile,
            priority=45,
        ),
        PatternRecognizer(
            name="landline",
            entity="CN_LANDLINE",
            patterns=(
                Pattern(
                    "separated", r"0[1-9][0-9]{1,2}[- ][2-9][0-9]{6,7}(?:-[0-9]{1,5})?" + NUM_END
                ),
                Pattern("grouped", r"0[1-9][0-9]{1,2}[- ][2-9][0-9]{2,3}[- ][0-9]{4}" + NUM_END),
                Pattern(
                    "parenthesised", r"[(（]0[1-9][0-9]{1,2}[)）][- ]?[2-9][0-9]{6,7}" + NUM_END
                ),
                Pattern("plain", r"0[1-9][0-9]{8,10}" + NUM_END, needs_context=True),
            ),
            context=(*_PHONE_CONTEXT, "座机", "固话", "办公电话", "传真", "fax"),
            negative_context=_BUSINESS_NUMBERS,
            validator=_landline,
            priority=50,
        ),
        PatternRecognizer(
            name="qq",
            entity="QQ_NUMBER",
            patterns=(
                Pattern(
                    "qq_labelled",
                    r"[Qq][Qq](?:号码|号|账号)?[ \t]{0,2}(?:[:：]|是|为)?[ \t]{0,2}(?P<v>[1-9][0-9]{4,10})"  # noqa: E501 - one regex piece
                    + NUM_END,
                    value_group="v",
                ),
                Pattern(
                    "koukou",
                    r"[扣企](?:扣|鹅号)(?:号码|号)?[ \t]{0,2}(?:[:：]|是|为)?[ \t]{0,2}(?P<v>[1-9][0-9]{4,10})"  # noqa: E501 - one regex piece
                    + NUM_END,
                    value_group="v",
                ),
            ),
            context=("qq", "扣扣", "企鹅"),
            validator=_simple(qq, "5-11 digits after a QQ label"),
            priority=55,
        ),
        PatternRecognizer(
            name="wechat",
            entity="WECHAT_ID",
            patterns=(
                Pattern(
                    "weixin_zh",
                    r"微信(?:号|账号|ID|id)?[ \t]{0,2}(?:[:：]|是|为)?[ \t]{0,2}(?P<v>[A-Za-z][-_A-Za-z0-9]{5,19})"  # noqa: E501 - one regex piece
                    + END,
                    value_group="v",
                ),
                Pattern(
                    "wechat_en",
                    r"[Ww](?i:echat|eixin|x)(?:[ \t]?(?i:id))?(?:[ \t]{0,2}[:：][ \t]{0,2}|[ \t]{1,2})"  # noqa: E501 - one regex piece
                    r"(?P<v>[A-Za-z][-_A-Za-z0-9]{5,19})" + END,
                    value_group="v",
                ),
                Pattern(
                    "vx",
                    r"[Vv][Xx](?:[ \t]{0,2}[:：][ \t]{0,2}|[ \t]{1,2})(?P<v>[A-Za-z][-_A-Za-z0-9]{5,19})"  # noqa: E501 - one regex piece
                    + END,
                    value_group="v",
                ),
            ),
            context=("微信", "wechat", "weixin", "wx", "vx"),
            validator=_simple(wechat, "follows the WeChat ID rule after a WeChat label"),
            priority=60,
        ),
        PatternRecognizer(
            name="passport",
            entity="CN_PASSPORT",
            patterns=(
                Pattern("e_passport", r"E(?:[0-9]{8}|[A-HJ-NP-Z][0-9]{7})" + END),
                Pattern("g_passport", r"G[0-9]{8}" + END),
            ),
            context=("护照", "护照号", "护照号码", "passport", "证件号", "证件号码"),
            negative_context=_BUSINESS_NUMBERS,
            validator=_simple(cn_passport, "ordinary passport layout"),
            priority=65,
        ),
        PatternRecognizer(
            name="travel_permit",
            entity="CN_TRAVEL_PERMIT",
            patterns=(
                Pattern("permit", r"[CLHM][0-9]{8}(?:[0-9]{2})?" + END, score=0.45),
                Pattern(
                    "taiwan_compatriot",
                    r"台(?:胞证|湾居民来往大陆通行证)(?:号码|号)?[ \t]{0,2}[:：]?[ \t]{0,2}"
                    r"(?P<v>[0-9]{8}(?:[0-9]{2})?)" + NUM_END,
                    value_group="v",
                ),
            ),
            context=(
                "通行证",
                "港澳通行证",
                "往来港澳",
                "往来台湾",
                "回乡证",
                "台胞证",
                "入台证",
                "permit",
                "证件号",
                "证件号码",
            ),
            negative_context=_BUSINESS_NUMBERS,
            validator=lambda v: (
                Verdict(True, "Taiwan compatriot permit number after permit context")
                if v.isdigit()
                else _simple(cn_travel_permit, "travel permit layout")(v)
            ),
            priority=70,
        ),
        PatternRecognizer(
            name="license_plate",
            entity="CN_LICENSE_PLATE",
            patterns=(
                Pattern(
                    "plate",
                    f"[{cn_plate.PROVINCES}]"
                    r"[A-HJ-NP-Z][·・• -]?[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳领][A-HJ-NP-Z0-9]?"  # noqa: E501 - one regex piece
                    + END,
                ),
            ),
            context=("车牌", "车牌号", "号牌", "车辆", "plate", "车号"),
            validator=_plate,
            priority=75,
        ),
        PatternRecognizer(
            name="date_of_birth_compact",
            entity="DATE_OF_BIRTH",
            patterns=(
                Pattern(
                    "yyyymmdd",
                    r"[出生](?:生日期|生年月日|生于|生|日)[ \t]{0,2}[:：]?[ \t]{0,2}(?P<v>(?:19|20)[0-9]{2}"  # noqa: E501 - one regex piece
                    + _MD
                    + ")"
                    + NUM_END,
                    value_group="v",
                ),
            ),
            context=("出生", "出生日期", "生日", "出生年月", "birth", "birthday", "dob"),
            negative_context=_BUSINESS_NUMBERS,
            validator=_simple(dob, "real date between 1900 and today"),
            priority=80,
        ),
        PatternRecognizer(
            name="lab_result",
            entity="HEALTH_CONDITION",
            patterns=(
                # A laboratory value with its unit (血压142/90mmHg, 空腹血糖8.6mmol/L,
                # HBV-DNA 2.3×10^4 IU/mL): test results are health information (GB/T 35273
                # Table B.1, 检验报告).
                Pattern(
                    "value_with_unit",
                    r"[血空糖总甘肌尿谷低高HhCcAaPp](?:压|糖|红蛋白|尿酸|小板|清肌酐|腹血糖|化血红蛋白"
                    r"|胆固醇|油三酯|酐|酸|丙转氨酶|草转氨酶|密度脂蛋白胆固醇|BV-DNA|bA1c|EA|FP|SA)"
                    r"[ \t:：]{0,2}[0-9]{1,4}(?:\.[0-9]{1,3})?(?:/[0-9]{2,3}|×10\^?[0-9]{1,2})?"
                    r"[ \t]{0,2}(?:mmHg|mmol/L|μmol/L|umol/L|g/L|mg/dL|U/L|IU/mL|ng/mL|%|×10\^9/L)",
                    0.6,
                ),
            ),
            context=("检查", "化验", "检验", "结果", "报告", "复查", "患者", "诊断", "血常规"),
            priority=85,
            shadows=False,
        ),
        PatternRecognizer(
            name="labelled_name",
            entity="PERSON_NAME",
            patterns=(
                # A name right after its label, as order, prescription and trip messages
                # write it: 收货人张三，患者欧阳娜娜的…; the model finds the unlabelled ones.
                Pattern(
                    "after_label",
                    r"[收寄乘患司用姓联客病](?:货人|件人|客|者|机|户|名|系人|人)"
                    r"(?:姓名)?[:：]?[ \t]{0,2}(?P<v>"
                    + _surnames()
                    + r"[\u4e00-\u9fff]{1,2})(?=[，,。；;：:、\s的在已于和与（(]|先生|女士|$)",
                    value_group="v",
                ),
                Pattern(
                    "called",
                    r"叫(?:做)?(?P<v>" + _surnames() + r"[\u4e00-\u9fff]{1,2})"
                    r"(?=[，,。；;：:、\s的在已于和与（(]|$)",
                    value_group="v",
                ),
                Pattern(
                    "parent",
                    r"[爸妈家](?:爸|妈|长)(?P<v>" + _surnames() + r"[\u4e00-\u9fff]{1,2})"
                    r"(?=[，,。；;：:、\s的在已于和与（(]|$)",
                    value_group="v",
                ),
            ),
            context=PERSON_FIELD_LABELS,
            priority=90,
            shadows=False,
        ),
    ]


# LOW is part of the documented score scale; keep the name referenced for readers.
_ = LOW
