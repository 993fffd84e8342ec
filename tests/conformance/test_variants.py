"""Every variant a user runs, rendered by the real charts, passes every check; what the charts
themselves impose is exactly the documented list; and the promises a newcomer relies on hold
in the render: Loki accepts pushes, Tempo receives OTLP, Mimir writes blocks, Grafana's data
sources resolve, and the endpoints the values README gives are routed Services."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from obsctl.values.conformance import check_configs, failures
from obsctl.values.conformance.charts import CHART_FACTS
from obsctl.values.conformance.datasources import datasource_findings
from obsctl.values.conformance.identity import identity_findings
from obsctl.values.conformance.receivers import receiver_findings
from obsctl.values.conformance.replication import replication_findings
from obsctl.values.conformance.schema import SCHEMA_FILE, schema_findings
from obsctl.values.conformance.storage import storage_findings
from obsctl.values.naming import loki_push_endpoint, mimir_push_endpoint, otlp_endpoints

from .conftest import CONFIG_VARIANTS, HELM_VARIANTS
from .support import Renderer

pytestmark = pytest.mark.xdist_group("conformance")

# The pods each chart runs as its storage account whatever the values say (documented in
# terraform/modules/INTEGRATION_EXAMPLE.md, "Service accounts the charts share").
CHART_SHARED_PODS = {
    "mimir-distributed": {
        "Deployment mimir-distributor",
        "Deployment mimir-gateway",
        "Deployment mimir-overrides-exporter",
        "Deployment mimir-query-frontend",
        "Deployment mimir-query-scheduler",
        "Job mimir-smoke-test",
    },
    "tempo-distributed": {
        "Deployment tempo-distributor",
        "Deployment tempo-metrics-generator",
        "StatefulSet tempo-memcached",
    },
}


def releases(renderer: Renderer, rendered: dict) -> dict:
    return {
        app: renderer.release(item, renderer.charts[item.chart.name])
        for app, item in rendered.items()
    }


@pytest.mark.parametrize("name", HELM_VARIANTS)
def test_every_helm_variant_passes_every_check(
    name: str, renderer: Renderer, variant: Callable
) -> None:
    contract, rendered = variant(name)
    findings = renderer.check(contract, rendered)
    assert [str(f) for f in failures(findings)] == []
    shared = {
        (rendered[f.app].chart.name, f.message.split(" never calls AWS")[0])
        for f in findings
        if f.limitation
    }
    expected = {
        (rendered[app].chart.name, pod)
        for app in rendered
        for pod in CHART_SHARED_PODS.get(rendered[app].chart.name, ())
    }
    assert shared == expected


@pytest.mark.parametrize("name", CONFIG_VARIANTS)
def test_every_config_variant_passes_the_storage_and_receiver_checks(
    name: str, variant: Callable
) -> None:
    contract, rendered = variant(name)
    assert list(rendered) == ["mimir", "loki", "tempo"]
    assert check_configs(contract, rendered) == []


@pytest.mark.parametrize("name", ["dev-helm", "prod-helm"])
def test_loki_accepts_pushes_its_replication_factor_fits_its_one_replica(
    name: str, renderer: Renderer, variant: Callable
) -> None:
    _, rendered = variant(name)
    loki = releases(renderer, {"loki": rendered["loki"]})["loki"]
    config = loki.manifests.config("config.yaml")
    assert config is not None and config["common"]["replication_factor"] == 1
    ingesting = [w for w in loki.manifests.workloads if w.component == "single-binary"]
    assert [(w.label, w.replicas) for w in ingesting] == [("StatefulSet loki", 1)]
    assert replication_findings(loki, config) == []


@pytest.mark.parametrize("name", ["dev-helm", "dev-helm-kafka"])
def test_tempo_receives_otlp_over_grpc_and_http(
    name: str, renderer: Renderer, variant: Callable
) -> None:
    _, rendered = variant(name)
    tempo = releases(renderer, {"tempo": rendered["tempo"]})["tempo"]
    config = tempo.manifests.config("tempo.yaml")
    assert config is not None
    protocols = config["distributor"]["receivers"]["otlp"]["protocols"]
    assert {p: protocols[p]["endpoint"] for p in ("grpc", "http")} == {
        "grpc": "0.0.0.0:4317",
        "http": "0.0.0.0:4318",
    }
    assert receiver_findings(config, "tempo.yaml", tempo.manifests) == []


@pytest.mark.parametrize("name", ["dev-helm", "prod-helm-kafka"])
def test_mimir_ingesters_write_blocks_to_the_live_bucket_with_the_role(
    name: str, renderer: Renderer, variant: Callable
) -> None:
    contract, rendered = variant(name)
    mimir = releases(renderer, {"mimir": rendered["mimir"]})["mimir"]
    config = mimir.manifests.config("mimir.yaml")
    assert config is not None
    assert config["blocks_storage"]["s3"]["bucket_name"] == contract.buckets["mimir"]["blocks"].name
    ingesters = [w for w in mimir.manifests.workloads if w.component == "ingester"]
    assert len(ingesters) == 3 and {w.service_account for w in ingesters} == {"mimir"}
    account = mimir.manifests.service_account("mimir", "mimir")
    assert account is not None
    assert account.annotations["eks.amazonaws.com/role-arn"] == contract.roles["mimir"].arn
    assert storage_findings(contract, "mimir", config, "mimir.yaml") == []
    assert [f for f in identity_findings(contract, mimir) if not f.limitation] == []


@pytest.mark.parametrize("name", HELM_VARIANTS)
def test_grafanas_data_sources_all_resolve_to_services_of_the_render(
    name: str, renderer: Renderer, variant: Callable
) -> None:
    contract, rendered = variant(name)
    everything = releases(renderer, rendered)
    provisioning = everything["grafana"].manifests.config("datasources.yaml")
    assert provisioning is not None
    urls = [s["url"] for s in provisioning["datasources"] if "url" in s]
    assert len(urls) == 3
    assert datasource_findings(contract, everything) == []


def _routes(release: object, path: str) -> bool:
    """Whether a gateway's nginx config routes `path` (no gateway: the app serves it)."""
    nginx = release.manifests.files.get("nginx.conf", ())  # type: ignore[attr-defined]
    return not nginx or any(re.search(rf"location =? ?{re.escape(path)}\b", t) for t in nginx)


