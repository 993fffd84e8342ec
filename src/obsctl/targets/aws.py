"""The aws target: a real AWS account through the normal credential chain.

The root keeps whatever `terraform init` the user ran there (obsctl and plain Terraform share
one state), and nothing is started. Before anything runs, obsctl refuses an environment that
would send the aws target to the local AWS, and says so when no credentials are found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from obsctl.aws.clients import find_credentials
from obsctl.errors import ObsctlError, UsageError
from obsctl.terraform.lockinfo import LockInfo
from obsctl.terraform.locks import backend_lock_holder
from obsctl.terraform.runner import Terraform
from obsctl.workspace.root import Workspace


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
        terraform.init()

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
