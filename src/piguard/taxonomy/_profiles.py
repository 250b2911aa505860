"""Industry profiles: function → personal information → purpose, for four Internet+ industries.

Source: the 2020 industry report on PI protection in typical Internet+ services
(``reference/seed-report-internet-plus-pi-protection-2020.txt``, "the report"):

* online health: Table 1 (“互联网+医疗健康”收集使用个人信息梳理, data source Tencent), every row;
* ride-hailing: Table 2 (“网约车”服务收集、使用个人信息梳理, data source Meituan), every row,
  passenger side; the driver side from the paragraph after Table 2;
* online shopping and smart home: written from the report's prose, §一(二)1 and §一(二)3, and
  marked ``derived_from_prose``.

Each item keeps the report's own words (``function_zh``, ``pi_zh``, ``purpose_zh``) beside the
taxonomy keys. ``function_type`` is set only where a text says whether the function is basic or
extended (``function_type_basis`` quotes it); otherwise it is None.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from piguard.errors import UnknownKeyError
from piguard.taxonomy._registry import closest

REPORT = "2020 Internet+ PI-protection report"


class Side(enum.StrEnum):
    """Whose information it is."""

    #: the consumer: user, passenger, patient, shopper (the only side the 2021 rules cover, Art. 3)
    CONSUMER = "consumer"
    #: the supply side: drivers (outside the 2021 necessary-PI rules, Art. 3)
    SUPPLY = "supply"


class FunctionType(enum.StrEnum):
    """GB/T 35273-2020 Annex C: 基本业务功能 (basic) or 扩展业务功能 (extended)."""

    BASIC = "basic"
    EXTENDED = "extended"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileItem:
    """One row: a function collects a piece of PI for a purpose."""

    function_zh: str
    function_en: str
    pi_zh: str
    pi_en: str
    categories: tuple[str, ...]
    purpose_zh: str
    purpose_en: str
    source: str
    side: Side = Side.CONSUMER
    side_zh: str = ""
    side_en: str = ""
    function_type: FunctionType | None = None
    function_type_basis: str = ""
    derived_from_prose: bool = False
    app_categories: tuple[int, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class IndustryProfile:
    """The PI an industry's services collect, by function, with the applicable app categories."""

    id: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]
    summary_en: str
    app_categories: tuple[int, ...]
    app_categories_note: str
    items: tuple[ProfileItem, ...]
    source: str
    note: str = ""

    @property
    def category_keys(self) -> tuple[str, ...]:
        """The distinct taxonomy keys the profile touches, in order of first use."""
        return tuple(dict.fromkeys(k for item in self.items for k in item.categories))

    def sides(self) -> tuple[str, ...]:
        """The sides (passenger, driver …) the profile covers, in order.

        >>> industry_profile("ride-hailing").sides()
        ('passenger', 'driver')
        """
        return tuple(dict.fromkeys(item.side_en for item in self.items))


# --------------------------------------------------------------------------- online health

_T1 = f"{REPORT}, Table 1 (“互联网+医疗健康”收集使用个人信息梳理; data source: Tencent)"


def _h(
    function: tuple[str, str],
    pi: tuple[str, str],
    keys: tuple[str, ...],
    purpose: tuple[str, str],
    note: str = "",
) -> ProfileItem:
    return ProfileItem(
        function_zh=function[0],
        function_en=function[1],
        pi_zh=pi[0],
        pi_en=pi[1],
        categories=keys,
        purpose_zh=purpose[0],
        purpose_en=purpose[1],
        source=_T1,
        side_zh="患者/用户",
        side_en="patient",
        app_categories=(15, 21),
        note=note,
    )


_REG = ("登记和管理", "registration and management")
_TEST = ("身体检测数据", "body test data")
_SENSOR = ("传感器采集数据", "sensor data")
_TREAT = ("治疗性数据", "treatment data")