@pytest.mark.parametrize("name", ["dev-helm", "dev-helm-kafka"])
def test_the_readme_endpoints_are_services_of_the_render_that_route_the_path(
    name: str, renderer: Renderer, variant: Callable
) -> None:
    _, rendered = variant(name)
    everything = releases(renderer, rendered)
    mimir, loki, tempo = (rendered[app] for app in ("mimir", "loki", "tempo"))
    endpoints = {
        "mimir": [mimir_push_endpoint(mimir.chart, mimir.release, mimir.namespace, mimir.tree)],
        "loki": [loki_push_endpoint(loki.chart, loki.release, loki.namespace, loki.tree)],
        "tempo": list(
            otlp_endpoints(tempo.chart, tempo.release, tempo.namespace, tempo.tree).values()
        ),
    }
    for app, found in endpoints.items():
        release = everything[app]
        for endpoint in found:
            services = {(s.name, s.namespace): s.ports for s in release.manifests.services}
            assert endpoint.port in services.get((endpoint.service, endpoint.namespace), ()), (
                endpoint.url
            )
            if endpoint.path and app != "tempo":
                assert _routes(release, endpoint.path), endpoint.url


def test_each_chart_with_facts_is_one_the_layer_renders(renderer: Renderer) -> None:
    assert set(CHART_FACTS) <= set(renderer.charts)


@pytest.mark.parametrize("name", ["dev-helm", "prod-helm-kafka"])
def test_loki_values_pass_the_charts_values_schema(
    name: str, renderer: Renderer, variant: Callable
) -> None:
    _, rendered = variant(name)
    chart = renderer.charts["loki"]
    assert (chart.path / SCHEMA_FILE).is_file()  # the check is not vacuous
    assert schema_findings("loki", chart.path, rendered["loki"].tree) == []
