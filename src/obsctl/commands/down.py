"""Destroy an environment. prod refuses unless --force, and every env asks for its name unless
--yes. An env without force_destroy refuses while any of its buckets holds objects. On the
local target the embedded local AWS stops once nothing is deployed in it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from obsctl.commands.common import (
    add_env_arguments,
    add_json_argument,
    add_terraform_arguments,
    emit,
)
from obsctl.errors import ObsctlError, UsageError

if TYPE_CHECKING:
    from obsctl.workspace.session import Session


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    add_terraform_arguments(parser)
    parser.add_argument("--force", action="store_true", help="allow destroying prod")
    parser.add_argument("--yes", action="store_true", help="do not ask to type the env name")
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    from obsctl.terraform.plansummary import PlanSummary
    from obsctl.terraform.progress import ApplyProgress
    from obsctl.workspace.session import open_session

    label = args.dir.name if args.dir else args.env
    if _is_prod(args) and not args.force:
        raise UsageError(
            "Refusing to destroy prod without --force.",
            hint="prod buckets also refuse to be destroyed while they hold objects.",
        )
    say = emit(args)
    session = open_session(args.env, args.target, args.dir, binary=args.binary, variables=args.var)
    session.init()
    _refuse_buckets_with_objects(session, label)
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


def _refuse_buckets_with_objects(session: Session, label: str) -> None:
    """Without force_destroy, Terraform would strip a bucket that holds objects of its
    encryption, versioning, public-access block and policy before failing to delete it: refuse
    before anything is destroyed instead."""
    from obsctl.verify.session import clients_for

    outputs = session.terraform.outputs()
    if not outputs:
        return
    contract = session.contract(outputs)
    if contract.settings.get("force_destroy", True):
        return
    s3 = clients_for(session, contract.region)("s3")
    holding = [
        bucket.name for _, _, bucket in contract.all_buckets() if _holds_objects(s3, bucket.name)
    ]
    if holding:
        raise ObsctlError(
            f"Refusing to destroy {label}: {len(holding)} bucket(s) still hold objects "
            f"({', '.join(holding)}) and force_destroy is off, so the destroy would strip their "
            "encryption, versioning, public access block and policy and then fail.",
            hint="Empty them deliberately first (every version), or keep the data.",
        )


def _holds_objects(s3: Any, bucket: str) -> bool:
    """Any object version or delete marker; a bucket already gone holds nothing."""
    try:
        page = s3.list_object_versions(Bucket=bucket, MaxKeys=1)
    except s3.exceptions.NoSuchBucket:
        return False
    return bool(page.get("Versions") or page.get("DeleteMarkers"))


def _is_prod(args: argparse.Namespace) -> bool:
    """--env prod, or a --dir that is the prod env root itself (on the aws target that root
    and its backend are exactly what `--env prod` destroys)."""
    if args.dir is None:
        return bool(args.env == "prod")
    from obsctl.paths import env_root

    return bool(args.dir.expanduser().resolve() == env_root("prod").resolve())
