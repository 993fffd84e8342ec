"""Controls of verify that do not read several clusters or a replica region yet.

verify's trust controls judge each role against the first cluster's OIDC provider and Pod
Identity ARN, and its access and drift controls take every bucket and key to be in the stack's
region, reachable by its app's role. On a stack with several clusters, or with replication,
they would report findings that are not there. Until verify reads the contract's `clusters`
and `replication` (issue 17, its verify part), `obsctl up` skips exactly those controls, and
says so in its report: a skipped control is a gap, shown as one.
"""

from __future__ import annotations

from obsctl.model.contract import StackContract

_CLUSTERS = (
    "verify judges trust against the first cluster only, and this stack has {n} clusters: "
    "their trust is proven by tests/integration/test_topology.py until verify reads them"
)
_REPLICATION = (
    "verify takes every bucket and key to be in {region} and its app's own, and this stack "
    "replicates to {replica}: replicas are not its apps' stores to reach"
)


def unverified_controls(contract: StackContract) -> dict[str, str]:
    """Control id -> why it is skipped for this stack ({} for one cluster and no replica)."""
    skipped: dict[str, str] = {}
    if len(contract.clusters) > 1:
        reason = _CLUSTERS.format(n=len(contract.clusters))
        skipped.update({"iam.trust-principal": reason, "iam.trust-subjects": reason})
    if contract.replication is not None:
        reason = _REPLICATION.format(region=contract.region, replica=contract.replication.region)
        skipped.update({"iam.required-access": reason, "drift.missing": reason})
    return skipped
