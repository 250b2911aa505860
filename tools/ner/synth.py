"""Synthetic training sentences with personal addresses and names (orders, prescriptions,
trips), built from the administrative divisions of ../shared/data/cn_divisions.

News corpora (CLUENER, MSRA) rarely contain a full personal address (province … road,
number, building, unit, room). These sentences teach the CRF what one looks like.

Held out for evaluation: counties whose code is divisible by 7 never appear here;
benchmarks/ner/orders.py builds its test set only from them, with its own templates.
"""

from __future__ import annotations

import random

import corpora
import divisions as dv

Span = corpora.Span

_ROAD_STEMS = [
    "人民",
    "解放",
    "中山",
    "建设",
    "和平",
    "新华",
    "文化",
    "长江",
    "黄河",
    "胜利",
    "朝阳",
    "东风",
    "青年",
    "光明",
    "幸福",
    "民主",
    "学院",
    "工农",
    "团结",
    "迎宾",
    "滨江",
    "花园",
    "跃进",
    "红旗",
    "复兴",
    "振兴",
    "友谊",
    "健康",
    "北京",
    "上海",
    "南京",
    "延安",
    "西湖",
    "东湖",
    "金桥",
    "银河",
    "长安",
    "永安",
    "太平",
    "兴华",
    "育才",
    "科技",
    "创业",
    "高新",
    "金融",
    "商业",
    "体育",
    "环城",
    "滨河",
    "湖滨",
    "松江",
    "龙华",
    "天府",
    "紫荆",
]
_ROAD_SUFFIX = (
    "路",
    "路",
    "路",
    "街",
    "大道",
    "大街",
    "巷",
    "东路",
    "西路",
    "南路",
    "北路",
    "中路",
)
_COMPOUND_STEMS = [
    "阳光",
    "锦绣",
    "翠苑",
    "金色",
    "万科",
    "保利",
    "碧桂",
    "龙湖",
    "华润",
    "绿地",
    "世纪",
    "幸福",
    "和谐",
    "东方",
    "恒大",
    "丽景",
    "御景",
    "紫金",
    "翡翠",
    "星河",
    "名都",
    "香榭",
    "蓝湾",
    "书香",
    "滨江",
    "江南",
    "华府",
    "金地",
    "融创",
    "中海",
    "天鹅",
    "枫林",
]
_COMPOUND_SUFFIX = (
    "小区",
    "花园",
    "家园",
    "公寓",
    "大厦",
    "广场",
    "新村",
    "苑",
    "城",
    "华庭",
    "名苑",
    "国际",
    "中心",
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞斌辉建国志海林波宇浩婷雪琳"
    "晨欣怡佳子涵梓轩博文俊昊然思雨嘉睿瑞鑫凯亮成龙晓小春梅燕玲慧颖莉倩婧洁晶琪璐"
)
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛"
)
_COMPOUND_SURNAMES = ("欧阳", "上官", "司马", "诸葛", "东方", "慕容")

# {a} address, {n} name, {p} phone, {a2} a second address.
_TEMPLATES = (
    "收货地址：{a}，收货人：{n}，电话：{p}",
    "收件人{n}，{p}，{a}",
    "{n} {p} {a}",
    "请送到{a}，联系{n}",
    "配送地址{a}（{n}收）",
    "寄件人：{n}，寄件地址：{a}",
    "患者{n}，住址：{a}，联系电话{p}。",
    "姓名：{n} 家庭住址：{a}",
    "病人{n}，现住{a}，主诉头痛三天。",
    "乘客{n}在{a}上车，目的地{a2}。",
    "从{a}出发前往{a2}，司机已接单。",
    "您的订单将于明天送达{a}，请{n}注意查收。",
    "我家住在{a}，有事可以来找我。",
    "{n}的户籍地址是{a}。",
    "上车地点：{a}；下车地点：{a2}",
    "地址:{a} 收货人:{n} 手机:{p}",
    "麻烦把快递放到{a}门口，谢谢！",
    "{n}，女，45岁，住{a}。",
    "工作单位地址{a}，联系人{n}",
    "订单备注：送到{a}，找{n}。",
)


def _name(rng: random.Random) -> str:
    sur = rng.choice(_COMPOUND_SURNAMES) if rng.random() < 0.03 else rng.choice(_SURNAMES)
    k = 1 if rng.random() < 0.35 else 2
    return sur + "".join(rng.choice(_GIVEN) for _ in range(k))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def _num(rng: random.Random, hi: int) -> str:
    return str(rng.randint(1, hi))


