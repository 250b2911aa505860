"""The 2021 necessary-PI rules for 39 app categories against the rules' text (cn_standards.md §2).

The expected texts are copied from the rules (S1 ``regulations/63.html``; #38 from S2).
"""

from __future__ import annotations

import pytest

from piguard import taxonomy as tx
from piguard.errors import UnknownKeyError

NAMES = [
    "地图导航",
    "网络约车",
    "即时通信",
    "网络社区",
    "网络支付",
    "网上购物",
    "餐饮外卖",
    "邮件快件寄递",
    "交通票务",
    "婚恋相亲",
    "求职招聘",
    "网络借贷",
    "房屋租售",
    "二手车交易",
    "问诊挂号",
    "旅游服务",
    "酒店服务",
    "网络游戏",
    "学习教育",
    "本地生活",
    "女性健康",
    "用车服务",
    "投资理财",
    "手机银行",
    "邮箱云盘",
    "远程会议",
    "网络直播",
    "在线影音",
    "短视频",
    "新闻资讯",
    "运动健身",
    "浏览器",
    "输入法",
    "安全管理",
    "电子图书",
    "拍摄美化",
    "应用商店",
    "实用工具",
    "演出票务",
]
NO_PI = {21, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38}
PHONE_ONLY = {4, 18, 19, 20, 25, 26}


def _keys(app: tx.AppCategory) -> set[str]:
    return {p.category for p in app.necessary_pi}


def _wording(app: tx.AppCategory) -> str:
    return "".join(app.items_zh)


def test_thirty_nine_categories_in_order() -> None:
    apps = tx.app_categories()
    assert [a.number for a in apps] == list(range(1, 40))
    assert [a.name_zh for a in apps] == NAMES
    assert all(a.name_en and a.basic_function_zh and a.basic_function_en for a in apps)


def test_exactly_thirteen_need_no_pi() -> None:
    assert {a.number for a in tx.app_categories(needs_pi=False)} == NO_PI
    assert len(tx.app_categories(needs_pi=True)) == 26
    for number in NO_PI:
        app = tx.app_category(number)
        assert app.items_zh == ("无须个人信息，即可使用基本功能服务。",)


def test_every_category_with_pi_has_keyed_items_that_exist() -> None:
    for app in tx.app_categories(needs_pi=True):
        assert app.necessary_pi
        for pi in app.necessary_pi:
            tx.get(pi.category)
            assert pi.wording_zh
            assert 1 <= pi.item <= len(app.items_zh)
            # The rule's wording for the piece comes from the numbered item it belongs to.
            item_text = app.items_zh[pi.item - 1]
            head = pi.wording_zh.split("（")[0].split("：")[-1][:4]
            assert head in item_text or head in app.basic_function_zh, (app.number, pi.wording_zh)


def test_registered_mobile_number_everywhere_except_maps_and_courier() -> None:
    for app in tx.app_categories(needs_pi=True):
        phone = [p for p in app.necessary_pi if p.wording_zh == "注册用户移动电话号码"]
        if app.number in (1, 8):
            assert not phone
        else:
            assert len(phone) == 1
            assert phone[0].category == "basic.phone.mobile"
            assert phone[0].role_en == "registered user"


def test_phone_only_categories() -> None:
    for number in PHONE_ONLY:
        assert _keys(tx.app_category(number)) == {"basic.phone.mobile"}


def test_ride_hailing_2() -> None:
    app = tx.app_category(2)
    assert app.basic_function_zh == "网络预约出租汽车服务、巡游出租汽车电召服务"
    assert app.items_zh == (
        "注册用户移动电话号码；",
        "乘车人出发地、到达地、位置信息、行踪轨迹；",
        "支付时间、支付金额、支付渠道等支付信息（网络预约出租汽车服务）。",
    )
    passenger = [p for p in app.necessary_pi if p.role_zh == "乘车人"]
    assert {p.category for p in passenger} == {"location.precise", "location.trajectory"}
    assert all(p.role_en == "passenger" for p in passenger)
    (pay,) = [p for p in app.necessary_pi if p.item == 3]
    assert pay.category == "financial.transaction"
    kinds = {c.kind: c.zh for c in pay.conditions}
    assert kinds[tx.ConditionKind.ONLY_FOR_SERVICE] == "网络预约出租汽车服务"
    assert kinds[tx.ConditionKind.NOT_FOR_SERVICE] == "巡游出租汽车电召服务"
    trajectory = next(p for p in app.necessary_pi if p.wording_zh == "行踪轨迹")
    assert tx.get(trajectory.category).sensitive


def test_online_payment_5() -> None:
    app = tx.app_category(5)
    assert (
        _wording(app)
        == "注册用户移动电话号码；注册用户姓名、证件类型和号码、证件有效期限、银行卡号码。"
    )
    assert _keys(app) == {
        "basic.phone.mobile",
        "basic.name",
        "identity.document",
        "identity.document.validity",
        "financial.bank_account",
    }


