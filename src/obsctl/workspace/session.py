"""The steps every verb shares: prepare a root for a target, plan, apply, read the contract.

`open_session` does the preflight work that needs no AWS: it resolves the root, checks the
variables, finds the binary, configures the provider source, and for the aws target checks real
credentials and refuses sandbox settings. `Session.init` then takes the workspace lock (a second
obsctl on the same workspace stops at once, naming the first), initialises Terraform through the
target (`obsctl.targets`: on the local target that starts and seeds the local AWS meanwhile) and
recovers from an apply that did not finish (`obsctl.recovery`). Every apply is journaled, and
Terraform's lock errors name their holder and the workspace's unlock command.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obsctl.errors import NotDeployedError, ObsctlError, UsageError
from obsctl.model.contract import StackContract
from obsctl.paths import state_dir
from obsctl.recovery.messages import accept_orphans_from_env
from obsctl.recovery.orphans import Orphan
from obsctl.recovery.reconcile import recover, repair_before_init
from obsctl.sandbox import Sandbox
from obsctl.targets import Target
from obsctl.targets.aws import AwsTarget, check_environment
from obsctl.targets.local import SANDBOX_REGION, LocalTarget, SandboxLostError
from obsctl.terraform.activity import Activity
from obsctl.terraform.binary import TerraformBinary, require_binary
from obsctl.terraform.cliconfig import resolve_provider_source, write_cli_config
from obsctl.terraform.errors import (
    TerraformError,
    TerraformInterruptedError,
    TerraformKilledError,
)
from obsctl.terraform.holders import state_location
from obsctl.terraform.lockinfo import LockInfo
from obsctl.terraform.locks import StateLockedError, state_lock_error
from obsctl.terraform.runner import Completed, EventHandler, PlanResult, Terraform
from obsctl.workspace import plan_record
from obsctl.workspace.clusters import clusters_to_seed
from obsctl.workspace.journal import ApplyJournal
from obsctl.workspace.lock import WorkspaceLock
from obsctl.workspace.root import Workspace, resolve

_EKS_CLUSTER_NAME = re.compile(r"[0-9A-Za-z][A-Za-z0-9_-]{0,99}")
WORKSPACE_LOCK = "obsctl.lock"


@dataclass
class Session:
    """One root module, one target, ready for Terraform commands once `init` ran."""

    workspace: Workspace
    binary: TerraformBinary
    terraform: Terraform
    # Where the stack lives: the local AWS (LocalTarget) or an AWS account (AwsTarget).
    site: Target
    variables: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    accept_orphans: bool = False
    # aws target: what the last unfinished apply left outside the state (see `init`).
    orphans: list[Orphan] = field(default_factory=list)
    _lock: WorkspaceLock | None = field(default=None, init=False, repr=False)

    @property
    def sandbox(self) -> Sandbox | None:
        return self.site.sandbox

    @property
    def target(self) -> str:
        return self.workspace.target

    @property
    def where(self) -> str:
        """How messages name this workspace: "prod on the local target"."""
        return self.workspace.where

    @property
    def journal(self) -> ApplyJournal:
        return ApplyJournal(self.workspace.work_dir)

    def init(self) -> None:
        """`terraform init` through the target (on the local target the sandbox too: started,
        seeded and wired into Terraform's environment), then the recovery of an apply that did
        not finish, if the journal says there was one."""
        self.lock_workspace()
        repaired = repair_before_init(self.workspace, self.terraform, self.site)
        self.notices += self.site.initialise(self.terraform)
        recovered = recover(
            self.workspace,
            self.terraform,
            self.site,
            accept_orphans=self.accept_orphans,
            repaired=repaired,
        )
        self.notices += recovered.notices
        self.orphans = recovered.orphans

    def lock_workspace(self) -> None:
        """Hold the workspace for as long as this session lives (normally the whole command).

        A second obsctl process on the same workspace fails at once with "<label> on the
        <target> target is locked by obsctl pid N since T"; Terraform's own state lock still
        guards against runs from other machines (or plain `terraform`).
        """
        if self._lock is None:
            lock = WorkspaceLock(self.workspace.work_dir / WORKSPACE_LOCK, where=self.where)
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
        self.site.prepare_backend(self.terraform)

    def current_lock(self) -> LockInfo | None:
        """The backend lock on this workspace's state as stored, when obsctl can read it."""
        return self.site.current_lock()

    def require_deployed(self) -> None:
        """NotDeployedError when the target can tell, before anything starts, that nothing is
        deployed (on the local target: the local AWS is not running, or holds nothing of this
        workspace's)."""
        self.site.require_deployed()

    def connect(self) -> None:
        """For verbs that read a deployed stack: use what `up` prepared, start nothing."""
        self.site.connect(self.terraform)
        backend_file = (self.workspace.data_dir or self.workspace.root / ".terraform") / (
            "terraform.tfstate"
        )
        if not backend_file.exists():
            self.site.init_backend(self.terraform)

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
        plan_record.forget(self)  # the plan file is about to change
        result = self.terraform.plan(
            plan_file,
            self.variables,
            destroy=destroy,
            refresh_only=refresh_only,
            on_event=on_event,
        )
        if not (destroy or refresh_only):
            plan_record.record_plan(self, plan_file)  # what `cost` may reuse
        return result

    def plan_json(self, plan: PlanResult) -> dict[str, Any]:
        """`terraform show -json` of a saved plan (one more provider start, about 3 s)."""
        return self.terraform.show_plan(plan.plan_file)

    def apply(self, plan: PlanResult, on_event: EventHandler | None = None) -> Completed:
        """Apply a saved plan (after a confirmation, or a destroy plan)."""
        with self._journaled() as journal:
            completed = self.terraform.apply(
                plan.plan_file, on_event=on_event, on_start=journal.terraform_started
            )
        self.site.record_apply()
        plan_record.record_apply(self, plan.plan_file)
        return completed

    def apply_now(self, on_event: EventHandler | None = None) -> Completed:
        """Plan and apply in one Terraform run, for when nobody has to confirm the plan.

        The event stream carries the plan (planned_change, change_summary) before the apply
        events, and the outputs after them, so nothing is lost against plan-then-apply.
        """
        with self._journaled() as journal:
            completed = self.terraform.apply_auto(
                self.variables, on_event=on_event, on_start=journal.terraform_started
            )
        self.site.record_apply()
        plan_record.record_apply(self, None)
        return completed

    def release_sandbox(self) -> bool:
        """After a destroy: stop the sandbox when no other root has resources in it."""
        assert isinstance(self.site, LocalTarget)
        return self.site.release()

    def contract(self, outputs: Mapping[str, Any] | None = None) -> StackContract:
        """The stack contract from `outputs` (an apply's outputs event) or `terraform output`."""
        outputs = dict(outputs) if outputs is not None else self.terraform.outputs()
        if not outputs:
            raise NotDeployedError(
                f"Nothing is deployed for {self.workspace.label} on the {self.target} target.",
                hint=f"Run `obsctl up {self.workspace.flags}` first.",
            )
        return StackContract.from_outputs(outputs, source=str(self.workspace.root))

    def state(self) -> dict[str, Any]:
        return self.terraform.show_state()

    def state_location(self) -> str | None:
        """Where this workspace's state lives (`holders.state_location`), once initialised."""
        return state_location(self.workspace.root, self.terraform.env)

    @contextmanager
    def _journaled(self) -> Iterator[ApplyJournal]:
        """Record the apply before Terraform starts; keep the record unless it succeeds."""
        self.site.record_apply()  # the state refers to this place from its first write on
        journal = self.journal
        journal.begin(
            label=self.workspace.label,
            target=self.target,
            root=self.workspace.root,
            sandbox_instance=self.site.instance(),
        )
        outcome: str | None = "failed"
        try:
            yield journal
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
            lost = self.site.lost_error("apply")
            if lost is not None:
                outcome = None
                raise lost from error
            raise
        finally:
            journal.finish(outcome)


def open_session(
    env: str | None,
    target: str,
    root_dir: Path | None = None,
    *,
    binary: str | None = None,
    variables: Iterable[str] = (),
    var_files: Iterable[Path] = (),
    base_env: Mapping[str, str] | None = None,
    accept_orphans: bool | None = None,
    activity: Activity | None = None,
) -> Session:
    """Everything Terraform needs for `env` (or `root_dir`) on `target`, checked up front.

    `accept_orphans` (default: $OBSCTL_ACCEPT_ORPHANS) lets an apply on the aws target go on
    although the last, unfinished apply left resources outside the state. `activity` shows a
    status line while Terraform initialises and plans, and receives its warnings.
    """
    workspace = resolve(env, target, root_dir)
    user_variables = list(variables)
    _check_variables(user_variables)
    files = [_var_file(path) for path in var_files]
    tf_binary = require_binary(binary)
    process_env = dict(os.environ if base_env is None else base_env)
    process_env.update(terraform_settings(workspace))
    site: LocalTarget | AwsTarget
    tf_variables: list[str] = []
    if target == "local":
        cluster = _cluster_to_seed(workspace, user_variables)
        if cluster is not None and _given_value(user_variables, "eks_cluster_name") is None:
            tf_variables.append(f"-var=eks_cluster_name={cluster}")
        sandbox = Sandbox(state_dir() / "sandbox", region=SANDBOX_REGION)
        further = (
            clusters_to_seed(_given_value(user_variables, "clusters"))
            if "clusters" in workspace.variables
            else []
        )
        site = LocalTarget(
            workspace, sandbox, cluster_to_seed=cluster, further_clusters=tuple(further)
        )
    else:
        check_environment(process_env)
        site = AwsTarget(workspace)
    terraform = Terraform(
        tf_binary.path,
        workspace.root,
        process_env,
        watchdog=site.lost_error,
        lock_error=lambda lock, error: state_lock_error(
            lock,
            workspace.root,
            workspace.where,
            f"obsctl unlock {workspace.flags}",
            detail=error.detail,
            state=state_location(workspace.root, terraform.env),
        ),
        activity=activity,
    )
    # Terraform applies them in order: the files first, so that a --var wins over a file.
    tf_variables += [f"-var-file={path}" for path in files]
    tf_variables += [f"-var={item}" for item in user_variables]
    return Session(
        workspace,
        tf_binary,
        terraform,
        site,
        tf_variables,
        accept_orphans=(
            accept_orphans_from_env(process_env) if accept_orphans is None else accept_orphans
        ),
    )


def stack_contract(env: str | None, target: str, root_dir: Path | None = None) -> StackContract:
    """The stack contract of a deployed root (what `obsctl values` and `verify` read)."""
    session = open_session(env, target, root_dir)
    session.connect()
    return session.contract()


def terraform_settings(workspace: Workspace) -> dict[str, str]:
    """The environment every Terraform run of `workspace` gets: automation mode, the provider
    source (a CLI config for a local mirror), and the local target's own data dir."""
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


def _cluster_to_seed(workspace: Workspace, variables: list[str]) -> str | None:
    """The EKS cluster the local AWS must hold before Terraform runs, if the root takes one."""
    if "eks_cluster_name" not in workspace.variables:
        return None
    given = _given_value(variables, "eks_cluster_name")
    if given is not None and not _EKS_CLUSTER_NAME.fullmatch(given):
        # Checked here because the sandbox is seeded with it before Terraform runs.
        raise UsageError(
            f"--var eks_cluster_name {given!r} is not an EKS cluster name: 1-100 "
            "letters, digits, hyphens and underscores, starting with a letter or digit."
        )
    return given or workspace.cluster_name


def _check_variables(variables: list[str]) -> None:
    for item in variables:
        name, equals, _ = item.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"--var {item!r} is not NAME=VALUE.")


def _var_file(path: Path) -> Path:
    """A --var-file, checked before Terraform runs (Terraform resolves it from the root)."""
    resolved = path.expanduser().resolve()
    if not resolved.is_file():
        raise UsageError(f"--var-file {path}: no such file.")
    return resolved


def _given_value(variables: list[str], name: str) -> str | None:
    for item in variables:
        key, _, value = item.partition("=")
        if key.strip() == name:
            return value
    return None
