"""Fixtures for the values tests: the dev and prod contracts and the upstream key allowlists
(tests/fixtures/upstream, derived by tools/extract_upstream_keys.py)."""

from __future__ import annotations

import pytest

from obsctl.model.contract import StackContract
from tools.keypaths import Allowlist

from .values_support import ALLOWLISTS, DEV_CONTRACT, PROD_CONTRACT, load_contract


@pytest.fixture(scope="session")
def dev_contract() -> StackContract:
    return load_contract(DEV_CONTRACT)


@pytest.fixture(scope="session")
def prod_contract() -> StackContract:
    return load_contract(PROD_CONTRACT)


@pytest.fixture(scope="session")
def allowlists() -> dict[str, Allowlist]:
    return {
        path.stem: Allowlist.from_text(path.stem, path.read_text())
        for path in sorted(ALLOWLISTS.glob("*.txt"))
        if not path.stem.startswith("mimir-classic")
    }
