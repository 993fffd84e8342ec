"""Bring an environment up: preflight, init, plan, confirm (aws), apply with progress, summary.

On the local target (the default) the embedded local AWS is started when needed and keeps
running in the background. Re-running `up` converges and reports "no changes".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obsctl.commands.base import Context, Result, Selection, lines
from obsctl.errors import UsageError

if TYPE_CHECKING:
    from obsctl.model.contract import StackContract
    from obsctl.terraform.plansummary import PlanSummary
    from obsctl.terraform.runner import Completed
    from obsctl.values import ValuesOptions
    from obsctl.verify.model import Report
    from obsctl.workspace.session import Session


@dataclass
class UpResult(Result):
    """The stack as deployed: what changed, its contract, the values written, its verdict."""

    label: str
    target: str
    contract: StackContract
    outputs: dict[str, Any]
    changes: PlanSummary | None
    seconds: float
    values_dir: Path
    report: Report
    kafka_address: str | None = None
    repairs: list[str] = field(default_factory=list)  # foreign configuration removed

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return self.report.exit_code

    def text(self) -> str:
        from obsctl.report import next_steps, stack_summary
        from obsctl.verify import render

        report = self.report
        return lines(
            "",
            stack_summary(self.contract),
            "",
            f"Helm values for the four charts: {self.values_dir} (install commands in its "
            "README.md)",
            "",
            *(f"Removed (not managed by Terraform): {line}" for line in self.repairs),
            render(report, "table") if not report.ok else f"Security baseline {report.verdict()}",
            "",
            next_steps(self.contract, self.label, self.target, self.kafka_address),
        )

    def document(self) -> dict[str, Any]:
        return {
            "env": self.label,
            "target": self.target,
            "changes": self.changes.as_dict() if self.changes else None,
            "seconds": round(self.seconds, 1),
            "outputs": self.outputs,
            "values_dir": str(self.values_dir),
            "verify": self.report.as_dict()["summary"],
            "removed": list(self.repairs),
        }


@dataclass
class NothingApplied(Result):
    """The user declined the plan: nothing changed."""

    exit_code: int = 1


def up(
    ctx: Context,
    where: Selection,
    *,
    yes: bool = False,
    accept_orphans: bool = False,
    kafka_address: str | None = None,
) -> Result:
    from obsctl.preflight import refuse_keys_pending_deletion
    from obsctl.verify import VerifyOptions
    from obsctl.verify.repair import verify_and_repair

    started = time.monotonic()
    # The Helm values are written after the apply: check their options before anything runs.
    _values_options(kafka_address)
    session = where.open(accept_orphans=accept_orphans or None)
    session.init()
    if session.sandbox is not None:
        info = session.sandbox.require()
        ctx.say(
            f"Local AWS at {info.endpoint_url} (pid {info.pid}, log {session.sandbox.log_path})"
        )
    for notice in session.notices:
        ctx.say(notice)
    refuse_keys_pending_deletion(session)
    if where.target == "aws" and not yes:
        completed, summary = _plan_confirm_apply(ctx, session)
        if completed is None and summary is not None and not summary.empty:
            ctx.say("Nothing was applied.")
            return NothingApplied()
    else:
        view = _PlanThenProgress(session.where, ctx.say, quiet=ctx.quiet)
        completed = session.apply_now(on_event=view)
        view.finish()
        summary = view.summary
    outputs = completed.outputs if completed is not None else None
    contract = session.contract(outputs)
    values_dir = _write_values(contract, session.workspace.label, kafka_address)
    report, repairs = verify_and_repair(
        session, VerifyOptions(target=where.target), _repair_consent(ctx, where.target, yes)
    )
    return UpResult(
        label=session.workspace.label,
        target=where.target,
        contract=contract,
        outputs=outputs if outputs is not None else session.terraform.outputs(),
        changes=summary,
        seconds=time.monotonic() - started,
        values_dir=values_dir,
        report=report,
        kafka_address=kafka_address,
        repairs=repairs,
    )


def _repair_consent(ctx: Context, target: str, yes: bool) -> Callable[[list[str]], bool]:
    """Removing foreign configuration is free on the local target; on AWS it is asked for like
    the plan (or --yes), and without a terminal it is left for verify to report."""

    def consent(found: list[str]) -> bool:
        if target != "aws" or yes:
            return True
        if not ctx.interactive:
            return False
        ctx.say("Configuration Terraform does not manage was found on the stack:")
        for line in found:
            ctx.say(f"  {line}")
        return ctx.confirm("Remove it?")

    return consent


def _write_values(contract: StackContract, label: str, kafka_address: str | None) -> Path:
    """The Helm values `obsctl values` writes with the same --kafka-address: both take their
    defaults from ValuesOptions (the Tempo chart from `default_tempo_chart`)."""
    from obsctl.paths import state_dir
    from obsctl.values import write_values

    out_dir = state_dir() / "values" / label
    write_values(contract, _values_options(kafka_address), out_dir, generated_by="obsctl up")
    return out_dir


def _values_options(kafka_address: str | None) -> ValuesOptions:
    """The options `up` writes Helm values with, checked (UsageError on a bad flag)."""
    from obsctl.values import ValuesOptions
    from obsctl.values.options import validate_options

    options = ValuesOptions(kafka_address=kafka_address)
    validate_options(options)
    return options


def _plan_confirm_apply(
    ctx: Context, session: Session
) -> tuple[Completed | None, PlanSummary | None]:
    """The aws target without --yes: show the plan, ask, apply exactly that plan."""
    from obsctl.terraform.plansummary import PlanSummary
    from obsctl.terraform.progress import ApplyProgress

    plan = session.plan()
    summary = PlanSummary.from_events(plan.events)
    if summary.empty:
        ctx.say(f"No changes: {session.workspace.label} on the aws target is up to date.")
        return None, summary
    ctx.say(f"Plan: {summary.headline()}.\n{summary.table()}")
    if not ctx.interactive:
        raise UsageError("Applying to AWS needs --yes when obsctl cannot ask (no terminal).")
    if not ctx.confirm(
        f"Apply these {summary.total} changes to {_aws_destination(session, plan)}?"
    ):
        return None, summary
    progress = ApplyProgress(total=summary.total)
    completed = session.apply(plan, on_event=None if ctx.quiet else progress)
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
    from obsctl.aws.clients import boto3_clients

    account = boto3_clients(None)("sts").get_caller_identity()["Account"]
    region = session.plan_json(plan).get("variables", {}).get("region", {}).get("value")
    return f"AWS account {account}" + (f" in {region}" if region else "")
