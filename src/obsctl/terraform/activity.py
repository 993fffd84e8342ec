"""What the user sees while Terraform works before an apply: a status line, and its warnings.

`terraform init` and `plan` can take half a minute with nothing to show for it. While they run
(and while `apply -auto-approve` plans, until its first change starts), `Activity` keeps one
status line on stderr: on a terminal it is redrawn every second with the time spent and what
Terraform has read so far, and cleared when the command ends; elsewhere (CI logs, pipes) it is
printed once when the command starts. Terraform's warnings are handed to `on_warning` as they
arrive, so the command's renderer can summarise them in one line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from obsctl.paths import shown
from obsctl.terraform.errors import Diagnostic, Event

# The commands that get a status line; `apply -auto-approve` only until its first change.
_SHOWN = {"init": "initialising", "plan": "planning", "apply": "planning"}
_ENDS_THE_LINE = ("apply_start", "change_summary")
_TICK = 1.0


class Activity:
    """The status line of one command at a time, and the warnings of all of them."""

    def __init__(
        self,
        stream: TextIO | None = None,
        on_warning: Callable[[Diagnostic], None] | None = None,
    ) -> None:
        self.stream = stream
        self.on_warning = on_warning
        self._lock = threading.Lock()
        self._command: str | None = None
        self._where = ""
        self._started = 0.0
        self._read = 0
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def interactive(self) -> bool:
        return bool(self.stream is not None and getattr(self.stream, "isatty", lambda: False)())

    def started(self, args: list[str], root: Path) -> None:
        """Terraform started in `root` with `args` (the subcommand first)."""
        command = args[0] if args else ""
        if self.stream is None or command not in _SHOWN:
            return
        if command == "apply" and "-auto-approve" not in args:
            return  # a saved plan: nothing left to plan, the apply's progress follows
        with self._lock:
            self._command, self._where = command, shown(root)
            self._started, self._read = time.monotonic(), 0
        if not self.interactive:
            self._write(f"{self._line()}\n")
            return
        self._stop.clear()
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()
        self._redraw()

    def event(self, event: Event) -> None:
        """One event of Terraform's JSON stream."""
        kind = event.get("type")
        if kind == "diagnostic" and self.on_warning is not None:
            diagnostic = Diagnostic.from_event(event)
            if diagnostic.severity == "warning":
                self.on_warning(diagnostic)
            return
        if self._command is None:
            return
        if kind in _ENDS_THE_LINE:
            self.finished()
        elif kind in ("refresh_complete", "planned_change"):
            with self._lock:
                self._read += 1
            self._redraw()

    def finished(self) -> None:
        """The command ended (or reached its apply): clear the line."""
        if self._command is None:
            return
        self._stop.set()
        if self._ticker is not None and self._ticker is not threading.current_thread():
            self._ticker.join()
        self._ticker = None
        if self.interactive:
            self._write("\r\x1b[2K")
        self._command = None

    def _line(self) -> str:
        doing = _SHOWN.get(self._command or "", "running")
        line = f"Terraform is {doing} in {self._where}"
        if not self.interactive:
            return f"{line}..."
        elapsed = int(time.monotonic() - self._started)
        read = f", {self._read} resources read" if self._read else ""
        return f"{line}{read} ({elapsed} s)"

    def _tick(self) -> None:
        while not self._stop.wait(_TICK):
            self._redraw()

    def _redraw(self) -> None:
        if self.interactive and self._command is not None:
            self._write(f"\r\x1b[2K{self._line()}")

    def _write(self, text: str) -> None:
        assert self.stream is not None
        with self._lock:
            try:
                self.stream.write(text)
                self.stream.flush()
            except (BrokenPipeError, ValueError):
                self.stream = None  # nobody reads stderr any more: go on silently