ONLINE_HEALTH = IndustryProfile(
    id="online-health",
    name_zh="互联网+医疗健康",
    name_en="Online health care",
    aliases=("online health", "online-health", "health", "医疗健康", "互联网医疗", "在线医疗"),
    summary_en="Registration, body tests, sensor data and treatment data collected by online "
    "health services (the report's Table 1)",
    app_categories=(15, 21),
    app_categories_note="2021 rules #15 问诊挂号 (consultation and registration) and #21 女性健康 "
    "(women's health); the rules have no category for e-prescription or e-pharmacy",
    items=(
        _h(_REG, ("姓名", "name"), ("basic.name",), ("常规登记事项", "routine registration")),
        _h(
            _REG,
            ("身份证号", "resident ID number"),
            ("identity.resident_id",),
            (
                "用于身份核实以及医保等医疗服务",
                "identity verification and medical services such as medical insurance",
            ),
        ),
        _h(
            _REG,
            ("手机号码", "mobile number"),
            ("basic.phone.mobile",),
            ("用于医疗服务过程中的沟通联络", "contact during medical services"),
        ),
        _h(
            _REG,
            ("诊疗号码", "patient number"),
            ("health.patient_id",),
            (
                "便于医疗机构识别特定个人且不用泄露姓名等隐私",
                "lets the provider identify the person without disclosing the name",
            ),
        ),
        _h(
            _REG,
            ("既往病史", "past medical history"),
            ("health.medical_history",),
            (
                "用于了解患者在接受医疗服务之前的身体状况",
                "the patient's condition before the medical service",
            ),
        ),
        _h(
            _TEST,
            ("器官组织形态数据", "organ and tissue morphology data"),
            ("health.test_report",),
            (
                "B 超、CT、核磁共振对身体器官和组织形态的分析",
                "ultrasound, CT and MRI analysis of organs and tissues",
            ),
        ),
        _h(
            _TEST,
            ("血液成分数据", "blood composition data"),
            ("health.test_report",),
            (
                "用于检测个人的肝功能、肾功能、血糖、血脂等健康状况",
                "testing liver and kidney function, blood sugar, blood lipids",
            ),
        ),
        _h(
            _TEST,
            ("DNA 检测数据", "DNA test data"),
            ("biometric.gene", "health.test_report"),
            ("用于检测基因遗传性疾病等", "testing for genetic diseases"),
        ),
        _h(
            _TEST,
            ("蛋白质含量数据", "protein content data"),
            ("health.test_report",),
            ("用于检测特定炎症、癌症风险等", "testing for specific inflammations, cancer risk"),
        ),
        _h(
            _TEST,
            ("唾液成分数据", "saliva composition data"),
            ("health.test_report",),
            ("用于检测艾滋病毒、酒精等检测", "testing for HIV, alcohol"),
            note="HIV results are level 5 in the unverified GB/T 39725 mapping",
        ),
        _h(
            _SENSOR,
            ("心电图", "electrocardiogram"),
            ("health.test_report",),
            (
                "用于反应患者实时心率，帮助诊断心律失常",
                "real-time heart rate; helps diagnose arrhythmia",
            ),
        ),
        _h(
            _SENSOR,
            ("脑电图", "electroencephalogram"),
            ("health.test_report",),
            (
                "用于检测精神分裂症、躁狂抑郁症、精神异常等",
                "testing for schizophrenia, manic depression, mental disorders",
            ),
            note="mental illness is level 5 in the unverified GB/T 39725 mapping",
        ),
        _h(
            _SENSOR,
            ("睡眠数据", "sleep data"),
            ("health.physiology",),
            ("智能枕头收集数据，分析睡眠质量", "a smart pillow analyses sleep quality"),
            note="general health data like weight and height (A5), not in Table B.1",
        ),
        _h(
            _SENSOR,
            ("步行计数", "step count"),
            ("health.physiology",),
            ("运动手环等智能设备记录步行数量", "fitness bands and other devices count steps"),
            note="general health data like weight and height (A5), not in Table B.1",
        ),
        _h(
            _TREAT,
            ("医嘱", "doctor's orders"),
            ("health.doctor_orders",),
            ("反应医生的针对性诊疗方案", "the doctor's treatment plan"),
        ),
        _h(
            _TREAT,
            ("病历", "medical record"),
            ("health.medical_record",),
            (
                "反应患者基本情况、治疗过程和效果",
                "the patient's condition, treatment and outcome",
            ),
        ),
        _h(
            _TREAT,
            ("医保数据", "medical-insurance data"),
            ("health.insurance",),
            ("反应医学诊断、药物报销等", "diagnoses, drug reimbursements"),
        ),
    ),
    source=_T1,
    note="The function 传感器采集数据 is split across a page break in the report's text "
    "(传感器 / 采集数据); it is one function",
)

