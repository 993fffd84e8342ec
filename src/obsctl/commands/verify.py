"""Audit the live stack against its security baseline, its contract and its Terraform state.

Every control (`--list-controls`, docs/verify.md) is evaluated on every bucket, key, role and
table the stack contract names: a table grouped by app and a one-line verdict, or JSON, JUnit XML
or SARIF for CI. Exit code 0 when every check passed, 1 when any failed, 2 on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from obsctl.commands.base import Context, Result, Selection, lines
from obsctl.errors import UsageError

if TYPE_CHECKING:
    from obsctl.verify.model import Report

FORMATS = ("table", "json", "junit", "sarif")


@dataclass
class VerifyReport(Result):
    """The verdict of every control, in one of the report formats (or written to a file)."""

    report: Report
    fmt: str
    rendered: str
    out: Path | None = None

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return self.report.exit_code

    def text(self) -> str:
        if self.out is not None:
            return lines(f"{self.report.verdict()} Report ({self.fmt}) written to {self.out}.")
        return lines(self.rendered)

    def notes(self) -> list[str]:
        return [self.report.verdict()] if self.out is None and self.fmt != "table" else []


@dataclass
class ControlList(Result):
    """The control catalogue."""

    listing: str

    def text(self) -> str:
        return lines(self.listing)


def list_controls(ctx: Context) -> ControlList:
    from obsctl.verify.render import render_controls

    return ControlList(render_controls())


def verify(
    ctx: Context,
    where: Selection,
    *,
    fmt: str = "table",
    only: list[str] | None = None,
    skip: list[str] | None = None,
    out: Path | None = None,
) -> VerifyReport:
    from obsctl.verify.engine import VerifyOptions, parse_selection
    from obsctl.verify.render import render

    selected, skipped = parse_selection(only or [], skip or [])
    if out is not None and not out.expanduser().resolve().parent.is_dir():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist.")

    from obsctl.verify.session import verify_session

    session = where.open()
    options = VerifyOptions(only=selected, skip=skipped, target=where.target)
    report = verify_session(session, options)
    text = render(report, fmt, verbose=ctx.verbose)
    if out is not None:
        out.expanduser().write_text(text + "\n", encoding="utf-8")
    return VerifyReport(report, fmt, text, out)
