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


def test_the_price_file_covers_the_required_regions() -> None:
    book = load_price_book()
    assert book.currency == "USD"
    assert set(book.regions) >= REQUIRED_REGIONS


@pytest.mark.parametrize("region", sorted(REQUIRED_REGIONS))
def test_every_price_has_known_sources_and_a_verification_date_or_a_reason(region: str) -> None:
    book = load_price_book()
    prices = all_prices(book.region(region))
    assert len(prices) > 50
    for price in prices:
        assert price.sources and all(tag in book.sources for tag in price.sources)
        assert (price.verified is None) != (price.unverified is None), price.path
        if price.verified is not None:  # the date of one of its sources' readings
            assert price.verified in {book.sources[tag].date for tag in price.sources}
        assert price.path.startswith(f"regions.{region}.")


def test_recalled_or_derived_figures_are_unverified_and_us_east_1_s3_is_verified() -> None:
    book = load_price_book()
    assert book.sources["RECALLED"].date is None and book.sources["DERIVED"].date is None
    for region in REQUIRED_REGIONS:
        for price in all_prices(book.region(region)):
            if set(price.sources) <= {"RECALLED", "DERIVED"}:
                assert price.unverified, price.path
    use1 = all_prices(book.region("us-east-1").s3)
    unverified = sorted(price.path for price in use1 if price.unverified)
    assert unverified == ["regions.us-east-1.s3.classes.GLACIER_IR.transition_per_1k"]


def test_the_stale_figures_the_research_found_are_corrected() -> None:
    book = load_price_book()
    frankfurt = book.region("eu-central-1").s3.classes
    assert frankfurt["GLACIER"].storage_gb_month.usd == 0.00405  # type: ignore[union-attr]
    assert frankfurt["DEEP_ARCHIVE"].retrieval_per_gb.usd == 0.024
    ireland = book.region("eu-west-1").s3.classes
    assert (ireland["GLACIER"].put_per_1k.usd, ireland["GLACIER"].transition_per_1k.usd) == (
        0.033,
        0.033,
    )
    assert ireland["DEEP_ARCHIVE"].put_per_1k.usd == 0.055
    ia = book.region("us-east-1").dynamodb["STANDARD_INFREQUENT_ACCESS"]
    assert ia.read_per_million.usd == 0.155
    # The Glacier restore request price is not stale: the live offer file has it.
    glacier = book.region("us-east-1").s3.classes["GLACIER"]
    assert glacier.restore_per_1k is not None and glacier.restore_per_1k.usd == 0.05
    assert glacier.restore_per_1k.verified == "2026-12-02"


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


def packaged() -> Any:
    from importlib import resources

    import yaml

    return yaml.safe_load(resources.files("obsctl.cost").joinpath("prices.yaml").read_text())


def test_a_price_without_a_known_source_is_refused() -> None:
    raw = packaged()
    raw["regions"]["us-east-1"]["kms"]["key_month"]["source"] = ["NOWHERE"]
    with pytest.raises(PriceFileError, match=r"regions\.us-east-1\.kms\.key_month\.source"):
        parse_price_book(raw)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"verified": "2026-01-01"}, "'2026-01-01' must be the date of one of its sources"),
        ({"verified": None}, "give either `verified: DATE` or `unverified: REASON`"),
        ({"unverified": "why"}, "give either `verified: DATE` or `unverified: REASON`"),
        ({"usd": float("nan")}, "usd must be a finite number of at least 0"),
        ({"usd": float("inf")}, "usd must be a finite number of at least 0"),
    ],
)
def test_a_price_must_say_when_it_was_verified_or_why_not(
    change: dict[str, Any], message: str
) -> None:
    raw = packaged()
    entry = raw["regions"]["us-east-1"]["kms"]["key_month"]
    entry.update(change)
    if entry.get("verified") is None:
        entry.pop("verified", None)
    with pytest.raises(PriceFileError) as caught:
        parse_price_book(raw)
    assert "regions.us-east-1.kms.key_month" in caught.value.message
    assert message in caught.value.message
