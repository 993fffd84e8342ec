"""The aws target: a real AWS account through the normal credential chain.

The root keeps whatever `terraform init` the user ran there (obsctl and plain Terraform share
one state), and nothing is started. A root whose backend was never initialised gets the
settings of its `backend.hcl` when it has one (as `terraform init -backend-config=backend.hcl`
would); without either, the error says how to write it. Before anything runs, obsctl refuses an
environment that would send the aws target to the local AWS, and says so when no credentials
are found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from obsctl.aws.clients import find_credentials
from obsctl.errors import ObsctlError, UsageError
from obsctl.paths import shown
from obsctl.terraform.errors import TerraformError
from obsctl.terraform.lockinfo import LockInfo
from obsctl.terraform.locks import backend_lock_holder
from obsctl.terraform.runner import Terraform
from obsctl.workspace.root import Workspace

# The backend settings file of a root with a partial `backend "s3" {}` block.
BACKEND_FILE = "backend.hcl"


@dataclass
class AwsTarget:
    """An AWS account, reached as the AWS CLI would reach it."""

    workspace: Workspace

    @property
    def sandbox(self) -> None:
        return None

    def initialise(self, terraform: Terraform) -> list[str]:
        self.init_backend(terraform)
        return []

    def init_backend(self, terraform: Terraform) -> None:
        root = self.workspace.root
        settings = root / BACKEND_FILE
        first_time = not (root / ".terraform" / "terraform.tfstate").exists()
        try:
            if first_time and settings.is_file():
                terraform.init(backend_file=settings)
            else:
                terraform.init()
        except TerraformError as error:
            if self.workspace.backend != "s3" or not _backend_settings_missing(error):
                raise
            example = root / f"{BACKEND_FILE}.example"
            copy = (
                f"copy {shown(example)} to {shown(settings)}"
                if example.is_file()
                else f"write {shown(settings)}"
            )
            raise ObsctlError(
                f"The S3 backend of {shown(root)} has no bucket, key or region: its state has "
                "nowhere to go on AWS yet.",
                hint=f"Create the state bucket once (terraform/bootstrap/state-backend), {copy} "
                "with its name, and run obsctl again (it runs `terraform init "
                f"-backend-config={BACKEND_FILE}` then).",
                detail=error.detail,
            ) from error

    def prepare_backend(self, terraform: Terraform) -> None:
        self.init_backend(terraform)

    def connect(self, terraform: Terraform) -> None:
        return None

    def current_lock(self) -> LockInfo | None:
        return backend_lock_holder(self.workspace.root)

    def instance(self) -> str | None:
        return None

    def record_apply(self) -> None:
        return None

    def lost_error(self, command: str) -> None:
        return None


def check_environment(env: Mapping[str, str]) -> None:
    """The aws target must never inherit an endpoint that points at the local AWS, and needs
    credentials."""
    for key, value in env.items():
        if key.startswith("AWS_ENDPOINT_URL") and ("127.0.0.1" in value or "localhost" in value):
            raise UsageError(
                f"{key} points at the local AWS ({value}), so --target aws would not reach AWS.",
                hint=f"Unset {key} (it comes from `obsctl sandbox env`), or use --target local.",
            )
    if find_credentials(env.get("AWS_PROFILE")) is None:
        raise ObsctlError(
            "No AWS credentials were found for --target aws.",
            hint="Configure them as for the AWS CLI (aws configure, AWS_PROFILE, SSO), "
            "or use --target local.",
        )


def _backend_settings_missing(error: TerraformError) -> bool:
    """Terraform's init refused a backend block whose required settings are not given."""
    return any(
        diagnostic.summary in ("Missing Required Value", "Missing region value")
        for diagnostic in error.diagnostics
    )
