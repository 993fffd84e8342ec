"""The `obsctl` console script: parse the flags, run the verb, render its result or error.

Each verb is a plain function in `obsctl.commands.<verb>` that returns a Result; its flags are
declared in `obsctl.cli.arguments`, mapped to the call in `obsctl.cli.dispatch`, and the outcome
is printed by `obsctl.cli.render` (text, or JSON with --json; errors as one sentence).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from obsctl import __version__
from obsctl.cli.arguments import ARGUMENTS
from obsctl.cli.dispatch import dispatch
from obsctl.cli.render import context, run_rendered
from obsctl.errors import ExitCode

# verb -> one-line help; the order is the order of `obsctl --help`.
COMMANDS = {
    "up": "bring an environment up (local AWS by default) and report what exists",
    "plan": "show what `up` would change, by resource type",
    "down": "destroy an environment",
    "status": "what is deployed for each env and target; --drift compares with AWS",
    "verify": "audit the live stack against its security baseline",
    "values": "write Helm values wiring Mimir, Loki, Tempo and Grafana to the stack",
    "cost": "estimate the monthly cost of an environment from its plan",
    "sandbox": "start, stop or inspect the embedded local AWS",
    "unlock": "release a state lock that a killed Terraform run left behind",
    "doctor": "check Terraform, the provider source, credentials and the sandbox port",
}


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one sentence and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(ExitCode.USAGE, f"obsctl: error: {message}\n(see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="obsctl",
        description="Deploy, verify, wire and price the AWS foundation of a Grafana LGTM stack.",
    )
    parser.add_argument("--version", action="version", version=f"obsctl {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show Terraform's own output and details"
    )
    verbs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    verbs.required = True
    for name, summary in COMMANDS.items():
        module = importlib.import_module(f"obsctl.commands.{name}")
        sub = verbs.add_parser(name, help=summary, description=module.__doc__)
        sub.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            default=argparse.SUPPRESS,
            help="show Terraform's own output and details",
        )
        ARGUMENTS[name](sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    json_output = bool(getattr(args, "json", False))
    verbose = bool(getattr(args, "verbose", False))
    ctx = context(json_output=json_output, verbose=verbose)
    return run_rendered(lambda: dispatch(ctx, args), json_output=json_output, verbose=verbose)


if __name__ == "__main__":
    sys.exit(main())
