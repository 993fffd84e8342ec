"""loki 18.x (grafana-community) values, and the plain Loki 3.7 configuration.

S3 through Loki's default (legacy) client: chunks and the TSDB index in the chunks bucket,
rules in the ruler bucket, both encrypted with the stack's key; tsdb/v13 schema; retention
run by the compactor, which also needs the delete-request store.

The chart deploys Loki in its Monolithic mode (one single-binary replica) but keeps
`replication_factor: 3`, so every push would fail ("at least 2 live replicas required"): the
values name the mode and set the replication factor to its replica count.
"""

from __future__ import annotations

from typing import Any

from obsctl.values.inputs import AppInputs
from obsctl.values.s3 import sse

INDEX_PREFIX = "loki_index_"
DEPLOYMENT_MODE = "Monolithic"
# One single-binary replica, so one copy of each stream: the chart's default mode, for up to a
# few tens of GB of logs a day. Distributed mode (--set-file) scales beyond that.
SINGLE_BINARY_REPLICAS = 1
# The simple-scalable targets default to replicas of their own, which the chart refuses next to
# an explicit single-binary count (its own monolithic-values.yaml zeroes them too).
SCALABLE_TARGETS = ("backend", "read", "write")


def schema_config(inputs: AppInputs) -> dict[str, Any]:
    period = {
        "from": inputs.options.loki_schema_from,
        "store": "tsdb",
        "object_store": "s3",
        "schema": "v13",
        "index": {"prefix": INDEX_PREFIX, "period": "24h"},
    }
    return {"configs": [period]}


def retention_config(inputs: AppInputs) -> dict[str, Any]:
    return {
        "compactor": {"retention_enabled": True, "delete_request_store": "s3"},
        "limits_config": {"retention_period": inputs.retention},
    }


def _s3(inputs: AppInputs, bucket: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {}
    if bucket is not None:
        block["bucketnames"] = bucket
    block["region"] = inputs.region
    if (encryption := sse(inputs.kms_key_arn)) is not None:
        block["sse"] = encryption
    return block


def helm_values(inputs: AppInputs) -> dict[str, Any]:
    retention = retention_config(inputs)
    return {
        "deploymentMode": DEPLOYMENT_MODE,
        "singleBinary": {"replicas": SINGLE_BINARY_REPLICAS},
        **{target: {"replicas": 0} for target in SCALABLE_TARGETS},
        "loki": {
            "commonConfig": {"replication_factor": SINGLE_BINARY_REPLICAS},
            "storage": {
                "type": "s3",
                "bucketNames": {
                    "chunks": inputs.bucket("chunks"),
                    "ruler": inputs.bucket("ruler"),
                },
                "s3": _s3(inputs),
            },
            "schemaConfig": schema_config(inputs),
            "compactor": retention["compactor"],
            "limits_config": retention["limits_config"],
        },
        "serviceAccount": {"create": True, "annotations": inputs.annotations},
        "minio": {"enabled": False},
    }


def app_config(inputs: AppInputs) -> dict[str, Any]:
    return {
        "common": {"storage": {"s3": _s3(inputs, inputs.bucket("chunks"))}},
        "ruler": {"storage": {"type": "s3", "s3": _s3(inputs, inputs.bucket("ruler"))}},
        "schema_config": schema_config(inputs),
        **retention_config(inputs),
    }
