"""Errors the tool expects, each rendered as one sentence plus a hint, never a traceback."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented exit codes of every obsctl command (the table in docs/cli.md)."""

    OK = 0
    FAILED = 1
    USAGE = 2
    DRIFT = 3
    NOT_DEPLOYED = 4
    INTERRUPTED = 130


# What each exit code means, as docs/cli.md lists them (a test keeps the two in step).
EXIT_CODE_MEANINGS = {
    ExitCode.OK: "success: the command did what it says (a check passed, nothing drifted)",
    ExitCode.FAILED: "failure: a check failed (verify, doctor, values --check), Terraform or AWS "
    "failed, or you declined a question",
    ExitCode.USAGE: "bad input: a flag, a value, a file; refused before anything is created",
    ExitCode.DRIFT: "status --drift: live resources differ from the configuration",
    ExitCode.NOT_DEPLOYED: "nothing is deployed for the env and target the command reads "
    "(verify, values, status --drift)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); run the same command again to resume",
}


class ObsctlError(Exception):
    """A failure the user can act on: one clear sentence, an optional hint and an exit code."""

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, message: str, hint: str | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.detail = detail


class UsageError(ObsctlError):
    """Bad input: a flag, an env name, a file. Raised before anything is created."""

    exit_code = ExitCode.USAGE


class NotDeployedError(ObsctlError):
    """The command reads a deployed stack, and nothing is deployed for this env and target."""

    exit_code = ExitCode.NOT_DEPLOYED
