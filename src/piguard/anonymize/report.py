"""A self-contained HTML report of an anonymisation run: inline CSS and SVG, no scripts,
nothing fetched from a network. It shows numbers about the data, never values from it."""

from __future__ import annotations

from html import escape
from typing import Any

from piguard._util.svg import bar_chart

__all__ = ["render_html"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",
sans-serif;margin:2rem auto;max-width:60rem;color:#1b1f24;line-height:1.45;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.25rem .75rem;text-align:left;
border-bottom:1px solid #eaeef2}th{background:#f6f8fa}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#57606a;font-size:.9rem}svg text{font-size:12px;fill:#1b1f24}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;
vertical-align:middle}
"""

_BEFORE = "#cf222e"
_AFTER = "#1a7f37"
_BAR = "#0969da"


def _fmt(x: Any) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.4g}"
    if isinstance(x, int):
        return f"{x:,}"
    return escape(str(x))


def _paired(items: list[tuple[str, float, float]], *, width: int = 640) -> str:
    """Paired horizontal bars (before / after), values in [0, 1] shown as percentages."""
    row = 34
    label_w = 190
    height = row * len(items) + 10
    out = [f'<svg width="{width}" height="{height}" role="img" xmlns="http://www.w3.org/2000/svg">']
    span = width - label_w - 80
    for i, (label, before, after) in enumerate(items):
        y = 5 + i * row
        out.append(f'<text x="0" y="{y + 18}">{escape(label)}</text>')
        for j, (value, color) in enumerate(((before, _BEFORE), (after, _AFTER))):
            w = span * max(0.0, min(1.0, value))
            yy = y + 2 + j * 14
            out.append(f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="12" fill="{color}"/>')
            out.append(f'<text x="{label_w + w + 6:.1f}" y="{yy + 11}">{value * 100:.2f} %</text>')
    out.append("</svg>")
    return "".join(out)


def _columns(items: list[tuple[str, int]], *, width: int = 640, height: int = 220) -> str:
    """Vertical bar chart (histogram)."""
    n = max(1, len(items))
    slot = (width - 20) / n
    top = max([v for _, v in items] + [1])
    base = height - 40
    out = [f'<svg width="{width}" height="{height}" role="img" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value) in enumerate(items):
        h = (base - 20) * value / top
        x = 10 + i * slot
        mid = f'x="{x + slot / 2:.1f}"'
        out.append(
            f'<rect x="{x + 6:.1f}" y="{base - h:.1f}" width="{slot - 12:.1f}"'
            f' height="{h:.1f}" fill="{_BAR}"/>'
        )
        out.append(f'<text {mid} y="{base - h - 4:.1f}" text-anchor="middle">{value:,}</text>')
        out.append(f'<text {mid} y="{base + 16}" text-anchor="middle">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def render_html(report: dict[str, Any]) -> str:
    """The HTML page for a report made by :meth:`AnonymizationResult.report`."""
    rb, ra = report["risk_before"], report["risk_after"]
    trans = report["transformation"]
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td class=n>{t['level']}</td><td class=n>{t['max_level']}</td>"
        f"<td class=n>{_fmt(report['loss_per_attribute'].get(name))}</td></tr>"
        for name, t in trans.items()
    )
    hist = [
        (
            f"{b['min']}–{b['max']}"
            if b["max"] is not None and b["max"] != b["min"]
            else (f"{b['min']}" if b["max"] is not None else f"≥{b['min']}"),
            b["classes"],
        )
        for b in report["classes"]["histogram"]
    ]
    risk_items = [
        ("prosecutor, highest", rb["prosecutor_highest"], ra["prosecutor_highest"]),
        ("prosecutor, average", rb["prosecutor_average"], ra["prosecutor_average"]),
        (f"records above {rb['threshold']:g}", rb["prosecutor_at_risk"], ra["prosecutor_at_risk"]),
        ("journalist, highest", rb["journalist_highest"], ra["journalist_highest"]),
        ("marketer, average", rb["marketer_average"], ra["marketer_average"]),
        ("sample uniques", rb["sample_uniqueness"], ra["sample_uniqueness"]),
    ]
    if rb.get("population_uniqueness") is not None:
        risk_items.append(
            ("population uniques", rb["population_uniqueness"], ra["population_uniqueness"])
        )
    risk_rows = "".join(
        f"<tr><td>{escape(label)}</td><td class=n>{b:.4%}</td><td class=n>{a:.4%}</td></tr>"
        for label, b, a in risk_items
    )
    loss_items = [(name, float(v)) for name, v in report["loss_per_attribute"].items()]
    search = report["search"]
    summary = [
        ("records", report["records"]),
        ("privacy models", "; ".join(report["privacy_models"])),
        ("suppression limit", f"{report['max_suppression']:.2%}"),
        ("suppressed records", report["suppressed_records"]),
        ("quality model", report["quality_model"]),
        (f"{report['quality_model']} (lower is better)", report["loss"]),
        ("equivalence classes", report["classes"]["count"]),
        ("smallest class", report["classes"]["smallest"]),
        (
            "transformations checked",
            f"{search['nodes_checked']:,} of {search['nodes_total']:,}"
            + ("" if search["optimal"] else " (heuristic: may not be optimal)"),
        ),
        ("time", f"{report['time_s'] * 1000:.0f} ms"),
    ]
    summary_rows = "".join(f"<tr><th>{escape(k)}</th><td>{_fmt(v)}</td></tr>" for k, v in summary)
    loss_chart = (
        bar_chart(loss_items, color=_BAR)
        if loss_items
        else "<p class=note>This quality model has no per-attribute parts.</p>"
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>piguard anonymisation report</title><style>{_CSS}</style></head>
<body>
<h1>Anonymisation report (匿名化报告)</h1>
<p class=note>Source: {escape(str(report["source"]))}. Risk follows GB/T 37964-2019 Appendix B
(record risk = 1 / class size).</p>
<h2>Summary</h2><table>{summary_rows}</table>
<h2>Transformation (泛化层级)</h2>
<table><tr><th>quasi-identifier</th><th>level</th><th>of</th><th>loss</th></tr>{rows}</table>
<h2>Loss per attribute</h2>{loss_chart}
<h2>Equivalence-class sizes (released records)</h2>{_columns(hist)}
<h2>Re-identification risk (重标识风险), before and after</h2>
<p class=legend><span style="background:{_BEFORE}"></span>before
<span style="background:{_AFTER}"></span>after</p>
{_paired(risk_items)}
<table><tr><th>measure</th><th>before</th><th>after</th></tr>{risk_rows}</table>
</body></html>
"""
