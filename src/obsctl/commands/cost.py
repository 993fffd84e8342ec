"""Estimate the monthly cost of an environment from its plan.

Reads the plan's buckets (lifecycle rules, versioning, Bucket Key), KMS keys, DynamoDB tables,
CloudTrail data-event trails and CloudWatch alarms, applies a usage (a YAML file or a preset:
small, medium, large) and prints the steady-state monthly cost per app and resource, lifecycle
aware: storage per class, 128 KB and minimum-duration rules, KMS requests with and without a
Bucket Key. Prices come from the dated price file in the package (docs/cost.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from obsctl.commands.base import Context, Result, Selection
from obsctl.errors import UsageError

FORMATS = ("table", "json", "markdown", "html")


@dataclass
class CostReport(Result):
    """The estimate in one of the report formats (or written to a file)."""

    fmt: str
    rendered: str
    out: Path | None = None

    def text(self) -> str:
        return self.rendered if self.out is None else ""

    def notes(self) -> list[str]:
        if self.out is None:
            return []
        return [f"obsctl: wrote the {self.fmt} estimate to {self.out}."]


def cost(
    ctx: Context,
    where: Selection,
    *,
    plan_json: Path | None = None,
    usage: Path | None = None,
    preset: str | None = None,
    fmt: str = "table",
    compare: bool = False,
    out: Path | None = None,
) -> CostReport:
    from obsctl.cost.model import compare as compare_with_naive
    from obsctl.cost.model import estimate, region_of
    from obsctl.cost.price_file import load_price_book
    from obsctl.cost.render import renderer
    from obsctl.cost.usage_file import preset as preset_usage
    from obsctl.model import plan_stack

    workload = _usage(usage, preset)
    if out is not None and not out.parent.is_dir():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist.")
    source = str(plan_json) if plan_json is not None else "the plan"
    stack = plan_stack(_plan_json(plan_json, where, ctx), source)
    if workload is None:
        environment = stack.environment or where.env
        workload = preset_usage("small" if environment == "dev" else "medium")
    prices = load_price_book().region(region_of(stack, workload))
    comparison = compare_with_naive(stack, workload, prices) if compare else None
    result = comparison.estimate if comparison is not None else estimate(stack, workload, prices)
    text = renderer(fmt)(result, comparison, verbose=ctx.verbose)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    return CostReport(fmt, text, out)


def _usage(usage: Path | None, preset: str | None) -> Any:
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


def _plan_json(plan_json: Path | None, where: Selection, ctx: Context) -> dict[str, Any]:
    from obsctl.model import read_plan

    if plan_json is not None:
        return read_plan(plan_json)
    from obsctl.workspace import session

    return session.plan_json(
        where.env, where.target, where.root_dir, say=ctx.say, activity=ctx.activity()
    )
