"""A test set of personal addresses as they appear in orders, prescriptions and trip
messages, generated from the administrative divisions in :mod:`piguard.geo`.

Kept apart from the training data (tools/ner/synth.py):

* only counties whose 6-digit code is divisible by 7 (synth.py never uses them),
* its own sentence templates, road / compound / village names and number formats,
* its own random seed.

Gold spans: the whole address from the first division name (or the road when the
sentence starts there) to the last room / number; names of the recipient / patient.
"""

from __future__ import annotations

import random

from piguard import geo

Span = tuple[int, int, str]

_ROADS = [
    "振华",
    "康宁",
    "锦江",
    "梧桐",
    "柳荫",
    "春晖",
    "秀水",
    "凤凰",
    "白云",
    "紫阳",
    "桂林",
    "海棠",
    "丹桂",
    "明珠",
    "景德",
    "兴业",
    "宝山",
    "玉泉",
    "南湖",
    "北辰",
    "双塔",
    "城隍",
    "府前",
    "观音",
    "文昌",
    "大成",
    "青云",
    "五一",
    "八一",
    "红星",
    "新民",
    "公园",
]
_ROAD_TAILS = ("路", "街", "大道", "二路", "一街", "北街", "南大街", "胡同", "里", "弄")
_ESTATES = [
    "香樟",
    "丽都",
    "雅居",
    "金域",
    "瑞景",
    "海悦",
    "天悦",
    "君悦",
    "九龙",
    "云锦",
    "水岸",
    "半岛",
    "湖畔",
    "山水",
    "春江",
    "汇景",
]
_ESTATE_TAILS = ("小区", "花园", "雅苑", "公馆", "府", "大厦", "嘉园", "佳苑", "商务楼", "新城")
_VILLAGES = ("张庄", "李家湾", "石桥", "柳树屯", "王家坝", "杨柳", "新河", "马坊", "高岭")
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
)
_GIVEN = (
    "子涵欣怡梓萱诗琪雨桐可馨一诺思源浩然宇轩博文俊杰志强建华秀英桂兰淑珍海燕晓东丽华明亮春生国庆"
)

# {a} the address (gold), {b} a second address (gold), {n} a name (gold), {p} a phone.
_TEMPLATES = (
    "【订单信息】收货人 {n}  手机 {p}  地址 {a}",
    "下单成功！配送至：{a}（{n}，{p}）",
    "亲，您的包裹已到{a}的快递柜，取件人{n}。",
    "处方笺  姓名：{n}  性别：男  年龄：62岁  住址：{a}  诊断：高血压",
    "门诊病历：患者{n}，家住{a}，因咳嗽一周就诊。",
    "送药上门：{a}，{n}收，电话{p}",
    "行程单：{n}于08:32从{a}上车，09:10到达{b}。",
    "网约车订单 起点：{a} 终点：{b} 乘客：{n}",
    "师傅您好，我在{a}门口等您。",
    "请将发票寄往{a}，收件人{n}，联系电话{p}。",
    "退货地址：{a}，{n}，{p}",
    "外卖备注：{a}，到了打电话{p}",
    "姓名 {n} 现居住地 {a} 联系方式 {p}",
    "家访记录：社工前往{a}看望{n}老人。",
    "顺丰快递：寄件人{n}，{a}；收件人请在24小时内签收。",
)


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(_SURNAMES) + given


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(str(rng.randint(0, 9)) for _ in range(9))


class OrderAddresses:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        counties = [d for d in geo.counties() if int(d.code) % 7 == 0 and not d.placeholder]
        self.counties = sorted(counties, key=lambda d: d.code)
        self.towns: dict[str, list[str]] = {}
        for t in geo.iter_townships():
            if t.parent_code:
                self.towns.setdefault(t.parent_code, []).append(t.name)

    def address(self) -> str:
        rng = self.rng
        county = rng.choice(self.counties)
        chain = [d for d in geo.path(county.code) if not d.placeholder]
        names = [d.name for d in chain]
        style = rng.random()
        if style < 0.15:  # no province
            names = names[1:]
        elif style < 0.25:  # city and county only, province short
            names = [d.name for d in chain[1:]]
        out = "".join(names)
        towns = self.towns.get(county.code, [])
        if rng.random() < 0.25 and towns:
            out += rng.choice(towns)
            if rng.random() < 0.5:
                out += rng.choice(_VILLAGES) + "村" + f"{rng.randint(1, 9)}组{rng.randint(1, 60)}号"
                return out
        out += rng.choice(_ROADS) + rng.choice(_ROAD_TAILS) + f"{rng.randint(1, 1200)}号"
        k = rng.random()
        if k < 0.35:
            out += rng.choice(_ESTATES) + rng.choice(_ESTATE_TAILS)
            out += f"{rng.randint(1, 28)}号楼{rng.randint(1, 4)}单元"
            out += f"{rng.randint(1, 33)}0{rng.randint(1, 4)}"
            out += "室" if rng.random() < 0.7 else ""
        elif k < 0.55:
            out += rng.choice(_ESTATES) + rng.choice(_ESTATE_TAILS)
            out += f"{rng.randint(1, 20)}幢{rng.randint(101, 2204)}"
        elif k < 0.7:
            out += f"{rng.choice('ABCD')}座{rng.randint(2, 30)}层"
        elif k < 0.8:
            out += f"{rng.randint(1, 9)}-{rng.randint(1, 3)}-{rng.randint(101, 1802)}"
        return out

    def sentences(self, n: int) -> list[tuple[str, list[Span]]]:
        rng = self.rng
        out: list[tuple[str, list[Span]]] = []
        for _ in range(n):
            tpl = rng.choice(_TEMPLATES)
            vals = {"a": self.address(), "b": self.address(), "n": _name(rng), "p": _phone(rng)}
            text = ""
            spans: list[Span] = []
            rest = tpl
            while "{" in rest:
                i = rest.index("{")
                j = rest.index("}", i)
                text += rest[:i]
                key = rest[i + 1 : j]
                lab = {"a": "ADDRESS", "b": "ADDRESS", "n": "PERSON_NAME"}.get(key)
                if lab:
                    spans.append((len(text), len(text) + len(vals[key]), lab))
                text += vals[key]
                rest = rest[j + 1 :]
            out.append((text + rest, spans))
        return out


if __name__ == "__main__":
    for t, s in OrderAddresses().sentences(8):
        print(t, [(t[a:b], lab) for a, b, lab in s])
