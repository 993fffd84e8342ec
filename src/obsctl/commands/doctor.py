"""Check what obsctl needs: Terraform and its version, the AWS provider through the registry or a
mirror, credentials for the aws target, and the local AWS. Each line says pass or fail and how
to fix it. Missing credentials only warn (the local target needs none); the exit code is 1 when
a check fails."""

from __future__ import annotations

import socket
from dataclasses import asdict, dataclass
from typing import Any

from obsctl.aws.clients import find_credentials
from obsctl.commands.base import Context, Result, lines
from obsctl.errors import ObsctlError
from obsctl.paths import state_dir
from obsctl.sandbox import Sandbox
from obsctl.terraform.binary import require_binary
from obsctl.terraform.cliconfig import MIRROR_ENV, resolve_provider_source


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False  # not ok, but nothing obsctl needs right now

    @property
    def mark(self) -> str:
        return "pass" if self.ok else "warn" if self.warning else "FAIL"


@dataclass
class DoctorReport(Result):
    checks: list[Check]

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return 0 if all(check.ok or check.warning for check in self.checks) else 1

    def text(self) -> str:
        said = []
        for check in self.checks:
            said.append(f"{check.mark}  {check.name:<12} {check.detail}")
            if not check.ok and check.fix:
                said.append(f"      {'':<12} fix: {check.fix}")
        return lines(*said)

    def document(self) -> list[dict[str, Any]]:
        return [{**asdict(check), "status": check.mark} for check in self.checks]


def doctor(ctx: Context, *, binary: str | None = None) -> DoctorReport:
    return DoctorReport([_terraform(binary), _provider(), _credentials(), _sandbox()])


def _terraform(binary: str | None) -> Check:

    try:
        found = require_binary(binary)
    except ObsctlError as error:
        return Check("terraform", False, error.message, error.hint or "")
    return Check("terraform", True, f"{found.flavour} {found.version_text} at {found.path}")


def _provider() -> Check:
    source = resolve_provider_source()
    if source is None:
        return Check(
            "provider",
            False,
            "registry unreachable and no hashicorp/aws mirror found",
            f"set ${MIRROR_ENV} to a filesystem mirror that holds hashicorp/aws",
        )
    return Check("provider", True, f"hashicorp/aws from the {source.describe()}")


def _credentials() -> Check:
    try:
        credentials = find_credentials()
    except ObsctlError as error:  # botocore configuration errors
        return Check(
            "credentials",
            False,
            f"AWS credentials could not be loaded: {error.__cause__}",
            "fix ~/.aws/config or AWS_PROFILE",
        )
    if credentials is None:
        return Check(
            "credentials",
            False,
            "no AWS credentials (only the aws target needs them)",
            "aws configure, AWS_PROFILE or SSO; the local target works without them",
            warning=True,
        )
    return Check("credentials", True, f"AWS credentials found ({credentials.method})")


def _sandbox() -> Check:
    sandbox = Sandbox(state_dir() / "sandbox")
    info = sandbox.running()
    if info is not None:
        return Check("local AWS", True, f"running at {info.endpoint_url} (pid {info.pid})")
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
    except OSError as error:
        return Check(
            "local AWS",
            False,
            f"cannot bind a loopback port: {error}",
            "free a port on 127.0.0.1 (the sandbox takes any free one)",
        )
    return Check("local AWS", True, "not running; a free loopback port is available to start it")
