"""tempo-distributed 3.x or tempo (monolithic) 2.x values, and the plain Tempo 3.0 config.

Tempo 3 in microservices mode (tempo-distributed) writes spans to a Kafka-compatible broker
that the chart does not bundle, so its values need `--kafka-address`. The monolithic chart
(Tempo 2.10) and a Tempo 3 single binary (`target: all`) need none.
"""

from __future__ import annotations

from typing import Any

from obsctl.values.inputs import AppInputs
from obsctl.values.options import KAFKA_TOPICS
from obsctl.values.s3 import s3_endpoint, sse


def trace_storage(inputs: AppInputs) -> dict[str, Any]:
    s3: dict[str, Any] = {
        "bucket": inputs.bucket("traces"),
        "endpoint": s3_endpoint(inputs.region),
        "region": inputs.region,
    }
    if (block := sse(inputs.kms_key_arn)) is not None:
        s3["sse"] = block
    return {"trace": {"backend": "s3", "s3": s3}}


def distributed_values(inputs: AppInputs) -> dict[str, Any]:
    values: dict[str, Any] = {
        "storage": trace_storage(inputs),
        # The backend-worker's compaction settings default to these (the chart merges them).
        "backendScheduler": {
            "config": {
                "provider": {"compaction": {"compaction": {"block_retention": inputs.retention}}}
            }
        },
    }
    if inputs.options.kafka_address is not None:
        values["ingest"] = {"kafka": {"address": inputs.options.kafka_address}}
    values["gateway"] = {"enabled": True}  # Grafana's Tempo data source goes through it
    values["serviceAccount"] = {"create": True, "annotations": inputs.annotations}
    return values


def monolithic_values(inputs: AppInputs) -> dict[str, Any]:
    return {
        "tempo": {"storage": trace_storage(inputs), "retention": inputs.retention},
        "serviceAccount": {"create": True, "annotations": inputs.annotations},
    }


def helm_values(inputs: AppInputs) -> dict[str, Any]:
    if inputs.chart.name == "tempo":
        return monolithic_values(inputs)
    return distributed_values(inputs)


def app_config(inputs: AppInputs) -> dict[str, Any]:
    config: dict[str, Any] = {
        "storage": trace_storage(inputs),
        "backend_scheduler": {
            "provider": {"compaction": {"compaction": {"block_retention": inputs.retention}}}
        },
        "backend_worker": {"compaction": {"block_retention": inputs.retention}},
    }
    if inputs.options.kafka_address is not None:
        config["ingest"] = {
            "kafka": {"address": inputs.options.kafka_address, "topic": KAFKA_TOPICS["tempo"]}
        }
    return config
