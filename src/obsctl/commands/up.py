"""Bring an environment up: preflight, init, plan, confirm (aws), apply with progress, summary.

On the local target (the default) the embedded local AWS is started when needed and keeps
running in the background. Re-running `up` converges and reports "no changes".
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obsctl.commands.common import (
    add_env_arguments,
    add_json_argument,
    add_terraform_arguments,
    confirm,
    emit,
)
from obsctl.errors import UsageError

if TYPE_CHECKING:
    from obsctl.contract import StackContract
    from obsctl.terraform.plansummary import PlanSummary
    from obsctl.terraform.runner import Completed
    from obsctl.values import ValuesOptions
    from obsctl.workspace.session import Session


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    add_terraform_arguments(parser)
    parser.add_argument("--yes", action="store_true", help="apply on AWS without asking")
    parser.add_argument(
        "--accept-orphans",
        action="store_true",
        help="on the aws target, apply although the last, killed apply left resources outside "
        "the state (obsctl lists them; by default it stops)",
    )
    parser.add_argument(
        "--kafka-address",
        metavar="HOST:PORT",
        help="Kafka-compatible broker for the Helm values: Mimir ingest storage and "
        "tempo-distributed 3.x (without it: Mimir's classic architecture, monolithic Tempo)",
    )
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    from obsctl.preflight import refuse_keys_pending_deletion
    from obsctl.report import next_steps, stack_summary
    from obsctl.verify import VerifyOptions, render, verify_session
    from obsctl.workspace.session import open_session

    started = time.monotonic()
    say = emit(args)
    # The Helm values are written after the apply: check their options before anything runs.
    _values_options(args.kafka_address)
    session = open_session(
        args.env,
        args.target,
        args.dir,
        binary=args.binary,
        variables=args.var,
        accept_orphans=args.accept_orphans or None,
    )
    session.init()
    if session.sandbox is not None:
        info = session.sandbox.require()
        say(f"Local AWS at {info.endpoint_url} (pid {info.pid}, log {session.sandbox.log_path})")
    for notice in session.notices:
        say(notice)
    refuse_keys_pending_deletion(session)
    if args.target == "aws" and not args.yes:
        completed, summary = _plan_confirm_apply(session, say, args.json)
        if completed is None and summary is not None and not summary.empty:
            say("Nothing was applied.")
            return 1
    else:
        view = _PlanThenProgress(session.where, say, quiet=args.json)
        completed = session.apply_now(on_event=view)
        view.finish()
        summary = view.summary
    outputs = completed.outputs if completed is not None else None
    contract = session.contract(outputs)
    values_dir = _write_values(contract, session.workspace.label, args.kafka_address)
    report = verify_session(session, VerifyOptions(target=args.target))
    if args.json:
        document = {
            "env": session.workspace.label,
            "target": args.target,
            "changes": summary.as_dict() if summary else None,
            "seconds": round(time.monotonic() - started, 1),
            "outputs": outputs if outputs is not None else session.terraform.outputs(),
            "values_dir": str(values_dir),
            "verify": report.as_dict()["summary"],
        }
        print(json.dumps(document, indent=2))
        return report.exit_code
    say("")
    say(stack_summary(contract))
    say("")
    say(f"Helm values for the four charts: {values_dir} (install commands in its README.md)")
    say("")
    say(render(report, "table") if not report.ok else f"Security baseline {report.verdict()}")
    say("")
    say(next_steps(contract, session.workspace.label, args.target))
    return report.exit_code


def _write_values(contract: StackContract, label: str, kafka_address: str | None) -> Path:
    """The Helm values `obsctl values` would write with its defaults; Tempo's single-binary
    chart unless a Kafka broker is given (tempo-distributed 3.x cannot run without one)."""
    from obsctl.paths import state_dir
    from obsctl.values import write_values

    out_dir = state_dir() / "values" / label
    write_values(contract, _values_options(kafka_address), out_dir, generated_by="obsctl up")
    return out_dir


def _values_options(kafka_address: str | None) -> ValuesOptions:
    """The options `up` writes Helm values with, checked (UsageError on a bad flag)."""
    from obsctl.values import ValuesOptions
    from obsctl.values.options import validate_options

    options = ValuesOptions(
        kafka_address=kafka_address,
        tempo_chart="distributed" if kafka_address else "monolithic",
    )
    validate_options(options)
    return options


def _plan_confirm_apply(
    session: Session, say: Callable[[str], None], quiet: bool
) -> tuple[Completed | None, PlanSummary | None]:
    """The aws target without --yes: show the plan, ask, apply exactly that plan."""
    from obsctl.terraform.plansummary import PlanSummary
    from obsctl.terraform.progress import ApplyProgress

    plan = session.plan()
    summary = PlanSummary.from_events(plan.events)
    if summary.empty:
        say(f"No changes: {session.workspace.label} on the aws target is up to date.")
        return None, summary
    say(f"Plan: {summary.headline()}.\n{summary.table()}")
    if not sys.stdin.isatty():
        raise UsageError("Applying to AWS needs --yes when obsctl cannot ask (no terminal).")
    if not confirm(f"Apply these {summary.total} changes to {_aws_destination(session, plan)}?"):
        return None, summary
    progress = ApplyProgress(total=summary.total)
    completed = session.apply(plan, on_event=None if quiet else progress)
    progress.finish()
    return completed, summary


class _PlanThenProgress:
    """Reads one `apply -auto-approve -json` stream: prints the plan, then the progress line."""

    def __init__(self, where: str, say: Callable[[str], None], quiet: bool) -> None:
        from obsctl.terraform.progress import ApplyProgress

        self.where, self.say, self.quiet = where, say, quiet
        self.planned: list[dict[str, Any]] = []
        self.summary: PlanSummary | None = None
        self.progress = ApplyProgress(total=0)

    def __call__(self, event: dict[str, Any]) -> None:
        from obsctl.terraform.plansummary import PlanSummary

        kind = event.get("type")
        if kind == "planned_change":
            self.planned.append(event)
        elif kind == "change_summary" and self.summary is None:
            self.summary = PlanSummary.from_events(self.planned)
            self.progress.total = self.summary.total
            if self.summary.empty:
                self.say(f"No changes: {self.where} is up to date.")
            else:
                self.say(f"Plan: {self.summary.headline()}.\n{self.summary.table()}")
        elif not self.quiet:
            self.progress(event)

    def finish(self) -> None:
        if self.summary is not None and not self.summary.empty and not self.quiet:
            self.progress.finish()


def _aws_destination(session: Session, plan: Any) -> str:
    """ "AWS account 111122223333 in eu-west-1", as far as the credentials and plan tell."""
    import boto3

    account = boto3.client("sts").get_caller_identity()["Account"]
    region = session.plan_json(plan).get("variables", {}).get("region", {}).get("value")
    return f"AWS account {account}" + (f" in {region}" if region else "")
