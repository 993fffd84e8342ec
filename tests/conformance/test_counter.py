"""Each assertion of the conformance layer fails on a deliberately broken value: one test per
assertion, each breaking one value of an otherwise passing variant and expecting exactly the
failure that value causes. Only the broken chart renders again (the renderer caches)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from obsctl.model.contract import StackContract
from obsctl.values.conformance import failures
from obsctl.values.inputs import Rendered

from .conftest import POD_IDENTITY
from .support import Renderer

pytestmark = pytest.mark.xdist_group("conformance")

ROLE = "eks.amazonaws.com/role-arn"
OTHER_ROLE = "arn:aws:iam::123456789012:role/someone-else"


def failed(
    renderer: Renderer, contract: StackContract, rendered: dict[str, Rendered]
) -> list[tuple[str, str, str]]:
    return [(f.app, f.check, f.message) for f in failures(renderer.check(contract, rendered))]


def broken(
    renderer: Renderer, variant: Callable, name: str, **extra: Any
) -> list[tuple[str, str, str]]:
    """The failures of a variant with `extra` values merged over one app's values."""
    return failed(renderer, *variant(name, **extra))


def edited(rendered: dict[str, Rendered], app: str, edit: Callable[[Any], None]) -> dict:
    """The rendered values with one app's tree edited in place of a copy (for lists, which
    extra values replace wholesale)."""
    tree = copy.deepcopy(rendered[app].tree)
    edit(tree)
    return {**rendered, app: dataclasses.replace(rendered[app], tree=tree)}


def sources(tree: dict) -> list[dict]:
    return tree["datasources"]["datasources.yaml"]["datasources"]


# identity ------------------------------------------------------------------------------------


def test_storage_pods_on_an_account_the_role_does_not_trust_fail(
    renderer: Renderer, variant: Callable, dev_contract: StackContract
) -> None:
    found = broken(renderer, variant, "dev-helm", mimir={"serviceAccount": {"name": "metrics"}})
    trusted = "system:serviceaccount:mimir:mimir"
    assert found and all(
        (app, check) == ("mimir", "identity")
        and message.endswith(
            f"runs as mimir/metrics, but role {dev_contract.roles['mimir'].name} "
            f"trusts only {trusted}."
        )
        for app, check, message in found
    )
    assert {m.split(" runs as")[0] for _, _, m in found} >= {
        "StatefulSet mimir-ingester-zone-a",
        "StatefulSet mimir-store-gateway-zone-a",
        "StatefulSet mimir-compactor",
        "Deployment mimir-querier",
        "Deployment mimir-ruler",
        "StatefulSet mimir-alertmanager",
    }


def test_a_storage_account_annotated_with_another_role_fails(
    renderer: Renderer, variant: Callable, dev_contract: StackContract
) -> None:
    found = broken(
        renderer, variant, "dev-helm", loki={"serviceAccount": {"annotations": {ROLE: OTHER_ROLE}}}
    )
    assert found == [
        (
            "loki",
            "identity",
            f"StatefulSet loki runs as loki/loki, annotated with role {OTHER_ROLE}, but its IRSA "
            f"role is {dev_contract.roles['loki'].arn}.",
        )
    ]


def test_a_pod_that_never_calls_aws_but_carries_a_role_fails(
    renderer: Renderer, variant: Callable, dev_contract: StackContract
) -> None:
    arn = dev_contract.roles["loki"].arn
    gateway = {"gateway": {"serviceAccount": {"annotations": {ROLE: arn}}}}
    assert broken(renderer, variant, "dev-helm", loki=gateway) == [
        (
            "loki",
            "identity",
            f"Deployment loki-gateway never calls AWS but runs as loki/loki-gateway, which "
            f"carries role {arn}; give it an account of its own.",
        )
    ]


def test_a_pod_identity_account_with_an_irsa_annotation_fails(
    renderer: Renderer, variant: Callable
) -> None:
    found = broken(
        renderer,
        variant,
        POD_IDENTITY,
        loki={"serviceAccount": {"annotations": {ROLE: OTHER_ROLE}}},
    )
    assert found == [
        (
            "loki",
            "identity",
            f"StatefulSet loki runs as loki/loki, which carries the IRSA annotation {OTHER_ROLE}, "
            "but role lgtm-dev-123456789012-loki uses Pod Identity.",
        )
    ]


# storage -------------------------------------------------------------------------------------


def test_a_config_naming_another_bucket_fails(renderer: Renderer, variant: Callable) -> None:
    loki = {"loki": {"storage": {"bucketNames": {"chunks": "lgtm-dev-chunks-elsewhere"}}}}
    assert broken(renderer, variant, "dev-helm", loki=loki) == [
        (
            "loki",
            "storage",
            "config.yaml common.storage.s3.bucketnames is lgtm-dev-chunks-elsewhere, not the live "
            "chunks bucket lgtm-dev-123456789012-loki-chunks.",
        )
    ]


