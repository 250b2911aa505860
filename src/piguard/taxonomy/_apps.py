"""Necessary personal information for the 39 common app categories (2021 rules).

《常见类型移动互联网应用程序必要个人信息范围规定》 (CAC, MIIT, MPS, SAMR; published
2021-03-22, in force 2021-05-01; cn_standards.md §2). Article 5 lists 39 categories, each with its
basic function service (基本功能服务) and necessary PI (必要个人信息); 13 need no PI at all.
``items_zh`` keeps each numbered item verbatim; ``necessary_pi`` splits it into pieces keyed to
taxonomy categories, with the rule's own words beside each piece and its conditions structured.

Texts: S1 (zhaoyu5105.github.io ``regulations/63.html``, categories 1-37 and 39) and S2
(0xHJK/CleanApps ``iOS.white.md``, all 39); category 38 comes from S2 only (plus S3 pages).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from piguard.errors import UnknownKeyError
from piguard.taxonomy._registry import closest

RULES_TITLE_ZH = "常见类型移动互联网应用程序必要个人信息范围规定"
RULES_TITLE_EN = (
    "Provisions on the Scope of Necessary Personal Information for Common Types of Apps"
)
RULES_SHORT = "2021 necessary-PI rules"
RULES_IN_FORCE = "2021-05-01"


class Confidence(enum.StrEnum):
    """How well a fact is sourced (cn_standards.md's scale)."""

    #: read in a full-text copy that agrees with a second source
    HIGH = "high"
    #: one full-text copy, or a draft
    MEDIUM = "medium"
    #: secondary summaries only
    LOW = "low"


class ConditionKind(enum.StrEnum):
    """How a condition limits a necessary-PI item."""

    #: necessary only for the named service(s) of the category
    ONLY_FOR_SERVICE = "only_for_service"
    #: not necessary for the named service(s) of the category
    NOT_FOR_SERVICE = "not_for_service"
    #: necessary only when the user does this (挂号时, 转账时 …)
    WHEN = "when"
    #: necessary only if it exists (如有)
    IF_PRESENT = "if_present"
    #: any one of the listed alternatives suffices (…或…)
    ONE_OF = "one_of"


@dataclass(frozen=True, slots=True)
class Condition:
    """A structured condition on a necessary-PI item, with the rule's wording."""

    kind: ConditionKind
    zh: str
    en: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NecessaryPI:
    """One piece of necessary PI: the rule's words, whose it is, and its taxonomy category."""

    item: int
    wording_zh: str
    name_en: str
    category: str
    role_zh: str = ""
    role_en: str = ""
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AppCategory:
    """One of the 39 app categories of Art. 5 of the 2021 rules."""

    number: int
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]
    basic_function_zh: str
    basic_function_en: str
    items_zh: tuple[str, ...]
    necessary_pi: tuple[NecessaryPI, ...]
    source: str
    confidence: Confidence = Confidence.HIGH
    second_source: bool = False
    note: str = ""

    @property
    def full_name_zh(self) -> str:
        """The name as the rules print it, with 类: ``网络约车类``."""
        return f"{self.name_zh}类"

    @property
    def needs_no_pi(self) -> bool:
        """True for the 13 categories whose basic function needs no PI (无须个人信息)."""
        return not self.necessary_pi

    @property
    def category_keys(self) -> tuple[str, ...]:
        """The distinct taxonomy keys of the necessary PI, in order."""
        return tuple(dict.fromkeys(p.category for p in self.necessary_pi))

    def lists(self, key: str) -> tuple[NecessaryPI, ...]:
        """The necessary-PI items whose category is ``key`` or related to it.

        Related means one key is a sub-category of the other (``basic.phone`` and
        ``basic.phone.mobile``), or the rule names an identity document of unspecified type
        (证件类型和号码, ``identity.document``) and ``key`` is an identity document. A match says
        the rule names that kind of PI, not that a particular use of it is necessary.

        >>> [p.wording_zh for p in app_category(15).lists("identity.resident_id")]
        ['证件类型和号码']
        >>> app_category(2).lists("basic.email")
        ()
        """
        return tuple(p for p in self.necessary_pi if _related(key, p.category))


@dataclass(frozen=True, slots=True)
class RuleArticle:
    """A general article of the 2021 rules."""

    article: int
    zh: str
    en: str
    source: str


