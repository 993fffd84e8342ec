"""The steps every verb shares: prepare a root for a target, plan, apply, read the contract.

`open_session` does the preflight work that needs no AWS: it resolves the root, checks the
variables, finds the binary, configures the provider source, and for the aws target checks real
credentials and refuses sandbox settings. `Session.init` then starts (and seeds) the local AWS
while `terraform init` runs, so the sandbox costs almost nothing on the critical path.

Reliability lives here too. `Session.init` takes the workspace lock (a second obsctl on the same
workspace stops at once, naming the first), and recovers from an apply that did not finish (see
`obsctl.recovery`): on the local target it removes what that apply left outside the state and
releases the state lock a killed run left; on the aws target it lists what may be orphaned and
refuses to go on until the user deals with it. Every apply is journaled, Terraform's lock errors
name their holder, and on the local target a watchdog stops Terraform as soon as the local AWS
dies instead of letting it retry for minutes. S3-backend roots keep their state in a bucket that
terraform/bootstrap/state-backend creates in the local AWS.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obsctl.errors import ObsctlError, UsageError
from obsctl.inventory import ClientFactory, Inventory, state_inventory
from obsctl.model.contract import StackContract
from obsctl.paths import ENVS, project_root, state_dir
from obsctl.recovery import (
    ACCEPT_ORPHANS_ENV,
    ApplyJournal,
    ApplyRecord,
    Orphan,
    StackIdentity,
    accept_orphans_from_env,
    count_by_kind,
    find_orphans,
    local_sentence,
    orphan_listing,
    remove_orphans,
    union,
)
from obsctl.sandbox import Sandbox
from obsctl.terraform.binary import TerraformBinary, require_binary
from obsctl.terraform.cliconfig import resolve_provider_source, write_cli_config
from obsctl.terraform.locks import (
    LockInfo,
    StateLockedError,
    WorkspaceLock,
    backend_lock_holder,
    exclusive,
    judge_lock,
    local_lock_holder,
    s3_lock_holder,
    state_location,
    state_lock_error,
    terraform_processes,
)
from obsctl.terraform.runner import (
    Completed,
    EventHandler,
    PlanResult,
    Terraform,
    TerraformError,
    TerraformInterruptedError,
    TerraformKilledError,
)
from obsctl.workspace import LOCAL_STATE_BUCKET, Workspace, resolve

SANDBOX_REGION = "us-east-1"
_EKS_CLUSTER_NAME = re.compile(r"[0-9A-Za-z][A-Za-z0-9_-]{0,99}")
_SANDBOX_MARKER = "sandbox-instance"
_WORKSPACE_LOCK = "obsctl.lock"
# The state bucket's own root, applied to the local AWS when the bucket is missing; its state
# lives in this work dir (the name cannot clash with an env label or a --dir label).
_STATE_BACKEND_WORK_DIR = "_state-backend"


class SandboxLostError(ObsctlError):
    """The local AWS died (or was replaced) while Terraform worked against it."""


@dataclass
class Session:
    """One root module, one target, ready for Terraform commands once `init` ran."""

    workspace: Workspace
    binary: TerraformBinary
    terraform: Terraform
    sandbox: Sandbox | None
    variables: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    cluster_to_seed: str | None = None
    accept_orphans: bool = False
    # aws target: what the last unfinished apply left outside the state (see `init`).
    orphans: list[Orphan] = field(default_factory=list)
    _lock: WorkspaceLock | None = field(default=None, init=False, repr=False)
    # The sandbox instance Terraform was pointed at (the watchdog compares against it).
    _sandbox_instance: str | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.terraform.lock_error = self._lock_error

    @property
    def target(self) -> str:
        return self.workspace.target

    @property
    def where(self) -> str:
        """How messages name this workspace: "prod on the local target"."""
        return f"{self.workspace.label} on the {self.target} target"

    @property
    def journal(self) -> ApplyJournal:
        return ApplyJournal(self.workspace.work_dir)

    def init(self) -> None:
        """`terraform init` with the target's backend settings; on the local target, also the
        sandbox: started, seeded and wired into Terraform's environment. Then the recovery of an
        apply that did not finish, if the journal says there was one."""
        self.lock_workspace()
        if self.sandbox is None:
            # On the aws target the root keeps whatever `terraform init` the user ran there.
            self.terraform.init()
            self._recover()
            return
        self._forget_lost_sandbox_state()
        backend_config = self.workspace.backend_config(SANDBOX_REGION)
        if self.workspace.backend != "local":
            self._prepare_sandbox()
            self.terraform.init(backend_config, reconfigure=True)
        else:
            # A local backend needs no AWS to initialise: boot and seed the sandbox meanwhile.
            with ThreadPoolExecutor(max_workers=1) as pool:
                sandbox_ready = pool.submit(self._prepare_sandbox)
                self.terraform.init(backend_config, reconfigure=True)
                sandbox_ready.result()
        self._recover()

    def lock_workspace(self) -> None:
        """Hold the workspace for as long as this session lives (normally the whole command).

        A second obsctl process on the same workspace fails at once with "<label> on the
        <target> target is locked by obsctl pid N since T"; Terraform's own state lock still
        guards against runs from other machines (or plain `terraform`).
        """
        if self._lock is None:
            lock = WorkspaceLock(self.workspace.work_dir / _WORKSPACE_LOCK, where=self.where)
            lock.acquire()
            self._lock = lock
            weakref.finalize(self, lock.release)

    def close(self) -> None:
        """Release the workspace lock now (it is released at exit anyway)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def prepare_backend(self) -> None:
        """`terraform init` for commands that touch only the backend (`obsctl unlock`).

        It starts nothing and recovers nothing: on the local target the local AWS must run.
        """
        if self.sandbox is None:
            self.terraform.init()
            return
        self.sandbox.require()
        self.terraform.env = self.sandbox.apply_environment(self.terraform.env)
        self.terraform.init(self.workspace.backend_config(SANDBOX_REGION), reconfigure=True)

    def current_lock(self) -> LockInfo | None:
        """The backend lock on this workspace's state as stored, when obsctl can read it."""
        if self.sandbox is not None:
            if self.workspace.backend == "local":
                return local_lock_holder(self.workspace.local_state_path)
            return s3_lock_holder(
                self.sandbox.client("s3"), LOCAL_STATE_BUCKET, self._sandbox_state_key()
            )
        return backend_lock_holder(self.workspace.root)

    def connect(self) -> None:
        """For verbs that read a deployed stack: use what `up` prepared, start nothing.

        On the local target the sandbox must be the one the last apply went to; otherwise its
        resources are gone and there is nothing to read.
        """
        if self.sandbox is not None:
            running = self.sandbox.running()
            marker = self._marker()
            recorded = marker.read_text(encoding="utf-8").strip() if marker.exists() else None
            if running is None or recorded != running.instance_id:
                raise ObsctlError(
                    f"Nothing is deployed for {self.workspace.label} on the local target"
                    + (" (the local AWS is not running)." if running is None else "."),
                    hint=f"Run `obsctl up {self._flags()}` first.",
                )
            self.terraform.env = self.sandbox.apply_environment(self.terraform.env)
        backend_file = (self.workspace.data_dir or self.workspace.root / ".terraform") / (
            "terraform.tfstate"
        )
        if not backend_file.exists():
            local = self.sandbox is not None
            self.terraform.init(
                self.workspace.backend_config(SANDBOX_REGION) if local else None,
                reconfigure=local,
            )

    def plan(
        self,
        *,
        destroy: bool = False,
        refresh_only: bool = False,
        on_event: EventHandler | None = None,
    ) -> PlanResult:
        """Plan into the workspace's plan file (`plan_json` reads it back when needed)."""
        plan_file = self.workspace.plan_path
        plan_file.parent.mkdir(parents=True, exist_ok=True)
        return self.terraform.plan(
            plan_file,
            self.variables,
            destroy=destroy,
            refresh_only=refresh_only,
            on_event=on_event,
        )

    def plan_json(self, plan: PlanResult) -> dict[str, Any]:
        """`terraform show -json` of a saved plan (one more provider start, about 3 s)."""
        return self.terraform.show_plan(plan.plan_file)

    def apply(self, plan: PlanResult, on_event: EventHandler | None = None) -> Completed:
        """Apply a saved plan (after a confirmation, or a destroy plan)."""
        with self._journaled():
            completed = self.terraform.apply(plan.plan_file, on_event=on_event)
        self._record_sandbox()
        return completed

    def apply_now(self, on_event: EventHandler | None = None) -> Completed:
        """Plan and apply in one Terraform run, for when nobody has to confirm the plan.

        The event stream carries the plan (planned_change, change_summary) before the apply
        events, and the outputs after them, so nothing is lost against plan-then-apply.
        """
        with self._journaled():
            completed = self.terraform.apply_auto(self.variables, on_event=on_event)
        self._record_sandbox()
        return completed

    def release_sandbox(self) -> bool:
        """After a destroy: stop the sandbox when no other root has resources in it."""
        assert self.sandbox is not None
        self._marker().unlink(missing_ok=True)
        info = self.sandbox.running()
        if info is None:
            return False
        targets = self.workspace.work_dir.parent
        for marker in targets.glob(f"*/{_SANDBOX_MARKER}"):
            if marker.read_text(encoding="utf-8").strip() == info.instance_id:
                return False
        return self.sandbox.stop()

    def contract(self, outputs: Mapping[str, Any] | None = None) -> StackContract:
        """The stack contract from `outputs` (an apply's outputs event) or `terraform output`."""
        outputs = dict(outputs) if outputs is not None else self.terraform.outputs()
        if not outputs:
            raise ObsctlError(
                f"Nothing is deployed for {self.workspace.label} on the {self.target} target.",
                hint=f"Run `obsctl up {self._flags()}` first.",
            )
        return StackContract.from_outputs(outputs, source=str(self.workspace.root))

    def state(self) -> dict[str, Any]:
        return self.terraform.show_state()

    def _flags(self) -> str:
        return f"{self._selector()} --target {self.target}"

    def _selector(self) -> str:
        if self.workspace.label in ENVS and self.workspace.root.parent.name == "envs":
            return f"--env {self.workspace.label}"
        return f"--dir {self.workspace.root}"

    # -- the apply journal and recovery -----------------------------------------------------

    @contextmanager
    def _journaled(self) -> Iterator[None]:
        """Record the apply before Terraform starts; keep the record unless it succeeds."""
        self._record_sandbox()  # the state refers to this sandbox from its first write on
        running = self.sandbox.running() if self.sandbox is not None else None
        journal = self.journal
        journal.begin(
            label=self.workspace.label,
            target=self.target,
            root=self.workspace.root,
            sandbox_instance=running.instance_id if running is not None else None,
        )
        self.terraform.on_process_start = lambda pid, _command: journal.terraform_started(pid)
        outcome: str | None = "failed"
        try:
            yield
            outcome = None
        except (SandboxLostError, StateLockedError):
            # Nothing of this apply survives a lost sandbox; a lock failure applied nothing.
            outcome = None
            raise
        except TerraformInterruptedError:
            outcome = "interrupted"
            raise
        except TerraformKilledError:
            outcome = "killed"
            raise
        except KeyboardInterrupt:
            outcome = "interrupted"
            raise
        except TerraformError as error:
            lost = self._sandbox_lost_error("apply")
            if lost is not None:
                outcome = None
                raise lost from error
            raise
        finally:
            self.terraform.on_process_start = None
            journal.finish(outcome)

    def _recover(self) -> None:
        """Deal with the last apply of this workspace if it did not finish (obsctl.recovery)."""
        journal = self.journal
        record = journal.unfinished()
        if record is None:
            return
        if record.terraform_alive:
            raise ObsctlError(
                f"Terraform (pid {record.terraform_pid}) of an earlier obsctl run that did not "
                f"finish is still applying {self.where}.",
                hint=f"Wait for it to end (or stop it with `kill -INT {record.terraform_pid}`), "
                "then run this command again.",
            )
        record.stop_leftover_plugins()
        if self.sandbox is not None:
            running = self.sandbox.require()
            if record.sandbox_instance not in (None, running.instance_id):
                journal.clear()  # that local AWS, and all it held, is gone
                return
        busy = terraform_processes(self.workspace.root, self.state_location())
        if busy:
            pids = ", ".join(str(process.pid) for process in busy)
            self.notices.append(
                f"The last apply of {self.where} {record.how_it_ended()} ({record.when()}); "
                f"Terraform (pid {pids}) runs {self.workspace.root} right now, so obsctl leaves "
                "what that apply may have left alone until it ends."
            )
            return
        restored = self._repair_local_state()
        raw_state = self.terraform.state_pull()
        identity = StackIdentity.from_state(raw_state, self.workspace.label, ENVS)
        tracked = state_inventory(raw_state)
        if self.sandbox is not None:
            self._reconcile_local(record, identity, tracked, restored)
        else:
            self._reconcile_aws(record, identity, tracked, raw_state)

    def _repair_local_state(self) -> bool:
        """A local state file that a kill cut mid-write (Terraform rewrites it in place): put
        back the backup Terraform keeps of the state before that run. True when it did."""
        if self.workspace.backend != "local":
            return False
        state = (
            self.workspace.local_state_path
            if self.sandbox is not None
            else self.workspace.root / "terraform.tfstate"
        )
        try:
            text = state.read_text(encoding="utf-8")
        except OSError:
            return False
        with suppress(ValueError):
            if text.strip():
                json.loads(text)
                return False  # whole
        backup = state.with_name(f"{state.name}.backup")
        try:
            json.loads(backup.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False  # no earlier state: an empty one is the truth
        state.replace(state.with_name(f"{state.name}.cut-short"))
        shutil.copyfile(backup, state)
        return True

    def _reconcile_local(
        self,
        record: ApplyRecord,
        identity: StackIdentity,
        tracked: Inventory,
        restored: bool = False,
    ) -> None:
        assert self.sandbox is not None
        released = self._release_stale_lock(record)
        client = _cached_clients(self.sandbox.client)
        orphans = self._inventory_orphans(
            record,
            lambda: find_orphans(
                client,
                tracked,
                identity,
                exclude=self._others_in_sandbox(),
                in_flight_since=record.started_at,
            ),
        )
        removed = remove_orphans(client, orphans)
        self.notices.append(local_sentence(record, self.where, removed, released, restored))
        self.journal.clear()

    def _reconcile_aws(
        self,
        record: ApplyRecord,
        identity: StackIdentity,
        tracked: Inventory,
        raw_state: dict[str, Any],
    ) -> None:
        """Never delete on AWS: list, explain, and refuse to continue unless told to."""
        head = f"The last apply of {self.where} {record.how_it_ended()} ({record.when()})"
        clients = _aws_clients(self.terraform.env, raw_state)
        try:
            orphans = self._inventory_orphans(
                record, lambda: find_orphans(clients, tracked, identity)
            )
        except ObsctlError as error:
            if not self.accept_orphans:
                raise
            self.notices.append(f"{error.message} ({ACCEPT_ORPHANS_ENV} is set: going on).")
            self.journal.clear()
            return
        if not orphans:
            self.notices.append(f"{head}; nothing of this stack exists outside its state.")
            self.journal.clear()
            return
        self.orphans = orphans
        names = ", ".join(orphan.describe() for orphan in orphans)
        summary = f"{count_by_kind(orphans).replace(' (scheduled for deletion)', '')}"
        exist = "exists" if len(orphans) == 1 else "exist"
        if self.accept_orphans:
            self.notices.append(
                f"{head}; {summary} of this stack {exist} in AWS but not in its state, and "
                f"obsctl leaves {'it' if len(orphans) == 1 else 'them'} there "
                f"({ACCEPT_ORPHANS_ENV} is set): {names}."
            )
            self.journal.clear()
            return
        raise ObsctlError(
            f"{head}, and {summary} of this stack {exist} in AWS but not in its state: {names}.",
            hint=f"Adopt each into the state (ADDRESS: what `terraform plan` creates under that "
            f"name) or delete it, then run this command again; or set {ACCEPT_ORPHANS_ENV}=1 to "
            "go on and leave them:\n" + orphan_listing(orphans, self.workspace.root),
        )

    def _inventory_orphans(
        self, record: ApplyRecord, search: Callable[[], list[Orphan]]
    ) -> list[Orphan]:
        try:
            return search()
        except ObsctlError:
            raise
        except Exception as error:  # botocore: denied, throttled, unreachable
            raise ObsctlError(
                f"The last apply of {self.where} {record.how_it_ended()}, and obsctl could not "
                f"list what it may have left outside its state: {str(error).rstrip('.')}",
                hint="Fix access (or check by hand), then run the command again; on the aws "
                f"target, {ACCEPT_ORPHANS_ENV}=1 goes on without the check.",
            ) from error

    def _release_stale_lock(self, record: ApplyRecord) -> str | None:
        """Release the S3 lock a killed run of this journal left, when provably stale."""
        if self.workspace.backend != "s3":
            return None
        lock = self.current_lock()
        if lock is None:
            return None
        taken = lock.created_at
        if taken is None or taken.timestamp() < record.started_at - 5:
            return None  # not taken by the apply the journal describes
        if not judge_lock(lock, self.workspace.root, self.state_location()).stale:
            return None
        self.terraform.force_unlock(lock.id)
        return lock.id

    def _others_in_sandbox(self) -> Inventory:
        """What other workspaces' states in this sandbox track, and the state bucket itself."""
        assert self.sandbox is not None
        found = [Inventory(buckets=frozenset({LOCAL_STATE_BUCKET}))]
        for work_dir in sorted(self.workspace.work_dir.parent.iterdir()):
            state_file = work_dir / "terraform.tfstate"
            if work_dir == self.workspace.work_dir or not state_file.is_file():
                continue
            with suppress(OSError, ValueError):
                found.append(state_inventory(json.loads(state_file.read_text("utf-8"))))
        s3 = self.sandbox.client("s3")
        with suppress(Exception):  # no state bucket yet: no S3-held state either
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=LOCAL_STATE_BUCKET):
                for item in page.get("Contents", []):
                    key = item["Key"]
                    if not key.endswith(".tfstate") or key == self._sandbox_state_key():
                        continue
                    body = s3.get_object(Bucket=LOCAL_STATE_BUCKET, Key=key)["Body"].read()
                    with suppress(ValueError):
                        found.append(state_inventory(json.loads(body)))
        return union(found)

    def _sandbox_state_key(self) -> str:
        return self.workspace.backend_config(SANDBOX_REGION).get(
            "key", f"{self.workspace.label}/terraform.tfstate"
        )

    def _lock_error(self, lock: LockInfo | None, error: TerraformError) -> ObsctlError:
        return state_lock_error(
            lock,
            self.workspace.root,
            self.where,
            f"obsctl unlock {self._flags()}",
            detail=error.detail,
            state=self.state_location(),
        )

    def state_location(self) -> str | None:
        """Where this workspace's state lives (`locks.state_location`), once initialised."""
        return state_location(self.workspace.root, self.terraform.env)

    # -- the local AWS ------------------------------------------------------------------------

    def _sandbox_lost_error(self, command: str) -> SandboxLostError | None:
        """The error to raise when the sandbox this session uses has gone; else None."""
        if self.sandbox is None or self._sandbox_instance is None:
            return None
        running = self.sandbox.running()
        if running is not None and running.instance_id == self._sandbox_instance:
            return None
        during = {"apply": "the apply", "plan": "the plan"}.get(command, f"terraform {command}")
        env = "" if self.workspace.label == "dev" else f" {self._selector()}"
        return SandboxLostError(
            f"The local AWS stopped during {during}; start it with `obsctl sandbox start` (or "
            f"run `obsctl up{env}` again), which re-creates the stack from scratch.",
            hint=f"Everything it held is gone with it. Its log: {self.sandbox.log_path}",
        )

    def _marker(self) -> Path:
        return self.workspace.work_dir / _SANDBOX_MARKER

    def _record_sandbox(self) -> None:
        if self.sandbox is not None:
            self._marker().write_text(self.sandbox.require().instance_id, encoding="utf-8")

    def _prepare_sandbox(self) -> None:
        """Start the sandbox if needed, seed the root's cluster, point Terraform at it, and
        watch it: if it dies while Terraform runs, Terraform is stopped at once."""
        assert self.sandbox is not None
        info = self.sandbox.start()
        self._sandbox_instance = info.instance_id
        self.terraform.watchdog = self._sandbox_lost_error
        if self.cluster_to_seed is not None:
            self.sandbox.seed_cluster(self.cluster_to_seed)
        if self.workspace.backend == "s3":
            self._ensure_state_backend()
        self.terraform.env = self.sandbox.apply_environment(self.terraform.env)

    def _ensure_state_backend(self) -> None:
        """The state bucket for S3-backend roots, created by terraform/bootstrap/state-backend.

        It runs once per local AWS (about 11 s: the provider's start-up is the floor), with
        SSE-S3 and without the TLS-only policy: the local AWS serves plain HTTP on loopback and
        ignores policy conditions, so that policy would deny every call, and a KMS key there
        would protect nothing (its credentials are public) while costing 10 s more.
        """
        assert self.sandbox is not None
        root = _state_backend_root()
        if root is None:
            _ensure_local_state_bucket(self.sandbox)  # obsctl installed without the repo
            return
        work_dir = self.workspace.work_dir.parent / _STATE_BACKEND_WORK_DIR
        with exclusive(work_dir / _WORKSPACE_LOCK):  # dev and prod may start together
            if _bucket_exists(self.sandbox.client("s3"), LOCAL_STATE_BUCKET):
                return
            state_file = work_dir / "terraform.tfstate"
            state_file.unlink(missing_ok=True)  # it described a local AWS that is gone
            env = self.sandbox.apply_environment(dict(self.terraform.env))
            env["TF_DATA_DIR"] = str(work_dir / "data")
            bootstrap = Terraform(self.binary.path, root, env)
            bootstrap.watchdog = self._sandbox_lost_error
            try:
                bootstrap.init({"path": str(state_file)}, reconfigure=True)
                bootstrap.apply_auto(
                    [
                        f"-var=bucket_name={LOCAL_STATE_BUCKET}",
                        f"-var=region={SANDBOX_REGION}",
                        '-var=encryption={sse_algorithm="AES256"}',
                        "-var=require_tls=false",
                    ]
                )
            except TerraformError as error:
                raise ObsctlError(
                    f"The state bucket {LOCAL_STATE_BUCKET} could not be created in the local "
                    f"AWS: {error.message}",
                    hint=f"{root} is applied to the local AWS once; run with -v for details.",
                    detail=error.detail,
                ) from error

    def _forget_lost_sandbox_state(self) -> None:
        """Keep sandbox-held state consistent with the sandbox about to be used.

        A restarted sandbox has lost every resource. A local state file that still lists them
        would make Terraform fail on missing resources, so it is set aside and the stack is
        re-created; S3-held state vanished with the sandbox and starts empty by itself.
        """
        assert self.sandbox is not None
        marker = self._marker()
        if not marker.exists():
            return
        running = self.sandbox.running()
        if (
            running is not None
            and marker.read_text(encoding="utf-8").strip() == running.instance_id
        ):
            return
        state = self.workspace.local_state_path
        if state.exists() and _state_has_resources(state):
            state.replace(state.with_name("terraform.tfstate.lost-sandbox"))
        marker.unlink()
        self.journal.clear()  # whatever the last apply left died with that sandbox
        self.notices.append(
            "The local AWS was restarted since the last apply and its resources are gone; "
            "the stack is re-created from scratch."
        )


