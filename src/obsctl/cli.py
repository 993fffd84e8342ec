"""The `obsctl` console script: argument parsing and error rendering, nothing else.

Each verb lives in `obsctl.commands.<verb>` with `add_arguments(parser)` and `run(args) -> int`.
Command modules import their heavy dependencies (boto3, moto) inside `run`, so `obsctl --help`
stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from obsctl import __version__
from obsctl.errors import ExitCode, ObsctlError

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
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except ObsctlError as error:
        print(f"obsctl: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"  hint: {error.hint}", file=sys.stderr)
        if error.detail and getattr(args, "verbose", False):
            print(error.detail, file=sys.stderr)
        return int(error.exit_code)
    except KeyboardInterrupt:
        print("obsctl: interrupted.", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)


if __name__ == "__main__":
    sys.exit(main())
