"""The buckets beside the data stores: rule groups, Alertmanager state, Loki's admin objects,
and the stack's own access logs and audit trail."""

from __future__ import annotations

from obsctl.cost.streams import BucketWorkload, ObjectStream
from obsctl.cost.units import KB, MONTH_DAYS
from obsctl.cost.usage import ConfigUsage, OperationsUsage

MINUTES_PER_DAY = 1440.0


def rule_groups(groups: float, config: ConfigUsage) -> BucketWorkload:
    if groups <= 0:
        return BucketWorkload(description="no rule groups")
    polls = MINUTES_PER_DAY / config.ruler_poll_minutes
    return BucketWorkload(
        streams=(
            ObjectStream(
                name="rule groups",
                prefix="",
                objects_per_day=groups * config.rule_updates_per_day,
                object_bytes=config.rule_group_kb * KB,
                app_days=1.0 / config.rule_updates_per_day,
                app_deletes=False,
                polls_per_day=config.rulers * polls,
            ),
        ),
        list_requests_per_day=config.rulers * polls,
        description=f"{groups:,.0f} rule groups polled every {config.ruler_poll_minutes:g} min",
    )


def alertmanager_state(tenants: int, config: ConfigUsage) -> BucketWorkload:
    rewrites = MINUTES_PER_DAY / config.alertmanager_persist_minutes
    return BucketWorkload(
        streams=(
            ObjectStream(
                name="alertmanager state (rewritten each persist interval)",
                prefix="",
                objects_per_day=tenants * rewrites,
                object_bytes=config.alertmanager_state_kb * KB,
                app_days=1.0 / rewrites,
                app_deletes=False,
            ),
        ),
        description=f"{tenants} tenant state(s) every {config.alertmanager_persist_minutes:g} min",
    )


def admin_objects(config: ConfigUsage) -> BucketWorkload:
    if config.admin_objects <= 0:
        return BucketWorkload(description="no admin objects")
    return BucketWorkload(
        streams=(
            ObjectStream(
                name="enterprise admin objects",
                prefix="",
                objects_per_day=config.admin_objects * config.rule_updates_per_day,
                object_bytes=config.admin_object_kb * KB,
                app_days=1.0 / config.rule_updates_per_day,
                app_deletes=False,
            ),
        ),
        description=f"{config.admin_objects:,.0f} admin objects",
    )


def access_logs(requests_per_month: float, prefix: str, usage: OperationsUsage) -> BucketWorkload:
    """One record per request to the logged buckets; S3 bills no requests for log delivery."""
    if requests_per_month <= 0:
        return BucketWorkload(description="no logged requests")
    bytes_per_day = requests_per_month / MONTH_DAYS * usage.access_log_record_bytes
    size = usage.access_log_object_kb * KB
    return BucketWorkload(
        streams=(
            ObjectStream(
                name="server access log objects",
                prefix=prefix,
                objects_per_day=bytes_per_day / size,
                object_bytes=size,
                app_days=None,
                app_deletes=False,
                put_billed=False,
            ),
        ),
        description=f"{requests_per_month:,.0f} logged requests/month",
    )


def audit_logs(events_per_month: float, prefix: str, usage: OperationsUsage) -> BucketWorkload:
    """CloudTrail delivers a compressed log file every few minutes and a digest every hour."""
    if events_per_month <= 0:
        return BucketWorkload(description="no data events")
    files = MINUTES_PER_DAY / usage.audit_delivery_minutes
    bytes_per_day = events_per_month / MONTH_DAYS * usage.audit_event_bytes
    return BucketWorkload(
        streams=(
            ObjectStream(
                name="CloudTrail log files",
                prefix=prefix,
                objects_per_day=files,
                object_bytes=bytes_per_day / files,
                app_days=None,
                app_deletes=False,
            ),
            ObjectStream(
                name="CloudTrail digest files",
                prefix=prefix,
                objects_per_day=24.0,
                object_bytes=1.0 * KB,
                app_days=None,
                app_deletes=False,
            ),
        ),
        description=f"{events_per_month:,.0f} data events/month",
    )
