"""Who gets the role, per the render: every pod that calls AWS runs as a service account the
app's role trusts (and, with IRSA, that carries the role's annotation); no other pod carries a
role, except where the chart itself gives it no account of its own (a limitation)."""

from __future__ import annotations

from obsctl.model.contract import Role, StackContract
from obsctl.values.conformance.charts import CHART_FACTS
from obsctl.values.conformance.findings import Finding
from obsctl.values.conformance.manifests import Release, ServiceAccount, Workload
from obsctl.values.naming import ROLE_ARN_ANNOTATION

CHECK = "identity"
# How a pod that never calls AWS but holds a role is reported (report.py groups by it).
HOLDS_A_ROLE = "never calls AWS but runs as"


def _subject(workload: Workload) -> str:
    return f"system:serviceaccount:{workload.namespace}:{workload.service_account}"


def _carried_role(role: Role | None, workload: Workload, account: ServiceAccount | None) -> str:
    """The role a pod gets, "" for none: the IRSA annotation on its account, or the Pod
    Identity association that binds its account by name."""
    annotation = account.annotations.get(ROLE_ARN_ANNOTATION, "") if account else ""
    if annotation:
        return annotation
    if role is not None and role.identity != "irsa" and _subject(workload) in role.trust_subjects:
        return role.arn
    return ""


def _needs_role(release: Release, role: Role, workload: Workload) -> list[Finding]:
    account_label = f"{workload.namespace}/{workload.service_account}"
    subject = _subject(workload)
    if subject not in role.trust_subjects:
        trusted = ", ".join(role.trust_subjects) or "no service account"
        return [
            Finding(
                release.app,
                CHECK,
                f"{workload.label} runs as {account_label}, but role {role.name} trusts only "
                f"{trusted}.",
            )
        ]
    account = release.manifests.service_account(workload.namespace, workload.service_account)
    annotation = account.annotations.get(ROLE_ARN_ANNOTATION) if account else None
    if role.identity == "irsa":
        if account is None:
            return [
                Finding(
                    release.app,
                    CHECK,
                    f"{workload.label} runs as {account_label}, which the render does not "
                    f"create, so nothing gives it the annotation of IRSA role {role.arn}.",
                )
            ]
        if annotation != role.arn:
            return [
                Finding(
                    release.app,
                    CHECK,
                    f"{workload.label} runs as {account_label}, annotated with role "
                    f"{annotation or 'none'}, but its IRSA role is {role.arn}.",
                )
            ]
    elif annotation:
        return [
            Finding(
                release.app,
                CHECK,
                f"{workload.label} runs as {account_label}, which carries the IRSA annotation "
                f"{annotation}, but role {role.name} uses Pod Identity.",
            )
        ]
    return []


def identity_findings(contract: StackContract, release: Release) -> list[Finding]:
    facts = CHART_FACTS[release.chart]
    role = contract.roles.get(release.app)
    findings: list[Finding] = []
    for workload in release.manifests.workloads:
        account = release.manifests.service_account(workload.namespace, workload.service_account)
        if workload.component in facts.role_components:
            if role is not None:
                findings += _needs_role(release, role, workload)
            elif release.app != "grafana":  # Grafana without a role: no CloudWatch, see there
                findings.append(
                    Finding(
                        release.app,
                        CHECK,
                        f"{workload.label} reads and writes the {release.app} buckets, but the "
                        f"stack contract has no {release.app} role to give it credentials.",
                    )
                )
            continue
        carried = _carried_role(role, workload, account)
        if not carried:
            continue
        account_label = f"{workload.namespace}/{workload.service_account}"
        reason = facts.shared_account.get(workload.component)
        if reason is not None:
            findings.append(
                Finding(
                    release.app,
                    CHECK,
                    f"{workload.label} {HOLDS_A_ROLE} {account_label}, which carries role "
                    f"{carried}: {reason}.",
                    limitation=True,
                )
            )
        else:
            findings.append(
                Finding(
                    release.app,
                    CHECK,
                    f"{workload.label} {HOLDS_A_ROLE} {account_label}, which carries role "
                    f"{carried}; give it an account of its own.",
                )
            )
    return findings
