#!/usr/bin/env python3
"""Generate piguard's bundled synthetic sample data and its ground truth.

Writes small, clearly synthetic files for the four industries into ``examples/data/``:

* ``ridehailing_orders.csv``     ride-hailing orders with trip messages (网约车)
* ``shop_orders.csv``            online-shop orders with order remarks (网络购物)
* ``health_consultations.jsonl`` online consultations with doctors' notes (互联网医疗)
* ``smarthome_device_log.txt``   a smart-home cloud's device log (智能家居)
* ``customer_service_chat.txt``  customer-service chat transcripts of all four

and ``ground_truth.jsonl``, which lists every planted piece of personal information (PI) with
its file, line, code-point span and entity, every look-alike decoy (marked as not PI), and the
type of every table column and JSON field. See ``examples/data/README.md`` for the format.

Everything is made up: names come from Faker's zh_CN lists, identifiers are random numbers
that only carry valid check digits, public IP addresses are from the documentation ranges
(RFC 5737, RFC 3849). Regions and addresses use the real division table of ``piguard.geo``.

The output depends only on the seed, this script, piguard.geo's data and the Faker version
(pinned in the ``dev`` extra): running it again gives byte-identical files.

Usage::

    .venv/bin/python scripts/generate_sample_data.py              # writes examples/data/
    .venv/bin/python scripts/generate_sample_data.py --out DIR    # somewhere else
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import string
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from random import Random
from typing import Any

import faker
from faker import Faker

from piguard import geo
from piguard._util import atomic_write

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "examples" / "data"
SEED = 20240630
TODAY = dt.date(2024, 6, 30)  # ages and "minor" are computed against this date
FAKER_VERSION = faker.VERSION

# ---------------------------------------------------------------------------- check digits


def ric_check_digit(body17: str) -> str:
    """GB 11643-1999 check digit: ISO 7064 MOD 11-2 over the first 17 digits."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    value = (12 - sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


def luhn_check_digit(body: str) -> str:
    """ISO/IEC 7812-1 Luhn check digit for bank cards and IMEIs."""
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def ean13_check_digit(body12: str) -> str:
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body12))
    return str((10 - total % 10) % 10)


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def org_code_check(body8: str) -> str:
    """GB 11714-1997 check character of an organisation code (9th character)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    value = 11 - sum(int(c, 36) * w for c, w in zip(body8, weights, strict=True)) % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def uscc_check(body17: str) -> str:
    """GB 32100-2015 check character of a unified social credit code (18th character)."""
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body17, weights, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


# ---------------------------------------------------------------------------- text with spans


@dataclass(frozen=True)
class Mark:
    """A span inside a piece of text: PI (``entity``) or a look-alike (``decoy``)."""

    start: int
    end: int
    entity: str | None = None
    decoy: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()
    structured: bool = False  # the whole value of a table cell / JSON field, not free text

    def shifted(self, offset: int) -> Mark:
        return replace(self, start=self.start + offset, end=self.end + offset)


@dataclass(frozen=True)
class Piece:
    """Text plus the marks inside it."""

    text: str
    marks: tuple[Mark, ...] = ()

    def __add__(self, other: Piece | str) -> Piece:
        other = other if isinstance(other, Piece) else Piece(other)
        n = len(self.text)
        return Piece(self.text + other.text, self.marks + tuple(m.shifted(n) for m in other.marks))


def pi(text: str, entity: str, **extra: Any) -> Piece:
    return Piece(text, (Mark(0, len(text), entity=entity, extra=tuple(sorted(extra.items()))),))


def decoy(text: str, kind: str, **extra: Any) -> Piece:
    return Piece(text, (Mark(0, len(text), decoy=kind, extra=tuple(sorted(extra.items()))),))


def join(parts: Iterable[Piece | str], sep: str = "") -> Piece:
    out = Piece("")
    for i, part in enumerate(parts):
        out = out + (sep if i else "") + part
    return out


def fill(template: str, **values: Piece | str) -> Piece:
    """Fill ``{name}`` fields of a template with pieces, keeping their marks."""
    out = Piece("")
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        out = out + literal
        if name is not None:
            out = out + values[name]
    return out


def with_minor(piece: Piece, minor: bool) -> Piece:
    """Flag the PI marks of a child's data (under 14 on TODAY)."""
    if not minor:
        return piece
    marks = tuple(
        replace(m, extra=tuple(sorted((*m.extra, ("minor", True))))) if m.entity else m
        for m in piece.marks
    )
    return Piece(piece.text, marks)


def as_structured(piece: Piece) -> Piece:
    return Piece(piece.text, tuple(replace(m, structured=True) for m in piece.marks))


