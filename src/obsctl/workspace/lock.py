"""obsctl's own locks: one command per workspace at a time, and short shared critical sections.

Both are filelock locks (flock on Linux and macOS), so they end with the process that holds
them, however it ends. The workspace lock is held for the whole obsctl command: a second obsctl
run on the same workspace stops before Terraform even starts and names the first, read from a
holder record the first writes beside the lock file. Terraform's own state lock still guards
against runs on other machines (or plain `terraform`); see `obsctl.terraform.locks`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import filelock

from obsctl import processes
from obsctl.errors import ObsctlError

HOLDER_SUFFIX = ".holder"
# The locks this process holds, by path: held until released, even when every WorkspaceLock
# object that took one is gone (filelock releases a lock object that is garbage-collected).
_HELD: dict[Path, filelock.BaseFileLock] = {}


class WorkspaceBusyError(ObsctlError):
    """Another obsctl command holds the workspace."""


@dataclass
class WorkspaceLock:
    """An exclusive lock on `path`, held until `release()` or the end of the process.

    Re-entrant within one process (several sessions of one workspace in one Python process share
    it); another process fails at once with the holder's pid, start time and command.
    """

    path: Path
    where: str
    held: bool = field(default=False, init=False)

    def acquire(self) -> None:
        if self.held:
            return
        lock = _shared_lock(self.path)
        first = not lock.is_locked
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            raise self._busy(_read_holder(self._holder)) from None
        if first:
            _write_holder(self._holder)
        _HELD[self.path.resolve()] = lock
        self.held = True

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        lock = _shared_lock(self.path)
        if lock.lock_counter == 1:
            self._holder.unlink(missing_ok=True)
            _HELD.pop(self.path.resolve(), None)
        lock.release()

    @property
    def _holder(self) -> Path:
        return self.path.with_name(self.path.name + HOLDER_SUFFIX)

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


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """A blocking lock on `path` for a short critical section shared by obsctl processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(path, thread_local=False):
        yield


def _shared_lock(path: Path) -> filelock.BaseFileLock:
    """The one lock object of this process for `path` (filelock counts re-entries on it)."""
    resolved = path.resolve()
    resolved.parent.mkdir(parents=True, exist_ok=True)
    return filelock.FileLock(resolved, is_singleton=True, thread_local=False)


def _write_holder(path: Path) -> None:
    record = {"pid": os.getpid(), "since": time.time(), "command": _command_line()}
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(record), encoding="utf-8")
    partial.replace(path)


def _read_holder(path: Path) -> dict[str, Any]:
    """The holder's record. Right after a holder took the lock, its record may be missing for a
    moment (or still be the one of a holder that was killed): wait a little for the real one."""
    data: dict[str, Any] = {}
    for _ in range(10):
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = None
        data = loaded if isinstance(loaded, dict) else {}
        pid = data.get("pid")
        if isinstance(pid, int) and processes.alive(pid):
            return data
        time.sleep(0.02)
    return data


def _command_line() -> str:
    args = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv and sys.argv[0] else []
    return " ".join(args)
