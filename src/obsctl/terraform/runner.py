"""Run Terraform commands with `-json`, stream their events and turn failures into one sentence.

A `Terraform` object runs commands against one root module. What it should do beyond running
them is given when it is made, never set from outside afterwards:

- `watchdog`: polled while Terraform runs; when it returns an error (the local AWS died, say)
  Terraform is killed at once and that error is raised instead of minutes of connection retries
  (`obsctl.terraform.supervise`, which also forwards Ctrl-C: see `TerraformInterruptedError`).
- `lock_error`: turns a state lock held by someone else (and its holder, as Terraform printed
  it) into the error to raise, so the sentence can name the workspace's unlock command.
- `activity`: what the user sees meanwhile, a status line during init and plan, and where
  Terraform's warnings go (`obsctl.terraform.activity`).

Callers that must know each Terraform process (the apply journal) pass `on_start` to the command.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obsctl.errors import ObsctlError
from obsctl.terraform.activity import Activity
from obsctl.terraform.errors import (
    Diagnostic,
    Event,
    TerraformError,
    TerraformInterruptedError,
    TerraformKilledError,
    plain_text,
)
from obsctl.terraform.lockinfo import LOCK_SUMMARY, LockInfo
from obsctl.terraform.supervise import Watchdog, Watcher, forward_interrupts, kill_group

EventHandler = Callable[[Event], None]
# Turns a lock failure (the holder, if Terraform printed it) into the error to raise.
LockErrorFactory = Callable[[LockInfo | None, TerraformError], ObsctlError]
# Told the pid of each Terraform process a command starts.
ProcessStarted = Callable[[int], None]


@dataclass
class Completed:
    """The outcome of one Terraform command."""

    returncode: int
    events: list[Event] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic.from_event(e) for e in self.events if e.get("type") == "diagnostic"]

    @property
    def outputs(self) -> dict[str, Any] | None:
        """The root outputs an apply reported (shaped like `terraform output -json`)."""
        for event in reversed(self.events):
            if event.get("type") == "outputs":
                return dict(event.get("outputs") or {})
        return None


@dataclass(frozen=True)
class PlanResult:
    plan_file: Path
    has_changes: bool
    warnings: list[Diagnostic]
    events: list[Event] = field(default_factory=list)


class Terraform:
    """Terraform commands against one root module with one environment."""

    def __init__(
        self,
        binary: Path,
        root: Path,
        env: Mapping[str, str],
        *,
        watchdog: Watchdog | None = None,
        lock_error: LockErrorFactory | None = None,
        activity: Activity | None = None,
    ) -> None:
        self.binary = binary
        self.root = root
        # The environment of the next command (the local target points it at the local AWS).
        self.env = dict(env)
        self._watchdog = watchdog
        self._lock_error = lock_error
        self._activity = activity

    # -- commands -------------------------------------------------------------------------

    def init(
        self,
        backend_config: Mapping[str, str] | None = None,
        reconfigure: bool = False,
        backend_file: Path | None = None,
    ) -> None:
        args = ["init", "-input=false", "-json"]
        args += [f"-backend-config={backend_file}"] if backend_file is not None else []
        args += [f"-backend-config={key}={value}" for key, value in (backend_config or {}).items()]
        if reconfigure:
            args.append("-reconfigure")
        self._check("init", self.run(args))

    def plan(
        self,
        out: Path,
        variables: Iterable[str] = (),
        *,
        destroy: bool = False,
        refresh_only: bool = False,
        on_event: EventHandler | None = None,
    ) -> PlanResult:
        args = ["plan", "-input=false", "-json", "-detailed-exitcode", f"-out={out}"]
        args += ["-destroy"] if destroy else []
        args += ["-refresh-only"] if refresh_only else []
        args += list(variables)
        completed = self.run(args, on_event=on_event, accepted=(0, 2))
        self._check("plan", completed, accepted=(0, 2))
        warnings = [d for d in completed.diagnostics if d.severity == "warning"]
        return PlanResult(
            plan_file=out,
            has_changes=completed.returncode == 2,
            warnings=warnings,
            events=completed.events,
        )

    def apply(
        self,
        plan_file: Path,
        on_event: EventHandler | None = None,
        on_start: ProcessStarted | None = None,
    ) -> Completed:
        args = ["apply", "-input=false", "-json", str(plan_file)]
        completed = self.run(args, on_event=on_event, on_start=on_start)
        self._check("apply", completed)
        return completed

    def apply_auto(
        self,
        variables: Iterable[str] = (),
        on_event: EventHandler | None = None,
        on_start: ProcessStarted | None = None,
    ) -> Completed:
        """Plan and apply in one run, without a saved plan or a question."""
        args = ["apply", "-input=false", "-json", "-auto-approve", *variables]
        completed = self.run(args, on_event=on_event, on_start=on_start)
        self._check("apply", completed)
        return completed

    def show_plan(self, plan_file: Path) -> dict[str, Any]:
        return self._json_output("show", ["show", "-json", str(plan_file)])

    def show_plan_text(self, plan_file: Path, *, color: bool = False) -> str:
        """A saved plan as Terraform prints it for people (`terraform show PLANFILE`)."""
        args = ["show", str(plan_file)] + ([] if color else ["-no-color"])
        completed = self.run(args, stream=False)
        if completed.returncode != 0:
            raise TerraformError("show", [], completed.stderr or completed.stdout)
        return completed.stdout

    def show_state(self) -> dict[str, Any]:
        return self._json_output("show", ["show", "-json"])

    def outputs(self) -> dict[str, Any]:
        return self._json_output("output", ["output", "-json"])

    def validate(self) -> Completed:
        completed = self.run(["validate", "-json"], stream=False)
        return completed

    def state_pull(self) -> dict[str, Any]:
        """The raw state document, without starting the provider (about 1 s)."""
        completed = self.run(["state", "pull"], stream=False)
        if completed.returncode != 0:
            self._raise_lock_error("state pull", completed.stderr)
            raise TerraformError("state pull", [], completed.stderr or completed.stdout)
        try:
            return json.loads(completed.stdout or "{}")
        except ValueError as error:
            raise ObsctlError("terraform state pull printed something that is not JSON.") from error

    def force_unlock(self, lock_id: str) -> None:
        """`terraform force-unlock -force LOCK_ID` (it has no -json output)."""
        completed = self.run(["force-unlock", "-force", lock_id], stream=False)
        if completed.returncode != 0:
            text = plain_text(completed.stderr + completed.stdout).strip()
            summary = next((line.strip() for line in text.splitlines() if line.strip()), "")
            raise TerraformError(
                "force-unlock",
                [Diagnostic("error", summary.removeprefix("Error: ") or "no diagnostic", text)],
            )

    # -- plumbing -------------------------------------------------------------------------

    def run(
        self,
        args: list[str],
        *,
        on_event: EventHandler | None = None,
        on_start: ProcessStarted | None = None,
        accepted: tuple[int, ...] = (0,),
        stream: bool = True,
    ) -> Completed:
        """Run `terraform -chdir=<root> <args>`; parse stdout as a JSON event stream if `stream`."""
        command = [str(self.binary), f"-chdir={self.root}", *args]
        process = subprocess.Popen(  # the binary was resolved by obsctl.terraform.binary
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=self.env,
            text=True,
            start_new_session=True,
        )
        if on_start is not None:
            on_start(process.pid)
        stderr_chunks: list[str] = []
        reader = threading.Thread(
            target=lambda: stderr_chunks.append(process.stderr.read()),  # type: ignore[union-attr]
            daemon=True,
        )
        reader.start()
        watcher = Watcher(process, args[0], self._watchdog)
        completed = Completed(returncode=-1)
        stdout_lines: list[str] = []
        activity = self._activity if stream else None
        with forward_interrupts(process) as interrupts:
            watcher.start()
            if activity is not None:
                activity.started(args, self.root)
            try:
                assert process.stdout is not None
                for line in process.stdout:
                    stdout_lines.append(line)
                    if not stream:
                        continue
                    event = _parse_event(line)
                    if event is None:
                        continue
                    completed.events.append(event)
                    if activity is not None:
                        activity.event(event)
                    if on_event is not None:
                        on_event(event)
                completed.returncode = process.wait()
            finally:
                if activity is not None:
                    activity.finished()
                watcher.stop()
        reader.join()
        completed.stdout = "".join(stdout_lines)
        completed.stderr = "".join(stderr_chunks)
        if watcher.verdict is not None:
            raise watcher.verdict
        if interrupts.count:
            if interrupts.count > 1:
                kill_group(process.pid)
            raise TerraformInterruptedError(
                f"terraform {args[0]} was interrupted"
                + (
                    " and stopped immediately." if interrupts.count > 1 else " and stopped cleanly."
                ),
                hint=(
                    "Terraform saved what it had done; run the same obsctl command again to resume "
                    "(it first deals with what the interrupted creates left outside the state)."
                    if interrupts.count == 1
                    else "A second interrupt skips saving: the state may be locked or behind; "
                    "run `obsctl status` before anything else."
                ),
                forced=interrupts.count > 1,
            )
        if completed.returncode < 0:
            # Its provider plugins outlive a killed Terraform and finish what was in flight
            # (creating resources no state will ever record): stop them too.
            kill_group(process.pid)
            raise TerraformKilledError(args[0], -completed.returncode, completed.stderr)
        if completed.returncode not in accepted and not completed.events:
            self._raise_lock_error(args[0], completed.stderr or completed.stdout)
            raise TerraformError(args[0], [], completed.stderr or completed.stdout)
        return completed

    def _check(self, command: str, completed: Completed, accepted: tuple[int, ...] = (0,)) -> None:
        if completed.returncode not in accepted:
            error = TerraformError(command, completed.diagnostics, completed.stderr)
            for diagnostic in completed.diagnostics:
                if diagnostic.severity == "error" and diagnostic.summary.startswith(LOCK_SUMMARY):
                    raise self._lock_failure(
                        LockInfo.from_text(f"{diagnostic.summary}\n{diagnostic.detail}"), error
                    ) from error
            raise error

    def _raise_lock_error(self, command: str, text: str) -> None:
        """Raise the lock failure when Terraform's plain-text output reports one."""
        plain = plain_text(text)
        if LOCK_SUMMARY in plain:
            error = TerraformError(command, [], text)
            raise self._lock_failure(LockInfo.from_text(plain), error) from error

    def _lock_failure(self, lock: LockInfo | None, error: TerraformError) -> ObsctlError:
        if self._lock_error is not None:
            return self._lock_error(lock, error)
        holder = f" by {lock.describe()}" if lock is not None else ""
        return ObsctlError(
            f"The Terraform state of {self.root} is locked{holder}.",
            hint="Wait for the holder to finish; release a stale lock with `obsctl unlock`.",
            detail=error.detail,
        )

    def _json_output(self, command: str, args: list[str]) -> dict[str, Any]:
        completed = self.run(args, stream=False)
        if completed.returncode != 0:
            raise TerraformError(command, [], completed.stderr or completed.stdout)
        try:
            return json.loads(completed.stdout or "{}")
        except ValueError as error:
            raise ObsctlError(
                f"terraform {command} -json printed something that is not JSON."
            ) from error


def _parse_event(line: str) -> Event | None:
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None
