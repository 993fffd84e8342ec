"""Destroy an environment. prod refuses unless --force, and every env asks for its name unless
--yes. On the local target the embedded local AWS stops once nothing is deployed in it."""

from __future__ import annotations

import argparse
import sys

from obsctl.commands.common import (
    add_env_arguments,
    add_json_argument,
    add_terraform_arguments,
    emit,
)
from obsctl.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    add_terraform_arguments(parser)
    parser.add_argument("--force", action="store_true", help="allow destroying prod")
    parser.add_argument("--yes", action="store_true", help="do not ask to type the env name")
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    from obsctl.terraform.plansummary import PlanSummary
    from obsctl.terraform.progress import ApplyProgress
    from obsctl.workflow import open_session

    label = args.dir.name if args.dir else args.env
    if _is_prod(args) and not args.force:
        raise UsageError(
            "Refusing to destroy prod without --force.",
            hint="prod buckets also refuse to be destroyed while they hold objects.",
        )
    say = emit(args)
    session = open_session(args.env, args.target, args.dir, binary=args.binary, variables=args.var)
    session.init()
    result = session.plan(destroy=True)
    summary = PlanSummary.from_events(result.events)
    if summary.empty:
        say(f"Nothing to destroy for {label} on the {args.target} target.")
    else:
        say(f"Plan: {summary.headline()}.")
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError("Destroying needs --yes when obsctl cannot ask (no terminal).")
            typed = input(
                f"Type the env name ({label}) to destroy {summary.count('destroy')} resources: "
            ).strip()
            if typed != label:
                say("Nothing was destroyed.")
                return 1
        progress = ApplyProgress(total=summary.total)
        session.apply(result, on_event=None if args.json else progress)
        progress.finish()
        say(f"{label} on the {args.target} target is gone.")
    if session.sandbox is not None and session.release_sandbox():
        say("The local AWS stopped: nothing is deployed in it any more.")
    return 0


def _is_prod(args: argparse.Namespace) -> bool:
    """--env prod, or a --dir that is the prod env root itself (on the aws target that root
    and its backend are exactly what `--env prod` destroys)."""
    if args.dir is None:
        return bool(args.env == "prod")
    from obsctl.paths import env_root

    return bool(args.dir.expanduser().resolve() == env_root("prod").resolve())
