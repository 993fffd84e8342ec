"""Options and small interactions several verbs share, declared once."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from obsctl.paths import ENVS

TARGETS = ("local", "aws")


def add_env_arguments(parser: argparse.ArgumentParser) -> None:
    """--env, --target and --dir: which root module, against which AWS.

    --env and --dir both name the root module, so argparse refuses them together (exit 2)
    instead of silently running --dir and ignoring --env.
    """
    root = parser.add_mutually_exclusive_group()
    root.add_argument(
        "--env", choices=ENVS, default="dev", help="environment root under terraform/envs"
    )
    parser.add_argument(
        "--target",
        choices=TARGETS,
        default="local",
        help="local: the embedded local AWS (no account needed); aws: your AWS credentials",
    )
    root.add_argument(
        "--dir",
        type=Path,
        metavar="ROOT",
        help="a root module of your own that exposes the stack contract (instead of --env)",
    )


def add_terraform_arguments(parser: argparse.ArgumentParser) -> None:
    """--var and --binary: what Terraform gets."""
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a root-module variable (repeatable), e.g. --var eks_cluster_name=prod-eks",
    )
    parser.add_argument(
        "--binary",
        metavar="PATH",
        help="terraform or tofu executable (default: $OBSCTL_TERRAFORM or terraform on PATH)",
    )


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")


def emit(args: argparse.Namespace) -> Callable[[str], None]:
    """Progress and summaries go to stdout, or to stderr when stdout carries --json."""
    stream = sys.stderr if getattr(args, "json", False) else sys.stdout

    def say(text: str) -> None:
        print(text, file=stream, flush=True)

    return say


def confirm(question: str) -> bool:
    answer = input(f"{question} [y/N] ").strip().lower()
    return answer in ("y", "yes")
