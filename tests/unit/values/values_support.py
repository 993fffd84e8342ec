"""Helpers the values tests share: paths, contract loading and contract variants."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from obsctl.model.contract import StackContract
from obsctl.values import ValuesOptions

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


PROD_KAFKA = "b-1.lgtm-prod.kafka.us-east-1.amazonaws.com:9092"


@dataclasses.dataclass(frozen=True)
class Variant:
    """One way a user runs `obsctl values`: the env, the options and the flags that give them.
    The golden files and the conformance layer (tests/conformance) share these."""

    env: str
    options: ValuesOptions
    flags: str


VARIANTS = {
    # What `obsctl up` writes: Mimir's classic architecture, the single-binary Tempo chart.
    "dev-helm": Variant("dev", ValuesOptions(), "--env dev"),
    "dev-helm-kafka": Variant(
        "dev", ValuesOptions(kafka_address=KAFKA), f"--env dev --kafka-address {KAFKA}"
    ),
    "prod-helm": Variant("prod", ValuesOptions(), "--env prod"),
    "prod-helm-kafka": Variant(
        "prod",
        ValuesOptions(kafka_address=PROD_KAFKA),
        f"--env prod --kafka-address {PROD_KAFKA}",
    ),
    "dev-config": Variant(
        "dev", ValuesOptions(output_format="config"), "--env dev --format config"
    ),
    "prod-config-kafka": Variant(
        "prod",
        ValuesOptions(output_format="config", kafka_address=PROD_KAFKA),
        f"--env prod --format config --kafka-address {PROD_KAFKA}",
    ),
}
