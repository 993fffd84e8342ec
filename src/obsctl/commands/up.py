"""Bring an environment up: preflight, init, plan, confirm (aws), apply with progress, summary.

On the local target (the default) the embedded local AWS is started when needed and keeps
running in the background. Re-running `up` converges and reports "no changes".
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from obsctl.commands.common import (
    add_env_arguments,
    add_json_argument,
    add_terraform_arguments,
    confirm,
    emit,
)
from obsctl.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    add_terraform_arguments(parser)
    parser.add_argument("--yes", action="store_true", help="apply on AWS without asking")
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    from obsctl.report import next_steps, stack_summary
    from obsctl.terraform.plansummary import PlanSummary
    from obsctl.terraform.progress import ApplyProgress
    from obsctl.workflow import open_session

    started = time.monotonic()
    session = open_session(args.env, args.target, args.dir, binary=args.binary, variables=args.var)
    say = emit(args)
    if session.sandbox is not None:
        info = session.sandbox.require()
        say(f"Local AWS at {info.endpoint_url} (pid {info.pid}, log {session.sandbox.log_path})")
    session.init()
    for notice in session.notices:
        say(notice)
    plan, plan_json = session.plan()
    summary = PlanSummary.from_plan(plan_json)
    if summary.empty:
        say(f"No changes: {session.workspace.label} on the {args.target} target is up to date.")
    else:
        say(f"Plan: {summary.headline()}.\n{summary.table()}")
        if args.target == "aws" and not args.yes:
            if not sys.stdin.isatty():
                raise UsageError(
                    "Applying to AWS needs --yes when obsctl cannot ask (no terminal)."
                )
            if not confirm(
                f"Apply these {summary.total} changes to {_aws_destination(plan_json)}?"
            ):
                say("Nothing was applied.")
                return 1
        progress = ApplyProgress(total=summary.total)
        session.apply(plan, on_event=None if args.json else progress)
        progress.finish()
    contract = session.contract()
    if args.json:
        print(
            json.dumps(
                {
                    "env": session.workspace.label,
                    "target": args.target,
                    "changes": summary.as_dict(),
                    "seconds": round(time.monotonic() - started, 1),
                    "outputs": session.terraform.outputs(),
                },
                indent=2,
            )
        )
        return 0
    say("")
    say(stack_summary(contract))
    say("")
    say(next_steps(contract, session.workspace.label, args.target))
    return 0


def _aws_destination(plan_json: dict) -> str:
    """ "AWS account 111122223333 in eu-west-1", as far as the credentials and plan tell."""
    import boto3

    account = boto3.client("sts").get_caller_identity()["Account"]
    region = plan_json.get("variables", {}).get("region", {}).get("value")
    return f"AWS account {account}" + (f" in {region}" if region else "")
