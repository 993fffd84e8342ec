"""Helpers the values tests share: paths, contract loading and contract variants."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from obsctl.model.contract import StackContract

REPO = Path(__file__).resolve().parents[3]
DEV_CONTRACT = REPO / "tests" / "fixtures" / "contract" / "dev.json"
GOLDEN = REPO / "tests" / "golden" / "values"
PROD_CONTRACT = GOLDEN / "prod-contract.json"
ALLOWLISTS = REPO / "tests" / "fixtures" / "upstream"
KAFKA = "kafka.kafka.svc:9092"


def load_contract(path: Path) -> StackContract:
    return StackContract.from_outputs(json.loads(path.read_text()), source=path.name)


def with_role(contract: StackContract, app: str, **changes: object) -> StackContract:
    """The contract with one role changed (identity, namespace, service accounts...)."""
    role = dataclasses.replace(contract.roles[app], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(contract, roles={**contract.roles, app: role})


def pod_identity(contract: StackContract, app: str) -> StackContract:
    return with_role(contract, app, identity="pod_identity", helm_annotations={})


def trusting(contract: StackContract, app: str, namespace: str, *accounts: str) -> StackContract:
    """The contract as the iam module writes it for apps.<app> = {namespace, service_accounts}."""
    return with_role(
        contract,
        app,
        namespace=namespace,
        service_accounts=accounts,
        trust_subjects=tuple(f"system:serviceaccount:{namespace}:{sa}" for sa in accounts),
    )
