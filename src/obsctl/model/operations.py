"""Tables, trails and alarms of a stack, read from the document and named by the contract."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from obsctl.model.contract import STORAGE_APPS, StackContract
from obsctl.model.stack import (
    OPERATIONS,
    OTHER,
    Alarm,
    Bucket,
    Scaling,
    Table,
    Topic,
    Trail,
    TrailSelector,
)
from obsctl.model.tfjson import Notes, Resource, TerraformJSON, first_block, number, tags_of

# -- DynamoDB tables -------------------------------------------------------------------------


def _scaling(document: TerraformJSON) -> dict[str, dict[str, Scaling]]:
    """Auto-scaling per table name: "read"/"write" of the table, "<index>/read" of an index."""
    utilization: dict[tuple[str, str], float] = {}
    for policy in document.of_type("aws_appautoscaling_policy"):
        config = first_block(policy.values.get("target_tracking_scaling_policy_configuration"))
        target_value = number(config.get("target_value"))
        target = document.linked(policy, "resource_id", "aws_appautoscaling_target")
        if target is not None and target_value is not None:
            key = (
                str(target.values.get("resource_id")),
                str(target.values.get("scalable_dimension")),
            )
            utilization[key] = target_value
    scaling: dict[str, dict[str, Scaling]] = {}
    for target in document.of_type("aws_appautoscaling_target"):
        if target.values.get("service_namespace") != "dynamodb":
            continue
        # Application Auto Scaling's resource id: table/<name>[/index/<index>]
        resource_id = str(target.values.get("resource_id") or "")
        dimension = str(target.values.get("scalable_dimension") or "")
        parts = resource_id.split("/")
        if len(parts) < 2 or parts[0] != "table":
            continue
        direction = "read" if dimension.endswith("ReadCapacityUnits") else "write"
        key = f"{parts[3]}/{direction}" if len(parts) >= 4 and parts[2] == "index" else direction
        scaling.setdefault(parts[1], {})[key] = Scaling(
            minimum=number(target.values.get("min_capacity")) or 0.0,
            maximum=number(target.values.get("max_capacity")) or 0.0,
            target_utilization=utilization.get((resource_id, dimension), 70.0),
        )
    return scaling


def _table(
    name: str,
    app: str,
    res: Resource | None,
    scaling: Mapping[str, Scaling],
    notes: Notes,
    **contract_facts: Any,
) -> Table:
    values = res.values if res is not None else {}
    if values.get("replica"):
        notes.add(f"{name}: global-table replicas are not modelled.")
    return Table(
        name=name,
        app=app,
        address=res.address if res is not None else "",
        billing_mode=str(values.get("billing_mode") or "PROVISIONED"),
        table_class=values.get("table_class") or None,
        pitr=bool(first_block(values.get("point_in_time_recovery")).get("enabled")),
        read_capacity=number(values.get("read_capacity")) or 0.0,
        write_capacity=number(values.get("write_capacity")) or 0.0,
        indexes=tuple(
            (
                str(index.get("name")),
                number(index.get("read_capacity")) or 0.0,
                number(index.get("write_capacity")) or 0.0,
            )
            for index in values.get("global_secondary_index") or ()
        ),
        kms_encrypted=bool(first_block(values.get("server_side_encryption")).get("enabled")),
        scaling=scaling,
        tags=tags_of(res),
        **contract_facts,
    )


def tables(
    contract: StackContract | None,
    document: TerraformJSON,
    tag_keys: Mapping[str, str],
    notes: Notes,
) -> tuple[Table, ...]:
    scaling = _scaling(document)
    resources = {}
    for res in document.of_type("aws_dynamodb_table"):
        name = res.values.get("name")
        resources[name if isinstance(name, str) else res.address] = res
    found = []
    for app, table in contract.all_tables() if contract is not None else ():
        key = contract.kms_keys.get(app) if contract is not None else None
        found.append(
            _table(
                table.name,
                app,
                resources.pop(table.name, None),
                scaling.get(table.name, {}),
                notes,
                arn=table.arn,
                key_arn=key.arn if key is not None else None,
            )
        )
    for name, res in resources.items():
        app = res.tags.get(tag_keys["app"])
        arn = res.values.get("arn")
        found.append(
            _table(
                name,
                app if app in STORAGE_APPS else OTHER,
                res,
                scaling.get(name, {}),
                notes,
                arn=arn if isinstance(arn, str) else "",
            )
        )
    return tuple(found)


# -- CloudTrail data-event trails ------------------------------------------------------------


def _bucket_from_arn(arn: str) -> str | None:
    """ "arn:aws:s3:::name/prefix" -> "name"; "arn:aws:s3" or "arn:aws:s3:::" -> None (all)."""
    rest = arn.split(":::", 1)[1] if ":::" in arn else ""
    return rest.split("/", 1)[0] or None


def _selector_buckets(values: list[Any]) -> tuple[str, ...] | None:
    names = []
    for value in values:
        name = _bucket_from_arn(str(value))
        if name is None:
            return None
        names.append(name)
    return tuple(dict.fromkeys(names))


def trails(document: TerraformJSON, buckets: tuple[Bucket, ...], notes: Notes) -> tuple[Trail, ...]:
    found = []
    for res in document.of_type("aws_cloudtrail"):
        name = str(res.values.get("name") or res.address)
        target = res.values.get("s3_bucket_name")
        if not isinstance(target, str):
            linked = document.linked(res, "s3_bucket_name", "aws_s3_bucket")
            target = linked.values.get("bucket") if linked is not None else None
        fallback = tuple(
            bucket.name for bucket in buckets if bucket.telemetry and bucket.name != target
        ) or tuple(bucket.name for bucket in buckets if bucket.name != target)
        selectors = []
        for selector in res.values.get("event_selector") or ():
            for data in selector.get("data_resource") or ():
                if data.get("type") != "AWS::S3::Object":
                    continue
                values = data.get("values")
                if isinstance(values, list):
                    chosen = _selector_buckets(values)
                else:
                    chosen = fallback
                    notes.add(
                        f"The S3 data-event buckets of trail {name} are only known after apply; "
                        f"assumed: the {len(fallback)} telemetry buckets."
                    )
                selectors.append(
                    TrailSelector(str(selector.get("read_write_type") or "All"), chosen)
                )
        for selector in res.values.get("advanced_event_selector") or ():
            fields = {str(item.get("field")): item for item in selector.get("field_selector") or ()}
            if "Data" not in (fields.get("eventCategory") or {}).get("equals", ()):
                continue
            if "AWS::S3::Object" not in (fields.get("resources.type") or {}).get("equals", ()):
                continue
            read_only = (fields.get("readOnly") or {}).get("equals") or ()
            kind = (
                "ReadOnly"
                if "true" in read_only
                else "WriteOnly"
                if "false" in read_only
                else "All"
            )
            prefixes = (fields.get("resources.ARN") or {}).get("starts_with")
            selectors.append(TrailSelector(kind, _selector_buckets(prefixes) if prefixes else None))
        management = [
            str(selector.get("read_write_type") or "All")
            for selector in res.values.get("event_selector") or ()
            if selector.get("include_management_events")
        ]
        kms_key = res.values.get("kms_key_id")
        found.append(
            Trail(
                address=res.address,
                name=name,
                selectors=tuple(selectors),
                target_bucket=target if isinstance(target, str) else None,
                key_prefix=str(res.values.get("s3_key_prefix") or ""),
                logging=res.values.get("enable_logging") is not False,
                multi_region=bool(res.values.get("is_multi_region_trail")),
                global_events=bool(res.values.get("include_global_service_events")),
                management_events=management[0] if management else None,
                log_file_validation=bool(res.values.get("enable_log_file_validation")),
                kms_key_arn=kms_key if isinstance(kms_key, str) and kms_key else None,
            )
        )
    return tuple(found)


# -- SNS topics ------------------------------------------------------------------------------


def topics(document: TerraformJSON) -> tuple[Topic, ...]:
    subscriptions: dict[str, list[tuple[str, str]]] = {}
    for res in document.of_type("aws_sns_topic_subscription"):
        subscriptions.setdefault(str(res.values.get("topic_arn")), []).append(
            (str(res.values.get("protocol")), str(res.values.get("endpoint")))
        )
    found = []
    for res in document.of_type("aws_sns_topic"):
        arn = str(res.values.get("arn") or "")
        key = res.values.get("kms_master_key_id")
        found.append(
            Topic(
                address=res.address,
                arn=arn,
                kms_key_id=key if isinstance(key, str) and key else None,
                subscriptions=tuple(sorted(subscriptions.get(arn, []))),
            )
        )
    return tuple(found)


# -- CloudWatch alarms -----------------------------------------------------------------------


def alarms(
    document: TerraformJSON,
    buckets: tuple[Bucket, ...],
    found_tables: tuple[Table, ...],
    tag_keys: Mapping[str, str],
) -> tuple[Alarm, ...]:
    app_of_bucket = {bucket.name: bucket.app for bucket in buckets}
    app_of_table = {table.name: table.app for table in found_tables}
    found = []
    for res in document.of_type("aws_cloudwatch_metric_alarm"):
        values = res.values
        queries = values.get("metric_query") or ()
        if values.get("metric_name"):
            metrics, dimensions, period = 1, values.get("dimensions") or {}, values.get("period")
        else:
            with_metric = [query for query in queries if query.get("metric")]
            metrics = max(1, len(with_metric))
            first_metric = first_block(with_metric[0].get("metric")) if with_metric else {}
            dimensions = first_metric.get("dimensions") or {}
            period = first_metric.get("period")
        if values.get("threshold_metric_id"):
            metrics *= 3  # an anomaly-detection alarm bills the metric and its two bands
        app = (
            app_of_bucket.get(str(dimensions.get("BucketName")))
            or app_of_table.get(str(dimensions.get("TableName")))
            or res.tags.get(tag_keys["app"])
            or OPERATIONS
        )
        seconds = number(period)
        found.append(
            Alarm(
                address=res.address,
                name=str(values.get("alarm_name") or res.address),
                app=app if app in (*STORAGE_APPS, OPERATIONS) else OPERATIONS,
                metrics=metrics,
                high_resolution=seconds is not None and seconds < 60,
                actions=tuple(str(a) for a in values.get("alarm_actions") or ()),
            )
        )
    return tuple(found)
