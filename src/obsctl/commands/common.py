"""Options several verbs share, declared once."""

from __future__ import annotations

import argparse
from pathlib import Path

from obsctl.paths import ENVS

TARGETS = ("local", "aws")


def add_env_arguments(parser: argparse.ArgumentParser) -> None:
    """--env, --target and --dir: which root module, against which AWS."""
    parser.add_argument(
        "--env", choices=ENVS, default="dev", help="environment root under terraform/envs"
    )
    parser.add_argument(
        "--target",
        choices=TARGETS,
        default="local",
        help="local: the embedded local AWS (no account needed); aws: your AWS credentials",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        metavar="ROOT",
        help="a root module of your own that exposes the stack contract (instead of --env)",
    )


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
