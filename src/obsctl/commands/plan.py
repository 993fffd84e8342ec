"""Show what `obsctl up` would change, counted by action and resource type (nothing is applied)."""

from __future__ import annotations

import argparse
import json

from obsctl.commands.common import (
    add_env_arguments,
    add_json_argument,
    add_terraform_arguments,
    emit,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    add_terraform_arguments(parser)
    parser.add_argument("--destroy", action="store_true", help="plan the removal instead")
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    from obsctl.terraform.plansummary import PlanSummary
    from obsctl.workspace.session import open_session

    session = open_session(args.env, args.target, args.dir, binary=args.binary, variables=args.var)
    say = emit(args)
    session.init()
    for notice in session.notices:
        say(notice)
    result = session.plan(destroy=args.destroy)
    summary = PlanSummary.from_events(result.events)
    if args.json:
        print(
            json.dumps(
                {
                    "env": session.workspace.label,
                    "target": args.target,
                    "plan_file": str(result.plan_file),
                    **summary.as_dict(),
                },
                indent=2,
            )
        )
        return 0
    say(f"Plan: {summary.headline()}." if not summary.empty else "No changes.")
    if not summary.empty:
        say(summary.table())
    return 0
