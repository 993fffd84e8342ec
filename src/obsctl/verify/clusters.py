"""Which stores each cluster's service accounts reach: their trust first, then the matrix.

For every cluster of the contract (remote accounts included: their issuers are registered in
the stack's account) and every subject it runs for an IRSA app, STS's decision is computed from
the trust policies and the OIDC providers (with their client IDs) as IAM holds them
(obsctl.identity, failing closed) against every role of the stack. The subject must reach
exactly its app's role; what that role reaches is the access matrix's row
(iam.no-cross-app-access proves it holds only the app's own stores). So a service account
of a remote cluster never gains more than its app: it reaches no other role, and the role it
reaches is bounded like every other.

Pod Identity subjects are bound by EKS associations in the stack's account (the trust names
pods.eks.amazonaws.com and the clusters' ARNs, iam.trust-subjects); they are shown as their
role's row without a web identity decision.
"""

from __future__ import annotations

from typing import Any

from obsctl.identity.trust import OidcProvider, WebIdentityToken, reachable_roles
from obsctl.model.stack import Stack
from obsctl.model.topology import Cluster
from obsctl.verify.aws import Answer
from obsctl.verify.collect import RoleLive, decode_document
from obsctl.verify.model import Result, Subject, errored, judged

CONTROL = "iam.cluster-subjects"


def cluster_subject(cluster: Cluster) -> Subject:
    where = f" (account {cluster.account_id})" if cluster.account_id else ""
    return Subject("stack", cluster.key, "EKS cluster", label=f"{cluster.key}{where}")


def _trust_policies(stack: Stack, roles: dict[str, RoleLive]) -> dict[str, dict[str, Any]]:
    """Role ARN -> the trust policy IAM holds (roles it could not read trust nothing)."""
    found: dict[str, dict[str, Any]] = {}
    for role in stack.roles:
        live = roles.get(role.name)
        if live is not None and not live.missing and live.role.ok:
            found[role.arn] = decode_document(
                live.role.data["Role"].get("AssumeRolePolicyDocument")
            )
    return found


def _providers(stack: Stack, live: Answer | None) -> list[OidcProvider]:
    """The account's OIDC providers as IAM holds them (`live`), or, when they were not read
    (a caller without them), those the contract says are registered."""
    if live is None:
        return [
            OidcProvider(arn=cluster.oidc_provider_arn)
            for cluster in stack.clusters.values()
            if cluster.oidc_provider_arn
        ]
    return [
        OidcProvider(arn=item["Arn"], client_ids=tuple(item.get("ClientIDList") or ()))
        for item in live.data.get("Providers", [])
    ]


def check_clusters(
    stack: Stack,
    roles: dict[str, RoleLive],
    rows: dict[str, dict[str, list[str]]],
    providers_read: Answer | None = None,
) -> tuple[list[Result], dict[str, dict[str, list[str]]]]:
    """One result per cluster, and the matrix rows of its subjects (`<cluster>: <subject>`)."""
    if providers_read is not None and not providers_read.ok:
        why = f"could not read the account's OIDC providers ({providers_read.describe_error()})"
        return [errored(CONTROL, cluster_subject(c), why) for c in stack.clusters.values()], {}
    policies = _trust_policies(stack, roles)
    providers = _providers(stack, providers_read)
    role_by_arn = {role.arn: role for role in stack.roles}
    results: list[Result] = []
    subject_rows: dict[str, dict[str, list[str]]] = {}
    for cluster in stack.clusters.values():
        problems: list[str] = []
        checked = 0
        for app, entry in sorted(cluster.apps.items()):
            own = next((r for r in stack.roles if r.app == app), None)
            for sub in entry.trust_subjects:
                if entry.identity != "irsa" or cluster.issuer_url is None:
                    reached = [own.arn] if own is not None else []
                else:
                    token = WebIdentityToken(issuer=cluster.issuer_url, subject=sub)
                    reached = reachable_roles(policies, providers, token)
                    checked += 1
                    own_role = own.arn if own is not None else None
                    others = sorted(role_by_arn[a].name for a in reached if a != own_role)
                    if others:
                        problems.append(f"{sub} ({app}) also assumes {', '.join(others)}")
                    # A role that is gone or unreadable is drift.missing's finding, not this one.
                    if own is not None and own.arn in policies and own.arn not in reached:
                        problems.append(f"{sub} ({app}) cannot assume {own.name}")
                row: dict[str, list[str]] = {}
                for arn in reached:
                    for label, actions in rows.get(role_by_arn[arn].name, {}).items():
                        row[label] = sorted(set(row.get(label, [])) | set(actions))
                subject_rows[f"{cluster.key}: {sub}"] = row
        results.append(
            judged(
                CONTROL,
                cluster_subject(cluster),
                problems,
                f"each of its {checked} IRSA subjects assumes only its app's role",
            )
        )
    return results, subject_rows
