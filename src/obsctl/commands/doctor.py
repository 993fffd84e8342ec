"""Check what obsctl needs: Terraform and its version, the AWS provider through the registry or a
mirror, credentials for the aws target, and the local AWS. Each line says pass or fail and how
to fix it. Missing credentials only warn (the local target needs none); the exit code is 1 when
a check fails."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass

from obsctl.commands.common import add_json_argument


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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--binary", metavar="PATH", help="terraform or tofu executable to check")
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    checks = [_terraform(args.binary), _provider(), _credentials(), _sandbox()]
    if args.json:
        print(json.dumps([{**asdict(check), "status": check.mark} for check in checks], indent=2))
    else:
        for check in checks:
            print(f"{check.mark}  {check.name:<12} {check.detail}")
            if not check.ok and check.fix:
                print(f"      {'':<12} fix: {check.fix}")
    return 0 if all(check.ok or check.warning for check in checks) else 1


def _terraform(binary: str | None) -> Check:
    from obsctl.errors import ObsctlError
    from obsctl.terraform.binary import require_binary

    try:
        found = require_binary(binary)
    except ObsctlError as error:
        return Check("terraform", False, error.message, error.hint or "")
    return Check("terraform", True, f"{found.flavour} {found.version_text} at {found.path}")


def _provider() -> Check:
    from obsctl.terraform.cliconfig import MIRROR_ENV, resolve_provider_source

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
    import boto3

    try:
        credentials = boto3.Session().get_credentials()
    except Exception as error:  # botocore configuration errors
        return Check(
            "credentials",
            False,
            f"AWS credentials could not be loaded: {error}",
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
    import socket

    from obsctl.paths import state_dir
    from obsctl.sandbox import Sandbox

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
