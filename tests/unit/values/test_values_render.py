"""What the values say, app by app, for the dev and prod contracts, and the options' checks."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from obsctl.errors import UsageError
from obsctl.model.contract import ContractError, Key, StackContract
from obsctl.values import CHARTS, ValuesOptions, render_checked, render_values

from .values_support import KAFKA

HELM = ValuesOptions(kafka_address=KAFKA)
RETENTION_HOURS = {
    "dev": {"mimir": "720h", "loki": "336h", "tempo": "168h"},
    "prod": {"mimir": "9480h", "loki": "744h", "tempo": "336h"},
}


@pytest.fixture(params=["dev", "prod"])
def contract(
    request: pytest.FixtureRequest, dev_contract: StackContract, prod_contract: StackContract
) -> StackContract:
    return dev_contract if request.param == "dev" else prod_contract


def sse_of(contract: StackContract, app: str) -> dict[str, str]:
    return {"type": "SSE-KMS", "kms_key_id": contract.kms_keys[app].arn}


def test_mimir_drops_minio_and_kafka_and_stores_on_its_three_buckets(
    contract: StackContract,
) -> None:
    values = render_values(contract, ValuesOptions(tempo_chart="monolithic"))["mimir"]
    assert values["minio"] == {"enabled": False}
    assert values["kafka"] == {"enabled": False}
    config = values["mimir"]["structuredConfig"]
    region = contract.region
    assert config["common"]["storage"] == {
        "backend": "s3",
        "s3": {
            "endpoint": f"s3.{region}.amazonaws.com",
            "region": region,
            "sse": sse_of(contract, "mimir"),
        },
    }
    for store in ("blocks", "ruler", "alertmanager"):
        bucket = contract.buckets["mimir"][store].name
        assert config[f"{store}_storage"] == {"s3": {"bucket_name": bucket}}
    retention = RETENTION_HOURS[contract.environment]["mimir"]
    assert config["limits"] == {
        "compactor_blocks_retention_period": retention,
        "max_global_exemplars_per_user": 100_000,  # Mimir keeps no exemplars by default
    }
    assert config["ingest_storage"]["enabled"] is False  # the classic architecture


def test_mimir_uses_ingest_storage_on_the_given_kafka_broker(dev_contract: StackContract) -> None:
    values = render_values(dev_contract, HELM)["mimir"]
    assert values["kafka"] == {"enabled": False}  # no demo Kafka: the user's broker
    config = values["mimir"]["structuredConfig"]
    assert config["ingest_storage"] == {"kafka": {"address": KAFKA}}
    assert "distributor" not in config and "ingester" not in config


def test_loki_stores_on_the_contracts_buckets_with_tsdb_v13_and_compactor_retention(
    contract: StackContract,
) -> None:
    values = render_values(contract, HELM)["loki"]
    loki = values["loki"]
    assert loki["storage"] == {
        "type": "s3",
        "bucketNames": {
            "chunks": contract.buckets["loki"]["chunks"].name,
            "ruler": contract.buckets["loki"]["ruler"].name,
        },
        "s3": {"region": contract.region, "sse": sse_of(contract, "loki")},
    }
    assert loki["schemaConfig"] == {
        "configs": [
            {
                "from": "2024-04-01",
                "store": "tsdb",
                "object_store": "s3",
                "schema": "v13",
                "index": {"prefix": "loki_index_", "period": "24h"},
            }
        ]
    }
    assert loki["compactor"] == {"retention_enabled": True, "delete_request_store": "s3"}
    retention = RETENTION_HOURS[contract.environment]["loki"]
    assert loki["limits_config"] == {"retention_period": retention}
    assert values["minio"] == {"enabled": False}
    assert not {"chunks", "ruler", "admin"} & set(loki["storage"]["bucketNames"].values())


def test_tempo_distributed_stores_traces_with_the_key_id_and_the_envs_retention(
    contract: StackContract,
) -> None:
    values = render_values(contract, HELM)["tempo"]
    assert values["storage"]["trace"] == {
        "backend": "s3",
        "s3": {
            "bucket": contract.buckets["tempo"]["traces"].name,
            "endpoint": f"s3.{contract.region}.amazonaws.com",
            "region": contract.region,
            "sse": sse_of(contract, "tempo"),
        },
    }
    compaction = values["backendScheduler"]["config"]["provider"]["compaction"]["compaction"]
    assert compaction == {"block_retention": RETENTION_HOURS[contract.environment]["tempo"]}
    assert values["ingest"] == {"kafka": {"address": KAFKA}}
    assert "gateway" not in values  # off, as the chart has it: it would run as the role's account
    assert values["traces"] == {"otlp": {"grpc": {"enabled": True}, "http": {"enabled": True}}}


def test_tempo_distributed_without_a_kafka_broker_is_refused(dev_contract: StackContract) -> None:
    with pytest.raises(UsageError) as caught:
        render_values(dev_contract, ValuesOptions(tempo_chart="distributed"))
    assert caught.value.message.startswith("tempo-distributed 3.x needs a Kafka-compatible broker")
    assert "--kafka-address HOST:PORT" in caught.value.message
    assert "--tempo-chart monolithic" in caught.value.message


def test_the_monolithic_tempo_chart_needs_no_kafka(dev_contract: StackContract) -> None:
    rendered = render_checked(dev_contract, ValuesOptions(tempo_chart="monolithic"))
    tempo = rendered["tempo"]
    assert tempo.chart.name == "tempo"
    assert tempo.tree["tempo"]["retention"] == "168h"
    assert tempo.tree["tempo"]["storage"]["trace"]["s3"]["sse"] == sse_of(dev_contract, "tempo")
    urls = [s.get("url") for s in _datasources(rendered["grafana"].tree)]
    assert "http://tempo.tempo.svc:3200" in urls


def _datasources(values: dict[str, Any]) -> list[dict[str, Any]]:
    return values["datasources"]["datasources.yaml"]["datasources"]


def test_grafana_data_sources_point_at_the_query_paths_and_link_traces_logs_and_metrics(
    dev_contract: StackContract,
) -> None:
    values = render_values(dev_contract, HELM)["grafana"]
    by_uid = {source["uid"]: source for source in _datasources(values)}
    assert list(by_uid) == ["mimir", "loki", "tempo", "cloudwatch"]
    mimir, loki, tempo, cloudwatch = by_uid.values()
    assert (mimir["type"], mimir["url"]) == (
        "prometheus",
        "http://mimir-gateway.mimir.svc:80/prometheus",
    )
    assert (loki["type"], loki["url"]) == ("loki", "http://loki-gateway.loki.svc:80")
    assert (tempo["type"], tempo["url"]) == (
        "tempo",
        "http://tempo-query-frontend.tempo.svc:3200",
    )
    assert mimir["jsonData"]["exemplarTraceIdDestinations"] == [
        {"name": "trace_id", "datasourceUid": "tempo"}
    ]
    assert loki["jsonData"]["derivedFields"][0]["datasourceUid"] == "tempo"
    assert tempo["jsonData"]["tracesToLogsV2"]["datasourceUid"] == "loki"
    assert tempo["jsonData"]["tracesToMetrics"]["datasourceUid"] == "mimir"
    assert tempo["jsonData"]["serviceMap"] == {"datasourceUid": "mimir"}
    for source in (mimir, loki):
        assert source["jsonData"]["httpHeaderName1"] == "X-Scope-OrgID"
        assert source["secureJsonData"] == {"httpHeaderValue1": "anonymous"}
    assert cloudwatch["jsonData"] == {"authType": "default", "defaultRegion": "us-east-1"}


def test_grafana_cloudwatch_and_tenant_follow_the_options(dev_contract: StackContract) -> None:
    options = ValuesOptions(kafka_address=KAFKA, grafana_cloudwatch=False, tenant="team-a")
    sources = _datasources(render_values(dev_contract, options)["grafana"])
    assert [s["uid"] for s in sources] == ["mimir", "loki", "tempo"]
    assert sources[0]["secureJsonData"] == {"httpHeaderValue1": "team-a"}


def test_extra_values_are_merged_last(dev_contract: StackContract) -> None:
    extra = {
        "loki": (
            {"deploymentMode": "Distributed", "loki": {"storage": {"s3": {"region": "eu-west-1"}}}},
            {"loki": {"schemaConfig": {"configs": []}}},
        )
    }
    values = render_values(dev_contract, ValuesOptions(kafka_address=KAFKA, extra_values=extra))
    loki = values["loki"]
    assert loki["deploymentMode"] == "Distributed"
    assert loki["loki"]["storage"]["s3"] == {
        "region": "eu-west-1",
        "sse": sse_of(dev_contract, "loki"),
    }
    assert loki["loki"]["schemaConfig"] == {"configs": []}  # lists are replaced, as in Helm


def test_loki_runs_monolithic_with_a_replication_factor_its_one_replica_meets(
    contract: StackContract,
) -> None:
    values = render_values(contract, ValuesOptions())["loki"]
    assert values["deploymentMode"] == "Monolithic"
    assert values["singleBinary"] == {"replicas": 1}
    assert values["loki"]["commonConfig"] == {"replication_factor": 1}
    for target in ("backend", "read", "write"):  # the chart refuses them next to a single binary
        assert values[target] == {"replicas": 0}


@pytest.mark.parametrize("chart", ["monolithic", "distributed"])
def test_tempo_writes_span_metrics_to_the_mimir_and_tenant_grafana_reads(
    chart: str, dev_contract: StackContract
) -> None:
    options = ValuesOptions(kafka_address=KAFKA, tempo_chart=chart, tenant="team-a")  # type: ignore[arg-type]
    values = render_values(dev_contract, options)["tempo"]
    generator = (
        values["tempo"]["metricsGenerator"]
        if chart == "monolithic"
        else (values["metricsGenerator"])
    )
    storage = generator["storage"] if chart == "monolithic" else generator["config"]["storage"]
    assert generator["enabled"] is True
    assert storage["remote_write"] == [
        {
            "url": "http://mimir-gateway.mimir.svc:80/api/v1/push",
            "headers": {"X-Scope-OrgID": "team-a"},
        }
    ]
    overrides = values["tempo"]["overrides"] if chart == "monolithic" else values["overrides"]
    assert overrides["defaults"]["metrics_generator"]["processors"] == [
        "service-graphs",
        "span-metrics",
    ]


def test_without_mimir_tempo_runs_no_metrics_generator_and_grafana_links_no_metrics(
    dev_contract: StackContract,
) -> None:
    buckets = {app: stores for app, stores in dev_contract.buckets.items() if app != "mimir"}
    contract = dataclasses.replace(dev_contract, buckets=buckets)
    values = render_values(contract, ValuesOptions())
    assert "metricsGenerator" not in values["tempo"]["tempo"]
    tempo = _datasources(values["grafana"])[-2]
    assert tempo["type"] == "tempo"
    assert "serviceMap" not in tempo["jsonData"] and "tracesToMetrics" not in tempo["jsonData"]


def test_a_mimir_without_its_gateway_gets_queries_and_span_metrics_directly(
    dev_contract: StackContract,
) -> None:
    options = ValuesOptions(extra_values={"mimir": ({"gateway": {"enabled": False}},)})
    values = render_values(dev_contract, options)
    mimir = _datasources(values["grafana"])[0]
    assert mimir["url"] == "http://mimir-query-frontend.mimir.svc:8080/prometheus"
    writes = values["tempo"]["tempo"]["metricsGenerator"]["storage"]["remote_write"]
    assert writes[0]["url"] == "http://mimir-distributor.mimir.svc:8080/api/v1/push"


def test_config_format_writes_the_three_app_configurations(dev_contract: StackContract) -> None:
    configs = render_values(dev_contract, ValuesOptions(output_format="config"))
    assert list(configs) == ["mimir", "loki", "tempo"]
    assert configs["mimir"]["ingest_storage"] == {"enabled": False}
    assert configs["loki"]["common"]["storage"]["s3"]["bucketnames"] == (
        dev_contract.buckets["loki"]["chunks"].name
    )
    assert configs["loki"]["ruler"]["storage"]["s3"]["bucketnames"] == (
        dev_contract.buckets["loki"]["ruler"].name
    )
    tempo = configs["tempo"]
    assert tempo["backend_worker"] == {"compaction": {"block_retention": "168h"}}
    assert tempo["distributor"]["receivers"]["otlp"]["protocols"] == {
        "grpc": {"endpoint": "0.0.0.0:4317"},
        "http": {"endpoint": "0.0.0.0:4318"},
    }
    assert "ingest" not in tempo  # a Tempo 3 single binary needs no Kafka
    with_kafka = render_values(
        dev_contract, ValuesOptions(output_format="config", kafka_address=KAFKA)
    )
    assert with_kafka["tempo"]["ingest"] == {"kafka": {"address": KAFKA, "topic": "tempo-traces"}}
    assert with_kafka["mimir"]["ingest_storage"]["kafka"]["address"] == KAFKA


def test_chart_versions_default_to_the_tested_ones_and_keep_their_major(
    dev_contract: StackContract,
) -> None:
    rendered = render_checked(dev_contract, HELM)
    assert {i.chart.name: i.version for i in rendered.values()} == {
        "mimir-distributed": "6.2.0",
        "loki": "18.11.0",
        "tempo-distributed": "3.3.0",
        "grafana": "12.11.1",
    }
    pinned = ValuesOptions(kafka_address=KAFKA, chart_versions={"loki": "18.12.1"})
    assert render_checked(dev_contract, pinned)["loki"].version == "18.12.1"
    with pytest.raises(UsageError, match=r"^--chart-version loki=6.55.0 is not supported"):
        render_checked(
            dev_contract, ValuesOptions(kafka_address=KAFKA, chart_versions={"loki": "6.55.0"})
        )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ValuesOptions(releases={"mimir": "Obs"}),
            "--release mimir=Obs is not a Helm release name",
        ),
        (ValuesOptions(releases={"kafka": "k"}), "--release names unknown app 'kafka'"),
        (
            ValuesOptions(namespaces={"loki": "-x"}),
            "--namespace loki=-x is not a Kubernetes namespace",
        ),
        (ValuesOptions(kafka_address="kafka"), "--kafka-address kafka is not one broker address"),
        (ValuesOptions(kafka_address="a:1,b:2"), "--kafka-address a:1,b:2 is not one broker"),
        (ValuesOptions(kafka_address="k:70000"), "--kafka-address k:70000 is not one broker"),
        (ValuesOptions(tenant="a b"), "--tenant a b is not a tenant ID"),
        (
            ValuesOptions(chart_versions={"grafana": "12"}),
            "--chart-version grafana=12 is not a chart version",
        ),
        (ValuesOptions(loki_schema_from="2024-13-01"), "the Loki schema start date 2024-13-01"),
        (
            ValuesOptions(output_format="config", extra_values={"grafana": ({},)}),
            "--set-file names grafana, but no grafana config is written",
        ),
    ],
)
def test_bad_options_are_refused_with_one_sentence_naming_the_value(
    options: ValuesOptions, message: str, dev_contract: StackContract
) -> None:
    options = dataclasses.replace(options, tempo_chart="monolithic")
    with pytest.raises(UsageError) as caught:
        render_checked(dev_contract, options)
    assert caught.value.message.startswith(message)
    assert caught.value.message.endswith(".")


def test_buckets_without_a_kms_key_get_no_sse_block(dev_contract: StackContract) -> None:
    keys = {app: key for app, key in dev_contract.kms_keys.items() if app != "tempo"}
    contract = dataclasses.replace(dev_contract, kms_keys=keys)
    tempo = render_values(contract, HELM)["tempo"]
    assert "sse" not in tempo["storage"]["trace"]["s3"]  # never SSE-KMS without a key id


def test_an_alias_arn_is_refused_where_the_key_arn_is_needed(dev_contract: StackContract) -> None:
    alias = "arn:aws:kms:us-east-1:123456789012:alias/lgtm-dev-123456789012-tempo"
    keys = {**dev_contract.kms_keys, "tempo": Key(arn=alias, alias=None, managed=True)}
    with pytest.raises(UsageError, match="KMS alias ARN"):
        render_values(dataclasses.replace(dev_contract, kms_keys=keys), HELM)


def test_a_contract_without_the_envs_retention_is_refused(dev_contract: StackContract) -> None:
    settings = {**dev_contract.settings, "retention_days": {"mimir": 30, "loki": 14}}
    with pytest.raises(ContractError, match=r"no settings\.retention_days\.tempo"):
        render_values(dataclasses.replace(dev_contract, settings=settings), HELM)


def test_charts_and_apps_agree() -> None:
    assert {spec.app for spec in CHARTS.values()} == {"mimir", "loki", "tempo", "grafana"}
