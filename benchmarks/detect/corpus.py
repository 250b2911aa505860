"""A labelled corpus of Chinese text with planted personal information and look-alike decoys.

Sentences from the four industries of the 2020 report (online shopping, online health care,
smart home, ride-hailing) are filled with Faker zh_CN values and generated identifiers
(valid check digits), plus decoys that must *not* be reported: order and tracking numbers
(some 18-digit order numbers pass the resident-ID check digit by chance; some pass Luhn with
a UnionPay prefix), timestamps, amounts, product codes and version numbers.

Deterministic for a given seed. Each record: ``{"text": str, "spans": [[start, end, entity]]}``.

    python benchmarks/detect/corpus.py --lines 20000 > /tmp/corpus.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
from collections.abc import Callable, Iterator

from faker import Faker

from piguard.detect.identifiers import iso7064, luhn

BINS = [
    "622202",
    "622848",
    "621700",
    "622588",
    "622260",
    "621799",
    "436742",
    "622700",
    "625908",
    "621661",
]
AREA_CODES = [
    "010",
    "021",
    "022",
    "023",
    "020",
    "025",
    "027",
    "028",
    "029",
    "0571",
    "0755",
    "0512",
    "0731",
    "0871",
    "0991",
]
DISEASES = [
    "高血压",
    "2型糖尿病",
    "冠心病",
    "支气管哮喘",
    "慢性乙型肝炎",
    "抑郁症",
    "甲状腺结节",
    "痛风",
    "肺结节",
    "类风湿关节炎",
]
MEDICINES = [
    "二甲双胍",
    "阿托伐他汀",
    "氨氯地平",
    "奥美拉唑",
    "布洛芬",
    "舍曲林",
    "阿莫西林",
    "胰岛素",
]
DEPTS = ["内分泌科", "心内科", "呼吸科", "消化内科", "皮肤科"]
DEVICES = ["智能门锁", "扫地机器人", "智能音箱", "摄像头", "空调伴侣", "智能网关"]


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.f = Faker("zh_CN")
        self.f.seed_instance(seed)

    def digits(self, n: int) -> str:
        return "".join(self.r.choice(string.digits) for _ in range(n))

    # ---- personal identifiers (valid)
    def resident_id(self) -> str:
        return str(self.f.ssn())

    def mobile(self) -> str:
        m = str(self.f.phone_number())
        style = self.r.random()
        if style < 0.15:
            return f"+86 {m}"
        if style < 0.25:
            return f"{m[:3]} {m[3:7]} {m[7:]}"
        if style < 0.3:
            return f"{m[:3]}-{m[3:7]}-{m[7:]}"
        return m

    def landline(self) -> str:
        area = self.r.choice(AREA_CODES)
        sub = str(self.r.randint(2, 8)) + self.digits(
            7 if len(area) == 3 else self.r.choice([6, 7])
        )
        return f"({area}){sub}" if self.r.random() < 0.2 else f"{area}-{sub}"

    def bank_card(self) -> str:
        body = self.r.choice(BINS) + self.digits(self.r.choice([9, 12]))
        card = body + luhn.calc_check_digit(body)
        if self.r.random() < 0.2:
            return " ".join(card[i : i + 4] for i in range(0, len(card), 4))
        return card

    def passport(self) -> str:
        if self.r.random() < 0.2:
            return "E" + self.r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + self.digits(7)
        return self.r.choice("EEG") + self.digits(8)

    def permit(self) -> str:
        return self.r.choice("CCLHM") + self.digits(8)

    def plate(self) -> str:
        if self.r.random() < 0.3:  # new-energy
            prov = self.r.choice("京沪粤浙苏川鄂")
            return prov + self.r.choice("ABCDEF") + self.r.choice("DF") + self.digits(5)
        # Faker's zh_CN plates use the letters I and O, which GA 36-2018 excludes: build them.
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        serial = [self.r.choice(string.digits) for _ in range(5)]
        for i in self.r.sample(range(5), self.r.choice([0, 0, 1, 2])):
            serial[i] = self.r.choice(letters)
        sep = self.r.choice(["", "", "·", "-"])
        return self.r.choice("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼") + (
            self.r.choice(letters) + sep + "".join(serial)
        )

    def imei(self) -> str:
        body = self.r.choice(["35", "86"]) + self.digits(12)
        return body + luhn.calc_check_digit(body)

    def qq(self) -> str:
        return str(self.r.randint(10000, 3999999999))

    def wechat(self) -> str:
        base = str(self.f.user_name()) + self.r.choice(["", "_", "-"])
        return base + self.digits(max(1, 6 - len(base)) + self.r.randint(0, 3))

    def gps(self) -> str:
        lat, lng = self.r.uniform(20, 45), self.r.uniform(100, 125)
        return f"{lat:.6f},{lng:.6f}" if self.r.random() < 0.7 else f"{lng:.6f},{lat:.6f}"

    def dob(self) -> str:
        d = self.f.date_of_birth(minimum_age=1, maximum_age=90)
        return self.r.choice(
            [d.isoformat(), f"{d.year}年{d.month}月{d.day}日", d.strftime("%Y/%m/%d")]
        )

    def email(self) -> str:
        return str(self.r.choice([self.f.free_email, self.f.company_email])())

    def ip(self) -> str:
        return str(self.f.ipv6()) if self.r.random() < 0.15 else str(self.f.ipv4_public())

    def mac(self) -> str:
        m = str(self.f.mac_address())
        return m.upper().replace(":", "-") if self.r.random() < 0.3 else m

    def password(self) -> str:
        return str(self.f.password(length=self.r.randint(8, 14)))

    def name(self) -> str:
        return str(self.f.name())

    def address(self) -> str:
        f, r = self.f, self.r
        tail = r.choice(
            [
                f"{r.randint(1, 999)}号",
                f"{r.randint(1, 300)}号{r.randint(1, 30)}栋"
                f"{r.randint(1, 6)}单元{r.randint(101, 2808)}室",
                f"{f.street_name()}小区{r.randint(1, 20)}号楼{r.randint(101, 1808)}室",
            ]
        )
        return f"{f.province()}{f.city()}{f.district()}区{f.street_name()}{tail}"

    # ---- decoys (must not be reported)
    def order_passing_id_check(self) -> str:
        body = self.r.choice(["110105", "440305", "320102"]) + "19" + self.digits(9)
        return body + iso7064.calc_check_digit(body)

    def order_passing_luhn(self) -> str:
        body = "62" + self.digits(15)
        return body + luhn.calc_check_digit(body)

    def order(self) -> str:
        return self.r.choice(
            [
                lambda: "2024" + self.digits(14),
                lambda: "E" + self.digits(self.r.choice([10, 12])),
                self.order_passing_id_check,
                self.order_passing_luhn,
            ]
        )()

    def tracking(self) -> str:
        return self.r.choice(["SF", "YT", "JD", "ZTO"]) + self.digits(self.r.choice([12, 13, 15]))

    def timestamp(self) -> str:
        return self.r.choice(
            [
                f"2024-{self.r.randint(1, 12):02d}-{self.r.randint(1, 28):02d} "
                f"{self.r.randint(0, 23):02d}:{self.r.randint(0, 59):02d}:"
                f"{self.r.randint(0, 59):02d}",
                "17" + self.digits(11),
                "17" + self.digits(8),
            ]
        )

    def amount(self) -> str:
        return self.r.choice(
            [
                f"{self.r.randint(1, 99999)}.{self.r.randint(0, 99):02d}",
                f"{self.r.randint(1, 9999)}",
            ]
        )

    def product(self) -> str:
        return self.r.choice(
            [
                "SKU-" + self.digits(8),
                "G" + self.digits(8),
                "C" + self.digits(8),
                f"{self.r.randint(1, 9)}.{self.r.randint(0, 20)}."
                f"{self.r.randint(0, 9)}.{self.r.randint(0, 200)}",
            ]
        )


# Templates: {kind} slots. Lower-case kinds are decoys (not labelled); upper-case are entities.
TEMPLATES = [
    # online shopping
    "收货人{PERSON_NAME}，电话{CN_MOBILE}，收货地址：{ADDRESS}，订单号{order}。",
    "您的订单{order}已发货，运单号{tracking}，如有疑问请拨打{CN_MOBILE}。",
    "退款将原路退回您的银行卡{BANK_CARD}，到账时间约{amount}小时，订单编号{order}。",
    "买家邮箱{EMAIL}，下单时间{timestamp}，实付金额{amount}元。",
    "开具发票需要提供身份证号{CN_RESIDENT_ID}，发票金额{amount}元。",
    "商品货号{product}库存不足，请联系客服座机{CN_LANDLINE}。",
    "订单号：{order_id_like}，请勿泄露给他人。",
    "运单号{order_luhn_like}已签收。",
    "用户{PERSON_NAME}的QQ：{QQ_NUMBER}，微信：{WECHAT_ID}，备注尽快发货。",
    "型号{product}的扫码枪到货，流水号{order}。",
    # online health care
    "患者{PERSON_NAME}，出生日期{DATE_OF_BIRTH}，身份证号{CN_RESIDENT_ID}，诊断为{HEALTH_CONDITION}。",
    "处方：{HEALTH_CONDITION}片，每日两次，复诊请致电{CN_LANDLINE}。",
    "您预约的{dept}门诊已确认，就诊人手机{CN_MOBILE}，挂号单号{order}。",
    "医保结算银行卡{BANK_CARD}，开户行中国工商银行，自付{amount}元。",
    "在线问诊记录：患者自述{HEALTH_CONDITION}病史五年，家住{ADDRESS}。",
    "检验报告时间{timestamp}，报告编号{tracking}。",
    # smart home
    "设备{device}上线，MAC地址{MAC_ADDRESS}，登录IP {IP_ADDRESS}，时间{timestamp}。",
    "绑定手机{CN_MOBILE}的用户从{IP_ADDRESS}登录了{device}。",
    "网关日志 user={EMAIL} password={CREDENTIAL} status=ok",
    "设备串号IMEI：{IMEI}，固件版本{product}。",
    "{device}固件版本 {product}，序列号{tracking}。",
    "位置上报 经纬度{GPS_COORDINATE}，电量{amount}%。",
    # ride-hailing
    "乘客{PERSON_NAME}在{ADDRESS}上车，车牌号{CN_LICENSE_PLATE}，司机电话{CN_MOBILE}。",
    "行程结束，终点坐标{GPS_COORDINATE}，费用{amount}元，订单{order}。",
    "司机出示护照{CN_PASSPORT}和港澳通行证{CN_TRAVEL_PERMIT}完成实名认证。",
    "{CN_LICENSE_PLATE}已到达上车点，请乘客尽快上车。",
    "司机{PERSON_NAME}，驾驶证档案编号{tracking}，出生日期：{DATE_OF_BIRTH}。",
    "紧急联系人手机：{CN_MOBILE}，邮箱{EMAIL}。",
]


def generate(lines: int, seed: int = 20261126) -> Iterator[dict[str, object]]:
    g = Gen(seed)
    fill: dict[str, Callable[[], str]] = {
        "CN_RESIDENT_ID": g.resident_id,
        "CN_MOBILE": g.mobile,
        "CN_LANDLINE": g.landline,
        "EMAIL": g.email,
        "BANK_CARD": g.bank_card,
        "CN_PASSPORT": g.passport,
        "CN_TRAVEL_PERMIT": g.permit,
        "CN_LICENSE_PLATE": g.plate,
        "PERSON_NAME": g.name,
        "ADDRESS": g.address,
        "GPS_COORDINATE": g.gps,
        "IP_ADDRESS": g.ip,
        "MAC_ADDRESS": g.mac,
        "IMEI": g.imei,
        "QQ_NUMBER": g.qq,
        "WECHAT_ID": g.wechat,
        "DATE_OF_BIRTH": g.dob,
        "HEALTH_CONDITION": lambda: g.r.choice(DISEASES + MEDICINES),
        "CREDENTIAL": g.password,
        "order": g.order,
        "order_id_like": g.order_passing_id_check,
        "order_luhn_like": g.order_passing_luhn,
        "tracking": g.tracking,
        "timestamp": g.timestamp,
        "amount": g.amount,
        "product": g.product,
        "dept": lambda: g.r.choice(DEPTS),
        "device": lambda: g.r.choice(DEVICES),
    }
    for _ in range(lines):
        template = g.r.choice(TEMPLATES)
        text = ""
        spans: list[list[object]] = []
        rest = template
        while "{" in rest:
            head, _, tail = rest.partition("{")
            kind, _, rest = tail.partition("}")
            text += head
            value = fill[kind]()
            if kind.isupper():
                spans.append([len(text), len(text) + len(value), kind])
            text += value
        text += rest
        yield {"text": text, "spans": spans}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()
    for record in generate(args.lines, args.seed):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