# --------------------------------------------------------------------------- ride-hailing

_T2 = f"{REPORT}, Table 2 (“网约车”服务收集、使用个人信息梳理; data source: Meituan)"
_BASIC_42 = (
    "report §一(二)4: 为满足运营网约车的基本要求 … 需要获取个人身份以进行实名制认证 … 需要获取位置"
    "以提供叫车服务，需要获取支付信息以完成订单支付 … 持续获取“位置”等信息以提供必要的行程计费和"
    "安全保障等基础服务"
)
_UX_C2 = (
    "GB/T 35273-2020 C.2: improving the user experience (提升体验) cannot by itself be a basic "
    "function; the report gives only that purpose"
)
_EXT_34 = (
    "report §三(四)2: 除了网约车运营过程中涉及的必须信息，网约车平台为了强化安全保障，陆续推出"
    "行车录音、视频记录等安防措施 (beyond the necessary information)"
)
_LOC_PURPOSE = (
    "精准定位信息仅用于确定用户当前位置，推荐周围上车点，搜索显示附近车辆信息。",
    "precise location is used only to find the user's current position, suggest pick-up "
    "points nearby and show nearby cars",
)


def _r(
    function: tuple[str, str],
    pi: tuple[str, str],
    keys: tuple[str, ...],
    purpose: tuple[str, str],
    *,
    basic: str | None = None,
    extended: str | None = None,
    note: str = "",
) -> ProfileItem:
    function_type = None
    basis = ""
    if basic is not None:
        function_type, basis = FunctionType.BASIC, basic
    elif extended is not None:
        function_type, basis = FunctionType.EXTENDED, extended
    return ProfileItem(
        function_zh=function[0],
        function_en=function[1],
        pi_zh=pi[0],
        pi_en=pi[1],
        categories=keys,
        purpose_zh=purpose[0],
        purpose_en=purpose[1],
        source=_T2,
        side=Side.CONSUMER,
        side_zh="乘客端",
        side_en="passenger",
        function_type=function_type,
        function_type_basis=basis,
        app_categories=(2,),
        note=note,
    )


_DONE = ("完成订单", "completing the order")
_TRACE = ("用于用户查询行程，报销，找回丢失物品等。", "trip look-up, expense claims, lost items")
_UNNAMED = ("（表中功能栏空白）", "(function cell blank in the table)")
_UNNAMED_NOTE = (
    "the function cell of this row is blank in the report (the row follows a page break after "
    "完成订单); its purpose describes calling a car (确定用户当前位置，推荐周围上车点)"
)
_DRIVER_SRC = f"{REPORT}, paragraph after Table 2 (在车主端，还需要车主提供 …)"


def _d(pi: tuple[str, str], keys: tuple[str, ...], purpose: tuple[str, str]) -> ProfileItem:
    return ProfileItem(
        function_zh="车主认证",
        function_en="driver verification",
        pi_zh=pi[0],
        pi_en=pi[1],
        categories=keys,
        purpose_zh=purpose[0],
        purpose_en=purpose[1],
        source=_DRIVER_SRC,
        side=Side.SUPPLY,
        side_zh="车主端",
        side_en="driver",
        derived_from_prose=True,
        note="supply-side PI: outside the 2021 necessary-PI rules (Art. 3); the report says "
        "driver-side PI is more varied and more sensitive because of policy requirements",
    )


_DRIVER_PURPOSE = ("车主认证信息（政策要求）", "driver verification (policy requirement)")

