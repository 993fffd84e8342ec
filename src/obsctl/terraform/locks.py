"""Who holds a lock on a workspace, whether the holder is still alive, and how to say so.

Two locks guard one Terraform state:

- Terraform's own backend lock (a `.tflock` object next to an S3 state with `use_lockfile`, a
  flock on a local state file). It works across machines. A SIGKILLed Terraform leaves the S3
  one behind; `LockInfo` reads what Terraform printed or stored about its holder, and
  `judge_lock` decides whether it is stale: taken by this user on this machine, and no Terraform
  process of this user runs the root module any more (read from /proc).
- obsctl's workspace lock (`WorkspaceLock`): an exclusive flock on a file in the workspace's
  work dir, held for the whole obsctl command, so a second obsctl run on the same machine and
  workspace stops before Terraform even starts and names the first one.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import re
import shlex
import socket
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from obsctl.errors import ObsctlError

LOCK_SUMMARY = "Error acquiring the state lock"
_LOCK_FIELD = re.compile(r"^\s*(ID|Path|Operation|Who|Version|Created|Info):[ \t]*(.*)$", re.M)
_TERRAFORM_NAMES = frozenset({"terraform", "tofu"})


# -- Terraform's backend lock ------------------------------------------------------------------


@dataclass(frozen=True)
class LockInfo:
    """A Terraform state lock as Terraform records it (the JSON of a `.tflock` object)."""

    id: str
    operation: str = ""
    who: str = ""
    created: str = ""
    path: str = ""
    version: str = ""
    info: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LockInfo:
        return cls(
            id=str(data.get("ID", "")),
            operation=str(data.get("Operation", "")),
            who=str(data.get("Who", "")),
            created=str(data.get("Created", "")),
            path=str(data.get("Path", "")),
            version=str(data.get("Version", "")),
            info=str(data.get("Info", "")),
        )

    @classmethod
    def from_text(cls, text: str) -> LockInfo | None:
        """The "Lock Info:" block of Terraform's "Error acquiring the state lock" message."""
        _, marker, block = text.partition("Lock Info:")
        if not marker:
            return None
        fields = {name: value.strip() for name, value in _LOCK_FIELD.findall(block)}
        if not fields.get("ID"):
            return None
        return cls.from_json(fields)

    @property
    def user(self) -> str:
        return self.who.rpartition("@")[0] if "@" in self.who else self.who

    @property
    def host(self) -> str:
        return self.who.rpartition("@")[2] if "@" in self.who else ""

    @property
    def created_at(self) -> datetime | None:
        """`Created` as an aware datetime (Terraform writes RFC 3339 with nanoseconds)."""
        match = re.match(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)", self.created)
        if match is None:
            return None
        return datetime.fromisoformat(f"{match[1]}T{match[2]}+00:00")

    def describe(self) -> str:
        """`alice@laptop (apply, since 2026-11-26 04:46:23 UTC, lock ID 1fb3...)`."""
        details = []
        if self.operation:
            details.append(self.operation.removeprefix("OperationType").lower())
        created = self.created_at
        if created is not None:
            details.append(f"since {created:%Y-%m-%d %H:%M:%S} UTC")
        elif self.created:
            details.append(f"since {self.created}")
        details.append(f"lock ID {self.id}")
        return f"{self.who or 'an unknown holder'} ({', '.join(details)})"


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
    holder. Processes of other users cannot be inspected and are not listed.
    """
    wanted = _resolve(root)
    found = []
    uid = os.getuid()
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) in (os.getpid(), exclude):
            continue
        process = _terraform_process(entry, uid)
        if process is None or process.root != wanted:
            continue
        if state is not None and process.state not in (None, state):
            continue
        found.append(process)
    return sorted(found, key=lambda process: process.pid)


def _terraform_process(entry: Path, uid: int) -> TerraformProcess | None:
    try:
        if entry.stat().st_uid != uid:
            return None
        argv = entry.joinpath("cmdline").read_bytes().split(b"\0")
        if not argv or Path(argv[0].decode(errors="replace")).name not in _TERRAFORM_NAMES:
            return None
        if _process_state(entry) == "Z":
            return None
        cwd = (entry / "cwd").readlink()
        environ = _environ(entry.joinpath("environ").read_bytes())
    except OSError:
        return None  # gone meanwhile, or not ours to read
    args = [arg.decode(errors="replace") for arg in argv if arg]
    root = cwd
    for arg in args[1:]:
        if arg.startswith("-chdir="):
            root = cwd / arg.removeprefix("-chdir=")
            break
    root = _resolve(root)
    return TerraformProcess(
        pid=int(entry.name),
        root=root,
        command=shlex.join(args),
        state=state_location(root, environ),
    )


def _environ(raw: bytes) -> dict[str, str]:
    pairs = (item.decode(errors="replace").partition("=") for item in raw.split(b"\0") if item)
    return {name: value for name, _, value in pairs}


def _process_state(entry: Path) -> str:
    stat = entry.joinpath("stat").read_text(encoding="utf-8", errors="replace")
    return stat.rpartition(")")[2].split()[0]


def _resolve(path: Path) -> Path:
    with contextlib.suppress(OSError):
        return path.resolve()
    return path


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


class StateLockedError(ObsctlError):
    """Terraform could not take the state lock: the sentence names the holder."""

    def __init__(self, message: str, hint: str, verdict: LockVerdict | None) -> None:
        super().__init__(message, hint=hint)
        self.verdict = verdict


def state_lock_error(
    lock: LockInfo | None,
    root: Path,
    where: str,
    unlock: str,
    detail: str | None = None,
    state: str | None = None,
) -> StateLockedError:
    """One sentence naming the holder of the lock on `where`, and the safe way out.

    `where` reads like "prod on the local target"; `unlock` is the command that releases a lock
    of this workspace without its ID (`obsctl unlock --env prod --target local`).
    """
    if lock is None:
        error = StateLockedError(
            f"The state of {where} is locked by another Terraform run.",
            hint="Wait for it to finish; run `-v` to see Terraform's own message.",
            verdict=None,
        )
        error.detail = detail
        return error
    verdict = judge_lock(lock, root, state)
    message = f"The state of {where} is locked by {lock.describe()}."
    if verdict.holders:
        pids = ", ".join(str(process.pid) for process in verdict.holders)
        hint = (
            f"Terraform (pid {pids}) on this machine still runs {root}: wait for it to finish; "
            "never release a lock that is in use."
        )
    elif verdict.taken_here:
        hint = (
            f"No Terraform process on this machine runs {root} any more, so the lock is stale "
            f"(a killed run left it): release it with `{unlock} {lock.id}`."
        )
    else:
        hint = (
            f"It was taken on {lock.host or 'another machine'}, so obsctl cannot tell whether "
            f"that run is alive: ask {lock.who or 'its owner'}, and only once it is over release "
            f"it with `{unlock} {lock.id}`."
        )
    error = StateLockedError(message, hint=hint, verdict=verdict)
    error.detail = detail
    return error


# -- obsctl's workspace lock --------------------------------------------------------------------


class WorkspaceBusyError(ObsctlError):
    """Another obsctl command holds the workspace."""


@dataclass
class _Held:
    fd: int
    count: int = 1


_HELD: dict[Path, _Held] = {}


@dataclass
class WorkspaceLock:
    """An exclusive flock on `path`, held until `release()` or the end of the process.

    Re-entrant within one process (several sessions of one workspace in one Python process share
    it); another process fails at once with the holder's pid, start time and command.
    """

    path: Path
    where: str
    held: bool = field(default=False, init=False)

    def acquire(self) -> None:
        if self.held:
            return
        key = _resolve(self.path)
        if key in _HELD:
            _HELD[key].count += 1
            self.held = True
            return
        key.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            raise self._busy(holder) from None
        os.set_inheritable(fd, False)
        record = json.dumps(
            {"pid": os.getpid(), "since": time.time(), "command": _command_line()}
        ).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, record, 0)
        _HELD[key] = _Held(fd)
        self.held = True

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        key = _resolve(self.path)
        held = _HELD.get(key)
        if held is None:
            return
        held.count -= 1
        if held.count <= 0:
            del _HELD[key]
            with contextlib.suppress(OSError):
                os.ftruncate(held.fd, 0)
            os.close(held.fd)  # closing the descriptor drops the flock

    def _busy(self, holder: dict[str, Any]) -> WorkspaceBusyError:
        pid = holder.get("pid")
        since = holder.get("since")
        when = (
            f" since {datetime.fromtimestamp(float(since), UTC):%Y-%m-%d %H:%M:%S} UTC"
            if isinstance(since, int | float)
            else ""
        )
        command = f" (`{holder['command']}`)" if holder.get("command") else ""
        who = f"obsctl pid {pid}" if pid else "another obsctl process"
        return WorkspaceBusyError(
            f"{self.where} is locked by {who}{when}{command}.",
            hint="Wait for that command to finish: two obsctl runs on one workspace would race "
            "for the same Terraform state (the lock goes away with that process).",
        )


def _read_holder(fd: int) -> dict[str, Any]:
    """The holder's record; it may be missing for a moment right after the holder locked."""
    for _ in range(5):
        try:
            data = json.loads(os.pread(fd, 4096, 0) or b"{}")
        except ValueError:
            data = {}
        if data:
            return data if isinstance(data, dict) else {}
        time.sleep(0.02)
    return {}


