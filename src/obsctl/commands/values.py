"""Write Helm values wiring Mimir, Loki, Tempo and Grafana to the stack."""

from __future__ import annotations

import argparse

from obsctl.errors import ObsctlError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise ObsctlError("`obsctl values` is not implemented yet.")
