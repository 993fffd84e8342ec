"""Formatting the cost renderers share: money, percentages, quantities, line items."""

from __future__ import annotations

from typing import Any

from obsctl.cost.bill import LineItem
from obsctl.cost.model import Estimate
from obsctl.cost.prices import BILLING_CLASSES

NAIVE = "everything in S3 Standard, no Bucket Key"


def money(usd: float) -> str:
    return f"{usd:,.2f}"


def percent(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.0f}%" if whole else "-"


def quantity(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if value >= 1 else f"{value:.4g}"


def prices_dated(estimate: Estimate) -> str:
    """ "prices verified 2026-08-02 to 2026-10-08 (3 unverified)"."""
    span = estimate.prices_verified
    dated = "no price verified" if span is None else f"prices verified {span[0]} to {span[1]}"
    if span is not None and span[0] == span[1]:
        dated = f"prices verified {span[0]}"
    unverified = len(estimate.unverified())
    return dated + (f" ({unverified} unverified)" if unverified else "")


def headline(estimate: Estimate) -> str:
    env = f"{estimate.environment} plan" if estimate.environment else "plan"
    return (
        f"{env} in {estimate.region} ({estimate.region_name}), usage: {estimate.usage_name}, "
        f"{prices_dated(estimate)}"
    )


def class_order(classes: Any) -> list[str]:
    return sorted(classes, key=lambda cls: (BILLING_CLASSES.index(cls), cls))


def line_text(line: LineItem) -> str:
    cls = (
        f" {line.storage_class}"
        if line.storage_class and line.storage_class not in line.item
        else ""
    )
    rate = f"${line.rate:g}" + (f" per {line.per:,.0f}" if line.per != 1 else "")
    return f"{line.item}{cls}: {quantity(line.quantity)} {line.unit} at {rate} = {money(line.usd)}"
