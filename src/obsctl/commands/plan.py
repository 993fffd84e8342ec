"""Show what `obsctl up` would change, counted by action and resource type (nothing is applied)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from obsctl.commands.base import Context, Result, Selection, lines
from obsctl.terraform.plansummary import PlanSummary


@dataclass
class PlanReport(Result):
    """What an apply would change, by action and resource type."""

    label: str
    target: str
    plan_file: Path
    summary: PlanSummary

    def text(self) -> str:
        if self.summary.empty:
            return lines("No changes.")
        return lines(f"Plan: {self.summary.headline()}.", self.summary.table())

    def document(self) -> dict[str, Any]:
        return {
            "env": self.label,
            "target": self.target,
            "plan_file": str(self.plan_file),
            **self.summary.as_dict(),
        }


def plan(ctx: Context, where: Selection, *, destroy: bool = False) -> PlanReport:
    session = where.open()
    session.init()
    for notice in session.notices:
        ctx.say(notice)
    result = session.plan(destroy=destroy)
    if result.has_changes and not destroy:
        from obsctl.limits.preflight import check_saved_plan

        check_saved_plan(session, result, names=False)  # AWS's limits, before any apply
    return PlanReport(
        label=session.workspace.label,
        target=where.target,
        plan_file=result.plan_file,
        summary=PlanSummary.from_events(result.events),
    )
