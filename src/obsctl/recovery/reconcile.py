"""After an apply that did not finish: compare what exists with the state, then clean up (local
target) or list and refuse to go on (aws target). `recover` runs as a session initialises."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from obsctl.aws.clients import CachedClients, ClientFactory, boto3_clients
from obsctl.errors import ObsctlError
from obsctl.inventory import Inventory, state_inventory
from obsctl.model.tfjson import TerraformJSON
from obsctl.paths import ENVS
from obsctl.recovery.cleanup import remove_orphans
from obsctl.recovery.messages import (
    ACCEPT_ORPHANS_ENV,
    RESTORED,
    SET_ASIDE,
    STATE_REPAIRS,
    count_by_kind,
    local_sentence,
    orphan_listing,
)
from obsctl.recovery.orphans import (
    Orphan,
    StackIdentity,
    find_orphans,
    union,
)
from obsctl.targets import Target
from obsctl.targets.local import LocalTarget
from obsctl.terraform.holders import judge_lock, state_location, terraform_processes
from obsctl.terraform.locks import LockUnreadableError
from obsctl.terraform.runner import Terraform
from obsctl.workspace.journal import ApplyJournal, ApplyRecord
from obsctl.workspace.root import LOCAL_STATE_BUCKET, Workspace


@dataclass
class Recovered:
    """What recovery tells the user, and (aws target) what it left in place."""

    notices: list[str] = field(default_factory=list)
    orphans: list[Orphan] = field(default_factory=list)


def repair_before_init(workspace: Workspace, terraform: Terraform, site: Target) -> str | None:
    """Before `terraform init`, which reads the local state and fails on one a kill cut short:
    when the journal says the last apply did not finish and no Terraform runs the root any
    more, repair the state (repair_local_state)."""
    record = ApplyJournal(workspace.work_dir).unfinished()
    if record is None or record.terraform_alive:
        return None
    if terraform_processes(workspace.root, state_location(workspace.root, terraform.env)):
        return None
    return repair_local_state(workspace, sandboxed=site.sandbox is not None)


def recover(
    workspace: Workspace,
    terraform: Terraform,
    site: Target,
    *,
    accept_orphans: bool,
    repaired: str | None = None,
) -> Recovered:
    """Deal with the last apply of `workspace` if its journal says it did not finish
    (`repaired`: what repair_before_init did to its state, before init could refuse it)."""
    journal = ApplyJournal(workspace.work_dir)
    record = journal.unfinished()
    if record is None:
        return Recovered()
    where = workspace.where
    if record.terraform_alive:
        raise ObsctlError(
            f"Terraform (pid {record.terraform_pid}) of an earlier obsctl run that did not "
            f"finish is still applying {where}.",
            hint=f"Wait for it to end (or stop it with `kill -INT {record.terraform_pid}`), "
            "then run this command again.",
        )
    record.stop_leftover_plugins()
    if site.sandbox is not None:
        running = site.sandbox.require()
        if record.sandbox_instance not in (None, running.instance_id):
            journal.clear()  # that local AWS, and all it held, is gone
            return Recovered()
    busy = terraform_processes(workspace.root, state_location(workspace.root, terraform.env))
    if busy:
        pids = ", ".join(str(process.pid) for process in busy)
        return Recovered(
            [
                f"The last apply of {where} {record.how_it_ended()} ({record.when()}); "
                f"Terraform (pid {pids}) runs {workspace.root} right now, so obsctl leaves "
                "what that apply may have left alone until it ends."
            ]
        )
    raw_state = terraform.state_pull()
    identity = StackIdentity.from_state(raw_state, workspace.label, ENVS)
    tracked = state_inventory(raw_state)
    if isinstance(site, LocalTarget):
        return _reconcile_local(site, terraform, record, identity, tracked, repaired)
    return _reconcile_aws(
        workspace, terraform, record, identity, tracked, raw_state, accept_orphans, repaired
    )


def repair_local_state(workspace: Workspace, *, sandboxed: bool) -> str | None:
    """A local state file that a kill cut mid-write (Terraform rewrites it in place): keep it as
    `terraform.tfstate.cut-short`, then put back the backup Terraform keeps of the state before
    that run (RESTORED), or, when the run began from nothing and so left no backup, let
    Terraform start from an empty state (SET_ASIDE): what the cut state tracked is then outside
    the state, and recovery deals with it as that run's leftovers. None when nothing was cut."""
    if workspace.backend != "local":
        return None
    state = workspace.local_state_path if sandboxed else workspace.root / "terraform.tfstate"
    try:
        text = state.read_text(encoding="utf-8")
    except OSError:
        return None
    with suppress(ValueError):
        if text.strip():
            json.loads(text)
            return None  # whole
    backup = state.with_name(f"{state.name}.backup")
    try:
        json.loads(backup.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state.replace(state.with_name(f"{state.name}.cut-short"))  # empty or cut: no state
        return SET_ASIDE
    state.replace(state.with_name(f"{state.name}.cut-short"))
    shutil.copyfile(backup, state)
    return RESTORED


def _reconcile_local(
    site: LocalTarget,
    terraform: Terraform,
    record: ApplyRecord,
    identity: StackIdentity,
    tracked: Inventory,
    repaired: str | None,
) -> Recovered:
    workspace = site.workspace
    released = _release_stale_lock(site, terraform, record)
    sandbox = site.sandbox
    client = CachedClients(sandbox.client)
    orphans = _inventory_orphans(
        workspace,
        record,
        lambda: find_orphans(
            client,
            tracked,
            identity,
            exclude=_others_in_sandbox(site),
            in_flight_since=record.started_at,
        ),
    )
    removed = remove_orphans(client, orphans)
    ApplyJournal(workspace.work_dir).clear()
    return Recovered([local_sentence(record, workspace.where, removed, released, repaired)])


def _reconcile_aws(
    workspace: Workspace,
    terraform: Terraform,
    record: ApplyRecord,
    identity: StackIdentity,
    tracked: Inventory,
    raw_state: dict[str, Any],
    accept_orphans: bool,
    repaired: str | None,
) -> Recovered:
    """Never delete on AWS: list, explain, and refuse to continue unless told to."""
    journal = ApplyJournal(workspace.work_dir)
    head = f"The last apply of {workspace.where} {record.how_it_ended()} ({record.when()})"
    if repaired:
        head += f"; obsctl {STATE_REPAIRS[repaired]}"
    clients = _aws_clients(terraform.env, raw_state)
    try:
        orphans = _inventory_orphans(
            workspace, record, lambda: find_orphans(clients, tracked, identity)
        )
    except ObsctlError as error:
        if not accept_orphans:
            raise
        journal.clear()
        return Recovered([f"{error.message} ({ACCEPT_ORPHANS_ENV} is set: going on)."])
    if not orphans:
        journal.clear()
        return Recovered([f"{head}; nothing of this stack exists outside its state."])
    names = ", ".join(orphan.describe() for orphan in orphans)
    summary = f"{count_by_kind(orphans).replace(' (scheduled for deletion)', '')}"
    exist = "exists" if len(orphans) == 1 else "exist"
    if accept_orphans:
        journal.clear()
        notice = (
            f"{head}; {summary} of this stack {exist} in AWS but not in its state, and "
            f"obsctl leaves {'it' if len(orphans) == 1 else 'them'} there "
            f"({ACCEPT_ORPHANS_ENV} is set): {names}."
        )
        return Recovered([notice], orphans)
    raise ObsctlError(
        f"{head}, and {summary} of this stack {exist} in AWS but not in its state: {names}.",
        hint=f"Adopt each into the state (ADDRESS: what `terraform plan` creates under that "
        f"name) or delete it, then run this command again; or set {ACCEPT_ORPHANS_ENV}=1 to "
        "go on and leave them:\n" + orphan_listing(orphans, workspace.root),
    )


def _inventory_orphans(
    workspace: Workspace, record: ApplyRecord, search: Callable[[], list[Orphan]]
) -> list[Orphan]:
    try:
        return search()
    except ObsctlError:
        raise
    except Exception as error:  # botocore: denied, throttled, unreachable
        raise ObsctlError(
            f"The last apply of {workspace.where} {record.how_it_ended()}, and obsctl could not "
            f"list what it may have left outside its state: {str(error).rstrip('.')}",
            hint="Fix access (or check by hand), then run the command again; on the aws "
            f"target, {ACCEPT_ORPHANS_ENV}=1 goes on without the check.",
        ) from error


def _release_stale_lock(site: LocalTarget, terraform: Terraform, record: ApplyRecord) -> str | None:
    """Release the S3 lock a killed run of this journal left, when provably stale."""
    workspace = site.workspace
    if workspace.backend != "s3":
        return None
    try:
        lock = site.current_lock()
    except LockUnreadableError:
        return None  # what cannot be read cannot be proved stale
    if lock is None:
        return None
    taken = lock.created_at
    if taken is None or taken.timestamp() < record.started_at - 5:
        return None  # not taken by the apply the journal describes
    state = state_location(workspace.root, terraform.env)
    if not judge_lock(lock, workspace.root, state).stale:
        return None
    terraform.force_unlock(lock.id)
    return lock.id


def _others_in_sandbox(site: LocalTarget) -> Inventory:
    """What other workspaces' states in this sandbox track, and the state bucket itself."""
    workspace = site.workspace
    found = [Inventory(buckets=frozenset({LOCAL_STATE_BUCKET}))]
    for work_dir in sorted(workspace.work_dir.parent.iterdir()):
        state_file = work_dir / "terraform.tfstate"
        if work_dir == workspace.work_dir or not state_file.is_file():
            continue
        with suppress(OSError, ValueError):
            found.append(state_inventory(json.loads(state_file.read_text("utf-8"))))
    s3 = site.sandbox.client("s3")
    with suppress(Exception):  # no state bucket yet: no S3-held state either
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=LOCAL_STATE_BUCKET):
            for item in page.get("Contents", []):
                key = item["Key"]
                if not key.endswith(".tfstate") or key == site.state_key():
                    continue
                body = s3.get_object(Bucket=LOCAL_STATE_BUCKET, Key=key)["Body"].read()
                with suppress(ValueError):
                    found.append(state_inventory(json.loads(body)))
    return union(found)


def _aws_clients(env: dict[str, str], raw_state: dict[str, Any]) -> ClientFactory:
    """boto3 clients through the normal credential chain, in the stack's region."""
    region = TerraformJSON(raw_state).outputs().get("region")
    return boto3_clients(
        region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"), env.get("AWS_PROFILE")
    )
