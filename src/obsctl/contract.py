"""The stack contract: the outputs every env root exposes, read from `terraform output -json`.

The Python side never re-derives a name Terraform computed; it reads them here. The shapes are
documented in terraform/envs/README.md and produced by terraform/modules/stack/outputs.tf.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from obsctl.errors import UsageError

CONTRACT_VERSION = 1
REQUIRED_OUTPUTS = (
    "contract_version", "environment", "region", "account_id", "name_prefix", "cluster",
    "buckets", "kms_keys", "roles", "dynamodb_tables", "settings", "operations",
)  # fmt: skip
STORAGE_APPS = ("mimir", "loki", "tempo")
APPS = (*STORAGE_APPS, "grafana")


class ContractError(UsageError):
    """A root module whose outputs are not the stack contract."""


@dataclass(frozen=True)
class Bucket:
    name: str
    arn: str


@dataclass(frozen=True)
class Key:
    arn: str
    alias: str | None
    managed: bool


@dataclass(frozen=True)
class Role:
    arn: str
    name: str
    identity: str
    namespace: str
    service_accounts: tuple[str, ...]
    trust_subjects: tuple[str, ...]
    helm_annotations: dict[str, str]


@dataclass(frozen=True)
class Table:
    name: str
    arn: str


@dataclass(frozen=True)
class StackContract:
    """Everything obsctl knows about a deployed (or planned) stack."""

    version: int
    environment: str
    region: str
    account_id: str
    name_prefix: str
    cluster_name: str
    oidc_provider_arn: str | None
    buckets: dict[str, dict[str, Bucket]]
    kms_keys: dict[str, Key]
    roles: dict[str, Role]
    tables: dict[str, list[Table]]
    settings: dict[str, Any] = field(default_factory=dict)
    operations: dict[str, Any] = field(default_factory=dict)

    @property
    def apps(self) -> tuple[str, ...]:
        """Apps present in the stack, in the canonical order."""
        present = set(self.buckets) | set(self.roles)
        return tuple(app for app in APPS if app in present)

    def all_buckets(self) -> list[tuple[str, str, Bucket]]:
        """(app, store, bucket) for every telemetry bucket."""
        return [
            (app, store, bucket)
            for app, stores in self.buckets.items()
            for store, bucket in stores.items()
        ]

    def all_tables(self) -> list[tuple[str, Table]]:
        return [(app, table) for app, tables in self.tables.items() for table in tables]

    @classmethod
    def from_outputs(
        cls, outputs: dict[str, Any], source: str = "the root module"
    ) -> StackContract:
        """Build from `terraform output -json` ({"value": ...} wrappers) or plain values."""
        values = {
            name: (
                item["value"]
                if isinstance(item, dict) and "value" in item and "type" in item
                else item
            )
            for name, item in outputs.items()
        }
        missing = [name for name in REQUIRED_OUTPUTS if name not in values]
        if missing:
            raise ContractError(
                f"{source} does not expose the stack contract: missing output"
                f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}.",
                hint="Re-export the outputs of terraform/modules/stack (terraform/envs/README.md).",
            )
        if values["contract_version"] != CONTRACT_VERSION:
            raise ContractError(
                f"{source} exposes stack contract version {values['contract_version']}, "
                f"but this obsctl reads version {CONTRACT_VERSION}.",
                hint="Use the obsctl release that matches your modules.",
            )
        try:
            cluster = values["cluster"]
            return cls(
                version=values["contract_version"],
                environment=values["environment"],
                region=values["region"],
                account_id=values["account_id"],
                name_prefix=values["name_prefix"],
                cluster_name=cluster["name"],
                oidc_provider_arn=cluster.get("oidc_provider_arn"),
                buckets={
                    app: {store: Bucket(**bucket) for store, bucket in stores.items()}
                    for app, stores in values["buckets"].items()
                },
                kms_keys={app: Key(**key) for app, key in values["kms_keys"].items()},
                roles={
                    app: Role(
                        arn=role["arn"],
                        name=role["name"],
                        identity=role["identity"],
                        namespace=role["namespace"],
                        service_accounts=tuple(role["service_accounts"]),
                        trust_subjects=tuple(role["trust_subjects"]),
                        helm_annotations=dict(role["helm_annotations"]),
                    )
                    for app, role in values["roles"].items()
                },
                tables={
                    app: [Table(**table) for table in tables or []]
                    for app, tables in values["dynamodb_tables"].items()
                },
                settings=dict(values["settings"]),
                operations=dict(values["operations"]),
            )
        except (KeyError, TypeError) as error:
            raise ContractError(
                f"{source} exposes the stack contract, but an output is malformed ({error}).",
                hint="Compare its outputs with terraform/envs/README.md.",
            ) from error
