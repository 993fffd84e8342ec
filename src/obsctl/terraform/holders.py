"""Who may hold a Terraform state lock on this machine, and whether a lock is stale.

A SIGKILLed Terraform leaves its S3 lock behind. `judge_lock` calls it stale when it was taken
by this user on this machine and no Terraform process of this user works on that state any
more. Processes are read through psutil (Linux and macOS alike); those of other users cannot be
inspected and are never listed.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import shlex
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil

from obsctl import processes
from obsctl.terraform.lockinfo import LockInfo

_TERRAFORM_NAMES = frozenset({"terraform", "tofu"})


@dataclass(frozen=True)
class TerraformProcess:
    """A Terraform process of this user on this machine."""

    pid: int
    root: Path
    command: str
    state: str | None = None


@dataclass(frozen=True)
class LockVerdict:
    """What this machine can tell about a lock's holder."""

    lock: LockInfo
    taken_here: bool
    holders: tuple[TerraformProcess, ...] = ()

    @property
    def stale(self) -> bool:
        """Taken by this user on this machine, and no Terraform process of it runs the root."""
        return self.taken_here and not self.holders


def this_holder() -> str:
    """`user@host` as Terraform writes it into `Who`."""
    return f"{_user()}@{socket.gethostname()}"


def judge_lock(lock: LockInfo, root: Path, state: str | None = None) -> LockVerdict:
    holders = tuple(terraform_processes(root, state))
    return LockVerdict(lock=lock, taken_here=lock.who == this_holder(), holders=holders)


def state_location(root: Path, env: Mapping[str, str]) -> str | None:
    """Where the state of `root` lives for a process with environment `env`, as one string.

    It comes from the backend `terraform init` recorded in the data dir ($TF_DATA_DIR, else
    `<root>/.terraform`): the state file's path for a local backend; the endpoint, bucket and
    key for S3 (the endpoint tells one local AWS from another, or from AWS). None when the data
    dir says nothing (not initialised yet).
    """
    data_dir = Path(env.get("TF_DATA_DIR") or ".terraform")
    data_dir = data_dir if data_dir.is_absolute() else root / data_dir
    try:
        backend = json.loads((data_dir / "terraform.tfstate").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    backend = backend.get("backend") or {}
    config = backend.get("config") or {}
    workspace = env.get("TF_WORKSPACE") or _selected_workspace(data_dir)
    if backend.get("type") in (None, "local"):
        path = Path(config.get("path") or "terraform.tfstate")
        if workspace != "default":
            path = (
                Path(config.get("workspace_dir") or "terraform.tfstate.d") / workspace / path.name
            )
        return f"local:{_resolve(path if path.is_absolute() else root / path)}"
    if backend.get("type") == "s3":
        endpoints = config.get("endpoints") or {}
        endpoint = (
            endpoints.get("s3")
            or config.get("endpoint")
            or env.get("AWS_ENDPOINT_URL_S3")
            or env.get("AWS_ENDPOINT_URL")
            or "aws"
        )
        key = config.get("key")
        if workspace != "default":
            key = f"{config.get('workspace_key_prefix') or 'env:'}/{workspace}/{key}"
        return f"s3:{endpoint}/{config.get('bucket')}/{key}"
    return f"{backend.get('type')}:{json.dumps(config, sort_keys=True)}"


def _selected_workspace(data_dir: Path) -> str:
    try:
        return (data_dir / "environment").read_text(encoding="utf-8").strip() or "default"
    except OSError:
        return "default"


def terraform_processes(
    root: Path, state: str | None = None, *, exclude: int | None = None
) -> list[TerraformProcess]:
    """Terraform (or OpenTofu) processes of this user working on the state of `root`.

    The root is the `-chdir=` argument (relative to the process's working directory) or the
    working directory itself. With `state` (see `state_location`), a process on the same root
    counts only when its own environment and data dir lead to that same state (or cannot be
    read): a run of another workspace, another obsctl state dir or another local AWS is not a
    holder.
    """
    wanted = _resolve(root)
    found = []
    for process in processes.own_processes():
        if process.pid == exclude or processes.program(process) not in _TERRAFORM_NAMES:
            continue
        found_process = _terraform_process(process)
        if found_process is None or found_process.root != wanted:
            continue
        if state is not None and found_process.state not in (None, state):
            continue
        found.append(found_process)
    return sorted(found, key=lambda process: process.pid)


def _terraform_process(process: psutil.Process) -> TerraformProcess | None:
    try:
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        cwd = Path(process.cwd())
        environ = process.environ()
    except psutil.Error:
        return None  # gone meanwhile, or not ours to read
    args = [arg for arg in process.info.get("cmdline") or [] if arg]
    root = cwd
    for arg in args[1:]:
        if arg.startswith("-chdir="):
            root = cwd / arg.removeprefix("-chdir=")
            break
    root = _resolve(root)
    return TerraformProcess(
        pid=process.pid,
        root=root,
        command=shlex.join(args),
        state=state_location(root, environ),
    )


def _resolve(path: Path) -> Path:
    with contextlib.suppress(OSError):
        return path.resolve()
    return path


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())
