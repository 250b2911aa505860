"""The categories against GB/T 35273-2020 Tables A.1 and B.1 (cn_standards.md §1.2-1.3).

The expected lists below are the standard's own example words, copied from the full text
(S1 ``gb/52.html``), so a change in the Python data that drops or mis-grades one fails here.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from piguard import taxonomy as tx
from piguard.errors import UnknownKeyError


def _norm(text: str) -> str:
    """Full-width parentheses and spaces do not matter when comparing example words."""
    return unicodedata.normalize("NFKC", text).replace(" ", "").lower()


def _example_words(cat: tx.Category) -> set[str]:
    return {_norm(e.zh) for e in cat.examples}


# GB/T 35273-2020 Table A.1: group key -> (Chinese group name, the examples it lists).
TABLE_A1: dict[str, tuple[str, tuple[str, ...]]] = {
    "basic": (
        "个人基本资料",
        (
            "个人姓名",
            "生日",
            "性别",
            "民族",
            "国籍",
            "家庭关系",
            "住址",
            "个人电话号码",
            "电子邮件地址",
        ),
    ),
    "identity": (
        "个人身份信息",
        ("身份证", "军官证", "护照", "驾驶证", "工作证", "出入证", "社保卡", "居住证"),
    ),
    "biometric": (
        "个人生物识别信息",
        ("个人基因", "指纹", "声纹", "掌纹", "耳廓", "虹膜", "面部识别特征"),
    ),
    "online": ("网络身份标识信息", ("个人信息主体账号", "IP地址", "个人数字证书")),
    "health": (
        "个人健康生理信息",
        (
            "病症",
            "住院志",
            "医嘱单",
            "检验报告",
            "手术及麻醉记录",
            "护理记录",
            "用药记录",
            "药物食物过敏信息",
            "生育信息",
            "以往病史",
            "诊治情况",
            "家族病史",
            "现病史",
            "传染病史",
            "体重",
            "身高",
            "肺活量",
        ),
    ),
    "education_work": (
        "个人教育工作信息",
        (
            "个人职业",
            "职位",
            "工作单位",
            "学历",
            "学位",
            "教育经历",
            "工作经历",
            "培训记录",
            "成绩单",
        ),
    ),
    "financial": (
        "个人财产信息",
        (
            "银行账户",
            "鉴别信息(口令)",
            "存款信息",
            "房产信息",
            "信贷记录",
            "征信信息",
            "交易和消费记录",
            "流水记录",
            "虚拟货币",
            "虚拟交易",
            "游戏类兑换码",
        ),
    ),
    "communication": ("个人通信信息", ("通信记录和内容", "短信", "彩信", "电子邮件")),
    "contacts": ("联系人信息", ("通讯录", "好友列表", "群列表", "电子邮件地址列表")),
    "browsing": ("个人上网记录", ("网站浏览记录", "软件使用记录", "点击记录", "收藏列表")),
    "device": (
        "个人常用设备信息",
        (
            "硬件序列号",
            "设备MAC地址",
            "软件列表",
            "IMEI",
            "Android ID",
            "IDFA",
            "OpenUDID",
            "GUID",
            "SIM卡IMSI信息",
        ),
    ),
    "location": ("个人位置信息", ("行踪轨迹", "精准定位信息", "住宿信息", "经纬度")),
    "other": ("其他信息", ("婚史", "宗教信仰", "性取向", "未公开的违法犯罪记录")),
}

# GB/T 35273-2020 Table B.1 (2020 edition): row -> the examples it lists.
TABLE_B1: dict[str, tuple[str, ...]] = {
    "B1 个人财产信息": (
        "银行账户",
        "鉴别信息(口令)",
        "存款信息",
        "房产信息",
        "信贷记录",
        "征信信息",
        "交易和消费记录",
        "流水记录",
        "虚拟货币",
        "虚拟交易",
        "游戏类兑换码",
    ),
    "B2 个人健康生理信息": (
        "病症",
        "住院志",
        "医嘱单",
        "检验报告",
        "手术及麻醉记录",
        "护理记录",
        "用药记录",
        "药物食物过敏信息",
        "生育信息",
        "以往病史",
        "诊治情况",
        "家族病史",
        "现病史",
        "传染病史",
    ),
    "B3 个人生物识别信息": ("个人基因", "指纹", "声纹", "掌纹", "耳廓", "虹膜", "面部识别特征"),
    "B4 个人身份信息": ("身份证", "军官证", "护照", "驾驶证", "工作证", "社保卡", "居住证"),
    "B5 其他信息": (
        "性取向",
        "婚史",
        "宗教信仰",
        "未公开的违法犯罪记录",
        "通信记录和内容",
        "通讯录",
        "好友列表",
        "群组列表",
        "行踪轨迹",
        "网页浏览记录",
        "住宿信息",
        "精准定位信息",
    ),
}

# The public key contract (issue 2): other modules depend on these keys.
CONTRACT_KEYS = [
    "basic",
    "basic.name",
    "basic.birth_date",
    "basic.gender",
    "basic.ethnicity",
    "basic.nationality",
    "basic.family_relations",
    "basic.address",
    "basic.phone",
    "basic.phone.mobile",
    "basic.phone.landline",
    "basic.email",
    "identity",
    "identity.resident_id",
    "identity.military_officer_card",
    "identity.passport",
    "identity.driving_license",
    "identity.work_id",
    "identity.access_pass",
    "identity.social_security_card",
    "identity.residence_permit",
    "identity.travel_permit",
    "biometric",
    "biometric.gene",
    "biometric.fingerprint",
    "biometric.voiceprint",
    "biometric.palmprint",
    "biometric.auricle",
    "biometric.iris",
    "biometric.face",
    "online",
    "online.account",
    "online.account.qq",
    "online.account.wechat",
    "online.ip_address",
    "online.digital_certificate",
    "health",
    "health.medical_record",
    "health.diagnosis",
    "health.medication",
    "health.test_report",
    "health.allergy",
    "health.fertility",
    "health.medical_history",
    "health.family_history",
    "health.present_illness",
    "health.infectious_disease",
    "health.physiology",
    "education_work",
    "education_work.occupation",
    "education_work.position",
    "education_work.employer",
    "education_work.education",
    "education_work.degree",
    "education_work.education_history",
    "education_work.work_history",
    "education_work.training",
    "education_work.transcript",
    "financial",
    "financial.bank_account",
    "financial.authentication",
    "financial.deposit",
    "financial.real_estate",
    "financial.credit",
    "financial.credit_report",
    "financial.transaction",
    "financial.statement",
    "financial.virtual_property",
    "communication",
    "communication.records",
    "communication.content",
    "communication.sms",
    "communication.mms",
    "communication.email_content",
    "communication.metadata",
    "contacts",
    "contacts.address_book",
    "contacts.friend_list",
    "contacts.group_list",
    "contacts.email_list",
    "browsing",
    "browsing.web_history",
    "browsing.software_usage",
    "browsing.clicks",
    "browsing.favorites",
    "device",
    "device.serial_number",
    "device.mac_address",
    "device.software_list",
    "device.imei",
    "device.android_id",
    "device.idfa",
    "device.openudid",
    "device.guid",
    "device.imsi",
    "location",
    "location.trajectory",
    "location.precise",
    "location.lodging",
    "location.coarse",
    "other",
    "other.marital_history",
    "other.religion",
    "other.sexual_orientation",
    "other.criminal_record",
    "other.license_plate",
]


def test_thirteen_groups_in_the_standards_order() -> None:
    assert [g.key for g in tx.groups()] == list(TABLE_A1)
    for group in tx.groups():
        assert group.name_zh == TABLE_A1[group.key][0]
        assert group.name_en
        assert not group.extension


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_contract_key_exists(key: str) -> None:
    cat = tx.get(key)
    assert cat.key == key
    assert cat.name_zh
    assert cat.name_en
    assert cat.source


@pytest.mark.parametrize("group", list(TABLE_A1))
def test_every_a1_example_is_in_its_group_and_has_a_sub_category(group: str) -> None:
    group_cat = tx.get(group)
    subs = [c for c in tx.categories(group=group) if not c.is_group]
    for word in TABLE_A1[group][1]:
        assert _norm(word) in _example_words(group_cat), f"{word} missing from {group} examples"
        holders = [c.key for c in subs if _norm(word) in _example_words(c)]
        assert holders, f"no sub-category of {group} lists {word}"


@pytest.mark.parametrize("row", list(TABLE_B1))
def test_every_b1_example_maps_to_a_sensitive_category(row: str) -> None:
    for word in TABLE_B1[row]:
        holders = [
            c for c in tx.categories() if not c.is_group and _norm(word) in _example_words(c)
        ]
        assert holders, f"{row}: no category lists {word}"
        assert all(c.sensitive for c in holders), f"{row}: {word} is in an ordinary category"
        assert all("B.1" in c.source for c in holders)


@pytest.mark.parametrize(
    "key",
    [
        # In the 2017 edition's B.1 but not the 2020 one: phone number and online identifiers.
        "basic.phone",
        "basic.phone.mobile",
        "basic.phone.landline",
        "online",
        "online.account",
        "online.account.qq",
        "online.account.wechat",
        "online.ip_address",
        "online.digital_certificate",
        # In A.1 but not in B.1 (2020).
        "health.physiology",
        "identity.access_pass",
        "basic.email",
        "contacts.email_list",
        "communication.metadata",
        "browsing.software_usage",
        "device.imei",
        "device.mac_address",
        "location.coarse",
        "other.license_plate",
    ],
)
def test_not_sensitive_in_the_2020_edition(key: str) -> None:
    assert tx.get(key).sensitive is False
    assert tx.get(key).grade is tx.Grade.ORDINARY


def test_weight_height_lung_capacity_are_ordinary() -> None:
    physiology = tx.get("health.physiology")
    assert {"体重", "身高", "肺活量"} <= _example_words(physiology)
    assert not physiology.sensitive
    assert tx.get("health.medical_record").sensitive


def test_groups_fully_listed_in_b1_are_sensitive_and_mixed_groups_are_not() -> None:
    for key in ("financial", "biometric"):
        assert tx.get(key).sensitive
        assert all(c.sensitive for c in tx.categories(group=key))
    for key in ("basic", "online", "device", "education_work"):
        assert not any(c.sensitive for c in tx.categories(group=key))
    for key in ("identity", "health", "communication", "contacts", "browsing", "location", "other"):
        members = tx.categories(group=key)
        assert not tx.get(key).sensitive
        assert any(c.sensitive for c in members)
        assert not all(c.sensitive for c in members)


def test_travel_permit_is_a_justified_sensitive_extension() -> None:
    permit = tx.get("identity.travel_permit")
    assert permit.sensitive
    assert permit.extension
    assert "B4" in permit.source
    assert "passport" in permit.note


def test_records_are_well_formed() -> None:
    keys = [c.key for c in tx.categories()]
    assert len(keys) == len(set(keys))
    for c in tx.categories():
        assert c.key == c.key.lower()
        assert " " not in c.key
        assert c.parent is None or c.parent in keys
        assert c.source, c.key
        assert "GB/T 35273-2020" in c.source or c.extension, c.key
        if c.extension:
            assert c.note.startswith("piguard extension"), c.key
        if c.health_level is not None:
            assert 1 <= c.health_level.level <= 5
            assert c.health_level.verified is False
            assert "unverified" in c.health_level.basis


def test_phone_and_email_are_basic_profile_not_contacts() -> None:
    assert tx.get("basic.phone.mobile").parent == "basic.phone"
    assert tx.get("basic.email").group == "basic"
    assert [c.key for c in tx.children("basic.phone")] == [
        "basic.phone.mobile",
        "basic.phone.landline",
    ]


def test_lookup_is_case_insensitive_and_finds_names() -> None:
    assert tx.get(" IDENTITY.Resident_ID ").key == "identity.resident_id"
    assert tx.find("住宿信息").key == "location.lodging"
    assert tx.find("Passport").key == "identity.passport"
    assert next(c.key for c in tx.categories(group="个人位置信息")) == "location"


def test_unknown_key_suggests_the_closest() -> None:
    with pytest.raises(UnknownKeyError, match=r"did you mean 'identity\.passport'"):
        tx.get("identity.pasport")
    with pytest.raises(UnknownKeyError, match="taxonomy list"):
        tx.get("zzzz")


def test_categories_filter_by_sensitivity() -> None:
    sensitive = tx.categories(sensitive=True)
    ordinary = tx.categories(sensitive=False)
    assert len(sensitive) + len(ordinary) == len(tx.categories())
    assert "location.precise" in {c.key for c in sensitive}


class TestChildrenRule:
    def test_age_14_sensitive_by_gbt_only(self) -> None:
        verdict = tx.sensitivity("basic.name", age=14)
        assert verdict.sensitive
        assert verdict.grade is tx.Grade.SENSITIVE
        assert any("Annex B" in r for r in verdict.reasons)
        assert any("does not apply at 14" in r for r in verdict.reasons)

    def test_under_14_sensitive_by_both(self) -> None:
        reasons = tx.sensitivity("device.imei", age=13).reasons
        assert any("Annex B" in r for r in reasons)
        assert any("PIPL Art. 28" in r and "不满十四周岁" in r for r in reasons)

    def test_adult_follows_the_category(self) -> None:
        assert not tx.is_sensitive("basic.name", age=15)
        assert tx.is_sensitive("biometric.face", age=40)
        assert not tx.is_sensitive("basic.name")

    def test_negative_age_rejected(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            tx.sensitivity("basic.name", age=-1)

    @given(
        key=st.sampled_from([c.key for c in tx.categories()]),
        age=st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
    )
    def test_sensitive_iff_listed_or_child(self, key: str, age: int | None) -> None:
        verdict = tx.sensitivity(key, age)
        expected = tx.get(key).sensitive or (age is not None and age <= tx.GBT_CHILD_MAX_AGE)
        assert verdict.sensitive is expected
        assert verdict.reasons
        # Being younger never makes PI less sensitive.
        if age is not None and age > 0:
            assert tx.is_sensitive(key, age - 1) >= verdict.sensitive
