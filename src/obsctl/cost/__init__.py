"""`obsctl cost`: the monthly cost of a planned stack, lifecycle-aware.

plan.py      the plan JSON -> Inventory (buckets, rules, keys, tables, trails, alarms, region)
usage.py     the usage file and presets -> Usage (telemetry volumes, validated)
prices.py    the dated price file -> RegionPrices (every price with its sources)
workload.py  Usage -> the object streams each bucket receives
lifecycle.py S3 lifecycle semantics: one object's life through the storage classes
s3.py        streams x lifecycle -> S3 quantities and line items
services.py  KMS, DynamoDB, CloudTrail and CloudWatch line items
model.py     estimate() and compare(): the whole stack
render.py    table, JSON, Markdown; html.py: one self-contained page with an SVG chart
docgen.py    regenerates the tables of docs/cost.md
"""

from __future__ import annotations

from pathlib import Path

from obsctl.cost.model import Comparison, Estimate, compare, estimate, region_of
from obsctl.cost.plan import Inventory, inventory_from_plan, read_plan
from obsctl.cost.prices import PriceBook, RegionPrices, load_price_book
from obsctl.cost.usage import Usage, load_usage, preset

__all__ = [
    "Comparison",
    "Estimate",
    "Inventory",
    "PriceBook",
    "RegionPrices",
    "Usage",
    "compare",
    "estimate",
    "estimate_plan",
    "inventory_from_plan",
    "load_price_book",
    "load_usage",
    "preset",
    "read_plan",
    "region_of",
]


def estimate_plan(
    plan_path: Path, usage: Usage, *, with_naive: bool = False
) -> Comparison | Estimate:
    """Read a plan JSON file and price it: the whole pipeline after the plan exists."""
    inventory = inventory_from_plan(read_plan(plan_path))
    prices = load_price_book().region(region_of(inventory, usage))
    return compare(inventory, usage, prices) if with_naive else estimate(inventory, usage, prices)