def _command_line() -> str:
    args = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv and sys.argv[0] else []
    return " ".join(args)


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """A blocking flock on `path` for a short critical section shared by obsctl processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def local_state_locked(state_file: Path) -> bool:
    """Whether a process holds Terraform's lock on a local state file (a POSIX record lock)."""
    if not state_file.exists():
        return False
    fd = os.open(state_file, os.O_RDONLY)
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


# -- reading a stored backend lock -------------------------------------------------------------


def local_lock_holder(state_file: Path) -> LockInfo | None:
    """The holder of a local state's lock (Terraform writes `.<name>.lock.info` beside it)."""
    if not local_state_locked(state_file):
        return None
    info = state_file.with_name(f".{state_file.name}.lock.info")
    try:
        return LockInfo.from_json(json.loads(info.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return LockInfo(id="")


def s3_lock_holder(s3: Any, bucket: str, key: str) -> LockInfo | None:
    try:
        body = s3.get_object(Bucket=bucket, Key=f"{key}.tflock")["Body"].read()
        return LockInfo.from_json(json.loads(body))
    except Exception:  # no lock object (or no bucket): not locked there
        return None


def backend_lock_holder(root: Path) -> LockInfo | None:
    """The S3 lock file of the backend `terraform init` configured in the root, if readable."""
    import boto3

    cached = root / ".terraform" / "terraform.tfstate"
    try:
        backend = json.loads(cached.read_text(encoding="utf-8")).get("backend") or {}
    except (OSError, ValueError):
        return None
    config = backend.get("config") or {}
    if backend.get("type") != "s3" or not config.get("bucket") or not config.get("key"):
        return None
    session = boto3.Session(profile_name=config.get("profile"), region_name=config.get("region"))
    if config.get("use_lockfile"):
        lock = s3_lock_holder(session.client("s3"), config["bucket"], config["key"])
        if lock is not None:
            return lock
    if config.get("dynamodb_table"):
        with contextlib.suppress(Exception):
            item = session.client("dynamodb").get_item(
                TableName=config["dynamodb_table"],
                Key={"LockID": {"S": f"{config['bucket']}/{config['key']}"}},
            )
            info = item.get("Item", {}).get("Info", {}).get("S")
            if info:
                return LockInfo.from_json(json.loads(info))
    return None
