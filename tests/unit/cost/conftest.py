"""Shared fixtures of the cost tests: the packaged prices and the plan fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from obsctl.cost.price_file import load_price_book
from obsctl.cost.prices import RegionPrices
from obsctl.model import Stack as Inventory
from obsctl.model import plan_stack as inventory_from_plan
from obsctl.model import read_plan

PLANS = Path(__file__).resolve().parents[2] / "fixtures" / "plan"


@pytest.fixture(scope="session")
def prices() -> RegionPrices:
    return load_price_book().region("us-east-1")


@pytest.fixture(scope="session")
def dev_inventory() -> Inventory:
    return inventory_from_plan(read_plan(PLANS / "dev.json"))


@pytest.fixture(scope="session")
def prod_inventory() -> Inventory:
    return inventory_from_plan(read_plan(PLANS / "prod.json"))
