"""Audit the live stack against its security baseline, its contract and its Terraform state.

Every control (`--list-controls`, docs/verify.md) is evaluated on every bucket, key, role and
table the stack contract names: a table grouped by app and a one-line verdict, or JSON, JUnit XML
or SARIF for CI. Exit code 0 when every check passed, 1 when any failed, 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from obsctl.commands.common import add_env_arguments, add_json_argument
from obsctl.errors import UsageError

FORMATS = ("table", "json", "junit", "sarif")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env_arguments(parser)
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default table; json, junit and sarif give one entry per check)",
    )
    add_json_argument(parser)
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="ID",
        help="run only these controls: an id (s3.encryption), a family (s3, kms, dynamodb, iam, "
        "drift) or an FSBP id (S3.9); repeatable or comma-separated",
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="ID=REASON",
        help="skip a control and say why, e.g. --skip s3.access-logging='dev has no log bucket'; "
        "the reason is required and appears in every report format",
    )
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help="write the report to FILE; print the verdict"
    )
    parser.add_argument(
        "--list-controls", action="store_true", help="print the control catalogue and exit"
    )


def run(args: argparse.Namespace) -> int:
    from obsctl.verify.engine import VerifyOptions, parse_selection
    from obsctl.verify.render import render, render_controls

    if args.list_controls:
        print(render_controls())
        return 0
    fmt = _format(args)
    only, skip = parse_selection(args.only, args.skip)
    if args.out is not None and not args.out.expanduser().resolve().parent.is_dir():
        raise UsageError(f"--out {args.out}: the folder {args.out.parent} does not exist.")

    from obsctl.verify.session import verify_session
    from obsctl.workspace.session import open_session

    session = open_session(args.env, args.target, args.dir)
    options = VerifyOptions(only=only, skip=skip, target=args.target)
    report = verify_session(session, options)
    text = render(report, fmt, verbose=bool(getattr(args, "verbose", False)))
    if args.out is not None:
        args.out.expanduser().write_text(text + "\n", encoding="utf-8")
        print(f"{report.verdict()} Report ({fmt}) written to {args.out}.")
    else:
        print(text)
        if fmt != "table":
            print(report.verdict(), file=sys.stderr)
    return report.exit_code


def _format(args: argparse.Namespace) -> str:
    if args.json and args.format not in (None, "json"):
        raise UsageError(
            f"--json means --format json, so it cannot be combined with --format {args.format}."
        )
    return "json" if args.json else (args.format or "table")
