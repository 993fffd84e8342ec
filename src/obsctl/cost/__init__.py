"""`obsctl cost`: the monthly cost of a planned stack, lifecycle-aware.

The plan is read once into a `Stack` (obsctl.model: buckets and their lifecycle rules, keys,
tables, trails, alarms, region, retention); this package prices it.

usage.py     Usage: telemetry volumes, every field with its unit, bounds and source
usage_file.py  the usage file and presets -> Usage, validated with clear errors
prices.py    the typed prices; price_file.py: the price file -> PriceBook (every price with its
             sources and verification date); offer_file.py and offer_prices.py: AWS Price List
             offer files (JSON, CSV) -> prices in place of the price file's
streams.py   object streams, what a bucket receives
workload.py  Usage -> the streams of each app's data store (side_workloads.py: ruler,
             alertmanager, admin, access logs, audit trail)
timeline.py  one object's life through the storage classes under a lifecycle policy
tiering.py   Intelligent-Tiering's access tiers, counted from the last access
s3.py        streams x lifecycle -> S3 quantities and line items
services.py  KMS, DynamoDB, CloudTrail and CloudWatch line items
checks.py    the warnings: data deleted before the app's retention, rules S3 rejects
model.py     estimate() and compare(): the whole stack
render.py    table, JSON, Markdown; html.py: one self-contained page with an SVG chart;
             text.py: the formatting both share; diff.py: the change between two plans
(scripts/cost_docs.py regenerates the tables of docs/cost.md.)
"""

from __future__ import annotations

from pathlib import Path

from obsctl.cost.model import Comparison, Estimate, compare, estimate, region_of
from obsctl.cost.price_file import load_price_book
from obsctl.cost.prices import PriceBook, RegionPrices
from obsctl.cost.usage import Usage
from obsctl.cost.usage_file import load_usage, preset
from obsctl.model import plan_stack, read_plan

__all__ = [
    "Comparison",
    "Estimate",
    "PriceBook",
    "RegionPrices",
    "Usage",
    "compare",
    "estimate",
    "estimate_plan",
    "load_price_book",
    "load_usage",
    "preset",
    "region_of",
]


def estimate_plan(
    plan_path: Path, usage: Usage, *, with_naive: bool = False
) -> Comparison | Estimate:
    """Read a plan JSON file and price it: the whole pipeline after the plan exists."""
    stack = plan_stack(read_plan(plan_path), source=str(plan_path))
    prices = load_price_book().region(region_of(stack, usage))
    return compare(stack, usage, prices) if with_naive else estimate(stack, usage, prices)