GENERAL_RULES: tuple[RuleArticle, ...] = (
    RuleArticle(
        2,
        "移动智能终端上运行的App存在收集用户个人信息行为的，应当遵守本规定。……App包括移动智能终端"
        "预置、下载安装的应用软件，基于应用软件开放平台接口开发的、用户无需安装即可使用的小程序。",
        "Applies to every app on a mobile device that collects users' PI: pre-installed and "
        "downloaded apps, and mini-programs (小程序) used without installation.",
        f"{RULES_SHORT} Art. 2",
    ),
    RuleArticle(
        3,
        "本规定所称必要个人信息，是指保障App基本功能服务正常运行所必需的个人信息，缺少该信息App即"
        "无法实现基本功能服务。具体是指消费侧用户个人信息，不包括服务供给侧用户个人信息。",
        "Necessary PI is the PI without which the app cannot provide its basic function service. "
        "It means the PI of consumer-side users only, not of supply-side users (drivers, "
        "merchants, doctors …).",
        f"{RULES_SHORT} Art. 3",
    ),
    RuleArticle(
        4,
        "App不得因为用户不同意提供非必要个人信息，而拒绝用户使用其基本功能服务。",
        "An app must not refuse its basic function service because the user declines to provide "
        "non-necessary PI.",
        f"{RULES_SHORT} Art. 4",
    ),
    RuleArticle(
        6,
        "任何组织和个人发现违反本规定行为的，可以向相关部门举报。",
        "Any organisation or person may report violations to the competent departments.",
        f"{RULES_SHORT} Art. 6",
    ),
    RuleArticle(
        7,
        "本规定自2021年5月1日起施行。",
        "In force from 1 May 2021.",
        f"{RULES_SHORT} Art. 7",
    ),
)

# --------------------------------------------------------------------------- building blocks

_REG_ZH, _REG_EN = "注册用户", "registered user"
_PHONE_ZH = "注册用户移动电话号码"
_PAY_ZH = "支付时间、支付金额、支付渠道等支付信息"


def _p(
    item: int,
    zh: str,
    en: str,
    key: str,
    role: tuple[str, str] = ("", ""),
    *conditions: Condition,
) -> NecessaryPI:
    return NecessaryPI(
        item=item,
        wording_zh=zh,
        name_en=en,
        category=key,
        role_zh=role[0],
        role_en=role[1],
        conditions=conditions,
    )


def _phone(item: int = 1) -> NecessaryPI:
    return _p(item, _PHONE_ZH, "registered user's mobile number", "basic.phone.mobile", _ROLE_REG)


def _pay(item: int, *conditions: Condition) -> NecessaryPI:
    return _p(
        item,
        _PAY_ZH,
        "payment time, amount, channel and other payment information",
        "financial.transaction",
        ("", ""),
        *conditions,
    )


def _id(item: int, role: tuple[str, str], *conditions: Condition) -> tuple[NecessaryPI, ...]:
    return (
        _p(item, "姓名", "name", "basic.name", role, *conditions),
        _p(item, "证件类型和号码", "ID type and number", "identity.document", role, *conditions),
    )


_ROLE_REG = (_REG_ZH, _REG_EN)


def _src(number: int) -> str:
    return f"{RULES_SHORT} Art. 5({number}) 《{RULES_TITLE_ZH}》第五条"


def _app(
    number: int,
    zh: str,
    en: str,
    aliases: tuple[str, ...],
    function: tuple[str, str],
    items_zh: tuple[str, ...],
    pi: tuple[NecessaryPI, ...],
    *,
    source: str | None = None,
    confidence: Confidence = Confidence.HIGH,
    second_source: bool = False,
    note: str = "",
) -> AppCategory:
    return AppCategory(
        number=number,
        name_zh=zh,
        name_en=en,
        aliases=aliases,
        basic_function_zh=function[0],
        basic_function_en=function[1],
        items_zh=items_zh,
        necessary_pi=pi,
        source=source or _src(number),
        confidence=confidence,
        second_source=second_source,
        note=note,
    )


_NONE_ZH = ("无须个人信息，即可使用基本功能服务。",)

