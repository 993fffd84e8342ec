"""The price file: every region complete, every figure sourced, unknown regions refused."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

import pytest

from obsctl.cost.price_file import load_price_book, parse_price_book
from obsctl.cost.prices import Price, PriceFileError
from obsctl.errors import ExitCode, UsageError

REQUIRED_REGIONS = {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1"}


def all_prices(node: Any) -> list[Price]:
    if isinstance(node, Price):
        return [node]
    if is_dataclass(node):
        return [p for item in fields(node) for p in all_prices(getattr(node, item.name))]
    if isinstance(node, dict):
        return [p for value in node.values() for p in all_prices(value)]
    if isinstance(node, tuple | list):
        return [p for value in node for p in all_prices(value)]
    return []


def test_the_price_file_is_dated_and_covers_the_required_regions() -> None:
    book = load_price_book()
    assert book.as_of and book.currency == "USD"
    assert set(book.regions) >= REQUIRED_REGIONS


@pytest.mark.parametrize("region", sorted(REQUIRED_REGIONS))
def test_every_price_has_known_sources(region: str) -> None:
    book = load_price_book()
    prices = all_prices(book.region(region))
    assert len(prices) > 50
    for price in prices:
        assert price.sources and all(tag in book.sources for tag in price.sources)


def test_us_east_1_matches_the_reference_figures() -> None:
    prices = load_price_book().region("us-east-1")
    assert prices.s3.standard_tiers[0].price.usd == 0.023
    assert prices.s3.classes["STANDARD_IA"].storage_gb_month.usd == 0.0125  # type: ignore[union-attr]
    assert prices.s3.classes["GLACIER_IR"].storage_gb_month.usd == 0.004  # type: ignore[union-attr]
    assert prices.s3.it_monitoring_per_1k_objects.usd == 0.0025
    assert prices.kms.requests_per_10k.usd == 0.03
    assert prices.dynamodb["STANDARD"].write_per_million.usd == 0.625  # post-Nov-2024
    assert prices.dynamodb["STANDARD"].read_per_million.usd == 0.125
    assert prices.rules.s3.min_storage_days == {
        "STANDARD_IA": 30, "ONEZONE_IA": 30, "GLACIER_IR": 90, "GLACIER": 90, "DEEP_ARCHIVE": 180,
    }  # fmt: skip
    assert prices.rules.kms.free_requests_per_month == 20_000


def test_an_unknown_region_is_a_usage_error_naming_the_known_ones() -> None:
    with pytest.raises(UsageError) as caught:
        load_price_book().region("ap-south-1")
    assert caught.value.message == (
        "There are no prices for region 'ap-south-1' (known regions: eu-central-1, eu-west-1, "
        "us-east-1, us-west-2)."
    )
    assert caught.value.exit_code == ExitCode.USAGE


def test_a_price_without_a_known_source_is_refused() -> None:
    from importlib import resources

    import yaml

    raw = yaml.safe_load(resources.files("obsctl.cost").joinpath("prices.yaml").read_text())
    raw["regions"]["us-east-1"]["kms"]["key_month"]["source"] = ["NOWHERE"]
    with pytest.raises(PriceFileError, match=r"regions\.us-east-1\.kms\.key_month\.source"):
        parse_price_book(raw)
