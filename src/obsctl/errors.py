"""Errors the tool expects, each rendered as one sentence plus a hint, never a traceback."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented exit codes of every obsctl command."""

    OK = 0
    FAILED = 1
    USAGE = 2
    DRIFT = 3
    INTERRUPTED = 130


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