RIDE_HAILING = IndustryProfile(
    id="ride-hailing",
    name_zh="网约车",
    name_en="Ride-hailing",
    aliases=(
        "ride hailing",
        "ridehailing",
        "网络约车",
        "网络预约出租汽车",
        "出行服务",
        "互联网+出行服务",
    ),
    summary_en="What a ride-hailing service collects from passengers (the report's Table 2, "
    "every row) and from drivers (the paragraph after it)",
    app_categories=(2,),
    app_categories_note="2021 rules #2 网络约车 (consumer side only, Art. 3); #22 用车服务 covers "
    "car and bike sharing",
    items=(
        _r(
            ("注册", "registration"),
            ("手机号", "mobile number"),
            ("basic.phone.mobile",),
            ("实名制要求，用于联系用户。", "real-name requirement; contacting the user"),
            basic=_BASIC_42,
        ),
        _r(
            ("注册", "registration"),
            ("账号、密码", "account and password"),
            ("online.account", "financial.authentication"),
            ("用于网约车用户账号信息安全。", "security of the user's account"),
        ),
        _r(
            ("注册", "registration"),
            ("电子邮箱地址", "e-mail address"),
            ("basic.email",),
            ("用于收取电子发票进行报销。", "receiving e-invoices for expense claims"),
        ),
        _r(
            ("发单", "placing an order"),
            ("常用地址记录", "frequently used addresses"),
            ("basic.address", "location.precise"),
            ("方便用户输入目的地提升使用体验。", "easier destination input; better experience"),
            extended=_UX_C2,
            note="the report calls frequent places (常去地点) relatively sensitive (§一(二)4)",
        ),
        _r(
            ("代人叫车", "calling a car for someone else"),
            ("通讯录导入联系人", "contacts imported from the address book"),
            ("contacts.address_book",),
            (
                "方便输入被代叫人的手机信息，提升体验。",
                "easier input of the other person's phone number; better experience",
            ),
            extended=_UX_C2,
        ),
        _r(
            ("接驾", "pick-up"),
            ("IM 文字聊天记录", "IM text chat history"),
            ("communication.content",),
            (
                "允许保存用户文字聊天记录作为服务判责依据。",
                "chat history kept as evidence for service disputes",
            ),
        ),
        _r(
            ("接驾", "pick-up"),
            ("IM 语音内容", "IM voice content"),
            ("communication.content", "other.recording"),
            (
                "允许保存用户文字聊天记录作为服务判责依据。",
                "chat history kept as evidence for service disputes",
            ),
            note="the report repeats the text-chat purpose (文字聊天记录) for the voice row",
        ),
        _r(
            _DONE,
            ("用户发布信息", "information the user posts"),
            ("location.itinerary",),
            ("用于形成出行订单。", "forming the trip order"),
            note="the trip request the user posts (origin, destination, time)",
        ),
        _r(
            _DONE,
            ("身份认证信息", "identity verification information"),
            ("identity.document",),
            ("监管要求。", "regulatory requirement"),
            basic=_BASIC_42,
            note="the 2021 rules #2 do not list identity data as necessary for passengers",
        ),
        _r(
            _DONE,
            ("订单日志", "order log"),
            ("financial.transaction", "location.itinerary"),
            _TRACE,
        ),
        _r(
            _DONE,
            ("上网日志", "network access log"),
            ("browsing.software_usage", "online.ip_address"),
            ("监管要求。", "regulatory requirement"),
        ),
        _r(
            _DONE,
            ("行驶轨迹", "driving trajectory"),
            ("location.trajectory",),
            _TRACE,
            basic=_BASIC_42,
        ),
        _r(
            _DONE,
            ("约车交易信息", "ride transaction information"),
            ("financial.transaction",),
            _TRACE,
            basic=_BASIC_42,
        ),
        _r(
            _DONE,
            ("录音录像", "audio and video recording"),
            ("other.recording", "communication.content"),
            (
                "用于安全保障以及投诉处理的录音和视频取证。",
                "safety, and audio/video evidence for complaints",
            ),
            extended=_EXT_34,
        ),
        _r(
            _DONE,
            ("安全联系人", "emergency contact"),
            ("basic.phone", "basic.family_relations"),
            (
                "用户亲友电话信息，在发生特殊情况能够紧急联系。",
                "phone numbers of friends or relatives, for emergencies",
            ),
            note="PI of a third person (the contact), given by the user",
        ),
        _r(
            _UNNAMED,
            ("出发地", "origin"),
            ("location.precise",),
            _LOC_PURPOSE,
            basic=_BASIC_42,
            note=_UNNAMED_NOTE,
        ),
        _r(
            _UNNAMED,
            ("到达地", "destination"),
            ("location.precise",),
            _LOC_PURPOSE,
            basic=_BASIC_42,
            note=_UNNAMED_NOTE + "; the purpose cell is merged with the 出发地 row",
        ),
        _r(
            _UNNAMED,
            ("位置信息", "location"),
            ("location.precise",),
            _LOC_PURPOSE,
            basic=_BASIC_42,
            note=_UNNAMED_NOTE + "; the purpose cell is merged with the 出发地 row",
        ),
        _r(
            ("支付", "payment"),
            ("第三方支付方式", "third-party payment method"),
            ("financial.payment_account",),
            (
                "用于用户使用第三方支付方式对订单付款、用户账户余额提现等。",
                "paying orders by a third-party method; withdrawing the account balance",
            ),
            basic=_BASIC_42,
        ),
        _r(
            ("客服", "customer service"),
            ("客服通话录音", "customer-service call recording"),
            ("other.recording", "communication.content"),
            ("用于监督客服服务质量。", "monitoring the quality of customer service"),
        ),
        _r(
            ("风险控制", "risk control"),
            ("设备信息", "device information"),
            ("device",),
            ("用于用户身份识别、风险防控。", "identifying users; risk prevention"),
        ),
        _d(("身份证", "resident ID card"), ("identity.resident_id",), _DRIVER_PURPOSE),
        _d(("驾驶证", "driving licence"), ("identity.driving_license",), _DRIVER_PURPOSE),
        _d(("行驶证", "vehicle licence"), ("other.vehicle",), _DRIVER_PURPOSE),
        _d(
            ("车辆图片", "vehicle photos"),
            ("other.vehicle", "other.license_plate"),
            _DRIVER_PURPOSE,
        ),
        _d(
            ("网约车资质认证信息", "ride-hailing qualification information"),
            ("education_work.qualification",),
            ("网约车资质认证", "ride-hailing qualification check"),
        ),
        _d(
            ("人脸识别信息", "facial-recognition information"),
            ("biometric.face",),
            ("用于确认车主身份", "confirming the driver's identity"),
        ),
    ),
    source=f"{_T2}; {_DRIVER_SRC}",
    note="Ride-hailing PI must be stored and used in mainland China and kept at least 2 years "
    "(网约车暂行办法; article number unverified, cn_standards.md §7.2)",
)