# ---------------------------------------------------------------------------- reference lists


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Mobile number prefixes in use (China Mobile, Unicom, Telecom, Broadnet, virtual operators).
MOBILE_PREFIXES = _words(
    "130 131 132 133 134 135 136 137 138 139 145 147 150 151 152 153 155 156 157 158 159 "
    "166 171 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 193 195 196 "
    "197 198 199"
)
# Major cities: 4-digit city code, telephone area code, and a centre for GPS points.
CITIES = (
    ("1101", "010", 39.9042, 116.4074),
    ("3101", "021", 31.2304, 121.4737),
    ("4401", "020", 23.1291, 113.2644),
    ("4403", "0755", 22.5431, 114.0579),
    ("3301", "0571", 30.2741, 120.1551),
    ("5101", "028", 30.5728, 104.0668),
    ("4201", "027", 30.5928, 114.3055),
    ("6101", "029", 34.3416, 108.9398),
    ("3201", "025", 32.0603, 118.7969),
    ("5001", "023", 29.5630, 106.5516),
    ("1201", "022", 39.3434, 117.3616),
    ("4301", "0731", 28.2282, 112.9388),
    ("4101", "0371", 34.7466, 113.6254),
    ("3702", "0532", 36.0671, 120.3826),
)
# Bank identification numbers (first 6 digits) and card lengths: UnionPay (62…) debit and
# credit cards of large Chinese banks, and a few Visa / Mastercard / JCB co-branded ranges.
BINS = (
    ("622202", 19),
    ("622848", 19),
    ("621700", 19),
    ("622588", 16),
    ("621226", 19),
    ("622262", 19),
    ("622700", 19),
    ("621483", 16),
    ("625965", 16),
    ("623058", 19),
    ("436742", 16),
    ("524090", 16),
    ("356889", 16),
)
ROAD_STEMS = _words(
    "建国 人民 解放 中山 和平 新华 胜利 科苑 学府 文化 长江 黄河 滨江 湖滨 花园 金融 创业 育才 "
    "迎宾 光明 幸福 东风 友谊 青年 健康 振兴 工业 世纪 望京 海岸 锦绣 丽水 翠竹 银杏 梧桐 桂花"
)
ROAD_SUFFIXES = ("路", "路", "路", "街", "大道", "大街", "东路", "西路", "南路", "北路", "中路")
ESTATE_STEMS = _words(
    "阳光 锦华 碧水 金域 翠湖 华府 紫荆 星河 万象 御景 名都 海棠 绿洲 丽景 康乐 和园 云顶 枫林"
)
ESTATE_SUFFIXES = ("花园", "家园", "小区", "公寓", "苑", "嘉园", "新村", "华庭", "府")
LANDMARKS = ("地铁站", "人民医院", "万达广场", "火车站", "体育中心", "图书馆", "第一中学", "公园")
HEALTH_ADULT = (
    "高血压",
    "2型糖尿病",
    "支气管哮喘",
    "慢性胃炎",
    "抑郁症",
    "焦虑障碍",
    "过敏性鼻炎",
    "甲状腺功能减退",
    "冠心病",
    "慢性乙型病毒性肝炎",
    "腰椎间盘突出症",
    "偏头痛",
    "湿疹",
    "缺铁性贫血",
    "痛风",
    "幽门螺杆菌感染",
    "上呼吸道感染",
    "失眠症",
)
HEALTH_CHILD = (
    "手足口病",
    "水痘",
    "支气管肺炎",
    "注意缺陷多动障碍",
    "过敏性皮炎",
    "龋齿",
    "腺样体肥大",
)
MEDICATIONS = {
    "高血压": ("苯磺酸氨氯地平片", "5mg 每日一次"),
    "2型糖尿病": ("盐酸二甲双胍片", "0.5g 每日三次"),
    "支气管哮喘": ("孟鲁司特钠片", "10mg 每晚一次"),
    "慢性胃炎": ("奥美拉唑肠溶胶囊", "20mg 每日两次"),
    "抑郁症": ("盐酸舍曲林片", "50mg 每日一次"),
    "焦虑障碍": ("盐酸帕罗西汀片", "20mg 每日一次"),
    "过敏性鼻炎": ("氯雷他定片", "10mg 每日一次"),
    "甲状腺功能减退": ("左甲状腺素钠片", "50μg 每日一次"),
    "冠心病": ("阿托伐他汀钙片", "20mg 每晚一次"),
    "慢性乙型病毒性肝炎": ("恩替卡韦片", "0.5mg 每日一次"),
    "腰椎间盘突出症": ("塞来昔布胶囊", "0.2g 每日一次"),
    "偏头痛": ("布洛芬缓释胶囊", "0.3g 必要时"),
    "湿疹": ("丁酸氢化可的松乳膏", "外用 每日两次"),
    "缺铁性贫血": ("琥珀酸亚铁片", "0.1g 每日三次"),
    "痛风": ("非布司他片", "40mg 每日一次"),
    "幽门螺杆菌感染": ("阿莫西林胶囊", "1g 每日两次"),
    "上呼吸道感染": ("连花清瘟胶囊", "4粒 每日三次"),
    "失眠症": ("酒石酸唑吡坦片", "10mg 睡前"),
    "手足口病": ("开喉剑喷雾剂", "喷咽 每日三次"),
    "水痘": ("阿昔洛韦颗粒", "按体重 每日四次"),
    "支气管肺炎": ("阿奇霉素干混悬剂", "按体重 每日一次"),
    "注意缺陷多动障碍": ("盐酸哌甲酯缓释片", "18mg 早晨一次"),
    "过敏性皮炎": ("炉甘石洗剂", "外用 每日三次"),
    "龋齿": ("含氟牙膏", "每日两次"),
    "腺样体肥大": ("糠酸莫米松鼻喷雾剂", "每侧一喷 每日一次"),
}
TEST_RESULTS = {
    "高血压": ("血压165/100mmHg", "血压142/90mmHg"),
    "2型糖尿病": ("空腹血糖8.6mmol/L", "糖化血红蛋白7.9%"),
    "缺铁性贫血": ("血红蛋白92g/L",),
    "痛风": ("血尿酸560μmol/L",),
    "慢性乙型病毒性肝炎": ("HBV-DNA 2.3×10^4 IU/mL", "乙肝表面抗原阳性"),
    "幽门螺杆菌感染": ("碳13呼气试验阳性",),
}
DEPARTMENTS = {
    "高血压": "心内科",
    "冠心病": "心内科",
    "2型糖尿病": "内分泌科",
    "甲状腺功能减退": "内分泌科",
    "痛风": "内分泌科",
    "抑郁症": "精神心理科",
    "焦虑障碍": "精神心理科",
    "失眠症": "精神心理科",
    "湿疹": "皮肤科",
}
# Names of well-known people that a random draw could produce; the generator skips them.
FAMOUS_NAMES = frozenset(
    _words(
        "李娜 刘洋 王军 张伟 马云 姚明 刘翔 周杰伦 成龙 杨利伟 郎平 李宁 王菲 林丹 朱婷 孙杨 "
        "刘德华 张艺谋 莫言 屠呦呦 钟南山 袁隆平 雷军 马化腾 李彦宏 王健林 习近平 李强 李克强"
    )
)
DOCTOR_TITLES = ("主任医师", "副主任医师", "主治医师", "住院医师")
PRODUCTS = (
    ("无线蓝牙耳机", 199.0),
    ("儿童保温杯", 89.0),
    ("空气炸锅", 329.0),
    ("运动跑鞋", 459.0),
    ("纯棉T恤", 79.9),
    ("扫地机器人", 1899.0),
    ("智能门锁", 1299.0),
    ("婴儿纸尿裤", 139.0),
    ("机械键盘", 399.0),
    ("护肤套装", 568.0),
    ("有机大米5kg", 69.9),
    ("行李箱24寸", 489.0),
)
DEVICE_MODELS = (
    ("lock", "智能门锁", "SL-S20"),
    ("camera", "摄像头", "CAM-C6"),
    ("vacuum", "扫地机器人", "RV-T8"),
    ("speaker", "智能音箱", "SPK-M3"),
    ("scale", "体脂秤", "SC-2"),
    ("watch", "儿童手表", "KW-Z6"),
    ("gateway", "网关", "GW-H1"),
)


# ---------------------------------------------------------------------------- people


@dataclass
class Person:
    name: str
    gender: str  # "M" or "F"
    birth: dt.date
    county: str  # 6-digit county code of the resident ID
    id_number: str
    mobile: str  # 11 digits

    @property
    def age(self) -> int:
        years = TODAY.year - self.birth.year
        return years - ((TODAY.month, TODAY.day) < (self.birth.month, self.birth.day))

    @property
    def minor(self) -> bool:
        return self.age < 14


@dataclass
class Address:
    text: str
    county: geo.Division
    city_code: str