def open_session(
    env: str | None,
    target: str,
    root_dir: Path | None = None,
    *,
    binary: str | None = None,
    variables: Iterable[str] = (),
    base_env: Mapping[str, str] | None = None,
    accept_orphans: bool | None = None,
) -> Session:
    """Everything Terraform needs for `env` (or `root_dir`) on `target`, checked up front.

    `accept_orphans` (default: $OBSCTL_ACCEPT_ORPHANS) lets an apply on the aws target go on
    although the last, unfinished apply left resources outside the state.
    """
    workspace = resolve(env, target, root_dir)
    user_variables = list(variables)
    _check_variables(user_variables)
    tf_binary = require_binary(binary)
    process_env = dict(os.environ if base_env is None else base_env)
    process_env.update(_terraform_settings(workspace))
    sandbox: Sandbox | None = None
    cluster: str | None = None
    tf_variables: list[str] = []
    if target == "local":
        sandbox = Sandbox(state_dir() / "sandbox", region=SANDBOX_REGION)
        if "eks_cluster_name" in workspace.variables:
            given = _given_value(user_variables, "eks_cluster_name")
            if given is not None and not _EKS_CLUSTER_NAME.fullmatch(given):
                # Checked here because the sandbox is seeded with it before Terraform runs.
                raise UsageError(
                    f"--var eks_cluster_name {given!r} is not an EKS cluster name: 1-100 "
                    "letters, digits, hyphens and underscores, starting with a letter or digit."
                )
            cluster = given or workspace.cluster_name
            if given is None:
                tf_variables.append(f"-var=eks_cluster_name={cluster}")
    else:
        _refuse_sandbox_settings(process_env)
        _require_aws_credentials(process_env)
    terraform = Terraform(tf_binary.path, workspace.root, process_env)
    tf_variables += [f"-var={item}" for item in user_variables]
    return Session(
        workspace,
        tf_binary,
        terraform,
        sandbox,
        tf_variables,
        cluster_to_seed=cluster,
        accept_orphans=(
            accept_orphans_from_env(process_env) if accept_orphans is None else accept_orphans
        ),
    )


