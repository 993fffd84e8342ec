"""EKS clusters on the local AWS: one OIDC issuer per cluster, the same after every restart.

moto 5.2 draws one random issuer id when it is imported, so every cluster of a region shares
it: two clusters would look like one cluster listed twice, and a second cluster's service
accounts would pass the first one's trust. On EKS each cluster has its own issuer. Here the id
is derived from the cluster's account, region and name, so it is distinct per cluster and
stable across restarts (docs/topology.md shows issuers you can reproduce).
"""

from __future__ import annotations

import hashlib
from typing import Any


def issuer_url(account: str, region: str, name: str) -> str:
    """The OIDC issuer the local AWS gives cluster `name` of `account` in `region`."""
    digest = hashlib.sha256(f"{account}/{region}/{name}".encode()).hexdigest()[:32].upper()
    return f"https://oidc.eks.{region}.amazonaws.com/id/{digest}"


def patch_cluster_issuers() -> None:
    from moto.eks.models import Cluster

    if getattr(Cluster, "_obsctl_issuers", False):
        return
    original = Cluster.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        # arn:<partition>:eks:<region>:<account>:cluster/<name>
        _, _, _, region, account, resource = self.arn.split(":", 5)
        name = resource.split("/", 1)[1]
        self.identity = {"oidc": {"issuer": issuer_url(account, region, name)}}

    Cluster.__init__ = init  # type: ignore[method-assign]
    Cluster._obsctl_issuers = True  # type: ignore[attr-defined]
