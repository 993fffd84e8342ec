"""The steps every verb shares: prepare a root for a target, plan, apply, read the contract.

`open_session` does all preflight work before Terraform runs: it resolves the root, finds the
binary, configures the provider source, starts (and seeds) the local AWS or checks real AWS
credentials, and refuses mixtures of the two.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obsctl.contract import StackContract
from obsctl.errors import ObsctlError, UsageError
from obsctl.paths import state_dir
from obsctl.sandbox import Sandbox
from obsctl.terraform.binary import TerraformBinary, require_binary
from obsctl.terraform.cliconfig import resolve_provider_source, write_cli_config
from obsctl.terraform.runner import EventHandler, PlanResult, Terraform
from obsctl.workspace import LOCAL_STATE_BUCKET, Workspace, resolve

SANDBOX_REGION = "us-east-1"
_SANDBOX_MARKER = "sandbox-instance"


@dataclass
class Session:
    """One root module, one target, ready for Terraform commands."""

    workspace: Workspace
    binary: TerraformBinary
    terraform: Terraform
    sandbox: Sandbox | None
    variables: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def target(self) -> str:
        return self.workspace.target

    def init(self) -> None:
        """`terraform init` with the target's backend settings (cheap when already done)."""
        if self.sandbox is not None:
            self._prepare_sandbox_state()
        # The local target owns its data dir and rewrites the backend settings every time; on
        # the aws target the root keeps whatever `terraform init` the user ran there.
        local = self.target == "local"
        self.terraform.init(self.workspace.backend_config(SANDBOX_REGION), reconfigure=local)

    def plan(
        self,
        *,
        destroy: bool = False,
        refresh_only: bool = False,
        on_event: EventHandler | None = None,
    ) -> tuple[PlanResult, dict[str, Any]]:
        """Plan into the workspace's plan file; return the result and the plan JSON."""
        plan_file = self.workspace.plan_path
        plan_file.parent.mkdir(parents=True, exist_ok=True)
        result = self.terraform.plan(
            plan_file,
            self.variables,
            destroy=destroy,
            refresh_only=refresh_only,
            on_event=on_event,
        )
        return result, self.terraform.show_plan(plan_file)

    def apply(self, plan: PlanResult, on_event: EventHandler | None = None) -> None:
        self.terraform.apply(plan.plan_file, on_event=on_event)
        if self.sandbox is not None:
            self._marker().write_text(self.sandbox.require().instance_id, encoding="utf-8")

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

    def contract(self) -> StackContract:
        outputs = self.terraform.outputs()
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

    def _prepare_sandbox_state(self) -> None:
        """Keep sandbox-held state consistent with the running sandbox.

        A restarted sandbox has lost every resource. A local state file that still lists them
        would make Terraform fail on missing resources, so it is set aside and the stack is
        re-created; S3-held state vanished with the sandbox and starts empty by itself.
        """
        assert self.sandbox is not None
        info = self.sandbox.require()
        marker = self._marker()
        state = self.workspace.local_state_path
        recorded = marker.read_text(encoding="utf-8").strip() if marker.exists() else None
        if recorded is not None and recorded != info.instance_id:
            if state.exists() and _state_has_resources(state):
                state.replace(state.with_name("terraform.tfstate.lost-sandbox"))
            marker.unlink()
            self.notices.append(
                "The local AWS was restarted since the last apply and its resources are gone; "
                "the stack is re-created from scratch."
            )
        if self.workspace.backend == "s3":
            _ensure_local_state_bucket(self.sandbox)


def open_session(
    env: str | None,
    target: str,
    root_dir: Path | None = None,
    *,
    binary: str | None = None,
    variables: Iterable[str] = (),
    start_sandbox: bool = True,
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
    tf_variables: list[str] = []
    if target == "local":
        sandbox = Sandbox(state_dir() / "sandbox", region=SANDBOX_REGION)
        if start_sandbox:
            sandbox.start()
        process_env = sandbox.apply_environment(process_env)
        if "eks_cluster_name" in workspace.variables:
            cluster = _given_value(user_variables, "eks_cluster_name") or workspace.cluster_name
            sandbox.seed_cluster(cluster)
            if _given_value(user_variables, "eks_cluster_name") is None:
                tf_variables.append(f"-var=eks_cluster_name={cluster}")
    else:
        _refuse_sandbox_settings(process_env)
        _require_aws_credentials(process_env)
    terraform = Terraform(tf_binary.path, workspace.root, process_env)
    tf_variables += [f"-var={item}" for item in user_variables]
    return Session(workspace, tf_binary, terraform, sandbox, tf_variables)


def plan_json(env: str | None, target: str, root_dir: Path | None = None) -> dict[str, Any]:
    """The plan JSON of a root (what `obsctl cost` prices)."""
    session = open_session(env, target, root_dir)
    session.init()
    _, plan = session.plan()
    return plan


def stack_contract(env: str | None, target: str, root_dir: Path | None = None) -> StackContract:
    """The stack contract of a deployed root (what `obsctl values` and `verify` read)."""
    session = open_session(env, target, root_dir)
    session.init()
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
