"""The Helm values `obsctl up` writes authenticate against the roles actually deployed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from obsctl.paths import state_dir
from obsctl.values import ValuesOptions, expected_bindings, write_values
from tests.integration.conftest import LiveStack

pytestmark = pytest.mark.xdist_group("dev_stack")


def _live_subjects(stack: LiveStack, role_name: str) -> tuple[str, set[str]]:
    role = stack.client("iam").get_role(RoleName=role_name)["Role"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    subjects: set[str] = set()
    for key, value in statement["Condition"]["StringEquals"].items():
        if key.endswith(":sub"):
            subjects |= {value} if isinstance(value, str) else set(value)
    return role["Arn"], subjects


def test_every_chart_service_account_is_trusted_by_its_live_role(dev_stack: LiveStack) -> None:
    options = ValuesOptions(tempo_chart="monolithic")
    bindings = expected_bindings(dev_stack.contract, options)
    assert {b.app for b in bindings} == {"mimir", "loki", "tempo", "grafana"}
    for binding in bindings:
        role = dev_stack.contract.roles[binding.app]
        live_arn, live_subjects = _live_subjects(dev_stack, role.name)
        assert binding.role_arn == live_arn
        assert binding.annotation == live_arn
        assert (
            binding.subject
            == f"system:serviceaccount:{binding.namespace}:{binding.service_account}"
        )
        assert binding.subject in live_subjects, f"{binding.app}: {binding.subject} not trusted"


def test_written_values_carry_the_live_role_and_bucket_names(dev_stack: LiveStack) -> None:
    out = state_dir() / "values-live-test"
    write_values(dev_stack.contract, ValuesOptions(tempo_chart="monolithic"), out)
    mimir = yaml.safe_load((out / "mimir-values.yaml").read_text())
    live_buckets = {b["Name"] for b in dev_stack.client("s3").list_buckets()["Buckets"]}
    config = mimir["mimir"]["structuredConfig"]
    for store in ("blocks_storage", "ruler_storage", "alertmanager_storage"):
        assert config[store]["s3"]["bucket_name"] in live_buckets
    key_arn = config["common"]["storage"]["s3"]["sse"]["kms_key_id"]
    assert dev_stack.client("kms").describe_key(KeyId=key_arn)["KeyMetadata"]["Arn"] == key_arn
    role_arn = mimir["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"]
    assert role_arn == _live_subjects(dev_stack, dev_stack.contract.roles["mimir"].name)[0]
    assert Path(out / "README.md").read_text().count("helm upgrade --install") == 4
