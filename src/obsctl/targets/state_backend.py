"""The state bucket S3-backend roots use in the local AWS, created by terraform/bootstrap.

It runs once per local AWS (about 11 s: the provider's start-up is the floor), with SSE-S3 and
without the TLS-only policy: the local AWS serves plain HTTP on loopback and ignores policy
conditions, so that policy would deny every call, and a KMS key there would protect nothing (its
credentials are public) while costing 10 s more. Its state lives in the `_state-backend` work
dir (the name cannot clash with an env label or a --dir label). The bucket's settings live in
that root alone: obsctl has no second way to create it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from obsctl.errors import ObsctlError
from obsctl.paths import project_root
from obsctl.sandbox import Sandbox
from obsctl.terraform.errors import TerraformError
from obsctl.terraform.runner import Terraform
from obsctl.terraform.supervise import Watchdog
from obsctl.workspace.lock import exclusive
from obsctl.workspace.root import LOCAL_STATE_BUCKET, Workspace

WORK_DIR_NAME = "_state-backend"


def ensure_state_backend(
    sandbox: Sandbox, workspace: Workspace, terraform: Terraform, watchdog: Watchdog
) -> None:
    """Create the state bucket in `sandbox` unless it exists, with `terraform`'s binary and
    environment; dev and prod may get here together, so one of them does it."""
    root = state_backend_root()
    if root is None:
        raise ObsctlError(
            f"The state bucket {LOCAL_STATE_BUCKET} for S3-backend roots is created by "
            "terraform/bootstrap/state-backend, and no checkout of this project holds it here.",
            hint="Run obsctl from a checkout of the project, or point $OBSCTL_PROJECT_DIR at one.",
        )
    work_dir = workspace.work_dir.parent / WORK_DIR_NAME
    with exclusive(work_dir / "obsctl.lock"):
        if _bucket_exists(sandbox.client("s3"), LOCAL_STATE_BUCKET):
            return
        state_file = work_dir / "terraform.tfstate"
        state_file.unlink(missing_ok=True)  # it described a local AWS that is gone
        env = sandbox.apply_environment(dict(terraform.env))
        env["TF_DATA_DIR"] = str(work_dir / "data")
        bootstrap = Terraform(terraform.binary, root, env, watchdog=watchdog)
        try:
            bootstrap.init({"path": str(state_file)}, reconfigure=True)
            bootstrap.apply_auto(
                [
                    f"-var=bucket_name={LOCAL_STATE_BUCKET}",
                    f"-var=region={sandbox.region}",
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


def state_backend_root() -> Path | None:
    root = project_root() / "terraform" / "bootstrap" / "state-backend"
    if not root.is_dir():
        root = Path(__file__).resolve().parents[3] / "terraform" / "bootstrap" / "state-backend"
    return root if root.is_dir() else None


def _bucket_exists(s3: Any, bucket: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        return False
    return True
