"""Start, stop or inspect the embedded local AWS (a moto server on 127.0.0.1).

`obsctl sandbox env` prints shell exports that point plain `terraform` and the AWS CLI at it:
eval "$(obsctl sandbox env)".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from obsctl.commands.base import Context, Result, lines
from obsctl.paths import state_dir
from obsctl.sandbox import Sandbox

ACTIONS = ("start", "stop", "status", "env")


@dataclass
class SandboxReport(Result):
    """What the local AWS does now: one sentence, or the facts as JSON."""

    facts: dict[str, Any]
    sentence: str
    exit_code: int = 0

    def text(self) -> str:
        return lines(self.sentence)

    def document(self) -> dict[str, Any]:
        return self.facts


@dataclass
class SandboxEnvironment(Result):
    """The variables that point Terraform and the AWS CLI at the local AWS."""

    environment: dict[str, str]

    def text(self) -> str:
        return lines(*(f"export {key}={value}" for key, value in self.environment.items()))

    def document(self) -> dict[str, str]:
        return self.environment


def sandbox(ctx: Context, action: str) -> Result:
    box = Sandbox(state_dir() / "sandbox")
    if action == "start":
        info = box.start()
        return SandboxReport(
            {
                "running": True,
                "endpoint": info.endpoint_url,
                "pid": info.pid,
                "log": str(box.log_path),
            },
            f"Local AWS running at {info.endpoint_url} (pid {info.pid}).",
        )
    if action == "stop":
        stopped = box.stop()
        return SandboxReport(
            {"stopped": stopped},
            "Local AWS stopped." if stopped else "Local AWS was not running.",
        )
    if action == "status":
        info = box.running()
        if info is None:
            return SandboxReport({"running": False}, "Local AWS is not running.", exit_code=1)
        return SandboxReport(
            {
                "running": True,
                "endpoint": info.endpoint_url,
                "pid": info.pid,
                "log": str(box.log_path),
            },
            f"Local AWS running at {info.endpoint_url} (pid {info.pid}, log {box.log_path}).",
        )
    return SandboxEnvironment(box.environment())
