"""What every command gets (a Context) and gives back (a Result).

A command is a plain function, `up(ctx, ...) -> UpResult`: it never prints. While it works it
reports progress and notices through `ctx.say` and asks through `ctx.confirm`/`ctx.ask`; when it
is done it returns a Result, which `obsctl.cli.render` prints once, as text for people or (with
--json) as a JSON document for scripts. Tests call the functions directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obsctl.errors import UsageError

if TYPE_CHECKING:
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
    # No progress lines (stdout carries a JSON document).
    quiet: bool = False
    verbose: bool = False

    def confirm(self, question: str) -> bool:
        answer = self.ask(f"{question} [y/N] ").strip().lower()
        return answer in ("y", "yes")


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
