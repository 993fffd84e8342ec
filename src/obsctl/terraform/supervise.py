"""Watching a running Terraform process: Ctrl-C forwarding, the watchdog, killing its group.

Terraform runs in its own process group, so a Ctrl-C in the terminal reaches obsctl alone: each
one is forwarded as SIGINT (the first stops Terraform cleanly, the second at once). A watchdog
is polled while Terraform runs; when it returns an error (the local AWS died, say) Terraform's
process group is killed at once and that error is what the command raises.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from obsctl.errors import ObsctlError

# Called with the subcommand while Terraform runs; an error it returns stops Terraform.
Watchdog = Callable[[str], ObsctlError | None]
_WATCH_INTERVAL = 0.25


def kill_group(pgid: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


@dataclass
class InterruptCounter:
    count: int = 0


class Watcher:
    """Polls a watchdog while Terraform runs; on its verdict, kills Terraform's process group.

    SIGKILL rather than SIGINT: the watchdog fires when whatever Terraform talks to is gone,
    so a clean stop would only retry against it (and try to save a state nobody can read).
    """

    def __init__(
        self, process: subprocess.Popen[str], command: str, watchdog: Watchdog | None
    ) -> None:
        self.process, self.command, self.watchdog = process, command, watchdog
        self.verdict: ObsctlError | None = None
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.watchdog is not None:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()

    def _watch(self) -> None:
        assert self.watchdog is not None
        while not self._done.wait(_WATCH_INTERVAL):
            if self.process.poll() is not None:
                return
            verdict = self.watchdog(self.command)
            if verdict is not None:
                self.verdict = verdict
                kill_group(self.process.pid)
                return


@contextmanager
def forward_interrupts(process: subprocess.Popen[str]) -> Iterator[InterruptCounter]:
    """While `process` runs, SIGINT to obsctl is forwarded to it instead of raising."""
    counter = InterruptCounter()
    if threading.current_thread() is not threading.main_thread():
        yield counter
        return

    def forward(signum: int, frame: Any) -> None:
        counter.count += 1
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)

    previous = signal.signal(signal.SIGINT, forward)
    try:
        yield counter
    finally:
        signal.signal(signal.SIGINT, previous)
