"""Test-wide isolation: obsctl's working state goes to a temporary folder, never the repo."""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def isolated_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OBSCTL_STATE_DIR for the whole session (and for the obsctl processes tests start)."""
    path = tmp_path_factory.mktemp("obsctl-state")
    previous = os.environ.get("OBSCTL_STATE_DIR")
    os.environ["OBSCTL_STATE_DIR"] = str(path)
    os.environ["OBSCTL_PROJECT_DIR"] = str(REPO)
    yield path
    if previous is None:
        os.environ.pop("OBSCTL_STATE_DIR", None)
    else:
        os.environ["OBSCTL_STATE_DIR"] = previous


def pytest_configure(config: pytest.Config) -> None:
    """Tests that share a stack must run on one worker. pytest-xdist's `--dist loadgroup` marks
    them by renaming `item._nodeid`, which pytest 9.2 no longer reads: stop, rather than let the
    groups split and the shared stacks collide."""
    if config.getoption("dist", "no") != "loadgroup":
        return
    if "_nodeid" not in inspect.getsource(pytest.Item.nodeid.fget):
        raise pytest.UsageError(
            f"pytest {pytest.__version__} ignores the xdist groups that --dist loadgroup needs; "
            "install the version pyproject.toml pins: pip install -e '.[dev]'"
        )