# --------------------------------------------------------------------------- online shopping

_S1 = f"{REPORT}, §一(二)1 (prose)"


def _s(
    function: tuple[str, str],
    pi: tuple[str, str],
    keys: tuple[str, ...],
    purpose: tuple[str, str],
    *,
    apps: tuple[int, ...] = (6,),
    basic: str | None = None,
    note: str = "",
) -> ProfileItem:
    return ProfileItem(
        function_zh=function[0],
        function_en=function[1],
        pi_zh=pi[0],
        pi_en=pi[1],
        categories=keys,
        purpose_zh=purpose[0],
        purpose_en=purpose[1],
        source=_S1,
        side_zh="用户",
        side_en="shopper",
        function_type=FunctionType.BASIC if basic else None,
        function_type_basis=basic or "",
        derived_from_prose=True,
        app_categories=apps,
        note=note,
    )


_TAOBAO = ("通用商品与服务交易（以淘宝为例）", "general goods and services trading (Taobao)")
_TAOBAO_PURPOSE = (
    "提供通用商品与服务交易（报告未逐项说明用途）",
    "trading general goods and services (the report names the data, not a purpose per item)",
)
_FLIGHT_CN = (
    "国内机票预订（以飞猪为例，不含港澳台）",
    "domestic flight booking (Fliggy; not HK/Macao/TW)",
)
_FLIGHT_INTL = (
    "国际及港澳台机票预订（以飞猪为例）",
    "international and HK/Macao/TW flight booking",
)
_FLIGHT_PURPOSE = (
    "机票预订、信息通知及后续退改签服务",
    "booking, notices, later changes and refunds",
)
_FLIGHT_BASIS = "report §一(二)1: 需要根据服务类型的特殊性收集必要的用户信息 … 用户应至少提供"
_FLIGHT_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("乘机人姓名", "passenger's name", "basic.name"),
    ("证件类型", "ID type", "identity.document"),
    ("证件号码", "ID number", "identity.document"),
    ("联系人姓名", "contact's name", "basic.name"),
    ("手机号码", "contact's mobile number", "basic.phone.mobile"),
    ("电子邮箱", "contact's e-mail", "basic.email"),
)
_FLIGHT_INTL_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("乘机人姓名", "passenger's name", "basic.name"),
    ("性别", "gender", "basic.gender"),
    ("国籍", "nationality", "basic.nationality"),
    ("出生日期", "date of birth", "basic.birth_date"),
    ("证件类型", "ID type", "identity.document"),
    ("证件号码", "ID number", "identity.document"),
    ("证件有效期", "ID validity", "identity.document.validity"),
    ("证件签发地", "ID place of issue", "identity.document"),
    ("联系人姓名", "contact's name", "basic.name"),
    ("手机号码", "contact's mobile number", "basic.phone.mobile"),
    ("电子邮箱", "contact's e-mail", "basic.email"),
)
_TRADE = ("交易和物流", "transactions and logistics")
_TRADE_PURPOSE = (
    "电子商务因为涉及交易和物流等必要环节，均可能需要收集",
    "the transaction and logistics steps every e-commerce service has",
)
_TRAVEL = ("航旅酒店度假等旅游产品服务", "flights, hotels, holidays and other travel products")
_TRAVEL_PURPOSE = ("基于法律规定和具体服务的必要", "required by law and by the specific service")

