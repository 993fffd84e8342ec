"""What a user can choose when values are written, the charts they are written for, and checks.

Everything is keyed by app (mimir, loki, tempo, grafana). The CLI also accepts chart names
(`mimir-distributed`, `tempo-distributed`, ...) and maps them here, in `app_for_key`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from obsctl.errors import UsageError
from obsctl.model.contract import APPS

TempoChart = Literal["distributed", "monolithic"]
OutputFormat = Literal["helm", "config"]
TEMPO_CHARTS: tuple[TempoChart, ...] = ("distributed", "monolithic")
FORMATS: tuple[OutputFormat, ...] = ("helm", "config")

GRAFANA_REPO = ("grafana", "https://grafana.github.io/helm-charts")
COMMUNITY_REPO = ("grafana-community", "https://grafana-community.github.io/helm-charts")


@dataclass(frozen=True)
class ChartSpec:
    """A Helm chart obsctl writes values for, and the facts its naming rules depend on."""

    name: str
    app: str
    repo: tuple[str, str]  # (local repo name, URL)
    default_version: str
    major: int
    app_version: str
    base_name: str  # the `name` in the chart's fullname rule
    honours_name_override: bool
    honours_namespace_override: bool

    @property
    def reference(self) -> str:
        return f"{self.repo[0]}/{self.name}"


def _chart(
    name: str,
    app: str,
    repo: tuple[str, str],
    version: str,
    app_version: str,
    *,
    name_override: bool = True,
    namespace_override: bool = False,
) -> ChartSpec:
    return ChartSpec(
        name=name,
        app=app,
        repo=repo,
        default_version=version,
        major=int(version.split(".", 1)[0]),
        app_version=app_version,
        base_name="tempo" if app == "tempo" else name.removesuffix("-distributed"),
        honours_name_override=name_override,
        honours_namespace_override=namespace_override,
    )


CHARTS: Mapping[str, ChartSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            # Still in grafana/mimir, published to the grafana repository; `mimir.infixName` is
            # hard-coded, so nameOverride does not change the fullname.
            _chart(
                "mimir-distributed",
                "mimir",
                GRAFANA_REPO,
                "6.2.0",
                "Mimir 3.2",
                name_override=False,
            ),
            _chart(
                "loki", "loki", COMMUNITY_REPO, "18.11.0", "Loki 3.7.6", namespace_override=True
            ),
            # The tempo-distributed templates name everything after "tempo", with no override.
            _chart(
                "tempo-distributed",
                "tempo",
                COMMUNITY_REPO,
                "3.3.0",
                "Tempo 3.0.3",
                name_override=False,
            ),
            _chart("tempo", "tempo", COMMUNITY_REPO, "2.2.4", "Tempo 2.10.8"),
            _chart(
                "grafana",
                "grafana",
                COMMUNITY_REPO,
                "12.11.1",
                "Grafana 13.2.0",
                namespace_override=True,
            ),
        )
    }
)

DEFAULT_TENANT = "anonymous"
TENANT_HEADER = "X-Scope-OrgID"  # the tenant of every Mimir, Loki and Tempo request
# The day Loki's tsdb store and v13 schema became the recommendation (Loki 3.0, April 2024).
# It must lie before the first log line a new install receives; any past date does.
DEFAULT_LOKI_SCHEMA_FROM = "2024-04-01"
KAFKA_TOPICS = {"mimir": "mimir-ingest", "tempo": "tempo-traces"}

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_VERSION = re.compile(r"(\d+)\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?")
_HOST_PORT = re.compile(r"(?P<host>[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(?P<port>\d{1,5})")
_TENANT = re.compile(r"[A-Za-z0-9!._*'()-]{1,150}")


def default_tempo_chart(kafka_address: str | None) -> TempoChart:
    """The one rule for the Tempo chart when the user names none (`obsctl up` and `obsctl
    values` alike): tempo-distributed 3.x when a Kafka broker is given, since its write path
    goes through Kafka; otherwise the single-binary chart, which needs none."""
    return "distributed" if kafka_address is not None else "monolithic"


@dataclass(frozen=True)
class ValuesOptions:
    """The user's choices. Every mapping is keyed by app; an absent key means the default:
    release = the app's name, namespace = the namespace the app's role trusts, chart version =
    the chart's tested version. `tempo_chart=None` means `default_tempo_chart(kafka_address)`;
    after construction it always holds the chart in use."""

    releases: Mapping[str, str] = field(default_factory=dict)
    namespaces: Mapping[str, str] = field(default_factory=dict)
    chart_versions: Mapping[str, str] = field(default_factory=dict)
    extra_values: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    kafka_address: str | None = None
    tempo_chart: TempoChart | None = None
    output_format: OutputFormat = "helm"
    grafana_cloudwatch: bool = True
    tenant: str = DEFAULT_TENANT
    loki_schema_from: str = DEFAULT_LOKI_SCHEMA_FROM

    def __post_init__(self) -> None:
        if self.tempo_chart is None:
            object.__setattr__(self, "tempo_chart", default_tempo_chart(self.kafka_address))

    def chart(self, app: str) -> ChartSpec:
        """The chart written for an app."""
        if app == "tempo":
            return CHARTS["tempo" if self.tempo_chart == "monolithic" else "tempo-distributed"]
        return next(spec for spec in CHARTS.values() if spec.app == app)

    def chart_version(self, app: str) -> str:
        return self.chart_versions.get(app) or self.chart(app).default_version

    def release(self, app: str) -> str:
        return self.releases.get(app) or app


def app_for_key(key: str, flag: str, tempo_chart: TempoChart) -> str:
    """The app a CLI key names: an app name, or the name of the chart written for it."""
    if key in APPS:
        return key
    spec = CHARTS.get(key)
    if spec is None:
        known = ", ".join([*APPS, *(name for name in CHARTS if name not in APPS)])
        raise UsageError(f"{flag} names {key!r}, which is neither an app nor a chart ({known}).")
    in_use = "tempo" if tempo_chart == "monolithic" else "tempo-distributed"
    if spec.app == "tempo" and spec.name != in_use:
        raise UsageError(
            f"{flag} names the {spec.name} chart, but Tempo values are written for the "
            f"{in_use} chart (--tempo-chart {tempo_chart})."
        )
    return spec.app


def validate_options(options: ValuesOptions) -> None:
    """Raise UsageError, one sentence naming the bad value, before anything is rendered."""
    for label, mapping in (
        ("--release", options.releases),
        ("--namespace", options.namespaces),
        ("--chart-version", options.chart_versions),
        ("--set-file", options.extra_values),
    ):
        unknown = sorted(set(mapping) - set(APPS))
        if unknown:
            raise UsageError(f"{label} names unknown app {unknown[0]!r} (apps: {', '.join(APPS)}).")
    for app, release in options.releases.items():
        # Helm release names: DNS-1123 labels of at most 53 characters.
        if not _DNS_LABEL.fullmatch(release) or len(release) > 53:
            raise UsageError(
                f"--release {app}={release} is not a Helm release name (at most 53 characters "
                "of a-z, 0-9 and '-', starting and ending with a letter or digit)."
            )
    for app, namespace in options.namespaces.items():
        if not _DNS_LABEL.fullmatch(namespace) or len(namespace) > 63:
            raise UsageError(
                f"--namespace {app}={namespace} is not a Kubernetes namespace (at most 63 "
                "characters of a-z, 0-9 and '-', starting and ending with a letter or digit)."
            )
    if options.tempo_chart not in TEMPO_CHARTS:
        raise UsageError(
            f"--tempo-chart {options.tempo_chart} is not one of distributed, monolithic."
        )
    if options.output_format not in FORMATS:
        raise UsageError(f"--format {options.output_format} is not one of helm, config.")
    for app, version in options.chart_versions.items():
        spec = options.chart(app)
        match = _VERSION.fullmatch(version)
        if match is None:
            raise UsageError(
                f"--chart-version {spec.name}={version} is not a chart version (X.Y.Z)."
            )
        if int(match.group(1)) != spec.major:
            raise UsageError(
                f"--chart-version {spec.name}={version} is not supported: obsctl writes values "
                f"for {spec.name} {spec.major}.x."
            )
    if options.kafka_address is not None:
        match = _HOST_PORT.fullmatch(options.kafka_address)
        if match is None or not 0 < int(match.group("port")) < 65536:
            raise UsageError(
                f"--kafka-address {options.kafka_address} is not one broker address HOST:PORT "
                "(for example b-1.my-msk.kafka.us-east-1.amazonaws.com:9092)."
            )
    if not _TENANT.fullmatch(options.tenant) or options.tenant in (".", ".."):
        raise UsageError(
            f"--tenant {options.tenant} is not a tenant ID (at most 150 letters, digits and "
            "!-_.*'() characters)."
        )
    try:
        dt.date.fromisoformat(options.loki_schema_from)
    except ValueError:
        raise UsageError(
            f"the Loki schema start date {options.loki_schema_from} is not a date (YYYY-MM-DD)."
        ) from None
    for app, trees in options.extra_values.items():
        for tree in trees:
            if not isinstance(tree, Mapping):
                raise UsageError(f"--set-file {app}: the extra values must be a YAML mapping.")


def require_kafka(options: ValuesOptions) -> None:
    """Tempo 3 in microservices mode needs a Kafka-compatible broker; its chart bundles none."""
    if (
        options.output_format == "helm"
        and options.tempo_chart == "distributed"
        and options.kafka_address is None
    ):
        raise UsageError(
            "tempo-distributed 3.x needs a Kafka-compatible broker (its distributors write "
            "spans to Kafka and the chart bundles none): pass --kafka-address HOST:PORT, or "
            "--tempo-chart monolithic for the single-binary chart that needs no Kafka.",
            hint="Amazon MSK, Redpanda or WarpStream all work; the same broker can serve Mimir.",
        )
