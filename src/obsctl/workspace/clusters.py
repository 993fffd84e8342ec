"""The further clusters a root's `--var clusters=...` names, so the local AWS holds them first.

On AWS the clusters exist before the stack; on the local target obsctl creates them, as it
creates the first cluster (eks_cluster_name): every cluster with a name, in its own account,
and the IAM OIDC provider of a cluster of the stack's account when the stack looks it up
(neither oidc_provider_arn, issuer_url nor create_oidc_provider given).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from obsctl.errors import UsageError


@dataclass(frozen=True)
class ClusterSeed:
    name: str
    account: str | None  # None: the stack's account
    register_issuer: bool


def _plain(value: Any) -> Any:
    """python-hcl2 keeps the quotes of strings and of quoted keys: drop them."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def parse_clusters(value: str) -> dict[str, dict[str, Any]]:
    """The clusters map of a `--var clusters=VALUE` (HCL or JSON, as Terraform reads it)."""
    import hcl2

    try:
        parsed = _plain(hcl2.loads(f"clusters = {value}\n"))["clusters"]
    except Exception:  # lark's parse errors have no common base worth naming
        raise UsageError(
            f"--var clusters={value!r} is not a Terraform map of clusters, such as "
            '{ green = { name = "lgtm-green" } }.'
        ) from None
    if not isinstance(parsed, dict) or not all(isinstance(c, dict) for c in parsed.values()):
        raise UsageError(
            f"--var clusters={value!r} is not a map of cluster objects, such as "
            '{ green = { name = "lgtm-green" } }.'
        )
    return parsed


def clusters_to_seed(value: str | None) -> list[ClusterSeed]:
    if not value:
        return []
    seeds = []
    for cluster in parse_clusters(value).values():
        name = cluster.get("name")
        if not isinstance(name, str) or not name:
            continue
        account = cluster.get("account_id")
        looked_up = not (
            cluster.get("oidc_provider_arn")
            or cluster.get("issuer_url")
            or cluster.get("create_oidc_provider") is True
        )
        seeds.append(
            ClusterSeed(
                name=name,
                account=str(account) if account else None,
                register_issuer=looked_up and not account,
            )
        )
    return seeds
