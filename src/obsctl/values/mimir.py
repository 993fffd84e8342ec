"""grafana/mimir-distributed 6.x values, and the plain Mimir 3.x configuration.

The chart's defaults deploy a demo MinIO and a demo Kafka; both go. Without a Kafka address
the values apply the chart's classic-architecture preset (distributors push to ingesters);
with one, Mimir uses ingest storage on that broker. Mimir stores no exemplars unless told how
many (0 by default): the Helm values keep as many as Prometheus does, so Grafana's
exemplar-to-trace links have exemplars to show.
"""

from __future__ import annotations

from typing import Any

from obsctl.values.inputs import AppInputs
from obsctl.values.merge import deep_merge
from obsctl.values.naming import MIMIR_COMPONENT_ACCOUNTS, service_accounts
from obsctl.values.options import KAFKA_TOPICS
from obsctl.values.s3 import s3_endpoint, sse

# Prometheus's own default exemplar storage (--storage.tsdb.max-exemplars), per tenant.
MAX_EXEMPLARS = 100_000

# What mimir-distributed's classic-architecture.yaml sets (chart 6.3.0-weekly.408): Kafka off,
# and the Kafka-only settings of the chart's mimir.config removed (null deletes them).
CLASSIC_ARCHITECTURE: dict[str, Any] = {
    "ingest_storage": {
        "enabled": False,
        "kafka": {"address": None, "topic": None, "auto_create_topic_default_partitions": None},
    },
    "distributor": {"remote_timeout": None},
    "ingester": {"push_grpc_method_enabled": None},
}


def storage_config(inputs: AppInputs) -> dict[str, Any]:
    """Mimir configuration for the three stores, their encryption and the retention."""
    s3: dict[str, Any] = {"endpoint": s3_endpoint(inputs.region), "region": inputs.region}
    if (block := sse(inputs.kms_key_arn)) is not None:
        s3["sse"] = block
    return {
        "common": {"storage": {"backend": "s3", "s3": s3}},
        "blocks_storage": {"s3": {"bucket_name": inputs.bucket("blocks")}},
        "ruler_storage": {"s3": {"bucket_name": inputs.bucket("ruler")}},
        "alertmanager_storage": {"s3": {"bucket_name": inputs.bucket("alertmanager")}},
        "limits": {"compactor_blocks_retention_period": inputs.retention},
    }


def helm_values(inputs: AppInputs) -> dict[str, Any]:
    kafka = inputs.options.kafka_address
    structured = storage_config(inputs)
    structured["limits"]["max_global_exemplars_per_user"] = MAX_EXEMPLARS
    if kafka is None:
        structured = deep_merge(structured, CLASSIC_ARCHITECTURE)
    else:
        structured["ingest_storage"] = {"kafka": {"address": kafka}}
    values: dict[str, Any] = {
        "minio": {"enabled": False},
        "kafka": {"enabled": False},
        "serviceAccount": {"create": True, "annotations": inputs.annotations},
    }
    # The iam module trusts "<account>-ruler" / "<account>-alertmanager" only when asked to;
    # the chart creates those accounts only when told to. Keep the two in step.
    main = service_accounts(
        inputs.chart, inputs.release, inputs.namespace, deep_merge(values, inputs.extra)
    )[0]
    trusted = set(inputs.role.service_accounts) if inputs.role else set()
    for component in MIMIR_COMPONENT_ACCOUNTS:
        if f"{main.name}-{component}" in trusted:
            values[component] = {
                "serviceAccount": {"create": True, "annotations": inputs.annotations}
            }
    values["mimir"] = {"structuredConfig": structured}
    return values


def app_config(inputs: AppInputs) -> dict[str, Any]:
    config = storage_config(inputs)
    kafka = inputs.options.kafka_address
    if kafka is None:
        config["ingest_storage"] = {"enabled": False}
    else:
        config["ingest_storage"] = {
            "enabled": True,
            "kafka": {"address": kafka, "topic": KAFKA_TOPICS["mimir"]},
        }
    return config
