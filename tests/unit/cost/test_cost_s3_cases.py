"""Hand-computed S3 cases: each test writes out the arithmetic it checks (us-east-1 prices).

Conventions: 1 GB = 2**30 bytes, a month is 30.4 days, and a stream of N objects per day that
each live T days holds N x T objects at any time, so GB-month in a class = GB/day x days there.
"""

from __future__ import annotations

import pytest

from obsctl.cost.prices import (
    DEEP_ARCHIVE,
    GLACIER_IR,
    INTELLIGENT_TIERING,
    IT_ARCHIVE_INSTANT,
    IT_FREQUENT,
    IT_INFREQUENT,
    STANDARD,
    STANDARD_IA,
    RegionPrices,
)
from obsctl.cost.s3 import bucket_quantities, s3_lines
from obsctl.cost.streams import BucketWorkload, ObjectStream
from obsctl.cost.units import KB, MB
from obsctl.model.lifecycle import Lifecycle, LifecycleRule, Transition
from obsctl.model.stack import Bucket


def price(
    prices: RegionPrices,
    stream: ObjectStream,
    rules: tuple[LifecycleRule, ...],
    *,
    versioned: bool = False,
    bucket_key: bool = False,
) -> dict[tuple[str, str | None], float]:
    """USD per (item, storage class) for one stream alone in one bucket."""
    bucket = Bucket(
        address="aws_s3_bucket.test",
        name="test",
        app="loki",
        store="chunks",
        versioning=versioned,
        encryption="aws:kms",
        bucket_key=bucket_key,
        lifecycle=Lifecycle(rules=rules),
    )
    quantities = bucket_quantities(bucket, BucketWorkload(streams=(stream,)), prices.rules.s3)
    costs: dict[tuple[str, str | None], float] = {}
    for line in s3_lines(quantities, prices, standard_rate=0.023):
        key = (line.item, line.storage_class)
        costs[key] = costs.get(key, 0.0) + line.usd
    return costs


ONE_GB_A_DAY = ObjectStream(
    name="1 GB/day of 1 MB objects",
    prefix="fake/",
    objects_per_day=1024,
    object_bytes=1 * MB,
    app_days=None,
)


def test_a_30_day_standard_ia_transition_and_365_day_expiry(prices: RegionPrices) -> None:
    rules = (
        LifecycleRule(prefix="", expiration_days=365, transitions=(Transition(30, STANDARD_IA),)),
    )
    costs = price(prices, ONE_GB_A_DAY, rules)
    # Standard: 1 GB/day x 30 days = 30 GB-month x $0.023 = $0.69
    assert costs[("storage", STANDARD)] == pytest.approx(30 * 0.023)
    # Standard-IA: days 30..365 = 335 GB-month x $0.0125 = $4.1875 (335 >= 30: no early charge)
    assert costs[("storage", STANDARD_IA)] == pytest.approx(335 * 0.0125)
    assert not any(item.startswith("early deletion") for item, _ in costs)
    # PUT: 1,024 x 30.4 = 31,129.6 requests x $0.005/1k = $0.155648
    assert costs[("PUT and LIST requests", None)] == pytest.approx(31_129.6 * 0.005 / 1000)
    # One transition per object: 31,129.6 x $0.01/1k = $0.311296
    assert costs[("lifecycle transitions", STANDARD_IA)] == pytest.approx(31_129.6 * 0.01 / 1000)
    # 0.69 + 4.1875 + 0.155648 + 0.311296
    assert sum(costs.values()) == pytest.approx(5.344444)


def test_objects_under_128_kb_never_transition_and_stay_billed_in_standard(
    prices: RegionPrices,
) -> None:
    small = ObjectStream(
        name="64 KB objects",
        prefix="fake/",
        objects_per_day=16_384,  # x 64 KB = 1 GB/day
        object_bytes=64 * KB,
        app_days=None,
    )
    rules = (
        LifecycleRule(prefix="", expiration_days=365, transitions=(Transition(30, STANDARD_IA),)),
    )
    costs = price(prices, small, rules)
    # S3 does not transition objects under 128 KB: all 365 days in Standard, 365 x $0.023
    assert costs == pytest.approx(
        {
            ("storage", STANDARD): 365 * 0.023,
            # 16,384 x 30.4 = 498,073.6 PUT x $0.005/1k
            ("PUT and LIST requests", None): 498_073.6 * 0.005 / 1000,
        }
    )