ONLINE_SHOPPING = IndustryProfile(
    id="online-shopping",
    name_zh="网上购物",
    name_en="Online shopping",
    aliases=(
        "online shopping",
        "shopping",
        "e-commerce",
        "ecommerce",
        "电子商务",
        "互联网+电子商务",
        "网购",
    ),
    summary_en="What e-commerce services collect, written from the report's prose (§一(二)1): "
    "Taobao's data kinds, Fliggy's flight-booking fields, sensitive data in trade and "
    "logistics, travel, cross-border and new-retail cases",
    app_categories=(6, 7, 9),
    app_categories_note="2021 rules #6 网上购物 and #7 餐饮外卖; #9 交通票务 for flight booking "
    "(travel products also touch #16 旅游服务 and #17 酒店服务)",
    items=(
        *(
            _s(_TAOBAO, (zh, en), keys, _TAOBAO_PURPOSE)
            for zh, en, keys in (
                ("会员信息", "membership information", ("online.account",)),
                ("设备信息", "device information", ("device",)),
                ("服务日志信息", "service logs", ("browsing.software_usage",)),
                ("订单信息", "order information", ("financial.transaction",)),
                ("支付信息", "payment information", ("financial.transaction",)),
                (
                    "物流信息",
                    "logistics information",
                    ("basic.name", "basic.address", "basic.phone"),
                ),
                ("客服信息", "customer-service information", ("communication.content",)),
                (
                    "用户主动发布的评价、问答等内容信息",
                    "reviews, Q&A and other content the user publishes",
                    ("other.user_content",),
                ),
            )
        ),
        *(
            _s(_FLIGHT_CN, (zh, en), (key,), _FLIGHT_PURPOSE, apps=(9,), basic=_FLIGHT_BASIS)
            for zh, en, key in _FLIGHT_ITEMS
        ),
        *(
            _s(_FLIGHT_INTL, (zh, en), (key,), _FLIGHT_PURPOSE, apps=(9,), basic=_FLIGHT_BASIS)
            for zh, en, key in _FLIGHT_INTL_ITEMS
        ),
        _s(
            _TRADE,
            ("用户账户资金", "funds in the user's account"),
            ("financial.deposit",),
            _TRADE_PURPOSE,
        ),
        _s(_TRADE, ("交易订单", "orders"), ("financial.transaction",), _TRADE_PURPOSE),
        _s(_TRADE, ("身份证件信息", "identity documents"), ("identity.document",), _TRADE_PURPOSE),
        _s(
            _TRADE,
            ("家庭住址", "home address"),
            ("basic.address",),
            _TRADE_PURPOSE,
            note="the report lists the home address among sensitive PI; GB/T 35273-2020 Table B.1 "
            "does not, so piguard grades it ordinary",
        ),
        *(
            _s(_TRAVEL, (zh, en), keys, _TRAVEL_PURPOSE, apps=(9, 16, 17))
            for zh, en, keys in (
                ("用户身份证件信息", "identity documents", ("identity.document",)),
                ("财产信息", "property information", ("financial",)),
                ("住宿信息", "lodging information", ("location.lodging",)),
                ("行踪信息", "whereabouts", ("location.trajectory",)),
            )
        ),
        _s(
            ("跨境电子商务", "cross-border e-commerce"),
            ("用户身份证件信息", "identity documents"),
            ("identity.document",),
            (
                "因为相关法律规定需要收集用户身份证件信息用于包裹通关服务",
                "customs clearance of parcels, required by law",
            ),
        ),
        _s(
            ("新零售：刷脸入会、刷脸支付", "new retail: join and pay by face"),
            ("会员用户的面部特征信息", "members' facial features"),
            ("biometric.face",),
            ("提供刷脸入会、刷脸支付", "joining the membership and paying by face"),
        ),
    ),
    source=_S1,
    note="Derived from the report's prose, not from a table: every item is marked "
    "derived_from_prose",
)