def plan_json(env: str | None, target: str, root_dir: Path | None = None) -> dict[str, Any]:
    """The plan JSON of a root (what `obsctl cost` prices)."""
    session = open_session(env, target, root_dir)
    session.init()
    return session.plan_json(session.plan())


def stack_contract(env: str | None, target: str, root_dir: Path | None = None) -> StackContract:
    """The stack contract of a deployed root (what `obsctl values` and `verify` read)."""
    session = open_session(env, target, root_dir)
    session.connect()
    return session.contract()


def _terraform_settings(workspace: Workspace) -> dict[str, str]:
    settings = {"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    source = resolve_provider_source()
    if source is None:
        raise ObsctlError(
            "The Terraform registry is unreachable and no local mirror of hashicorp/aws was found.",
            hint="Point $OBSCTL_PROVIDER_MIRROR at a filesystem mirror (see `obsctl doctor`).",
        )
    config = write_cli_config(state_dir(), source)
    if config is not None:
        settings["TF_CLI_CONFIG_FILE"] = str(config)
    if workspace.data_dir is not None:
        workspace.data_dir.mkdir(parents=True, exist_ok=True)
        settings["TF_DATA_DIR"] = str(workspace.data_dir)
    return settings


def _check_variables(variables: list[str]) -> None:
    for item in variables:
        name, equals, _ = item.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"--var {item!r} is not NAME=VALUE.")