def test_an_object_deleted_before_its_class_minimum_is_billed_to_the_minimum(
    prices: RegionPrices,
) -> None:
    one_gb_object = ObjectStream(
        name="1 GB objects", prefix="", objects_per_day=1, object_bytes=1024 * MB, app_days=None
    )
    rules = (LifecycleRule(expiration_days=40, transitions=(Transition(10, GLACIER_IR),)),)
    costs = price(prices, one_gb_object, rules)
    # Standard days 0..10: 10 GB-month x $0.023 = $0.23
    assert costs[("storage", STANDARD)] == pytest.approx(0.23)
    # Glacier IR days 10..40: 30 GB-month x $0.004 = $0.12
    assert costs[("storage", GLACIER_IR)] == pytest.approx(0.12)
    # Expired after 30 of Glacier IR's 90 minimum days: 60 more GB-month x $0.004 = $0.24
    assert costs[("early deletion (minimum storage duration)", GLACIER_IR)] == pytest.approx(0.24)
    # 30.4 PUT x $0.005/1k and 30.4 transitions into Glacier IR x $0.02/1k
    assert costs[("PUT and LIST requests", None)] == pytest.approx(30.4 * 0.005 / 1000)
    assert costs[("lifecycle transitions", GLACIER_IR)] == pytest.approx(30.4 * 0.02 / 1000)


def test_a_versioned_bucket_keeps_deleted_objects_until_noncurrent_expiration(
    prices: RegionPrices,
) -> None:
    deleted_at_10_days = ObjectStream(
        name="deleted by the app at 10 days",
        prefix="",
        objects_per_day=1024,
        object_bytes=1 * MB,
        app_days=10,
    )
    rules = (LifecycleRule(noncurrent_expiration_days=30),)
    versioned = price(prices, deleted_at_10_days, rules, versioned=True)
    unversioned = price(prices, deleted_at_10_days, rules, versioned=False)
    # Versioned: 10 days current + 30 days noncurrent = 40 GB-month x $0.023 = $0.92
    assert versioned[("storage", STANDARD)] == pytest.approx(40 * 0.023)
    # Without versioning the DELETE removes the object: 10 GB-month x $0.023 = $0.23
    assert unversioned[("storage", STANDARD)] == pytest.approx(10 * 0.023)


def test_a_versioned_bucket_without_noncurrent_expiration_is_flagged_unbounded(
    prices: RegionPrices,
) -> None:
    bucket = Bucket(
        address="a", name="a", app="loki", store="chunks", versioning=True, lifecycle=Lifecycle()
    )
    stream = ObjectStream(name="s", prefix="", objects_per_day=1, object_bytes=MB, app_days=10)
    quantities = bucket_quantities(bucket, BucketWorkload(streams=(stream,)), prices.rules.s3)
    ((_, result),) = quantities.streams
    # Noncurrent versions never expire: the model counts a one-year horizon and says so.
    assert not result.timeline.bounded
    assert result.timeline.total_days == pytest.approx(10 + 365)


def test_noncurrent_versions_stay_in_the_class_the_object_reached(prices: RegionPrices) -> None:
    stream = ObjectStream(name="s", prefix="", objects_per_day=1024, object_bytes=MB, app_days=60)
    rules = (
        LifecycleRule(noncurrent_expiration_days=30, transitions=(Transition(30, STANDARD_IA),)),
    )
    costs = price(prices, stream, rules, versioned=True)
    # Standard days 0..30 = 30 GB-month; Standard-IA days 30..90 (60 current-to-noncurrent days)
    assert costs[("storage", STANDARD)] == pytest.approx(30 * 0.023)
    assert costs[("storage", STANDARD_IA)] == pytest.approx(60 * 0.0125)


def test_bucket_key_cuts_kms_requests_to_the_documented_share(prices: RegionPrices) -> None:
    from obsctl.cost.services import kms_request_lines

    stream = ObjectStream(
        name="reads and writes",
        prefix="",
        objects_per_day=100_000,
        object_bytes=MB,
        app_days=5,
        read_bytes_per_month=2000 * MB,  # whole-object GETs: 2,000 per month
    )
    reduction = prices.rules.kms.bucket_key_request_reduction  # 0.97 [AWS-BK-POC]
    totals = {}
    for bucket_key in (False, True):
        bucket = Bucket(
            address="b", name="b", app="loki", store="chunks", encryption="aws:kms",
            bucket_key=bucket_key,
        )  # fmt: skip
        quantities = bucket_quantities(bucket, BucketWorkload(streams=(stream,)), prices.rules.s3)
        calls = quantities.kms_calls(reduction)
        (line,) = kms_request_lines([("loki", "b", calls)], prices)
        totals[bucket_key] = (calls, line.usd)
    # Without a Bucket Key: a data key per PUT and a decrypt per GET:
    # 100,000 x 30.4 = 3,040,000 + 2,000 = 3,042,000 calls; minus 20,000 free = 3,022,000 billed
    # x $0.03/10k = $9.066
    assert totals[False] == pytest.approx((3_042_000, 3_022_000 * 0.03 / 10_000))
    # With a Bucket Key: 3% of them = 91,260 calls; minus 20,000 free = 71,260 x $0.03/10k
    assert totals[True] == pytest.approx((91_260, 71_260 * 0.03 / 10_000))


