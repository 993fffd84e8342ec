"""The steps every verb shares: prepare a root for a target, plan, apply, read the contract.

`open_session` does the preflight work that needs no AWS: it resolves the root, checks the
variables, finds the binary, configures the provider source, and for the aws target checks real
credentials and refuses sandbox settings. `Session.init` then starts (and seeds) the local AWS
while `terraform init` runs, so the sandbox costs almost nothing on the critical path.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obsctl.contract import StackContract
from obsctl.errors import ObsctlError, UsageError
from obsctl.paths import state_dir
from obsctl.sandbox import Sandbox
from obsctl.terraform.binary import TerraformBinary, require_binary
from obsctl.terraform.cliconfig import resolve_provider_source, write_cli_config
from obsctl.terraform.runner import Completed, EventHandler, PlanResult, Terraform
from obsctl.workspace import LOCAL_STATE_BUCKET, Workspace, resolve

SANDBOX_REGION = "us-east-1"
_SANDBOX_MARKER = "sandbox-instance"


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

    @property
    def target(self) -> str:
        return self.workspace.target

    def init(self) -> None:
        """`terraform init` with the target's backend settings; on the local target, also the
        sandbox: started, seeded and wired into Terraform's environment."""
        if self.sandbox is None:
            # On the aws target the root keeps whatever `terraform init` the user ran there.
            self.terraform.init()
            return
        self._forget_lost_sandbox_state()
        backend_config = self.workspace.backend_config(SANDBOX_REGION)
        if self.workspace.backend != "local":
            self._prepare_sandbox()
            self.terraform.init(backend_config, reconfigure=True)
            return
        # A local backend needs no AWS to initialise: boot and seed the sandbox meanwhile.
        with ThreadPoolExecutor(max_workers=1) as pool:
            sandbox_ready = pool.submit(self._prepare_sandbox)
            self.terraform.init(backend_config, reconfigure=True)
            sandbox_ready.result()

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
        completed = self.terraform.apply(plan.plan_file, on_event=on_event)
        self._record_sandbox()
        return completed

    def apply_now(self, on_event: EventHandler | None = None) -> Completed:
        """Plan and apply in one Terraform run, for when nobody has to confirm the plan.

        The event stream carries the plan (planned_change, change_summary) before the apply
        events, and the outputs after them, so nothing is lost against plan-then-apply.
        """
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
        return f"--env {self.workspace.label} --target {self.target}"

    def _marker(self) -> Path:
        return self.workspace.work_dir / _SANDBOX_MARKER

    def _record_sandbox(self) -> None:
        if self.sandbox is not None:
            self._marker().write_text(self.sandbox.require().instance_id, encoding="utf-8")

    def _prepare_sandbox(self) -> None:
        """Start the sandbox if needed, seed the root's cluster, point Terraform at it."""
        assert self.sandbox is not None
        self.sandbox.start()
        if self.cluster_to_seed is not None:
            self.sandbox.seed_cluster(self.cluster_to_seed)
        if self.workspace.backend == "s3":
            _ensure_local_state_bucket(self.sandbox)
        self.terraform.env = self.sandbox.apply_environment(self.terraform.env)

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
) -> Session:
    """Everything Terraform needs for `env` (or `root_dir`) on `target`, checked up front."""
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
            cluster = given or workspace.cluster_name
            if given is None:
                tf_variables.append(f"-var=eks_cluster_name={cluster}")
    else:
        _refuse_sandbox_settings(process_env)
        _require_aws_credentials(process_env)
    terraform = Terraform(tf_binary.path, workspace.root, process_env)
    tf_variables += [f"-var={item}" for item in user_variables]
    return Session(workspace, tf_binary, terraform, sandbox, tf_variables, cluster_to_seed=cluster)


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


def _ensure_local_state_bucket(sandbox: Sandbox) -> None:
    """The sandbox's state bucket for S3-backend roots: versioned, encrypted, private."""
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


def _state_has_resources(path: Path) -> bool:
    try:
        return bool(json.loads(path.read_text(encoding="utf-8")).get("resources"))
    except ValueError:
        return True
