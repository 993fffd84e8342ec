"""Process and lock code on a faked macOS: psutil answers from a made-up process table, and any
read of /proc fails the test. What the sandbox, the lock holders and the journal decide must
come from psutil alone, so it holds on every platform psutil supports."""

from __future__ import annotations

import json
import pathlib
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import filelock
import psutil
import pytest

from obsctl import processes
from obsctl.sandbox import Sandbox
from obsctl.terraform.holders import terraform_processes
from obsctl.workspace.journal import ApplyRecord
from obsctl.workspace.lock import WorkspaceBusyError, WorkspaceLock

ME = 1000
OTHER_USER = 1001


@dataclass
class FakeProcess:
    """One entry of the made-up process table, shaped like psutil.Process."""

    pid: int
    cmdline_: list[str]
    uid: int = ME
    cwd_: str = "/"
    environ_: dict[str, str] = field(default_factory=dict)
    status_: str = psutil.STATUS_RUNNING
    create_time_: float = 1_700_000_000.0
    pgid: int = 0
    signals: list[str] = field(default_factory=list)

    @property
    def info(self) -> dict[str, Any]:
        return {"uids": _Uids(self.uid), "cmdline": self.cmdline_}

    def _check(self) -> None:
        if self.pid not in TABLE:
            raise psutil.NoSuchProcess(self.pid)

    def cmdline(self) -> list[str]:
        self._check()
        if self.uid != ME:
            raise psutil.AccessDenied(self.pid)
        return self.cmdline_

    def cwd(self) -> str:
        self._check()
        return self.cwd_

    def environ(self) -> dict[str, str]:
        self._check()
        return self.environ_

    def status(self) -> str:
        self._check()
        return self.status_

    def create_time(self) -> float:
        self._check()
        return self.create_time_

    def terminate(self) -> None:
        self._check()
        self.signals.append("TERM")
        del TABLE[self.pid]

    def kill(self) -> None:
        self._check()
        self.signals.append("KILL")
        del TABLE[self.pid]

    def wait(self, timeout: float | None = None) -> int:
        return 0


@dataclass
class _Uids:
    real: int


TABLE: dict[int, FakeProcess] = {}


@pytest.fixture
def macos(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[int, FakeProcess]]:
    """sys.platform says darwin, /proc cannot be read, psutil serves TABLE."""
    TABLE.clear()
    monkeypatch.setattr(sys, "platform", "darwin")

    def no_proc(method: str) -> Any:
        original = getattr(pathlib.Path, method)

        def guarded(self: Path, *args: Any, **kwargs: Any) -> Any:
            assert not str(self).startswith("/proc"), f"read {self} on a platform without /proc"
            return original(self, *args, **kwargs)

        return guarded

    for method in ("read_bytes", "read_text", "iterdir", "glob", "readlink", "exists", "stat"):
        monkeypatch.setattr(pathlib.Path, method, no_proc(method))

    def process(pid: int) -> FakeProcess:
        if pid not in TABLE:
            raise psutil.NoSuchProcess(pid)
        return TABLE[pid]

    monkeypatch.setattr(psutil, "Process", process)
    monkeypatch.setattr(psutil, "process_iter", lambda attrs=None: list(TABLE.values()))
    monkeypatch.setattr(psutil, "wait_procs", lambda procs, timeout=None: (procs, []))
    monkeypatch.setattr("os.getuid", lambda: ME)
    monkeypatch.setattr("os.getpgid", lambda pid: process(pid).pgid)
    yield TABLE
    TABLE.clear()


def _add(process: FakeProcess) -> FakeProcess:
    TABLE[process.pid] = process
    return process


# -- the sandbox ----------------------------------------------------------------------------


def _recorded_sandbox(tmp_path: Path, pid: int, instance_id: str) -> Sandbox:
    sandbox = Sandbox(tmp_path / "sandbox")
    sandbox.workdir.mkdir(parents=True)
    info = {"pid": pid, "port": 4566, "instance_id": instance_id, "started_at": time.time()}
    (sandbox.workdir / "sandbox.json").write_text(json.dumps(info))
    return sandbox


def _server(pid: int, instance_id: str) -> FakeProcess:
    argv = [sys.executable, "-m", "obsctl.sandbox.server", "--instance-id", instance_id]
    return _add(FakeProcess(pid, argv))


def test_on_macos_a_running_sandbox_is_found_and_stop_signals_it(
    macos: dict[int, FakeProcess], tmp_path: Path
) -> None:
    server = _server(4242, "abc123")
    sandbox = _recorded_sandbox(tmp_path, 4242, "abc123")
    running = sandbox.running()
    assert running is not None and running.pid == 4242, "it runs: `up` must not start another"
    assert sandbox.stop() is True
    assert server.signals == ["TERM"] and sandbox.running() is None