def _given_value(variables: list[str], name: str) -> str | None:
    for item in variables:
        key, _, value = item.partition("=")
        if key.strip() == name:
            return value
    return None


def _refuse_sandbox_settings(env: Mapping[str, str]) -> None:
    """The aws target must never inherit an endpoint that points at the local AWS."""
    for key, value in env.items():
        if key.startswith("AWS_ENDPOINT_URL") and ("127.0.0.1" in value or "localhost" in value):
            raise UsageError(
                f"{key} points at the local AWS ({value}), so --target aws would not reach AWS.",
                hint=f"Unset {key} (it comes from `obsctl sandbox env`), or use --target local.",
            )


def _require_aws_credentials(env: Mapping[str, str]) -> None:
    import boto3

    profile = env.get("AWS_PROFILE")
    try:
        credentials = boto3.Session(profile_name=profile).get_credentials()
    except Exception as error:  # botocore raises ProfileNotFound and friends
        raise ObsctlError(f"AWS credentials could not be loaded ({error}).") from error
    if credentials is None:
        raise ObsctlError(
            "No AWS credentials were found for --target aws.",
            hint="Configure them as for the AWS CLI (aws configure, AWS_PROFILE, SSO), "
            "or use --target local.",
        )


def _state_backend_root() -> Path | None:
    root = project_root() / "terraform" / "bootstrap" / "state-backend"
    if not root.is_dir():
        root = Path(__file__).resolve().parents[2] / "terraform" / "bootstrap" / "state-backend"
    return root if root.is_dir() else None