class Generator:
    """All random choices go through ``self.rng`` and ``self.fake``, both seeded."""

    def __init__(self, seed: int) -> None:
        self.rng = Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.counties = [c for c in geo.counties() if self._is_place(c)]
        self.city_counties = {
            code: [c for c in geo.counties(code) if self._is_place(c)] for code, *_ in CITIES
        }
        self.seq = 0

    @staticmethod
    def _is_place(county: geo.Division) -> bool:
        # Ordinary counties and districts, not the NBS-only zones (开发区, 管理区 ...).
        return county.name.endswith(("区", "县", "市", "旗")) and not any(
            z in county.name
            for z in ("开发区", "园区", "管理区", "示范区", "实验区", "试验区", "新区", "新城")
        )

    # ------------------------------------------------------------ basic draws
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def digits(self, n: int, first: str = "0123456789") -> str:
        return self.rng.choice(first) + "".join(self.rng.choice("0123456789") for _ in range(n - 1))

    def timestamp(self, day_from: int = 1, day_to: int = 180) -> dt.datetime:
        start = dt.datetime(2024, 1, 1)
        return start + dt.timedelta(
            days=self.rng.randint(day_from, day_to), seconds=self.rng.randint(0, 86399)
        )

    def person_name(self, gender: str | None = None) -> str:
        while True:
            if gender == "M":
                name = self.fake.name_male()
            elif gender == "F":
                name = self.fake.name_female()
            else:
                name = self.fake.name()
            if name not in FAMOUS_NAMES:
                return str(name)

    def person(
        self,
        *,
        minor: bool = False,
        county: str | None = None,
        years: tuple[int, int] = (1950, 2004),
    ) -> Person:
        """A person; ``minor`` ones are under 14 on TODAY, others born within ``years``."""
        gender = self.rng.choice("MF")
        if minor:
            birth = dt.date(2011, 7, 1) + dt.timedelta(days=self.rng.randint(0, 365 * 9))
        else:
            first, last = dt.date(years[0], 1, 1), dt.date(years[1], 12, 31)
            birth = first + dt.timedelta(days=self.rng.randint(0, (last - first).days))
        county = county or self.rng.choice(self.counties).code
        seq = f"{self.rng.randint(0, 99):02d}" + self.rng.choice(
            "13579" if gender == "M" else "02468"
        )
        body = county + birth.strftime("%Y%m%d") + seq
        mobile = self.rng.choice(MOBILE_PREFIXES) + self.digits(8)
        return Person(
            self.person_name(gender), gender, birth, county, body + ric_check_digit(body), mobile
        )

    # ------------------------------------------------------------ identifiers
    def id_piece(self, p: Person, *, legacy: bool = False) -> Piece:
        if legacy and p.birth.year < 2000:
            old = p.id_number[:6] + p.id_number[8:14] + p.id_number[14:17]
            return with_minor(pi(old, "CN_RESIDENT_ID", digits=15), p.minor)
        return with_minor(pi(p.id_number, "CN_RESIDENT_ID", digits=18), p.minor)

    def mobile_piece(self, number: str, *, plain_bias: float = 0.6, minor: bool = False) -> Piece:
        a, b, c = number[:3], number[3:7], number[7:]
        if self.chance(plain_bias):
            text = number
        else:
            text = self.rng.choice(
                (
                    f"{a}-{b}-{c}",
                    f"{a} {b} {c}",
                    f"+86 {a} {b} {c}",
                    f"+86-{number}",
                    f"+86{number}",
                    f"(+86){number}",
                    number.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
                )
            )
        return with_minor(pi(text, "CN_MOBILE"), minor)

    def landline_piece(self, area: str | None = None) -> Piece:
        area = area or self.rng.choice(CITIES)[1]
        local = self.digits(8, "2345678")
        text = self.rng.choice(
            (
                f"{area}-{local}",
                f"({area}){local}",
                f"{area} {local}",
                f"{area}-{local[:4]} {local[4:]}",
            )
        )
        return pi(text, "CN_LANDLINE")

    def bank_card(self) -> str:
        bin6, length = self.rng.choice(BINS)
        body = bin6 + self.digits(length - 7)
        return body + luhn_check_digit(body)

    def bank_piece(self, card: str | None = None) -> Piece:
        card = card or self.bank_card()
        if self.chance(0.3):
            card = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
        return pi(card, "BANK_CARD")

    def imei(self) -> str:
        body = self.rng.choice(("86", "35")) + self.digits(12)
        return body + luhn_check_digit(body)

    def mac(self) -> str:
        octets = [self.rng.randint(0, 255) for _ in range(6)]
        octets[0] &= 0xFC  # unicast, globally unique
        style = self.rng.randint(0, 2)
        if style == 0:
            return ":".join(f"{o:02X}" for o in octets)
        if style == 1:
            return ":".join(f"{o:02x}" for o in octets)
        return "-".join(f"{o:02X}" for o in octets)

    def passport(self) -> str:
        return self.rng.choice("EEEG") + self.digits(8)

    def travel_permit(self) -> str:
        return "C" + self.digits(8)

    def plate(self, *, new_energy: bool | None = None) -> str:
        province = self.rng.choice(
            [p for p in geo.provinces() if p.code[:2] not in ("71", "81", "82")]
        )
        abbr = geo.province_abbreviation(province.code) or "京"
        letter = self.rng.choice("ABCDEFGH")
        if new_energy is None:
            new_energy = self.chance(0.3)
        if new_energy:
            tail = (
                self.rng.choice("DF")
                + self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
                + self.digits(4)
            )
            sep = self.rng.choice(("", " ", "·"))
        else:
            chars = [self.rng.choice("0123456789") for _ in range(5)]
            for i in self.rng.sample(range(5), self.rng.randint(0, 2)):
                chars[i] = self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
            tail = "".join(chars)
            sep = self.rng.choice(("", "·", "·", " "))
        return f"{abbr}{letter}{sep}{tail}"

    def qq(self) -> str:
        return self.digits(self.rng.randint(6, 10), "123456789")

    def wechat(self) -> str:
        user = self.fake.user_name().replace(".", "_")
        tail = self.rng.choice(
            ("", "_" + self.digits(2), str(self.rng.randint(1970, 2005)), "-" + self.digits(3))
        )
        wid = (user + tail)[:20]
        return wid if len(wid) >= 6 else wid + self.digits(6 - len(wid))

    def email(self, qq: str | None = None) -> str:
        if qq and self.chance(0.5):
            return f"{qq}@qq.com"
        domain = self.rng.choice(
            ("163.com", "126.com", "sina.com", "foxmail.com", "example.com", "example.cn")
        )
        return (
            f"{self.fake.user_name()}{self.rng.choice(('', str(self.rng.randint(1, 99))))}@{domain}"
        )

    def ipv4(self, public: bool | None = None) -> str:
        if public is None:
            public = self.chance(0.4)
        if public:  # documentation ranges (RFC 5737): never a real host
            return self.rng.choice(("203.0.113.", "198.51.100.", "192.0.2.")) + str(
                self.rng.randint(1, 254)
            )
        first, second = self.rng.choice(((192, (168, 168)), (10, (0, 255)), (172, (16, 31))))
        octets = (
            first,
            self.rng.randint(*second),
            self.rng.randint(0, 255),
            self.rng.randint(2, 254),
        )
        return ".".join(map(str, octets))

    def ipv6(self) -> str:
        groups = [f"{self.rng.randint(0, 0xFFFF):x}" for _ in range(4)]
        if self.chance(0.5):
            return "2001:db8:" + ":".join(groups) + "::" + f"{self.rng.randint(1, 0xFFF):x}"
        return "fe80::" + ":".join(groups)

    def gps(self, city: tuple[str, str, float, float]) -> tuple[float, float]:
        _, _, lat, lng = city
        return (
            round(lat + self.rng.uniform(-0.12, 0.12), 6),
            round(lng + self.rng.uniform(-0.12, 0.12), 6),
        )

    def gps_piece(self, point: tuple[float, float], *, style: int | None = None) -> Piece:
        lat, lng = point
        style = self.rng.randint(0, 2) if style is None else style
        text = (f"{lat:.6f},{lng:.6f}", f"{lat:.4f}, {lng:.4f}", f"{lat:.6f}, {lng:.6f}")[style]
        return pi(text, "GPS_COORDINATE")

    def credential(self, kind: str) -> str:
        alnum = string.ascii_letters + string.digits
        if kind == "password":
            core = "".join(self.rng.choice(alnum) for _ in range(self.rng.randint(8, 12)))
            return core + self.rng.choice("!@#$%&*") + self.digits(2)
        if kind == "token":
            header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
            payload = json.dumps({"uid": self.rng.randint(10000, 99999), "exp": 1719763200})
            body = base64.urlsafe_b64encode(payload.encode()).rstrip(b"=").decode()
            sig = "".join(self.rng.choice(alnum + "-_") for _ in range(43))
            return f"{header}.{body}.{sig}"
        if kind == "api_key":
            return "sk_live_" + "".join(self.rng.choice(alnum) for _ in range(24))
        return "".join(self.rng.choice(string.hexdigits.lower()[:16]) for _ in range(32))

    # ------------------------------------------------------------ look-alikes (not PI)
    def order_number(self, *, id_like: bool = False) -> Piece:
        """An 18-digit order number; ``id_like`` ones pass the resident-ID check digit."""
        while True:
            structured = id_like and self.chance(0.5)
            if structured:
                # A region code, a real date and the check digit: only the context (订单号)
                # tells it from a resident ID number.
                day = dt.date(1960, 1, 1) + dt.timedelta(days=self.rng.randint(0, 16000))
                body = self.rng.choice(self.counties).code + day.strftime("%Y%m%d") + self.digits(3)
            else:
                body = "2024" + self.digits(13)
            check = ric_check_digit(body)
            if not id_like:
                last = self.digits(1)
                if last != check:
                    return decoy(body + last, "ORDER_NUMBER")
            elif check != "X":
                return decoy(
                    body + check,
                    "ORDER_NUMBER",
                    passes_id_checksum=True,
                    id_structure_valid=structured,
                )

    def tracking_number(self) -> Piece:
        kind = self.rng.randint(0, 3)
        text = (
            "SF" + self.digits(13, "1"),
            "YT" + self.digits(13, "7"),
            "JT" + self.digits(13, "5"),
            "7" + self.digits(13),
        )[kind]
        return decoy(text, "TRACKING_NUMBER")

    def uscc(self, county: str | None = None) -> str:
        county = county or self.rng.choice(self.counties).code
        org8 = self.digits(8, "3456789MA") if self.chance(0.3) else self.digits(8)
        if org8[0] in "MA":
            org8 = "MA" + "".join(
                self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6)
            )
        body = "91" + county + org8 + org_code_check(org8)
        return body + uscc_check(body)

    def company(self, city_code: str | None = None) -> str:
        city = geo.city_name(city_code or self.rng.choice(CITIES)[0]) or "北京市"
        return city + str(self.fake.company())

    def sku(self) -> Piece:
        if self.chance(0.5):
            body = "69" + self.digits(10)
            return decoy(body + ean13_check_digit(body), "PRODUCT_CODE")
        return decoy(f"SKU-{self.digits(8, '123456789')}", "PRODUCT_CODE")

    def amount(self, value: float) -> str:
        return f"{value:.2f}"

    # ------------------------------------------------------------ addresses
    def address(
        self,
        *,
        city: tuple[str, str, float, float] | None = None,
        detail: bool = True,
        style: int | None = None,
    ) -> Address:
        city = city or (self.rng.choice(CITIES) if self.chance(0.75) else None)
        if city:
            county = self.rng.choice(self.city_counties[city[0]])
        else:
            county = self.rng.choice(self.counties)
        style = self.rng.randint(0, 4) if style is None else style
        names = list(county.path_names)
        if style == 1 and len(names) == 3:
            head = names[1] + names[2]  # 深圳市南山区
        elif style == 2:
            head = names[-1]  # 南山区
        elif style == 3:
            province = geo.division(county.province_code)
            short = geo.short_names(province) if province else ()
            head = (short[0] if short else names[0]) + "".join(names[1:])
        else:
            head = "".join(names)
        towns = [t for t in geo.children(county.code) if t.name.endswith(("街道", "镇", "乡"))]
        rural = any(t.name.endswith(("镇", "乡")) for t in towns) and self.chance(0.2)
        parts = [head]
        if towns and (rural or self.chance(0.35)):
            town = self.rng.choice(
                [t for t in towns if t.name.endswith(("镇", "乡"))] if rural else towns
            )
            parts.append(town.name)
        if rural:
            village = self.rng.choice(ROAD_STEMS)[0] + self.rng.choice("家庄湾屯岗坪") + "村"
            parts.append(
                village
                + (f"{self.rng.randint(1, 9)}组{self.rng.randint(1, 60)}号" if detail else "")
            )
        else:
            road = self.rng.choice(ROAD_STEMS) + self.rng.choice(ROAD_SUFFIXES)
            parts.append(f"{road}{self.rng.randint(1, 999)}号")
            if detail:
                estate = self.rng.choice(ESTATE_STEMS) + self.rng.choice(ESTATE_SUFFIXES)
                building = self.rng.choice(
                    (
                        f"{self.rng.randint(1, 30)}栋",
                        f"{self.rng.randint(1, 30)}号楼",
                        f"{self.rng.choice('ABCD')}座",
                    )
                )
                unit = f"{self.rng.randint(1, 6)}单元" if self.chance(0.6) else ""
                room = f"{self.rng.randint(1, 33)}{self.rng.randint(1, 4):02d}" + (
                    "室" if self.chance(0.7) else ""
                )
                parts.append(estate + building + unit + room)
        return Address("".join(parts), county, county.code[:4])

    def address_piece(self, address: Address, *, minor: bool = False) -> Piece:
        return with_minor(pi(address.text, "ADDRESS"), minor)

    def name_piece(self, name: str, *, minor: bool = False) -> Piece:
        return with_minor(pi(name, "PERSON_NAME"), minor)

    def dob_piece(self, birth: dt.date, *, minor: bool = False) -> Piece:
        text = self.rng.choice(
            (
                birth.isoformat(),
                f"{birth.year}年{birth.month}月{birth.day}日",
                birth.strftime("%Y/%m/%d"),
            )
        )
        return with_minor(pi(text, "DATE_OF_BIRTH"), minor)


