"""Estimate the monthly cost of an environment from its plan.

Reads the plan's buckets (lifecycle rules, versioning, Bucket Key), KMS keys, DynamoDB tables,
CloudTrail data-event trails and CloudWatch alarms, applies a usage (a YAML file or a preset:
small, medium, large) and prints the steady-state monthly cost per app and resource, lifecycle
aware: storage per class, 128 KB and minimum-duration rules, KMS requests with and without a
Bucket Key. It uses the plan `obsctl plan` or `obsctl up` last made for the env when nothing
changed since (configuration and variables), else plans. Prices come from the price file in
the package, or from AWS Price List offer files (--prices). --compare-to prices the change
from another plan, as a pull request review needs it (docs/cost.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obsctl.commands.base import Context, Result, Selection
from obsctl.errors import UsageError

if TYPE_CHECKING:
    from obsctl.cost.usage import Usage
    from obsctl.model import Stack

FORMATS = ("table", "json", "markdown", "html")


@dataclass
class CostReport(Result):
    """The estimate in one of the report formats (or written to a file)."""

    fmt: str
    rendered: str
    out: Path | None = None
    warnings: tuple[str, ...] = ()
    # How the plan was had (reused or made), for stderr: stdout is the report alone.
    provenance: tuple[str, ...] = ()

    def text(self) -> str:
        return self.rendered if self.out is None else ""

    def notes(self) -> list[str]:
        notes = [f"obsctl: {line}" for line in self.provenance]
        if self.out is None:
            return notes
        return [
            *notes,
            f"obsctl: wrote the {self.fmt} estimate to {self.out}.",
            *(f"obsctl: warning: {warning}" for warning in self.warnings),
        ]


def cost(
    ctx: Context,
    where: Selection,
    *,
    plan_json: Path | None = None,
    usage: Path | None = None,
    preset: str | None = None,
    fmt: str = "table",
    compare: bool = False,
    compare_to: Path | None = None,
    out: Path | None = None,
    prices: tuple[Path, ...] = (),
) -> CostReport:
    from obsctl.cost.diff import diff, render_diff
    from obsctl.cost.model import compare as compare_with_naive
    from obsctl.cost.model import estimate, region_of
    from obsctl.cost.price_file import region_prices
    from obsctl.cost.render import renderer
    from obsctl.cost.replication import replica_region
    from obsctl.cost.usage_file import preset as preset_usage
    from obsctl.model import plan_stack, read_plan

    workload = _usage(usage, preset)
    if compare and compare_to is not None:
        raise UsageError(
            "--compare and --compare-to are two different comparisons; give one of them."
        )
    if out is not None and not out.parent.is_dir():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist.")
    base = plan_stack(read_plan(compare_to), str(compare_to)) if compare_to is not None else None
    provenance: list[str] = []
    stack = _stack(ctx, where, plan_json, provenance)
    if workload is None:
        environment = stack.environment or where.env
        workload = preset_usage("small" if environment == "dev" else "medium")
    priced = region_prices(region_of(stack, workload), prices)
    # A replica Region is priced from the price file (offer files are of the plan's Region).
    replicas = region_prices(region) if (region := replica_region(stack)) else None
    if base is not None:
        base_prices = region_prices(region_of(base, workload), prices)
        base_replicas = region_prices(region) if (region := replica_region(base)) else None
        change = diff(
            estimate(base, workload, base_prices, replica_prices=base_replicas),
            estimate(stack, workload, priced, replica_prices=replicas),
        )
        text = render_diff(fmt, change)
        warnings = change.after.warnings
    else:
        comparison = compare_with_naive(stack, workload, priced, replicas) if compare else None
        result = comparison.estimate if comparison is not None else None
        result = result or estimate(stack, workload, priced, replica_prices=replicas)
        text = renderer(fmt)(result, comparison, verbose=ctx.verbose)
        warnings = result.warnings
    if out is not None:
        out.write_text(text, encoding="utf-8")
    return CostReport(fmt, text, out, warnings, tuple(provenance))


def _usage(usage: Path | None, preset: str | None) -> Usage | None:
    """The explicit usage (file or preset), validated; None when neither is given."""
    from obsctl.cost.usage_file import load_usage
    from obsctl.cost.usage_file import preset as preset_usage

    if usage is not None and preset is not None:
        raise UsageError(
            "--usage and --preset cannot be combined; name the preset inside the usage file "
            "(`preset: medium`) instead."
        )
    if usage is not None:
        return load_usage(usage)
    if preset is not None:
        return preset_usage(preset)
    return None


def _stack(ctx: Context, where: Selection, plan_json: Path | None, provenance: list[str]) -> Stack:
    """The stack of --plan-json, else of the workspace's last plan or apply when nothing it
    depends on changed since, else of a new plan (`provenance` says which, for stderr)."""
    from obsctl.model import plan_stack, read_plan

    if plan_json is not None:
        if where.variables or where.var_files:
            raise UsageError(
                "--var and --var-file set the variables of a plan obsctl makes; with "
                "--plan-json the plan is already made."
            )
        return plan_stack(read_plan(plan_json), str(plan_json))
    return _workspace_stack(ctx, where, provenance)


def _workspace_stack(ctx: Context, where: Selection, provenance: list[str]) -> Stack:
    from obsctl.model import plan_stack, read_stack
    from obsctl.model.contract import StackContract
    from obsctl.model.tfjson import TerraformJSON
    from obsctl.workspace import plan_record

    session = where.open(activity=ctx.activity())
    session.lock_workspace()
    found = plan_record.reusable(session)
    label = session.workspace.where
    if found is not None and found.kind == "plan" and found.plan_file is not None:
        document: dict[str, Any] | None = found.document
        if document is None:
            document = session.terraform.show_plan(found.plan_file)
            plan_record.remember_document(session, document)
        provenance.append(
            f"Pricing the plan last made for {label} (nothing it depends on changed)."
        )
        return plan_stack(document, f"the saved plan of {label}")
    if found is not None and found.kind == "state":
        state = _applied_state(session)
        if state is not None:
            provenance.append(f"Pricing {label} as last applied (nothing it depends on changed).")
            outputs = TerraformJSON(state).outputs()
            contract = (
                StackContract.from_outputs(outputs, source=f"the state of {label}")
                if "contract_version" in outputs
                else None
            )
            return read_stack(contract, state)
    session.init()
    provenance += session.notices
    provenance.append(f"Planned {label} to price it.")
    document = session.plan_json(session.plan())
    plan_record.remember_document(session, document)
    return plan_stack(document, f"the plan of {label}")


def _applied_state(session: Any) -> dict[str, Any] | None:
    """The raw state the last apply wrote, when obsctl can read it without starting anything
    (None: plan instead)."""
    from obsctl.errors import ObsctlError

    try:
        session.connect()
        state: dict[str, Any] = session.terraform.state_pull()
    except ObsctlError:
        return None
    return state if state.get("resources") else None