def _bucket_exists(s3: Any, bucket: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        return False
    return True


def _cached_clients(factory: ClientFactory) -> ClientFactory:
    clients: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in clients:
            clients[service] = factory(service)
        return clients[service]

    return client


def _aws_clients(env: Mapping[str, str], raw_state: dict[str, Any]) -> ClientFactory:
    """boto3 clients through the normal credential chain, in the stack's region."""
    import boto3

    region = ((raw_state.get("outputs") or {}).get("region") or {}).get("value")
    session = boto3.Session(
        profile_name=env.get("AWS_PROFILE"),
        region_name=region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
    )
    return _cached_clients(session.client)


def _ensure_local_state_bucket(sandbox: Sandbox) -> None:
    """Fallback when terraform/bootstrap/state-backend is not on disk: the same bucket settings
    (versioned, SSE-S3, private, owner-enforced) without Terraform."""
    s3 = sandbox.client("s3")
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    if LOCAL_STATE_BUCKET in existing:
        return
    s3.create_bucket(Bucket=LOCAL_STATE_BUCKET)
    s3.put_bucket_versioning(
        Bucket=LOCAL_STATE_BUCKET, VersioningConfiguration={"Status": "Enabled"}
    )
    s3.put_bucket_encryption(
        Bucket=LOCAL_STATE_BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_public_access_block(
        Bucket=LOCAL_STATE_BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_ownership_controls(
        Bucket=LOCAL_STATE_BUCKET,
        OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    )


def _state_has_resources(path: Path) -> bool:
    try:
        return bool(json.loads(path.read_text(encoding="utf-8")).get("resources"))
    except ValueError:
        return True
