"""Scan summaries and the self-contained HTML report.

The HTML report is one file with inline CSS and inline SVG charts: no script, no CDN, no
font download, so it opens offline and can be mailed. It shows masked previews only, unless
the caller passes ``show_values=True`` (the CLI's ``--show-values``).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from piguard import taxonomy
from piguard._util.svg import bar_chart
from piguard.detect.engine import Finding

__all__ = ["Summary", "render_html"]


@dataclass
class Summary:
    """Counts of a scan: per entity, per grade (GB/T 35273-2020) and per category.

    >>> s = Summary()
    >>> from piguard.detect import Scanner
    >>> for f in Scanner(entities=["CN_MOBILE", "BANK_CARD"]).scan_text("手机13800138000"):
    ...     s.add(f)
    >>> s.to_dict()["by_grade"]
    {'sensitive': 0, 'ordinary': 1}
    """

    sources: int = 0
    lines: int = 0
    findings: int = 0
    by_entity: Counter[str] = field(default_factory=Counter)
    by_category: Counter[str] = field(default_factory=Counter)
    by_grade: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        """Count one finding."""
        self.findings += 1
        self.by_entity[finding.entity] += 1
        self.by_category[finding.category] += 1
        self.by_grade["sensitive" if finding.sensitive else "ordinary"] += 1

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data (entities in DESIGN.md order)."""
        order = {e: i for i, e in enumerate(taxonomy.ENTITIES)}
        return {
            "sources": self.sources,
            "lines": self.lines,
            "findings": self.findings,
            "by_entity": {
                e: self.by_entity[e]
                for e in sorted(self.by_entity, key=lambda e: (order.get(e, 99), e))
            },
            "by_grade": {
                "sensitive": self.by_grade["sensitive"],
                "ordinary": self.by_grade["ordinary"],
            },
            "by_category": dict(sorted(self.by_category.items())),
            "skipped": list(self.skipped),
        }


_CSS = """
body{font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;
margin:2rem;color:#1f2328;background:#fff}h1{font-size:1.5rem}h2{font-size:1.15rem;
margin-top:2rem}table{border-collapse:collapse;font-size:.9rem}th,td{border-bottom:1px solid
#d0d7de;padding:.3rem .6rem;text-align:left}th{background:#f6f8fa}.sens{color:#b42318;
font-weight:600}.muted{color:#57606a}.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{
border:1px solid #d0d7de;border-radius:6px;padding:.7rem 1rem;min-width:9rem}.card b{
display:block;font-size:1.4rem}code{font-family:ui-monospace,Consolas,monospace}
"""


def _bar_chart(counts: list[tuple[str, int]], *, colors: dict[str, str] | None = None) -> str:
    if not counts:
        return '<p class="muted">nothing found</p>'
    return bar_chart(counts, colors=colors)


def render_html(
    findings: Iterable[Finding],
    summary: Summary,
    *,
    show_values: bool = False,
    title: str = "piguard scan report",
    max_rows: int = 5000,
) -> str:
    """The report as one HTML document (previews masked unless ``show_values``)."""
    data = summary.to_dict()
    esc = html.escape
    rows = []
    shown = 0
    for f in findings:
        if shown >= max_rows:
            continue
        shown += 1
        value = f.value if show_values else f.preview
        cls = ' class="sens"' if f.sensitive else ""
        rows.append(
            f"<tr><td>{esc(f.source)}</td><td>{f.line}</td><td>{f.start}-{f.end}</td>"
            f"<td{cls}>{esc(f.entity)}</td><td>{esc(f.category)}</td>"
            f"<td>{'sensitive' if f.sensitive else 'ordinary'}</td><td>{f.score:.2f}</td>"
            f'<td><code>{esc(value)}</code></td><td class="muted">{esc(f.explanation)}</td></tr>'
        )
    more = ""
    if data["findings"] > shown:
        more = f'<p class="muted">Showing the first {shown} of {data["findings"]} findings.</p>'
    entity_chart = _bar_chart(list(data["by_entity"].items()))
    grade_chart = _bar_chart(
        [
            ("sensitive 敏感", data["by_grade"]["sensitive"]),
            ("ordinary 一般", data["by_grade"]["ordinary"]),
        ],
        colors={"sensitive 敏感": "#b42318", "ordinary 一般": "#57606a"},
    )
    skipped = "".join(f"<li>{esc(s)}</li>" for s in data["skipped"])
    values_note = (
        '<p class="sens">This report shows raw values (--show-values): handle it as '
        "personal information.</p>"
        if show_values
        else '<p class="muted">Values are masked; rerun with --show-values to see them.</p>'
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>
<body><h1>{esc(title)}</h1>{values_note}
<div class="cards"><div class="card"><b>{data["findings"]}</b>findings</div>
<div class="card"><b>{data["by_grade"]["sensitive"]}</b>sensitive 个人敏感信息</div>
<div class="card"><b>{data["by_grade"]["ordinary"]}</b>ordinary 一般个人信息</div>
<div class="card"><b>{data["sources"]}</b>sources</div>
<div class="card"><b>{data["lines"]}</b>lines</div></div>
<h2>By entity</h2>{entity_chart}
<h2>By grade (GB/T 35273-2020 Appendix B)</h2>{grade_chart}
<h2>Findings</h2>{more}
<table><thead><tr><th>source</th><th>line</th><th>span</th><th>entity</th><th>category</th>
<th>grade</th><th>score</th><th>preview</th><th>why</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
{f"<h2>Skipped</h2><ul>{skipped}</ul>" if skipped else ""}
</body></html>
"""
