"""The cost model: the steady-state monthly cost of a planned stack under a usage, in a region.

`estimate(stack, usage, prices)` is a pure function of the planned `Stack` (obsctl.model): it
builds each bucket's object streams from the usage (`workload.py`), runs them through the
bucket's lifecycle rules (`s3.py`), then prices the keys, tables, trails and alarms
(`services.py`). Only what the plan creates is priced. `compare()` adds the same volume in a
naive configuration: everything in S3 Standard, no Bucket Key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from obsctl.cost.bill import S3, SERVICES, LineItem
from obsctl.cost.checks import data_loss, rejected_rules, unreadable
from obsctl.cost.prices import RegionPrices
from obsctl.cost.replication import replica_quantities, replication_lines
from obsctl.cost.s3 import BucketQuantities, bucket_quantities, s3_lines
from obsctl.cost.services import (
    alarm_lines,
    data_event_line,
    key_lines,
    kms_request_lines,
    request_metric_lines,
    table_lines,
)
from obsctl.cost.side_workloads import access_logs, audit_logs
from obsctl.cost.streams import BucketWorkload
from obsctl.cost.units import KB, UNBOUNDED_HORIZON_DAYS
from obsctl.cost.usage import DynamoAppUsage, Usage
from obsctl.cost.workload import telemetry_workload
from obsctl.errors import UsageError
from obsctl.model import OPERATIONS, OTHER, SHARED, STORAGE_APPS
from obsctl.model.stack import Bucket, Stack, Trail

APP_ORDER = (*STORAGE_APPS, SHARED, OPERATIONS, OTHER)


@dataclass(frozen=True)
class StreamDetail:
    """How the model sees one stream (reported by --format json)."""

    app: str
    bucket: str
    stream: str
    objects_per_day: float
    object_kb: float
    current_days: float
    total_days: float
    days_by_class: Mapping[str, float]
    stored_gb: float
    noncurrent_gb: float


@dataclass(frozen=True)
class Estimate:
    region: str
    region_name: str
    region_source: str
    usage_name: str
    environment: str | None
    lines: tuple[LineItem, ...]
    streams: tuple[StreamDetail, ...] = ()
    workloads: Mapping[str, str] = field(default_factory=dict)  # bucket -> what it receives
    notes: tuple[str, ...] = ()
    # What makes the number not the one to budget for (data loss, rules S3 refuses): every
    # report format shows them first.
    warnings: tuple[str, ...] = ()

    @property
    def total(self) -> float:
        return sum(line.usd for line in self.lines)

    @property
    def prices_verified(self) -> tuple[str, str] | None:
        """The oldest and newest dates on which the prices used were read from AWS."""
        dates = sorted({line.verified for line in self.lines if line.verified})
        return (dates[0], dates[-1]) if dates else None

    def unverified(self) -> dict[str, str]:
        """Price -> why it is unverified, for the prices of this estimate's line items."""
        return {line.price: line.unverified for line in self.lines if line.unverified}

    def by_app(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[line.app] += line.usd
        known = [app for app in APP_ORDER if app in totals]
        return {app: totals[app] for app in known + sorted(set(totals) - set(known))}

    def by_service(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[line.service] += line.usd
        return {service: totals[service] for service in SERVICES if service in totals}

    def by_resource(self) -> dict[tuple[str, str, str], float]:
        """(app, resource, service) -> USD, in app order, then most expensive first."""
        totals: dict[tuple[str, str, str], float] = defaultdict(float)
        for line in self.lines:
            totals[(line.app, line.resource, line.service)] += line.usd
        order = {app: index for index, app in enumerate(self.by_app())}
        return dict(sorted(totals.items(), key=lambda item: (order[item[0][0]], -item[1], item[0])))

    def storage_by_class(self) -> dict[str, dict[str, float]]:
        """S3 storage cost (GB-month lines: storage, archive overhead, early deletion) per billing
        class, split by app."""
        totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for line in self.lines:
            if line.service == S3 and line.storage_class and line.unit == "GB-month":
                totals[line.storage_class][line.app] += line.usd
        return {cls: dict(apps) for cls, apps in totals.items()}


@dataclass(frozen=True)
class Comparison:
    """This configuration next to the naive one: same volume, S3 Standard only, no Bucket Key."""

    estimate: Estimate
    naive: Estimate

    def savings_by_app(self) -> dict[str, float]:
        mine, naive = self.estimate.by_app(), self.naive.by_app()
        return {app: naive.get(app, 0.0) - mine.get(app, 0.0) for app in {**naive, **mine}}

    @property
    def savings(self) -> float:
        return self.naive.total - self.estimate.total


def naive_stack(stack: Stack) -> Stack:
    """The same stack with no storage-class transitions and no Bucket Key (expirations kept)."""
    return replace(
        stack,
        buckets=tuple(
            replace(
                bucket,
                bucket_key=False,
                lifecycle=replace(
                    bucket.lifecycle,
                    rules=tuple(
                        replace(rule, transitions=(), noncurrent_transitions=())
                        for rule in bucket.lifecycle.rules
                    ),
                )
                if bucket.lifecycle is not None
                else None,
            )
            for bucket in stack.buckets
        ),
    )


class _Notes:
    def __init__(self, initial: Iterable[str] = ()) -> None:
        self.items: dict[str, None] = dict.fromkeys(initial)

    def add(self, text: str) -> None:
        self.items[text] = None


def _retention(
    stack: Stack, usage: Usage, notes: _Notes
) -> tuple[dict[str, float], dict[str, str]]:
    """Retention per app (the usage's, else what the stack's contract says the env asks for),
    and where each came from."""
    chosen, origin = {}, {}
    for app in STORAGE_APPS:
        configured = getattr(usage, app).retention_days
        planned = stack.retention(app)
        if configured is not None:
            chosen[app], origin[app] = configured, f"{app}.retention_days in the usage"
        elif planned is not None:
            chosen[app] = float(planned)
            origin[app] = "the plan's settings.retention_days"
            notes.add(f"{app} retention ({planned:g} days) comes from the plan's stack contract.")
        else:
            chosen[app] = UNBOUNDED_HORIZON_DAYS
            origin[app] = "no retention set: priced as the model's horizon"
            notes.add(
                f"{app} retention is unknown: neither the usage nor the plan's stack contract "
                f"sets it; its data is priced as kept {UNBOUNDED_HORIZON_DAYS:g} days."
            )
    return chosen, origin


def region_of(stack: Stack, usage: Usage) -> str:
    """The region to price: the plan's, else the usage file's, else a UsageError."""
    region = stack.region or usage.region
    if region is None:
        raise UsageError(
            "The plan does not name its region and the usage file sets none.",
            hint="Set the aws provider's region, or add `region: us-east-1` to the usage file.",
        )
    return region


def _stream_details(quantities: BucketQuantities) -> list[StreamDetail]:
    details = []
    for stream, result in quantities.streams:
        days: dict[str, float] = defaultdict(float)
        for segment in result.timeline.segments:
            days[segment.storage_class] += segment.days
        details.append(
            StreamDetail(
                app=quantities.bucket.app,
                bucket=quantities.bucket.name,
                stream=stream.name,
                objects_per_day=stream.objects_per_day,
                object_kb=stream.object_bytes / KB,
                current_days=result.timeline.current_days,
                total_days=result.timeline.total_days,
                days_by_class=dict(days),
                stored_gb=result.stored_gb,
                noncurrent_gb=result.noncurrent_gb,
            )
        )
    return details


def _check_streams(quantities: BucketQuantities, notes: _Notes) -> None:
    name = quantities.bucket.name
    for stream, result in quantities.streams:
        if not result.timeline.bounded:
            notes.add(
                f"{name}: {stream.name} never expire (no deletion, expiration or noncurrent "
                "expiration reaches them); the estimate counts one year of them, and they grow."
            )


def _data_events(
    trails: Iterable[Trail], results: Mapping[str, BucketQuantities]
) -> list[tuple[str, str, str, float]]:
    """(app, trail, bucket, events per month) for every bucket a trail records."""
    events = []
    for trail in trails:
        for selector in trail.selectors:
            covered = selector.buckets
            if covered is None:
                covered = tuple(name for name in results if name != trail.target_bucket)
            for name in covered:
                result = results.get(name)
                if result is None:
                    continue
                count = 0.0
                if selector.read_write_type in ("WriteOnly", "All"):
                    count += result.total("writes") + result.total("deletes")
                if selector.read_write_type in ("ReadOnly", "All"):
                    count += result.gets
                events.append((result.bucket.app, trail.name, name, count))
    return events


def estimate(
    stack: Stack,
    usage: Usage,
    prices: RegionPrices,
    *,
    naive: bool = False,
    replica_prices: RegionPrices | None = None,
) -> Estimate:
    """The monthly cost of what `stack` plans under `usage` at `prices`; `naive=True` prices
    the same volume with everything in S3 Standard and no Bucket Key. Cross-region replicas
    are priced at `replica_prices` (their Region's; replication.py)."""
    if naive:
        stack = naive_stack(stack)
    notes = _Notes((*stack.notes, *prices.notes))
    retention, retention_origin = _retention(stack, usage, notes)
    rules = prices.rules.s3
    planned = [bucket for bucket in stack.buckets if bucket.address and not bucket.replica_of]
    replicas = [bucket for bucket in stack.buckets if bucket.address and bucket.replica_of]
    audit_targets = {trail.target_bucket for trail in stack.trails if trail.target_bucket}
    log_targets = {bucket.access_log_target for bucket in planned}
    results: dict[str, BucketQuantities] = {}
    fed: list[Bucket] = []  # buckets whose volume depends on the others' requests
    for bucket in planned:
        if bucket.name in audit_targets or bucket.name in log_targets:
            fed.append(bucket)
            continue
        workload = telemetry_workload(bucket.app, bucket.store, usage, retention.__getitem__)
        if workload is None:
            workload = BucketWorkload(description="no usage model")
            notes.add(
                f"{bucket.name}: no usage model for app {bucket.app}, store "
                f"{bucket.store or 'unknown'}; it is priced empty."
            )
        results[bucket.name] = bucket_quantities(bucket, workload, rules)

    events = _data_events(stack.trails, results)
    for bucket in sorted(fed, key=lambda item: item.name in log_targets):  # audit first
        if bucket.name in audit_targets:
            trails = {trail.name: trail for trail in stack.trails}
            mine = [name for name, trail in trails.items() if trail.target_bucket == bucket.name]
            total = sum(count for _, trail, _, count in events if trail in mine)
            workload = audit_logs(total, trails[mine[0]].key_prefix, usage.operations)
        else:
            sources = [r for r in results.values() if r.bucket.access_log_target == bucket.name]
            prefix = sources[0].bucket.access_log_prefix if sources else ""
            requests = sum(source.requests for source in sources)
            workload = access_logs(requests, prefix, usage.operations)
        results[bucket.name] = bucket_quantities(bucket, workload, rules)

    # Standard storage is tiered by the region's total volume: one blended rate for every bucket.
    standard_gb = sum(result.standard_gb_month for result in results.values())
    standard_rate = (
        prices.s3.standard_storage_usd(standard_gb) / standard_gb
        if standard_gb > 0
        else prices.s3.standard_tiers[0].price.usd
    )
    reduction = usage.kms.bucket_key_request_reduction
    if reduction is None:
        reduction = prices.rules.kms.bucket_key_request_reduction
    lines: list[LineItem] = []
    kms_requests: list[tuple[str, str, float]] = []
    for result in results.values():
        _check_streams(result, notes)
        lines += s3_lines(result, prices, standard_rate)
        kms_requests.append((result.bucket.app, result.bucket.name, result.kms_calls(reduction)))

    if replicas:
        pairs = []
        at = replica_prices or prices
        for replica in replicas:
            source = results[str(replica.replica_of)]
            quantities = replica_quantities(replica, source, at)
            pairs.append((quantities, source))
            kms_requests.append((replica.app, replica.name, quantities.kms_calls(reduction)))
        lines += replication_lines(pairs, prices, at)
        if replica_prices is None:
            notes.add(f"Replicas are priced at {prices.region}'s prices (none given for theirs).")

    for key in stack.keys:
        if key.address:
            lines += key_lines(key, prices, usage.kms.key_age_days)

    tables = [table for table in stack.tables if table.address]
    tables_per_app: dict[str, int] = defaultdict(int)
    for table in tables:
        tables_per_app[table.app] += 1
    for table in tables:
        app_usage = getattr(usage.dynamodb, table.app, None)
        if app_usage is None:
            notes.add(f"{table.name}: no DynamoDB usage for app {table.app}; only fixed costs.")
            app_usage = DynamoAppUsage()
        lines += table_lines(table, app_usage, 1.0 / tables_per_app[table.app], prices)
        if table.kms_encrypted:
            requests = usage.kms.dynamodb_requests_per_table_month
            kms_requests.append((table.app, table.name, requests))
    lines += kms_request_lines(kms_requests, prices)

    for app, trail, bucket, count in events:
        lines += data_event_line(app, trail, bucket, count, prices)
    for result in results.values():
        if result.bucket.request_metric_filters:
            bucket = result.bucket
            lines += request_metric_lines(
                bucket.app, bucket.name, bucket.request_metric_filters, prices
            )
    for alarm in stack.alarms:
        lines += alarm_lines(alarm, prices)

    unverified = [line for line in lines if line.unverified]
    if unverified:
        usd = sum(line.usd for line in unverified)
        notes.add(
            f"{len(unverified)} line items (USD {usd:,.2f} a month) use prices the price file "
            f"marks unverified ({len({line.price for line in unverified})} prices; --format json "
            "lists them, docs/cost.md says why); `--prices` refreshes them from AWS's offer files."
        )
    warnings = [
        *data_loss(results.values(), retention_origin),
        *unreadable(results.values()),
        *rejected_rules(planned),
    ]
    return Estimate(
        region=prices.region,
        region_name=prices.name,
        region_source=stack.region_source,
        usage_name=usage.name,
        environment=stack.environment,
        lines=tuple(lines),
        streams=tuple(detail for result in results.values() for detail in _stream_details(result)),
        workloads={name: result.workload.description for name, result in results.items()},
        notes=tuple(notes.items),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def compare(
    stack: Stack, usage: Usage, prices: RegionPrices, replica_prices: RegionPrices | None = None
) -> Comparison:
    return Comparison(
        estimate=estimate(stack, usage, prices, replica_prices=replica_prices),
        naive=estimate(stack, usage, prices, naive=True, replica_prices=replica_prices),
    )
