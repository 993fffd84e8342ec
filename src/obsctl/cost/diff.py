"""The cost of a change: two estimates (a base plan and the new one) side by side, per resource,
in every report format, as Infracost's `diff` shows a pull request's change.

`diff(before, after)` pairs the resources of both estimates by (app, resource, service);
a resource is added, removed, changed or unchanged. The renderers show the total change first,
then what changed, then the new plan's warnings.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from html import escape
from typing import Any

from obsctl.cost.model import Estimate
from obsctl.cost.render import estimate_document, markdown_warnings, warning_lines
from obsctl.cost.text import headline, money
from obsctl.cost.units import MONTH_DAYS

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
SIGNS = {ADDED: "+", REMOVED: "-", CHANGED: "~", UNCHANGED: " "}
CENT = 0.005


@dataclass(frozen=True)
class ResourceChange:
    app: str
    resource: str
    service: str
    before: float
    after: float
    change: str

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class CostDiff:
    before: Estimate
    after: Estimate
    resources: tuple[ResourceChange, ...]

    @property
    def delta(self) -> float:
        return self.after.total - self.before.total

    def changed(self) -> list[ResourceChange]:
        return [item for item in self.resources if item.change != UNCHANGED]

    def by_app(self) -> dict[str, tuple[float, float]]:
        totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for item in self.resources:
            totals[item.app][0] += item.before
            totals[item.app][1] += item.after
        return {app: (before, after) for app, (before, after) in totals.items()}


def diff(before: Estimate, after: Estimate) -> CostDiff:
    old, new = before.by_resource(), after.by_resource()
    resources = []
    for key in [*new, *(key for key in old if key not in new)]:
        app, resource, service = key
        if key not in old:
            change = ADDED
        elif key not in new:
            change = REMOVED
        else:
            change = CHANGED if abs(new[key] - old[key]) >= CENT else UNCHANGED
        resources.append(
            ResourceChange(app, resource, service, old.get(key, 0.0), new.get(key, 0.0), change)
        )
    order = {ADDED: 0, REMOVED: 1, CHANGED: 2, UNCHANGED: 3}
    resources.sort(key=lambda item: (order[item.change], -abs(item.delta), item.resource))
    return CostDiff(before, after, tuple(resources))


def signed(usd: float) -> str:
    return f"{'+' if usd >= 0 else '-'}{money(abs(usd))}"


def _percent(delta: float, before: float) -> str:
    return f" ({100.0 * delta / before:+.0f}%)" if before else ""


def summary(change: CostDiff) -> str:
    return (
        f"{signed(change.delta)} USD a month{_percent(change.delta, change.before.total)}: "
        f"{money(change.before.total)} -> {money(change.after.total)}"
    )


def render_table(change: CostDiff) -> str:
    rows = [
        f"Monthly cost change: {summary(change)}.",
        f"New: {headline(change.after)}.",
        f"Base: {headline(change.before)}.",
        f"Steady state, USD per {MONTH_DAYS:g}-day month.",
        "",
        *warning_lines(change.after.warnings),
    ]
    changed = change.changed()
    if not changed:
        rows.append("No resource changes cost.")
    width = max([len(item.resource) for item in changed] + [len("RESOURCE")])
    if changed:
        rows.append(
            f"  {'APP':<10}  {'RESOURCE':<{width}}  {'SERVICE':<10}  {'BEFORE':>10}  "
            f"{'AFTER':>10}  {'CHANGE':>10}"
        )
    for item in changed:
        rows.append(
            f"{SIGNS[item.change]} {item.app:<10}  {item.resource:<{width}}  {item.service:<10}  "
            f"{money(item.before):>10}  {money(item.after):>10}  {signed(item.delta):>10}"
        )
    unchanged = len(change.resources) - len(changed)
    rows += ["", f"{unchanged} resources unchanged."]
    apps = change.by_app()
    rows.append(
        "By app: "
        + " | ".join(f"{app} {signed(after - before)}" for app, (before, after) in apps.items())
    )
    return "\n".join(row.rstrip() for row in rows) + "\n"


def document(change: CostDiff) -> dict[str, Any]:
    return {
        "before_total_usd": round(change.before.total, 6),
        "after_total_usd": round(change.after.total, 6),
        "delta_usd": round(change.delta, 6),
        "by_app": {
            app: {
                "before_usd": round(before, 6),
                "after_usd": round(after, 6),
                "delta_usd": round(after - before, 6),
            }
            for app, (before, after) in change.by_app().items()
        },
        "resources": [
            {
                "app": item.app,
                "resource": item.resource,
                "service": item.service,
                "change": item.change,
                "before_usd": round(item.before, 6),
                "after_usd": round(item.after, 6),
                "delta_usd": round(item.delta, 6),
            }
            for item in change.resources
        ],
        "warnings": list(change.after.warnings),
        "before": estimate_document(change.before),
        "after": estimate_document(change.after),
    }


def render_json(change: CostDiff) -> str:
    return json.dumps(document(change), indent=2) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(change: CostDiff) -> str:
    out = [
        f"### Monthly cost change: {signed(change.delta)} USD",
        "",
        f"{money(change.before.total)} -> {money(change.after.total)} USD a month"
        f"{_percent(change.delta, change.before.total)}. New: {_cell(headline(change.after))}.",
        "",
        *markdown_warnings(change.after.warnings),
    ]
    changed = change.changed()
    if changed:
        out += [
            "| | App | Resource | Service | Before | After | Change |",
            "|---|---|---|---|---:|---:|---:|",
        ]
        out += [
            f"| {SIGNS[item.change]} | {item.app} | `{_cell(item.resource)}` | {item.service} | "
            f"{money(item.before)} | {money(item.after)} | {signed(item.delta)} |"
            for item in changed
        ]
    else:
        out.append("No resource changes cost.")
    out += ["", f"{len(change.resources) - len(changed)} resources unchanged."]
    return "\n".join(out) + "\n"


def render_html(change: CostDiff) -> str:
    rows = "".join(
        f"<tr><td>{escape(SIGNS[item.change])}</td><td>{escape(item.app)}</td>"
        f"<td><code>{escape(item.resource)}</code></td><td>{escape(item.service)}</td>"
        f'<td class="n">{money(item.before)}</td><td class="n">{money(item.after)}</td>'
        f'<td class="n">{signed(item.delta)}</td></tr>'
        for item in change.changed()
    )
    warnings = "".join(f"<li>{escape(warning)}</li>" for warning in change.after.warnings)
    body = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>obsctl cost change</title>',
        "<style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem}"
        "td,th{border-bottom:1px solid #e6e9ed;padding:.25rem .5rem;text-align:left}"
        ".n{text-align:right}.warnings{border:1px solid #d1242f;background:#ffebe9;"
        "padding:.4rem 1rem}</style></head><body>",
        f"<h1>Monthly cost change: {escape(signed(change.delta))} USD</h1>",
        f"<p>{escape(summary(change))}. New: {escape(headline(change.after))}.</p>",
    ]
    if warnings:
        body.append(f'<div class="warnings" role="alert"><b>Warnings</b><ul>{warnings}</ul></div>')
    body.append(
        "<table><tr><th></th><th>App</th><th>Resource</th><th>Service</th>"
        f'<th class="n">Before</th><th class="n">After</th><th class="n">Change</th></tr>{rows}'
        "</table>"
    )
    body.append(f"<p>{len(change.resources) - len(change.changed())} resources unchanged.</p>")
    body.append("</body></html>")
    return "\n".join(body) + "\n"


RENDERERS = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
    "html": render_html,
}


def render_diff(fmt: str, change: CostDiff) -> str:
    return RENDERERS[fmt](change)
