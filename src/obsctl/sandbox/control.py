"""Start, find, seed and stop the local AWS server process.

Its port stays the same from one start to the next, so the exports of `obsctl sandbox env` stay
valid: $OBSCTL_SANDBOX_PORT (or `obsctl sandbox start --port`) pins it; otherwise the first
start takes a free port and later starts reuse it while it is free. Starting, stopping and
seeding hold a lock in the sandbox folder, so two obsctl commands that both need the local AWS
(two first `up`s, say) share one server and seed it once.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

from obsctl.aws.clients import endpoint_client
from obsctl.errors import ObsctlError, UsageError
from obsctl.sandbox.seed import ClusterInfo, seed_account_public_access_block, seed_cluster

HOST = "127.0.0.1"
ACCESS_KEY = "test"
SECRET_KEY = "test"  # the emulator's fixed, public test credential
_INFO_FILE = "sandbox.json"
_LOG_FILE = "sandbox.log"
_READY_FILE = "sandbox.ready"
_PORT_FILE = "port"  # the port of the last start, reused by the next one while it is free
_LOCK_FILE = "sandbox.lock"
PORT_ENV = "OBSCTL_SANDBOX_PORT"
# The role a client assumes to act in another account of the local AWS (moto needs none).
ACCOUNT_ROLE = "obsctl-sandbox"
# Variables that would send the AWS SDKs anywhere but the sandbox, or to another identity.
_FOREIGN_AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)


@dataclass(frozen=True)
class SandboxInfo:
    """A running sandbox server."""

    pid: int
    port: int
    instance_id: str
    started_at: float

    @property
    def endpoint_url(self) -> str:
        return f"http://{HOST}:{self.port}"


class Sandbox:
    """The local AWS server whose pid, port and log live in `workdir`."""

    def __init__(self, workdir: Path, region: str = "us-east-1", port: int | None = None) -> None:
        self.workdir = workdir
        self.region = region
        # The port asked for (--port); None: $OBSCTL_SANDBOX_PORT, else the remembered one.
        self.port = port

    @property
    def log_path(self) -> Path:
        return self.workdir / _LOG_FILE

    def running(self) -> SandboxInfo | None:
        """The server recorded in `workdir` if its process is alive and is really ours."""
        info_path = self.workdir / _INFO_FILE
        if not info_path.exists():
            return None
        try:
            info = SandboxInfo(**json.loads(info_path.read_text(encoding="utf-8")))
        except (ValueError, TypeError):
            return None
        if _server_process(info) is None:
            return None
        return info

    def start(self, timeout: float = 30.0) -> SandboxInfo:
        """Start the server unless it already runs; return once it answers HTTP."""
        return self.ensure(timeout)[0]

    def ensure(self, timeout: float = 30.0) -> tuple[SandboxInfo, bool]:
        """The running server, started now unless it already ran (then the flag is False)."""
        pinned = self.port if self.port is not None else configured_port()
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self._locked():
            if (info := self.running()) is not None and _answers(info.endpoint_url):
                if pinned is not None and pinned != info.port:
                    raise UsageError(
                        f"The local AWS already runs on port {info.port}, not {pinned}.",
                        hint="Stop it first (`obsctl sandbox stop`) to move it to the pinned "
                        f"port, or unset ${PORT_ENV}.",
                    )
                return info, False
            if pinned is not None:
                if not port_is_free(pinned):
                    raise ObsctlError(
                        f"Port {pinned} on {HOST} is taken, so the local AWS cannot start there.",
                        hint=f"Free it, or pin another port with ${PORT_ENV} or "
                        "`obsctl sandbox start --port`.",
                    )
                return self._spawn(pinned, timeout), True
            remembered = self._remembered_port()
            if remembered is not None and port_is_free(remembered):
                with contextlib.suppress(ObsctlError):  # taken meanwhile: any free port will do
                    return self._spawn(remembered, timeout), True
            return self._spawn(0, timeout), True

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        """The lock that starting, stopping and seeding hold (one command at a time)."""
        from obsctl.workspace.lock import exclusive  # not at import: `obsctl --help` stays fast

        return exclusive(self.workdir / _LOCK_FILE)

    def _remembered_port(self) -> int | None:
        try:
            port = int((self.workdir / _PORT_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return port if 0 < port < 65536 else None

    def _spawn(self, port: int, timeout: float) -> SandboxInfo:
        """Start a server on `port` (0: any free one) and wait until it answers HTTP."""
        ready_file = self.workdir / _READY_FILE
        ready_file.unlink(missing_ok=True)
        instance_id = uuid.uuid4().hex
        command = [
            sys.executable,
            "-m",
            "obsctl.sandbox.server",
            "--host",
            HOST,
            "--port",
            str(port),
            "--ready-file",
            str(ready_file),
            "--instance-id",
            instance_id,
        ]
        with self.log_path.open("ab") as log:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=_server_environment(),
            )
        port = _wait_for_ready_file(process, ready_file, timeout, self.log_path)
        info = SandboxInfo(
            pid=process.pid, port=port, instance_id=instance_id, started_at=time.time()
        )
        (self.workdir / _INFO_FILE).write_text(json.dumps(asdict(info)), encoding="utf-8")
        (self.workdir / _PORT_FILE).write_text(str(port), encoding="utf-8")
        deadline = time.monotonic() + timeout
        while not _answers(info.endpoint_url):
            if time.monotonic() > deadline or process.poll() is not None:
                self._stop(timeout=10.0)
                raise ObsctlError(
                    "The local AWS did not answer after it started.",
                    hint=f"See its log: {self.log_path}",
                )
            time.sleep(0.05)
        return info

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the server started from `workdir`; never signals a process that is not it."""
        if not self.workdir.is_dir():
            return False
        with self._locked():
            return self._stop(timeout)

    def _stop(self, timeout: float) -> bool:
        info = self.running()
        (self.workdir / _INFO_FILE).unlink(missing_ok=True)
        process = _server_process(info) if info is not None else None
        if process is None:
            return info is not None
        try:
            process.terminate()
            process.wait(timeout)
        except psutil.TimeoutExpired:
            with contextlib.suppress(psutil.Error):
                process.kill()
                process.wait(timeout)
        except psutil.NoSuchProcess:
            pass  # it ended by itself meanwhile
        return True

    def require(self) -> SandboxInfo:
        """The running server, or one clear error saying how to start it."""
        info = self.running()
        if info is None or not _answers(info.endpoint_url):
            raise ObsctlError(
                "The local AWS is not running.",
                hint="Start it with `obsctl sandbox start` (or `obsctl up` starts it for you).",
            )
        return info

    def environment(self, region: str | None = None) -> dict[str, str]:
        """Environment variables that point Terraform's AWS provider and boto3 at the sandbox.

        They are the whole provider endpoint configuration: nothing is written into a root
        module, so no file can carry the sandbox endpoint to a real-AWS run.
        """
        info = self.require()
        region = region or self.region
        return {
            "AWS_ENDPOINT_URL": info.endpoint_url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def apply_environment(self, base: dict[str, str], region: str | None = None) -> dict[str, str]:
        """`base` with every foreign AWS setting removed and the sandbox settings added."""
        env = {
            k: v
            for k, v in base.items()
            if k not in _FOREIGN_AWS_VARIABLES and not k.startswith("AWS_ENDPOINT_URL")
        }
        env.update(self.environment(region))
        return env

    def client(self, service: str, region: str | None = None, account: str | None = None) -> Any:
        """A boto3 client bound to the sandbox, in its default account or in `account` (the
        local AWS hosts any number: credentials of a role in an account act in it)."""
        from obsctl.sandbox.sharing import client_config

        info = self.require()
        region = region or self.region
        config = client_config(service, info.endpoint_url)
        if account is None:
            return endpoint_client(
                service, info.endpoint_url, region, ACCESS_KEY, SECRET_KEY, config=config
            )
        sts = endpoint_client("sts", info.endpoint_url, region, ACCESS_KEY, SECRET_KEY)
        credentials = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{ACCOUNT_ROLE}", RoleSessionName="obsctl"
        )["Credentials"]
        return endpoint_client(
            service,
            info.endpoint_url,
            region,
            credentials["AccessKeyId"],
            credentials["SecretAccessKey"],
            credentials["SessionToken"],
            config=config,
        )

    def seed_cluster(
        self,
        name: str,
        region: str | None = None,
        account: str | None = None,
        register_issuer: bool = True,
    ) -> ClusterInfo:
        """Create (or find) an EKS cluster, in the default account or `account`, and register
        its OIDC issuer as an IAM provider of that account unless `register_issuer` is False;
        one command at a time, so two commands seeding the same cluster create it once."""
        with self._locked():
            identity = self.client("sts", region, account).get_caller_identity()["Account"]
            seed_account_public_access_block(self.client("s3control", region, account), identity)
            return seed_cluster(
                self.client("eks", region, account),
                self.client("iam", region, account),
                identity,
                name,
                register_issuer,
            )