# ---------------------------------------------------------------------------- output model


@dataclass
class FileOut:
    """One output file: its lines with marks, and the types of its columns / fields."""

    name: str
    lines: list[Piece] = field(default_factory=list)
    columns: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        return "".join(p.text + "\n" for p in self.lines)


def csv_line(cells: Sequence[Piece | str], free_text: Sequence[int] = ()) -> Piece:
    """One CSV record (RFC 4180): a cell with a comma is quoted, marks shift inside quotes.
    Marks of cells other than the ``free_text`` ones are flagged as structured."""
    pieces = []
    for i, cell in enumerate(cells):
        p = cell if isinstance(cell, Piece) else Piece(cell)
        p = p if i in free_text else as_structured(p)
        if any(ch in p.text for ch in '"\r\n'):
            raise ValueError(f"cell would need escaping: {p.text!r}")
        pieces.append(Piece('"') + p + '"' if "," in p.text else p)
    return join(pieces, ",")


def json_line(obj: Any, free_text: Sequence[str] = ()) -> Piece:
    """Serialise like ``json.dumps(obj, ensure_ascii=False)``, keeping marks of Piece values.
    Marks of top-level fields other than the ``free_text`` ones are flagged as structured."""
    if isinstance(obj, dict) and free_text:
        obj = {k: v if k in free_text else _structured_tree(v) for k, v in obj.items()}
    if isinstance(obj, Piece):
        encoded = json.dumps(obj.text, ensure_ascii=False)
        if obj.marks and encoded[1:-1] != obj.text:
            raise ValueError(f"marked text would be escaped in JSON: {obj.text!r}")
        return Piece('"') + obj + '"'
    if isinstance(obj, dict):
        items = [
            Piece(json.dumps(k, ensure_ascii=False) + ": ") + json_line(v) for k, v in obj.items()
        ]
        return Piece("{") + join(items, ", ") + "}"
    if isinstance(obj, list):
        return Piece("[") + join([json_line(v) for v in obj], ", ") + "]"
    return Piece(json.dumps(obj, ensure_ascii=False))