def test_a_config_naming_another_region_fails(renderer: Renderer, variant: Callable) -> None:
    region = {
        "mimir": {"structuredConfig": {"common": {"storage": {"s3": {"region": "eu-west-1"}}}}}
    }
    assert broken(renderer, variant, "dev-helm", mimir=region) == [
        (
            "mimir",
            "storage",
            f"mimir.yaml {store}_storage.s3.region is eu-west-1, not the stack's region us-east-1.",
        )
        for store in ("blocks", "ruler", "alertmanager")
    ]


def test_a_config_naming_another_key_fails(
    renderer: Renderer, variant: Callable, dev_contract: StackContract
) -> None:
    other = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    sse = {"tempo": {"storage": {"trace": {"s3": {"sse": {"kms_key_id": other}}}}}}
    assert broken(renderer, variant, "dev-helm", tempo=sse) == [
        (
            "tempo",
            "storage",
            f"tempo.yaml storage.trace.s3.sse.kms_key_id is {other}, not the tempo bucket key "
            f"{dev_contract.kms_keys['tempo'].arn}.",
        )
    ]


def test_a_config_with_another_retention_fails(renderer: Renderer, variant: Callable) -> None:
    assert broken(renderer, variant, "dev-helm", tempo={"tempo": {"retention": "24h"}}) == [
        (
            "tempo",
            "storage",
            "tempo.yaml compactor.compaction.block_retention is 24h, not the env's 7-day "
            "retention (168h).",
        )
    ]


# replication ---------------------------------------------------------------------------------


def test_lokis_chart_default_replication_factor_with_one_replica_fails(
    renderer: Renderer, variant: Callable
) -> None:
    """The defect the real render showed: every push refused."""
    loki = {"loki": {"commonConfig": {"replication_factor": 3}}}
    assert broken(renderer, variant, "dev-helm", loki=loki) == [
        (
            "loki",
            "replication",
            "common.replication_factor is 3 but the render runs 1 ingesting replica(s) "
            "(StatefulSet loki): every push needs 2 live replicas and fails.",
        )
    ]


def test_a_mimir_replication_factor_above_the_ingesters_fails(
    renderer: Renderer, variant: Callable
) -> None:
    ring = {"structuredConfig": {"ingester": {"ring": {"replication_factor": 4}}}}
    found = broken(renderer, variant, "dev-helm", mimir={"mimir": ring})
    assert found == [
        (
            "mimir",
            "replication",
            "ingester.ring.replication_factor is 4 but the render runs 3 ingester replica(s) "
            "(StatefulSet mimir-ingester-zone-a, StatefulSet mimir-ingester-zone-b, "
            "StatefulSet mimir-ingester-zone-c).",
        )
    ]


def test_tempo_block_builders_short_of_the_partitions_fail(
    renderer: Renderer, variant: Callable
) -> None:
    found = broken(renderer, variant, "dev-helm-kafka", tempo={"blockBuilder": {"replicas": 2}})
    assert found == [
        (
            "tempo",
            "replication",
            "the Kafka topic gets 3 partition(s) "
            "(ingest.kafka.auto_create_topic_default_partitions) but the block-builder replicas "
            "consume 2 (StatefulSet tempo-block-builder): Tempo 3 needs exactly one per "
            "partition.",
        )
    ]


# receivers -----------------------------------------------------------------------------------


def test_tempo_distributed_without_the_otlp_http_receiver_fails(
    renderer: Renderer, variant: Callable
) -> None:
    otlp = {"traces": {"otlp": {"http": {"enabled": False}}}}
    assert broken(renderer, variant, "dev-helm-kafka", tempo=otlp) == [
        (
            "tempo",
            "receivers",
            "tempo.yaml distributor.receivers.otlp.protocols.http is off: Tempo accepts no OTLP "
            "over http.",
        )
    ]


def test_a_tempo_receiver_on_localhost_fails(renderer: Renderer, variant: Callable) -> None:
    local = {"receivers": {"otlp": {"protocols": {"grpc": {"endpoint": "localhost:4317"}}}}}
    assert broken(renderer, variant, "dev-helm", tempo={"tempo": local}) == [
        (
            "tempo",
            "receivers",
            "tempo.yaml distributor.receivers.otlp.protocols.grpc.endpoint is localhost:4317: "
            "only the Tempo pod itself could send to it; listen on 0.0.0.0.",
        )
    ]


# data sources --------------------------------------------------------------------------------


def test_a_data_source_pointing_at_a_service_the_render_lacks_fails(
    renderer: Renderer, variant: Callable
) -> None:
    """tempo-distributed's gateway is off: a data source on it would resolve to nothing."""
    contract, rendered = variant("dev-helm-kafka")

    def to_the_gateway(tree: Any) -> None:
        sources(tree)[2]["url"] = "http://tempo-gateway.tempo.svc:80"

    assert failed(renderer, contract, edited(rendered, "grafana", to_the_gateway)) == [
        (
            "grafana",
            "datasources",
            "the Tempo data source points at http://tempo-gateway.tempo.svc:80, but no Service "
            "of the render answers on tempo-gateway.tempo.svc:80.",
        )
    ]