class AddressMaker:
    """Random personal addresses; ``held_out`` selects the evaluation counties."""

    def __init__(self, seed: int, *, held_out: bool = False) -> None:
        self.rng = random.Random(seed)
        d = dv.load()
        self.d = d
        keep = [a for a in d.areas.values() if (int(a.code) % 7 == 0) == held_out]
        self.areas = [a for a in keep if a.name not in dv.PLACEHOLDERS]
        self.streets_of: dict[str, list[str]] = {}
        for s in d.streets.values():
            self.streets_of.setdefault(s.parent, []).append(s.name)

    def address(self) -> str:
        rng = self.rng
        area = rng.choice(self.areas)
        city = self.d.cities.get(area.parent)
        prov = self.d.provinces[area.code[:2]]
        parts: list[str] = []
        r = rng.random()
        if r < 0.75:
            parts.append(
                prov.name if rng.random() < 0.8 else (dv.short_form(prov.name) or prov.name)
            )
        if city and city.name not in dv.PLACEHOLDERS and rng.random() < 0.9:
            parts.append(city.name)
        parts.append(area.name)
        streets = self.streets_of.get(area.code, [])
        rural = rng.random() < 0.2
        if streets and (rural or rng.random() < 0.3):
            parts.append(rng.choice(streets))
        if rural:
            parts.append(rng.choice(_ROAD_STEMS)[0] + rng.choice("家庄店坪沟湾桥") + "村")
            if rng.random() < 0.6:
                parts.append(_num(rng, 12) + "组")
            if rng.random() < 0.5:
                parts.append(_num(rng, 120) + "号")
            return "".join(parts)
        parts.append(rng.choice(_ROAD_STEMS) + rng.choice(_ROAD_SUFFIX))
        parts.append(_num(rng, 999) + "号")
        if rng.random() < 0.7:
            parts.append(rng.choice(_COMPOUND_STEMS) + rng.choice(_COMPOUND_SUFFIX))
        x = rng.random()
        if x < 0.3:
            parts.append(_num(rng, 30) + rng.choice(("栋", "幢", "号楼")))
            if rng.random() < 0.6:
                parts.append(_num(rng, 6) + "单元")
            parts.append(_num(rng, 32) + rng.choice(("01", "02", "03", "04")) + "室")
        elif x < 0.45:
            parts.append(rng.choice("ABCDE") + "座" + _num(rng, 40) + "0" + _num(rng, 9) + "室")
        elif x < 0.6:
            parts.append(f"{_num(rng, 30)}-{_num(rng, 6)}-{_num(rng, 32)}0{_num(rng, 4)}")
        elif x < 0.7:
            parts.append(_num(rng, 40) + "楼")
        sep = " " if rng.random() < 0.1 else ""
        return sep.join(parts)


def sentences(n: int, seed: int, *, held_out: bool = False) -> list[corpora.Example]:
    """``n`` sentences with gold spans (names and addresses)."""
    maker = AddressMaker(seed, held_out=held_out)
    rng = random.Random(seed + 1)
    out: list[corpora.Example] = []
    for _ in range(n):
        tpl = rng.choice(_TEMPLATES)
        values = {"a": maker.address(), "a2": maker.address(), "n": _name(rng), "p": _phone(rng)}
        out.append(fill(tpl, values))
    return out


def fill(template: str, values: dict[str, str]) -> corpora.Example:
    """Fill ``{key}`` slots and record spans for a/a2 (ADDRESS) and n (PERSON_NAME)."""
    text = ""
    spans: list[Span] = []
    rest = template
    while rest:
        i = rest.find("{")
        if i < 0:
            text += rest
            break
        text += rest[:i]
        j = rest.index("}", i)
        key = rest[i + 1 : j]
        val = values[key]
        if key in ("a", "a2"):
            spans.append((len(text), len(text) + len(val), "ADDRESS"))
        elif key == "n":
            spans.append((len(text), len(text) + len(val), "PERSON_NAME"))
        text += val
        rest = rest[j + 1 :]
    return text, spans


def training_examples(n: int, seed: int) -> list[corpora.Example]:
    return sentences(n, seed)


if __name__ == "__main__":
    for t, s in sentences(10, 1):
        print(t, [(t[a:b], lab) for a, b, lab in s])
