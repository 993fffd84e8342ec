"""Where the stack is used from and copied to: its clusters and its cross-region replication.

Contract version 3 publishes both (`clusters`, `replication`); a version 2 contract had one
cluster and no replication, so its `cluster` and `roles` outputs are read as that one cluster.
Whatever the version, `StackContract.clusters` lists every cluster whose service accounts
assume the roles, each with the apps it runs, and `for_cluster` gives one cluster's view: the
contract as a single-cluster stack, which is what the Helm values of that cluster are written
from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from obsctl.model.lifecycle import LifecycleRule, from_contract

OIDC_PROVIDER = "oidc-provider/"


@dataclass(frozen=True)
class ClusterApp:
    """One app as one cluster runs it: the service accounts that present its role's trust."""

    identity: str  # irsa or pod_identity (a property of the app's role)
    namespace: str
    service_accounts: tuple[str, ...]
    trust_subjects: tuple[str, ...]  # system:serviceaccount:<namespace>:<service account>
    helm_annotations: dict[str, str]


@dataclass(frozen=True)
class Cluster:
    """An EKS cluster whose service accounts assume the stack's roles."""

    key: str  # the contract's key: the first cluster's EKS name, or the key of `clusters`
    name: str | None  # the EKS cluster name (None: known by its issuer only)
    account_id: str  # the account it runs in
    arn: str | None
    issuer_url: str | None
    oidc_provider_arn: str | None  # registered in the stack's account; None without IRSA apps
    apps: dict[str, ClusterApp]

    @property
    def issuer_host_path(self) -> str | None:
        """The issuer without https://: the prefix of its trust condition keys."""
        if self.oidc_provider_arn is not None:
            return self.oidc_provider_arn.split(OIDC_PROVIDER, 1)[-1]
        if self.issuer_url is not None:
            return self.issuer_url.removeprefix("https://").rstrip("/")
        return None


@dataclass(frozen=True)
class ReplicaBucket:
    name: str
    arn: str
    source: str  # the bucket it replicates
    kms_key_arn: str
    lifecycle_rules: tuple[LifecycleRule, ...]  # the source's, kept by the replica


@dataclass(frozen=True)
class ReplicaKey:
    arn: str
    alias: str | None


@dataclass(frozen=True)
class Replication:
    """Cross-region replication of every telemetry bucket (the replica module)."""

    region: str
    role_arn: str
    delete_marker_replication: bool
    kms_keys: dict[str, ReplicaKey]
    buckets: dict[str, dict[str, ReplicaBucket]]  # app -> store -> replica

    def all_buckets(self) -> list[tuple[str, str, ReplicaBucket]]:
        return [
            (app, store, bucket)
            for app, stores in self.buckets.items()
            for store, bucket in stores.items()
        ]


def clusters_from_outputs(values: Mapping[str, Any]) -> dict[str, Cluster]:
    """The contract's clusters: version 3's `clusters`, or version 2's one cluster."""
    if values.get("clusters") is not None:
        return {
            key: Cluster(
                key=key,
                name=cluster["name"],
                account_id=cluster["account_id"],
                arn=cluster["arn"],
                issuer_url=cluster["issuer_url"],
                oidc_provider_arn=cluster["oidc_provider_arn"],
                apps={app: _cluster_app(entry) for app, entry in cluster["apps"].items()},
            )
            for key, cluster in values["clusters"].items()
        }
    first = values["cluster"]
    provider = first["oidc_provider_arn"]
    return {
        first["name"]: Cluster(
            key=first["name"],
            name=first["name"],
            account_id=values["account_id"],
            arn=first["arn"],
            issuer_url=f"https://{provider.split(OIDC_PROVIDER, 1)[-1]}" if provider else None,
            oidc_provider_arn=provider,
            apps={app: _cluster_app(role) for app, role in values["roles"].items()},
        )
    }


def _cluster_app(entry: Mapping[str, Any]) -> ClusterApp:
    return ClusterApp(
        identity=entry["identity"],
        namespace=entry["namespace"],
        service_accounts=tuple(entry["service_accounts"]),
        trust_subjects=tuple(entry["trust_subjects"]),
        helm_annotations=dict(entry["helm_annotations"]),
    )


def replication_from_outputs(values: Mapping[str, Any]) -> Replication | None:
    replication = values.get("replication")
    if replication is None:
        return None
    return Replication(
        region=replication["region"],
        role_arn=replication["role_arn"],
        delete_marker_replication=bool(replication["delete_marker_replication"]),
        kms_keys={
            app: ReplicaKey(arn=key["arn"], alias=key["alias"])
            for app, key in replication["kms_keys"].items()
        },
        buckets={
            app: {
                store: ReplicaBucket(
                    name=bucket["name"],
                    arn=bucket["arn"],
                    source=bucket["source"],
                    kms_key_arn=bucket["kms_key_arn"],
                    lifecycle_rules=tuple(from_contract(r) for r in bucket["lifecycle_rules"]),
                )
                for store, bucket in stores.items()
            }
            for app, stores in replication["buckets"].items()
        },
    )
