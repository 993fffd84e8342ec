"""What is deployed for each env and target. With --drift, compare one env with what is live:
exit 3 when live resources differ from the configuration (changed or deleted outside
Terraform), naming each one; configuration changes not applied yet are not drift."""

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
    from obsctl.workspace.session import open_session

    session = open_session(args.env, args.target, args.dir, binary=args.binary, variables=args.var)
    session.init()
    drifted = _drifted(session.plan().events)
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
    """Resources changed or deleted outside Terraform that the plan would have to set back.

    A refresh also reports differences Terraform does not act on (normalised JSON, computed
    attributes); only those with a planned change count as drift.
    """
    outside: dict[str, str] = {}
    planned: set[str] = set()
    for event in events:
        change = event.get("change", {})
        address = change.get("resource", {}).get("addr")
        if event.get("type") == "resource_drift" and address:
            outside[address] = "deleted" if change.get("action") == "delete" else "changed"
        elif event.get("type") == "planned_change" and change.get("action") != "noop":
            planned.add(address)
    return [
        {"address": address, "action": action}
        for address, action in sorted(outside.items())
        if address in planned
    ]
