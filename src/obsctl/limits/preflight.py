"""The checks between a saved plan and its apply, on both targets: AWS's limits (the plan JSON
against the table) and, before an apply, the names the plan creates that exist already.

`obsctl up` plans into a file, checks, then applies that same file: one plan, and nothing is
created before the checks pass. A plan without changes is not applied at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from obsctl.limits.check import check_plan
from obsctl.limits.findings import Findings, LimitsError
from obsctl.limits.table import Quotas

if TYPE_CHECKING:
    from obsctl.aws.clients import ClientFactory
    from obsctl.terraform.runner import Completed, EventHandler, PlanResult
    from obsctl.workspace.session import Session


def check_saved_plan(session: Session, plan: PlanResult, *, names: bool) -> Findings:
    """Refuse (LimitsError) what AWS would refuse in `plan`, and with `names` the names it
    creates that exist outside this stack's state; the findings otherwise."""
    document = session.plan_json(plan)
    findings = check_plan(document, Quotas.for_target(session.target))
    taken = []
    if names:
        from obsctl.collisions import find_taken

        exempt = [(orphan.kind, orphan.name) for orphan in session.orphans]
        taken = find_taken(document, _clients(session, document), exempt)
    if findings.violations or taken:
        raise LimitsError(findings.violations, taken)
    return findings


def checked_apply(session: Session, on_event: EventHandler | None = None) -> Completed | None:
    """Plan, check, then apply the saved plan (None when the plan changes nothing)."""
    plan = session.plan(on_event=on_event)
    if not plan.has_changes:
        return None
    check_saved_plan(session, plan, names=True)
    return session.apply(plan, on_event=on_event)


def _clients(session: Session, document: dict[str, Any]) -> ClientFactory:
    """Clients in the plan's region: bound to the local AWS, or through the credential chain."""
    from obsctl.aws.clients import CachedClients, boto3_clients
    from obsctl.model import TerraformJSON

    region, _ = TerraformJSON(document).region()
    sandbox = session.sandbox
    if sandbox is not None:
        return CachedClients(lambda service: sandbox.client(service, region))
    return boto3_clients(region)
