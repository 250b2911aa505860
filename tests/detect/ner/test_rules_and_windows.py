"""piguard.detect.ner internals: windows, BIO decoding, the rule layer, features."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from piguard.detect.ner import MAX_WINDOW, _decode, _windows
from piguard.detect.ner._features import Featurizer, char_classes, normalize
from piguard.detect.ner._rules import clean_spans, extend_address, merge_spans, trim_address


@given(st.text(alphabet=st.sampled_from(list("张伟。，！ \nab1")), max_size=2000))
def test_windows_tile_the_text(text: str) -> None:
    wins = _windows(text)
    pos = 0
    for s, e in wins:
        assert s == pos
        assert 0 < e - s <= MAX_WINDOW
        pos = e
    assert pos == len(text)


def test_windows_end_after_sentence_terminators() -> None:
    assert _windows("你好。再见！好") == [(0, 3), (3, 6), (6, 7)]
    text = "甲" * 150 + "，" + "乙" * 150
    # A long sentence is cut after the comma, not in the middle of a word.
    assert _windows(text)[0] == (0, 151)


@pytest.mark.parametrize(
    ("labels", "spans"),
    [
        (["B-N", "I-N", "O", "B-A", "I-A"], [(10, 12, "PERSON_NAME"), (13, 15, "ADDRESS")]),
        (["I-A", "I-A", "B-A"], [(10, 12, "ADDRESS"), (12, 13, "ADDRESS")]),
        (["B-N", "I-A"], [(10, 11, "PERSON_NAME"), (11, 12, "ADDRESS")]),
        (["O", "O"], []),
    ],
)
def test_decode_bio(labels: list[str], spans: list[tuple[int, int, str]]) -> None:
    assert _decode(labels, 10) == spans


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        (
            "北京市朝阳区建国路88号院3号楼2单元501室，电话",
            6,
            "北京市朝阳区建国路88号院3号楼2单元501室",
        ),
        (
            "北京市朝阳区建国路88号SOHO现代城5号楼1501室",
            6,
            "北京市朝阳区建国路88号SOHO现代城5号楼1501室",
        ),
        ("上海市浦东新区张江路100弄3-2-501", 7, "上海市浦东新区张江路100弄3-2-501"),
        ("住在北京市朝阳区的时候去了公园", 8, "住在北京市朝阳区"),
        ("北京市朝阳区，我", 6, "北京市朝阳区"),
        (
            "杭州市西湖区文三路478号华星时代广场A座1203室",
            9,
            "杭州市西湖区文三路478号华星时代广场A座1203室",
        ),
    ],
)
def test_extend_address(text: str, end: int, expected: str) -> None:
    assert text[: extend_address(text, 0, end)] == expected


def test_extension_stops_at_the_next_span() -> None:
    text = "北京市朝阳区建国路88号张伟"
    spans = [(0, 6, "ADDRESS"), (12, 14, "PERSON_NAME")]
    assert clean_spans(spans, text) == [(0, 12, "ADDRESS"), (12, 14, "PERSON_NAME")]


def test_merge_and_drop() -> None:
    text = "北京市 朝阳区张"
    spans = [(0, 3, "ADDRESS"), (4, 7, "ADDRESS"), (7, 8, "PERSON_NAME")]
    assert clean_spans(spans, text) == [(0, 7, "ADDRESS")]
    assert merge_spans([(0, 2, "PERSON_NAME"), (2, 4, "PERSON_NAME")], "张三李四") == [
        (0, 2, "PERSON_NAME"),
        (2, 4, "PERSON_NAME"),
    ]


def test_normalize_keeps_length_and_folds() -> None:
    assert normalize("ＡＢｃ１２3\u3000号") == "abc000 号"
    s = "\ud800x\udfff"
    assert len(normalize(s)) == len(s)
    assert "".join(char_classes(normalize("张3号a，五😀"))) == "CDCLPNO"


def test_features_one_tuple_per_code_point() -> None:
    f = Featurizer(surnames={"张"}, compound_surnames={"欧阳"}, places={"北京市": "P", "北京": "p"})
    feats = f.features("欧阳娜和张伟在北京市")
    assert len(feats) == 10
    assert all(isinstance(x, str) for row in feats for x in row)
    assert "gB:P" in feats[7]
    assert "gE:P" in feats[9]
    # Compound surname flag on 欧, surname flag on 张.
    assert any(x.startswith("s=") and x[-2] == "1" for x in feats[0])
    assert "s0=1" in feats[4]
    assert f.features("") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("地址 阜阳市观音里365号  诊断", "阜阳市观音里365号"),
        ("手机 18871616828  地址 杭州市西湖区文三路1号", "杭州市西湖区文三路1号"),
        ("山东省潍坊市寿光市景德里1110号门口", "山东省潍坊市寿光市景德里1110号"),
        ("浙江省 杭州市 西湖区", "浙江省 杭州市 西湖区"),
    ],
)
def test_trim_address(text: str, expected: str) -> None:
    s, e = trim_address(text, 0, len(text))
    assert text[s:e] == expected


def test_bare_room_number_after_building() -> None:
    text = "水岸雅苑17幢322，谢谢"
    assert text[: extend_address(text, 0, 7)] == "水岸雅苑17幢322"


def test_lexicon_and_gazetteer_share_one_longest_match() -> None:
    f = Featurizer(
        surnames={"张"},
        compound_surnames=set(),
        places={"北京": "p", "北京市": "P"},
        lexicon={"北京大学": "O", "美国": "S", "北京": "S"},
    )
    feats = f.features("张伟在北京大学和北京市，美国")
    # 北京大学 (organisation) is longer than the place 北京: no gazetteer flag there.
    assert "xB:O" in feats[3]
    assert "xE:O" in feats[6]
    assert not any(x.startswith("g") for row in feats[3:7] for x in row)
    # 北京市 is only a place; 美国 only a lexicon word.
    assert "gB:P" in feats[8]
    assert not any(x.startswith("x") for x in feats[8])
    assert "xB:S" in feats[12]
    # Characters outside any word get no gazetteer / lexicon attribute at all.
    assert not any(x[0] in "gx" for x in feats[0])


def test_omitted_templates_and_unknown_names() -> None:
    kw = {"surnames": {"张"}, "compound_surnames": set(), "places": {}}
    full = Featurizer(**kw).features("张伟")
    lean = Featurizer(**kw, omit=["ll", "rr"]).features("张伟")
    assert {x.split("=")[0] for x in full[0]} - {x.split("=")[0] for x in lean[0]} == {"ll", "rr"}
    with pytest.raises(ValueError, match="unknown feature templates: zz"):
        Featurizer(**kw, omit=["zz"])


def test_short_address_after_a_person_label_is_a_name() -> None:
    text = "终点：锦江二路275号 乘客：黄海然"
    name = text.index("黄")
    spans = clean_spans([(3, 11, "ADDRESS"), (name, len(text), "ADDRESS")], text)
    assert spans == [(3, 11, "ADDRESS"), (name, len(text), "PERSON_NAME")]
    # A real place after the label (it has an address suffix) stays an address.
    assert clean_spans([(3, 6, "ADDRESS")], "乘客：北京市") == [(3, 6, "ADDRESS")]
    # Without a label, nothing changes.
    assert clean_spans([(3, 6, "ADDRESS")], "发往：黄海然") == [(3, 6, "ADDRESS")]
