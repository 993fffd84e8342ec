"""Run any Terraform command in an env's workspace, as obsctl itself runs Terraform there.

  obsctl tf --env prod -- output -raw name_prefix
  obsctl tf --env dev -- state list

On the local target the workspace is hidden under .obsctl/ (its own data dir and state, in
or beside the local AWS), so plain `terraform -chdir=terraform/envs/prod ...` cannot see it:
`obsctl tf` runs the binary with the workspace's environment (the provider source, the data
dir, the local AWS's endpoint and credentials, and the seeded cluster as
TF_VAR_eks_cluster_name), like LocalStack's `tflocal`. On the aws target it is plain Terraform
in the root. Terraform's output and exit code pass through unchanged; paths in ARGS are relative
to the root module (`-chdir`).
"""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass

from obsctl.commands.base import Context, Result, Selection
from obsctl.errors import UsageError


@dataclass
class TerraformExit(Result):
    """Terraform printed everything itself; its exit code is the command's."""

    code: int

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return self.code


def tf(ctx: Context, where: Selection, terraform_args: list[str]) -> TerraformExit:
    if not terraform_args:
        raise UsageError(
            "Name the Terraform command after `--`, e.g. `obsctl tf --env prod -- output`."
        )
    session = where.open()
    sandbox = session.sandbox
    if sandbox is not None:
        sandbox.require()  # the workspace's backend and resources live in it
        env = sandbox.apply_environment(session.terraform.env)
        cluster = getattr(session.site, "cluster_to_seed", None)
        if cluster is not None:
            env.setdefault("TF_VAR_eks_cluster_name", cluster)
        session.terraform.env = env
        data_dir = session.workspace.data_dir
        if data_dir is not None and not (data_dir / "terraform.tfstate").exists():
            session.site.init_backend(session.terraform)  # never initialised here yet
    env = dict(session.terraform.env)
    env.pop("TF_IN_AUTOMATION", None)  # a person reads this output: Terraform's own hints too
    command = [str(session.binary.path), f"-chdir={session.workspace.root}", *terraform_args]
    # Terraform gets Ctrl-C from the terminal itself and stops cleanly; obsctl only waits. (A
    # handler, not SIG_IGN: Terraform would inherit an ignored SIGINT.)
    previous = signal.signal(signal.SIGINT, _wait_for_terraform)
    try:
        code = subprocess.run(command, env=env, check=False).returncode
    finally:
        signal.signal(signal.SIGINT, previous)
    return TerraformExit(code)


def _wait_for_terraform(signum: int, frame: object) -> None:
    """Ctrl-C while Terraform runs: Terraform received it too, and decides."""
