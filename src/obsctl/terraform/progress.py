"""A live progress line for `terraform apply -json`: resources done of total, current, elapsed."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

_DONE_EVENTS = ("apply_complete", "apply_errored")


@dataclass
class ApplyProgress:
    """Feed it Terraform's JSON events; it redraws one line on a terminal, logs lines elsewhere."""

    total: int
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    width: int = 24
    done: int = 0
    current: str = ""
    failed: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    @property
    def interactive(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        hook = event.get("hook") or {}
        address = (hook.get("resource") or {}).get("addr", "")
        if hook.get("action") == "read":
            return  # data sources refreshed while planning: not part of the apply
        if kind == "apply_start":
            self.current = address
        elif kind in _DONE_EVENTS:
            self.done += 1
            if kind == "apply_errored":
                self.failed.append(address)
            if not self.interactive:
                verb = "failed" if kind == "apply_errored" else hook.get("action", "done")
                elapsed = hook.get("elapsed_seconds", 0)
                self.stream.write(
                    f"  [{self.done}/{self.total}] {verb:<7} {address} ({elapsed}s)\n"
                )
        else:
            return
        if self.interactive:
            self._redraw()

    def line(self) -> str:
        total = max(self.total, 1)
        filled = min(self.width, round(self.width * self.done / total))
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = int(time.monotonic() - self.started)
        current = self.current if len(self.current) <= 60 else "..." + self.current[-57:]
        return (
            f"[{bar}] {self.done}/{self.total}  {elapsed // 60:02d}:{elapsed % 60:02d}  {current}"
        )

    def _redraw(self) -> None:
        self.stream.write("\r\x1b[2K" + self.line())
        self.stream.flush()

    def finish(self) -> None:
        if self.interactive:
            self.stream.write("\r\x1b[2K" + self.line() + "\n")
            self.stream.flush()
