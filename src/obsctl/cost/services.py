"""KMS, DynamoDB, CloudTrail and CloudWatch lines."""

from __future__ import annotations

from collections.abc import Iterable

from obsctl.cost.bill import CLOUDTRAIL, CLOUDWATCH, DYNAMODB, KMS, Bill, LineItem
from obsctl.cost.prices import RegionPrices
from obsctl.cost.units import DAY_SECONDS, MONTH_DAYS, MONTH_HOURS
from obsctl.cost.usage import DynamoAppUsage
from obsctl.model.stack import Alarm, Key, Scaling, Table

DEFAULT_ROTATION_DAYS = 365  # KMS rotates yearly unless a key sets another period [AWS-KMS-ROT]


def billed_rotations(key: Key, cap: int, key_age_days: float | None) -> int:
    """Rotations that add to the key's monthly price: each rotation adds $1 until `cap`
    rotations [AWS-KMS-PRICE][AWS-KMS-ROT]; `key_age_days` None is the steady state."""
    if not key.rotation:
        return 0
    if key_age_days is None:
        return cap
    return min(cap, int(key_age_days // (key.rotation_period_days or DEFAULT_ROTATION_DAYS)))


def key_lines(key: Key, prices: RegionPrices, key_age_days: float | None) -> list[LineItem]:
    bill = Bill(key.app, key.label, KMS)
    bill.add("customer managed key", 1.0, "key-months", prices.kms.key_month)
    rotations = billed_rotations(key, prices.rules.kms.billed_rotations_cap, key_age_days)
    plural = "s" if rotations > 1 else ""
    bill.add(
        f"rotation surcharge ({rotations} rotation{plural} billed)",
        float(rotations),
        "key-months",
        prices.kms.rotation_month,
    )
    return bill.lines


def kms_request_lines(
    requests: Iterable[tuple[str, str, float]], prices: RegionPrices
) -> list[LineItem]:
    """One line per (app, resource, requests); the account's free requests are shared among
    them in proportion to their requests [AWS-KMS-PRICE]."""
    items = [item for item in requests if item[2] > 0]
    total = sum(count for _, _, count in items)
    free = prices.rules.kms.free_requests_per_month
    share = max(0.0, total - free) / total if total else 0.0
    lines: list[LineItem] = []
    for app, resource, count in items:
        bill = Bill(app, resource, KMS)
        bill.add(
            "requests (less a share of the free tier)",
            count,
            "requests",
            prices.kms.requests_per_10k,
            per=10_000.0,
            billed_share=share,
        )
        lines += bill.lines
    return lines


def provisioned_units(average: float, fixed: float, scaling: Scaling | None) -> float:
    """Capacity a provisioned table pays for: auto scaling holds consumption at the target
    utilization within [min, max]; without it, the capacity the plan sets."""
    if scaling is None:
        return fixed
    wanted = average / (scaling.target_utilization / 100.0)
    return min(max(wanted, scaling.minimum), max(scaling.maximum, scaling.minimum))


def table_lines(
    table: Table, usage: DynamoAppUsage, share: float, prices: RegionPrices
) -> list[LineItem]:
    """A table's `share` of its app's DynamoDB usage. Every write also writes each global
    secondary index; storage is priced by table class, which Infracost ignores [INF-CODE]."""
    table_class = table.table_class if table.table_class in prices.dynamodb else "STANDARD"
    rates = prices.dynamodb[table_class]
    label = "Standard" if table_class == "STANDARD" else "Standard-IA"
    writes = usage.write_units_per_second * share
    reads = usage.read_units_per_second * share
    bill = Bill(table.app, table.name, DYNAMODB)
    if table.billing_mode == "PAY_PER_REQUEST":
        month = DAY_SECONDS * MONTH_DAYS
        units = writes * month * (1 + len(table.indexes))
        bill.add(f"on-demand writes ({label})", units, "WRU", rates.write_per_million, per=1e6)
        bill.add(
            f"on-demand reads ({label})", reads * month, "RRU", rates.read_per_million, per=1e6
        )
    else:
        capacity = [
            ("write capacity", writes, table.write_capacity, "write"),
            ("read capacity", reads, table.read_capacity, "read"),
        ]
        for index, read_capacity, write_capacity in table.indexes:
            capacity += [
                (f"index {index} write capacity", writes, write_capacity, f"{index}/write"),
                (f"index {index} read capacity", 0.0, read_capacity, f"{index}/read"),
            ]
        for item, average, fixed, key in capacity:
            units = provisioned_units(average, fixed, table.scaling.get(key))
            write = key.endswith("write")
            price = rates.wcu_hour if write else rates.rcu_hour
            unit = "WCU-hours" if write else "RCU-hours"
            bill.add(f"provisioned {item} ({label})", units * MONTH_HOURS, unit, price)
    storage = usage.storage_gb * share
    bill.add(f"storage ({label})", storage, "GB-month", rates.storage_gb_month)
    if table.pitr:
        bill.add("point-in-time recovery", storage, "GB-month", rates.pitr_gb_month)
    return bill.lines


def data_event_line(
    app: str, trail: str, bucket: str, events: float, prices: RegionPrices
) -> list[LineItem]:
    bill = Bill(app, trail, CLOUDTRAIL)
    bill.add(
        f"S3 data events on {bucket}",
        events,
        "events",
        prices.cloudtrail_data_events_per_100k,
        per=100_000.0,
    )
    return bill.lines


def request_metric_lines(
    app: str, bucket: str, filters: int, prices: RegionPrices
) -> list[LineItem]:
    """S3 request metrics are billed as CloudWatch custom metrics: every metric S3 publishes
    per filter (all but the three S3 Select ones for these apps) [AWS-S3-CW]."""
    metrics = prices.rules.s3.request_metrics_emitted
    bill = Bill(app, bucket, CLOUDWATCH)
    bill.add(
        f"S3 request metrics ({metrics} metrics x {filters} filter{'s' if filters > 1 else ''})",
        float(metrics * filters),
        "metric-months",
        prices.cloudwatch_custom_metric_month,
    )
    return bill.lines


def alarm_lines(alarm: Alarm, prices: RegionPrices) -> list[LineItem]:
    price = (
        prices.cloudwatch_high_resolution_alarm_metric_month
        if alarm.high_resolution
        else prices.cloudwatch_alarm_metric_month
    )
    bill = Bill(alarm.app, alarm.name, CLOUDWATCH)
    plural = "s" if alarm.metrics > 1 else ""
    kind = "high-resolution alarm" if alarm.high_resolution else "alarm"
    bill.add(
        f"{kind} ({alarm.metrics} metric{plural})",
        float(alarm.metrics),
        "alarm-metric-months",
        price,
    )
    return bill.lines
