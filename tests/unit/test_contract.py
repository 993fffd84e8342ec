"""The stack contract parses real `terraform output -json` and rejects foreign roots clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from obsctl.contract import ContractError, StackContract

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "contract" / "dev.json"


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
    outputs["contract_version"]["value"] = 2
    with pytest.raises(ContractError, match="contract version 2, but this obsctl reads version 1"):
        StackContract.from_outputs(outputs)


def test_a_malformed_output_is_reported_not_raised_as_a_traceback() -> None:
    outputs = _outputs()
    outputs["cluster"]["value"] = {"oidc_provider_arn": None}
    with pytest.raises(ContractError, match="an output is malformed"):
        StackContract.from_outputs(outputs)
