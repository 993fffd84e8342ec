"""Destroy an environment. prod refuses unless --force, and every env asks for its name unless
--yes. Before anything is destroyed, an env without force_destroy refuses while any of its
buckets holds objects, and on the aws target an env whose DynamoDB tables have deletion
protection on refuses too (the destroy would fail on them, halfway). On the local target, where
nothing is anyone's data, the access-log and audit buckets (which hold only what the local AWS
wrote there itself) are emptied and the tables' deletion protection is lifted, so prod comes
down too; the embedded local AWS stops once nothing is deployed in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obsctl.commands.base import Context, Result, Selection, lines
from obsctl.errors import ObsctlError, UsageError
from obsctl.paths import env_root
from obsctl.terraform.plansummary import PlanSummary
from obsctl.terraform.progress import ApplyProgress

if TYPE_CHECKING:
    from obsctl.model import Stack, StackContract
    from obsctl.workspace.session import Session


@dataclass
class DownResult(Result):
    """What the destroy removed, and whether the local AWS stopped with it."""

    label: str
    target: str
    applied: bool
    destroyed: int
    sandbox_stopped: bool

    def text(self) -> str:
        said = [
            f"{self.label} on the {self.target} target is gone."
            if self.applied
            else f"Nothing to destroy for {self.label} on the {self.target} target."
        ]
        if self.sandbox_stopped:
            said.append("The local AWS stopped: nothing is deployed in it any more.")
        return lines(*said)

    def document(self) -> dict[str, Any]:
        return {
            "env": self.label,
            "target": self.target,
            "destroyed": self.destroyed,
            "sandbox_stopped": self.sandbox_stopped,
        }


@dataclass
class NothingDestroyed(Result):
    """The user did not confirm: nothing was destroyed."""

    exit_code: int = 1


def down(ctx: Context, where: Selection, *, force: bool = False, yes: bool = False) -> Result:
    label = where.root_dir.name if where.root_dir else where.env
    if _is_prod(where.env, where.root_dir) and not force:
        raise UsageError(
            "Refusing to destroy prod without --force.",
            hint="prod buckets also refuse to be destroyed while they hold objects.",
        )
    session = where.open(activity=ctx.activity())
    session.init()
    stack = _deployed_stack(session)
    protected: list[str] = []
    if stack is not None:
        if stack.contract is not None:
            _refuse_buckets_with_objects(session, label, stack.contract)
        protected = _protected_tables(session, stack)
        if protected and session.sandbox is None:
            raise ObsctlError(
                f"Refusing to destroy {label}: its DynamoDB table(s) {', '.join(protected)} have "
                "deletion protection on, so the destroy would remove everything else and then "
                "fail on them.",
                hint="Once their data is safe, turn it off for each (`aws dynamodb update-table "
                "--table-name NAME --no-deletion-protection-enabled`) and run obsctl down again.",
            )
    result = session.plan(destroy=True)
    summary = PlanSummary.from_events(result.events)
    if not summary.empty:
        ctx.say(f"Plan: {summary.headline()}.")
        if not yes:
            if not ctx.interactive:
                raise UsageError("Destroying needs --yes when obsctl cannot ask (no terminal).")
            typed = ctx.ask(
                f"Type the env name ({label}) to destroy {summary.count('destroy')} resources: "
            ).strip()
            if typed != label:
                ctx.say("Nothing was destroyed.")
                return NothingDestroyed()
        from obsctl.targets.local import LocalTarget

        if isinstance(session.site, LocalTarget) and stack is not None:
            emptied = session.site.empty_operations_buckets(stack)
            if emptied:
                ctx.say(f"Emptied {', '.join(emptied)}: the local AWS wrote their objects itself.")
            if protected:
                session.site.lift_deletion_protection(protected)
                ctx.say(f"Lifted the deletion protection of {', '.join(protected)} (local AWS).")
        progress = ApplyProgress(total=summary.total)
        session.apply(result, on_event=None if ctx.quiet else progress)
        progress.finish()
    stopped = session.sandbox is not None and session.release_sandbox()
    return DownResult(
        label=label,
        target=where.target,
        applied=not summary.empty,
        destroyed=summary.count("destroy"),
        sandbox_stopped=stopped,
    )


def _deployed_stack(session: Session) -> Stack | None:
    """The stack as its state holds it (its buckets, tables, where logs go), with its contract
    unless a destroy that stopped halfway took the outputs; None when nothing is deployed."""
    from obsctl.model import read_stack

    state = session.terraform.state_pull()
    if not state.get("resources"):
        return None
    outputs = session.terraform.outputs()
    return read_stack(session.contract(outputs) if outputs else None, state)


def _protected_tables(session: Session, stack: Stack) -> list[str]:
    """The stack's DynamoDB tables whose deletion protection is on, as AWS says now."""
    from obsctl.verify.session import clients_for

    tables = [table.name for table in stack.tables if table.address]
    if not tables:
        return []
    region = stack.contract.region if stack.contract is not None else stack.region
    dynamodb = clients_for(session, region or "us-east-1")("dynamodb")
    protected = []
    for name in tables:
        try:
            described = dynamodb.describe_table(TableName=name)["Table"]
        except dynamodb.exceptions.ResourceNotFoundException:
            continue
        if described.get("DeletionProtectionEnabled"):
            protected.append(name)
    return protected


def _refuse_buckets_with_objects(session: Session, label: str, contract: StackContract) -> None:
    """Without force_destroy, Terraform would strip a bucket that holds objects of its
    encryption, versioning, public-access block and policy before failing to delete it: refuse
    before anything is destroyed instead."""
    from obsctl.verify.session import clients_for

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


def _is_prod(env: str, root_dir: Path | None) -> bool:
    """--env prod, or a --dir that is the prod env root itself (on the aws target that root
    and its backend are exactly what `--env prod` destroys)."""
    if root_dir is None:
        return env == "prod"
    return root_dir.expanduser().resolve() == env_root("prod").resolve()
