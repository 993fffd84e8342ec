"""Role controls: IRSA / Pod Identity trust, wildcards, and least privilege on the live policies.

Trust policies are judged here with the project's own rules (B8 of the security notes): parliament
has no trust-policy mode and reports the same findings whether `sub` is exact or a wildcard.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from obsctl.model.contract import STORAGE_APPS
from obsctl.model.stack import Role, Stack
from obsctl.verify.access import RoleAccess
from obsctl.verify.collect import RoleLive, decode_document
from obsctl.verify.model import Result, errored, failed, judged, subject
from obsctl.verify.policy import parse

IRSA_ACTIONS = {"sts:assumerolewithwebidentity"}
POD_IDENTITY_ACTIONS = {"sts:assumerole", "sts:tagsession"}
POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
STS_AUDIENCE = "sts.amazonaws.com"


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


def trust_statements(live: RoleLive) -> list[dict[str, Any]]:
    document = decode_document(live.role.data["Role"].get("AssumeRolePolicyDocument"))
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _label(statement: dict[str, Any], position: int) -> str:
    return f"statement {statement.get('Sid') or f'#{position + 1}'}"


def _conditions(statement: dict[str, Any], key: str) -> dict[str, list[str]]:
    """Operator -> values for one condition key (keys compare case-insensitively, as in IAM)."""
    found: dict[str, list[str]] = {}
    for operator, block in (statement.get("Condition") or {}).items():
        for name, values in (block or {}).items():
            if name.lower() == key.lower():
                found.setdefault(operator, []).extend(_list(values))
    return found


def _unreadable_role(control_id: str, role: Role, live: RoleLive) -> Result:
    return errored(
        control_id, subject(role), f"could not read the role ({live.role.describe_error()})"
    )


def check_trust_principal(stack: Stack, role: Role, live: RoleLive) -> Result:
    cid = "iam.trust-principal"
    if not live.role.ok:
        return _unreadable_role(cid, role, live)
    statements = trust_statements(live)
    allows = [(i, s) for i, s in enumerate(statements) if s.get("Effect") == "Allow"]
    if not allows:
        return failed(cid, subject(role), "the trust policy allows nobody to assume the role")
    providers = irsa_providers(stack, role) if role.identity != "pod_identity" else {}
    problems: list[str] = []
    for position, statement in allows:
        where = _label(statement, position)
        if "NotPrincipal" in statement or "NotAction" in statement:
            problems.append(f"{where} uses NotPrincipal/NotAction")
            continue
        principal = statement.get("Principal")
        if not isinstance(principal, dict):
            problems.append(f"{where} trusts every principal ({principal!r})")
            continue
        actions = {a.lower() for a in _list(statement.get("Action"))}
        if role.identity == "pod_identity":
            problems += _pod_identity_principal(where, principal, actions)
        else:
            problems += _irsa_principal(where, principal, actions, providers)
    if role.identity != "pod_identity":
        named = {p for _, s in allows for p in _list((s.get("Principal") or {}).get("Federated"))}
        problems += [
            f"no statement trusts the provider {arn} of cluster {cluster}, which runs {role.app}"
            for arn, (cluster, _) in providers.items()
            if arn not in named
        ]
    ok = (
        f"trusts only {', '.join(providers) or 'no OIDC provider'}"
        if role.identity != "pod_identity"
        else f"trusts only {POD_IDENTITY_SERVICE}"
    )
    return judged(cid, subject(role), problems, ok)


def irsa_providers(stack: Stack, role: Role) -> dict[str, tuple[str, tuple[str, ...]]]:
    """OIDC provider ARN -> (the cluster, its subjects of the role's app), for every cluster
    that runs the app with IRSA: what the role's trust must name, one statement each."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for cluster in stack.clusters.values():
        app = cluster.apps.get(role.app)
        if app is not None and app.identity == "irsa" and cluster.oidc_provider_arn:
            found[cluster.oidc_provider_arn] = (cluster.key, app.trust_subjects)
    if not stack.clusters and stack.oidc_provider_arn:  # a stack read without its contract
        found[stack.oidc_provider_arn] = (stack.cluster_name or "?", tuple(role.trust_subjects))
    return found


def pod_identity_clusters(stack: Stack, role: Role) -> list[str]:
    """The ARNs of the clusters that run the role's app with Pod Identity."""
    arns = [
        cluster.arn
        for cluster in stack.clusters.values()
        if cluster.arn and (app := cluster.apps.get(role.app)) and app.identity == "pod_identity"
    ]
    return arns or [stack.cluster_arn]


def _irsa_principal(
    where: str,
    principal: dict[str, Any],
    actions: set[str],
    providers: dict[str, tuple[str, tuple[str, ...]]],
) -> list[str]:
    problems = []
    others = sorted(set(principal) - {"Federated"})
    if others:
        values = [v for kind in others for v in _list(principal[kind])]
        problems.append(f"{where} also trusts {', '.join(values)}")
    federated = _list(principal.get("Federated"))
    if len(federated) != 1 or federated[0] not in providers:
        issuer_urls = [f for f in federated if not f.startswith("arn:")]
        if issuer_urls:
            problems.append(f"{where} names the issuer URL {issuer_urls[0]}, not the provider ARN")
        else:
            expected = ", ".join(providers) or "none"
            problems.append(
                f"{where} trusts {', '.join(federated) or 'no OIDC provider'}, "
                f"not one cluster's provider ({expected})"
            )
    if actions != IRSA_ACTIONS:
        problems.append(
            f"{where} allows {', '.join(sorted(actions)) or 'no action'}, "
            "not only sts:AssumeRoleWithWebIdentity"
        )
    return problems


def _pod_identity_principal(where: str, principal: dict[str, Any], actions: set[str]) -> list[str]:
    problems = []
    if set(principal) != {"Service"} or _list(principal.get("Service")) != [POD_IDENTITY_SERVICE]:
        trusted = [v for values in principal.values() for v in _list(values)]
        problems.append(f"{where} trusts {', '.join(trusted)}, not only {POD_IDENTITY_SERVICE}")
    if not actions <= POD_IDENTITY_ACTIONS or "sts:assumerole" not in actions:
        problems.append(
            f"{where} allows {', '.join(sorted(actions))}, not sts:AssumeRole/sts:TagSession"
        )
    return problems


def check_trust_subjects(stack: Stack, role: Role, live: RoleLive) -> Result:
    cid = "iam.trust-subjects"
    if not live.role.ok:
        return _unreadable_role(cid, role, live)
    allows = [(i, s) for i, s in enumerate(trust_statements(live)) if s.get("Effect") == "Allow"]
    problems: list[str] = []
    if role.identity == "pod_identity":
        for position, statement in allows:
            problems += _pod_identity_conditions(
                _label(statement, position), statement, stack, role
            )
        return judged(
            cid,
            subject(role),
            problems,
            "aws:SourceAccount and aws:SourceArn of "
            + ", ".join(pod_identity_clusters(stack, role)),
        )
    providers = irsa_providers(stack, role)
    for position, statement in allows:
        federated = _list((statement.get("Principal") or {}).get("Federated"))
        arn = federated[0] if len(federated) == 1 and federated[0] in providers else None
        if arn is None:  # iam.trust-principal names it; judge it against the first cluster
            arn = next(iter(providers), "")
        expected = providers.get(arn, ("?", tuple(role.trust_subjects)))[1]
        prefix = arn.split("oidc-provider/", 1)[-1]
        problems += _irsa_conditions(_label(statement, position), statement, prefix, expected)
    return judged(
        cid,
        subject(role),
        problems,
        "StringEquals sub "
        + "; ".join(f"{', '.join(subs)} ({cluster})" for cluster, subs in providers.values())
        + f" and aud {STS_AUDIENCE}",
    )


def _irsa_conditions(
    where: str, statement: dict[str, Any], prefix: str, expected: tuple[str, ...]
) -> list[str]:
    problems = []
    subjects = _conditions(statement, f"{prefix}:sub")
    audiences = _conditions(statement, f"{prefix}:aud")
    wildcards = sorted({v for values in subjects.values() for v in values if "*" in v or "?" in v})
    if wildcards:
        problems.append(f"{where} accepts the wildcard subject {', '.join(wildcards)}")
    loose = sorted(op for op in subjects if op != "StringEquals")
    if loose:
        problems.append(f"{where} matches :sub with {', '.join(loose)}, not StringEquals")
    if not subjects:
        problems.append(
            f"{where} has no :sub condition: "
            "every service account of the cluster can assume the role"
        )
    elif "StringEquals" in subjects and sorted(set(subjects["StringEquals"])) != sorted(expected):
        problems.append(
            f"{where} admits {', '.join(sorted(set(subjects['StringEquals'])))}, the contract "
            f"lists {', '.join(expected)}"
        )
    if audiences.get("StringEquals") != [STS_AUDIENCE] or set(audiences) != {"StringEquals"}:
        found = ", ".join(f"{op} {v}" for op, v in audiences.items()) or "nothing"
        problems.append(f"{where} pins :aud to {found}, not StringEquals {STS_AUDIENCE}")
    return problems


def _pod_identity_conditions(
    where: str, statement: dict[str, Any], stack: Stack, role: Role
) -> list[str]:
    problems = []
    account = _conditions(statement, "aws:SourceAccount")
    if account.get("StringEquals") != [stack.account_id]:
        problems.append(f"{where} does not pin aws:SourceAccount to {stack.account_id}")
    source = _conditions(statement, "aws:SourceArn")
    pinned = [v for op in ("ArnEquals", "StringEquals") for v in source.get(op, [])]
    clusters = pod_identity_clusters(stack, role)
    if sorted(pinned) != sorted(clusters):
        problems.append(f"{where} does not pin aws:SourceArn to the clusters {', '.join(clusters)}")
    return problems


def _policies_readable(cid: str, role: Role, live: RoleLive) -> Result | None:
    for answer in (live.inline, live.attached):
        if not answer.ok:
            return errored(
                cid, subject(role), f"could not read its policies ({answer.describe_error()})"
            )
    return None


def check_no_wildcard_action(role: Role, live: RoleLive) -> Result:
    cid = "iam.no-wildcard-action"
    if (problem := _policies_readable(cid, role, live)) is not None:
        return problem
    problems = []
    for policy in live.permission_policies():
        for statement in parse(policy.document, f"{policy.kind} policy {policy.name}"):
            if statement.effect != "Allow":
                continue
            if statement.not_actions is not None:
                problems.append(
                    f"{statement.where} allows every action "
                    f"but {', '.join(statement.not_actions)} (NotAction)"
                )
                continue
            wild = [a for a in statement.actions or () if a == "*" or a.split(":", 1)[-1] == "*"]
            if wild:
                problems.append(f"{statement.where} allows {', '.join(wild)}")
    return judged(cid, subject(role), problems, "every allowed action is named")


def check_scoped_resources(
    role: Role, live: RoleLive, unscopable: Callable[[str], list[str] | None]
) -> Result:
    """`unscopable(action pattern)` lists the actions it expands to that AWS can scope (None:
    unknown action)."""
    cid = "iam.scoped-resources"
    if (problem := _policies_readable(cid, role, live)) is not None:
        return problem
    problems = []
    for policy in live.permission_policies():
        for statement in parse(policy.document, f"{policy.kind} policy {policy.name}"):
            if statement.effect != "Allow":
                continue
            everything = statement.not_resources is not None or "*" in (statement.resources or ())
            if not everything:
                continue
            if statement.not_actions is not None:
                problems.append(f"{statement.where} allows NotAction on every resource")
                continue
            scopable: list[str] = []
            for action in statement.actions or ():
                found = unscopable(action)
                if found is None:
                    problems.append(f"{statement.where} allows the unknown action {action} on *")
                else:
                    scopable += found
            if scopable:
                shown = ", ".join(scopable[:5]) + (
                    f" and {len(scopable) - 5} more" if len(scopable) > 5 else ""
                )
                problems.append(
                    f"{statement.where} allows {shown} on Resource * though AWS can scope them"
                )
    return judged(
        cid,
        subject(role),
        problems,
        "Resource * only for actions without resource-level permissions",
    )


def check_cross_app(role: Role, access: RoleAccess) -> Result:
    cid = "iam.no-cross-app-access"
    ok = "reaches only its own stores" if role.app in STORAGE_APPS else "no S3, KMS or table access"
    return judged(cid, subject(role), access.cross_app, ok)


def check_required(role: Role, access: RoleAccess) -> Result:
    cid = "iam.required-access"
    ok = (
        "has every action the app needs on its stores"
        if role.app in STORAGE_APPS
        else "needs no store access"
    )
    return judged(cid, subject(role), access.missing, ok)


def check_self_modification(role: Role, access: RoleAccess) -> Result:
    cid = "iam.self-modification"
    return judged(
        cid,
        subject(role),
        access.self_modification,
        "cannot change its own permissions or its stores' settings",
    )
