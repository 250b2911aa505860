"""Explanation of the processing rules for one person (解释说明; PIPL Art. 48).

Built from what piguard knows without showing any value: the tables of the description that
hold the person's rows (row counts from the walk), the PI categories written for those
tables, what deletion would do to each (delete, mask, or keep under a legal hold with its
reason and end), and, when a data map is given, for each of those categories the business
functions that collect it with their purposes, legal bases, retention periods, recipients and
cross-border transfers. A category of the description matches a data-map item when one key is
the other or lies below it (``basic.phone`` and ``basic.phone.mobile``).

The result is a JSON document (schema ``piguard.explanation/1``) and the same content as
Markdown for the person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from piguard import taxonomy
from piguard.datamap import DataMap
from piguard.rights.dataset import Description, TableSpec
from piguard.rights.store import COMPLAINT_ROUTE, Request

__all__ = ["EXPLANATION_SCHEMA", "explanation", "explanation_markdown"]

EXPLANATION_SCHEMA = "piguard.explanation/1"

_RIGHTS = [
    ("access / copy / portability (查阅、复制、转移)", "PIPL Art. 45; GB/T 35273-2020 8.1, 8.6"),
    ("correction (更正、补充)", "PIPL Art. 46; GB/T 35273-2020 8.2"),
    ("deletion (删除)", "PIPL Art. 47; GB/T 35273-2020 8.3"),
    ("consent withdrawal (撤回同意)", "PIPL Art. 15; GB/T 35273-2020 8.4"),
    ("account cancellation (注销账户)", "GB/T 35273-2020 8.5"),
]


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _category(key: str) -> dict[str, Any]:
    try:
        c = taxonomy.get(key)
    except Exception:  # the description was checked on load; keep going for a stale key
        return {"key": key, "name_zh": key, "name_en": key, "sensitive": False}
    return {"key": key, "name_zh": c.name_zh, "name_en": c.name_en, "sensitive": c.sensitive}


def _erasure(spec: TableSpec, today: dt.date) -> dict[str, Any]:
    e = spec.erasure
    if e.action == "hold":
        return {
            "action": "hold" if e.held(today) else "delete",
            "reason": e.reason,
            "until": e.until.isoformat() if e.until else None,
            "in_force": e.held(today),
        }
    if e.action == "mask":
        return {"action": "mask", "columns": sorted(e.mask)}
    return {"action": "delete"}


def _processing(datamap: DataMap, category: str) -> list[dict[str, Any]]:
    out = []
    for system in datamap.systems:
        for fn in system.functions:
            for item in fn.pi:
                if not _related(category, item.category):
                    continue
                out.append(
                    {
                        "system": system.name or system.id,
                        "function": fn.name or fn.id,
                        "function_type": fn.type.value if fn.type else None,
                        "category": item.category,
                        "purposes": list(item.purposes or fn.purposes),
                        "legal_basis": [b.value for b in item.legal_basis],
                        "retention": item.retention.text if item.retention else None,
                        "recipients": [
                            {"name": r.name, "type": r.type.value, "country": r.country}
                            for r in item.recipients
                        ],
                        "cross_border": [
                            {
                                "country": x.country,
                                "recipient": x.recipient,
                                "legal_basis": [b.value for b in x.legal_basis],
                            }
                            for x in item.cross_border
                        ],
                    }
                )
    return out


def explanation(
    request: Request,
    description: Description,
    rows: dict[str, dict[str, int]],
    *,
    datamap: DataMap | None = None,
    today: dt.date,
    created: str,
) -> dict[str, Any]:
    """The explanation document; ``rows`` is datastore → table → the person's row count."""
    holdings = []
    tables_of: dict[str, list[str]] = {}
    for name in sorted(description.datastores):
        ds = description.datastores[name]
        for table in sorted(ds.tables):
            n = rows.get(name, {}).get(table, 0)
            if not n:
                continue
            spec = ds.tables[table]
            cats = sorted(set(spec.pi.values()))
            for c in cats:
                tables_of.setdefault(c, []).append(f"{name}.{table}")
            holdings.append(
                {
                    "datastore": name,
                    "table": table,
                    "rows": n,
                    "categories": [_category(c) for c in cats],
                    "erasure": _erasure(spec, today),
                }
            )
    categories = []
    for key in sorted(tables_of):
        entry = _category(key) | {"tables": tables_of[key]}
        if datamap is not None:
            entry["processing"] = _processing(datamap, key)
        categories.append(entry)
    return {
        "schema": EXPLANATION_SCHEMA,
        "request": request.id,
        "created": created,
        "organisation": datamap.organisation if datamap is not None else None,
        "datamap": datamap.source if datamap is not None else None,
        "holdings": holdings,
        "categories": categories,
        "rights": [{"right": r, "basis": b} for r, b in _RIGHTS],
        "complaint_route": COMPLAINT_ROUTE,
    }


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def explanation_markdown(doc: dict[str, Any]) -> str:
    """The explanation for the person, as Markdown."""
    out = ["# 个人信息处理规则说明 (How your personal information is processed)", ""]
    who = f" by {doc['organisation']}" if doc.get("organisation") else ""
    out += [
        f"Request `{doc['request']}`, prepared {doc['created']}{who} "
        "(PIPL Art. 48: 解释说明). No values of your data are shown here; request a copy "
        "(access) to see them.",
        "",
        "## 我们保存的您的个人信息 (Where your personal information is held)",
        "",
    ]
    if not doc["holdings"]:
        out += ["We hold no rows of yours in the datastores described.", ""]
    else:
        out += [
            "| datastore | table | your rows | categories | on deletion |",
            "|---|---|---|---|---|",
        ]
        for h in doc["holdings"]:
            cats = ", ".join(
                f"{c['name_zh']} ({c['key']}{', 敏感 sensitive' if c['sensitive'] else ''})"
                for c in h["categories"]
            )
            e = h["erasure"]
            if e["action"] == "hold":
                until = f" until {e['until']}" if e["until"] else ""
                what = f"kept under a legal hold{until}: {e['reason']}"
            elif e["action"] == "mask":
                what = "de-identified (" + ", ".join(e["columns"]) + ")"
            else:
                what = "deleted"
            out.append(
                f"| {_cell(h['datastore'])} | {_cell(h['table'])} | {h['rows']} "
                f"| {_cell(cats or '-')} | {_cell(what)} |"
            )
        out.append("")
    if doc.get("datamap") is not None or any("processing" in c for c in doc["categories"]):
        out += [
            "## 处理目的、法律依据、接收方与出境 (Purposes, legal bases, recipients, transfers)",
            "",
        ]
        for c in doc["categories"]:
            out.append(f"### {c['name_zh']} ({c['name_en']}, `{c['key']}`)")
            out.append("")
            procs = c.get("processing") or []
            if not procs:
                out += ["Not in the data map.", ""]
                continue
            for p in procs:
                basis = ", ".join(p["legal_basis"]) or "-"
                keep = f"; kept {p['retention']}" if p["retention"] else ""
                out.append(
                    f"- {p['function']} ({p['system']}): for {', '.join(p['purposes']) or '-'}"
                    f"; legal basis {basis}{keep}"
                )
                for r in p["recipients"]:
                    where = f", {r['country']}" if r["country"] else ""
                    out.append(f"  - shared with {r['name']} ({r['type']}{where})")
                for x in p["cross_border"]:
                    out.append(
                        f"  - transferred abroad to {x['recipient']} in {x['country']} "
                        f"({', '.join(x['legal_basis']) or 'no basis recorded'})"
                    )
            out.append("")
    out += ["## 您的权利 (Your rights)", ""]
    out += [f"- {r['right']}: {r['basis']}" for r in doc["rights"]]
    out += ["", doc["complaint_route"], ""]
    return "\n".join(out)
