"""grafana 12.x (grafana-community) values: the role annotation and the data sources.

Mimir (Prometheus type), Loki and Tempo point at the in-cluster services of the releases just
rendered, and link to each other: exemplars and trace IDs in logs open the trace, a span opens
its logs and its service's metrics. CloudWatch uses the AWS SDK's default credentials, which
are the pod's role (IRSA or Pod Identity).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from obsctl.values.inputs import AppInputs
from obsctl.values.naming import Endpoint
from obsctl.values.options import TENANT_HEADER

UIDS = {"mimir": "mimir", "loki": "loki", "tempo": "tempo", "cloudwatch": "cloudwatch"}
# The label OpenTelemetry SDKs and Prometheus clients give a trace ID on exemplars.
EXEMPLAR_TRACE_LABEL = "trace_id"
# A trace ID in a log line: trace_id=…, traceID: "…", "traceId":"…".
TRACE_ID_IN_LOGS = r"""(?:trace_?id|traceI[dD])["']?\s*[=:]\s*["']?(\w+)"""
SPAN_WINDOW = {"spanStartTimeShift": "-1h", "spanEndTimeShift": "1h"}
# OpenTelemetry's service.name, as Loki (OTLP ingestion) and Tempo's span metrics label it.
SERVICE_TAGS = {
    "loki": [{"key": "service.name", "value": "service_name"}],
    "mimir": [{"key": "service.name", "value": "service"}],
}


def _mimir(endpoint: Endpoint, tenant: str, apps: set[str]) -> dict[str, Any]:
    json_data: dict[str, Any] = {"httpMethod": "POST", "prometheusType": "Mimir"}
    if "tempo" in apps:
        json_data["exemplarTraceIdDestinations"] = [
            {"name": EXEMPLAR_TRACE_LABEL, "datasourceUid": UIDS["tempo"]}
        ]
    json_data["httpHeaderName1"] = TENANT_HEADER
    return {
        "name": "Mimir",
        "type": "prometheus",
        "uid": UIDS["mimir"],
        "access": "proxy",
        "url": endpoint.url,
        "isDefault": True,
        "jsonData": json_data,
        "secureJsonData": {"httpHeaderValue1": tenant},
    }


def _loki(endpoint: Endpoint, tenant: str, apps: set[str]) -> dict[str, Any]:
    json_data: dict[str, Any] = {}
    if "tempo" in apps:
        json_data["derivedFields"] = [
            {
                "name": "TraceID",
                "matcherRegex": TRACE_ID_IN_LOGS,
                "datasourceUid": UIDS["tempo"],
                # `$$` because Grafana expands $VARS in provisioning files.
                "url": "$${__value.raw}",
                "urlDisplayLabel": "Open trace",
            }
        ]
    json_data["httpHeaderName1"] = TENANT_HEADER
    return {
        "name": "Loki",
        "type": "loki",
        "uid": UIDS["loki"],
        "access": "proxy",
        "url": endpoint.url,
        "jsonData": json_data,
        "secureJsonData": {"httpHeaderValue1": tenant},
    }


def _tempo(endpoint: Endpoint, apps: set[str]) -> dict[str, Any]:
    json_data: dict[str, Any] = {}
    if "loki" in apps:
        json_data["tracesToLogsV2"] = {
            "datasourceUid": UIDS["loki"],
            **SPAN_WINDOW,
            "filterByTraceID": True,
            "filterBySpanID": False,
            "tags": SERVICE_TAGS["loki"],
        }
        json_data["lokiSearch"] = {"datasourceUid": UIDS["loki"]}
    if "mimir" in apps:
        json_data["tracesToMetrics"] = {
            "datasourceUid": UIDS["mimir"],
            **SPAN_WINDOW,
            "tags": SERVICE_TAGS["mimir"],
        }
        json_data["serviceMap"] = {"datasourceUid": UIDS["mimir"]}
    json_data["nodeGraph"] = {"enabled": True}
    return {
        "name": "Tempo",
        "type": "tempo",
        "uid": UIDS["tempo"],
        "access": "proxy",
        "url": endpoint.url,
        "jsonData": json_data,
    }


def _cloudwatch(region: str) -> dict[str, Any]:
    return {
        "name": "CloudWatch",
        "type": "cloudwatch",
        "uid": UIDS["cloudwatch"],
        "access": "proxy",
        "jsonData": {"authType": "default", "defaultRegion": region},
    }


def datasources(
    endpoints: Mapping[str, Endpoint], tenant: str, region: str, cloudwatch: bool
) -> list[dict[str, Any]]:
    apps = set(endpoints)
    sources: list[dict[str, Any]] = []
    if "mimir" in endpoints:
        sources.append(_mimir(endpoints["mimir"], tenant, apps))
    if "loki" in endpoints:
        sources.append(_loki(endpoints["loki"], tenant, apps))
    if "tempo" in endpoints:
        sources.append(_tempo(endpoints["tempo"], apps))
    if cloudwatch:
        sources.append(_cloudwatch(region))
    return sources


def helm_values(inputs: AppInputs, endpoints: Mapping[str, Endpoint]) -> dict[str, Any]:
    options = inputs.options
    return {
        "serviceAccount": {"create": True, "annotations": inputs.annotations},
        "datasources": {
            "datasources.yaml": {
                "apiVersion": 1,
                "datasources": datasources(
                    endpoints, options.tenant, inputs.region, options.grafana_cloudwatch
                ),
            }
        },
    }