def _structured_tree(obj: Any) -> Any:
    if isinstance(obj, Piece):
        return as_structured(obj)
    if isinstance(obj, dict):
        return {k: _structured_tree(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_structured_tree(v) for v in obj]
    return obj


def column(file: str, name: str, entity: str | None, **extra: Any) -> dict[str, Any]:
    key = "field" if file.endswith(".jsonl") else "column"
    record: dict[str, Any] = {"kind": key, "file": file, key: name, "entity": entity}
    record["pi"] = entity is not None if "free_text" not in extra else None
    record.update(extra)
    return record


# ---------------------------------------------------------------------------- ride-hailing


def ridehailing(g: Generator, rows: int = 250) -> FileOut:
    name = "ridehailing_orders.csv"
    out = FileOut(name)
    header = [
        ("order_no", None, {"decoy": "ORDER_NUMBER"}),
        ("created_at", None, {"decoy": "TIMESTAMP"}),
        ("city", None, {}),
        ("passenger_name", "PERSON_NAME", {}),
        ("passenger_phone", "CN_MOBILE", {}),
        ("driver_name", "PERSON_NAME", {}),
        ("driver_phone", "CN_MOBILE", {}),
        ("driver_id_number", "CN_RESIDENT_ID", {}),
        ("plate_number", "CN_LICENSE_PLATE", {}),
        ("pickup_address", "ADDRESS", {}),
        ("pickup_location", "GPS_COORDINATE", {}),
        ("dropoff_address", "ADDRESS", {}),
        ("dropoff_location", "GPS_COORDINATE", {}),
        ("distance_km", None, {"decoy": "AMOUNT"}),
        ("fare_yuan", None, {"decoy": "AMOUNT"}),
        ("remark", None, {"free_text": True}),
    ]
    out.lines.append(csv_line([h for h, _, _ in header]))
    out.columns = [column(name, h, e, **x) for h, e, x in header]
    drivers = [g.person(years=(1960, 2000)) for _ in range(40)]
    plates = [g.plate() for _ in drivers]
    for _ in range(rows):
        city = g.rng.choice(CITIES)
        passenger = g.person()
        di = g.rng.randrange(len(drivers))
        driver = drivers[di]
        pickup = g.address(city=city, detail=False)
        dropoff = g.address(city=city, detail=g.chance(0.3))
        p_pt, d_pt = g.gps(city), g.gps(city)
        created = g.timestamp()
        distance = round(g.rng.uniform(1.5, 38.0), 1)
        fare = round(8 + distance * g.rng.uniform(2.1, 3.2), 2)
        order = g.order_number(id_like=g.chance(0.08))
        remark = ride_remark(g, passenger, pickup, city, driver, plates[di])
        out.lines.append(
            csv_line(
                [
                    order,
                    created.strftime("%Y-%m-%d %H:%M:%S"),
                    geo.city_name(city[0]) or "",
                    g.name_piece(passenger.name),
                    g.mobile_piece(passenger.mobile, plain_bias=0.8),
                    g.name_piece(driver.name),
                    g.mobile_piece(driver.mobile, plain_bias=1.0),
                    pi(driver.id_number, "CN_RESIDENT_ID", digits=18),
                    pi(plates[di], "CN_LICENSE_PLATE"),
                    g.address_piece(pickup),
                    g.gps_piece(p_pt, style=0),
                    g.address_piece(dropoff),
                    g.gps_piece(d_pt, style=0),
                    f"{distance:.1f}",
                    g.amount(fare),
                    remark,
                ],
                free_text=(len(header) - 1,),
            )
        )
    return out


def ride_remark(
    g: Generator,
    p: Person,
    pickup: Address,
    city: tuple[str, str, float, float],
    driver: Person,
    plate: str,
) -> Piece:
    if g.chance(0.25):
        return Piece("")
    spot = g.address(city=city, detail=False, style=2)
    child = g.person(minor=True)
    choices: list[Callable[[], Piece]] = [
        lambda: fill(
            "师傅我在{a}门口，电话{m}", a=g.address_piece(spot), m=g.mobile_piece(p.mobile)
        ),
        lambda: fill(
            "到了打我电话{m}，我在{a}{l}东门",
            m=g.mobile_piece(p.mobile),
            a=g.address_piece(spot),
            l=g.rng.choice(LANDMARKS),
        ),
        lambda: fill(
            "帮我朋友叫的车，乘车人{n}，手机{m}，麻烦联系她",
            n=g.name_piece(g.person_name("F")),
            m=g.mobile_piece(g.person().mobile),
        ),
        lambda: fill(
            "接孩子放学，孩子叫{n}，今年{age}岁，到校门口给我打电话{m}",
            n=g.name_piece(child.name, minor=True),
            age=str(child.age),
            m=g.mobile_piece(p.mobile),
        ),
        lambda: fill("我已经看到车牌{plate}了，马上过来", plate=pi(plate, "CN_LICENSE_PLATE")),
        lambda: fill("定位不准，我的坐标是{gps}，在路边等", gps=g.gps_piece(g.gps(city))),
        lambda: fill("行李比较多，请开一下后备箱，谢谢师傅"),
        lambda: fill(
            "赶{f}航班，麻烦快一点",
            f=decoy(
                g.rng.choice(("CA", "MU", "CZ", "HU")) + g.digits(4, "123456789"), "FLIGHT_NUMBER"
            ),
        ),
        lambda: fill(
            "需要开发票，抬头{c}，税号{u}",
            c=g.company(city[0]),
            u=decoy(g.uscc(), "ORG_CREDIT_CODE"),
        ),
        lambda: fill(
            "订单号{o}的车费多扣了{amt}元，请核实",
            o=g.order_number(id_like=True),
            amt=decoy(f"{g.rng.randint(5, 60)}.{g.digits(2)}", "AMOUNT"),
        ),
        lambda: fill(
            "送到{a}，到了给{n}打电话{m}",
            a=g.address_piece(g.address(city=city)),
            n=g.name_piece(g.person_name()),
            m=g.mobile_piece(g.person().mobile),
        ),
        lambda: fill(
            "司机{n}态度很好，车牌{plate}，给五星",
            n=g.name_piece(driver.name),
            plate=pi(plate, "CN_LICENSE_PLATE"),
        ),
        lambda: fill("带了一只小狗，已装航空箱"),
        lambda: fill("备用电话{t}，手机没电可以打这个", t=g.landline_piece(city[1])),
    ]
    return g.rng.choice(choices)()


# ---------------------------------------------------------------------------- online shop


def shop(g: Generator, rows: int = 250) -> FileOut:
    name = "shop_orders.csv"
    out = FileOut(name)
    header = [
        ("order_no", None, {"decoy": "ORDER_NUMBER"}),
        ("order_time", None, {"decoy": "TIMESTAMP"}),
        ("buyer_email", "EMAIL", {}),
        ("buyer_phone", "CN_MOBILE", {}),
        ("receiver_name", "PERSON_NAME", {}),
        (
            "receiver_phone",
            "CN_MOBILE",
            {"also": ["CN_LANDLINE"], "note": "landlines (area code first) in some rows"},
        ),
        ("shipping_address", "ADDRESS", {}),
        (
            "customs_id_number",
            "CN_RESIDENT_ID",
            {"note": "cross-border orders only; empty otherwise"},
        ),
        ("payment_card", "BANK_CARD", {"note": "empty for wallet payments"}),
        ("sku", None, {"decoy": "PRODUCT_CODE"}),
        ("product", None, {}),
        ("quantity", None, {}),
        ("amount_yuan", None, {"decoy": "AMOUNT"}),
        ("tracking_no", None, {"decoy": "TRACKING_NUMBER"}),
        ("seller", None, {"note": "a company"}),
        ("seller_credit_code", None, {"decoy": "ORG_CREDIT_CODE"}),
        ("remark", None, {"free_text": True}),
    ]
    out.lines.append(csv_line([h for h, _, _ in header]))
    out.columns = [column(name, h, e, **x) for h, e, x in header]
    sellers = [(g.company(), g.uscc()) for _ in range(25)]
    for _ in range(rows):
        buyer = g.person()
        qq = g.qq()
        email = g.email(qq)
        same = g.chance(0.6)
        receiver = buyer if same else g.person()
        address = g.address()
        product, price = g.rng.choice(PRODUCTS)
        qty = g.rng.randint(1, 3)
        cross_border = g.chance(0.15)
        card = g.bank_piece() if g.chance(0.55) else Piece("")
        seller, credit = g.rng.choice(sellers)
        phone = g.landline_piece() if g.chance(0.08) else g.mobile_piece(receiver.mobile)
        out.lines.append(
            csv_line(
                [
                    g.order_number(id_like=g.chance(0.1)),
                    g.timestamp().strftime("%Y-%m-%d %H:%M:%S"),
                    pi(email, "EMAIL"),
                    g.mobile_piece(buyer.mobile, plain_bias=0.85),
                    g.name_piece(receiver.name),
                    phone,
                    g.address_piece(address),
                    g.id_piece(receiver) if cross_border else Piece(""),
                    card,
                    g.sku(),
                    product,
                    str(qty),
                    g.amount(price * qty),
                    g.tracking_number(),
                    seller,
                    decoy(credit, "ORG_CREDIT_CODE"),
                    shop_remark(g, buyer, qq),
                ],
                free_text=(len(header) - 1,),
            )
        )
    return out


def shop_remark(g: Generator, buyer: Person, qq: str) -> Piece:
    if g.chance(0.3):
        return Piece("")
    kid = g.person(minor=True)
    choices: list[Callable[[], Piece]] = [
        lambda: fill("送货前请打电话{m}，白天家里没人", m=g.mobile_piece(buyer.mobile)),
        lambda: fill("放到{a}的快递柜就行", a=g.address_piece(g.address(detail=False))),
        lambda: fill("生日礼物，送给{n}，请不要放价格单", n=g.name_piece(g.person_name())),
        lambda: fill("有问题请加我微信{w}，电话不方便接", w=pi(g.wechat(), "WECHAT_ID")),
        lambda: fill("我的QQ是{q}，售后直接联系", q=pi(qq, "QQ_NUMBER")),
        lambda: fill(
            "发票抬头：{c}，税号：{u}", c=g.company(), u=decoy(g.uscc(), "ORG_CREDIT_CODE")
        ),
        lambda: fill(
            "和订单号{o}一起发货，运单号{t}", o=g.order_number(id_like=True), t=g.tracking_number()
        ),
        lambda: fill(
            "给孩子{n}买的，{y}年出生，尺码偏大一号",
            n=g.name_piece(kid.name, minor=True),
            y=str(kid.birth.year),
        ),
        lambda: fill("退款请退回银行卡{c}，开户行招商银行", c=g.bank_piece()),
        lambda: fill("周末送，不要放门卫"),
        lambda: fill("商品编码{s}，颜色要黑色", s=g.sku()),
        lambda: fill(
            "跨境购清关用，身份证{i}，姓名{n}", i=g.id_piece(buyer), n=g.name_piece(buyer.name)
        ),
        lambda: fill("上次的快递{t}还没到，一起查一下", t=g.tracking_number()),
        lambda: fill("备用联系方式：{e}", e=pi(g.email(), "EMAIL")),
        lambda: fill(
            "海外直邮清关用，护照号{p}，姓名{n}",
            p=pi(g.passport(), "CN_PASSPORT"),
            n=g.name_piece(buyer.name),
        ),
        lambda: fill(
            "港澳通行证号码{c}，香港仓发货需要", c=pi(g.travel_permit(), "CN_TRAVEL_PERMIT")
        ),
        lambda: fill("公司收货，前台座机{t}", t=g.landline_piece()),
        lambda: fill("扣扣{q}，到货前联系我", q=pi(qq, "QQ_NUMBER")),
    ]
    return g.rng.choice(choices)()


# ---------------------------------------------------------------------------- online health


def health(g: Generator, rows: int = 150) -> FileOut:
    name = "health_consultations.jsonl"
    out = FileOut(name)
    fields = [
        ("consultation_id", None, {"decoy": "ORDER_NUMBER"}),
        ("created_at", None, {"decoy": "TIMESTAMP"}),
        ("department", None, {}),
        ("doctor.name", "PERSON_NAME", {}),
        ("doctor.title", None, {}),
        ("patient.name", "PERSON_NAME", {}),
        ("patient.gender", None, {}),
        ("patient.date_of_birth", "DATE_OF_BIRTH", {}),
        ("patient.id_type", None, {}),
        (
            "patient.id_number",
            "CN_RESIDENT_ID",
            {
                "also": ["CN_PASSPORT", "CN_TRAVEL_PERMIT"],
                "note": "a passport or travel permit where patient.id_type says so",
            },
        ),
        ("patient.phone", "CN_MOBILE", {}),
        ("patient.address", "ADDRESS", {}),
        ("guardian.name", "PERSON_NAME", {"note": "patients under 14 only"}),
        ("guardian.relation", None, {}),
        ("guardian.phone", "CN_MOBILE", {}),
        ("guardian.id_number", "CN_RESIDENT_ID", {}),
        ("chief_complaint", None, {"free_text": True}),
        ("doctor_note", None, {"free_text": True}),
        ("diagnosis[]", "HEALTH_CONDITION", {}),
        ("prescription[].drug", "HEALTH_CONDITION", {"note": "medications"}),
        ("prescription[].usage", None, {}),
        ("messages[]", None, {"free_text": True}),
        ("fee_yuan", None, {"decoy": "AMOUNT"}),
    ]
    out.columns = [column(name, f, e, **x) for f, e, x in fields]
    doctors = [g.person_name() for _ in range(18)]
    for i in range(rows):
        minor = g.chance(0.25)
        p = g.person(minor=minor)
        condition = g.rng.choice(HEALTH_CHILD if minor else HEALTH_ADULT)
        dept = (
            "儿科"
            if minor
            else DEPARTMENTS.get(condition, g.rng.choice(("全科", "内科", "消化内科", "呼吸内科")))
        )
        created = g.timestamp()
        id_type = "居民身份证"
        id_piece = g.id_piece(p, legacy=not minor and g.chance(0.08))
        if not minor and g.chance(0.1):
            id_type, id_piece = "护照", pi(g.passport(), "CN_PASSPORT")
        elif not minor and g.chance(0.06):
            id_type, id_piece = "往来港澳通行证", pi(g.travel_permit(), "CN_TRAVEL_PERMIT")
        address = g.address()
        patient: dict[str, Any] = {
            "name": g.name_piece(p.name, minor=minor),
            "gender": "男" if p.gender == "M" else "女",
            "date_of_birth": with_minor(pi(p.birth.isoformat(), "DATE_OF_BIRTH"), minor),
            "id_type": id_type,
            "id_number": id_piece,
            "phone": g.mobile_piece(p.mobile, plain_bias=0.9, minor=minor)
            if not minor
            else Piece(""),
            "address": g.address_piece(address, minor=minor),
        }
        record: dict[str, Any] = {
            "consultation_id": decoy(f"HC{created:%Y%m%d}{i + 1:06d}", "ORDER_NUMBER"),
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
            "department": dept,
            "doctor": {
                "name": g.name_piece(g.rng.choice(doctors)),
                "title": g.rng.choice(DOCTOR_TITLES),
            },
            "patient": patient,
        }
        guardian = None
        if minor:
            guardian = g.person(county=p.county, years=(1978, 1992))
            record["guardian"] = {
                "name": g.name_piece(guardian.name),
                "relation": g.rng.choice(("母亲", "父亲")),
                "phone": g.mobile_piece(guardian.mobile, plain_bias=0.9),
                "id_number": pi(guardian.id_number, "CN_RESIDENT_ID", digits=18),
            }
        med, usage = MEDICATIONS[condition]
        record["chief_complaint"] = complaint(g, p, condition)
        record["doctor_note"] = doctor_note(g, p, condition, med, minor)
        record["diagnosis"] = [with_minor(pi(condition, "HEALTH_CONDITION"), minor)]
        record["prescription"] = [
            {
                "drug": with_minor(pi(med, "HEALTH_CONDITION", medication=True), minor),
                "usage": usage,
            }
        ]
        record["messages"] = patient_messages(g, p, guardian, address)
        record["fee_yuan"] = g.rng.choice((19.9, 29.0, 39.0, 49.0, 99.0))
        out.lines.append(
            json_line(record, free_text=("chief_complaint", "doctor_note", "messages"))
        )
    return out


def complaint(g: Generator, p: Person, condition: str) -> Piece:
    h = with_minor(pi(condition, "HEALTH_CONDITION"), p.minor)
    templates = (
        "复诊，{c}，药快吃完了，想续方",
        "去年确诊{c}，最近症状又加重了",
        "不确定是不是{c}，想咨询一下",
        "{c}好几年了，想调整一下用药",
    )
    if p.minor:
        templates = (
            "孩子发烧两天，医院说可能是{c}",
            "孩子确诊{c}，想问问注意事项",
            "家长代问：{c}需要隔离多久",
        )
    return fill(g.rng.choice(templates), c=h)


def doctor_note(g: Generator, p: Person, condition: str, med: str, minor: bool) -> Piece:
    cond = with_minor(pi(condition, "HEALTH_CONDITION"), minor)
    drug = with_minor(pi(med, "HEALTH_CONDITION", medication=True), minor)
    parts: list[Piece] = []
    parts.append(
        fill(
            "患者{n}，{s}，{a}岁。",
            n=g.name_piece(p.name, minor=minor),
            s="男" if p.gender == "M" else "女",
            a=str(p.age),
        )
    )
    results = TEST_RESULTS.get(condition)
    if results:
        parts.append(
            fill(
                "化验：{r}。",
                r=with_minor(
                    pi(g.rng.choice(results), "HEALTH_CONDITION", test_result=True), minor
                ),
            )
        )
    parts.append(fill(g.rng.choice(("诊断：{c}。", "初步诊断为{c}。", "考虑{c}。")), c=cond))
    parts.append(
        fill(g.rng.choice(("处方：{d}。", "建议服用{d}，两周后复诊。", "继续{d}治疗。")), d=drug)
    )
    if g.chance(0.3):
        other = (
            g.rng.choice([c for c in HEALTH_ADULT if c != condition]) if not minor else "过敏性鼻炎"
        )
        parts.append(fill("既往史：{o}。", o=with_minor(pi(other, "HEALTH_CONDITION"), minor)))
    if minor and g.chance(0.5):
        parts.append(fill("出生日期{b}，由家长陪同问诊。", b=g.dob_piece(p.birth, minor=True)))
    if g.chance(0.2):
        parts.append(Piece("如症状加重请及时线下就医。"))
    return join(parts)


def patient_messages(
    g: Generator, p: Person, guardian: Person | None, address: Address
) -> list[Piece]:
    talker = guardian or p
    msgs: list[Callable[[], Piece]] = [
        lambda: fill(
            "医生您好，药寄到{a}，收件人{n}，电话{m}",
            a=g.address_piece(address, minor=p.minor),
            n=g.name_piece(talker.name, minor=talker.minor),
            m=g.mobile_piece(talker.mobile, minor=talker.minor),
        ),
        lambda: fill("我的医保卡绑定的是身份证{i}", i=g.id_piece(talker)),
        lambda: fill(
            "上次的检查报告编号{r}，麻烦帮我看看", r=decoy(f"R{g.digits(10)}", "REPORT_NUMBER")
        ),
        lambda: fill("好的，谢谢医生"),
        lambda: fill("请问需要空腹吗？"),
        lambda: fill("方便的话加个微信{w}，我把化验单发您", w=pi(g.wechat(), "WECHAT_ID")),
        lambda: fill("付款用的银行卡{c}扣款失败了", c=g.bank_piece()),
    ]
    if p.minor:
        msgs.append(
            lambda: fill(
                "孩子{n}今年{a}岁，体重20公斤，药量怎么算？",
                n=g.name_piece(p.name, minor=True),
                a=str(p.age),
            )
        )
    return [g.rng.choice(msgs)() for _ in range(g.rng.randint(1, 3))]


# ---------------------------------------------------------------------------- smart home


def smarthome(g: Generator, lines: int = 420) -> FileOut:
    out = FileOut("smarthome_device_log.txt")
    homes = []
    for _ in range(30):
        city = g.rng.choice(CITIES)
        owner = g.person()
        child = g.person(minor=True) if g.chance(0.3) else None
        devices = []
        for kind, label, model in g.rng.sample(DEVICE_MODELS, g.rng.randint(2, 5)):
            devices.append(
                {
                    "kind": kind,
                    "label": label,
                    "model": model,
                    "sn": f"SN{g.rng.choice('ABCDEFGH')}{g.digits(9)}",
                    "mac": g.mac(),
                    "ip": g.ipv4(public=False),
                    "imei": g.imei() if kind in ("watch", "camera") else None,
                }
            )
        homes.append(
            {
                "city": city,
                "owner": owner,
                "child": child,
                "address": g.address(city=city),
                "devices": devices,
                "home": g.gps(city),
                "wifi": g.credential("password"),
            }
        )
    t = dt.datetime(2024, 3, 1, 0, 0, 0)
    for _ in range(lines):
        t += dt.timedelta(seconds=g.rng.randint(1, 5400), milliseconds=g.rng.randint(0, 999))
        home = g.rng.choice(homes)
        dev = g.rng.choice(home["devices"])
        stamp = t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}"
        level, body = device_event(g, home, dev)
        out.lines.append(Piece(f"{stamp} {level:<5} [{dev['kind']}:{dev['sn']}] ") + body)
    return out


