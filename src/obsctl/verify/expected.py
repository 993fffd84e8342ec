"""What should exist, from the stack contract and the Terraform state.

The contract names every bucket, key, role and table and says what the env asks for (settings);
the state says what Terraform applied to each of them (lifecycle rules, policies, tags). State
resources are matched by their names and ARNs, never by module address, so any root that exposes
the contract (`--dir`) works. The state may be `terraform show -json` or the raw state document
(`terraform state pull`, which needs no provider and is what the CLI reads).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from obsctl.contract import STORAGE_APPS, StackContract
from obsctl.verify.lifecycle import LifecycleRule, from_configuration_state, from_inline_state
from obsctl.verify.model import Subject


@dataclass(frozen=True)
class StateResource:
    type: str
    address: str
    attributes: dict[str, Any]


def state_resources(state: dict[str, Any] | None) -> list[StateResource]:
    """Managed resource instances of a state document in either of Terraform's two formats."""
    if not state:
        return []
    found: list[StateResource] = []
    if "values" in state:

        def walk(module: dict[str, Any]) -> None:
            for resource in module.get("resources", []):
                if resource.get("mode") == "managed":
                    found.append(
                        StateResource(
                            resource["type"], resource["address"], resource.get("values") or {}
                        )
                    )
            for child in module.get("child_modules", []):
                walk(child)

        walk((state.get("values") or {}).get("root_module") or {})
        return found
    for resource in state.get("resources", []):
        if resource.get("mode") != "managed":
            continue
        base = ".".join(
            part for part in (resource.get("module"), resource["type"], resource["name"]) if part
        )
        for instance in resource.get("instances", []):
            key = instance.get("index_key")
            suffix = "" if key is None else f"[{json.dumps(key)}]"
            found.append(
                StateResource(resource["type"], base + suffix, instance.get("attributes") or {})
            )
    return found


def contract_outputs(state: dict[str, Any]) -> dict[str, Any]:
    """The root outputs a state document holds (either format), as `terraform output -json`."""
    if "values" in state:
        return dict((state.get("values") or {}).get("outputs") or {})
    return dict(state.get("outputs") or {})


class StateIndex:
    """State resources by type, looked up by an attribute value."""

    def __init__(self, state: dict[str, Any] | None) -> None:
        self.available = bool(state)
        self._by_type: dict[str, list[dict[str, Any]]] = {}
        for resource in state_resources(state):
            self._by_type.setdefault(resource.type, []).append(resource.attributes)

    def all(self, resource_type: str) -> list[dict[str, Any]]:
        return self._by_type.get(resource_type, [])

    def find(self, resource_type: str, attribute: str, value: Any) -> dict[str, Any] | None:
        for attributes in self.all(resource_type):
            if attributes.get(attribute) == value:
                return attributes
        return None

    def where(self, resource_type: str, attribute: str, value: Any) -> Iterator[dict[str, Any]]:
        return (a for a in self.all(resource_type) if a.get(attribute) == value)


def _document(text: Any) -> dict[str, Any] | None:
    if isinstance(text, dict):
        return text
    if not text:
        return None
    try:
        loaded = json.loads(text)
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None


def _tags(attributes: dict[str, Any] | None) -> dict[str, str] | None:
    if attributes is None:
        return None
    return dict(attributes.get("tags_all") or attributes.get("tags") or {})


@dataclass(frozen=True)
class ExpectedBucket:
    name: str
    arn: str
    group: str  # the app, or "operations" for the access-log and audit buckets
    store: str  # blocks, chunks, ..., "access-logs", "audit"
    key_arn: str | None  # the SSE-KMS key; None means SSE-S3 (the access-log bucket)
    lifecycle: tuple[LifecycleRule, ...] | None = None  # None: the state is not available
    policy: dict[str, Any] | None = None
    tags: dict[str, str] | None = None
    logging_target: str | None = None  # the log bucket the env asks for
    logging_prefix: str | None = None
    in_state: bool = False  # the state holds this bucket, so drift can be judged

    @property
    def telemetry(self) -> bool:
        return self.group in STORAGE_APPS

    @property
    def subject(self) -> Subject:
        return Subject(self.group, self.name, "S3 bucket")


