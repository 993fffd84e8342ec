"""Bring an environment up (local AWS by default) and report what exists."""

from __future__ import annotations

import argparse

from obsctl.errors import ObsctlError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise ObsctlError("`obsctl up` is not implemented yet.")
