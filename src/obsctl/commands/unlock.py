"""Release a state lock that a killed Terraform run left behind."""

from __future__ import annotations

import argparse

from obsctl.errors import ObsctlError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise ObsctlError("`obsctl unlock` is not implemented yet.")
