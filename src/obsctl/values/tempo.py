"""tempo-distributed 3.x or tempo (monolithic) 2.x values, and the plain Tempo 3.0 config.

Tempo 3 in microservices mode (tempo-distributed) writes spans to a Kafka-compatible broker
that the chart does not bundle, so its values need `--kafka-address`. The monolithic chart
(Tempo 2.10) and a Tempo 3 single binary (`target: all`) need none.

Both charts receive OTLP over gRPC (4317) and HTTP (4318): tempo-distributed turns every
receiver off by default. When the same values deploy Mimir, Tempo's metrics-generator writes
span metrics and service graphs to it, in the tenant Grafana reads, so Grafana's service map
and traces-to-metrics links have data behind them.
"""

from __future__ import annotations

from typing import Any

from obsctl.values.inputs import AppInputs
from obsctl.values.naming import OTLP_PORTS, Endpoint
from obsctl.values.options import KAFKA_TOPICS, TENANT_HEADER
from obsctl.values.s3 import s3_endpoint, sse

# The processors behind Grafana's service map (service-graphs) and traces-to-metrics links
# (span-metrics).
SPAN_METRICS_PROCESSORS = ["service-graphs", "span-metrics"]


def trace_storage(inputs: AppInputs) -> dict[str, Any]:
    s3: dict[str, Any] = {
        "bucket": inputs.bucket("traces"),
        "endpoint": s3_endpoint(inputs.region),
        "region": inputs.region,
    }
    if (block := sse(inputs.kms_key_arn)) is not None:
        s3["sse"] = block
    return {"trace": {"backend": "s3", "s3": s3}}


def otlp_receivers() -> dict[str, Any]:
    """The OTLP receiver of Tempo's distributor, listening on every interface (the
    OpenTelemetry receivers default to localhost, which no other pod reaches)."""
    protocols = {name: {"endpoint": f"0.0.0.0:{port}"} for name, port in OTLP_PORTS.items()}
    return {"otlp": {"protocols": protocols}}


def remote_write(target: Endpoint, tenant: str) -> list[dict[str, Any]]:
    """Tempo runs single-tenant, so it adds no X-Scope-OrgID of its own: the header names the
    Mimir tenant that Grafana's data source queries."""
    return [{"url": target.url, "headers": {TENANT_HEADER: tenant}}]


def _generator_overrides() -> dict[str, Any]:
    return {"defaults": {"metrics_generator": {"processors": list(SPAN_METRICS_PROCESSORS)}}}


def distributed_values(inputs: AppInputs, span_metrics: Endpoint | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "storage": trace_storage(inputs),
        # The backend-worker's compaction settings default to these (the chart merges them).
        "backendScheduler": {
            "config": {
                "provider": {"compaction": {"compaction": {"block_retention": inputs.retention}}}
            }
        },
        "traces": {"otlp": {"grpc": {"enabled": True}, "http": {"enabled": True}}},
    }
    if inputs.options.kafka_address is not None:
        values["ingest"] = {"kafka": {"address": inputs.options.kafka_address}}
    if span_metrics is not None:
        values["metricsGenerator"] = {
            "enabled": True,
            "config": {
                "storage": {"remote_write": remote_write(span_metrics, inputs.options.tenant)}
            },
        }
        values["overrides"] = _generator_overrides()
    values["serviceAccount"] = {"create": True, "annotations": inputs.annotations}
    return values


def monolithic_values(inputs: AppInputs, span_metrics: Endpoint | None) -> dict[str, Any]:
    tempo: dict[str, Any] = {
        "storage": trace_storage(inputs),
        "retention": inputs.retention,
        "receivers": otlp_receivers(),
    }
    if span_metrics is not None:
        tempo["metricsGenerator"] = {
            "enabled": True,
            "storage": {"remote_write": remote_write(span_metrics, inputs.options.tenant)},
        }
        tempo["overrides"] = _generator_overrides()
    return {
        "tempo": tempo,
        "serviceAccount": {"create": True, "annotations": inputs.annotations},
    }


def helm_values(inputs: AppInputs, span_metrics: Endpoint | None = None) -> dict[str, Any]:
    """`span_metrics`: Mimir's remote-write endpoint when the same values deploy Mimir."""
    if inputs.chart.name == "tempo":
        return monolithic_values(inputs, span_metrics)
    return distributed_values(inputs, span_metrics)


def app_config(inputs: AppInputs) -> dict[str, Any]:
    config: dict[str, Any] = {
        "distributor": {"receivers": otlp_receivers()},
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