@dataclass(frozen=True)
class ExpectedKey:
    arn: str
    group: str  # the app, "shared" or "operations"
    apps: tuple[str, ...]
    alias: str | None
    managed: bool
    policy: dict[str, Any] | None = None
    tags: dict[str, str] | None = None
    rotation_period: int | None = None

    @property
    def key_id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    @property
    def subject(self) -> Subject:
        return Subject(self.group, self.arn, "KMS key", label=self.alias or "")


@dataclass(frozen=True)
class ExpectedRole:
    app: str
    name: str
    arn: str
    identity: str
    namespace: str
    trust_subjects: tuple[str, ...]
    trust_policy: dict[str, Any] | None = None
    inline: dict[str, dict[str, Any]] | None = None  # policy name -> document, from the state
    managed: tuple[str, ...] | None = None  # attached policy ARNs Terraform manages
    tags: dict[str, str] | None = None
    max_session_duration: int | None = None
    permissions_boundary: str | None = None

    @property
    def subject(self) -> Subject:
        return Subject(self.app, self.name, "IAM role")


@dataclass(frozen=True)
class ExpectedTable:
    app: str
    name: str
    arn: str
    key_arn: str | None
    tags: dict[str, str] | None = None
    table_class: str | None = None

    @property
    def subject(self) -> Subject:
        return Subject(self.app, self.name, "DynamoDB table")


@dataclass(frozen=True)
class ExpectedStack:
    """Everything verify compares the live resources with."""

    environment: str
    region: str
    account_id: str
    partition: str
    name_prefix: str
    cluster_name: str
    oidc_provider_arn: str | None
    settings: dict[str, Any]
    buckets: tuple[ExpectedBucket, ...]
    keys: tuple[ExpectedKey, ...]
    roles: tuple[ExpectedRole, ...]
    tables: tuple[ExpectedTable, ...]
    has_state: bool

    @property
    def cluster_arn(self) -> str:
        return (
            f"arn:{self.partition}:eks:{self.region}:{self.account_id}:cluster/{self.cluster_name}"
        )

    def retention(self, app: str) -> int | None:
        value = (self.settings.get("retention_days") or {}).get(app)
        return None if value is None else int(value)

    @classmethod
    def build(cls, contract: StackContract, state: dict[str, Any] | None) -> ExpectedStack:
        index = StateIndex(state)
        partition = _partition(contract)
        settings = contract.settings
        buckets = [
            _bucket(
                index,
                bucket.name,
                bucket.arn,
                app,
                store,
                contract.kms_keys[app].arn if app in contract.kms_keys else None,
                settings,
            )
            for app, store, bucket in contract.all_buckets()
        ]
        log_bucket = settings.get("access_log_bucket")
        if log_bucket and index.find("aws_s3_bucket", "bucket", log_bucket) is not None:
            arn = f"arn:{partition}:s3:::{log_bucket}"
            buckets.append(_bucket(index, log_bucket, arn, "operations", "access-logs", None, {}))
        operations = contract.operations
        audit = operations.get("audit_bucket")
        if audit:
            arn = f"arn:{partition}:s3:::{audit}"
            key = operations.get("operations_key_arn")
            buckets.append(_bucket(index, audit, arn, "operations", "audit", key, {}))
        return cls(
            environment=contract.environment,
            region=contract.region,
            account_id=contract.account_id,
            partition=partition,
            name_prefix=contract.name_prefix,
            cluster_name=contract.cluster_name,
            oidc_provider_arn=contract.oidc_provider_arn,
            settings=dict(settings),
            buckets=tuple(buckets),
            keys=tuple(_keys(contract, index)),
            roles=tuple(_role(index, app, role) for app, role in contract.roles.items()),
            tables=tuple(
                _table(
                    index,
                    app,
                    table.name,
                    table.arn,
                    contract.kms_keys[app].arn if app in contract.kms_keys else None,
                )
                for app, table in contract.all_tables()
            ),
            has_state=index.available,
        )


def _partition(contract: StackContract) -> str:
    for _, _, bucket in contract.all_buckets():
        return bucket.arn.split(":")[1]
    for role in contract.roles.values():
        return role.arn.split(":")[1]
    return "aws"


