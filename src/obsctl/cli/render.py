"""The one place obsctl writes a command's outcome: a Result as text or JSON, an error as a
sentence.

stdout carries the result: the text a person reads, or with --json the result's JSON document
(nothing else, so scripts can parse it). stderr carries the rest: progress, notices, notes, and
errors as one sentence plus a hint (the detail with -v), never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TextIO

from obsctl.commands.base import Context, Result
from obsctl.errors import ExitCode, ObsctlError


def context(*, json_output: bool, verbose: bool) -> Context:
    """The Context of a command run from the terminal: progress goes to stdout, or to stderr
    when stdout carries JSON; questions are asked on the terminal when there is one."""
    stream = sys.stderr if json_output else sys.stdout

    def say(text: str) -> None:
        print(text, file=stream, flush=True)

    return Context(
        say=say,
        ask=input,
        interactive=sys.stdin.isatty(),
        quiet=json_output,
        verbose=verbose,
    )


def render(
    result: Result,
    *,
    json_output: bool,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Print `result` (its JSON document with --json, when it has one; else its text) and
    return its exit code."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    document = result.document() if json_output else None
    if document is not None:
        out.write(json.dumps(document, indent=2) + "\n")
    else:
        out.write(result.text())
    out.flush()
    for note in result.notes():
        print(note, file=err)
    return int(result.exit_code)


def render_error(error: ObsctlError, *, verbose: bool, stderr: TextIO | None = None) -> int:
    """One sentence, a hint, and (with -v) the detail; the error's exit code."""
    err = stderr or sys.stderr
    print(f"obsctl: {error.message}", file=err)
    if error.hint:
        print(f"  hint: {error.hint}", file=err)
    if error.detail and verbose:
        print(error.detail, file=err)
    return int(error.exit_code)


def run_rendered(command: Callable[[], Result], *, json_output: bool, verbose: bool) -> int:
    """Run a command and render its result, or its error as a sentence."""
    try:
        return render(command(), json_output=json_output)
    except ObsctlError as error:
        return render_error(error, verbose=verbose)
    except KeyboardInterrupt:
        print("obsctl: interrupted.", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