def test_sse_s3_buckets_make_no_kms_requests(prices: RegionPrices) -> None:
    bucket = Bucket(address="b", name="b", app="operations", store="access-logs")
    stream = ObjectStream(name="s", prefix="", objects_per_day=1000, object_bytes=MB, app_days=5)
    quantities = bucket_quantities(bucket, BucketWorkload(streams=(stream,)), prices.rules.s3)
    assert quantities.kms_calls(0.97) == 0


def test_intelligent_tiering_tiers_down_objects_over_128_kb_and_charges_monitoring(
    prices: RegionPrices,
) -> None:
    rules = (LifecycleRule(expiration_days=200, transitions=(Transition(0, INTELLIGENT_TIERING),)),)
    costs = price(prices, ONE_GB_A_DAY, rules)
    # Days in IT since entry: 0..30 frequent, 30..90 infrequent, 90..200 archive instant
    assert costs[("storage", IT_FREQUENT)] == pytest.approx(30 * 0.023)
    assert costs[("storage", IT_INFREQUENT)] == pytest.approx(60 * 0.0125)
    assert costs[("storage", IT_ARCHIVE_INSTANT)] == pytest.approx(110 * 0.004)
    # 1,024 objects/day x 200 days = 204,800 monitored objects x $0.0025/1k
    assert costs[("Intelligent-Tiering monitoring", INTELLIGENT_TIERING)] == pytest.approx(
        204_800 * 0.0025 / 1000
    )


def test_intelligent_tiering_leaves_small_objects_in_frequent_access_unmonitored(
    prices: RegionPrices,
) -> None:
    # Written straight into IT (no 128 KB gate on a day-0 size-filtered transition).
    small = ObjectStream(
        name="s", prefix="", objects_per_day=16_384, object_bytes=64 * KB, app_days=None
    )
    rules = (
        LifecycleRule(
            expiration_days=200,
            min_size=1,
            transitions=(Transition(0, INTELLIGENT_TIERING, size_filtered=True),),
        ),
    )
    costs = price(prices, small, rules)
    assert costs[("storage", IT_FREQUENT)] == pytest.approx(200 * 0.023)
    assert ("Intelligent-Tiering monitoring", INTELLIGENT_TIERING) not in costs


def test_archive_classes_add_40_kb_per_object(prices: RegionPrices) -> None:
    stream = ObjectStream(
        name="s", prefix="", objects_per_day=1, object_bytes=1024 * MB, app_days=None
    )
    rules = (LifecycleRule(expiration_days=400, transitions=(Transition(200, DEEP_ARCHIVE),)),)
    costs = price(prices, stream, rules)
    gb_overhead = 8 * KB / (1024 * MB)  # 8 KB index billed at Standard
    # Deep Archive days 200..400: (1 GB + 32 KB) x 200 days x $0.00099
    assert costs[("storage", DEEP_ARCHIVE)] == pytest.approx(
        (1 + 32 * KB / (1024 * MB)) * 200 * 0.00099
    )
    assert costs[("archive index overhead (8 KB per object)", STANDARD)] == pytest.approx(
        gb_overhead * 200 * 0.023
    )


def test_standard_storage_is_tiered_by_the_region_total(prices: RegionPrices) -> None:
    # 600 TB-month = 614,400 GB: 51,200 x 0.023 + 460,800 x 0.022 + 102,400 x 0.021
    expected = 51_200 * 0.023 + 460_800 * 0.022 + 102_400 * 0.021
    assert prices.s3.standard_storage_usd(614_400) == pytest.approx(expected)


def test_reads_of_older_data_pay_the_class_get_price_and_retrieval(prices: RegionPrices) -> None:
    stream = ObjectStream(
        name="s",
        prefix="",
        objects_per_day=1024,
        object_bytes=MB,
        app_days=100,
        read_bytes_per_month=1024 * 60 * MB,  # 60 GB/month over the last 60 days
        read_window_days=60,
    )
    rules = (LifecycleRule(transitions=(Transition(30, STANDARD_IA),)),)
    costs = price(prices, stream, rules)
    # Half the window is in Standard, half in Standard-IA: 30 GB each = 30,720 GETs of 1 MB each
    assert costs[("GET requests", STANDARD)] == pytest.approx(30_720 * 0.0004 / 1000)
    assert costs[("GET requests", STANDARD_IA)] == pytest.approx(30_720 * 0.001 / 1000)
    assert costs[("retrieval", STANDARD_IA)] == pytest.approx(30 * 0.01)
