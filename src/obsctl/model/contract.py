"""The stack contract: the outputs every env root exposes, validated against its JSON Schema.

`contract.schema.json` (beside this file, shipped with the package) is the published shape;
terraform/modules/stack/outputs.tf produces it and terraform/envs/README.md documents it. The
one reader, `StackContract.from_outputs`, takes `terraform output -json`, the outputs of a
state or of a plan, validates them and returns typed values. The Python side never re-derives
a name, a store or a rule Terraform computed: it reads them here.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from obsctl.errors import UsageError
from obsctl.model.lifecycle import LifecycleRule, from_contract
from obsctl.model.tfjson import JsonPath, output_values
from obsctl.model.topology import (
    Cluster,
    Replication,
    clusters_from_outputs,
    replication_from_outputs,
)

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


@cache
def schema() -> dict[str, Any]:
    """The contract's JSON Schema (src/obsctl/model/contract.schema.json)."""
    text = resources.files("obsctl.model").joinpath("contract.schema.json").read_text("utf-8")
    return json.loads(text)


_SCHEMA = schema()
# Every version this obsctl reads; the modules write the newest.
SUPPORTED_VERSIONS: tuple[int, ...] = tuple(_SCHEMA["properties"]["contract_version"]["enum"])
CONTRACT_VERSION: int = max(SUPPORTED_VERSIONS)
REQUIRED_OUTPUTS: tuple[str, ...] = tuple(_SCHEMA["required"])
STORAGE_APPS: tuple[str, ...] = tuple(_SCHEMA["$defs"]["storage_app"]["enum"])
APPS: tuple[str, ...] = tuple(_SCHEMA["$defs"]["app"]["enum"])
# The tag keys the modules reserve ({"environment": "lgtm:environment", "app": "lgtm:app", ...}).
RESERVED_TAGS: Mapping[str, str] = {
    role: spec["const"]
    for role, spec in _SCHEMA["properties"]["reserved_tags"]["properties"].items()
}


class ContractError(UsageError):
    """A root module whose outputs are not the stack contract."""


@dataclass(frozen=True)
class ExpiryGuard:
    """What an expiry of current objects may reach in a data store."""

    min_days: int  # the first whole day past retention and the compactor's delay
    prefixes: tuple[str, ...] | None  # the only prefixes it may cover; None: any unprotected one
    protected_prefixes: tuple[str, ...]  # objects the app writes once and reads for its life


