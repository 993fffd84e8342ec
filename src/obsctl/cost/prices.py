"""The price book: a data file with one entry per region, every figure with its sources and
whether (and when) it was verified.

`price_file.load_price_book()` reads `prices.yaml` beside this module into these types, and
`offer_prices.py` overrides them from AWS Price List offer files; `PriceBook.region(name)` returns
the typed prices of one region or raises a `UsageError` naming the region and the known ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from obsctl.errors import ObsctlError, UsageError
from obsctl.model.lifecycle import DEEP_ARCHIVE as DEEP_ARCHIVE
from obsctl.model.lifecycle import GLACIER as GLACIER
from obsctl.model.lifecycle import GLACIER_IR as GLACIER_IR
from obsctl.model.lifecycle import INTELLIGENT_TIERING as INTELLIGENT_TIERING
from obsctl.model.lifecycle import ONEZONE_IA as ONEZONE_IA
from obsctl.model.lifecycle import STANDARD as STANDARD
from obsctl.model.lifecycle import STANDARD_IA as STANDARD_IA
from obsctl.model.lifecycle import WATERFALL

# S3 storage classes (the model names them, in S3's transition waterfall order).
STORAGE_CLASSES = WATERFALL
ARCHIVE_CLASSES = (GLACIER, DEEP_ARCHIVE)

# Intelligent-Tiering bills by access tier; these names appear in GB-month lines and the chart.
IT_FREQUENT = "INTELLIGENT_TIERING_FREQUENT"
IT_INFREQUENT = "INTELLIGENT_TIERING_INFREQUENT"
IT_ARCHIVE_INSTANT = "INTELLIGENT_TIERING_ARCHIVE_INSTANT"
BILLING_CLASSES = (
    STANDARD, IT_FREQUENT, IT_INFREQUENT, IT_ARCHIVE_INSTANT,
    STANDARD_IA, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE,
)  # fmt: skip

DYNAMODB_TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")
PRICE_FILE = "prices.yaml"


class PriceFileError(ObsctlError):
    """The price file itself is malformed (a packaging or editing mistake, not user input)."""


@dataclass(frozen=True)
class Price:
    """A price, its sources, and either the date it was last read from AWS's price list or
    pages (`verified`) or why it was not (`unverified`)."""

    usd: float
    sources: tuple[str, ...]
    verified: str | None = None  # YYYY-MM-DD
    unverified: str | None = None
    path: str = ""  # where it comes from: "regions.us-east-1.kms.key_month" or an offer file

    @property
    def cite(self) -> str:
        return " ".join(f"[{tag}]" for tag in self.sources)


@dataclass(frozen=True)
class Source:
    """What a source tag stands for, and the date of the reading it records (None: undated)."""

    text: str
    date: str | None = None


@dataclass(frozen=True)
class Fact:
    """A billing rule (a duration, a size, a count) with its sources."""

    value: float
    sources: tuple[str, ...]


@dataclass(frozen=True)
class StorageTier:
    up_to_gb: float | None
    price: Price


@dataclass(frozen=True)
class S3ClassPrices:
    storage_gb_month: Price | None  # None: STANDARD (tiered) and INTELLIGENT_TIERING (per tier)
    put_per_1k: Price
    get_per_1k: Price
    transition_per_1k: Price | None  # lifecycle transition into this class
    retrieval_per_gb: Price
    restore_per_1k: Price | None = None


@dataclass(frozen=True)
class S3Prices:
    standard_tiers: tuple[StorageTier, ...]
    it_frequent: Price
    it_infrequent: Price
    it_archive_instant: Price
    it_monitoring_per_1k_objects: Price
    classes: Mapping[str, S3ClassPrices]

    def standard_storage_usd(self, gb_month: float) -> float:
        """Cost of `gb_month` of Standard storage in the region, through the volume tiers."""
        total, floor = 0.0, 0.0
        for tier in self.standard_tiers:
            ceiling = float("inf") if tier.up_to_gb is None else tier.up_to_gb
            if gb_month > floor:
                total += (min(gb_month, ceiling) - floor) * tier.price.usd
            floor = ceiling
        return total

    def storage_price(self, billing_class: str) -> Price:
        """$/GB-month of a billing class (STANDARD: the first volume tier)."""
        fixed = {
            STANDARD: self.standard_tiers[0].price,
            IT_FREQUENT: self.it_frequent,
            IT_INFREQUENT: self.it_infrequent,
            IT_ARCHIVE_INSTANT: self.it_archive_instant,
        }
        if billing_class in fixed:
            return fixed[billing_class]
        price = self.classes[billing_class].storage_gb_month
        assert price is not None
        return price


@dataclass(frozen=True)
class KmsPrices:
    key_month: Price
    rotation_month: Price
    requests_per_10k: Price


@dataclass(frozen=True)
class DynamoClassPrices:
    write_per_million: Price
    read_per_million: Price
    storage_gb_month: Price
    pitr_gb_month: Price
    wcu_hour: Price
    rcu_hour: Price


@dataclass(frozen=True)
class S3Rules:
    min_storage_days: Mapping[str, float]
    min_billable_bytes: Mapping[str, float]
    archive_overhead_standard_bytes: float
    archive_overhead_class_bytes: float
    min_transition_bytes: float
    it_min_monitored_bytes: float
    it_infrequent_after_days: float
    it_archive_instant_after_days: float
    request_metrics_emitted: int


@dataclass(frozen=True)
class KmsRules:
    free_requests_per_month: float
    billed_rotations_cap: int
    bucket_key_request_reduction: float


@dataclass(frozen=True)
class Rules:
    s3: S3Rules
    kms: KmsRules
    facts: Mapping[str, Fact]  # every rule by dotted name, with its sources (for the docs)


@dataclass(frozen=True)
class RegionPrices:
    region: str
    name: str
    s3: S3Prices
    kms: KmsPrices
    dynamodb: Mapping[str, DynamoClassPrices]
    cloudtrail_data_events_per_100k: Price
    cloudwatch_alarm_metric_month: Price
    cloudwatch_high_resolution_alarm_metric_month: Price
    cloudwatch_custom_metric_month: Price
    rules: Rules
    sources: Mapping[str, Source] = field(default_factory=dict)  # tags beyond the book's
    notes: tuple[str, ...] = ()  # where the prices came from, when not only the price file
    # S3 data transfer OUT to another Region (cross-region replication), billed here, the source
    inter_region_transfer_per_gb: Price | None = None


@dataclass(frozen=True)
class PriceBook:
    currency: str
    sources: Mapping[str, Source]
    rules: Rules
    regions: Mapping[str, RegionPrices]

    def region(self, name: str) -> RegionPrices:
        if name not in self.regions:
            raise UsageError(
                f"There are no prices for region {name!r} (known regions: "
                f"{', '.join(sorted(self.regions))}).",
                hint="Add the region, with sources, to src/obsctl/cost/prices.yaml.",
            )
        return self.regions[name]