APP_CATEGORIES: tuple[AppCategory, ...] = (
    _app(
        1,
        "地图导航",
        "Maps and navigation",
        ("maps", "navigation", "map navigation"),
        ("定位和导航", "locating and navigation"),
        ("位置信息、出发地、到达地。",),
        (
            _p(1, "位置信息", "location", "location.precise"),
            _p(1, "出发地", "origin", "location.precise"),
            _p(1, "到达地", "destination", "location.precise"),
        ),
    ),
    _app(
        2,
        "网络约车",
        "Ride-hailing",
        ("ride-hailing", "ride hailing", "ridehailing", "car-hailing", "online car-hailing"),
        (
            "网络预约出租汽车服务、巡游出租汽车电召服务",
            "online-booked taxi (网约车) service; street-hail taxi dispatch (巡游出租汽车电召)",
        ),
        (
            "注册用户移动电话号码；",
            "乘车人出发地、到达地、位置信息、行踪轨迹；",
            "支付时间、支付金额、支付渠道等支付信息（网络预约出租汽车服务）。",
        ),
        (
            _phone(),
            _p(
                2, "乘车人出发地", "passenger's origin", "location.precise", ("乘车人", "passenger")
            ),
            _p(2, "到达地", "destination", "location.precise", ("乘车人", "passenger")),
            _p(2, "位置信息", "location", "location.precise", ("乘车人", "passenger")),
            _p(2, "行踪轨迹", "trajectory", "location.trajectory", ("乘车人", "passenger")),
            _pay(
                3,
                Condition(
                    ConditionKind.ONLY_FOR_SERVICE,
                    "网络预约出租汽车服务",
                    "for online-booked taxi (网约车) service only",
                ),
                Condition(
                    ConditionKind.NOT_FOR_SERVICE,
                    "巡游出租汽车电召服务",
                    "not for street-hail taxi dispatch (the rule limits item 3 to 网约车)",
                ),
            ),
        ),
        note="Art. 3: the necessary PI is the passenger's (consumer side); drivers' PI is "
        "supply-side and outside these rules",
    ),
    _app(
        3,
        "即时通信",
        "Instant messaging",
        ("instant messaging", "im", "messaging", "chat"),
        (
            "提供文字、图片、语音、视频等网络即时通信服务",
            "text, image, voice and video instant messaging",
        ),
        ("注册用户移动电话号码；", "账号信息：账号、即时通信联系人账号列表。"),
        (
            _phone(),
            _p(2, "账号信息：账号", "account", "online.account", _ROLE_REG),
            _p(2, "即时通信联系人账号列表", "IM contact list", "contacts.friend_list", _ROLE_REG),
        ),
    ),
    _app(
        4,
        "网络社区",
        "Online community",
        ("online community", "community", "forum", "social"),
        (
            "博客、论坛、社区等话题讨论、信息分享和关注互动",
            "blogs, forums and communities: topic discussion, sharing, following",
        ),
        ("注册用户移动电话号码。",),
        (_phone(),),
    ),
    _app(
        5,
        "网络支付",
        "Online payment",
        ("online payment", "payment", "payments"),
        ("网络支付、提现、转账等功能", "online payment, withdrawal and transfer"),
        ("注册用户移动电话号码；", "注册用户姓名、证件类型和号码、证件有效期限、银行卡号码。"),
        (
            _phone(),
            *_id(2, _ROLE_REG),
            _p(2, "证件有效期限", "ID validity period", "identity.document.validity", _ROLE_REG),
            _p(2, "银行卡号码", "bank card number", "financial.bank_account", _ROLE_REG),
        ),
    ),
    _app(
        6,
        "网上购物",
        "Online shopping",
        ("online shopping", "shopping", "e-commerce", "ecommerce"),
        ("购买商品", "buying goods"),
        (
            "注册用户移动电话号码；",
            "收货人姓名（名称）、地址、联系电话；",
            "支付时间、支付金额、支付渠道等支付信息。",
        ),
        (
            _phone(),
            _p(2, "收货人姓名（名称）", "consignee's name", "basic.name", ("收货人", "consignee")),
            _p(2, "地址", "consignee's address", "basic.address", ("收货人", "consignee")),
            _p(2, "联系电话", "consignee's phone", "basic.phone", ("收货人", "consignee")),
            _pay(3),
        ),
    ),
    _app(
        7,
        "餐饮外卖",
        "Food delivery",
        ("food delivery", "takeaway", "take-out", "food"),
        ("餐饮购买及外送", "buying and delivering meals"),
        (
            "注册用户移动电话号码；",
            "收货人姓名（名称）、地址、联系电话；",
            "支付时间、支付金额、支付渠道等支付信息。",
        ),
        (
            _phone(),
            _p(2, "收货人姓名（名称）", "consignee's name", "basic.name", ("收货人", "consignee")),
            _p(2, "地址", "consignee's address", "basic.address", ("收货人", "consignee")),
            _p(2, "联系电话", "consignee's phone", "basic.phone", ("收货人", "consignee")),
            _pay(3),
        ),
    ),
    _app(
        8,
        "邮件快件寄递",
        "Postal and courier delivery",
        ("postal and courier delivery", "courier", "post", "express delivery", "parcels"),
        (
            "信件、包裹、印刷品等物品寄递服务",
            "delivery of letters, parcels, printed matter and other items",
        ),
        (
            "寄件人姓名、证件类型和号码等身份信息；",
            "寄件人地址、联系电话；",
            "收件人姓名（名称）、地址、联系电话；",
            "寄递物品的名称、性质、数量。",
        ),
        (
            _p(1, "寄件人姓名", "sender's name", "basic.name", ("寄件人", "sender")),
            _p(
                1,
                "证件类型和号码等身份信息",
                "sender's ID type and number",
                "identity.document",
                ("寄件人", "sender"),
            ),
            _p(2, "寄件人地址", "sender's address", "basic.address", ("寄件人", "sender")),
            _p(2, "联系电话", "sender's phone", "basic.phone", ("寄件人", "sender")),
            _p(3, "收件人姓名（名称）", "recipient's name", "basic.name", ("收件人", "recipient")),
            _p(3, "地址", "recipient's address", "basic.address", ("收件人", "recipient")),
            _p(3, "联系电话", "recipient's phone", "basic.phone", ("收件人", "recipient")),
            _p(
                4,
                "寄递物品的名称、性质、数量",
                "name, nature and quantity of the items sent",
                "financial.transaction",
            ),
        ),
        note="the only category with PI whose list does not start with the registered user's "
        "mobile number; the items sent are keyed as a consumption record (A7 交易和消费记录)",
    ),
    _app(
        9,
        "交通票务",
        "Transport ticketing",
        ("transport ticketing", "ticketing", "train tickets", "flight tickets", "air tickets"),
        (
            "交通相关的票务服务及行程管理（如票务购买、改签、退票、行程管理等）",
            "transport tickets and trip management (buy, change, refund, manage trips)",
        ),
        (
            "注册用户移动电话号码；",
            "旅客姓名、证件类型和号码、旅客类型。旅客类型通常包括儿童、成人、学生等；",
            "旅客出发地、目的地、出发时间、车次/船次/航班号、席别/舱位等级、座位号（如有）、"
            "车牌号及车牌颜色（ETC服务)；",
            "支付时间、支付金额、支付渠道等支付信息。",
        ),
        (
            _phone(),
            *_id(2, ("旅客", "passenger")),
            _p(
                2,
                "旅客类型（儿童、成人、学生等）",
                "passenger type (child, adult, student)",
                "basic.person_type",
                ("旅客", "passenger"),
            ),
            _p(
                3,
                "旅客出发地、目的地、出发时间",
                "origin, destination, departure time",
                "location.itinerary",
                ("旅客", "passenger"),
            ),
            _p(
                3,
                "车次/船次/航班号、席别/舱位等级",
                "train/ship/flight number, class",
                "location.itinerary",
                ("旅客", "passenger"),
            ),
            _p(
                3,
                "座位号（如有）",
                "seat number (if any)",
                "location.itinerary",
                ("旅客", "passenger"),
                Condition(ConditionKind.IF_PRESENT, "如有", "only if the ticket has a seat"),
            ),
            _p(
                3,
                "车牌号及车牌颜色（ETC服务)",
                "plate number and plate colour (ETC service)",
                "other.license_plate",
                ("旅客", "passenger"),
                Condition(ConditionKind.ONLY_FOR_SERVICE, "ETC服务", "for ETC service only"),
            ),
            _pay(4),
        ),
    ),
    _app(
        10,
        "婚恋相亲",
        "Dating and matchmaking",
        ("dating and matchmaking", "dating", "matchmaking"),
        ("婚恋相亲", "dating and matchmaking"),
        ("注册用户移动电话号码；", "婚恋相亲人的性别、年龄、婚姻状况。"),
        (
            _phone(),
            _p(2, "性别", "gender", "basic.gender", ("婚恋相亲人", "person seeking a match")),
            _p(2, "年龄", "age", "basic.age", ("婚恋相亲人", "person seeking a match")),
            _p(
                2,
                "婚姻状况",
                "marital status",
                "other.marital_history",
                ("婚恋相亲人", "person seeking a match"),
            ),
        ),
    ),
    _app(
        11,
        "求职招聘",
        "Recruitment",
        ("recruitment", "jobs", "job search", "hiring"),
        ("求职招聘信息交换", "exchange of job-seeking and hiring information"),
        ("注册用户移动电话号码；", "求职者提供的简历。"),
        (
            _phone(),
            _p(
                2,
                "求职者提供的简历",
                "the résumé the job-seeker provides",
                "education_work.resume",
                ("求职者", "job-seeker"),
            ),
        ),
    ),
    _app(
        12,
        "网络借贷",
        "Online lending",
        ("online lending", "lending", "loans", "p2p lending"),
        (
            "通过互联网平台实现的用于消费、日常生产经营周转等的个人申贷服务",
            "personal loan applications for consumption or business turnover",
        ),
        ("注册用户移动电话号码；", "借款人姓名、证件类型和号码、证件有效期限、银行卡号码。"),
        (
            _phone(),
            *_id(2, ("借款人", "borrower")),
            _p(
                2,
                "证件有效期限",
                "ID validity period",
                "identity.document.validity",
                ("借款人", "borrower"),
            ),
            _p(
                2,
                "银行卡号码",
                "bank card number",
                "financial.bank_account",
                ("借款人", "borrower"),
            ),
        ),
    ),
    _app(
        13,
        "房屋租售",
        "Housing rental and sale",
        ("housing rental and sale", "housing", "real estate", "rentals"),
        ("个人房源信息发布、房屋出租或买卖", "posting listings; renting or selling homes"),
        ("注册用户移动电话号码；", "房源基本信息：房屋地址、面积/户型、期望售价或租金。"),
        (
            _phone(),
            _p(2, "房屋地址", "property address", "financial.real_estate", ("房源", "listing")),
            _p(2, "面积/户型", "floor area / layout", "financial.real_estate", ("房源", "listing")),
            _p(
                2,
                "期望售价或租金",
                "asking price or rent",
                "financial.real_estate",
                ("房源", "listing"),
            ),
        ),
    ),
    _app(
        14,
        "二手车交易",
        "Used-car trading",
        ("used-car trading", "used cars", "second-hand cars"),
        ("二手车买卖信息交换", "exchange of used-car trading information"),
        (
            "注册用户移动电话号码；",
            "购买方姓名、证件类型和号码；",
            "出售方姓名、证件类型和号码、车辆行驶证号、车辆识别号码。",
        ),
        (
            _phone(),
            *_id(2, ("购买方", "buyer")),
            *_id(3, ("出售方", "seller")),
            _p(3, "车辆行驶证号", "vehicle licence number", "other.vehicle", ("出售方", "seller")),
            _p(
                3,
                "车辆识别号码",
                "vehicle identification number",
                "other.vehicle",
                ("出售方", "seller"),
            ),
        ),
    ),
    _app(
        15,
        "问诊挂号",
        "Online consultation and hospital registration",
        (
            "online consultation and hospital registration",
            "consultation",
            "hospital registration",
            "medical consultation",
            "telemedicine",
        ),
        ("在线咨询问诊、预约挂号", "online consultation; hospital appointment registration"),
        (
            "注册用户移动电话号码；",
            "挂号时需提供患者姓名、证件类型和号码、预约挂号的医院和科室；",
            "问诊时需提供病情描述。",
        ),
        (
            _phone(),
            *_id(
                2,
                ("患者", "patient"),
                Condition(ConditionKind.WHEN, "挂号时", "when registering for an appointment"),
            ),
            _p(
                2,
                "预约挂号的医院和科室",
                "hospital and department of the appointment",
                "health.visit",
                ("患者", "patient"),
                Condition(ConditionKind.WHEN, "挂号时", "when registering for an appointment"),
            ),
            _p(
                3,
                "病情描述",
                "description of the condition",
                "health.symptom",
                ("患者", "patient"),
                Condition(ConditionKind.WHEN, "问诊时", "when consulting"),
            ),
        ),
    ),
    _app(
        16,
        "旅游服务",
        "Travel services",
        ("travel services", "travel", "tourism"),
        ("旅游服务产品信息的发布与订购", "publishing and booking travel products"),
        (
            "注册用户移动电话号码；",
            "出行人旅游目的地、旅游时间；",
            "出行人姓名、证件类型和号码、联系方式。",
        ),
        (
            _phone(),
            _p(
                2,
                "出行人旅游目的地、旅游时间",
                "traveller's destination and dates",
                "location.itinerary",
                ("出行人", "traveller"),
            ),
            *_id(3, ("出行人", "traveller")),
            _p(3, "联系方式", "contact details", "basic.phone", ("出行人", "traveller")),
        ),
    ),
    _app(
        17,
        "酒店服务",
        "Hotel services",
        ("hotel services", "hotels", "hotel booking"),
        ("酒店预订", "hotel booking"),
        ("注册用户移动电话号码；", "住宿人姓名和联系方式、入住和退房时间、入住酒店名称。"),
        (
            _phone(),
            _p(2, "住宿人姓名", "guest's name", "basic.name", ("住宿人", "guest")),
            _p(2, "联系方式", "guest's contact details", "basic.phone", ("住宿人", "guest")),
            _p(
                2,
                "入住和退房时间",
                "check-in and check-out times",
                "location.lodging",
                ("住宿人", "guest"),
            ),
            _p(2, "入住酒店名称", "name of the hotel", "location.lodging", ("住宿人", "guest")),
        ),
    ),
    _app(
        18,
        "网络游戏",
        "Online games",
        ("online games", "games", "gaming"),
        ("提供网络游戏产品和服务", "online game products and services"),
        ("注册用户移动电话号码。",),
        (_phone(),),
    ),
    _app(
        19,
        "学习教育",
        "Learning and education",
        ("learning and education", "education", "e-learning", "tutoring"),
        ("在线辅导、网络课堂等", "online tutoring, online classes"),
        ("注册用户移动电话号码。",),
        (_phone(),),
    ),
    _app(
        20,
        "本地生活",
        "Local life services",
        ("local life services", "local services", "home services", "home renovation"),
        (
            "家政维修、家居装修、二手闲置物品交易等日常生活服务",
            "housekeeping and repairs, home renovation, second-hand goods trading",
        ),
        ("注册用户移动电话号码。",),
        (_phone(),),
    ),
    _app(
        21,
        "女性健康",
        "Women's health",
        ("women's health", "womens health", "period tracking"),
        (
            "女性经期管理、备孕育儿、美容美体等健康管理服务",
            "period tracking, pregnancy preparation and parenting, beauty and body care",
        ),
        _NONE_ZH,
        (),
    ),
    _app(
        22,
        "用车服务",
        "Vehicle services",
        ("vehicle services", "car sharing", "bike sharing", "car rental"),
        ("共享单车、共享汽车、租赁汽车等服务", "bike sharing, car sharing, car rental"),
        (
            "注册用户移动电话号码；",
            "使用共享汽车、租赁汽车服务用户的证件类型和号码，驾驶证件信息；",
            "支付时间、支付金额、支付渠道等支付信息；",
            "使用共享单车、分时租赁汽车服务用户的位置信息。",
        ),
        (
            _phone(),
            _p(
                2,
                "证件类型和号码",
                "ID type and number",
                "identity.document",
                ("使用共享汽车、租赁汽车服务用户", "car-sharing or car-rental user"),
                Condition(
                    ConditionKind.ONLY_FOR_SERVICE,
                    "共享汽车、租赁汽车服务",
                    "for car sharing and car rental only",
                ),
            ),
            _p(
                2,
                "驾驶证件信息",
                "driving licence information",
                "identity.driving_license",
                ("使用共享汽车、租赁汽车服务用户", "car-sharing or car-rental user"),
                Condition(
                    ConditionKind.ONLY_FOR_SERVICE,
                    "共享汽车、租赁汽车服务",
                    "for car sharing and car rental only",
                ),
            ),
            _pay(3),
            _p(
                4,
                "位置信息",
                "location",
                "location.precise",
                ("使用共享单车、分时租赁汽车服务用户", "bike-sharing or time-share rental user"),
                Condition(
                    ConditionKind.ONLY_FOR_SERVICE,
                    "共享单车、分时租赁汽车服务",
                    "for bike sharing and time-share car rental only",
                ),
            ),
        ),
    ),
    _app(
        23,
        "投资理财",
        "Investment and wealth management",
        ("investment and wealth management", "investment", "wealth management", "securities"),
        (
            "股票、期货、基金、债券等相关投资理财服务",
            "stocks, futures, funds, bonds and other investment services",
        ),
        (
            "注册用户移动电话号码；",
            "投资理财用户姓名、证件类型和号码、证件有效期限、证件影印件；",
            "投资理财用户资金账户、银行卡号码或支付账号。",
        ),
        (
            _phone(),
            *_id(2, ("投资理财用户", "investor")),
            _p(
                2,
                "证件有效期限",
                "ID validity period",
                "identity.document.validity",
                ("投资理财用户", "investor"),
            ),
            _p(
                2,
                "证件影印件",
                "photocopy of the ID",
                "identity.document.image",
                ("投资理财用户", "investor"),
            ),
            *(
                _p(
                    3,
                    zh,
                    en,
                    key,
                    ("投资理财用户", "investor"),
                    Condition(
                        ConditionKind.ONE_OF,
                        "资金账户、银行卡号码或支付账号",
                        "one of: fund account, bank card number or payment account",
                    ),
                )
                for zh, en, key in (
                    ("资金账户", "fund account", "financial.payment_account"),
                    ("银行卡号码", "bank card number", "financial.bank_account"),
                    ("支付账号", "payment account", "financial.payment_account"),
                )
            ),
        ),
    ),
    _app(
        24,
        "手机银行",
        "Mobile banking",
        ("mobile banking", "banking", "bank"),
        (
            "通过手机等移动智能终端设备进行银行账户管理、信息查询、转账汇款等服务",
            "bank account management, queries and transfers on a mobile device",
        ),
        (
            "注册用户移动电话号码；",
            "用户姓名、证件类型和号码、证件有效期限、证件影印件、银行卡号码、银行预留移动电话号码；",
            "转账时需提供收款人姓名、银行卡号码、开户银行信息。",
        ),
        (
            _phone(),
            *_id(2, ("用户", "user")),
            _p(
                2,
                "证件有效期限",
                "ID validity period",
                "identity.document.validity",
                ("用户", "user"),
            ),
            _p(2, "证件影印件", "photocopy of the ID", "identity.document.image", ("用户", "user")),
            _p(2, "银行卡号码", "bank card number", "financial.bank_account", ("用户", "user")),
            _p(
                2,
                "银行预留移动电话号码",
                "mobile number registered with the bank",
                "basic.phone.mobile",
                ("用户", "user"),
            ),
            *(
                _p(
                    3,
                    zh,
                    en,
                    key,
                    ("收款人", "payee"),
                    Condition(ConditionKind.WHEN, "转账时", "when transferring money"),
                )
                for zh, en, key in (
                    ("收款人姓名", "payee's name", "basic.name"),
                    ("银行卡号码", "payee's bank card number", "financial.bank_account"),
                    ("开户银行信息", "payee's bank", "financial.bank_account"),
                )
            ),
        ),
    ),
    _app(
        25,
        "邮箱云盘",
        "E-mail and cloud drive",
        ("e-mail and cloud drive", "email", "e-mail", "cloud drive", "cloud storage"),
        ("邮箱、云盘等", "mailbox, cloud drive"),
        ("注册用户移动电话号码。",),
        (_phone(),),
    ),
    _app(
        26,
        "远程会议",
        "Remote meetings",
        ("remote meetings", "video conferencing", "conferencing", "meetings"),
        ("通过网络提供音频或视频会议", "audio or video conferencing over the network"),
        ("注册用户移动电话号码。",),
        (_phone(),),
    ),
    _app(
        27,
        "网络直播",
        "Live streaming",
        ("live streaming", "livestreaming", "streaming"),
        (
            "向公众持续提供实时视频、音频、图文等形式信息浏览服务",
            "continuous real-time video, audio, image and text for the public",
        ),
        _NONE_ZH,
        (),
    ),
    _app(
        28,
        "在线影音",
        "Online audio and video",
        ("online audio and video", "video", "music", "film"),
        ("影视、音乐搜索和播放", "searching and playing films and music"),
        _NONE_ZH,
        (),
    ),
    _app(
        29,
        "短视频",
        "Short video",
        ("short video", "short videos"),
        ("不超过一定时长的视频搜索、播放", "searching and playing videos up to a set length"),
        _NONE_ZH,
        (),
    ),
    _app(
        30,
        "新闻资讯",
        "News",
        ("news", "news and information"),
        ("新闻资讯的浏览、搜索", "browsing and searching news"),
        _NONE_ZH,
        (),
    ),
    _app(
        31,
        "运动健身",
        "Sports and fitness",
        ("sports and fitness", "fitness", "sports", "workout"),
        ("运动健身训练", "fitness training"),
        _NONE_ZH,
        (),
    ),
    _app(
        32,
        "浏览器",
        "Browser",
        ("browser", "web browser"),
        ("浏览互联网信息资源", "browsing internet resources"),
        _NONE_ZH,
        (),
    ),
    _app(
        33,
        "输入法",
        "Input method",
        ("input method", "ime", "keyboard"),
        ("文字、符号等输入", "entering text and symbols"),
        _NONE_ZH,
        (),
    ),
    _app(
        34,
        "安全管理",
        "Security management",
        ("security management", "security", "antivirus"),
        ("查杀病毒、清理恶意插件、修复漏洞等", "antivirus, removing malicious plug-ins, patching"),
        _NONE_ZH,
        (),
    ),
    _app(
        35,
        "电子图书",
        "E-books",
        ("e-books", "ebooks", "reading"),
        ("电子图书搜索、阅读", "searching and reading e-books"),
        _NONE_ZH,
        (),
    ),
    _app(
        36,
        "拍摄美化",
        "Photography and beautification",
        ("photography and beautification", "camera", "photo editing", "beauty camera"),
        ("拍摄、美颜、滤镜等", "shooting, beautifying, filters"),
        _NONE_ZH,
        (),
    ),
    _app(
        37,
        "应用商店",
        "App store",
        ("app store", "app market"),
        ("App搜索、下载", "searching and downloading apps"),
        _NONE_ZH,
        (),
    ),
    _app(
        38,
        "实用工具",
        "Utility tools",
        ("utility tools", "utilities", "tools", "smart-home assistant", "remote control"),
        (
            "日历、天气、词典翻译、计算器、遥控器、手电筒、指南针、时钟闹钟、文件传输、文件管理、"
            "壁纸铃声、截图录屏、录音、文档处理、智能家居助手、星座性格测试等",
            "calendar, weather, dictionary/translation, calculator, remote control (遥控器), "
            "torch, compass, clock/alarm, file transfer, file management, wallpaper/ringtones, "
            "screenshot/recording, voice recorder, document processing, smart-home assistant "
            "(智能家居助手), horoscope tests, etc.",
        ),
        _NONE_ZH,
        (),
        source=f"{RULES_SHORT} Art. 5(38) 《{RULES_TITLE_ZH}》第五条, per S2 "
        "(0xHJK/CleanApps iOS.white.md) and S3 pages; missing from the S1 copy",
        confidence=Confidence.MEDIUM,
        second_source=True,
        note="category 38 is missing from the S1 full text; its wording comes from a second "
        "source (S2), consistent with S3's '39 types, 13 need no PI'. Smart-home assistants "
        "and remote-control apps fall here: no PI is necessary for their basic function",
    ),
    _app(
        39,
        "演出票务",
        "Show tickets",
        ("show tickets", "event tickets", "concert tickets", "tickets"),
        ("演出购票", "buying show tickets"),
        (
            "注册用户移动电话号码；",
            "观演场次、座位号（如有）；",
            "支付时间、支付金额、支付渠道等支付信息。",
        ),
        (
            _phone(),
            _p(2, "观演场次", "show session", "financial.transaction", ("观众", "audience member")),
            _p(
                2,
                "座位号（如有）",
                "seat number (if any)",
                "financial.transaction",
                ("观众", "audience member"),
                Condition(ConditionKind.IF_PRESENT, "如有", "only if the ticket has a seat"),
            ),
            _pay(3),
        ),
        note="the session and seat are part of the ticket purchase (A7 交易和消费记录)",
    ),
)

