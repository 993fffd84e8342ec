"""Run Terraform commands with `-json`, stream their events and turn failures into one sentence.

Terraform runs in its own process group, so a Ctrl-C in the terminal reaches obsctl alone:
the first one is forwarded as SIGINT (Terraform stops cleanly and saves its state), a second
one is forwarded again (Terraform exits at once). Either way the command ends with
`TerraformInterruptedError`.

Three more endings have their own sentence: Terraform killed by a signal
(`TerraformKilledError`), a state lock held by someone else (`lock_error`, which the caller can
set to name the holder and the workspace's unlock command), and a watchdog verdict: `watchdog`
is polled while Terraform runs, and when it returns an error (the local AWS died, say) Terraform
is killed at once and that error is raised instead of minutes of connection retries.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obsctl.errors import ExitCode, ObsctlError
from obsctl.terraform.locks import LOCK_SUMMARY, LockInfo

Event = dict[str, Any]
EventHandler = Callable[[Event], None]
# Called with the subcommand while Terraform runs; an error it returns stops Terraform.
Watchdog = Callable[[str], ObsctlError | None]
# Turns a lock failure (the holder, if Terraform printed it) into the error to raise.
LockErrorFactory = Callable[[LockInfo | None, "TerraformError"], ObsctlError]
_WATCH_INTERVAL = 0.25


@dataclass(frozen=True)
class Diagnostic:
    """One error or warning Terraform reported."""

    severity: str
    summary: str
    detail: str = ""
    address: str | None = None
    filename: str | None = None
    line: int | None = None

    @classmethod
    def from_event(cls, event: Event) -> Diagnostic:
        diagnostic = event.get("diagnostic", {})
        source = diagnostic.get("range") or {}
        return cls(
            severity=diagnostic.get("severity", "error"),
            summary=diagnostic.get("summary", event.get("@message", "")),
            detail=diagnostic.get("detail", ""),
            address=diagnostic.get("address"),
            filename=source.get("filename"),
            line=(source.get("start") or {}).get("line"),
        )

    def render(self) -> str:
        where = f" ({self.filename}:{self.line})" if self.filename else ""
        detail = f"\n{self.detail.strip()}" if self.detail.strip() else ""
        return f"{self.severity}: {self.summary}{where}{detail}"


# Terraform refusing an input: its detail's first paragraph is the sentence that names it.
_INPUT_ERRORS = (
    "Invalid value for variable",
    "Invalid value for input variable",
    "Value for undeclared variable",
    "No value for required variable",
)
_CHECKED_BY = re.compile(r"This was checked by the validation rule at (?P<where>\S+?)\.?$", re.M)


class TerraformError(ObsctlError):
    """A Terraform command failed; the message is its first error, the detail all of them.

    A refused input (a variable's validation, an undeclared or missing variable) is bad input,
    not a failure: its own sentence becomes the message and the exit code is the usage one.
    """

    def __init__(self, command: str, diagnostics: list[Diagnostic], stderr: str = "") -> None:
        errors = [d for d in diagnostics if d.severity == "error"]
        if errors and errors[0].summary.rstrip(".") in _INPUT_ERRORS and errors[0].detail.strip():
            first = errors[0]
            message = " ".join(first.detail.strip().split("\n\n")[0].split())
            checked = _CHECKED_BY.search(first.detail)
            hint = f"checked by {checked['where']}" if checked else None
            if len(errors) > 1:
                more = (
                    f"and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''}; run with -v"
                )
                hint = f"{hint} ({more})" if hint else more.capitalize() + "."
            self.exit_code = ExitCode.USAGE
        elif errors:
            first = errors[0]
            subject = f" in {first.address}" if first.address else ""
            message = f"terraform {command} failed{subject}: {first.summary.rstrip('.')}."
            hint = _first_sentence(first.detail)
        else:
            tail = stderr.strip().splitlines()[-1] if stderr.strip() else "no diagnostic"
            message, hint = f"terraform {command} failed: {tail}", None
        details = [d.render() for d in diagnostics] + ([stderr.strip()] if stderr.strip() else [])
        super().__init__(message, hint=hint, detail="\n\n".join(details) or None)
        self.command = command
        self.diagnostics = diagnostics


class TerraformInterruptedError(ObsctlError):
    exit_code = ExitCode.INTERRUPTED

    def __init__(self, message: str, hint: str | None = None, *, forced: bool = False) -> None:
        super().__init__(message, hint=hint)
        self.forced = forced


class TerraformKilledError(ObsctlError):
    """Terraform ended by a signal nobody in obsctl sent (SIGKILL, the OOM killer...)."""

    def __init__(self, command: str, signum: int, stderr: str = "") -> None:
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        super().__init__(
            f"terraform {command} was killed ({name}) before it finished.",
            hint="Run the same obsctl command again: it picks up from what Terraform saved.",
            detail=stderr.strip() or None,
        )
        self.command = command
        self.signum = signum


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

    def __init__(self, binary: Path, root: Path, env: Mapping[str, str]) -> None:
        self.binary = binary
        self.root = root
        self.env = dict(env)
        self.watchdog: Watchdog | None = None
        self.lock_error: LockErrorFactory | None = None
        # Told the pid of every Terraform process this object starts (the apply journal).
        self.on_process_start: Callable[[int, str], None] | None = None

    # -- commands -------------------------------------------------------------------------

    def init(
        self, backend_config: Mapping[str, str] | None = None, reconfigure: bool = False
    ) -> None:
        args = ["init", "-input=false", "-json"]
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

    def apply(self, plan_file: Path, on_event: EventHandler | None = None) -> Completed:
        completed = self.run(["apply", "-input=false", "-json", str(plan_file)], on_event=on_event)
        self._check("apply", completed)
        return completed

    def apply_auto(
        self, variables: Iterable[str] = (), on_event: EventHandler | None = None
    ) -> Completed:
        """Plan and apply in one run, without a saved plan or a question."""
        args = ["apply", "-input=false", "-json", "-auto-approve", *variables]
        completed = self.run(args, on_event=on_event)
        self._check("apply", completed)
        return completed

    def show_plan(self, plan_file: Path) -> dict[str, Any]:
        return self._json_output("show", ["show", "-json", str(plan_file)])

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
            text = _plain(completed.stderr + completed.stdout).strip()
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
        if self.on_process_start is not None:
            self.on_process_start(process.pid, args[0])
        stderr_chunks: list[str] = []
        reader = threading.Thread(
            target=lambda: stderr_chunks.append(process.stderr.read()),  # type: ignore[union-attr]
            daemon=True,
        )
        reader.start()
        watcher = _Watcher(process, args[0], self.watchdog)
        completed = Completed(returncode=-1)
        stdout_lines: list[str] = []
        with _forward_interrupts(process) as interrupts:
            watcher.start()
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
                    if on_event is not None:
                        on_event(event)
                completed.returncode = process.wait()
            finally:
                watcher.stop()
        reader.join()
        completed.stdout = "".join(stdout_lines)
        completed.stderr = "".join(stderr_chunks)
        if watcher.verdict is not None:
            raise watcher.verdict
        if interrupts.count:
            if interrupts.count > 1:
                _kill_group(process.pid)
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
            _kill_group(process.pid)
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
        plain = _plain(text)
        if LOCK_SUMMARY in plain:
            error = TerraformError(command, [], text)
            raise self._lock_failure(LockInfo.from_text(plain), error) from error

    def _lock_failure(self, lock: LockInfo | None, error: TerraformError) -> ObsctlError:
        if self.lock_error is not None:
            return self.lock_error(lock, error)
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


def _kill_group(pgid: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _parse_event(line: str) -> Event | None:
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BOX = re.compile(r"^[ \t]*[\u2502\u2575\u2577][ \t]?", re.M)


def _plain(text: str) -> str:
    """Terraform's human output without colours and the box-drawing margin."""
    return _BOX.sub("", _ANSI.sub("", text))


def _first_sentence(text: str) -> str | None:
    text = " ".join(text.split())
    if not text:
        return None
    end = text.find(". ")
    return text if end == -1 else text[: end + 1]


@dataclass
class _InterruptCounter:
    count: int = 0


class _Watcher:
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
                with suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                return


@contextmanager
def _forward_interrupts(process: subprocess.Popen[str]):  # type: ignore[no-untyped-def]
    """While `process` runs, SIGINT to obsctl is forwarded to it instead of raising."""
    counter = _InterruptCounter()
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
