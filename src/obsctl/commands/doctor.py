"""Check what obsctl needs: Terraform and its version, the AWS provider through the registry or a
mirror, credentials for the aws target, the local AWS, and the tools the integration guide uses
to install the charts (helm, kubectl). Each line says PASS, WARN or FAIL and how to fix it.

With --target aws the credentials are asked to AWS STS (who they belong to), so expired or fake
ones fail here rather than halfway through a plan. On the local target, missing credentials and
a missing helm or kubectl only warn (nothing there needs them); the exit code is 1 when a check
fails."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import asdict, dataclass
from typing import Any

from obsctl.aws.clients import find_credentials
from obsctl.commands.base import Context, Result, lines
from obsctl.errors import ObsctlError
from obsctl.paths import state_dir
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
        return "PASS" if self.ok else "WARN" if self.warning else "FAIL"


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
        return [{**asdict(check), "status": check.mark.lower()} for check in self.checks]


def doctor(ctx: Context, *, binary: str | None = None, target: str = "local") -> DoctorReport:
    credentials = _identity() if target == "aws" else _credentials()
    return DoctorReport(
        [
            _terraform(binary),
            _provider(),
            credentials,
            _sandbox(),
            _helm(),
            _kubectl(),
        ]
    )


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
    return Check(
        "credentials",
        True,
        f"AWS credentials found ({credentials.method}); `obsctl doctor --target aws` asks AWS "
        "whether they work",
    )


def _identity() -> Check:
    """The credentials as AWS STS sees them (one call, a few seconds at most)."""
    found = _credentials()
    if not found.ok:
        return Check("credentials", False, found.detail, found.fix)
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.Session()
    config = Config(connect_timeout=5, read_timeout=10, retries={"total_max_attempts": 2})
    sts = session.client("sts", region_name=session.region_name or "us-east-1", config=config)
    try:
        who = sts.get_caller_identity()
    except ClientError as error:
        details = error.response.get("Error", {})
        return Check(
            "credentials",
            False,
            f"AWS STS refused them: {details.get('Code')}: {details.get('Message')}",
            "refresh them (aws sso login, new keys) or pick another AWS_PROFILE",
        )
    except BotoCoreError as error:
        return Check(
            "credentials",
            False,
            f"AWS STS could not be reached: {error}",
            "check the network, a proxy and AWS_REGION (or AWS_ENDPOINT_URL_STS)",
        )
    return Check("credentials", True, f"AWS account {who['Account']} as {who['Arn']}")


def _sandbox() -> Check:
    from obsctl.sandbox.control import HOST, Sandbox, configured_port, port_is_free

    sandbox = Sandbox(state_dir() / "sandbox")
    info = sandbox.running()
    if info is not None:
        return Check("local AWS", True, f"running at {info.endpoint_url} (pid {info.pid})")
    try:
        pinned = configured_port()
    except ObsctlError as error:
        return Check("local AWS", False, error.message, "unset it or give a port number")
    if pinned is not None and not port_is_free(pinned):
        return Check(
            "local AWS",
            False,
            f"port {pinned} on {HOST} ($OBSCTL_SANDBOX_PORT) is taken",
            "free it, or pin another port",
        )
    if not port_is_free(pinned or 0):
        return Check(
            "local AWS",
            False,
            f"cannot bind a port on {HOST}",
            f"the local AWS listens on {HOST} only: allow loopback sockets",
        )
    port = f"port {pinned}" if pinned is not None else "a free loopback port"
    return Check("local AWS", True, f"not running; {port} is available to start it")


def _helm() -> Check:
    from obsctl.values.conformance.helm import HELM_ENV, find_helm

    try:
        helm = find_helm()
    except ObsctlError:
        return _missing_tool("helm", f"install helm 3 or 4, or set ${HELM_ENV}")
    version = _tool_output([helm, "version", "--short"])
    return Check("helm", True, f"{version or 'helm'} at {helm}")


def _kubectl() -> Check:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return _missing_tool("kubectl", "install kubectl and point it at the cluster")
    answer = _tool_output([kubectl, "version", "--client", "-o", "json"])
    try:
        version = json.loads(answer or "{}").get("clientVersion", {}).get("gitVersion")
    except ValueError:
        version = None
    return Check("kubectl", True, f"kubectl {version or '(version unknown)'} at {kubectl}")


def _missing_tool(name: str, fix: str) -> Check:
    return Check(
        name,
        False,
        f"{name} not found: only installing the charts needs it "
        "(terraform/modules/INTEGRATION_EXAMPLE.md, section 3)",
        fix,
        warning=True,
    )


def _tool_output(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
