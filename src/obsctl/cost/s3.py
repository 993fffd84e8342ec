"""S3 for one stream and one bucket: storage by class, requests, transitions, early deletion.

With N objects written per day and each living T days, N x T of them exist at any time, spread
uniformly over their ages; the GB stored in a class is therefore N x size x (days an object spends
in that class). Requests, transitions and early-deletion charges follow from the same life
(`timeline.timeline`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from obsctl.cost.bill import S3, Bill, LineItem
from obsctl.cost.prices import (
    ARCHIVE_CLASSES,
    INTELLIGENT_TIERING,
    IT_ARCHIVE_INSTANT,
    IT_FREQUENT,
    IT_INFREQUENT,
    STANDARD,
    RegionPrices,
    S3Rules,
)
from obsctl.cost.streams import BucketWorkload, ObjectStream
from obsctl.cost.tiering import AccessRate, tier_days
from obsctl.cost.timeline import Segment, Timeline, timeline
from obsctl.cost.units import GB, MONTH_DAYS
from obsctl.model.lifecycle import Lifecycle
from obsctl.model.stack import Bucket


def _per_class() -> dict[str, float]:
    return defaultdict(float)


@dataclass
class StreamQuantities:
    """What one stream puts on the monthly bill, before prices."""

    timeline: Timeline
    gb_month: dict[str, float] = field(default_factory=_per_class)  # by billing class
    early_gb_month: dict[str, float] = field(default_factory=_per_class)
    archive_overhead_gb_month: float = 0.0  # 8 KB per archived object, billed as Standard
    puts: float = 0.0  # billed PUT requests
    writes: float = 0.0  # objects written (one KMS data key each without a Bucket Key)
    deletes: float = 0.0  # DELETE requests the app sends (free in S3, logged by CloudTrail)
    gets: dict[str, float] = field(default_factory=_per_class)
    retrieval_gb: dict[str, float] = field(default_factory=_per_class)
    transitions: dict[str, float] = field(default_factory=_per_class)  # by class entered
    monitored_objects: float = 0.0  # Intelligent-Tiering objects of at least 128 KB
    stored_gb: float = 0.0  # steady-state bytes of all versions
    noncurrent_gb: float = 0.0


def _billable_bytes(size: float, storage_class: str, rules: S3Rules) -> float:
    if storage_class in ARCHIVE_CLASSES:
        return size + rules.archive_overhead_class_bytes
    return max(size, rules.min_billable_bytes.get(storage_class, 0.0))


def _intelligent_tiering(
    result: StreamQuantities,
    rate: float,
    size: float,
    segment: Segment,
    access: AccessRate,
    rules: S3Rules,
) -> None:
    """Objects of 128 KB or more tier down after 30 (90) days without an access, counted from
    their last access (`tiering.py`) [AWS-IT]; smaller objects stay in the frequent tier and
    are not monitored."""
    gb_per_day = rate * size / GB
    if size < rules.it_min_monitored_bytes:
        result.gb_month[IT_FREQUENT] += gb_per_day * segment.days
        return
    days = tier_days(
        segment.start,
        segment.end,
        access,
        rules.it_infrequent_after_days,
        rules.it_archive_instant_after_days,
    )
    for tier, tier_days_ in zip(
        (IT_FREQUENT, IT_INFREQUENT, IT_ARCHIVE_INSTANT), days, strict=True
    ):
        result.gb_month[tier] += gb_per_day * tier_days_
    result.monitored_objects += rate * segment.days


def _access_rate(stream: ObjectStream, life: Timeline, window: float, per_get: float) -> AccessRate:
    """GETs per object per day by age: the reads spread over the objects younger than the read
    window, the polls over every current object."""
    steps = []
    if stream.read_bytes_per_month > 0 and window > 0:
        gets_per_day = stream.read_bytes_per_month / per_get / MONTH_DAYS
        steps.append((window, gets_per_day / (stream.objects_per_day * window)))
    if stream.polls_per_day > 0 and life.current_days > 0:
        steps.append((life.current_days, stream.polls_per_day))
    # Merge into one step function of rising ages.
    cuts = sorted({until for until, _ in steps})
    merged = tuple((cut, sum(rate for until, rate in steps if until >= cut)) for cut in cuts)
    return AccessRate(merged)


def stream_quantities(
    stream: ObjectStream, lifecycle: Lifecycle, versioned: bool, rules: S3Rules
) -> StreamQuantities:
    """Monthly quantities of one stream in a bucket with `lifecycle`, versioned or not."""
    size, rate = stream.object_bytes, stream.objects_per_day
    life = timeline(
        size,
        lifecycle.policy_for(stream.prefix, size),
        app_days=stream.app_days,
        versioned=versioned,
        min_transition_bytes=rules.min_transition_bytes,
        min_transition_size=lifecycle.min_transition_size,
    )
    result = StreamQuantities(timeline=life)
    # Reads spread evenly over the current objects younger than the read window (by default
    # their whole current life); a GET reads at most one object.
    window = min(stream.read_window_days or life.current_days, life.current_days)
    per_get = min(stream.read_request_bytes or size, size)
    access = _access_rate(stream, life, window, per_get)
    for segment in life.segments:
        cls = segment.storage_class
        if cls == INTELLIGENT_TIERING:
            _intelligent_tiering(result, rate, size, segment, access, rules)
            continue
        billable = _billable_bytes(size, cls, rules)
        result.gb_month[cls] += rate * billable / GB * segment.days
        if cls in ARCHIVE_CLASSES:
            overhead = rules.archive_overhead_standard_bytes
            result.archive_overhead_gb_month += rate * overhead / GB * segment.days
        # Leaving a class (deletion or transition) before its minimum bills the remainder.
        minimum = rules.min_storage_days.get(cls, 0.0)
        if segment.ended_by != "horizon" and segment.days < minimum:
            result.early_gb_month[cls] += rate * billable / GB * (minimum - segment.days)

    written = rate * MONTH_DAYS
    for cls in life.transitions:
        result.transitions[cls] += written
    result.writes = written
    result.puts = written if stream.put_billed else 0.0
    app_removes = stream.app_days is not None and stream.app_days <= life.current_days
    result.deletes = written if stream.app_deletes and app_removes else 0.0
    result.stored_gb = rate * size / GB * life.total_days
    result.noncurrent_gb = rate * size / GB * (life.total_days - life.current_days)

    classes = {segment.storage_class for segment in life.segments}
    if stream.read_bytes_per_month > 0 and window > 0:
        for cls in classes:
            share = life.current_days_in(cls, within=window) / window
            result.gets[cls] += stream.read_bytes_per_month * share / per_get
            result.retrieval_gb[cls] += stream.read_bytes_per_month * share / GB
    if stream.polls_per_day > 0 and life.current_days > 0:
        polled = stream.polls_per_day * rate * life.current_days * MONTH_DAYS
        for cls in classes:
            share = life.current_days_in(cls) / life.current_days
            result.gets[cls] += polled * share
            result.retrieval_gb[cls] += polled * share * size / GB
    return result


@dataclass
class BucketQuantities:
    bucket: Bucket
    workload: BucketWorkload
    streams: list[tuple[ObjectStream, StreamQuantities]]
    lists: float

    def total(self, attribute: str) -> float:
        return sum(getattr(quantities, attribute) for _, quantities in self.streams)

    def per_class(self, attribute: str) -> dict[str, float]:
        merged: dict[str, float] = defaultdict(float)
        for _, quantities in self.streams:
            for cls, value in getattr(quantities, attribute).items():
                merged[cls] += value
        return dict(merged)

    @property
    def gets(self) -> float:
        return sum(self.per_class("gets").values())

    @property
    def requests(self) -> float:
        """Every request S3 handles for the bucket, as its server access log records them."""
        transitions = sum(self.per_class("transitions").values())
        return self.total("writes") + self.gets + self.lists + self.total("deletes") + transitions

    @property
    def kms_requests(self) -> float:
        """KMS calls without a Bucket Key: a data key per object written, a decrypt per object
        read [AWS-BK]."""
        return self.total("writes") + self.gets if self.bucket.kms else 0.0

    def kms_calls(self, bucket_key_reduction: float) -> float:
        """KMS requests S3 makes for the bucket. With a Bucket Key, S3 derives data keys from a
        short-lived bucket-level key and saves `bucket_key_reduction` of the calls
        [AWS-BK][AWS-BK-POC]."""
        kept = (1.0 - bucket_key_reduction) if self.bucket.bucket_key else 1.0
        return self.kms_requests * kept

    @property
    def standard_gb_month(self) -> float:
        return self.per_class("gb_month").get(STANDARD, 0.0) + self.total(
            "archive_overhead_gb_month"
        )


def bucket_quantities(bucket: Bucket, workload: BucketWorkload, rules: S3Rules) -> BucketQuantities:
    return BucketQuantities(
        bucket=bucket,
        workload=workload,
        streams=[
            (
                stream,
                stream_quantities(
                    stream, bucket.lifecycle or Lifecycle(), bucket.versioning, rules
                ),
            )
            for stream in workload.streams
        ],
        lists=workload.list_requests_per_day * MONTH_DAYS,
    )


def s3_lines(
    quantities: BucketQuantities, prices: RegionPrices, standard_rate: float
) -> list[LineItem]:
    """The S3 lines of one bucket, Standard storage at the region's blended volume-tier rate."""
    bucket, s3 = quantities.bucket, prices.s3
    bill = Bill(bucket.app, bucket.name, S3)
    standard = replace(s3.storage_price(STANDARD), usd=standard_rate)
    for cls, gb_month in sorted(quantities.per_class("gb_month").items()):
        price = standard if cls == STANDARD else s3.storage_price(cls)
        bill.add("storage", gb_month, "GB-month", price, storage_class=cls)
    bill.add(
        "archive index overhead (8 KB per object)",
        quantities.total("archive_overhead_gb_month"),
        "GB-month",
        standard,
        storage_class=STANDARD,
    )
    for cls, gb_month in sorted(quantities.per_class("early_gb_month").items()):
        item = "early deletion (minimum storage duration)"
        bill.add(item, gb_month, "GB-month", s3.storage_price(cls), storage_class=cls)
    put = s3.classes[STANDARD].put_per_1k
    bill.add(
        "PUT and LIST requests", quantities.total("puts") + quantities.lists, "requests", put,
        per=1000.0,
    )  # fmt: skip
    gets = quantities.per_class("gets")
    for cls, count in sorted(gets.items()):
        prices_of = s3.classes[cls]
        bill.add(
            "GET requests", count, "requests", prices_of.get_per_1k, per=1000.0, storage_class=cls
        )
        if prices_of.restore_per_1k is not None:
            bill.add(
                "restore requests", count, "requests", prices_of.restore_per_1k, per=1000.0,
                storage_class=cls,
            )  # fmt: skip
    for cls, gb in sorted(quantities.per_class("retrieval_gb").items()):
        bill.add("retrieval", gb, "GB", s3.classes[cls].retrieval_per_gb, storage_class=cls)
    for cls, count in sorted(quantities.per_class("transitions").items()):
        price = s3.classes[cls].transition_per_1k
        if price is not None:
            item = "lifecycle transitions"
            bill.add(item, count, "requests", price, per=1000.0, storage_class=cls)
    bill.add(
        "Intelligent-Tiering monitoring", quantities.total("monitored_objects"), "objects",
        s3.it_monitoring_per_1k_objects, per=1000.0, storage_class=INTELLIGENT_TIERING,
    )  # fmt: skip
    return [line for line in bill.lines if line.usd > 0 or line.unit == "GB-month"]
