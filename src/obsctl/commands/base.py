"""What every command gets (a Context) and gives back (a Result).

A command is a plain function, `up(ctx, ...) -> UpResult`: it never prints. While it works it
reports progress and notices through `ctx.say` and asks through `ctx.confirm`/`ctx.ask`; when it
is done it returns a Result, which `obsctl.cli.render` prints once, as text for people or (with
--json) as a JSON document for scripts. Tests call the functions directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from obsctl.errors import UsageError

if TYPE_CHECKING:
    from obsctl.terraform.activity import Activity
    from obsctl.terraform.errors import Diagnostic
    from obsctl.workspace.session import Session


def _no_terminal(prompt: str) -> str:
    raise UsageError("obsctl cannot ask: no terminal.")


@dataclass
class Context:
    """How a command talks to the user while it works."""

    # Progress and notices, as they happen (stderr when stdout carries a JSON document).
    say: Callable[[str], None]
    # One line typed at the terminal after a prompt.
    ask: Callable[[str], str] = _no_terminal
    # Whether someone is there to answer (stdin is a terminal).
    interactive: bool = False
    # No progress lines (stdout carries a JSON document, or --quiet).
    quiet: bool = False
    verbose: bool = False
    # Whether the text may carry colours (a terminal, and no $NO_COLOR).
    colour: bool = False
    # Where the status line of Terraform's init and plan goes (None: nowhere).
    status_stream: TextIO | None = None
    # Terraform's warnings, collected while the command runs (the renderer summarises them).
    warnings: list[Diagnostic] = field(default_factory=list)

    def confirm(self, question: str) -> bool:
        answer = self.ask(f"{question} [y/N] ").strip().lower()
        return answer in ("y", "yes")

    def warn(self, diagnostic: Diagnostic) -> None:
        """Keep one of Terraform's warnings (once, however many runs repeat it)."""
        if diagnostic not in self.warnings:
            self.warnings.append(diagnostic)

    def activity(self) -> Activity:
        """What Terraform runs show meanwhile: the status line, and warnings kept here."""
        from obsctl.terraform.activity import Activity

        return Activity(self.status_stream, on_warning=self.warn)


@dataclass(frozen=True)
class Selection:
    """Which root module, against which AWS, and what Terraform gets: --env or --dir,
    --target, --binary, --var and --var-file."""

    env: str = "dev"
    target: str = "local"
    root_dir: Path | None = None
    binary: str | None = None
    variables: tuple[str, ...] = ()
    var_files: tuple[Path, ...] = ()

    def open(self, **options: Any) -> Session:
        """A session for this selection (`obsctl.workspace.session.open_session`)."""
        from obsctl.workspace import session

        return session.open_session(
            self.env,
            self.target,
            self.root_dir,
            binary=self.binary,
            variables=self.variables,
            var_files=self.var_files,
            **options,
        )


class Result:
    """What a command did. Subclasses say it as text, as a JSON document, or both."""

    exit_code: int = 0

    def text(self) -> str:
        """What a person reads on stdout, exactly (newlines included)."""
        return ""

    def document(self) -> Any:
        """What --json prints on stdout; None: the text form serves both."""
        return None

    def notes(self) -> list[str]:
        """Sentences for stderr, in either form."""
        return []


def lines(*items: str) -> str:
    """Lines of text as a command's stdout: each one ends with a newline."""
    return "".join(f"{item}\n" for item in items)
