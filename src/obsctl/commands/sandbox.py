"""Start, stop or inspect the embedded local AWS (a moto server on 127.0.0.1).

`obsctl sandbox env` prints shell exports that point plain `terraform` and the AWS CLI at it:
eval "$(obsctl sandbox env)". The port stays the same from one start to the next (the first
start takes a free one; $OBSCTL_SANDBOX_PORT or `start --port` pins it), so those exports stay
valid. Everything deployed to the local AWS lives only in it: `stop` asks first when stacks
are deployed (without a terminal it needs --force).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from obsctl.commands.base import Context, Result, lines
from obsctl.errors import UsageError
from obsctl.paths import state_dir

if TYPE_CHECKING:
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


def sandbox(ctx: Context, action: str, *, port: int | None = None, force: bool = False) -> Result:
    if port is not None and not 0 < port < 65536:
        raise UsageError(f"--port {port} is not a port number (1-65535).")
    from obsctl.sandbox import Sandbox

    box = Sandbox(state_dir() / "sandbox", port=port)
    if action == "start":
        info, started = box.ensure()
        already = "" if started else " (it was already running)"
        return SandboxReport(
            {
                "running": True,
                "started": started,
                "endpoint": info.endpoint_url,
                "pid": info.pid,
                "log": str(box.log_path),
            },
            f"Local AWS running at {info.endpoint_url} (pid {info.pid}){already}.",
        )
    if action == "stop":
        return _stop(ctx, box, force)
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
                "deployed": _deployed(box),
            },
            f"Local AWS running at {info.endpoint_url} (pid {info.pid}, log {box.log_path}).",
        )
    return SandboxEnvironment(box.environment())


def _stop(ctx: Context, box: Sandbox, force: bool) -> SandboxReport:
    """Stop the server; stacks deployed in it are lost with it, so ask (or need --force)."""
    deployed = _deployed(box)
    if deployed and not force:
        what = f"{', '.join(deployed)} (deployed in it, and nowhere else)"
        if not ctx.interactive:
            raise UsageError(
                f"Stopping the local AWS would discard {what}.",
                hint="Take them down first (`obsctl down --env ENV`), or pass --force to "
                "discard them.",
            )
        if not ctx.confirm(f"Stopping the local AWS discards {what}. Stop it?"):
            return SandboxReport(
                {"stopped": False, "deployed": deployed}, "The local AWS keeps running.", 1
            )
    stopped = box.stop()
    sentence = "Local AWS stopped." if stopped else "Local AWS was not running."
    if stopped and deployed:
        sentence = f"Local AWS stopped; {', '.join(deployed)} went with it."
    return SandboxReport({"stopped": stopped, "discarded": deployed if stopped else []}, sentence)


def _deployed(box: Sandbox) -> list[str]:
    """The workspaces whose resources live in the running server."""
    from obsctl.targets.local import deployed_in

    info = box.running()
    if info is None:
        return []
    return deployed_in(info, state_dir() / "targets" / "local")