def test_a_link_to_a_data_source_that_is_not_provisioned_fails(
    renderer: Renderer, variant: Callable
) -> None:
    contract, rendered = variant("dev-helm")

    def relink(tree: Any) -> None:
        sources(tree)[2]["jsonData"]["tracesToLogsV2"]["datasourceUid"] = "logs"

    assert failed(renderer, contract, edited(rendered, "grafana", relink)) == [
        (
            "grafana",
            "datasources",
            "the Tempo data source links to data source logs, which is not provisioned.",
        )
    ]


def test_service_map_and_traces_to_metrics_without_a_metrics_generator_fail(
    renderer: Renderer, variant: Callable
) -> None:
    """The defect the real render showed: Grafana read span metrics nothing produced."""
    off = {"tempo": {"metricsGenerator": {"enabled": False}}}
    assert broken(renderer, variant, "dev-helm", tempo=off) == [
        (
            "grafana",
            "datasources",
            f"the Tempo data source's {feature} reads {processor} metrics, but Tempo runs no "
            "metrics-generator.",
        )
        for feature, processor in (
            ("serviceMap", "service-graphs"),
            ("tracesToMetrics", "span-metrics"),
        )
    ]


def test_span_metrics_written_to_another_tenant_fail(renderer: Renderer, variant: Callable) -> None:
    write = {
        "url": "http://mimir-gateway.mimir.svc:80/api/v1/push",
        "headers": {"X-Scope-OrgID": "single-tenant"},
    }
    elsewhere = {"metricsGenerator": {"config": {"storage": {"remote_write": [write]}}}}
    found = broken(renderer, variant, "dev-helm-kafka", tempo=elsewhere)
    assert found == [
        (
            "grafana",
            "datasources",
            f"the Tempo data source's {feature} queries Mimir tenant anonymous, but Tempo's "
            "metrics-generator writes to tenant single-tenant.",
        )
        for feature in ("serviceMap", "tracesToMetrics")
    ]


def test_span_metrics_written_outside_mimir_fail(renderer: Renderer, variant: Callable) -> None:
    write = {"url": "http://prometheus.monitoring:9090/api/v1/write"}
    elsewhere = {"tempo": {"metricsGenerator": {"storage": {"remote_write": [write]}}}}
    found = broken(renderer, variant, "dev-helm", tempo=elsewhere)
    assert [m for _, _, m in found] == [
        f"the Tempo data source's {feature} reads {processor} metrics from Mimir, but Tempo's "
        "metrics-generator writes them to http://prometheus.monitoring:9090/api/v1/write, not to "
        "a Mimir /api/v1/push Service of the render."
        for feature, processor in (
            ("serviceMap", "service-graphs"),
            ("tracesToMetrics", "span-metrics"),
        )
    ]


def test_exemplar_links_without_exemplar_storage_fail(
    renderer: Renderer, variant: Callable
) -> None:
    limits = {"structuredConfig": {"limits": {"max_global_exemplars_per_user": 0}}}
    assert broken(renderer, variant, "dev-helm", mimir={"mimir": limits}) == [
        (
            "grafana",
            "datasources",
            "the Mimir data source links exemplars to traces, but Mimir stores no exemplars "
            "(limits.max_global_exemplars_per_user is 0).",
        )
    ]


def test_cloudwatch_without_a_grafana_role_fails(
    renderer: Renderer, variant: Callable, dev_contract: StackContract
) -> None:
    roles = {app: role for app, role in dev_contract.roles.items() if app != "grafana"}
    contract = dataclasses.replace(dev_contract, roles=roles)
    _, rendered = variant("dev-helm", contract)
    assert failed(renderer, contract, rendered) == [
        (
            "grafana",
            "datasources",
            "the CloudWatch data source uses the pod's role, but the stack contract has no "
            "grafana role.",
        )
    ]


# schema and the chart's own validation --------------------------------------------------------


def test_loki_values_the_charts_schema_refuses_fail(renderer: Renderer, variant: Callable) -> None:
    found = broken(renderer, variant, "dev-helm", loki={"singleBinary": {"replicas": "one"}})
    assert found[0] == (
        "loki",
        "schema",
        "singleBinary.replicas: 'one' is not of type 'integer', 'null' (values.schema.json).",
    )
    assert found[1][:2] == ("loki", "chart")  # helm applies the same schema and refuses


def test_values_the_chart_itself_refuses_fail(renderer: Renderer, variant: Callable) -> None:
    """The Monolithic mode next to simple-scalable replicas: the chart's validate.yaml."""
    found = broken(renderer, variant, "dev-helm", loki={"read": {"replicas": 3}})
    assert [f[:2] for f in found] == [("loki", "chart"), ("grafana", "datasources")]
    assert "replicas configured for both the monolithic and simple scalable targets" in found[0][2]
    assert found[1][2].startswith("the Loki data source points at http://loki-gateway.loki.svc:80")
