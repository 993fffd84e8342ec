"""What is deployed for each env and target. With --drift, compare one env with what is live:
a refresh-only plan that exits 3 when live resources differ from the configuration."""

from __future__ import annotations

import argparse
import json
from typing import Any

from obsctl.commands.common import (
    add_env_arguments,
    add_json_argument,
    add_terraform_arguments,
    emit,
)
from obsctl.errors import ExitCode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    add_terraform_arguments(parser)
    parser.add_argument(
        "--drift",
        action="store_true",
        help="run a refresh-only plan for --env/--target; exit 3 on drift",
    )
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    if args.drift:
        return _drift(args)
    from obsctl.status import deployments

    rows = deployments()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    say = emit(args)
    say(f"{'env':<6} {'target':<7} {'resources':>9}  where")
    for row in rows:
        count = "-" if row["resources"] is None else str(row["resources"])
        say(f"{row['env']:<6} {row['target']:<7} {count:>9}  {row['detail']}")
    return 0


def _drift(args: argparse.Namespace) -> int:
    from obsctl.workflow import open_session

    session = open_session(args.env, args.target, args.dir, binary=args.binary, variables=args.var)
    session.init()
    drifted = _drifted(session.plan(refresh_only=True).events)
    if args.json:
        print(
            json.dumps(
                {
                    "env": session.workspace.label,
                    "target": args.target,
                    "drift": bool(drifted),
                    "resources": drifted,
                },
                indent=2,
            )
        )
    else:
        say = emit(args)
        if drifted:
            say(f"Drift: {len(drifted)} resource(s) differ from the configuration:")
            for item in drifted:
                say(f"  {item['action']:<7} {item['address']}")
            say("Run `obsctl up` to bring them back, or update the configuration.")
        else:
            say(f"No drift: {session.workspace.label} on the {args.target} target matches AWS.")
    return int(ExitCode.DRIFT) if drifted else 0


def _drifted(events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Resources a refresh found changed or deleted outside Terraform."""
    found = []
    for event in events:
        if event.get("type") != "resource_drift":
            continue
        change = event.get("change", {})
        action = "deleted" if change.get("action") == "delete" else "changed"
        found.append({"address": change.get("resource", {}).get("addr", "?"), "action": action})
    return found
