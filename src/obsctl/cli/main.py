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
from obsctl.cli.completion import verbs_and_options
from obsctl.cli.dispatch import dispatch
from obsctl.cli.examples import EXAMPLES
from obsctl.cli.render import context, run_rendered
from obsctl.cli.suggest import SuggestingParser, unrecognized
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
    "tf": "run any Terraform command in an env's workspace: obsctl tf --env prod -- output",
    "sandbox": "start, stop or inspect the embedded local AWS",
    "unlock": "release a state lock that a killed Terraform run left behind",
    "doctor": "check Terraform, the provider source, credentials, helm, kubectl, the local AWS",
    "completion": 'print the shell completion script: eval "$(obsctl completion bash)"',
}

# --format values whose output a program reads (stdout then carries nothing else).
MACHINE_FORMATS = ("json", "junit", "sarif", "markdown", "html")

DESCRIPTION = """Deploy, verify, wire and price the AWS foundation of a Grafana LGTM stack.

Exit codes: 0 success, 1 failure, 2 bad input, 3 drift (status --drift), 4 nothing deployed,
130 interrupted (docs/cli.md)."""


def _add_output_flags(parser: argparse.ArgumentParser, default: object) -> None:
    """-v, -q and --show-warnings, accepted before and after the verb."""
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help="show details: Terraform's plan with `plan`, an error's full story",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="print only the result and errors: no progress lines or notices",
    )
    parser.add_argument(
        "--show-warnings",
        action="store_true",
        default=default,
        help="print each of Terraform's warnings (by default: one line that counts them)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = SuggestingParser(
        prog="obsctl",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"obsctl {__version__}")
    _add_output_flags(parser, default=False)
    verbs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=SuggestingParser)
    verbs.required = True
    for name, summary in COMMANDS.items():
        module = importlib.import_module(f"obsctl.commands.{name}")
        sub = verbs.add_parser(
            name,
            help=summary,
            description=module.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _add_output_flags(sub, default=argparse.SUPPRESS)
        ARGUMENTS[name](sub)
        if not sub.epilog:
            sub.epilog = EXAMPLES[name]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args, extras = parser.parse_known_args(arguments)
        if extras:
            verb = parser.verb_parser(args.command)
            verb.error(unrecognized(extras, verb))
    except SystemExit as stopped:
        # Terraform's -detailed-exitcode: 2 means "changes", so bad input is a failure (1).
        if stopped.code == ExitCode.USAGE and "--detailed-exitcode" in arguments:
            return int(ExitCode.FAILED)
        raise
    if args.command == "completion":
        args.completes = verbs_and_options(parser)  # what the script offers: this very parser
    json_output = bool(getattr(args, "json", False))
    # A report for machines on stdout (--json, or --format json/sarif/...): progress goes to stderr.
    machine = json_output or getattr(args, "format", None) in MACHINE_FORMATS
    ctx = context(json_output=machine, verbose=args.verbose, quiet=args.quiet)
    return run_rendered(
        lambda: dispatch(ctx, args),
        json_output=json_output,
        verbose=args.verbose,
        ctx=ctx,
        quiet=args.quiet,
        show_warnings=args.show_warnings,
        detailed_exitcode=bool(getattr(args, "detailed_exitcode", False)),
    )


if __name__ == "__main__":
    sys.exit(main())
