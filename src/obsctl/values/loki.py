"""loki 18.x (grafana-community) values, and the plain Loki 3.7 configuration.

S3 through Loki's default (legacy) client: chunks and the TSDB index in the chunks bucket,
rules in the ruler bucket, both encrypted with the stack's key; tsdb/v13 schema; retention
run by the compactor, which also needs the delete-request store.
"""

from __future__ import annotations

from typing import Any

from obsctl.values.inputs import AppInputs
from obsctl.values.s3 import sse

INDEX_PREFIX = "loki_index_"


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
        "loki": {
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
