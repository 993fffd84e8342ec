"""Reading plans: the fixtures of our envs, and the shapes other roots produce."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from obsctl.errors import UsageError
from obsctl.model import Stack as Inventory
from obsctl.model import plan_stack as inventory_from_plan
from obsctl.model import read_plan
from obsctl.model.lifecycle import VARIES_BY_CLASS, Transition


def test_dev_plan_lists_six_versioned_kms_buckets_with_bucket_key(dev_inventory: Inventory) -> None:
    assert dev_inventory.region == "us-east-1"
    assert dev_inventory.environment == "dev"
    assert dev_inventory.retention_days == {"mimir": 30, "loki": 14, "tempo": 7}
    stores = {(bucket.app, bucket.store) for bucket in dev_inventory.buckets}
    assert stores == {
        ("mimir", "blocks"), ("mimir", "ruler"), ("mimir", "alertmanager"),
        ("loki", "chunks"), ("loki", "ruler"), ("tempo", "traces"),
    }  # fmt: skip
    for bucket in dev_inventory.buckets:
        assert bucket.versioning and bucket.kms and bucket.bucket_key
        policy = bucket.lifecycle.policy_for("anything/", 1e6)
        assert policy.noncurrent_expiration_days == 7
    assert len(dev_inventory.keys) == 3 and all(key.rotation for key in dev_inventory.keys)
    assert not dev_inventory.trails and not dev_inventory.alarms and not dev_inventory.tables


def test_dev_tempo_bucket_expires_a_day_after_retention(dev_inventory: Inventory) -> None:
    traces = next(bucket for bucket in dev_inventory.buckets if bucket.store == "traces")
    assert traces.lifecycle.policy_for("single-tenant/", 1e6).expiration_days == 8


def test_prod_plan_has_tiering_trail_alarms_metrics_and_log_buckets(
    prod_inventory: Inventory,
) -> None:
    blocks = next(bucket for bucket in prod_inventory.buckets if bucket.store == "blocks")
    assert blocks.lifecycle.policy_for("anonymous/", 1e9).transitions == (
        Transition(30, "STANDARD_IA"),
    )
    assert {b.name for b in prod_inventory.buckets if b.request_metric_filters} == {
        "lgtm-prod-123456789012-mimir-blocks",
        "lgtm-prod-123456789012-loki-chunks",
        "lgtm-prod-123456789012-tempo-traces",
    }
    logged = [b for b in prod_inventory.buckets if b.access_log_target]
    assert len(logged) == 7  # the telemetry buckets and the audit bucket (CloudTrail.7)
    assert {b.access_log_target for b in logged} == {"lgtm-prod-123456789012-access-logs"}
    access_logs = prod_inventory.bucket("lgtm-prod-123456789012-access-logs")
    assert access_logs is not None and access_logs.encryption == "AES256"
    (trail,) = prod_inventory.trails
    assert trail.target_bucket == "lgtm-prod-123456789012-audit"
    (selector,) = trail.selectors
    assert selector.read_write_type == "WriteOnly"
    assert selector.buckets is not None and len(selector.buckets) == 6  # unknown: assumed, noted
    assert any("only known after apply" in note for note in prod_inventory.notes)
    assert [alarm.app for alarm in prod_inventory.alarms] == ["loki", "mimir", "tempo"]
    assert {key.app for key in prod_inventory.keys} == {"mimir", "loki", "tempo", "operations"}


# --------------------------------------------------------------------------------------------
# Synthetic plans: the standalone lifecycle resource, tables, regions


def plan(resources: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": resources}},
        **extra,
    }


def resource(type_: str, name: str, values: dict[str, Any], index: Any = None) -> dict[str, Any]:
    address = f"{type_}.{name}" + ("" if index is None else f"[{json.dumps(index)}]")
    entry = {"address": address, "mode": "managed", "type": type_, "name": name, "values": values}
    if index is not None:
        entry["index"] = index
    return entry


# A plan of a root with no stack contract: the modules' reserved tags say what a bucket is for.
LOKI = {"lgtm:app": "loki", "lgtm:store": "chunks"}
REGION = {
    "configuration": {
        "provider_config": {"aws": {"expressions": {"region": {"constant_value": "eu-west-1"}}}}
    }
}


def test_standalone_lifecycle_configuration_with_filters_is_read() -> None:
    inventory = inventory_from_plan(
        plan(
            [
                resource("aws_s3_bucket", "logs", {"bucket": "acme-loki-chunks", "tags": LOKI}),
                resource(
                    "aws_s3_bucket_lifecycle_configuration",
                    "logs",
                    {
                        "bucket": "acme-loki-chunks",
                        "transition_default_minimum_object_size": VARIES_BY_CLASS,
                        "rule": [
                            {
                                "id": "tier",
                                "status": "Enabled",
                                "filter": [
                                    {"and": [{"prefix": "fake/", "object_size_greater_than": 1024}]}
                                ],
                                "transition": [{"days": 30, "storage_class": "GLACIER_IR"}],
                                "expiration": [{"days": 90}],
                                "noncurrent_version_expiration": [{"noncurrent_days": 5}],
                            },
                            {"id": "off", "status": "Disabled", "expiration": [{"days": 1}]},
                        ],
                    },
                ),
                resource(
                    "aws_s3_bucket_versioning",
                    "logs",
                    {
                        "bucket": "acme-loki-chunks",
                        "versioning_configuration": [{"status": "Enabled"}],
                    },
                ),
            ],
            **REGION,
        )
    )
    (bucket,) = inventory.buckets
    assert (bucket.app, bucket.store, bucket.versioning) == ("loki", "chunks", True)
    assert bucket.lifecycle.min_transition_size == VARIES_BY_CLASS
    policy = bucket.lifecycle.policy_for("fake/", 2048)
    assert policy.expiration_days == 90 and policy.noncurrent_expiration_days == 5
    assert policy.transitions == (Transition(30, "GLACIER_IR", size_filtered=True),)
    assert bucket.lifecycle.policy_for("fake/", 512).expiration_days is None  # size filter
    assert bucket.lifecycle.policy_for("index/", 2048).expiration_days is None  # prefix filter
    assert inventory.region == "eu-west-1"


def test_sub_resources_with_unknown_bucket_ids_link_through_configuration_references() -> None:
    inventory = inventory_from_plan(
        plan(
            [
                resource("aws_s3_bucket", "this", {"bucket": "x-tempo-traces"}, index="t"),
                resource(
                    "aws_s3_bucket_server_side_encryption_configuration",
                    "this",
                    {
                        "rule": [
                            {
                                "apply_server_side_encryption_by_default": [
                                    {"sse_algorithm": "aws:kms"}
                                ],
                                "bucket_key_enabled": False,
                            }
                        ]
                    },
                    index="t",
                ),
            ],
            configuration={
                "root_module": {
                    "resources": [
                        {
                            "address": "aws_s3_bucket_server_side_encryption_configuration.this",
                            "type": "aws_s3_bucket_server_side_encryption_configuration",
                            "name": "this",
                            "expressions": {
                                "bucket": {"references": ["aws_s3_bucket.this", "each.key"]}
                            },
                        }
                    ]
                }
            },
            variables={"region": {"value": "us-west-2"}},
        )
    )
    (bucket,) = inventory.buckets
    assert bucket.kms and not bucket.bucket_key
    assert inventory.region is None  # no data source, provider config, output or ARN


def test_dynamodb_tables_with_auto_scaling_targets_and_policies() -> None:
    name = "lgtm-prod-1-loki-index"
    inventory = inventory_from_plan(
        plan(
            [
                resource(
                    "aws_dynamodb_table",
                    "provisioned",
                    {
                        "name": name,
                        "billing_mode": "PROVISIONED",
                        "read_capacity": 5,
                        "write_capacity": 5,
                        "table_class": "STANDARD_INFREQUENT_ACCESS",
                        "point_in_time_recovery": [{"enabled": True}],
                        "server_side_encryption": [{"enabled": True}],
                        "tags": {"lgtm:app": "loki"},
                        "global_secondary_index": [
                            {"name": "g", "read_capacity": 5, "write_capacity": 5}
                        ],
                    },
                    index=name,
                ),
                resource(
                    "aws_appautoscaling_target",
                    "this",
                    {
                        "service_namespace": "dynamodb",
                        "resource_id": f"table/{name}",
                        "scalable_dimension": "dynamodb:table:WriteCapacityUnits",
                        "min_capacity": 5,
                        "max_capacity": 500,
                    },
                    index=f"{name}/write",
                ),
                resource(
                    "aws_appautoscaling_target",
                    "this",
                    {
                        "service_namespace": "dynamodb",
                        "resource_id": f"table/{name}/index/g",
                        "scalable_dimension": "dynamodb:index:ReadCapacityUnits",
                        "min_capacity": 1,
                        "max_capacity": 50,
                    },
                    index=f"{name}/index/g/read",
                ),
                resource(
                    "aws_appautoscaling_policy",
                    "this",
                    {"target_tracking_scaling_policy_configuration": [{"target_value": 50}]},
                    index=f"{name}/write",
                ),
            ],
            **REGION,
        )
    )
    (table,) = inventory.tables
    assert (table.app, table.billing_mode, table.table_class) == (
        "loki",
        "PROVISIONED",
        "STANDARD_INFREQUENT_ACCESS",
    )
    assert table.pitr and table.kms_encrypted and table.indexes == (("g", 5.0, 5.0),)
    assert table.scaling["write"].maximum == 500 and table.scaling["write"].target_utilization == 50
    assert (
        table.scaling["g/read"].maximum == 50 and table.scaling["g/read"].target_utilization == 70
    )


def test_trails_with_known_buckets_and_advanced_selectors() -> None:
    inventory = inventory_from_plan(
        plan(
            [
                resource("aws_s3_bucket", "a", {"bucket": "p-mimir-blocks"}),
                resource(
                    "aws_cloudtrail",
                    "basic",
                    {
                        "name": "basic",
                        "s3_bucket_name": "p-audit",
                        "event_selector": [
                            {
                                "read_write_type": "All",
                                "data_resource": [
                                    {
                                        "type": "AWS::S3::Object",
                                        "values": ["arn:aws:s3:::p-mimir-blocks/"],
                                    }
                                ],
                            }
                        ],
                    },
                ),
                resource(
                    "aws_cloudtrail",
                    "advanced",
                    {
                        "name": "advanced",
                        "advanced_event_selector": [
                            {
                                "field_selector": [
                                    {"field": "eventCategory", "equals": ["Data"]},
                                    {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                                    {"field": "readOnly", "equals": ["false"]},
                                ]
                            }
                        ],
                    },
                ),
            ],
            **REGION,
        )
    )
    basic, advanced = inventory.trails
    assert basic.selectors[0].buckets == ("p-mimir-blocks",) and basic.target_bucket == "p-audit"
    assert advanced.selectors[0].read_write_type == "WriteOnly"
    assert advanced.selectors[0].buckets is None  # every bucket


def test_metric_math_alarms_bill_each_metric() -> None:
    inventory = inventory_from_plan(
        plan(
            [
                resource(
                    "aws_cloudwatch_metric_alarm",
                    "t",
                    {
                        "alarm_name": "t-throttles",
                        "metric_query": [
                            {"id": "total", "expression": "SUM([m0,m1])", "metric": []},
                            {
                                "id": "m0",
                                "metric": [
                                    {"dimensions": {"TableName": "x-loki-index"}, "period": 300}
                                ],
                            },
                            {
                                "id": "m1",
                                "metric": [
                                    {"dimensions": {"TableName": "x-loki-index"}, "period": 10}
                                ],
                            },
                        ],
                    },
                )
            ],
            **REGION,
        )
    )
    (alarm,) = inventory.alarms
    assert alarm.metrics == 2 and alarm.high_resolution is False


def test_region_falls_back_to_arns_in_planned_values() -> None:
    inventory = inventory_from_plan(
        plan([resource("aws_sns_topic", "t", {"arn": "arn:aws:sns:eu-central-1:123456789012:t"})])
    )
    assert (inventory.region, inventory.region_source) == (
        "eu-central-1",
        "ARNs in the planned values",
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("{not json", "is not JSON"),
        ('{"resource_changes": []}', "is not the JSON of a Terraform plan"),
    ],
)
def test_read_plan_rejects_files_that_are_not_plans(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "plan.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UsageError, match=message):
        read_plan(path)
