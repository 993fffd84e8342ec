"""The charts' naming rules: fullnames, service accounts, namespaces and in-cluster URLs.

They mirror the charts' `_helpers.tpl` (reference/lgtm-requirements.md section 6):

- fullname: `fullnameOverride` if set; else `<release>` when the release name contains the
  chart's name, otherwise `<release>-<name>`; cut to 63 characters, trailing "-" trimmed.
  The name is `mimir` for mimir-distributed (a hard-coded infix), `tempo` for both Tempo
  charts, and `nameOverride` or the chart name for loki, tempo and grafana.
- service account: `serviceAccount.name` if set, else the fullname when `create` is true,
  else "default". Mimir's ruler and alertmanager accounts, when created, default to
  `<account>-ruler` and `<account>-alertmanager`.
- namespace: the release namespace, or `namespaceOverride` for loki and grafana.

They read the final values (after --set-file), so an override there is honoured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from obsctl.values.options import ChartSpec

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
MIMIR_COMPONENT_ACCOUNTS = ("ruler", "alertmanager")


def lookup(values: Mapping[str, Any], *path: str, default: Any = None) -> Any:
    node: Any = values
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return default
        node = node[key]
    return default if node is None else node


def helm_fullname(release: str, name: str, fullname_override: str | None = None) -> str:
    if fullname_override:
        return fullname_override[:63].rstrip("-")
    full = release if name in release else f"{release}-{name}"
    return full[:63].rstrip("-")


def chart_name(spec: ChartSpec, values: Mapping[str, Any]) -> str:
    if spec.honours_name_override:
        return str(lookup(values, "nameOverride", default="") or spec.base_name)
    return spec.base_name


def fullname(spec: ChartSpec, release: str, values: Mapping[str, Any]) -> str:
    override = lookup(values, "fullnameOverride", default="")
    return helm_fullname(release, chart_name(spec, values), str(override) if override else None)


def release_namespace(spec: ChartSpec, namespace: str, values: Mapping[str, Any]) -> str:
    if spec.honours_namespace_override:
        return str(lookup(values, "namespaceOverride", default="") or namespace)
    return namespace


@dataclass(frozen=True)
class ServiceAccount:
    """A Kubernetes service account whose pods call AWS with the app's role."""

    app: str
    component: str  # "" for the chart's main account, else "ruler" / "alertmanager"
    namespace: str
    name: str
    created: bool  # False: the chart uses an existing account and sets no annotation
    annotations: Mapping[str, str]

    @property
    def subject(self) -> str:
        return f"system:serviceaccount:{self.namespace}:{self.name}"

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.name}"


def _account(
    app: str, component: str, namespace: str, block: Any, default_name: str, fallback: str
) -> ServiceAccount:
    block = block if isinstance(block, Mapping) else {}
    created = bool(block.get("create", True))
    name = block.get("name") or (default_name if created else fallback)
    annotations = block.get("annotations") if created else None
    return ServiceAccount(
        app=app,
        component=component,
        namespace=namespace,
        name=str(name),
        created=created,
        annotations=dict(annotations or {}),
    )


def service_accounts(
    spec: ChartSpec, release: str, namespace: str, values: Mapping[str, Any]
) -> list[ServiceAccount]:
    """The accounts the chart's pods run as, main account first."""
    app = spec.app
    ns = release_namespace(spec, namespace, values)
    main = _account(
        app, "", ns, values.get("serviceAccount"), fullname(spec, release, values), "default"
    )
    accounts = [main]
    if spec.name == "mimir-distributed":
        for component in MIMIR_COMPONENT_ACCOUNTS:
            block = lookup(values, component, "serviceAccount", default={})
            if isinstance(block, Mapping) and block.get("create", False):
                accounts.append(
                    _account(app, component, ns, block, f"{main.name}-{component}", main.name)
                )
    return accounts


