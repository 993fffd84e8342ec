"""Renderers: a terminal table, JSON for scripts, Markdown for a pull-request comment.

Every renderer takes an `Estimate` and, with --compare, the `Comparison` it belongs to. The HTML
page lives in `html.py`; the formatting both share, in `text.py`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from obsctl.cost.bill import LineItem
from obsctl.cost.html import render_html
from obsctl.cost.model import Comparison, Estimate
from obsctl.cost.text import NAIVE, class_order, headline, line_text, money, percent, quantity
from obsctl.cost.units import MONTH_DAYS

FORMATS = ("table", "json", "markdown", "html")
# --------------------------------------------------------------------------------------------
# Terminal table


def warning_lines(warnings: tuple[str, ...]) -> list[str]:
    """The warnings as the first lines of a text report (then a blank line)."""
    if not warnings:
        return []
    return [*(f"WARNING: {warning}" for warning in warnings), ""]


def render_table(
    estimate: Estimate, comparison: Comparison | None = None, *, verbose: bool = False
) -> str:
    resources = estimate.by_resource()
    apps = estimate.by_app()
    width = max([len(resource) + 2 for (_, resource, _) in resources] + [len("APP / RESOURCE")])
    rows = [
        f"Monthly cost estimate: {headline(estimate)}.",
        f"Steady state, USD per {MONTH_DAYS:g}-day month.",
        "",
        *warning_lines(estimate.warnings),
        f"{'APP / RESOURCE':<{width}}  {'SERVICE':<10}  {'USD/MONTH':>12}",
    ]
    details: dict[tuple[str, str, str], list[LineItem]] = {}
    for line in estimate.lines:
        details.setdefault((line.app, line.resource, line.service), []).append(line)
    for app, app_total in apps.items():
        rows.append(f"{app:<{width}}  {'':<10}  {money(app_total):>12}")
        for (owner, resource, service), usd in resources.items():
            if owner != app:
                continue
            rows.append(f"  {resource:<{width - 2}}  {service:<10}  {money(usd):>12}")
            if verbose:
                rows += [f"      {line_text(line)}" for line in details[(owner, resource, service)]]
    rows.append(f"{'TOTAL':<{width}}  {'':<10}  {money(estimate.total):>12}")
    rows.append("")
    rows.append(
        "By service: "
        + " | ".join(f"{service} {money(usd)}" for service, usd in estimate.by_service().items())
    )
    storage = estimate.storage_by_class()
    if storage:
        rows.append(
            "S3 storage by class: "
            + " | ".join(
                f"{cls} {money(sum(storage[cls].values()))}" for cls in class_order(storage)
            )
        )
    if comparison is not None:
        rows += ["", f"Compared with a naive stack ({NAIVE}):"]
        rows.append(f"{'APP':<12}  {'THIS':>12}  {'NAIVE':>12}  {'SAVING':>12}  {'':>5}")
        naive = comparison.naive.by_app()
        savings = comparison.savings_by_app()
        for app in apps:
            rows.append(
                f"{app:<12}  {money(apps[app]):>12}  {money(naive.get(app, 0.0)):>12}  "
                f"{money(savings[app]):>12}  {percent(savings[app], naive.get(app, 0.0)):>5}"
            )
        rows.append(
            f"{'TOTAL':<12}  {money(estimate.total):>12}  {money(comparison.naive.total):>12}  "
            f"{money(comparison.savings):>12}  "
            f"{percent(comparison.savings, comparison.naive.total):>5}"
        )
    if estimate.notes:
        rows += ["", "Notes:"] + [f"  - {note}" for note in estimate.notes]
    if not verbose:
        rows += ["", "(-v shows every line item; --format json has the quantities and sources)"]
    return "\n".join(row.rstrip() for row in rows) + "\n"


# --------------------------------------------------------------------------------------------
# JSON


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def estimate_document(estimate: Estimate, comparison: Comparison | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "region": estimate.region,
        "region_name": estimate.region_name,
        "region_source": estimate.region_source,
        "environment": estimate.environment,
        "usage": estimate.usage_name,
        "prices_verified": (
            dict(zip(("oldest", "newest"), estimate.prices_verified, strict=True))
            if estimate.prices_verified
            else None
        ),
        "unverified_prices": estimate.unverified(),
        "currency": "USD",
        "month_days": MONTH_DAYS,
        "total_usd": estimate.total,
        "by_app": estimate.by_app(),
        "by_service": estimate.by_service(),
        "storage_by_class": {
            cls: sum(apps.values()) for cls, apps in estimate.storage_by_class().items()
        },
        "resources": [
            {"app": app, "resource": resource, "service": service, "usd": usd}
            for (app, resource, service), usd in estimate.by_resource().items()
        ],
        "lines": [asdict(line) for line in estimate.lines],
        "workloads": dict(estimate.workloads),
        "streams": [asdict(stream) for stream in estimate.streams],
        "notes": list(estimate.notes),
        "warnings": list(estimate.warnings),
    }
    if comparison is not None:
        document["compare"] = {
            "naive": NAIVE,
            "naive_total_usd": comparison.naive.total,
            "savings_usd": comparison.savings,
            "naive_by_app": comparison.naive.by_app(),
            "naive_by_service": comparison.naive.by_service(),
            "savings_by_app": comparison.savings_by_app(),
        }
    return _rounded(document)


def render_json(estimate: Estimate, comparison: Comparison | None = None, **_: Any) -> str:
    return json.dumps(estimate_document(estimate, comparison), indent=2) + "\n"


# --------------------------------------------------------------------------------------------
# Markdown (a pull-request comment)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_warnings(warnings: tuple[str, ...]) -> list[str]:
    if not warnings:
        return []
    return ["> [!WARNING]", *(f"> - {_cell(warning)}" for warning in warnings), ""]


def render_markdown(estimate: Estimate, comparison: Comparison | None = None, **_: Any) -> str:
    apps = estimate.by_app()
    out = [
        f"### Monthly cost estimate: {money(estimate.total)} USD",
        "",
        f"{_cell(headline(estimate))}. Steady state, {MONTH_DAYS:g}-day month.",
        "",
        *markdown_warnings(estimate.warnings),
        "| App | Resource | Service | USD/month |",
        "|---|---|---|---:|",
    ]
    resources = estimate.by_resource()
    for app, app_total in apps.items():
        out.append(f"| **{app}** | | | **{money(app_total)}** |")
        for (owner, resource, service), usd in resources.items():
            if owner == app:
                out.append(f"| | `{_cell(resource)}` | {service} | {money(usd)} |")
    out.append(f"| **Total** | | | **{money(estimate.total)}** |")
    out += ["", "| Service | USD/month |", "|---|---:|"]
    out += [f"| {service} | {money(usd)} |" for service, usd in estimate.by_service().items()]
    storage = estimate.storage_by_class()
    if storage:
        out += ["", "| S3 storage class | USD/month |", "|---|---:|"]
        out += [f"| {cls} | {money(sum(storage[cls].values()))} |" for cls in class_order(storage)]
    if comparison is not None:
        naive, savings = comparison.naive.by_app(), comparison.savings_by_app()
        out += [
            "",
            f"**Compared with a naive stack** ({NAIVE}): saves "
            f"**{money(comparison.savings)} USD/month** "
            f"({percent(comparison.savings, comparison.naive.total)}).",
            "",
            "| App | This | Naive | Saving |",
            "|---|---:|---:|---:|",
        ]
        out += [
            f"| {app} | {money(apps[app])} | {money(naive.get(app, 0.0))} | {money(savings[app])} |"
            for app in apps
        ]
        out.append(
            f"| **Total** | **{money(estimate.total)}** | **{money(comparison.naive.total)}** | "
            f"**{money(comparison.savings)}** |"
        )
    out += [
        "",
        "<details><summary>Line items</summary>",
        "",
        "| App | Resource | Item | Quantity | USD/month |",
        "|---|---|---|---:|---:|",
    ]
    for line in estimate.lines:
        item = line.item + (f" ({line.storage_class})" if line.storage_class else "")
        out.append(
            f"| {line.app} | `{_cell(line.resource)}` | {_cell(item)} | "
            f"{quantity(line.quantity)} {line.unit} | {money(line.usd)} |"
        )
    out += ["", "</details>"]
    if estimate.notes:
        out += ["", "<details><summary>Notes</summary>", ""]
        out += [f"- {_cell(note)}" for note in estimate.notes]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


def renderer(name: str) -> Callable[..., str]:
    return {
        "table": render_table,
        "json": render_json,
        "markdown": render_markdown,
        "html": render_html,
    }[name]
