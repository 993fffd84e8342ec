"""Terraform's diagnostics, and how a Terraform command that did not succeed ends: one sentence.

A failed command raises `TerraformError` (its first error; all of them in the detail), a refused
input with the usage exit code; `TerraformInterruptedError` and `TerraformKilledError` say how
a run that did not finish ended.
"""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass
from typing import Any

from obsctl.errors import ExitCode, ObsctlError

Event = dict[str, Any]


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


# Terraform refusing an input: its detail's first paragraph is the sentence that names it. A
# precondition is the modules' check of inputs that no single variable's validation can see
# (a trust policy built from several inputs, over IAM's size limit).
_INPUT_ERRORS = (
    "Invalid value for variable",
    "Invalid value for input variable",
    "Value for undeclared variable",
    "No value for required variable",
    "Resource precondition failed",
    "Module output value precondition failed",
)
_CHECKED_BY = re.compile(r"This was checked by the validation rule at (?P<where>\S+?)\.?$", re.M)


class TerraformError(ObsctlError):
    """A Terraform command failed; the message is its first error, the detail all of them.

    A refused input (a variable's validation or a module's precondition, an undeclared or
    missing variable) is bad input, not a failure: its own sentence becomes the message and the
    exit code is the usage one.
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
            summary, code = aws_error(first.summary)
            message = f"terraform {command} failed{subject}: {summary.rstrip('.')}."
            hint = _AWS_HINTS.get(code or "") or _first_sentence(first.detail)
        else:
            plain = plain_text(stderr).strip()
            tail = plain.splitlines()[-1].strip() if plain else "no diagnostic"
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


# The AWS SDK for Go's error, as the provider quotes it: the request ids say nothing to a person.
_SDK_ERROR = re.compile(
    r"operation error (?P<service>[^:,]+): (?P<operation>\w+), https response error "
    r"StatusCode: \d+, RequestID: [^,]*,(?: HostID: [^,]*,)? api error (?P<code>\w+): "
)
_AWS_HINTS = {
    "BucketNotEmpty": "The bucket still holds objects and force_destroy is off, so Terraform "
    "will not delete them: empty it deliberately (every version), or keep the data and drop the "
    "bucket from the state (`obsctl tf -- state rm ADDRESS`).",
}


def aws_error(text: str) -> tuple[str, str | None]:
    """`text` with the SDK's request ids dropped ("S3 DeleteBucket: BucketNotEmpty: ..."), and
    the AWS error code, if it quotes one."""
    match = _SDK_ERROR.search(text)
    if match is None:
        return text, None
    said = f"{match['service']} {match['operation']}: {match['code']}: "
    return text[: match.start()] + said + text[match.end() :], match["code"]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BOX = re.compile(r"^[ \t]*[\u2502\u2575\u2577][ \t]?", re.M)


def plain_text(text: str) -> str:
    """Terraform's human output without colours and the box-drawing margin."""
    return _BOX.sub("", _ANSI.sub("", text))


def _first_sentence(text: str) -> str | None:
    text = " ".join(text.split())
    if not text:
        return None
    end = text.find(". ")
    return text if end == -1 else text[: end + 1]