def test_courier_8_sender_identity_and_no_phone_registration() -> None:
    app = tx.app_category(8)
    assert app.items_zh[0] == "寄件人姓名、证件类型和号码等身份信息；"
    assert len(app.items_zh) == 4
    roles = {p.role_en for p in app.necessary_pi if p.role_en}
    assert roles == {"sender", "recipient"}
    sender_id = [p for p in app.necessary_pi if p.category == "identity.document"]
    assert [p.role_en for p in sender_id] == ["sender"]
    assert any(p.wording_zh == "寄递物品的名称、性质、数量" for p in app.necessary_pi)


def test_ticketing_9_conditions() -> None:
    app = tx.app_category(9)
    plate = next(p for p in app.necessary_pi if p.category == "other.license_plate")
    assert plate.conditions[0].kind is tx.ConditionKind.ONLY_FOR_SERVICE
    assert plate.conditions[0].zh == "ETC服务"
    seat = next(p for p in app.necessary_pi if p.wording_zh.startswith("座位号"))
    assert seat.conditions[0].kind is tx.ConditionKind.IF_PRESENT
    assert "basic.person_type" in _keys(app)


def test_consultation_15() -> None:
    app = tx.app_category(15)
    assert app.basic_function_zh == "在线咨询问诊、预约挂号"
    assert app.items_zh[1] == "挂号时需提供患者姓名、证件类型和号码、预约挂号的医院和科室；"
    assert app.items_zh[2] == "问诊时需提供病情描述。"
    when = {p.wording_zh: p.conditions[0].zh for p in app.necessary_pi if p.conditions}
    assert when["病情描述"] == "问诊时"
    assert when["预约挂号的医院和科室"] == "挂号时"
    assert when["证件类型和号码"] == "挂号时"
    symptom = next(p for p in app.necessary_pi if p.wording_zh == "病情描述")
    assert symptom.category == "health.symptom"
    assert tx.get(symptom.category).sensitive


def test_vehicle_services_22_split_by_service() -> None:
    app = tx.app_category(22)
    licence = next(p for p in app.necessary_pi if p.category == "identity.driving_license")
    assert licence.conditions[0].zh == "共享汽车、租赁汽车服务"
    location = next(p for p in app.necessary_pi if p.category == "location.precise")
    assert location.conditions[0].zh == "共享单车、分时租赁汽车服务"


def test_mobile_banking_24_transfer_condition() -> None:
    app = tx.app_category(24)
    payee = [p for p in app.necessary_pi if p.role_en == "payee"]
    assert len(payee) == 3
    assert all(c.zh == "转账时" for p in payee for c in p.conditions)
    assert "identity.document.image" in _keys(app)


def test_utility_tools_38_from_a_second_source() -> None:
    app = tx.app_category(38)
    assert app.needs_no_pi
    assert app.second_source
    assert app.confidence is tx.Confidence.MEDIUM
    assert "S2" in app.source
    assert "智能家居助手" in app.basic_function_zh
    assert "遥控器" in app.basic_function_zh
    others = [a for a in tx.app_categories() if a.number != 38]
    assert not any(a.second_source for a in others)


def test_general_rules_articles_3_and_4() -> None:
    rules = {r.article: r for r in tx.GENERAL_RULES}
    assert "消费侧用户个人信息，不包括服务供给侧用户个人信息" in rules[3].zh
    assert "consumer-side" in rules[3].en
    assert "不得因为用户不同意提供非必要个人信息，而拒绝用户使用其基本功能服务" in rules[4].zh
    assert "小程序" in rules[2].zh


@pytest.mark.parametrize(
    ("term", "number"),
    [
        ("网络约车", 2),
        ("网络约车类", 2),
        ("ride-hailing", 2),
        ("Ride Hailing", 2),
        ("2", 2),
        ("#2", 2),
        (2, 2),
        ("问诊挂号类", 15),
        ("online consultation and hospital registration", 15),
        ("实用工具", 38),
        ("utility tools", 38),
        ("邮件快件寄递", 8),
    ],
)
def test_lookup(term: str | int, number: int) -> None:
    assert tx.app_category(term).number == number


def test_unknown_app_category() -> None:
    with pytest.raises(UnknownKeyError, match="did you mean '网络约车"):
        tx.app_category("网络约车类别")
    with pytest.raises(UnknownKeyError, match="1 to 39"):
        tx.app_category("40")
    with pytest.raises(UnknownKeyError, match="apps list"):
        tx.app_category("qqqqqq")


def test_lists_matches_related_categories() -> None:
    shopping = tx.app_category(6)
    assert {p.wording_zh for p in shopping.lists("basic.phone.mobile")} == {
        "注册用户移动电话号码",
        "联系电话",
    }
    assert [p.wording_zh for p in shopping.lists("basic.phone.landline")] == ["联系电话"]
    assert [p.wording_zh for p in tx.app_category(9).lists("identity.passport")] == [
        "证件类型和号码"
    ]
    assert tx.app_category(9).lists("identity.access_pass") == ()
    assert tx.app_category(2).lists("location.lodging") == ()
    assert tx.app_category(38).lists("biometric.fingerprint") == ()