def configured_port() -> int | None:
    """$OBSCTL_SANDBOX_PORT, checked; None when it is not set."""
    text = os.environ.get(PORT_ENV, "").strip()
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UsageError(f"${PORT_ENV} is {text!r}, not a port number (1-65535).")
    return int(text)


def port_is_free(port: int) -> bool:
    """Whether the server could bind `port` on the loopback address (as it binds: reusing an
    address in TIME_WAIT)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _server_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _wait_for_ready_file(
    process: subprocess.Popen[bytes], ready_file: Path, timeout: float, log_path: Path
) -> int:
    deadline = time.monotonic() + timeout
    while not ready_file.exists():
        if process.poll() is not None:
            raise ObsctlError(
                f"The local AWS exited during start-up (exit code {process.returncode}).",
                hint=f"See its log: {log_path}",
            )
        if time.monotonic() > deadline:
            process.terminate()
            process.wait()
            raise ObsctlError(
                f"The local AWS did not start within {timeout:.0f} s.",
                hint=f"See its log: {log_path}",
            )
        time.sleep(0.05)
    return int(json.loads(ready_file.read_text(encoding="utf-8"))["port"])


def _server_process(info: SandboxInfo) -> psutil.Process | None:
    """The server's process while `info.pid` still is it (its argv carries the instance id)."""
    try:
        process = psutil.Process(info.pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        argv = process.cmdline()
    except psutil.Error:
        return None
    if "obsctl.sandbox.server" in argv and info.instance_id in argv:
        return process
    return None


def _answers(endpoint_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint_url}/moto-api/", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False
