"""`obsctl cost --prices FILE`: AWS Price List offer files (JSON and CSV) in place of the price
file, read through their traps. The offer files in tests/fixtures/cost/offers were made for
these tests: the shapes of AWS's files, with prices changed so that every one is recognisable.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from obsctl.cli import main
from obsctl.cost.offer_file import read_offer
from obsctl.cost.offer_prices import CATALOGUE
from obsctl.cost.price_file import region_prices
from obsctl.errors import ExitCode, UsageError

OFFERS = Path(__file__).resolve().parents[2] / "fixtures" / "cost" / "offers"
S3 = OFFERS / "AmazonS3-us-east-1.json"
DEEP_ARCHIVE = OFFERS / "AmazonS3GlacierDeepArchive-us-east-1.csv"
KMS = OFFERS / "awskms-us-east-1.json"
DYNAMODB = OFFERS / "AmazonDynamoDB-us-east-1.json"
PLANS = Path(__file__).resolve().parents[2] / "fixtures" / "plan"


def test_json_ranges_and_prices_are_strings_and_a_missing_begin_range_is_zero() -> None:
    offer = read_offer(S3)
    assert (offer.code, offer.version, offer.published) == (
        "AmazonS3",
        "20261120000000",
        "2026-11-20",
    )
    aia = next(row for row in offer.rows if row.usagetype == "TimedStorage-INT-AIA-ByteHrs")
    assert (aia.begin, aia.end, aia.usd) == (0.0, math.inf, 0.0045)
    assert offer.regions() == {"us-east-1", "eu-central-1"}


def test_csv_skips_the_five_metadata_rows_reads_columns_by_name_and_only_on_demand() -> None:
    offer = read_offer(DEEP_ARCHIVE)
    assert (offer.code, offer.published) == ("AmazonS3GlacierDeepArchive", "2026-11-18")
    assert [row.sku for row in offer.rows] == ["DASKU001", "DASKU002", "DASKU003"]  # no Reserved
    storage = offer.rows[0]
    assert (storage.usagetype, storage.operation, storage.usd) == (
        "TimedStorage-GDA-ByteHrs",
        "DeepArchiveStorage",
        0.0011,
    )
    assert storage.attribute("regioncode") == "us-east-1"


def test_offer_files_override_the_price_file_and_say_where_each_price_came_from() -> None:
    prices = region_prices("us-east-1", [S3, DEEP_ARCHIVE, KMS, DYNAMODB])
    s3 = prices.s3
    # Standard's three volume bands, whatever their order in the file; not the IT overhead SKU
    # that shares the usage type, nor eu-central-1's row.
    assert [(tier.up_to_gb, tier.price.usd) for tier in s3.standard_tiers] == [
        (51200.0, 0.025),
        (512000.0, 0.024),
        (None, 0.022),
    ]
    glacier, deep = s3.classes["GLACIER"], s3.classes["DEEP_ARCHIVE"]
    # Requests-Tier3: restore, Glacier transition and Deep Archive transition, by operation.
    assert glacier.restore_per_1k is not None and glacier.restore_per_1k.usd == pytest.approx(0.06)
    assert glacier.transition_per_1k is not None
    assert glacier.transition_per_1k.usd == pytest.approx(0.035)
    assert deep.transition_per_1k is not None and deep.transition_per_1k.usd == pytest.approx(0.055)
    # Glacier storage, not the 32 KB object overhead; Glacier PUT, not its COPY price.
    assert glacier.storage_gb_month is not None and glacier.storage_gb_month.usd == 0.0038
    assert glacier.put_per_1k.usd == pytest.approx(0.033)
    # Deep Archive storage and PUT from their own offer (CSV), not the IT Deep Archive tier.
    assert deep.storage_gb_month is not None and deep.storage_gb_month.usd == 0.0011
    assert deep.put_per_1k.usd == pytest.approx(0.06)
    # $0 free-tier bands are skipped: the first band that costs anything.
    assert prices.kms.requests_per_10k.usd == pytest.approx(0.04)
    assert prices.dynamodb["STANDARD"].storage_gb_month.usd == 0.26
    assert prices.dynamodb["STANDARD"].wcu_hour.usd == 0.00068
    # "IA-TimedStorage-ByteHrs" is the Standard-IA table class, not a region prefix.
    assert prices.dynamodb["STANDARD_INFREQUENT_ACCESS"].storage_gb_month.usd == 0.11
    assert s3.it_monitoring_per_1k_objects.usd == pytest.approx(0.003)
    # Provenance: the offer's publication date is the verification date.
    assert deep.storage_gb_month.verified == "2026-11-18"
    assert deep.storage_gb_month.path == (
        "AmazonS3GlacierDeepArchive-us-east-1.csv: TimedStorage-GDA-ByteHrs (DeepArchiveStorage)"
    )
    assert prices.sources["FILE-AmazonS3"].date == "2026-11-20"
    # What the offers do not give keeps the price file's price (CloudTrail, CloudWatch, ...).
    assert prices.cloudtrail_data_events_per_100k.verified == "2026-12-02"
    (summary,) = [note for note in prices.notes if note.startswith("Prices from the offer")]
    assert f"of {len(CATALOGUE) + 1} prices" in summary


def test_without_the_deep_archive_offer_its_storage_falls_back_to_the_it_deep_archive_tier() -> (
    None
):
    deep = region_prices("us-east-1", [S3]).s3.classes["DEEP_ARCHIVE"]
    assert deep.storage_gb_month is not None and deep.storage_gb_month.usd == 0.00099
    assert deep.storage_gb_month.path.endswith("TimedStorage-INT-DAA-ByteHrs")
    assert deep.put_per_1k.path.startswith("regions.us-east-1.")  # the price file's


def test_cost_prices_the_plan_with_the_offer_files_in_every_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["cost", "--env", "dev", "--plan-json", str(PLANS / "dev.json")]
    args += ["--prices", str(S3), "--prices", str(KMS), "--format", "json"]
    assert main(args) == 0
    document = json.loads(capsys.readouterr().out)
    storage = [
        line
        for line in document["lines"]
        if line["item"] == "storage" and line["storage_class"] == "STANDARD"
    ]
    assert storage and all(line["rate"] == 0.025 for line in storage)  # all in the first band
    assert {line["source"] for line in storage} == {"[FILE-AmazonS3]"}
    assert document["prices_verified"]["newest"] == "2026-12-02"  # CloudTrail's page, not given
    assert any(
        note.startswith("Prices from the offer files AmazonS3") for note in document["notes"]
    )
    for fmt in ("table", "markdown", "html"):
        assert main([*args[:-2], "--format", fmt]) == 0
        assert "Prices from the offer files" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON (line 1)"),
        ('{"offerCode": "AmazonS3"}', "has no `products` and `terms.OnDemand`"),
        ('"FormatVersion","v1.0"\n', "has no PricePerUnit column after its five metadata rows"),
    ],
)
def test_a_broken_offer_file_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "offer.json"
    path.write_text(content)
    code = main(["cost", "--plan-json", str(PLANS / "dev.json"), "--prices", str(path)])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert message in err and err.startswith("obsctl: The offer file") and "Traceback" not in err


def test_an_offer_file_of_another_region_is_refused() -> None:
    with pytest.raises(UsageError) as caught:
        region_prices("eu-west-1", [DEEP_ARCHIVE])
    assert caught.value.message == (
        f"The offer file {DEEP_ARCHIVE} has no prices for eu-west-1, the plan's region (it "
        "covers us-east-1)."
    )
