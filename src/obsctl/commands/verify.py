"""Audit the live stack against its security baseline."""

from __future__ import annotations

import argparse

from obsctl.errors import ObsctlError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise ObsctlError("`obsctl verify` is not implemented yet.")
