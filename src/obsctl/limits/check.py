"""Check a plan against the table: every registered check reads the plan once, through the model.

`check_plan` never calls AWS and never raises for a limit: it returns the findings (one
violation per sentence, and what only the apply can check). `refuse_if_broken` is what `obsctl
plan` and `obsctl up` call before anything is created.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Importing the check modules registers their functions.
from obsctl.limits import iam, s3, services, tags  # noqa: F401
from obsctl.limits.findings import Findings
from obsctl.limits.registry import functions
from obsctl.limits.table import Quotas
from obsctl.limits.view import PlanView


def check_plan(plan: Mapping[str, Any], quotas: Quotas | None = None) -> Findings:
    """What in the plan JSON AWS would refuse, and what it knows only after apply."""
    view = PlanView.of(plan, quotas or Quotas.defaults())
    for check in functions():
        check(view)
    return view.findings


def refuse_if_broken(plan: Mapping[str, Any], target: str) -> Findings:
    """The findings of a plan for `target`, or a LimitsError (one sentence per violation)."""
    findings = check_plan(plan, Quotas.for_target(target))
    if not findings.ok:
        raise findings.refusal()
    return findings