@dataclass(frozen=True)
class Endpoint:
    """Where Grafana reaches an app inside the cluster."""

    service: str
    namespace: str
    port: int
    path: str = ""

    @property
    def url(self) -> str:
        return f"http://{self.service}.{self.namespace}.svc:{self.port}{self.path}"


MIMIR_HTTP_PORT = 8080  # mimir-distributed: every component's http-metrics port
TEMPO_HTTP_PORT = 3200  # both Tempo charts: server.http_listen_port
OTLP_PORTS = {"grpc": 4317, "http": 4318}  # OpenTelemetry's standard ports


def _mimir_gateway(values: Mapping[str, Any]) -> bool:
    return bool(lookup(values, "gateway", "enabled", default=True))


def _gateway_service(spec: ChartSpec, base: str, values: Mapping[str, Any]) -> str:
    service = lookup(values, "gateway", "service", "nameOverride", default="")
    if spec.name != "mimir-distributed" or not service:
        service = f"{base}-gateway"
    return str(service)


def query_endpoint(
    spec: ChartSpec, release: str, namespace: str, values: Mapping[str, Any]
) -> Endpoint:
    """Where queries go: the chart's gateway when it is on (Mimir and Loki by default), else
    the query-frontend (tempo-distributed, whose gateway is off by default), or the single
    Tempo service of the monolithic chart."""
    ns = release_namespace(spec, namespace, values)
    base = fullname(spec, release, values)
    if spec.name == "tempo":
        port = lookup(values, "tempo", "server", "http_listen_port", default=TEMPO_HTTP_PORT)
        return Endpoint(base, ns, int(port))
    if spec.name == "tempo-distributed" and not lookup(values, "gateway", "enabled"):
        port = lookup(values, "server", "httpListenPort", default=TEMPO_HTTP_PORT)
        return Endpoint(f"{base}-query-frontend", ns, int(port))
    if spec.name == "mimir-distributed" and not _mimir_gateway(values):
        return Endpoint(f"{base}-query-frontend", ns, MIMIR_HTTP_PORT, "/prometheus")
    port = lookup(values, "gateway", "service", "port", default=80)
    path = "/prometheus" if spec.name == "mimir-distributed" else ""
    return Endpoint(_gateway_service(spec, base, values), ns, int(port), path)


def mimir_push_endpoint(
    spec: ChartSpec, release: str, namespace: str, values: Mapping[str, Any]
) -> Endpoint:
    """Mimir's Prometheus remote-write endpoint: through the gateway when it is on, else the
    distributor itself."""
    ns = release_namespace(spec, namespace, values)
    base = fullname(spec, release, values)
    if not _mimir_gateway(values):
        return Endpoint(f"{base}-distributor", ns, MIMIR_HTTP_PORT, "/api/v1/push")
    port = lookup(values, "gateway", "service", "port", default=80)
    return Endpoint(_gateway_service(spec, base, values), ns, int(port), "/api/v1/push")


def loki_push_endpoint(
    spec: ChartSpec, release: str, namespace: str, values: Mapping[str, Any]
) -> Endpoint:
    """Loki's push API, through the gateway Grafana also queries."""
    query = query_endpoint(spec, release, namespace, values)
    return Endpoint(query.service, query.namespace, query.port, "/loki/api/v1/push")


def otlp_endpoints(
    spec: ChartSpec, release: str, namespace: str, values: Mapping[str, Any]
) -> dict[str, Endpoint]:
    """Where applications send traces (OTLP over gRPC and HTTP): the distributor of
    tempo-distributed, the single Tempo service of the monolithic chart."""
    ns = release_namespace(spec, namespace, values)
    base = fullname(spec, release, values)
    service = base if spec.name == "tempo" else f"{base}-distributor"
    return {
        "grpc": Endpoint(service, ns, OTLP_PORTS["grpc"]),
        "http": Endpoint(service, ns, OTLP_PORTS["http"], "/v1/traces"),
    }