#: Identity documents that the rules' 证件类型和号码 (identity.document) can stand for.
_ID_DOCUMENTS = frozenset(
    {
        "identity.resident_id",
        "identity.military_officer_card",
        "identity.passport",
        "identity.driving_license",
        "identity.social_security_card",
        "identity.residence_permit",
        "identity.travel_permit",
    }
)


def _related(key: str, rule_key: str) -> bool:
    if key == rule_key or key.startswith(rule_key + ".") or rule_key.startswith(key + "."):
        return True
    return rule_key == "identity.document" and key in _ID_DOCUMENTS


_BY_NUMBER: dict[int, AppCategory] = {a.number: a for a in APP_CATEGORIES}


def _norm(term: str) -> str:
    t = term.strip().lower()
    t = re.sub(r"[\s_\-’'`]+", "-", t)
    return t.strip("-")


def _names(app: AppCategory) -> tuple[str, ...]:
    return (app.name_zh, app.full_name_zh, app.name_en, *app.aliases)


_BY_NAME: dict[str, AppCategory] = {_norm(n): a for a in APP_CATEGORIES for n in _names(a)}


def app_categories(*, needs_pi: bool | None = None) -> tuple[AppCategory, ...]:
    """The 39 app categories in the rules' order; ``needs_pi`` filters them.

    >>> len(app_categories()), len(app_categories(needs_pi=False))
    (39, 13)
    """
    if needs_pi is None:
        return APP_CATEGORIES
    return tuple(a for a in APP_CATEGORIES if a.needs_no_pi != needs_pi)


def app_category(term: str | int) -> AppCategory:
    """An app category by number, Chinese name (with or without 类) or English name or alias.

    >>> app_category("网络约车类").number, app_category("ride-hailing").name_zh
    (2, '网络约车')
    >>> app_category(2).basic_function_zh
    '网络预约出租汽车服务、巡游出租汽车电召服务'
    >>> app_category("网络约")
    Traceback (most recent call last):
    ...
    piguard.errors.UnknownKeyError: unknown app category '网络约' (did you mean '网络约车'?)
    """
    text = str(term).strip()
    number = text.lstrip("#")
    if number.isdigit():
        if int(number) in _BY_NUMBER:
            return _BY_NUMBER[int(number)]
        raise UnknownKeyError(f"unknown app category {text!r} (the rules number them 1 to 39)")
    found = _BY_NAME.get(_norm(text))
    if found is not None:
        return found
    near = closest(_norm(text), _BY_NAME)
    if near is None:
        hint = " (run 'piguard apps list' to see the categories)"
    else:
        app = _BY_NAME[near]
        hint = f" (did you mean {app.name_zh if near == _norm(app.name_zh) else near!r}?)"
    raise UnknownKeyError(f"unknown app category {text!r}{hint}")