def device_event(g: Generator, home: dict[str, Any], dev: dict[str, Any]) -> tuple[str, Piece]:
    owner: Person = home["owner"]
    child: Person | None = home["child"]
    events: list[tuple[str, Callable[[], Piece]]] = [
        (
            "INFO",
            lambda: fill(
                "device online model={m} mac={mac} ip={ip} fw={fw}",
                m=dev["model"],
                mac=pi(dev["mac"], "MAC_ADDRESS"),
                ip=pi(dev["ip"], "IP_ADDRESS"),
                fw=decoy(
                    f"v{g.rng.randint(1, 4)}.{g.rng.randint(0, 9)}.{g.rng.randint(0, 30)}",
                    "VERSION",
                ),
            ),
        ),
        (
            "INFO",
            lambda: fill(
                "bind device owner={n} phone={m} account={e}",
                n=g.name_piece(owner.name),
                m=g.mobile_piece(owner.mobile),
                e=pi(g.email(), "EMAIL"),
            ),
        ),
        (
            "WARN",
            lambda: fill(
                "login failed for user={e} from {ip}",
                e=pi(g.email(), "EMAIL"),
                ip=pi(g.ipv4(public=True), "IP_ADDRESS"),
            ),
        ),
        ("INFO", lambda: fill("remote session from {ip} ok", ip=pi(g.ipv6(), "IP_ADDRESS"))),
        (
            "DEBUG",
            lambda: fill(
                "wifi connect ssid=ChinaNet-{s} password={p}",
                s=g.digits(4),
                p=pi(home["wifi"], "CREDENTIAL"),
            ),
        ),
        (
            "DEBUG",
            lambda: fill(
                "POST /api/v2/sync Authorization: Bearer {t}",
                t=pi(g.credential("token"), "CREDENTIAL"),
            ),
        ),
        (
            "DEBUG",
            lambda: fill(
                "mqtt connect client_id={c} api_key={k}",
                c=f"{dev['kind']}-{g.digits(6)}",
                k=pi(g.credential("api_key"), "CREDENTIAL"),
            ),
        ),
        (
            "ERROR",
            lambda: fill(
                "ota upgrade failed code=E{c} request_id={r} ts={ts}",
                c=g.digits(4, "123456789"),
                r=decoy(g.credential("hex"), "REQUEST_ID"),
                ts=decoy(str(1709222400000 + g.rng.randint(0, 10**10)), "TIMESTAMP"),
            ),
        ),
        (
            "INFO",
            lambda: fill(
                "heartbeat rssi=-{r}dBm uptime={u}s",
                r=str(g.rng.randint(30, 90)),
                u=str(g.rng.randint(100, 10**7)),
            ),
        ),
        (
            "INFO",
            lambda: fill(
                "order {o} shipped via {t}",
                o=g.order_number(id_like=g.chance(0.3)),
                t=g.tracking_number(),
            ),
        ),
    ]
    kind = dev["kind"]
    if kind == "lock":
        events += [
            (
                "INFO",
                lambda: fill(
                    "door unlocked by fingerprint #{f} user={n}",
                    f=str(g.rng.randint(1, 9)),
                    n=g.name_piece(owner.name),
                ),
            ),
            (
                "INFO",
                lambda: fill(
                    "temporary password {p} issued to {n} {m}",
                    p=pi(g.digits(6), "CREDENTIAL"),
                    n=g.name_piece(g.person_name()),
                    m=g.mobile_piece(g.person().mobile),
                ),
            ),
            (
                "INFO",
                lambda: fill(
                    "installed at {a} by technician {n} tel {t}",
                    a=g.address_piece(home["address"]),
                    n=g.name_piece(g.person_name()),
                    t=g.landline_piece(home["city"][1]),
                ),
            ),
        ]
    if kind == "camera":
        events += [
            (
                "INFO",
                lambda: fill(
                    "face enrolled name={n} clip=CLIP-{c}",
                    n=g.name_piece(owner.name),
                    c=g.digits(8),
                ),
            ),
            (
                "INFO",
                lambda: fill("vehicle at gate plate={p}", p=pi(g.plate(), "CN_LICENSE_PLATE")),
            ),
            (
                "DEBUG",
                lambda: fill(
                    "4g module imei={i} ip={ip}",
                    i=pi(dev["imei"], "IMEI"),
                    ip=pi(g.ipv4(public=True), "IP_ADDRESS"),
                ),
            ),
        ]
    if kind == "vacuum":
        events += [
            (
                "INFO",
                lambda: fill(
                    "map saved home=({gps}) rooms={r} area={a}m2",
                    gps=g.gps_piece(home["home"]),
                    r=str(g.rng.randint(2, 6)),
                    a=str(g.rng.randint(60, 180)),
                ),
            ),
            (
                "INFO",
                lambda: fill(
                    "schedule set {h}:00 daily by {n}",
                    h=f"{g.rng.randint(7, 22):02d}",
                    n=g.name_piece(owner.name),
                ),
            ),
        ]
    if kind == "speaker":
        events += [
            (
                "INFO",
                lambda: fill(
                    "voice command: 导航到{a}",
                    a=g.address_piece(g.address(city=home["city"], detail=False)),
                ),
            ),
            ("INFO", lambda: fill("voice command: 给{n}打电话", n=g.name_piece(g.person_name()))),
            (
                "INFO",
                lambda: fill(
                    "voice command: 提醒我明天下午三点吃{d}",
                    d=pi(
                        g.rng.choice([m for m, _ in MEDICATIONS.values()]),
                        "HEALTH_CONDITION",
                        medication=True,
                    ),
                ),
            ),
        ]
    if kind == "scale":
        events += [
            (
                "INFO",
                lambda: fill(
                    "measurement user={n} weight={w}kg body_fat={b}%",
                    n=g.name_piece(owner.name),
                    w=f"{g.rng.uniform(45, 95):.1f}",
                    b=f"{g.rng.uniform(12, 35):.1f}",
                ),
            ),
        ]
    if kind == "watch" and child is not None:
        c = child
        events += [
            (
                "INFO",
                lambda: fill(
                    "watch wearer={n} age={a} location={gps}",
                    n=g.name_piece(c.name, minor=True),
                    a=str(c.age),
                    gps=with_minor(g.gps_piece(g.gps(home["city"])), True),
                ),
            ),
            ("INFO", lambda: fill("sos call to guardian {m}", m=g.mobile_piece(owner.mobile))),
            (
                "DEBUG",
                lambda: fill(
                    "sim imei={i} wearer birthday={b}",
                    i=with_minor(pi(dev["imei"], "IMEI"), True),
                    b=g.dob_piece(c.birth, minor=True),
                ),
            ),
        ]
    elif dev["imei"]:
        events.append(("DEBUG", lambda: fill("module imei={i}", i=pi(dev["imei"], "IMEI"))))
    # Device-specific events (added after the ten common ones) come up more often.
    weights = [0.4 if i == 9 else 1.0 for i in range(10)] + [2.5] * (len(events) - 10)
    level, make = g.rng.choices(events, weights=weights)[0]
    return level, make()


