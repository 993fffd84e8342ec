"""The command line: argparse, the dispatcher and the one renderer (see `main`)."""

from obsctl.cli.main import COMMANDS, build_parser, main

__all__ = ["COMMANDS", "build_parser", "main"]
