"""Show what `obsctl up` would change, counted by action and resource type (nothing is applied).

With -v, Terraform's own plan comes first (`terraform show` of the saved plan). With
--detailed-exitcode the exit code says what Terraform's does: 0 no changes, 1 error, 2 changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from obsctl.commands.base import Context, Result, Selection, lines
from obsctl.terraform.plansummary import PlanSummary

# --detailed-exitcode: the plan has changes (Terraform's own code for it).
CHANGES_PRESENT = 2


@dataclass
class PlanReport(Result):
    """What an apply would change, by action and resource type."""

    label: str
    target: str
    plan_file: Path
    summary: PlanSummary
    # Terraform's own rendering of the plan (with -v).
    terraform_plan: str | None = None
    detailed_exitcode: bool = False

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return CHANGES_PRESENT if self.detailed_exitcode and not self.summary.empty else 0

    def text(self) -> str:
        shown = self.terraform_plan.rstrip() + "\n\n" if self.terraform_plan else ""
        if self.summary.empty:
            return shown + lines("No changes.")
        return shown + lines(f"Plan: {self.summary.headline()}.", self.summary.table())

    def document(self) -> dict[str, Any]:
        return {
            "env": self.label,
            "target": self.target,
            "plan_file": str(self.plan_file),
            **self.summary.as_dict(),
        }


def plan(
    ctx: Context, where: Selection, *, destroy: bool = False, detailed_exitcode: bool = False
) -> PlanReport:
    session = where.open(activity=ctx.activity())
    session.init()
    for notice in session.notices:
        ctx.say(notice)
    result = session.plan(destroy=destroy)
    if result.has_changes and not destroy:
        from obsctl.limits.preflight import check_saved_plan

        check_saved_plan(session, result, names=False)  # AWS's limits, before any apply
    shown = None
    if ctx.verbose:
        shown = session.terraform.show_plan_text(result.plan_file, color=ctx.colour)
    return PlanReport(
        label=session.workspace.label,
        target=where.target,
        plan_file=result.plan_file,
        summary=PlanSummary.from_events(result.events),
        terraform_plan=shown,
        detailed_exitcode=detailed_exitcode,
    )