# ---------------------------------------------------------------------------- customer service


def chat(g: Generator, sessions: int = 70) -> FileOut:
    out = FileOut("customer_service_chat.txt")
    t = dt.datetime(2024, 4, 1, 9, 0, 0)
    scripts: list[Callable[[Generator, Person], list[tuple[str, Piece]]]] = [
        shop_chat,
        ride_chat,
        health_chat,
        home_chat,
    ]
    for s in range(sessions):
        t += dt.timedelta(minutes=g.rng.randint(5, 400))
        user = g.person()
        session = f"CS{t:%Y%m%d}-{s + 1:04d}"
        out.lines.append(Piece("=== 会话 ") + decoy(session, "SESSION_ID") + " ===")
        for who, text in g.rng.choice(scripts)(g, user):
            t += dt.timedelta(seconds=g.rng.randint(5, 180))
            out.lines.append(Piece(f"[{t:%Y-%m-%d %H:%M:%S}] {who}：") + text)
        out.lines.append(Piece(""))
    return out


def shop_chat(g: Generator, u: Person) -> list[tuple[str, Piece]]:
    order = g.order_number(id_like=g.chance(0.5))
    qq = g.qq()
    lines = [
        ("用户", fill("你好，订单号{o}一直没发货", o=order)),
        ("客服", Piece("您好，请提供收货人手机号，我帮您查一下")),
        (
            "用户",
            fill(
                "{m}，收货人{n}", m=g.mobile_piece(u.mobile, plain_bias=0.3), n=g.name_piece(u.name)
            ),
        ),
        ("客服", fill("查到了，已于今天发出，快递单号{t}", t=g.tracking_number())),
    ]
    tail: list[Callable[[], tuple[str, Piece]]] = [
        lambda: ("用户", fill("地址要改成{a}，可以吗", a=g.address_piece(g.address()))),
        lambda: ("用户", fill("退款打到这张卡吧：{c}", c=g.bank_piece())),
        lambda: (
            "用户",
            fill(
                "我QQ号{q}，邮箱{e}，有结果通知我",
                q=pi(qq, "QQ_NUMBER"),
                e=pi(g.email(qq), "EMAIL"),
            ),
        ),
        lambda: (
            "用户",
            fill(
                "金额{a}元对不上，商品编码{s}",
                a=decoy(f"{g.rng.randint(20, 2000)}.{g.digits(2)}", "AMOUNT"),
                s=g.sku(),
            ),
        ),
        lambda: ("客服", Piece("好的，已为您登记，请耐心等待")),
    ]
    lines += [make() for make in g.rng.sample(tail, g.rng.randint(1, 3))]
    return lines


