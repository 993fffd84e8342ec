"""What is deployed for each env and target; --drift compares with AWS."""

from __future__ import annotations

import argparse

from obsctl.errors import ObsctlError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise ObsctlError("`obsctl status` is not implemented yet.")
