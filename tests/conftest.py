"""Test-wide isolation: obsctl's working state goes to a temporary folder, never the repo."""

from __future__ import annotations

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
