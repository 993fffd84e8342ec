"""Shared fixtures of the reliability suite: an isolated obsctl state per test, the console
script, and inventories of the local AWS. Everything here runs on the local AWS in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from obsctl.inventory import Inventory, live_inventory
from obsctl.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[2]
OBSCTL = shutil.which("obsctl") or str(REPO / ".venv" / "bin" / "obsctl")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "reliability" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
            item.add_marker(pytest.mark.slow)


@dataclass
class Workbench:
    """One obsctl state folder (and so one sandbox) for one test."""

    state_dir: Path

    @property
    def sandbox(self) -> Sandbox:
        return Sandbox(self.state_dir / "sandbox")

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "OBSCTL_STATE_DIR": str(self.state_dir), **extra}

    def obsctl(
        self, *args: str, timeout: float = 900, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        """Run the console script to completion."""
        return subprocess.run(
            [OBSCTL, *args],
            capture_output=True,
            text=True,
            env=self.env(**extra_env),
            timeout=timeout,
        )

    def start(self, *args: str, **extra_env: str) -> subprocess.Popen[str]:
        """Start the console script and return at once (for interrupts and races)."""
        return subprocess.Popen(
            [OBSCTL, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env(**extra_env),
        )

    def inventory(self) -> Inventory:
        """Everything of the tracked kinds in the local AWS (empty when it is not running)."""
        if self.sandbox.running() is None:
            return Inventory()
        return live_inventory(self.sandbox.client)


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    workbench = Workbench(tmp_path / "obsctl")
    workbench.state_dir.mkdir()
    previous = os.environ.get("OBSCTL_STATE_DIR")
    os.environ["OBSCTL_STATE_DIR"] = str(workbench.state_dir)
    yield workbench
    workbench.sandbox.stop()
    if previous is not None:
        os.environ["OBSCTL_STATE_DIR"] = previous
