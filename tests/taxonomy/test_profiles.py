"""The industry profiles against the 2020 report's Tables 1 and 2 and its prose."""

from __future__ import annotations

import pytest

from piguard import taxonomy as tx
from piguard.errors import UnknownKeyError

# Report Table 1 (“互联网+医疗健康”收集使用个人信息梳理): (function, PI, purpose), every row.
TABLE_1 = [
    ("登记和管理", "姓名", "常规登记事项"),
    ("登记和管理", "身份证号", "用于身份核实以及医保等医疗服务"),
    ("登记和管理", "手机号码", "用于医疗服务过程中的沟通联络"),
    ("登记和管理", "诊疗号码", "便于医疗机构识别特定个人且不用泄露姓名等隐私"),
    ("登记和管理", "既往病史", "用于了解患者在接受医疗服务之前的身体状况"),
    ("身体检测数据", "器官组织形态数据", "B 超、CT、核磁共振对身体器官和组织形态的分析"),
    ("身体检测数据", "血液成分数据", "用于检测个人的肝功能、肾功能、血糖、血脂等健康状况"),
    ("身体检测数据", "DNA 检测数据", "用于检测基因遗传性疾病等"),
    ("身体检测数据", "蛋白质含量数据", "用于检测特定炎症、癌症风险等"),
    ("身体检测数据", "唾液成分数据", "用于检测艾滋病毒、酒精等检测"),
    ("传感器采集数据", "心电图", "用于反应患者实时心率，帮助诊断心律失常"),
    ("传感器采集数据", "脑电图", "用于检测精神分裂症、躁狂抑郁症、精神异常等"),
    ("传感器采集数据", "睡眠数据", "智能枕头收集数据，分析睡眠质量"),
    ("传感器采集数据", "步行计数", "运动手环等智能设备记录步行数量"),
    ("治疗性数据", "医嘱", "反应医生的针对性诊疗方案"),
    ("治疗性数据", "病历", "反应患者基本情况、治疗过程和效果"),
    ("治疗性数据", "医保数据", "反应医学诊断、药物报销等"),
]

# Report Table 2 (“网约车”服务收集、使用个人信息梳理): (function, PI), every row.
TABLE_2 = [
    ("注册", "手机号"),
    ("注册", "账号、密码"),
    ("注册", "电子邮箱地址"),
    ("发单", "常用地址记录"),
    ("代人叫车", "通讯录导入联系人"),
    ("接驾", "IM 文字聊天记录"),
    ("接驾", "IM 语音内容"),
    ("完成订单", "用户发布信息"),
    ("完成订单", "身份认证信息"),
    ("完成订单", "订单日志"),
    ("完成订单", "上网日志"),
    ("完成订单", "行驶轨迹"),
    ("完成订单", "约车交易信息"),
    ("完成订单", "录音录像"),
    ("完成订单", "安全联系人"),
    ("（表中功能栏空白）", "出发地"),
    ("（表中功能栏空白）", "到达地"),
    ("（表中功能栏空白）", "位置信息"),
    ("支付", "第三方支付方式"),
    ("客服", "客服通话录音"),
    ("风险控制", "设备信息"),
]
DRIVER_PI = {"身份证", "驾驶证", "行驶证", "车辆图片", "网约车资质认证信息", "人脸识别信息"}


def _rows(profile: tx.IndustryProfile, side: str | None = None) -> list[tx.ProfileItem]:
    return [i for i in profile.items if side is None or i.side_en == side]


def test_online_health_covers_every_row_of_table_1() -> None:
    profile = tx.industry_profile("online-health")
    got = [(i.function_zh, i.pi_zh, i.purpose_zh) for i in profile.items]
    assert got == TABLE_1
    assert all("Table 1" in i.source and not i.derived_from_prose for i in profile.items)
    assert profile.app_categories == (15, 21)


def test_online_health_grades() -> None:
    by_pi = {i.pi_zh: i for i in tx.industry_profile("online-health").items}
    assert tx.get(by_pi["既往病史"].categories[0]).sensitive
    assert "biometric.gene" in by_pi["DNA 检测数据"].categories
    assert not tx.get(by_pi["步行计数"].categories[0]).sensitive
    assert not tx.get(by_pi["睡眠数据"].categories[0]).sensitive
    assert by_pi["身份证号"].categories == ("identity.resident_id",)


def test_ride_hailing_passenger_side_covers_every_row_of_table_2() -> None:
    profile = tx.industry_profile("ride-hailing")
    passenger = _rows(profile, "passenger")
    assert [(i.function_zh, i.pi_zh) for i in passenger] == TABLE_2
    assert all(i.side is tx.Side.CONSUMER and "Table 2" in i.source for i in passenger)
    assert all(i.app_categories == (2,) for i in passenger)
    # The blank function cell is kept as blank, with the reason in the note.
    blank = [i for i in passenger if i.function_zh.startswith("（")]
    assert all("blank" in i.note for i in blank)


