"""Grafana's data sources resolve, and what they show exists.

Every data source URL names a Service (and port) of the render; every link to another data
source names one that is provisioned; and every feature a data source turns on has a producer:
service map and traces-to-metrics need Tempo's metrics-generator writing service graphs and span
metrics to that Mimir, in the tenant Grafana queries; exemplar links need Mimir to store
exemplars; CloudWatch needs Grafana's role.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from obsctl.model.contract import StackContract
from obsctl.values.conformance.findings import Finding
from obsctl.values.conformance.manifests import Release
from obsctl.values.naming import lookup
from obsctl.values.options import TENANT_HEADER

CHECK = "datasources"
PUSH_PATH = "/api/v1/push"
# Grafana Tempo data source setting -> the metrics-generator processor whose metrics it reads.
GENERATED_METRICS = {"serviceMap": "service-graphs", "tracesToMetrics": "span-metrics"}


def _finding(message: str) -> Finding:
    return Finding("grafana", CHECK, message)


def _service_of(url: str, releases: Mapping[str, Release]) -> tuple[str, Release | None]:
    """("name.namespace:port", the release whose Service answers `url`, or None)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    labels = host.removesuffix(".cluster.local").removesuffix(".svc").split(".")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    where = f"{host}:{port}"
    if len(labels) != 2:
        return where, None
    name, namespace = labels
    for release in releases.values():
        for service in release.manifests.services:
            if (service.name, service.namespace) == (name, namespace) and port in service.ports:
                return where, release
    return where, None


def _uids(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "datasourceUid":
                yield str(value)
            else:
                yield from _uids(value)
    elif isinstance(node, list):
        for item in node:
            yield from _uids(item)


def _tenant(source: Mapping[str, Any]) -> str | None:
    json_data = source.get("jsonData") or {}
    for number in range(1, 10):
        if str(json_data.get(f"httpHeaderName{number}", "")).lower() == TENANT_HEADER.lower():
            return lookup(source, "secureJsonData", f"httpHeaderValue{number}")
    return None


def _app_config(releases: Mapping[str, Release], app: str, key: str) -> Mapping[str, Any] | None:
    release = releases.get(app)
    return release.manifests.config(key) if release is not None else None


def _generated_metrics(
    feature: str, target: Mapping[str, Any] | None, releases: Mapping[str, Release]
) -> list[Finding]:
    """Tempo's metrics-generator writes the processor's metrics to the target data source's
    Mimir, in the tenant that data source queries."""
    processor = GENERATED_METRICS[feature]
    what = f"the Tempo data source's {feature}"
    tempo = _app_config(releases, "tempo", "tempo.yaml")
    if tempo is None or lookup(tempo, "metrics_generator") is None:
        return [_finding(f"{what} reads {processor} metrics, but Tempo runs no metrics-generator.")]
    processors = lookup(tempo, "overrides", "defaults", "metrics_generator", "processors") or []
    findings = []
    if processor not in processors:
        findings.append(
            _finding(
                f"{what} reads {processor} metrics, but Tempo's metrics-generator runs "
                f"only {', '.join(processors) or 'no processor'}."
            )
        )
    writes = lookup(tempo, "metrics_generator", "storage", "remote_write") or []
    tenant = _tenant(target) if target is not None else None
    reaching = []
    for write in writes:
        url = str(write.get("url", ""))
        _, release = _service_of(url, releases)
        if release is not None and release.app == "mimir" and urlsplit(url).path == PUSH_PATH:
            reaching.append(write)
    if not reaching:
        urls = ", ".join(str(w.get("url")) for w in writes) or "nowhere"
        findings.append(
            _finding(
                f"{what} reads {processor} metrics from Mimir, but Tempo's "
                f"metrics-generator writes them to {urls}, not to a Mimir {PUSH_PATH} "
                "Service of the render."
            )
        )
    elif tenant is not None:
        tenants = {lookup(w, "headers", TENANT_HEADER) for w in reaching}
        if tenant not in tenants:
            findings.append(
                _finding(
                    f"{what} queries Mimir tenant {tenant}, but Tempo's metrics-generator "
                    f"writes to tenant {', '.join(map(str, tenants))}."
                )
            )
    return findings


def _features(
    source: Mapping[str, Any],
    by_uid: Mapping[str, Mapping[str, Any]],
    releases: Mapping[str, Release],
    contract: StackContract,
) -> list[Finding]:
    json_data = source.get("jsonData") or {}
    findings = []
    if source.get("type") == "tempo":
        for feature in GENERATED_METRICS:
            if feature in json_data:
                target = by_uid.get(str(lookup(json_data, feature, "datasourceUid")))
                findings += _generated_metrics(feature, target, releases)
    if json_data.get("exemplarTraceIdDestinations"):
        mimir = _app_config(releases, "mimir", "mimir.yaml")
        stored = lookup(mimir or {}, "limits", "max_global_exemplars_per_user", default=0)
        if not stored:
            findings.append(
                _finding(
                    f"the {source.get('name')} data source links exemplars to traces, but "
                    "Mimir stores no exemplars (limits.max_global_exemplars_per_user is 0)."
                )
            )
    if source.get("type") == "cloudwatch" and "grafana" not in contract.roles:
        findings.append(
            _finding(
                "the CloudWatch data source uses the pod's role, but the stack contract "
                "has no grafana role."
            )
        )
    return findings


def datasource_findings(contract: StackContract, releases: Mapping[str, Release]) -> list[Finding]:
    grafana = releases.get("grafana")
    if grafana is None:
        return []
    provisioning = grafana.manifests.config("datasources.yaml")
    if provisioning is None:
        return [_finding("the render provisions no data sources (no datasources.yaml).")]
    sources = [s for s in provisioning.get("datasources") or [] if isinstance(s, Mapping)]
    by_uid = {str(s.get("uid")): s for s in sources}
    findings: list[Finding] = []
    for source in sources:
        name = source.get("name")
        url = source.get("url")
        if url:
            where, release = _service_of(str(url), releases)
            if release is None:
                findings.append(
                    _finding(
                        f"the {name} data source points at {url}, but no Service of the "
                        f"render answers on {where}."
                    )
                )
        for uid in _uids(source.get("jsonData") or {}):
            if uid not in by_uid:
                findings.append(
                    _finding(
                        f"the {name} data source links to data source {uid}, which is "
                        "not provisioned."
                    )
                )
        findings += _features(source, by_uid, releases, contract)
    return findings