# --------------------------------------------------------------------------- smart home

_SH = f"{REPORT}, §一(二)3 (prose)"


def _sh(
    function: tuple[str, str],
    pi: tuple[str, str],
    keys: tuple[str, ...],
    purpose: tuple[str, str],
    *,
    source: str = _SH,
    note: str = "",
) -> ProfileItem:
    return ProfileItem(
        function_zh=function[0],
        function_en=function[1],
        pi_zh=pi[0],
        pi_en=pi[1],
        categories=keys,
        purpose_zh=purpose[0],
        purpose_en=purpose[1],
        source=source,
        side_zh="用户/家庭成员",
        side_en="household",
        derived_from_prose=True,
        app_categories=(38,),
        note=note,
    )


_VACUUM = ("扫地机器人定时打扫", "robot vacuum: scheduled cleaning")
_VACUUM_PURPOSE = ("为了完成定时打扫的任务", "to clean on schedule")
_LAMP = ("智能灯具", "smart lighting")
_SCENE = (
    "设备间联动：进入家门则房间亮彩色的灯且播放音乐",
    "scene: on entering, coloured lights and music",
)
_SCENE_PURPOSE = ("为了实现此联动", "to run the linked scene")

SMART_HOME = IndustryProfile(
    id="smart-home",
    name_zh="智能家居",
    name_en="Smart home",
    aliases=("smart home", "smarthome", "iot", "互联网+智能家居", "智能家居设备"),
    summary_en="What smart-home devices collect, written from the report's prose (§一(二)3): "
    "robot vacuums, lights, linked scenes, door locks, cameras, scales and speakers",
    app_categories=(38, 20),
    app_categories_note="2021 rules #38 实用工具 (智能家居助手 and 遥控器: no PI necessary for the "
    "basic function) and #20 本地生活 (home renovation: phone number only)",
    items=(
        _sh(
            _VACUUM,
            ("用户的定时信息", "the user's schedule"),
            ("device.usage_data",),
            _VACUUM_PURPOSE,
        ),
        _sh(_VACUUM, ("设定的路线", "the routes set"), ("device.usage_data",), _VACUUM_PURPOSE),
        _sh(
            _LAMP,
            ("用户的起居时间", "when the user gets up and goes to bed"),
            ("device.usage_data",),
            ("智能照明（报告未单列用途）", "smart lighting (the report gives no separate purpose)"),
        ),
        _sh(
            _LAMP,
            ("明暗偏好", "brightness preferences"),
            ("device.usage_data",),
            ("智能照明（报告未单列用途）", "smart lighting (the report gives no separate purpose)"),
        ),
        _sh(
            _SCENE,
            ("指纹信息（门锁收集）", "fingerprint (collected by the door lock)"),
            ("biometric.fingerprint",),
            _SCENE_PURPOSE,
        ),
        _sh(
            _SCENE,
            ("开门的状态（门锁收集）", "door-open state (collected by the door lock)"),
            ("device.usage_data",),
            _SCENE_PURPOSE,
        ),
        _sh(
            _SCENE,
            ("灯和音箱的状态", "state of the lights and speaker"),
            ("device.usage_data",),
            _SCENE_PURPOSE,
        ),
        _sh(
            ("智能门锁", "smart door lock"),
            ("指纹信息", "fingerprint"),
            ("biometric.fingerprint",),
            ("以指纹作为开锁凭证", "the fingerprint is the key that unlocks the door"),
        ),
        _sh(
            ("具备人脸识别功能的摄像头", "camera with face recognition"),
            ("人脸信息", "face"),
            ("biometric.face",),
            ("人脸识别", "face recognition"),
        ),
        _sh(
            ("智能体重秤", "smart scale"),
            ("身高、体重", "height and weight"),
            ("health.physiology",),
            ("为用户提供健康提示", "health tips for the user"),
        ),
        _sh(
            ("智能体重秤", "smart scale"),
            ("心率", "heart rate"),
            ("health.physiology",),
            ("为用户提供健康提示", "health tips for the user"),
            note="general health data (A5), not in Table B.1; a heart rate used to diagnose "
            "(an ECG, report Table 1) is health.test_report instead",
        ),
        _sh(
            ("安防摄像头", "security camera"),
            ("反映用户生活状态的视频信息", "video showing the user's life at home"),
            ("other.recording",),
            ("实现安防监测和预警", "security monitoring and alerts"),
        ),
        _sh(
            ("智能音箱语音助手", "smart-speaker voice assistant"),
            ("用户的语音对话信息", "the user's voice conversations"),
            ("other.recording", "communication.content"),
            ("提供语音助手服务", "the voice-assistant service"),
            note="a voiceprint enrolled for speaker recognition would be biometric.voiceprint; "
            "report §三(三)1 and 4 warn of false wake-ups and of children's conversations",
        ),
        _sh(
            ("智能电饭煲", "smart rice cooker"),
            ("地理位置", "geographic location"),
            ("location.coarse",),
            (
                "获得电饭煲所在地的海拔信息，进而智能化调整压力",
                "the altitude of the place, to adjust the cooking pressure",
            ),
            source=f"{REPORT}, §三(三)2 (prose)",
            note="the report's example of a hard minimum-necessary call; altitude needs only a "
            "coarse (city-level) location, not a precise one",
        ),
    ),
    source=f"{_SH}; §三(三)2 for the rice cooker",
    note="Derived from the report's prose, not from a table. The 2021 rules put smart-home "
    "assistants under #38 (no PI necessary for the basic function), so the PI above serves "
    "device features that need their own notice and consent (GB/T 35273-2020 Annex C); "
    "children in the household make all of their PI sensitive (report §三(三)4, PIPL Art. 28)",
)

