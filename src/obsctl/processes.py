"""What obsctl asks the operating system about processes, through psutil.

The same calls work on Linux and macOS (psutil reads /proc on one and sysctl on the other), so
nothing here depends on the platform. A pid obsctl recorded is only taken for the same process
when its start time matches too: a pid the system reused for another program never passes.
Processes of other users are never inspected or signalled.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psutil

# psutil derives start times from clock ticks: two reads of one process agree far closer.
_SAME_START = 0.01


def start_time(pid: int) -> float | None:
    """When `pid` started (seconds since the epoch); None when there is no such process."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def alive(pid: int, started: float | None = None) -> bool:
    """Whether `pid` runs (a zombie does not) and, when `started` is given, started then."""
    if pid <= 0:
        return False
    try:
        process = psutil.Process(pid)
        if started is not None and abs(process.create_time() - started) > _SAME_START:
            return False  # the pid was reused by another process
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # it exists; it is not ours to inspect


def command_line(pid: int) -> list[str] | None:
    """The argv of a live process of this user; None when gone, a zombie or not readable."""
    try:
        return psutil.Process(pid).cmdline() or None
    except psutil.Error:
        return None


def own_processes() -> Iterator[psutil.Process]:
    """Every live process of this user except this one (psutil caches their argv)."""
    uid = os.getuid()
    me = os.getpid()
    for process in psutil.process_iter(["uids", "cmdline"]):
        uids = process.info.get("uids")
        if process.pid == me or uids is None or uids.real != uid:
            continue
        if process.info.get("cmdline"):
            yield process


def program(process: psutil.Process) -> str:
    """The file name of argv[0] ("terraform", "terraform-provider-aws_v5.100.0_x5")."""
    argv = process.info.get("cmdline") or []
    return Path(argv[0]).name if argv else ""


def provider_plugins_in_group(pgid: int) -> list[int]:
    """Terraform provider plugins of this user whose process group is `pgid`."""
    found = []
    for process in own_processes():
        if not program(process).startswith("terraform-provider-"):
            continue
        try:
            if os.getpgid(process.pid) == pgid:
                found.append(process.pid)
        except OSError:
            continue  # gone meanwhile
    return sorted(found)


def kill(pids: list[int], timeout: float = 5.0) -> None:
    """SIGKILL each process (still ours, still running) and wait until they are gone."""
    victims = []
    for pid in pids:
        try:
            process = psutil.Process(pid)
            process.kill()
        except psutil.Error:
            continue
        victims.append(process)
    psutil.wait_procs(victims, timeout=timeout)
