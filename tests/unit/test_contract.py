"""The stack contract parses real `terraform output -json` and rejects foreign roots clearly."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from obsctl.model.contract import CONTRACT_VERSION, ContractError, StackContract
from obsctl.model.tfjson import UNKNOWN

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "contract" / "dev.json"
SCHEMA = Path(__file__).resolve().parents[2] / "src" / "obsctl" / "model" / "contract.schema.json"


def _outputs() -> dict:
    return json.loads(FIXTURE.read_text())


def test_dev_outputs_parse_into_the_contract() -> None:
    contract = StackContract.from_outputs(_outputs())
    assert contract.environment == "dev" and contract.region == "us-east-1"
    assert contract.apps == ("mimir", "loki", "tempo", "grafana")
    assert contract.buckets["loki"]["chunks"].name == "lgtm-dev-123456789012-loki-chunks"
    assert contract.roles["tempo"].trust_subjects == ("system:serviceaccount:tempo:tempo",)
    assert contract.kms_keys["mimir"].managed is True
    assert len(contract.all_buckets()) == 6 and contract.all_tables() == []


def test_plain_values_work_as_well_as_wrapped_outputs() -> None:
    plain = {name: item["value"] for name, item in _outputs().items()}
    assert StackContract.from_outputs(plain) == StackContract.from_outputs(_outputs())


def test_missing_outputs_are_named() -> None:
    outputs = _outputs()
    del outputs["roles"], outputs["buckets"]
    with pytest.raises(ContractError, match=r"missing outputs buckets, roles\.$"):
        StackContract.from_outputs(outputs, source="envs/mine")


def test_an_unknown_contract_version_is_refused() -> None:
    outputs = _outputs()
    outputs["contract_version"]["value"] = 1
    with pytest.raises(ContractError, match="version 1, but this obsctl reads versions 2 and 3"):
        StackContract.from_outputs(outputs)


def test_a_malformed_output_is_reported_not_raised_as_a_traceback() -> None:
    outputs = _outputs()
    outputs["cluster"]["value"] = {"oidc_provider_arn": None}
    with pytest.raises(ContractError, match="an output is malformed"):
        StackContract.from_outputs(outputs)


def test_the_contract_says_which_store_holds_data_its_rules_and_what_may_expire() -> None:
    contract = StackContract.from_outputs(_outputs())
    data = {(app, store) for app, store, bucket in contract.all_buckets() if bucket.holds_data}
    assert data == {("mimir", "blocks"), ("loki", "chunks"), ("tempo", "traces")}
    traces = contract.buckets["tempo"]["traces"]
    expiry = [rule.expiration_days for rule in traces.lifecycle_rules if rule.expiration_days]
    assert expiry == [8]  # dev: 7 days of retention + 1
    chunks = contract.buckets["loki"]["chunks"].expiry_guard
    assert chunks is not None and chunks.min_days == 15 and "index/" in chunks.protected_prefixes
    assert contract.buckets["mimir"]["ruler"].expiry_guard is None
    assert contract.reserved_tags["environment"] == "lgtm:environment"
    assert contract.partition == "aws" and contract.cluster_arn.endswith(":cluster/lgtm-dev")


def test_the_published_schema_is_the_one_the_reader_validates_against() -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads((SCHEMA).read_text())
    Draft202012Validator.check_schema(schema)
    plain = {name: item["value"] for name, item in _outputs().items()}
    assert list(Draft202012Validator(schema).iter_errors(plain)) == []
    assert max(schema["properties"]["contract_version"]["enum"]) == CONTRACT_VERSION


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (
            lambda o: o["buckets"]["value"]["loki"]["chunks"].pop("holds_data"),
            "buckets.loki.chunks",
        ),
        (lambda o: o["roles"]["value"]["mimir"].update(identity="oidc"), "roles.mimir.identity"),
        (lambda o: o["reserved_tags"]["value"].update(app="team"), "reserved_tags.app"),
        (lambda o: o["buckets"]["value"].update(grafana={}), "buckets"),
    ],
)
def test_a_malformed_output_is_named_with_its_path(change: Any, where: str) -> None:
    outputs = _outputs()
    change(outputs)
    with pytest.raises(ContractError, match=rf"malformed \({re.escape(where)}: "):
        StackContract.from_outputs(outputs)


def test_values_a_plan_only_knows_after_apply_are_not_judged() -> None:
    outputs = {name: item["value"] for name, item in _outputs().items()}
    outputs["buckets"]["loki"]["chunks"]["arn"] = UNKNOWN
    with pytest.raises(ContractError, match=r"buckets\.loki\.chunks\.arn"):
        StackContract.from_outputs(outputs)
    contract = StackContract.from_outputs(outputs, unknown=[("buckets", "loki", "chunks", "arn")])
    assert contract.buckets["loki"]["chunks"].arn == UNKNOWN