def test_on_macos_a_reused_pid_or_a_zombie_is_not_the_sandbox(
    macos: dict[int, FakeProcess], tmp_path: Path
) -> None:
    stranger = _add(FakeProcess(4242, ["/usr/bin/vim", "notes.txt"]))
    sandbox = _recorded_sandbox(tmp_path, 4242, "abc123")
    assert sandbox.running() is None
    assert sandbox.stop() is False and stranger.signals == [], "never signals another process"
    _server(4343, "def456").status_ = psutil.STATUS_ZOMBIE
    assert _recorded_sandbox(tmp_path / "z", 4343, "def456").running() is None


# -- Terraform processes holding a state ------------------------------------------------------


def test_on_macos_terraform_processes_of_this_user_on_the_root_are_the_holders(
    macos: dict[int, FakeProcess], tmp_path: Path
) -> None:
    root, elsewhere = tmp_path / "root", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    _add(FakeProcess(10, ["/usr/local/bin/terraform", "apply"], cwd_=str(root)))
    _add(FakeProcess(11, ["terraform", "-chdir=../root", "plan"], cwd_=str(elsewhere)))
    _add(FakeProcess(12, ["terraform", "apply"], cwd_=str(elsewhere)))  # another root
    _add(FakeProcess(13, ["terraform", "apply"], cwd_=str(root), uid=OTHER_USER))
    _add(FakeProcess(14, ["terraform", "apply"], cwd_=str(root), status_=psutil.STATUS_ZOMBIE))
    _add(FakeProcess(15, ["bash", "terraform"], cwd_=str(root)))  # not Terraform itself
    holders = terraform_processes(root)
    assert [holder.pid for holder in holders] == [10, 11]
    assert holders[1].command == "terraform -chdir=../root plan"


# -- the apply journal -------------------------------------------------------------------------


def test_on_macos_the_journal_tells_a_live_obsctl_from_a_reused_pid(
    macos: dict[int, FakeProcess],
) -> None:
    _add(FakeProcess(20, ["obsctl", "up"], create_time_=1_700_000_000.0))
    record = ApplyRecord(20, 1_700_000_000.0, 0.0, "dev", "local", "/r")
    assert record.process_alive
    reused = ApplyRecord(20, 1_600_000_000.0, 0.0, "dev", "local", "/r")
    assert not reused.process_alive, "same pid, another start time: another process"
    assert not ApplyRecord(21, None, 0.0, "dev", "local", "/r").process_alive


def test_on_macos_leftover_provider_plugins_of_a_dead_terraform_are_killed(
    macos: dict[int, FakeProcess],
) -> None:
    plugin = _add(FakeProcess(31, ["/x/terraform-provider-aws_v5.100.0_x5"], pgid=30))
    unrelated = _add(FakeProcess(32, ["/x/terraform-provider-aws_v5.100.0_x5"], pgid=99))
    foreign = _add(FakeProcess(33, ["terraform-provider-aws"], pgid=30, uid=OTHER_USER))
    record = ApplyRecord(1, None, 0.0, "dev", "local", "/r", terraform_pid=30)
    assert record.stop_leftover_plugins() == [31]
    assert plugin.signals == ["KILL"] and unrelated.signals == [] and foreign.signals == []


def test_process_helpers_answer_none_for_processes_that_are_gone(
    macos: dict[int, FakeProcess],
) -> None:
    assert processes.start_time(77) is None and processes.command_line(77) is None
    assert not processes.alive(0) and not processes.alive(77)
    _add(FakeProcess(78, ["x"], uid=OTHER_USER))
    assert processes.alive(78), "another user's process exists even if we cannot read it"


# -- obsctl's workspace lock -------------------------------------------------------------------


def test_on_macos_a_busy_workspace_names_the_holder_from_its_record(
    macos: dict[int, FakeProcess], tmp_path: Path
) -> None:
    path = tmp_path / "work" / "obsctl.lock"
    path.parent.mkdir()
    _add(FakeProcess(4040, ["obsctl", "up", "--env", "prod"]))
    holder = filelock.FileLock(path)  # its own descriptor: another holder, as flock sees it
    holder.acquire()
    try:
        record = {"pid": 4040, "since": 1_795_669_146.0, "command": "obsctl up --env prod"}
        path.with_name("obsctl.lock.holder").write_text(json.dumps(record))
        with pytest.raises(WorkspaceBusyError) as caught:
            WorkspaceLock(path, "prod on the local target").acquire()
        assert caught.value.message == (
            "prod on the local target is locked by obsctl pid 4040 since 2026-11-26 04:59:06 UTC "
            "(`obsctl up --env prod`)."
        )
    finally:
        holder.release()
    lock = WorkspaceLock(path, "prod on the local target")
    lock.acquire()
    assert json.loads(path.with_name("obsctl.lock.holder").read_text())["pid"] != 4040
    lock.release()
    assert not path.with_name("obsctl.lock.holder").exists()