def test_ride_hailing_driver_side_from_the_prose() -> None:
    driver = _rows(tx.industry_profile("ride-hailing"), "driver")
    assert {i.pi_zh for i in driver} == DRIVER_PI
    assert all(i.side is tx.Side.SUPPLY and i.derived_from_prose for i in driver)
    assert all("Art. 3" in i.note for i in driver)
    face = next(i for i in driver if i.pi_zh == "人脸识别信息")
    assert face.categories == ("biometric.face",)


def test_ride_hailing_basic_and_extended_where_the_text_says() -> None:
    by_pi = {i.pi_zh: i for i in tx.industry_profile("ride-hailing").items}
    assert by_pi["行驶轨迹"].function_type is tx.FunctionType.BASIC
    assert by_pi["出发地"].function_type is tx.FunctionType.BASIC
    assert by_pi["录音录像"].function_type is tx.FunctionType.EXTENDED
    assert "§三(四)2" in by_pi["录音录像"].function_type_basis
    assert by_pi["通讯录导入联系人"].function_type is tx.FunctionType.EXTENDED
    assert by_pi["电子邮箱地址"].function_type is None
    for item in by_pi.values():
        assert (item.function_type is None) == (item.function_type_basis == "")


def test_online_shopping_flight_booking_fields() -> None:
    profile = tx.industry_profile("online-shopping")
    assert profile.app_categories == (6, 7, 9)
    assert all(i.derived_from_prose and "§一(二)1" in i.source for i in profile.items)
    domestic = [i.pi_zh for i in profile.items if i.function_zh.startswith("国内机票")]
    assert domestic == ["乘机人姓名", "证件类型", "证件号码", "联系人姓名", "手机号码", "电子邮箱"]
    international = [i.pi_zh for i in profile.items if i.function_zh.startswith("国际")]
    assert "证件有效期" in international
    assert "证件签发地" in international
    assert len(international) == 11
    flights = [i for i in profile.items if "机票" in i.function_zh]
    assert all(i.app_categories == (9,) for i in flights)
    assert all(i.function_type is tx.FunctionType.BASIC for i in flights)
    face = next(i for i in profile.items if i.categories == ("biometric.face",))
    assert "刷脸" in face.function_zh


def test_smart_home_devices() -> None:
    profile = tx.industry_profile("smart-home")
    assert profile.app_categories == (38, 20)
    assert all(i.derived_from_prose for i in profile.items)
    keys_by_function: dict[str, set[str]] = {}
    for i in profile.items:
        keys_by_function.setdefault(i.function_zh, set()).update(i.categories)
    assert keys_by_function["扫地机器人定时打扫"] == {"device.usage_data"}
    assert keys_by_function["智能门锁"] == {"biometric.fingerprint"}
    assert keys_by_function["具备人脸识别功能的摄像头"] == {"biometric.face"}
    assert keys_by_function["智能体重秤"] == {"health.physiology"}
    assert "other.recording" in keys_by_function["智能音箱语音助手"]
    assert "other.recording" in keys_by_function["安防摄像头"]
    pis = {i.pi_zh for i in profile.items}
    assert {"用户的定时信息", "设定的路线", "指纹信息（门锁收集）", "人脸信息"} <= pis


def test_every_profile_key_exists_and_items_are_complete() -> None:
    for profile in tx.industry_profiles():
        assert profile.items
        for item in profile.items:
            assert item.categories
            for key in item.categories:
                tx.get(key)
            assert item.pi_zh
            assert item.pi_en
            assert item.function_zh
            assert item.function_en
            assert item.purpose_zh
            assert item.purpose_en
            assert item.source
            for number in item.app_categories:
                tx.app_category(number)
        for number in profile.app_categories:
            tx.app_category(number)


@pytest.mark.parametrize(
    ("term", "pid"),
    [
        ("ride-hailing", "ride-hailing"),
        ("网约车", "ride-hailing"),
        ("Ride Hailing", "ride-hailing"),
        ("互联网+医疗健康", "online-health"),
        ("online health", "online-health"),
        ("网上购物", "online-shopping"),
        ("电子商务", "online-shopping"),
        ("智能家居", "smart-home"),
        ("SMART-HOME", "smart-home"),
    ],
)
def test_lookup(term: str, pid: str) -> None:
    assert tx.industry_profile(term).id == pid


def test_unknown_profile() -> None:
    with pytest.raises(UnknownKeyError, match="did you mean 'smart-home'"):
        tx.industry_profile("smart-hom")
    with pytest.raises(UnknownKeyError, match="known: online-health"):
        tx.industry_profile("banking")
