"""One self-contained HTML page: summary, a chart of the monthly S3 storage cost by storage class
(inline SVG, no scripts, no network), the cost per app and resource, line items and notes."""

from __future__ import annotations

from html import escape
from typing import Any

from obsctl.cost.model import Comparison, Estimate
from obsctl.cost.text import NAIVE, class_order, headline, line_text, money, percent
from obsctl.cost.units import MONTH_DAYS

APP_COLORS = {
    "mimir": "#f2a33a",
    "loki": "#3a8ef2",
    "tempo": "#4fb286",
    "shared": "#d16f9e",
    "operations": "#8a6fd1",
    "other": "#9aa0a6",
}
NAIVE_COLOR = "#c7cbd1"
STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 60rem; color: #1f2328; padding: 0 1rem; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.sub { color: #59636e; margin-top: 0; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; }
.card { border: 1px solid #d1d9e0; border-radius: 6px; padding: .6rem 1rem; min-width: 9rem; }
.card b { display: block; font-size: 1.3rem; }
table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
th, td { border-bottom: 1px solid #e6e9ed; padding: .25rem .5rem; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.app td { font-weight: 600; background: #f6f8fa; }
code { font-size: .85em; } ul.notes li { margin-bottom: .3rem; }
.warnings { border: 1px solid #d1242f; background: #ffebe9; border-radius: 6px;
            padding: .4rem 1rem; margin: 1rem 0; }
"""


def _chart(estimate: Estimate, comparison: Comparison | None) -> str:
    storage = estimate.storage_by_class()
    naive = comparison.naive.storage_by_class() if comparison is not None else {}
    classes = class_order(set(storage) | set(naive))
    if not classes:
        return "<p>No S3 storage in this estimate.</p>"
    apps = [app for app in APP_COLORS if any(app in storage.get(cls, {}) for cls in classes)]
    totals = {cls: sum(storage.get(cls, {}).values()) for cls in classes}
    naive_totals = {cls: sum(naive.get(cls, {}).values()) for cls in classes}
    peak = max([*totals.values(), *naive_totals.values(), 0.01])
    label_width, bar_width, bar, gap = 250, 420, 16, 14
    row = bar * (2 if comparison is not None else 1) + gap
    top = 34
    height = top + row * len(classes) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 90}" '
        f'height="{height}" role="img" aria-label="Monthly S3 storage cost by storage class">'
    ]
    x = label_width
    legend = [(app, APP_COLORS[app]) for app in apps]
    if comparison is not None:
        legend.append(("naive", NAIVE_COLOR))
    for name, color in legend:
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{x + 16}" y="16" font-size="12">{escape(name)}</text>')
        x += 24 + 8 * len(name)
    for index, cls in enumerate(classes):
        y = top + index * row
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar - 4}" font-size="12" '
            f'text-anchor="end">{escape(cls)}</text>'
        )
        offset = float(label_width)
        for app in apps:
            usd = storage.get(cls, {}).get(app, 0.0)
            width = bar_width * usd / peak
            if width > 0:
                parts.append(
                    f'<rect x="{offset:.1f}" y="{y}" width="{width:.1f}" height="{bar}" '
                    f'fill="{APP_COLORS[app]}"><title>{escape(app)} {escape(cls)}: '
                    f"{money(usd)} USD/month</title></rect>"
                )
            offset += width
        parts.append(
            f'<text x="{offset + 6:.1f}" y="{y + bar - 4}" font-size="12">'
            f"{money(totals[cls])}</text>"
        )
        if comparison is not None:
            width = bar_width * naive_totals[cls] / peak
            parts.append(
                f'<rect x="{label_width}" y="{y + bar}" width="{width:.1f}" height="{bar - 4}" '
                f'fill="{NAIVE_COLOR}"><title>naive {escape(cls)}: '
                f"{money(naive_totals[cls])} USD/month</title></rect>"
            )
            parts.append(
                f'<text x="{label_width + width + 6:.1f}" y="{y + 2 * bar - 6}" font-size="11" '
                f'fill="#59636e">{money(naive_totals[cls])}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _warnings(warnings: tuple[str, ...]) -> list[str]:
    if not warnings:
        return []
    items = "".join(f"<li>{escape(warning)}</li>" for warning in warnings)
    return [f'<div class="warnings" role="alert"><b>Warnings</b><ul>{items}</ul></div>']


def render_html(estimate: Estimate, comparison: Comparison | None = None, **_: Any) -> str:
    apps = estimate.by_app()
    cards = [("Monthly total", f"{money(estimate.total)} USD")]
    cards += [(service, money(usd)) for service, usd in estimate.by_service().items()]
    if comparison is not None:
        cards.append(
            (
                "Saving vs naive",
                f"{money(comparison.savings)} "
                f"({percent(comparison.savings, comparison.naive.total)})",
            )
        )
    body = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>obsctl cost: {escape(estimate.environment or 'plan')}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Monthly cost estimate: {money(estimate.total)} USD</h1>",
        f'<p class="sub">{escape(headline(estimate))}. Steady state, {MONTH_DAYS:g}-day month.</p>',
        *_warnings(estimate.warnings),
        '<div class="cards">',
        *(
            f'<div class="card">{escape(title)}<b>{escape(value)}</b></div>'
            for title, value in cards
        ),
        "</div>",
        "<h2>S3 storage by storage class (USD/month)</h2>",
        _chart(estimate, comparison),
        "<h2>Per app and resource</h2>",
        '<table><tr><th>App / resource</th><th>Service</th><th class="n">USD/month</th></tr>',
    ]
    resources = estimate.by_resource()
    for app, total in apps.items():
        body.append(
            f'<tr class="app"><td>{escape(app)}</td><td></td><td class="n">{money(total)}</td></tr>'
        )
        for (owner, resource, service), usd in resources.items():
            if owner == app:
                body.append(
                    f"<tr><td><code>{escape(resource)}</code></td><td>{escape(service)}</td>"
                    f'<td class="n">{money(usd)}</td></tr>'
                )
    body.append(
        f'<tr class="app"><td>Total</td><td></td><td class="n">{money(estimate.total)}</td></tr>'
        "</table>"
    )
    if comparison is not None:
        naive, savings = comparison.naive.by_app(), comparison.savings_by_app()
        body += [
            f"<h2>Compared with a naive stack ({escape(NAIVE)})</h2>",
            '<table><tr><th>App</th><th class="n">This</th><th class="n">Naive</th>'
            '<th class="n">Saving</th></tr>',
        ]
        body += [
            f'<tr><td>{escape(app)}</td><td class="n">{money(apps[app])}</td>'
            f'<td class="n">{money(naive.get(app, 0.0))}</td>'
            f'<td class="n">{money(savings[app])}</td></tr>'
            for app in apps
        ]
        body.append(
            f'<tr class="app"><td>Total</td><td class="n">{money(estimate.total)}</td>'
            f'<td class="n">{money(comparison.naive.total)}</td>'
            f'<td class="n">{money(comparison.savings)}</td></tr></table>'
        )
    body += ["<h2>Line items</h2><details><summary>Show all</summary><table>"]
    body += [
        f"<tr><td>{escape(line.app)}</td><td><code>{escape(line.resource)}</code></td>"
        f"<td>{escape(line_text(line))}</td></tr>"
        for line in estimate.lines
    ]
    body.append("</table></details>")
    if estimate.notes:
        body.append('<h2>Notes</h2><ul class="notes">')
        body += [f"<li>{escape(note)}</li>" for note in estimate.notes]
        body.append("</ul>")
    body.append("</body></html>")
    return "\n".join(body) + "\n"