@dataclass(frozen=True)
class Bucket:
    name: str
    arn: str
    holds_data: bool = False  # the app's bulk data store
    lifecycle_rules: tuple[LifecycleRule, ...] = ()  # as the module wrote them
    expiry_guard: ExpiryGuard | None = None  # None: no expiry may reach this store


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
    """Everything the env root says about a deployed (or planned) stack."""

    version: int
    environment: str
    region: str
    account_id: str
    name_prefix: str
    cluster_name: str | None  # the first cluster (eks_cluster_name); None: only `clusters`
    oidc_provider_arn: str | None
    buckets: dict[str, dict[str, Bucket]]
    kms_keys: dict[str, Key]
    roles: dict[str, Role]
    tables: dict[str, list[Table]]
    settings: dict[str, Any] = field(default_factory=dict)
    operations: dict[str, Any] = field(default_factory=dict)
    partition: str = "aws"
    cluster_arn: str = ""
    reserved_tags: Mapping[str, str] = field(default_factory=lambda: dict(RESERVED_TAGS))
    clusters: dict[str, Cluster] = field(default_factory=dict)  # every cluster, the first too
    replication: Replication | None = None
    scope: str | None = None  # the cluster of a `for_cluster` view; None: the whole stack

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

    def runs(self, app: str) -> bool:
        """Whether the cluster of this view runs `app` (always, for the whole stack)."""
        return self.scope is None or app in self.clusters[self.scope].apps

    def for_cluster(self, key: str) -> StackContract:
        """The stack as one cluster uses it: its apps, with the roles' namespaces, service
        accounts, subjects and annotations as that cluster presents them."""
        cluster = self.clusters[key]
        roles = {
            app: replace(
                self.roles[app],
                identity=entry.identity,
                namespace=entry.namespace,
                service_accounts=entry.service_accounts,
                trust_subjects=entry.trust_subjects,
                helm_annotations=dict(entry.helm_annotations),
            )
            for app, entry in cluster.apps.items()
            if app in self.roles
        }
        return replace(
            self,
            cluster_name=cluster.name,
            cluster_arn=cluster.arn or "",
            oidc_provider_arn=cluster.oidc_provider_arn,
            roles=roles,
            buckets={app: stores for app, stores in self.buckets.items() if app in cluster.apps},
            clusters={key: cluster},
            scope=key,
        )

    @classmethod
    def from_outputs(
        cls,
        outputs: Mapping[str, Any],
        source: str = "the root module",
        unknown: Collection[JsonPath] = (),
    ) -> StackContract:
        """Read `terraform output -json` ({"value": ...} wrappers) or plain output values.

        `unknown` lists the paths a plan only knows after apply (their values are placeholders
        and are not validated).
        """
        values = output_values(outputs)
        missing = [name for name in REQUIRED_OUTPUTS if name not in values]
        if missing:
            raise ContractError(
                f"{source} does not expose the stack contract: missing output"
                f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}.",
                hint="Re-export the outputs of terraform/modules/stack (terraform/envs/README.md).",
            )
        if values["contract_version"] not in SUPPORTED_VERSIONS:
            readable = " and ".join(str(version) for version in SUPPORTED_VERSIONS)
            raise ContractError(
                f"{source} exposes stack contract version {values['contract_version']}, "
                f"but this obsctl reads versions {readable}.",
                hint="Use the obsctl release that matches your modules.",
            )
        error = _first_error(values, unknown)
        if error is not None:
            where = ".".join(str(step) for step in error.absolute_path) or "the outputs"
            raise ContractError(
                f"{source} exposes the stack contract, but an output is malformed "
                f"({where}: {error.message}).",
                hint="Compare its outputs with terraform/envs/README.md.",
            )
        return _contract(values)


def _first_error(
    values: Mapping[str, Any], unknown: Collection[JsonPath]
) -> ValidationError | None:
    """The first schema violation outside the paths a plan does not know yet."""
    from jsonschema import Draft202012Validator  # about 0.1 s to import: only when reading

    validator = Draft202012Validator(schema())
    for error in sorted(validator.iter_errors(dict(values)), key=lambda e: list(e.absolute_path)):
        if _stands(error, unknown):
            return error
    return None


def _stands(error: ValidationError, unknown: Collection[JsonPath]) -> bool:
    """Is the violation real: outside the unknown paths, and for a oneOf/anyOf (replication:
    null or an object), in every branch?"""
    path = tuple(error.absolute_path)
    if any(path[: len(step)] == step for step in unknown):
        return False
    if error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0], []).append(sub)
        return all(any(_stands(sub, unknown) for sub in subs) for subs in branches.values())
    return True


def _guard(guard: Mapping[str, Any] | None) -> ExpiryGuard | None:
    if guard is None:
        return None
    prefixes = guard["prefixes"]
    return ExpiryGuard(
        min_days=int(guard["min_days"]),
        prefixes=None if prefixes is None else tuple(prefixes),
        protected_prefixes=tuple(guard["protected_prefixes"]),
    )


def _bucket(bucket: Mapping[str, Any]) -> Bucket:
    return Bucket(
        name=bucket["name"],
        arn=bucket["arn"],
        holds_data=bool(bucket["holds_data"]),
        lifecycle_rules=tuple(from_contract(rule) for rule in bucket["lifecycle_rules"]),
        expiry_guard=_guard(bucket["expiry_guard"]),
    )


def _contract(values: Mapping[str, Any]) -> StackContract:
    cluster = values["cluster"]
    return StackContract(
        version=values["contract_version"],
        environment=values["environment"],
        region=values["region"],
        account_id=values["account_id"],
        name_prefix=values["name_prefix"],
        cluster_name=cluster["name"],
        oidc_provider_arn=cluster["oidc_provider_arn"],
        buckets={
            app: {store: _bucket(bucket) for store, bucket in stores.items()}
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
        partition=values["partition"],
        cluster_arn=cluster["arn"] or "",
        reserved_tags=dict(values["reserved_tags"]),
        clusters=clusters_from_outputs(values),
        replication=replication_from_outputs(values),
    )
