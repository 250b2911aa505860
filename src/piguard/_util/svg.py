"""Inline SVG charts for piguard's self-contained HTML reports (no script, no CDN)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

__all__ = ["bar_chart"]


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.4g}"


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str | None = None,
    color: str = "#0969da",
    colors: Mapping[str, str] | None = None,
    width: int = 640,
    label_width: int = 190,
    bar_height: int = 20,
    percent: bool = False,
) -> str:
    """A horizontal bar chart, one ``(label, value)`` per row, as one ``<svg>`` element.

    Labels are escaped and cut to 32 characters; ``colors`` picks a colour per label;
    ``percent`` shows values in [0, 1] as percentages.

    >>> svg = bar_chart([("CN_MOBILE", 94), ("<b>", 3)], title="By entity")
    >>> svg.startswith("<svg") and "&lt;b&gt;" in svg and ">94<" in svg
    True
    >>> ">12.50 %<" in bar_chart([("x", 0.125)], percent=True)
    True
    """
    top = max([v for _, v in items] + [1e-12])
    head = 26 if title else 0
    row = bar_height + 6
    height = head + row * len(items) + 4
    label = f' aria-label="{html.escape(title)}"' if title else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img"{label}>'
    ]
    if title:
        parts.append(
            f'<text x="0" y="14" font-size="13" font-weight="600">{html.escape(title)}</text>'
        )
    span = width - label_width - 80
    for i, (name, value) in enumerate(items):
        y = head + i * row
        w = max(1.0, span * value / top) if value > 0 else 0.0
        shown = f"{value * 100:.2f} %" if percent else _number(value)
        fill = (colors or {}).get(name, color)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 6}" font-size="12" '
            f'text-anchor="end">{html.escape(name[:32])}</text>'
            f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_height}" '
            f'fill="{fill}"/>'
            f'<text x="{label_width + w + 6:.1f}" y="{y + bar_height - 6}" font-size="12">'
            f"{shown}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
