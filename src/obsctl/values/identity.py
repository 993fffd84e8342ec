"""Will the pods authenticate? The service accounts the charts create, against the roles' trust.

IRSA and Pod Identity both bind a role to `system:serviceaccount:<namespace>:<name>`; the
chart decides that name from the release (see naming.py). A values file whose account is not
one the role trusts deploys fine and then fails on every S3 call, so obsctl refuses to write it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from obsctl.model.contract import StackContract
from obsctl.values.inputs import Rendered
from obsctl.values.naming import ROLE_ARN_ANNOTATION, ServiceAccount, service_accounts


@dataclass(frozen=True)
class IdentityProblem:
    """One reason an app's pods would not get their role; `message` is one sentence."""

    app: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Binding:
    """A service account the written values create, and the role its pods must get.

    `annotation` is the eks.amazonaws.com/role-arn value the account must carry (IRSA), or
    None when it must carry none (Pod Identity: the association binds the account by name).
    """

    app: str
    namespace: str
    service_account: str
    subject: str
    role_arn: str
    identity: str
    annotation: str | None


def chart_accounts(rendered: Rendered) -> list[ServiceAccount]:
    return service_accounts(rendered.chart, rendered.release, rendered.namespace, rendered.tree)


def bindings(contract: StackContract, charts: Mapping[str, Rendered]) -> list[Binding]:
    """Every (service account, role) pair the values set up, for a live check after deploy."""
    found: list[Binding] = []
    for app, rendered in charts.items():
        role = contract.roles.get(app)
        if rendered.kind != "helm" or role is None:
            continue
        for account in chart_accounts(rendered):
            found.append(
                Binding(
                    app=app,
                    namespace=account.namespace,
                    service_account=account.name,
                    subject=account.subject,
                    role_arn=role.arn,
                    identity=role.identity,
                    annotation=role.arn if role.identity == "irsa" else None,
                )
            )
    return found


def identity_problems(
    contract: StackContract, charts: Mapping[str, Rendered], grafana_cloudwatch: bool = True
) -> list[IdentityProblem]:
    problems: list[IdentityProblem] = []
    for app, rendered in charts.items():
        if rendered.kind != "helm":
            continue
        role = contract.roles.get(app)
        if role is None:
            if app != "grafana":
                problems.append(
                    IdentityProblem(
                        app,
                        f"{app}: the stack contract has no {app} role, so its pods would get no "
                        "AWS credentials for their buckets.",
                    )
                )
            elif grafana_cloudwatch:
                problems.append(
                    IdentityProblem(
                        app,
                        "grafana: the CloudWatch data source is on but the stack contract has "
                        "no grafana role to give it credentials (pass --no-grafana-cloudwatch).",
                    )
                )
            continue
        trusted = ", ".join(role.trust_subjects) or "no service account"
        for account in chart_accounts(rendered):
            what = "service account" if not account.component else f"{account.component} account"
            verb = "would create" if account.created else "would run as the existing"
            if account.subject not in role.trust_subjects:
                problems.append(
                    IdentityProblem(
                        app,
                        f"{app}: the {rendered.chart.name} chart (release {rendered.release}) "
                        f"{verb} {what} {account.name} in namespace {account.namespace}, but "
                        f"role {role.name} trusts only {trusted}.",
                    )
                )
                continue
            if not account.created:
                continue
            annotation = account.annotations.get(ROLE_ARN_ANNOTATION)
            if role.identity == "irsa" and annotation != role.arn:
                problems.append(
                    IdentityProblem(
                        app,
                        f"{app}: {what} {account.label} would be annotated with role "
                        f"{annotation or 'none'}, but its IRSA role is {role.arn}.",
                    )
                )
            elif role.identity != "irsa" and annotation:
                problems.append(
                    IdentityProblem(
                        app,
                        f"{app}: {what} {account.label} would carry the IRSA annotation "
                        f"{annotation}, but role {role.name} uses Pod Identity and trusts only "
                        "the EKS Pod Identity agent.",
                    )
                )
    return problems
