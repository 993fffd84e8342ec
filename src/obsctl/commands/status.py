"""What is deployed for each env and target. With --drift, compare one env with what is live:
exit 3 when live resources differ from the configuration (changed or deleted outside
Terraform), naming each one; configuration changes not applied yet are not drift. An env with
nothing deployed has nothing to compare: it exits 4 and says so (it is not "no drift")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from obsctl.commands.base import Context, Result, Selection, lines
from obsctl.errors import ExitCode, NotDeployedError

# Planned actions that never make a resource drift: nothing to do, or the configuration dropped it.
_NOT_DRIFT = ("noop", "delete", "remove")


@dataclass
class StatusReport(Result):
    """One row per env and target: how many resources are deployed, and where."""

    rows: list[dict[str, Any]]

    def text(self) -> str:
        said = [f"{'env':<6} {'target':<7} {'resources':>9}  where"]
        for row in self.rows:
            count = "-" if row["resources"] is None else str(row["resources"])
            said.append(f"{row['env']:<6} {row['target']:<7} {count:>9}  {row['detail']}")
        return lines(*said)

    def document(self) -> list[dict[str, Any]]:
        return self.rows


@dataclass
class DriftReport(Result):
    """Resources changed or deleted outside Terraform (exit 3 when there are any)."""

    label: str
    target: str
    drifted: list[dict[str, str]]

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return int(ExitCode.DRIFT) if self.drifted else 0

    def text(self) -> str:
        if not self.drifted:
            return lines(f"No drift: {self.label} on the {self.target} target matches AWS.")
        return lines(
            f"Drift: {len(self.drifted)} resource(s) differ from the configuration:",
            *(f"  {item['action']:<7} {item['address']}" for item in self.drifted),
            "Run `obsctl up` to bring them back, or update the configuration.",
        )

    def document(self) -> dict[str, Any]:
        return {
            "env": self.label,
            "target": self.target,
            "drift": bool(self.drifted),
            "resources": self.drifted,
        }


def status(ctx: Context) -> StatusReport:
    from obsctl.status import deployments

    return StatusReport(deployments())


def drift(ctx: Context, where: Selection) -> DriftReport:
    from obsctl.status import count_resources

    session = where.open(activity=ctx.activity())
    session.require_deployed()  # on the local target: before anything starts
    session.init()
    if not count_resources(session.terraform.state_pull()):
        raise NotDeployedError(
            f"Nothing is deployed for {session.where}, so there is nothing to compare with AWS.",
            hint=f"Run `obsctl up {session.workspace.flags}` first.",
        )
    for notice in session.notices:
        ctx.say(notice)
    return DriftReport(session.workspace.label, where.target, _drifted(session.plan().events))


def _drifted(events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Resources changed or deleted outside Terraform that the plan would have to set back.

    A refresh also reports differences Terraform does not act on (normalised JSON, computed
    attributes); only those with a planned change count as drift. A resource the configuration
    no longer has (a planned delete, or a `removed` block) is a configuration change, whatever
    happened to it outside.
    """
    outside: dict[str, str] = {}
    planned: set[str] = set()
    for event in events:
        change = event.get("change", {})
        address = change.get("resource", {}).get("addr")
        if event.get("type") == "resource_drift" and address:
            outside[address] = "deleted" if change.get("action") == "delete" else "changed"
        elif event.get("type") == "planned_change" and change.get("action") not in _NOT_DRIFT:
            planned.add(address)
    return [
        {"address": address, "action": action}
        for address, action in sorted(outside.items())
        if address in planned
    ]
