"""The apply journal: how the next command learns that the last apply did not finish.

Before Terraform applies, obsctl writes `apply-in-progress.json` in the workspace's work dir with
its own pid (and, once Terraform starts, Terraform's); it removes the file when the apply
succeeds and records the outcome otherwise (failed, interrupted, killed). The next command that
prepares the workspace finds the journal: its obsctl process is gone, so the last apply did not
finish, and `obsctl.recovery` deals with what it left.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from obsctl import processes

JOURNAL_NAME = "apply-in-progress.json"
# Outcomes an obsctl process records itself; a journal without one means obsctl was killed.
OUTCOMES = ("failed", "interrupted", "killed")


@dataclass
class ApplyRecord:
    """One apply obsctl started: who ran it, against what, and how it ended (if it knows).

    `pid_start` and `terraform_start` are process start times (seconds since the epoch): with
    the pid they tell the recorded process from a later one that got the same pid.
    """

    pid: int
    pid_start: float | None
    started_at: float
    label: str
    target: str
    root: str
    command: str = ""
    sandbox_instance: str | None = None
    terraform_pid: int | None = None
    terraform_start: float | None = None
    outcome: str | None = None

    @property
    def process_alive(self) -> bool:
        return processes.alive(self.pid, self.pid_start)

    @property
    def terraform_alive(self) -> bool:
        return self.terraform_pid is not None and processes.alive(
            self.terraform_pid, self.terraform_start
        )

    def stop_leftover_plugins(self) -> list[int]:
        """Kill the provider plugins the recorded Terraform left once Terraform itself is gone.

        They stay in its process group, finish creating what was in flight (resources no state
        will record) and then wait forever. Only plugin processes of this user in that group are
        signalled. Returns their pids.
        """
        if self.terraform_pid is None or self.terraform_alive:
            return []
        plugins = processes.provider_plugins_in_group(self.terraform_pid)
        processes.kill(plugins)
        return plugins

    def how_it_ended(self) -> str:
        """How it ended: "was interrupted", "was killed", "failed" or "was cut short (...)"."""
        return {
            "failed": "failed",
            "interrupted": "was interrupted",
            "killed": "was killed",
        }.get(self.outcome or "", "was cut short (obsctl itself was killed)")

    def when(self) -> str:
        return f"{datetime.fromtimestamp(self.started_at, UTC):%Y-%m-%d %H:%M:%S} UTC"


@dataclass(frozen=True)
class ApplyJournal:
    """The journal file of one workspace."""

    work_dir: Path

    @property
    def path(self) -> Path:
        return self.work_dir / JOURNAL_NAME

    def begin(
        self, *, label: str, target: str, root: Path, sandbox_instance: str | None
    ) -> ApplyRecord:
        record = ApplyRecord(
            pid=os.getpid(),
            pid_start=processes.start_time(os.getpid()),
            started_at=time.time(),
            label=label,
            target=target,
            root=str(root),
            command=" ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "",
            sandbox_instance=sandbox_instance,
        )
        self._write(record)
        return record

    def terraform_started(self, pid: int) -> None:
        record = self.read()
        if record is not None and record.pid == os.getpid():
            record.terraform_pid, record.terraform_start = pid, processes.start_time(pid)
            self._write(record)

    def finish(self, outcome: str | None) -> None:
        """None (success) removes the journal; an outcome keeps it for the next command."""
        if outcome is None:
            self.clear()
            return
        record = self.read()
        if record is not None and record.pid == os.getpid():
            record.outcome = outcome
            self._write(record)

    def read(self) -> ApplyRecord | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return ApplyRecord(**data)
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            # A journal cut mid-write: its apply did not finish either.
            return ApplyRecord(0, None, self.path.stat().st_mtime, "", "", "", outcome="killed")

    def unfinished(self) -> ApplyRecord | None:
        """The last apply's record when it did not finish and its obsctl process is gone."""
        record = self.read()
        if record is None or (record.outcome is None and record.process_alive):
            return None
        if record.pid == os.getpid():
            return None  # this very process wrote it (several sessions in one process)
        return record

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def _write(self, record: ApplyRecord) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(record)), encoding="utf-8")
        partial.replace(self.path)
