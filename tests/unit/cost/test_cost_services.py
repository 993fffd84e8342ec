"""Hand-computed KMS key and DynamoDB cases (us-east-1 prices, 30.4-day month = 729.6 hours)."""

from __future__ import annotations

import pytest

from obsctl.cost.prices import RegionPrices
from obsctl.cost.services import key_lines, provisioned_units, table_lines
from obsctl.cost.usage import DynamoAppUsage
from obsctl.model.stack import Key, Scaling, Table

HOURS = 30.4 * 24  # 729.6
SECONDS = 86_400 * 30.4  # 2,626,560 per month
USAGE = DynamoAppUsage(write_units_per_second=100, read_units_per_second=200, storage_gb=50)


def key(rotation: bool = True, period: float = 365) -> Key:
    return Key(arn="k", app="loki", alias="alias/k", rotation=rotation, rotation_period_days=period)


@pytest.mark.parametrize(
    ("rotation", "age", "period", "usd"),
    [
        (True, None, 365, 3.0),  # steady state: $1 + 2 billed rotations (the cap)
        (True, 100, 365, 1.0),  # no rotation yet
        (True, 400, 365, 2.0),  # one rotation
        (True, 1000, 90, 3.0),  # 11 rotations, only 2 billed
        (False, None, 365, 1.0),  # no rotation, no surcharge
    ],
)
def test_a_key_costs_a_dollar_plus_its_billed_rotations(
    prices: RegionPrices, rotation: bool, age: float | None, period: float, usd: float
) -> None:
    assert sum(line.usd for line in key_lines(key(rotation, period), prices, age)) == usd


def table(**changes: object) -> Table:
    base = dict(address="t", name="lgtm-prod-loki-index", app="loki", pitr=True)
    base.update(changes)
    return Table(**base)  # type: ignore[arg-type]


def costs(lines: list) -> dict[str, float]:
    return {line.item: line.usd for line in lines}


def test_on_demand_table_bills_request_units_storage_and_pitr(prices: RegionPrices) -> None:
    got = costs(table_lines(table(billing_mode="PAY_PER_REQUEST"), USAGE, 1.0, prices))
    assert got == pytest.approx(
        {
            # 100 WRU/s x 2,626,560 s = 262,656,000 WRU x $0.625/M = $164.16 (post-Nov-2024 rate)
            "on-demand writes (Standard)": 262.656 * 0.625,
            # 200 RRU/s x 2,626,560 s = 525,312,000 RRU x $0.125/M = $65.664
            "on-demand reads (Standard)": 525.312 * 0.125,
            "storage (Standard)": 50 * 0.25,  # $12.50
            "point-in-time recovery": 50 * 0.20,  # $10.00
        }
    )


def test_provisioned_table_with_auto_scaling_pays_consumption_over_target(
    prices: RegionPrices,
) -> None:
    scaled = table(
        billing_mode="PROVISIONED",
        scaling={"write": Scaling(5, 1000, 70), "read": Scaling(5, 1000, 70)},
    )
    got = costs(table_lines(scaled, USAGE, 1.0, prices))
    # Auto scaling holds 70% utilization: 100/0.7 WCU and 200/0.7 RCU for 729.6 hours
    assert got["provisioned write capacity (Standard)"] == pytest.approx(
        100 / 0.7 * HOURS * 0.00065
    )
    assert got["provisioned read capacity (Standard)"] == pytest.approx(200 / 0.7 * HOURS * 0.00013)
    assert got["storage (Standard)"] == pytest.approx(12.5)


def test_provisioned_capacity_is_clamped_to_the_scaling_range() -> None:
    assert provisioned_units(100, 0, Scaling(5, 100, 70)) == 100  # wants 142.9, max 100
    assert provisioned_units(1, 0, Scaling(5, 100, 70)) == 5  # wants 1.4, min 5
    assert provisioned_units(1, 40, None) == 40  # no auto scaling: the plan's capacity


def test_provisioned_table_without_auto_scaling_pays_its_fixed_capacity(
    prices: RegionPrices,
) -> None:
    fixed = table(billing_mode="PROVISIONED", read_capacity=100, write_capacity=50, pitr=False)
    got = costs(table_lines(fixed, USAGE, 1.0, prices))
    assert got == pytest.approx(
        {
            "provisioned write capacity (Standard)": 50 * HOURS * 0.00065,  # $23.712
            "provisioned read capacity (Standard)": 100 * HOURS * 0.00013,  # $9.4848
            "storage (Standard)": 12.5,
        }
    )


def test_on_demand_is_dearer_than_provisioned_for_this_steady_load(prices: RegionPrices) -> None:
    on_demand = table_lines(table(billing_mode="PAY_PER_REQUEST"), USAGE, 1.0, prices)
    provisioned = table_lines(
        table(
            billing_mode="PROVISIONED",
            scaling={"write": Scaling(5, 1000), "read": Scaling(5, 1000)},
        ),
        USAGE,
        1.0,
        prices,
    )
    # 164.16 + 65.664 + 22.5 = 252.32 against 67.75 + 27.10 + 22.5 = 117.35
    assert sum(line.usd for line in on_demand) == pytest.approx(252.324)
    assert sum(line.usd for line in provisioned) == pytest.approx(117.348, abs=0.01)


def test_standard_ia_table_class_prices_storage_lower_and_requests_higher(
    prices: RegionPrices,
) -> None:
    ia = costs(
        table_lines(
            table(billing_mode="PAY_PER_REQUEST", table_class="STANDARD_INFREQUENT_ACCESS"),
            USAGE,
            1.0,
            prices,
        )
    )
    assert ia["storage (Standard-IA)"] == pytest.approx(50 * 0.10)
    assert ia["on-demand writes (Standard-IA)"] == pytest.approx(262.656 * 0.78)


def test_every_write_also_writes_each_global_secondary_index(prices: RegionPrices) -> None:
    indexed = table(billing_mode="PAY_PER_REQUEST", indexes=(("by_r", 0.0, 0.0),))
    got = costs(table_lines(indexed, USAGE, 1.0, prices))
    assert got["on-demand writes (Standard)"] == pytest.approx(2 * 262.656 * 0.625)


def test_a_table_gets_its_share_of_the_app_usage(prices: RegionPrices) -> None:
    got = costs(table_lines(table(billing_mode="PAY_PER_REQUEST"), USAGE, 0.25, prices))
    assert got["storage (Standard)"] == pytest.approx(12.5 / 4)