def ride_chat(g: Generator, u: Person) -> list[tuple[str, Piece]]:
    city = g.rng.choice(CITIES)
    lines = [
        ("用户", fill("昨天的行程订单号{o}，司机绕路了", o=g.order_number(id_like=g.chance(0.5)))),
        ("客服", Piece("很抱歉给您带来不便，请问车牌号是多少？")),
        (
            "用户",
            fill(
                "车牌{p}，从{a}出发的",
                p=pi(g.plate(), "CN_LICENSE_PLATE"),
                a=g.address_piece(g.address(city=city, detail=False)),
            ),
        ),
    ]
    tail: list[Callable[[], tuple[str, Piece]]] = [
        lambda: ("用户", fill("公司叫的车，报销找行政，座机{t}", t=g.landline_piece(city[1]))),
        lambda: (
            "用户",
            fill(
                "我在{a}，定位是{gps}，司机找不到",
                a=g.address_piece(g.address(city=city, detail=False, style=2)),
                gps=g.gps_piece(g.gps(city)),
            ),
        ),
        lambda: (
            "用户",
            fill(
                "手机落在车上了，我的号码是{m}，麻烦联系司机",
                m=g.mobile_piece(u.mobile, plain_bias=0.3),
            ),
        ),
        lambda: (
            "用户",
            fill("行程轨迹里终点坐标是{gps}，根本不是我下车的地方", gps=g.gps_piece(g.gps(city))),
        ),
        lambda: (
            "客服",
            fill(
                "已核实，多收的{a}元将退回您尾号{c}的银行卡",
                a=decoy(f"{g.rng.randint(5, 80)}.{g.digits(2)}", "AMOUNT"),
                c=decoy(g.digits(4), "CARD_TAIL"),
            ),
        ),
        lambda: (
            "用户",
            fill("我是司机，身份证{i}，驾驶证审核一直不过", i=g.id_piece(u, legacy=g.chance(0.3))),
        ),
        lambda: ("用户", fill("微信{w}，方便的话加我发截图", w=pi(g.wechat(), "WECHAT_ID"))),
    ]
    lines += [make() for make in g.rng.sample(tail, g.rng.randint(1, 3))]
    return lines


def health_chat(g: Generator, u: Person) -> list[tuple[str, Piece]]:
    kid = g.person(minor=True, county=u.county)
    cond = g.rng.choice(HEALTH_CHILD)
    lines = [
        (
            "用户",
            fill(
                "给孩子挂号，孩子叫{n}，出生日期{b}",
                n=g.name_piece(kid.name, minor=True),
                b=g.dob_piece(kid.birth, minor=True),
            ),
        ),
        ("客服", Piece("好的，请提供孩子的身份证号或出生证号")),
        ("用户", fill("身份证{i}", i=g.id_piece(kid))),
        (
            "用户",
            fill("上次医生说是{c}，这次想看复诊", c=with_minor(pi(cond, "HEALTH_CONDITION"), True)),
        ),
    ]
    tail: list[Callable[[], tuple[str, Piece]]] = [
        lambda: (
            "用户",
            fill(
                "我是孩子" + ("爸爸" if u.gender == "M" else "妈妈") + "{n}，电话{m}",
                n=g.name_piece(u.name),
                m=g.mobile_piece(u.mobile, plain_bias=0.3),
            ),
        ),
        lambda: (
            "用户",
            fill(
                "孩子要去香港复查，通行证号{c}",
                c=with_minor(pi(g.travel_permit(), "CN_TRAVEL_PERMIT"), True),
            ),
        ),
        lambda: (
            "客服",
            fill("已预约，就诊码{c}，请提前十分钟到", c=decoy(g.digits(8), "APPOINTMENT_CODE")),
        ),
        lambda: (
            "用户",
            fill(
                "我们下个月出国，我的护照号是{p}，需要英文病历", p=pi(g.passport(), "CN_PASSPORT")
            ),
        ),
        lambda: ("用户", fill("我的QQ{q}，报告发到QQ邮箱也行", q=pi(g.qq(), "QQ_NUMBER"))),
        lambda: (
            "用户",
            fill(
                "我自己有{c}，可以一起开点{d}吗",
                c=pi(g.rng.choice(HEALTH_ADULT), "HEALTH_CONDITION"),
                d=pi(
                    g.rng.choice([m for m, _ in MEDICATIONS.values()]),
                    "HEALTH_CONDITION",
                    medication=True,
                ),
            ),
        ),
    ]
    lines += [make() for make in g.rng.sample(tail, g.rng.randint(1, 3))]
    return lines


def home_chat(g: Generator, u: Person) -> list[tuple[str, Piece]]:
    lines = [
        ("用户", fill("门锁离线了，设备MAC是{mac}", mac=pi(g.mac(), "MAC_ADDRESS"))),
        ("客服", Piece("请问您注册的手机号和安装地址？")),
        (
            "用户",
            fill(
                "{m}，地址{a}",
                m=g.mobile_piece(u.mobile, plain_bias=0.3),
                a=g.address_piece(g.address()),
            ),
        ),
    ]
    tail: list[Callable[[], tuple[str, Piece]]] = [
        lambda: ("用户", fill("摄像头的IMEI是{i}，一直连不上", i=pi(g.imei(), "IMEI"))),
        lambda: (
            "用户",
            fill("我出国了，护照号{p}，能远程开门吗", p=pi(g.passport(), "CN_PASSPORT")),
        ),
        lambda: ("客服", fill("请在APP里重置，不要把密码发给客服")),
        lambda: (
            "用户",
            fill("管理员密码是{p}，你们帮我重置一下", p=pi(g.credential("password"), "CREDENTIAL")),
        ),
        lambda: ("用户", fill("路由器公网IP是{ip}", ip=pi(g.ipv4(public=True), "IP_ADDRESS"))),
        lambda: (
            "用户",
            fill(
                "孩子的手表定位一直显示{gps}，可是她明明在学校",
                gps=with_minor(g.gps_piece(g.gps(g.rng.choice(CITIES))), True),
            ),
        ),
        lambda: ("用户", fill("上门安装请先打座机{t}", t=g.landline_piece())),
        lambda: (
            "客服",
            fill("已派单，工单号{o}，师傅会联系您", o=decoy(f"WO{g.digits(12)}", "TICKET_NUMBER")),
        ),
    ]
    lines += [make() for make in g.rng.sample(tail, g.rng.randint(1, 3))]
    return lines


# ---------------------------------------------------------------------------- driver


def ground_truth(files: Sequence[FileOut]) -> str:
    records: list[dict[str, Any]] = []
    for f in files:
        records.extend(f.columns)
        for lineno, piece in enumerate(f.lines, start=1):
            for m in piece.marks:
                if m.structured and not dict(m.extra).get("passes_id_checksum"):
                    continue  # a whole cell / field value: its column record types it
                rec: dict[str, Any] = {
                    "kind": "span",
                    "file": f.name,
                    "line": lineno,
                    "start": m.start,
                    "end": m.end,
                    "entity": m.entity,
                    "pi": m.entity is not None,
                }
                if m.decoy:
                    rec["decoy"] = m.decoy
                rec.update(dict(m.extra))
                rec["text"] = piece.text[m.start : m.end]
                records.append(rec)
    meta = {
        "kind": "meta",
        "generator": "scripts/generate_sample_data.py",
        "seed": SEED,
        "reference_date": TODAY.isoformat(),
        "faker": FAKER_VERSION,
        "synthetic": True,
    }
    return "".join(
        json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in [meta, *records]
    )


def build(seed: int = SEED) -> dict[str, str]:
    """Return ``{file name: text}`` for every sample file and the ground truth."""
    g = Generator(seed)
    files = [ridehailing(g), shop(g), health(g), smarthome(g), chat(g)]
    built = {f.name: f.text() for f in files}
    built["ground_truth.jsonl"] = ground_truth(files)
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate piguard's synthetic sample data and its ground truth.",
        epilog="Example: .venv/bin/python scripts/generate_sample_data.py --out /tmp/samples",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in build().items():
        with atomic_write(args.out / name, mode="wb") as fh:
            fh.write(text.encode("utf-8"))
        print(f"wrote {args.out / name} ({len(text.encode('utf-8')):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
