"""The conformance checks' parts on small hand-written inputs (no helm): reading a render, the
config-file checks, durations and the report. The checks on real renders are in
tests/conformance."""

from __future__ import annotations

import base64
import copy

import pytest

from obsctl.model.contract import StackContract
from obsctl.values import ValuesOptions, render
from obsctl.values.conformance import Finding, check_configs, parse
from obsctl.values.conformance.manifests import ManifestError
from obsctl.values.conformance.report import report_text
from obsctl.values.conformance.storage import duration_hours
from obsctl.values.conformance.suite import CheckReport

RENDER = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: loki, annotations: {eks.amazonaws.com/role-arn: arn:aws:iam::1:role/r}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: loki, namespace: logs}
spec:
  template:
    metadata: {labels: {app.kubernetes.io/component: single-binary}}
    spec: {serviceAccountName: loki}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cleanup}
spec: {jobTemplate: {spec: {template: {spec: {}}}}}
---
apiVersion: v1
kind: Secret
metadata: {name: loki}
data: {config.yaml: CONFIG}
---
apiVersion: v1
kind: Service
metadata: {name: loki-gateway}
spec: {ports: [{port: 80}, {port: 8080}]}
""".replace("CONFIG", base64.b64encode(b"common:\n  replication_factor: 1\n").decode())


def test_a_render_is_read_into_workloads_accounts_services_and_config_files() -> None:
    manifests = parse(RENDER, "loki")
    loki, cleanup = manifests.workloads
    assert (loki.label, loki.namespace, loki.component, loki.service_account, loki.replicas) == (
        "StatefulSet loki", "logs", "single-binary", "loki", 1,
    )  # fmt: skip
    assert (cleanup.service_account, cleanup.replicas) == ("default", None)
    account = manifests.service_account("loki", "loki")
    assert account is not None and account.annotations == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/r"
    }
    assert manifests.services[0].ports == (80, 8080)
    assert manifests.config("config.yaml") == {"common": {"replication_factor": 1}}
    assert manifests.config("mimir.yaml") is None


def test_two_different_files_under_one_name_are_an_error() -> None:
    twice = RENDER + "---\nkind: ConfigMap\nmetadata: {name: x}\ndata: {config.yaml: 'a: 1'}\n"
    with pytest.raises(ManifestError, match=r"2 different files are named config\.yaml"):
        parse(twice, "loki").config("config.yaml")


@pytest.mark.parametrize(
    ("text", "hours"),
    [("744h", 744), ("31d", 744), ("1h30m", 1.5), ("2w", 336), ("744", None), ("h", None)],
)
def test_durations_read_as_the_apps_read_them(text: str, hours: float | None) -> None:
    assert duration_hours(text) == hours


def _configs(contract: StackContract) -> dict:
    return render(contract, ValuesOptions(output_format="config"))


def test_the_config_files_pass_and_each_broken_value_is_named(
    dev_contract: StackContract,
) -> None:
    rendered = _configs(dev_contract)
    assert check_configs(dev_contract, rendered) == []
    mimir, loki, tempo = (rendered[app].tree for app in ("mimir", "loki", "tempo"))
    mimir["blocks_storage"]["s3"]["bucket_name"] = "someone-elses-bucket"
    loki["common"]["storage"]["s3"]["region"] = "eu-west-1"
    tempo["storage"]["trace"]["s3"]["sse"]["kms_key_id"] = "arn:aws:kms:us-east-1:1:key/other"
    loki["limits_config"]["retention_period"] = "24h"
    del tempo["distributor"]["receivers"]["otlp"]["protocols"]["http"]
    tempo["distributor"]["receivers"]["otlp"]["protocols"]["grpc"] = {"endpoint": "localhost:4317"}
    messages = [f"{f.app} {f.check}: {f.message}" for f in check_configs(dev_contract, rendered)]
    blocks = dev_contract.buckets["mimir"]["blocks"].name
    tempo_key = dev_contract.kms_keys["tempo"].arn
    assert messages == [
        "mimir storage: mimir.yaml blocks_storage.s3.bucket_name is someone-elses-bucket, not "
        f"the live blocks bucket {blocks}.",
        "loki storage: loki.yaml common.storage.s3.region is eu-west-1, not the stack's region "
        "us-east-1.",
        "loki storage: loki.yaml limits_config.retention_period is 24h, not the env's 14-day "
        "retention (336h).",
        "tempo storage: tempo.yaml storage.trace.s3.sse.kms_key_id is "
        f"arn:aws:kms:us-east-1:1:key/other, not the tempo bucket key {tempo_key}.",
        "tempo receivers: tempo.yaml distributor.receivers.otlp.protocols.grpc.endpoint is "
        "localhost:4317: only the Tempo pod itself could send to it; listen on 0.0.0.0.",
        "tempo receivers: tempo.yaml distributor.receivers.otlp.protocols.http is off: Tempo "
        "accepts no OTLP over http.",
    ]


def test_a_bucket_without_a_key_must_not_be_given_one(dev_contract: StackContract) -> None:
    import dataclasses

    keys = {app: key for app, key in dev_contract.kms_keys.items() if app != "tempo"}
    contract = dataclasses.replace(dev_contract, kms_keys=keys)
    rendered = _configs(contract)
    assert check_configs(contract, rendered) == []
    broken = copy.deepcopy(rendered["tempo"].tree)
    broken["storage"]["trace"]["s3"]["sse"] = {"type": "SSE-KMS", "kms_key_id": "k"}
    rendered["tempo"] = dataclasses.replace(rendered["tempo"], tree=broken)
    assert [f.message for f in check_configs(contract, rendered)] == [
        "tempo.yaml storage.trace.s3.sse.kms_key_id names k, but the stack gives the tempo "
        "buckets no KMS key."
    ]


def test_the_report_prints_one_line_per_failure_and_groups_chart_limitations() -> None:
    shared = "never calls AWS but runs as t/t, which carries role R: the chart shares it"
    findings = [
        Finding("loki", "replication", "common.replication_factor is 3 but ..."),
        Finding("tempo", "identity", f"Deployment tempo-distributor {shared}", limitation=True),
        Finding("tempo", "identity", f"StatefulSet tempo-memcached {shared}", limitation=True),
    ]
    assert report_text(CheckReport(findings), "dev").splitlines() == [
        "Checked the dev stack's application configuration files.",
        "FAIL loki replication: common.replication_factor is 3 but ...",
        "NOTE tempo identity: Deployment tempo-distributor, StatefulSet tempo-memcached never "
        "call AWS but run as t/t, which carries role R: the chart shares it",
        "1 failure.",
    ]
