"""Estimate the monthly cost of an environment from its plan.

Reads the plan's buckets (lifecycle rules, versioning, Bucket Key), KMS keys, DynamoDB tables,
CloudTrail data-event trails and CloudWatch alarms, applies a usage (a YAML file or a preset:
small, medium, large) and prints the steady-state monthly cost per app and resource, lifecycle
aware: storage per class, 128 KB and minimum-duration rules, KMS requests with and without a
Bucket Key. Prices come from the dated price file in the package (docs/cost.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from obsctl.commands.common import add_env_arguments
from obsctl.errors import UsageError

FORMATS = ("table", "json", "markdown", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    parser.add_argument(
        "--plan-json",
        type=Path,
        metavar="FILE",
        help="the JSON of a saved plan: terraform show -json PLANFILE > FILE",
    )
    parser.add_argument(
        "--usage", type=Path, metavar="FILE", help="telemetry volumes (YAML; see docs/cost.md)"
    )
    parser.add_argument(
        "--preset",
        metavar="NAME",
        help="a reference workload instead of --usage: small, medium or large "
        "(default: small for dev, medium otherwise)",
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also price the same volume in S3 Standard only, without Bucket Key, and the saving",
    )
    parser.add_argument("--out", type=Path, metavar="FILE", help="write the report to FILE")


def _usage(args: argparse.Namespace) -> Any:
    """The explicit usage (file or preset), validated; None when neither flag is given."""
    from obsctl.cost.usage import load_usage, preset

    if args.usage is not None and args.preset is not None:
        raise UsageError(
            "--usage and --preset cannot be combined; name the preset inside the usage file "
            "(`preset: medium`) instead."
        )
    if args.usage is not None:
        return load_usage(args.usage)
    if args.preset is not None:
        return preset(args.preset)
    return None


def _plan_json(args: argparse.Namespace) -> dict[str, Any]:
    from obsctl.cost.plan import read_plan

    if args.plan_json is not None:
        return read_plan(args.plan_json)
    from obsctl.workspace.session import plan_json

    return plan_json(args.env, args.target, args.dir)


def run(args: argparse.Namespace) -> int:
    from obsctl.cost.model import compare, estimate, region_of
    from obsctl.cost.plan import inventory_from_plan
    from obsctl.cost.prices import load_price_book
    from obsctl.cost.render import renderer
    from obsctl.cost.usage import preset

    usage = _usage(args)
    if args.out is not None and not args.out.parent.is_dir():
        raise UsageError(f"--out {args.out}: the folder {args.out.parent} does not exist.")
    inventory = inventory_from_plan(_plan_json(args))
    if usage is None:
        environment = inventory.environment or args.env
        usage = preset("small" if environment == "dev" else "medium")
    prices = load_price_book().region(region_of(inventory, usage))
    comparison = compare(inventory, usage, prices) if args.compare else None
    result = comparison.estimate if comparison is not None else estimate(inventory, usage, prices)
    text = renderer(args.format)(result, comparison, verbose=getattr(args, "verbose", False))
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"obsctl: wrote the {args.format} estimate to {args.out}.", file=sys.stderr)
    return 0
