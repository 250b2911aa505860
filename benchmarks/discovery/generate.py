# ruff: noqa: E501  (generated-data tables and report lines read better unwrapped)
"""Generate the labelled column-classification benchmark set (synthetic, seeded).

Four industries (ride-hailing, online shopping, online health, smart home), each a table
whose every column has a known type, with the hard cases of issue 4: headers that say
nothing (``col_7``), pinyin and Chinese headers, mixed columns, 18-digit order numbers (some
with a real region code and date), phone numbers stored as integers (Parquet, SQLite),
masked values (``138****5678``) that are already de-identified, hashed identifiers, free
text, and quasi-identifiers. Writes ``<out>/*.csv``, ``*.parquet``, ``*.db`` and
``labels.jsonl`` (one record per column: file, table, column, expected entity / category /
kind, sensitive).

    .venv/bin/python benchmarks/discovery/generate.py --out /tmp/discovery-bench --rows 2000
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from piguard import geo, taxonomy
from piguard.detect.identifiers import cn_mobile, iso7064, luhn
from piguard.detect.recognizers.health import load_lexicon

TODAY = dt.date(2024, 6, 30)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬飞鹏辉建华丹宇浩凯瑶欣怡子轩梓涵一诺雨桐思远嘉怡俊杰文博晨曦"
STREETS = [
    "人民",
    "建设",
    "解放",
    "中山",
    "和平",
    "胜利",
    "朝阳",
    "新华",
    "光明",
    "文化",
    "青年",
    "长江",
    "黄河",
    "科技",
    "学府",
    "海岸",
    "翠竹",
    "梧桐",
    "锦绣",
    "东风",
]
ESTATES = ["阳光", "幸福", "金色", "翠湖", "海棠", "御景", "锦江", "碧桂", "万科", "世纪"]
PRODUCTS = [
    "无线蓝牙耳机",
    "儿童保温杯",
    "男士运动鞋 42码",
    "有机绿茶 250g",
    "手机壳",
    "扫地机器人",
    "洗衣凝珠",
    "婴儿纸尿裤 L码",
]
DEPTS = ["内科", "儿科", "皮肤科", "精神心理科", "消化内科", "妇产科"]
OCCUPATIONS = [
    "教师",
    "工程师",
    "医生",
    "销售",
    "司机",
    "学生",
    "会计",
    "厨师",
    "公务员",
    "自由职业",
]
MOBILE_PREFIXES = [
    "138",
    "139",
    "135",
    "136",
    "150",
    "151",
    "158",
    "186",
    "187",
    "177",
    "199",
    "189",
]

Column = tuple[str, Callable[[random.Random, dict[str, Any]], Any], dict[str, Any]]


class Person:
    def __init__(
        self, rng: random.Random, counties: list[geo.Division], child_share: float
    ) -> None:
        self.name = rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))
        )
        child = rng.random() < child_share
        year = rng.randint(2011, 2020) if child else rng.randint(1950, 2003)
        self.birth = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        self.gender = rng.choice("男女")
        self.county = rng.choice(counties)
        body = f"{self.county.code}{self.birth:%Y%m%d}{rng.randint(0, 99):02d}"
        body += str(
            rng.choice((1, 3, 5, 7, 9)) if self.gender == "男" else rng.choice((0, 2, 4, 6, 8))
        )
        self.rid = body + iso7064.calc_check_digit(body)
        self.mobile = _mobile(rng)
        self.email = (
            "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 9)))
            + f"{rng.randint(1, 999)}@{rng.choice(['qq.com', '163.com', 'example.com'])}"
        )
        self.address = _address(rng, self.county)
        self.card = _card(rng)
        self.passport = rng.choice("EG") + f"{rng.randint(10**7, 10**8 - 1)}"
        self.qq = str(rng.randint(10**5, 10**10))
        self.occupation = rng.choice(OCCUPATIONS)
        self.postcode = f"{self.county.code[:3]}{rng.randint(0, 999):03d}"


def _mobile(rng: random.Random) -> str:
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 10**8 - 1):08d}"
        if cn_mobile.is_valid(number):
            return number


def _card(rng: random.Random) -> str:
    body = rng.choice(["622202", "622848", "621700", "622588", "436742"]) + "".join(
        str(rng.randint(0, 9)) for _ in range(9)
    )
    return body + luhn.calc_check_digit(body)


def _address(rng: random.Random, county: geo.Division) -> str:
    names = "".join(county.path_names)
    return (
        f"{names}{rng.choice(STREETS)}路{rng.randint(1, 999)}号{rng.choice(ESTATES)}花园"
        f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 33)}0{rng.randint(1, 4)}室"
    )


def _gps(rng: random.Random) -> tuple[float, float]:
    return round(rng.uniform(22.5, 40.0), 6), round(rng.uniform(105.0, 121.0), 6)


def _order_no(rng: random.Random, county_codes: list[str]) -> str:
    # Half look exactly like resident IDs up to the check digit: real region, real date.
    if rng.random() < 0.5:
        d = dt.date(rng.randint(1960, 2005), rng.randint(1, 12), rng.randint(1, 28))
        return f"{rng.choice(county_codes)}{d:%Y%m%d}{rng.randint(0, 9999):04d}"
    return f"2024{rng.randint(10**13, 10**14 - 1)}"


def _mask_mobile(m: str) -> str:
    return m[:3] + "****" + m[-4:]


def _plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return (
        rng.choice("京沪粤苏浙鄂川")
        + rng.choice(letters[:8])
        + "".join(rng.choice(letters + "0123456789") for _ in range(4))
        + str(rng.randint(0, 9))
    )


def _imei(rng: random.Random) -> str:
    body = "86" + "".join(str(rng.randint(0, 9)) for _ in range(12))
    return body + luhn.calc_check_digit(body)


def _mac(rng: random.Random) -> str:
    first = rng.randrange(0, 256) & 0b11111100
    return ":".join(f"{b:02x}" for b in [first] + [rng.randrange(256) for _ in range(5)])


def label(
    entity: str | None = None,
    *,
    category: str | None = None,
    kind: str = "identifier",
    pi: bool = True,
) -> dict[str, Any]:
    if entity is not None and category is None:
        category = taxonomy.entity_category(entity).key
    if not pi:
        kind = kind if kind != "identifier" else "none"
    sensitive = bool(category) and pi and taxonomy.get(category).sensitive  # type: ignore[arg-type]
    return {"entity": entity, "category": category, "kind": kind, "pi": pi, "sensitive": sensitive}


def tables(rng: random.Random, rows: int) -> dict[str, tuple[list[Column], list[Person]]]:
    counties = [d for d in geo.counties() if not d.placeholder]
    codes = [c.code for c in counties]
    lex = load_lexicon()
    diseases = [t for t, k in lex.items() if k == "disease" and len(t) >= 3][:200]
    drugs = [t for t, k in lex.items() if k == "medication" and len(t) >= 3][:200]
    out: dict[str, tuple[list[Column], list[Person]]] = {}

    ride: list[Column] = [
        ("order_id", lambda r, p: _order_no(r, codes), label(pi=False, kind="lookalike")),
        (
            "created_at",
            lambda r, p: (
                f"2024-0{r.randint(1, 6)}-1{r.randint(0, 9)} 0{r.randint(0, 9)}:1{r.randint(0, 9)}:2{r.randint(0, 9)}"
            ),
            label(pi=False),
        ),
        ("passenger_name", lambda r, p: p["a"].name, label("PERSON_NAME")),
        ("passenger_mobile", lambda r, p: p["a"].mobile, label("CN_MOBILE")),
        ("driver_sfzh", lambda r, p: p["b"].rid, label("CN_RESIDENT_ID")),
        ("cph", lambda r, p: _plate(r), label("CN_LICENSE_PLATE")),
        ("pickup_addr", lambda r, p: p["a"].address, label("ADDRESS")),
        ("pickup_gps", lambda r, p: "{},{}".format(*_gps(r)), label("GPS_COORDINATE")),
        ("col_7", lambda r, p: p["a"].rid, label("CN_RESIDENT_ID")),
        (
            "contact_masked",
            lambda r, p: _mask_mobile(p["a"].mobile),
            label("CN_MOBILE", kind="masked"),
        ),
        ("fare_yuan", lambda r, p: round(r.uniform(8, 200), 2), label(pi=False)),
        ("rating", lambda r, p: r.randint(1, 5), label(pi=False)),
        (
            "remark",
            lambda r, p: r.choice(
                [
                    f"到了给我打电话{p['a'].mobile}",
                    f"我在{p['a'].address}门口，谢谢",
                    "请开空调",
                    f"帮{p['b'].name}叫的车",
                ]
            ),
            label(kind="free_text"),
        ),
    ]
    out["ridehailing_trips"] = (ride, [])

    shop: list[Column] = [
        ("订单号", lambda r, p: _order_no(r, codes), label(pi=False, kind="lookalike")),
        (
            "下单时间",
            lambda r, p: f"2024-05-{r.randint(10, 28)} 1{r.randint(0, 9)}:0{r.randint(0, 9)}:00",
            label(pi=False),
        ),
        ("收货人", lambda r, p: p["a"].name, label("PERSON_NAME")),
        ("收货人手机", lambda r, p: p["a"].mobile, label("CN_MOBILE")),
        ("收货地址", lambda r, p: p["a"].address, label("ADDRESS")),
        ("邮箱", lambda r, p: p["a"].email, label("EMAIL")),
        ("银行卡号", lambda r, p: p["a"].card, label("BANK_CARD")),
        (
            "身份证号",
            lambda r, p: p["a"].rid[:3] + "*" * 11 + p["a"].rid[-4:],
            label("CN_RESIDENT_ID", kind="masked"),
        ),
        (
            "联系方式",
            lambda r, p: p["a"].mobile if r.random() < 0.65 else p["a"].email,
            label("CN_MOBILE"),
        ),
        ("买家QQ", lambda r, p: p["a"].qq, label("QQ_NUMBER")),
        ("商品名称", lambda r, p: r.choice(PRODUCTS), label(pi=False)),
        ("金额", lambda r, p: round(r.uniform(5, 999), 2), label(pi=False)),
        ("快递单号", lambda r, p: f"SF{r.randint(10**11, 10**12 - 1)}", label(pi=False)),
        ("col_3", lambda r, p: p["a"].email, label("EMAIL")),
        (
            "备注",
            lambda r, p: r.choice(
                [
                    f"放快递柜，电话{p['a'].mobile}",
                    "周末送货",
                    f"收件人{p['a'].name}，谢谢",
                    "发票抬头个人",
                ]
            ),
            label(kind="free_text"),
        ),
    ]
    out["shop_orders"] = (shop, [])

    health: list[Column] = [
        ("jzh", lambda r, p: f"HC{r.randint(10**9, 10**10 - 1)}", label(pi=False)),
        ("xm", lambda r, p: p["a"].name, label("PERSON_NAME")),
        ("xb", lambda r, p: p["a"].gender, label(category="basic.gender", kind="category")),
        ("csrq", lambda r, p: p["a"].birth.isoformat(), label("DATE_OF_BIRTH")),
        ("sfzh", lambda r, p: p["a"].rid, label("CN_RESIDENT_ID")),
        ("sjh", lambda r, p: p["a"].mobile, label("CN_MOBILE")),
        ("hzh", lambda r, p: p["a"].passport, label("CN_PASSPORT")),
        ("jtdz", lambda r, p: p["a"].address, label("ADDRESS")),
        ("ks", lambda r, p: r.choice(DEPTS), label(pi=False)),
        ("zd", lambda r, p: r.choice(diseases), label("HEALTH_CONDITION")),
        ("yp", lambda r, p: r.choice(drugs), label("HEALTH_CONDITION")),
        (
            "zy",
            lambda r, p: p["a"].occupation,
            label(category="education_work.occupation", kind="category"),
        ),
        ("yb", lambda r, p: p["a"].postcode, label(category="location.coarse", kind="category")),
        (
            "sfzh_sha256",
            lambda r, p: hashlib.sha256(p["a"].rid.encode()).hexdigest(),
            label("CN_RESIDENT_ID", kind="hashed"),
        ),
        (
            "bz",
            lambda r, p: r.choice(
                [
                    f"患者{p['a'].name}，{r.choice(diseases)}，复诊",
                    "按时服药，一周后复查",
                    f"家属电话{p['b'].mobile}",
                ]
            ),
            label(kind="free_text"),
        ),
        ("fee", lambda r, p: round(r.uniform(10, 500), 1), label(pi=False)),
    ]
    out["health_visits"] = (health, [])

    home: list[Column] = [
        ("device_sn", lambda r, p: f"SN{r.randint(10**9, 10**10 - 1)}", label(pi=False)),
        ("mac", lambda r, p: _mac(r), label("MAC_ADDRESS")),
        ("imei", lambda r, p: _imei(r), label("IMEI")),
        ("ownerName", lambda r, p: p["a"].name, label("PERSON_NAME")),
        ("ownerPhone", lambda r, p: int(p["a"].mobile), label("CN_MOBILE")),
        ("installAddress", lambda r, p: p["a"].address, label("ADDRESS")),
        ("lat", lambda r, p: _gps(r)[0], label("GPS_COORDINATE")),
        ("lng", lambda r, p: _gps(r)[1], label("GPS_COORDINATE")),
        ("client_ip", lambda r, p: f"203.0.113.{r.randint(1, 254)}", label("IP_ADDRESS")),
        (
            "wifi_password",
            lambda r, p: "".join(r.choice("abcdefXYZ0123456789#!") for _ in range(10)),
            label("CREDENTIAL"),
        ),
        ("col_11", lambda r, p: p["a"].mobile, label("CN_MOBILE")),
        (
            "firmware",
            lambda r, p: f"v{r.randint(1, 5)}.{r.randint(0, 20)}.{r.randint(0, 99)}",
            label(pi=False),
        ),
        (
            "nl",
            lambda r, p: TODAY.year - p["a"].birth.year,
            label(category="basic.age", kind="category"),
        ),
        (
            "城市",
            lambda r, p: p["a"].county.path_names[0],
            label(category="location.coarse", kind="category"),
        ),
        ("volume", lambda r, p: r.randint(0, 100), label(pi=False)),
    ]
    out["smarthome_devices"] = (home, [])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/piguard-discovery-bench"))
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20241126)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    counties = [d for d in geo.counties() if not d.placeholder]
    people = [Person(rng, counties, 0.1) for _ in range(max(args.rows // 3, 10))]
    args.out.mkdir(parents=True, exist_ok=True)
    labels = []
    for name, (columns, _) in tables(rng, args.rows).items():
        header = [c[0] for c in columns]
        rows = []
        for _ in range(args.rows):
            ctx = {"a": rng.choice(people), "b": rng.choice(people)}
            rows.append([fn(rng, ctx) for _, fn, _ in columns])
        with (args.out / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
        for col, _, lab in columns:
            labels.append({"file": f"{name}.csv", "table": f"{name}.csv", "column": col, **lab})
        if name == "smarthome_devices":
            # The same table as Parquet and SQLite: phone numbers stored as integers.
            import pyarrow as pa
            import pyarrow.parquet as pq

            data = {h: [r[i] for r in rows] for i, h in enumerate(header)}
            pq.write_table(pa.table(data), args.out / f"{name}.parquet")
            for col, _, lab in columns:
                labels.append(
                    {"file": f"{name}.parquet", "table": f"{name}.parquet", "column": col, **lab}
                )
            db = args.out / "smarthome.db"
            db.unlink(missing_ok=True)
            conn = sqlite3.connect(db)
            cols = ", ".join(f'"{h}"' for h in header)
            conn.execute(f"CREATE TABLE devices ({cols})")
            conn.executemany(f"INSERT INTO devices VALUES ({', '.join('?' * len(header))})", rows)
            conn.commit()
            conn.close()
            for col, _, lab in columns:
                labels.append({"file": "smarthome.db", "table": "devices", "column": col, **lab})
    with (args.out / "labels.jsonl").open("w", encoding="utf-8") as fh:
        for rec in labels:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(labels)} labelled columns to {args.out}")


if __name__ == "__main__":
    main()
