"""The scanning engine: entities, offsets, context, overlaps, normalisation, explanations."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from piguard.detect import Finding, Pattern, PatternRecognizer, RecognizerRegistry, Scanner, Verdict
from piguard.detect.identifiers import iso7064
from piguard.detect.recognizers import default_registry
from piguard.errors import ConfigError, UnknownKeyError

IDS = Scanner(exclude_entities=["PERSON_NAME", "ADDRESS"])


def found(text: str, scanner: Scanner = IDS) -> list[tuple[str, str]]:
    return [(f.entity, text[f.start : f.end]) for f in scanner.scan_text(text)]


def test_finding_has_exactly_the_design_fields() -> None:
    (f,) = IDS.scan_text("手机13800138000", source="a.txt")
    assert list(f.to_dict()) == [
        "source",
        "line",
        "start",
        "end",
        "entity",
        "category",
        "sensitive",
        "score",
        "preview",
    ]
    assert f.to_dict() == {
        "source": "a.txt",
        "line": 1,
        "start": 2,
        "end": 13,
        "entity": "CN_MOBILE",
        "category": "basic.phone.mobile",
        "sensitive": False,
        "score": 0.9,
        "preview": "138****8000",
    }
    assert f.to_dict(show_values=True)["preview"] == "13800138000"
    assert "13800138000" not in repr(f)
    assert "explanation" in f.to_dict(explain=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Presidio's \b misses these: numbers right after Han characters.
        ("银行卡号6222029600133894。", [("BANK_CARD", "6222029600133894")]),
        ("登录IP为150.3.94.220。", [("IP_ADDRESS", "150.3.94.220")]),
        ("身份证360426199101010071", [("CN_RESIDENT_ID", "360426199101010071")]),
        ("联系电话：+86 139-1234-5678", [("CN_MOBILE", "+86 139-1234-5678")]),
        ("座机(010)62345678转", [("CN_LANDLINE", "(010)62345678")]),
        ("邮箱zhang.san@example.com", [("EMAIL", "zhang.san@example.com")]),
        ("QQ号：123456789", [("QQ_NUMBER", "123456789")]),
        ("加微信：zhangsan_88", [("WECHAT_ID", "zhangsan_88")]),
        ("护照号码E12345678", [("CN_PASSPORT", "E12345678")]),
        ("往来港澳通行证C12345678", [("CN_TRAVEL_PERMIT", "C12345678")]),
        ("车牌号粤B·D12345已登记", [("CN_LICENSE_PLATE", "粤B·D12345")]),
        ("定位 39.908722,116.397499", [("GPS_COORDINATE", "39.908722,116.397499")]),
        ("MAC:00:1A:2B:3C:4D:5E", [("MAC_ADDRESS", "00:1A:2B:3C:4D:5E")]),
        ("IMEI:352099001761481", [("IMEI", "352099001761481")]),
        ("出生日期：1990年1月2日", [("DATE_OF_BIRTH", "1990年1月2日")]),
        ("password=hunter22", [("CREDENTIAL", "hunter22")]),
        ("密码：Abc@123456", [("CREDENTIAL", "Abc@123456")]),
        ("Authorization: Bearer abcdefghijklmnop1234", [("CREDENTIAL", "abcdefghijklmnop1234")]),
        ("key AKIAIOSFODNN7EXAMPLE", [("CREDENTIAL", "AKIAIOSFODNN7EXAMPLE")]),
        ("-----BEGIN RSA PRIVATE KEY-----", [("CREDENTIAL", "-----BEGIN RSA PRIVATE KEY-----")]),
        (
            "患者确诊2型糖尿病，口服二甲双胍",
            [("HEALTH_CONDITION", "2型糖尿病"), ("HEALTH_CONDITION", "二甲双胍")],
        ),
    ],
)
def test_each_entity_in_chinese_text(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "订单号：360426199101010071",  # passes the ID check, but it is an order number
        "运单号 6222029600133894",
        "金额12345.67元，时间2024-01-15 10:30:00",
        "版本 1.2.3.4 已发布",
        "QQ群很热闹，号码是 123456789",  # no QQ label right before the number
        "最近有点感冒",  # a bare symptom without health context
        "36042619910102009X",  # bad check digit, no context
        "统一社会信用代码91350100M000100Y43",  # an organisation, not a person
        "3.1415926535",
        "时间戳1700000000123",
    ],
)
def test_decoys_are_not_reported(text: str) -> None:
    assert found(text) == []


def test_id_context_beats_a_farther_order_context() -> None:
    text = "订单号 A1，身份证号：360426199101010071"
    assert found(text) == [("CN_RESIDENT_ID", "360426199101010071")]


def test_failed_check_digit_with_context_is_low_and_below_default_threshold() -> None:
    text = "身份证号：36042619910102009X"
    assert found(text) == []
    (f,) = Scanner(entities=["CN_RESIDENT_ID"], min_score=0.2).scan_text(text)
    assert f.score == 0.3
    assert "check" in f.explanation


def test_scores_medium_without_context_high_with() -> None:
    (plain,) = IDS.scan_text("13800138000")
    (ctx,) = IDS.scan_text("手机13800138000")
    assert 0.5 <= plain.score < 0.8
    assert ctx.score >= 0.8
    assert "context '手机'" in ctx.explanation
    assert "validator" in plain.explanation
    assert "pattern mobile" in plain.explanation


def test_no_phone_inside_ip_gps_id_card_or_email() -> None:
    text = "13800138000@163.com 139.123456,39.123456 6222021380013800138 113800138000000000"
    entities = [e for e, _ in found(text)]
    assert "CN_MOBILE" not in entities
    assert entities[0] == "EMAIL"


def test_no_qq_or_url_inside_email() -> None:
    assert found("QQ邮箱 123456789@qq.com") == [("EMAIL", "123456789@qq.com")]


def test_full_width_digits_keep_code_point_offsets() -> None:
    text = "手机：１３８００１３８０００，卡号６２２２０２９６００１３３８９４"
    result = IDS.scan_text(text)
    assert [(f.entity, f.start, f.end) for f in result] == [
        ("CN_MOBILE", 3, 14),
        ("BANK_CARD", 17, 33),
    ]
    assert result[0].value == "１３８００１３８０００"


def test_lines_and_offsets_are_per_line() -> None:
    result = IDS.scan_text("第一行\n\n第三行 手机13800138000\r\n邮箱 a@b.cn")
    assert [(f.line, f.start, f.entity) for f in result] == [(3, 6, "CN_MOBILE"), (4, 3, "EMAIL")]


def test_entity_selection_and_unknown_entities() -> None:
    text = "手机13800138000 邮箱a@b.cn"
    only = Scanner(entities=["email"])
    assert found(text, only) == [("EMAIL", "a@b.cn")]
    with pytest.raises(UnknownKeyError):
        Scanner(entities=["PHONE"])


def test_exclusion_keeps_overlap_rules() -> None:
    # With EMAIL excluded, the phone inside an e-mail is still not a phone.
    no_email = Scanner(exclude_entities=["EMAIL", "PERSON_NAME", "ADDRESS"])
    assert found("13800138000@163.com", no_email) == []


def test_batch_and_streaming_agree_with_scan_text() -> None:
    texts = ["手机13800138000", "无", "身份证360426199101010071\n邮箱 a@b.cn"]
    batch = IDS.scan_batch(texts)
    assert batch == [IDS.scan_text(t) for t in texts]
    streamed = list(IDS.scan_lines(iter(["x\n", "手机13800138000\n"]), source="s"))
    assert [(f.source, f.line) for f in streamed] == [("s", 2)]


class FakeTagger:
    """Tags every 张三 as a name and everything from 北京市 to the end as an address."""

    def tag(self, text: str) -> list[tuple[int, int, str]]:
        spans = []
        i = text.find("张三")
        if i >= 0:
            spans.append((i, i + 2, "PERSON_NAME"))
        j = text.find("北京市")
        if j >= 0:
            spans.append((j, len(text), "ADDRESS"))
        return spans

    def tag_batch(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        return [self.tag(t) for t in texts]


def test_names_and_addresses_come_from_the_injected_tagger() -> None:
    scanner = Scanner(tagger=FakeTagger())
    text = "发件：张三，送至：北京市朝阳区建国路88号 13800138000"
    result = scanner.scan_text(text)
    assert [(f.entity, text[f.start : f.end]) for f in result] == [
        ("PERSON_NAME", "张三"),
        ("ADDRESS", "北京市朝阳区建国路88号 "),  # trimmed where the phone starts
        ("CN_MOBILE", "13800138000"),
    ]
    name, address = result[0], result[1]
    assert name.explanation == "model: char CRF tagged PERSON_NAME"
    assert name.score == 0.6
    assert address.score == 0.9
    assert "context '送至'" in address.explanation
    assert name.preview == "张*"
    assert scanner.scan_batch([text]) == [result]


def test_labelled_names_win_over_the_model() -> None:
    scanner = Scanner(tagger=FakeTagger())
    text = "收件人：张三丰，电话13800138000"
    (name, _) = scanner.scan_text(text)
    assert text[name.start : name.end] == "张三丰"
    assert name.explanation.startswith("pattern labelled_name")


def test_identifiers_only_mode_never_calls_the_tagger() -> None:
    class Exploding(FakeTagger):
        def tag_batch(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
            raise AssertionError("tagger called")

    scanner = Scanner(tagger=Exploding(), exclude_entities=["PERSON_NAME", "ADDRESS"])
    assert found("张三 13800138000", scanner) == [("CN_MOBILE", "13800138000")]


def test_custom_recognizer_in_a_registry() -> None:
    def employee(value: str) -> Verdict:
        return Verdict(value.endswith("7"), "ends with 7")

    rec = PatternRecognizer(
        name="employee_no",
        entity="EMPLOYEE_NO",
        patterns=(Pattern("emp", r"EMP[0-9]{6}"),),
        context=("工号",),
        validator=employee,
    )
    registry = default_registry()
    registry.add(rec)
    scanner = Scanner(recognizers=registry, exclude_entities=["PERSON_NAME", "ADDRESS"])
    result = scanner.scan_text("工号EMP123457，EMP123456")
    assert [(f.entity, f.category, f.score) for f in result] == [
        ("EMPLOYEE_NO", "custom.employee_no", 0.9)
    ]
    with pytest.raises(ConfigError):
        registry.add(rec)


def test_patterns_that_cannot_be_combined_are_refused() -> None:
    with pytest.raises(ConfigError):
        Pattern("bad", r"(?:a|b)c")
    with pytest.raises(ConfigError):
        Pattern("bad", r"a?b")
    with pytest.raises(ConfigError):
        Pattern("bad", r"x(?P<v>y)", value_group="w")


def test_registry_only_scanner() -> None:
    rec = default_registry().get("mobile")
    scanner = Scanner(recognizers=RecognizerRegistry([rec]))
    assert found("手机13800138000 a@b.cn", scanner) == [("CN_MOBILE", "13800138000")]


def test_random_valid_ids_are_found() -> None:
    for county in ("110105", "440305", "650102", "810000"):
        body = county + "19851231" + "042"
        number = body + iso7064.calc_check_digit(body)
        assert found(f"证件号{number}") == [("CN_RESIDENT_ID", number)]


def test_findings_are_frozen() -> None:
    (f,) = IDS.scan_text("13800138000")
    assert isinstance(f, Finding)
    with pytest.raises(AttributeError):
        f.score = 1.0  # type: ignore[misc]


def test_entry_point_plugins_are_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    import piguard.detect.recognizers as recognizers_module

    plugin = PatternRecognizer(
        name="ticket_no",
        entity="TICKET_NO",
        patterns=(Pattern("t", r"TK[0-9]{8}"),),
    )

    class FakeEntryPoint:
        name = "tickets"

        def load(self) -> object:
            return lambda: [plugin]

    def fake_entry_points(group: str) -> list[FakeEntryPoint]:
        assert group == "piguard.recognizers"
        return [FakeEntryPoint()]

    monkeypatch.setattr(recognizers_module, "entry_points", fake_entry_points)
    registry = recognizers_module.default_registry()
    assert "ticket_no" in registry
    scanner = Scanner(recognizers=registry, entities=["TICKET_NO"])
    assert [f.entity for f in scanner.scan_text("票号TK12345678")] == ["TICKET_NO"]
    assert "ticket_no" not in recognizers_module.default_registry(plugins=False)


def test_broken_plugin_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import piguard.detect.recognizers as recognizers_module

    class Broken:
        name = "broken"

        def load(self) -> object:
            raise ImportError("no module named nowhere")

    monkeypatch.setattr(recognizers_module, "entry_points", lambda group: [Broken()])
    with pytest.raises(ConfigError, match="broken"):
        recognizers_module.default_registry()
