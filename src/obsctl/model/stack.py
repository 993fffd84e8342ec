"""The typed `Stack`: the contract and what a state or plan says exists, read once.

Every verb reads the same Stack. What the modules decided comes from the contract (which app
and store a bucket serves, whether it holds the app's data, its lifecycle rules, what an expiry
may reach, each app's retention and identity); what Terraform applied or plans comes from the
state or plan (versioning, encryption, policies, tags, tables' capacity, trails, alarms).
Resources the contract does not name (an access-log bucket given by name, a root of your own)
are described by the reserved tags the modules put on them, else they are "other".

A resource with an empty `address` is one the contract names but the document does not hold
(no state, or a key you brought): verify still checks it, the cost model does not price it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from obsctl.model.contract import STORAGE_APPS, ExpiryGuard, StackContract
from obsctl.model.contract import Role as ContractRole
from obsctl.model.lifecycle import Lifecycle
from obsctl.model.topology import Cluster, Replication

OPERATIONS = "operations"  # what the stack runs for itself: access logs, audit trail, alerts
SHARED = "shared"  # a key several apps use (the shared key strategy)
OTHER = "other"  # a resource no contract or reserved tag describes


@dataclass(frozen=True)
class App:
    name: str
    retention_days: int | None  # None for Grafana, which stores nothing
    stores: tuple[str, ...]
    data_store: str | None  # the store that holds the app's bulk data


@dataclass(frozen=True)
class Bucket:
    name: str
    app: str  # mimir, loki, tempo, "operations" or "other"
    store: str | None
    arn: str = ""
    holds_data: bool = False
    key_arn: str | None = None  # the SSE-KMS key the contract assigns; None: SSE-S3 expected
    expiry_guard: ExpiryGuard | None = None
    lifecycle: Lifecycle | None = None  # None: unknown (no state)
    access_log_target: str | None = None  # where its server access logs go
    access_log_prefix: str | None = None
    replica_of: str | None = None  # the bucket a cross-region replica copies
    region: str | None = None  # None: the stack's region
    # as applied (state) or planned (plan)
    address: str = ""
    versioning: bool = False
    encryption: str = "AES256"  # aws:kms, aws:kms:dsse or AES256 (S3's default)
    bucket_key: bool = False
    request_metric_filters: int = 0
    policy: dict[str, Any] | None = None
    tags: dict[str, str] | None = None

    @property
    def kms(self) -> bool:
        return self.encryption.startswith("aws:kms")

    @property
    def telemetry(self) -> bool:
        return self.app in STORAGE_APPS


@dataclass(frozen=True)
class Key:
    arn: str
    app: str  # the app whose data it encrypts, "shared", "operations" or "other"
    apps: tuple[str, ...] = ()  # the storage apps whose data it encrypts
    alias: str | None = None
    managed: bool = True  # created by the modules (False: a key you brought)
    address: str = ""
    rotation: bool = False
    rotation_period_days: int | None = None
    policy: dict[str, Any] | None = None  # the key policy Terraform applied (managed keys)
    tags: dict[str, str] | None = None

    @property
    def key_id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    @property
    def label(self) -> str:
        return self.alias or self.address or self.arn


@dataclass(frozen=True)
class Role(ContractRole):
    """The contract's role of an app, and what the state says Terraform applied to it."""

    app: str
    # as applied; None when the state does not hold the role
    trust_policy: dict[str, Any] | None = None
    inline: dict[str, dict[str, Any]] | None = None  # policy name -> document
    managed: tuple[str, ...] | None = None  # attached policy ARNs Terraform manages
    tags: dict[str, str] | None = None
    max_session_duration: int | None = None
    permissions_boundary: str | None = None


@dataclass(frozen=True)
class Scaling:
    minimum: float
    maximum: float
    target_utilization: float = 70.0