def _bucket(
    index: StateIndex,
    name: str,
    arn: str,
    group: str,
    store: str,
    key_arn: str | None,
    settings: dict[str, Any],
) -> ExpectedBucket:
    attributes = index.find("aws_s3_bucket", "bucket", name)
    lifecycle: tuple[LifecycleRule, ...] | None = None
    if index.available:
        standalone = index.find("aws_s3_bucket_lifecycle_configuration", "bucket", name)
        if standalone is not None:
            lifecycle = tuple(from_configuration_state(r) for r in standalone.get("rule") or [])
        elif attributes is not None:
            lifecycle = tuple(from_inline_state(r) for r in attributes.get("lifecycle_rule") or [])
    policy = index.find("aws_s3_bucket_policy", "bucket", name)
    logging = index.find("aws_s3_bucket_logging", "bucket", name)
    wants_logs = bool(settings.get("access_logging")) and group in STORAGE_APPS
    return ExpectedBucket(
        name=name,
        arn=arn,
        group=group,
        store=store,
        key_arn=key_arn,
        lifecycle=lifecycle,
        policy=_document(policy.get("policy")) if policy else None,
        tags=_tags(attributes),
        logging_target=settings.get("access_log_bucket") if wants_logs else None,
        logging_prefix=logging.get("target_prefix") if (logging and wants_logs) else None,
        in_state=attributes is not None,
    )


def _keys(contract: StackContract, index: StateIndex) -> list[ExpectedKey]:
    apps_by_arn: dict[str, list[str]] = {}
    for app, key in contract.kms_keys.items():
        apps_by_arn.setdefault(key.arn, []).append(app)
    keys = []
    for arn, apps in apps_by_arn.items():
        key = contract.kms_keys[apps[0]]
        keys.append(
            _key(index, arn, apps[0] if len(apps) == 1 else "shared", apps, key.alias, key.managed)
        )
    operations_key = contract.operations.get("operations_key_arn")
    if operations_key and operations_key not in apps_by_arn:
        alias = index.find("aws_kms_alias", "target_key_arn", operations_key)
        keys.append(
            _key(index, operations_key, "operations", [], alias and alias.get("name"), True)
        )
    return keys


def _key(
    index: StateIndex, arn: str, group: str, apps: list[str], alias: str | None, managed: bool
) -> ExpectedKey:
    attributes = index.find("aws_kms_key", "arn", arn)
    key_id = arn.rsplit("/", 1)[-1]
    policy = index.find("aws_kms_key_policy", "key_id", key_id)
    document = policy.get("policy") if policy else (attributes or {}).get("policy")
    rotation = (attributes or {}).get("rotation_period_in_days")
    return ExpectedKey(
        arn=arn,
        group=group,
        apps=tuple(apps),
        alias=alias,
        managed=managed,
        policy=_document(document) if managed else None,
        tags=_tags(attributes),
        rotation_period=int(rotation) if rotation else None,
    )


def _role(index: StateIndex, app: str, role: Any) -> ExpectedRole:
    attributes = index.find("aws_iam_role", "name", role.name)
    inline = managed = None
    if index.available and attributes is not None:
        inline = {
            policy["name"]: _document(policy.get("policy")) or {}
            for policy in index.where("aws_iam_role_policy", "role", role.name)
        }
        attached = {
            attachment["policy_arn"]
            for attachment in index.where("aws_iam_role_policy_attachment", "role", role.name)
        }
        for exclusive in index.where(
            "aws_iam_role_policy_attachments_exclusive", "role_name", role.name
        ):
            attached.update(exclusive.get("policy_arns") or [])
        managed = tuple(sorted(attached))
    boundary = (attributes or {}).get("permissions_boundary") or None
    duration = (attributes or {}).get("max_session_duration")
    return ExpectedRole(
        app=app,
        name=role.name,
        arn=role.arn,
        identity=role.identity,
        namespace=role.namespace,
        trust_subjects=tuple(role.trust_subjects),
        trust_policy=_document((attributes or {}).get("assume_role_policy")),
        inline=inline,
        managed=managed,
        tags=_tags(attributes),
        max_session_duration=int(duration) if duration else None,
        permissions_boundary=boundary,
    )


def _table(index: StateIndex, app: str, name: str, arn: str, key_arn: str | None) -> ExpectedTable:
    attributes = index.find("aws_dynamodb_table", "name", name)
    return ExpectedTable(
        app=app,
        name=name,
        arn=arn,
        key_arn=key_arn,
        tags=_tags(attributes),
        table_class=(attributes or {}).get("table_class") or None,
    )
