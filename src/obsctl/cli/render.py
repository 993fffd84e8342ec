"""The one place obsctl writes a command's outcome: a Result as text or JSON, an error as a
sentence, Terraform's warnings as one line.

stdout carries the result: the text a person reads, or with --json the result's JSON document
(nothing else, so scripts can parse it). stderr carries the rest: progress, notices, notes, and
errors as one sentence plus a hint (the detail with -v), never a traceback. On a terminal the
verdict words (PASS, FAIL...) are coloured unless $NO_COLOR is set. A reader that goes away
(`obsctl status --json | head -1`) ends the output quietly, not the command.
"""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from obsctl.commands.base import Context, Result
from obsctl.errors import ExitCode, ObsctlError

if TYPE_CHECKING:
    from obsctl.terraform.errors import Diagnostic

_VERDICT = re.compile(r"\b(PASS(?:ED)?|FAIL(?:ED)?|ERROR|WARN|SKIP|NOTE)\b")
_COLOURS = {
    "PASS": "32",
    "PASSED": "32",
    "FAIL": "31",
    "FAILED": "31",
    "ERROR": "31",
    "WARN": "33",
    "SKIP": "33",
    "NOTE": "33",
}


def context(*, json_output: bool, verbose: bool, quiet: bool = False) -> Context:
    """The Context of a command run from the terminal: progress goes to stdout, or to stderr
    when stdout carries JSON (nowhere with --quiet); questions are asked on the terminal when
    there is one."""
    stream = sys.stderr if json_output else sys.stdout

    def say(text: str) -> None:
        if not quiet:
            _write(stream, f"{text}\n")

    return Context(
        say=say,
        ask=input,
        interactive=sys.stdin.isatty(),
        quiet=json_output or quiet,
        verbose=verbose,
        colour=not json_output and colour_enabled(sys.stdout),
        status_stream=None if quiet else sys.stderr,
    )


def colour_enabled(stream: TextIO) -> bool:
    """Colour on a terminal, unless $NO_COLOR is set (no-color.org) or the terminal is dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def colour_verdicts(text: str) -> str:
    """PASS green, FAIL red, WARN/SKIP/NOTE yellow (whole upper-case words only)."""
    return _VERDICT.sub(lambda m: f"\x1b[{_COLOURS[m[1]]}m{m[1]}\x1b[0m", text)


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
        _write(out, json.dumps(document, indent=2) + "\n")
    else:
        text = result.text()
        _write(out, colour_verdicts(text) if colour_enabled(out) else text)
    for note in result.notes():
        _write(err, f"{note}\n")
    return int(result.exit_code)


def render_error(error: ObsctlError, *, verbose: bool, stderr: TextIO | None = None) -> int:
    """One sentence, a hint, and (with -v) the detail; the error's exit code."""
    err = stderr or sys.stderr
    said = f"obsctl: {error.message}\n"
    if error.hint:
        said += f"  hint: {error.hint}\n"
    if error.detail and verbose:
        said += f"{error.detail}\n"
    _write(err, said)
    return int(error.exit_code)


def render_warnings(
    warnings: Sequence[Diagnostic], *, show: bool, stderr: TextIO | None = None
) -> None:
    """Terraform's warnings: each of them with --show-warnings, else one line counting them."""
    if not warnings:
        return
    err = stderr or sys.stderr
    if show:
        for warning in warnings:
            at = f" ({warning.address})" if warning.address else ""
            where = f" [{warning.filename}:{warning.line}]" if warning.filename else ""
            detail = " ".join(warning.detail.split())
            _write(err, f"Terraform warning: {warning.summary}{at}{where}\n")
            if detail:
                _write(err, f"  {detail}\n")
        return
    counts = Counter(warning.summary for warning in warnings)
    named = "; ".join(f"{summary} ({count})" for summary, count in counts.most_common(2))
    more = f"; {len(counts) - 2} other kinds" if len(counts) > 2 else ""
    times = "once" if len(warnings) == 1 else f"{len(warnings)} times"
    _write(err, f"Terraform warned {times}: {named}{more}. --show-warnings prints them.\n")


def run_rendered(
    command: Callable[[], Result],
    *,
    json_output: bool,
    verbose: bool,
    ctx: Context | None = None,
    quiet: bool = False,
    show_warnings: bool = False,
    detailed_exitcode: bool = False,
) -> int:
    """Run a command and render its result, or its error as a sentence; then Terraform's
    warnings (not with --quiet, unless --show-warnings). With `detailed_exitcode` (plan) every
    failure exits 1, as Terraform's does, since 2 means "changes"."""
    failed = True
    try:
        code = render(command(), json_output=json_output)
        failed = False
    except ObsctlError as error:
        code = render_error(error, verbose=verbose)
    except KeyboardInterrupt:
        _write(sys.stderr, "obsctl: interrupted.\n")
        code = int(ExitCode.INTERRUPTED)
    except Exception as error:  # the last line of defence: a sentence, never a traceback
        from obsctl.cli.failures import as_sentence

        if verbose:
            _write(sys.stderr, "".join(traceback.format_exception(error)))
        code = render_error(as_sentence(error), verbose=verbose)
    if ctx is not None and (show_warnings or not quiet):
        render_warnings(ctx.warnings, show=show_warnings or verbose)
    if detailed_exitcode and failed and code != ExitCode.INTERRUPTED:
        return int(ExitCode.FAILED)
    return code


def _write(stream: TextIO, text: str) -> None:
    """Write and flush; a reader that has gone away silences the stream instead of failing."""
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        _silence(stream)


def _silence(stream: TextIO) -> None:
    """Send what is still written to `stream` (and Python's flush at exit) to /dev/null."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