@dataclass(frozen=True)
class Table:
    name: str
    app: str
    arn: str = ""
    key_arn: str | None = None  # the key the contract assigns its app
    address: str = ""
    billing_mode: str = "PAY_PER_REQUEST"
    table_class: str | None = None
    pitr: bool = False
    read_capacity: float = 0.0
    write_capacity: float = 0.0
    indexes: tuple[tuple[str, float, float], ...] = ()  # (name, read, write capacity)
    kms_encrypted: bool = False
    scaling: Mapping[str, Scaling] = field(default_factory=dict)  # "read"/"write"/"<index>/read"
    tags: dict[str, str] | None = None


@dataclass(frozen=True)
class TrailSelector:
    read_write_type: str  # WriteOnly, ReadOnly or All
    buckets: tuple[str, ...] | None  # None: every bucket in the account and region


@dataclass(frozen=True)
class Trail:
    address: str
    name: str
    selectors: tuple[TrailSelector, ...]
    target_bucket: str | None
    key_prefix: str = ""
    # as applied (what verify holds the live trail to)
    logging: bool = True
    multi_region: bool = False
    global_events: bool = False
    management_events: str | None = None  # read_write_type of a management selector, or None
    log_file_validation: bool = False
    kms_key_arn: str | None = None


@dataclass(frozen=True)
class Alarm:
    address: str
    name: str
    app: str
    metrics: int
    high_resolution: bool
    actions: tuple[str, ...] = ()  # alarm actions as applied


@dataclass(frozen=True)
class Topic:
    """The alert topic as applied: its key and the subscriptions Terraform made."""

    address: str
    arn: str
    kms_key_id: str | None
    subscriptions: tuple[tuple[str, str], ...]  # (protocol, endpoint)


@dataclass(frozen=True)
class Stack:
    """A stack as the contract describes it and a state or plan holds it."""

    contract: StackContract | None
    region: str | None
    region_source: str
    apps: Mapping[str, App] = field(default_factory=dict)
    buckets: tuple[Bucket, ...] = ()
    keys: tuple[Key, ...] = ()
    roles: tuple[Role, ...] = ()
    tables: tuple[Table, ...] = ()
    trails: tuple[Trail, ...] = ()
    alarms: tuple[Alarm, ...] = ()
    topics: tuple[Topic, ...] = ()
    has_state: bool = False  # the document (state or plan) was available
    notes: tuple[str, ...] = ()  # what the document did not say exactly

    def _contract(self) -> StackContract:
        if self.contract is None:
            raise ValueError("this stack has no contract (a plan of a root that exposes none)")
        return self.contract

    @property
    def environment(self) -> str | None:
        return self.contract.environment if self.contract is not None else None

    @property
    def account_id(self) -> str:
        return self._contract().account_id

    @property
    def partition(self) -> str:
        return self._contract().partition

    @property
    def name_prefix(self) -> str:
        return self._contract().name_prefix

    @property
    def cluster_name(self) -> str | None:
        return self._contract().cluster_name

    @property
    def clusters(self) -> dict[str, Cluster]:
        """Every cluster whose service accounts assume the roles (the first one included)."""
        return self.contract.clusters if self.contract is not None else {}

    @property
    def replication(self) -> Replication | None:
        return self.contract.replication if self.contract is not None else None

    @property
    def cluster_arn(self) -> str:
        return self._contract().cluster_arn

    @property
    def oidc_provider_arn(self) -> str | None:
        return self._contract().oidc_provider_arn

    @property
    def settings(self) -> dict[str, Any]:
        return self.contract.settings if self.contract is not None else {}

    def retention(self, app: str) -> int | None:
        """The app's retention in days, as the env asks for it (None when not known)."""
        found = self.apps.get(app)
        return found.retention_days if found is not None else None

    @property
    def retention_days(self) -> dict[str, int]:
        return {
            name: app.retention_days
            for name, app in self.apps.items()
            if app.retention_days is not None
        }

    def bucket(self, name: str) -> Bucket | None:
        return next((bucket for bucket in self.buckets if bucket.name == name), None)