INDUSTRY_PROFILES: tuple[IndustryProfile, ...] = (
    ONLINE_HEALTH,
    RIDE_HAILING,
    ONLINE_SHOPPING,
    SMART_HOME,
)


def _norm(term: str) -> str:
    t = term.strip().lower()
    t = re.sub(r"[\s_\-]+", "-", t)
    return t.strip("-")


_BY_NAME: dict[str, IndustryProfile] = {
    _norm(n): p for p in INDUSTRY_PROFILES for n in (p.id, p.name_zh, p.name_en, *p.aliases)
}


def industry_profiles() -> tuple[IndustryProfile, ...]:
    """The four industry profiles.

    >>> [p.id for p in industry_profiles()]
    ['online-health', 'ride-hailing', 'online-shopping', 'smart-home']
    """
    return INDUSTRY_PROFILES


def industry_profile(term: str) -> IndustryProfile:
    """A profile by id, Chinese or English name or alias (case-insensitive).

    >>> industry_profile("网约车").id, industry_profile("Smart Home").id
    ('ride-hailing', 'smart-home')
    >>> try:
    ...     industry_profile("ride-haling")
    ... except UnknownKeyError as exc:
    ...     print(exc)
    unknown industry profile 'ride-haling' (did you mean 'ride-hailing'?)
    """
    found = _BY_NAME.get(_norm(term))
    if found is not None:
        return found
    near = closest(_norm(term), _BY_NAME)
    hint = (
        f" (did you mean {_BY_NAME[near].id!r}?)"
        if near is not None
        else f" (known: {', '.join(p.id for p in INDUSTRY_PROFILES)})"
    )
    raise UnknownKeyError(f"unknown industry profile {term.strip()!r}{hint}")
