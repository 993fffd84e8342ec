"""Prices from AWS Price List offer files: which row is which price, and the region's prices with
those rows in place of the price file's.

Each price of `RegionPrices` is found by its usage type (after the billing-region prefix that
every region but us-east-1 puts in front: `EUC1-TimedStorage-ByteHrs`), and where a usage type
carries several prices, by its operation or volume type. Where a price has bands, the first
band that costs anything is taken (the model applies no free tier: DynamoDB's first 25 GB, the
first 10,000 alarm metrics...) except S3 Standard storage, whose volume bands become its tiers.
Deep Archive storage and PUTs are in their own offer (AmazonS3GlacierDeepArchive); without it,
Deep Archive storage falls back to Intelligent-Tiering's Deep Archive Access tier, the same
price in every region [AWS-PL-FILE].
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from obsctl.cost.offer_file import Offer, PriceRow
from obsctl.cost.prices import (
    DEEP_ARCHIVE,
    GLACIER,
    GLACIER_IR,
    INTELLIGENT_TIERING,
    ONEZONE_IA,
    STANDARD_IA,
    Price,
    PriceBook,
    RegionPrices,
    Source,
    StorageTier,
)
from obsctl.errors import UsageError

# A billing-region prefix: three letters and a digit (USE1-, EUC1-, APN1-) or EU- for eu-west-1
# [AWS-S3-USAGE]; not KMS- (awskms's own) nor IA- (DynamoDB's Standard-IA table class).
_REGION_PREFIX = re.compile(r"^(?:EU|[A-Z]{3}[0-9])-")


@dataclass(frozen=True)
class Wanted:
    """How to find one price: the usage type (without region prefix), an optional test on the
    row, and what to multiply a per-unit price by (1,000 for "per 1k requests")."""

    usagetype: str
    per: float = 1.0
    test: Callable[[PriceRow], bool] | None = None
    offers: tuple[str, ...] = ("AmazonS3",)


def _operation(*names: str) -> Callable[[PriceRow], bool]:
    return lambda row: row.operation in names


def _not_operation(*names: str) -> Callable[[PriceRow], bool]:
    return lambda row: row.operation not in names


def _attribute(name: str, value: str) -> Callable[[PriceRow], bool]:
    return lambda row: row.attribute(name) == value


_DA = ("AmazonS3GlacierDeepArchive", "AmazonS3")
_DDB = ("AmazonDynamoDB",)
_CLASS_REQUESTS = {
    INTELLIGENT_TIERING: "INT", STANDARD_IA: "SIA", ONEZONE_IA: "ZIA", GLACIER_IR: "GIR",
}  # fmt: skip
_TRANSITIONS = {
    INTELLIGENT_TIERING: ("Requests-Tier4", "S3-INTTransition"),
    STANDARD_IA: ("Requests-Tier4", "S3-SIATransition"),
    ONEZONE_IA: ("Requests-Tier4", "S3-ZIATransition"),
    GLACIER_IR: ("Requests-Tier4", "S3-GIRTransition"),
    GLACIER: ("Requests-Tier3", "S3-GlacierTransition"),
    DEEP_ARCHIVE: ("Requests-Tier3", "S3-GDATransition"),
}


def _catalogue() -> dict[str, tuple[Wanted, ...]]:
    """Price key -> where to look, in order of preference."""
    found: dict[str, tuple[Wanted, ...]] = {
        "s3.intelligent_tiering.frequent": (Wanted("TimedStorage-INT-FA-ByteHrs"),),
        "s3.intelligent_tiering.infrequent": (Wanted("TimedStorage-INT-IA-ByteHrs"),),
        "s3.intelligent_tiering.archive_instant": (Wanted("TimedStorage-INT-AIA-ByteHrs"),),
        "s3.intelligent_tiering.monitoring_per_1k_objects": (
            Wanted("Monitoring-Automation-INT", 1000.0),
        ),
        "s3.classes.STANDARD.put_per_1k": (Wanted("Requests-Tier1", 1000.0),),
        "s3.classes.STANDARD.get_per_1k": (Wanted("Requests-Tier2", 1000.0),),
        "s3.classes.GLACIER.storage_gb_month": (
            Wanted(
                "TimedStorage-GlacierByteHrs",
                test=_not_operation("GlacierObjectOverhead"),
            ),
        ),
        "s3.classes.GLACIER.put_per_1k": (
            Wanted("Requests-GLACIER-Tier1", 1000.0, _operation("PutObject")),
        ),
        "s3.classes.GLACIER.get_per_1k": (Wanted("Requests-GLACIER-Tier2", 1000.0),),
        "s3.classes.GLACIER.retrieval_per_gb": (
            Wanted("Standard-Retrieval-Bytes", test=_operation("RestoreObject")),
        ),
        "s3.classes.GLACIER.restore_per_1k": (
            Wanted("Requests-Tier3", 1000.0, _operation("RestoreObject")),
        ),
        "s3.classes.DEEP_ARCHIVE.storage_gb_month": (
            Wanted(
                "TimedStorage-GDA-ByteHrs",
                test=_not_operation("DeepArchiveObjectOverhead"),
                offers=_DA,
            ),
            Wanted("TimedStorage-INT-DAA-ByteHrs"),  # the same price in every region
        ),
        "s3.classes.DEEP_ARCHIVE.put_per_1k": (Wanted("Requests-GDA-Tier1", 1000.0, offers=_DA),),
        "s3.classes.DEEP_ARCHIVE.get_per_1k": (Wanted("Requests-GDA-Tier2", 1000.0, offers=_DA),),
        "s3.classes.DEEP_ARCHIVE.retrieval_per_gb": (
            Wanted("Standard-Retrieval-Bytes", test=_operation("DeepArchiveRestoreObject")),
        ),
        "s3.classes.DEEP_ARCHIVE.restore_per_1k": (
            Wanted("Requests-GDA-Tier3", 1000.0, offers=_DA),
        ),
        "kms.key_month": (Wanted("KMS-Keys", offers=("awskms",)),),
        "kms.requests_per_10k": (Wanted("KMS-Requests", 10_000.0, offers=("awskms",)),),
        "cloudtrail.data_events_per_100k": (
            Wanted("DataEventsRecorded", 100_000.0, offers=("AWSCloudTrail",)),
        ),
        "cloudwatch.alarm_metric_month": (
            Wanted(
                "CW:AlarmMonitorUsage",
                test=_attribute("alarmtype", "Standard"),
                offers=("AmazonCloudWatch",),
            ),
        ),
        "cloudwatch.high_resolution_alarm_metric_month": (
            Wanted(
                "CW:AlarmMonitorUsage",
                test=_attribute("alarmtype", "High Resolution"),
                offers=("AmazonCloudWatch",),
            ),
        ),
        "cloudwatch.custom_metric_month": (
            Wanted("CW:MetricMonitorUsage", offers=("AmazonCloudWatch",)),
        ),
    }
    for cls, short in _CLASS_REQUESTS.items():
        found[f"s3.classes.{cls}.put_per_1k"] = (Wanted(f"Requests-{short}-Tier1", 1000.0),)
        found[f"s3.classes.{cls}.get_per_1k"] = (Wanted(f"Requests-{short}-Tier2", 1000.0),)
        if cls != INTELLIGENT_TIERING:
            found[f"s3.classes.{cls}.storage_gb_month"] = (Wanted(f"TimedStorage-{short}-ByteHrs"),)
            found[f"s3.classes.{cls}.retrieval_per_gb"] = (Wanted(f"Retrieval-{short}"),)
    for cls, (usagetype, operation) in _TRANSITIONS.items():
        found[f"s3.classes.{cls}.transition_per_1k"] = (
            Wanted(usagetype, 1000.0, _operation(operation)),
        )
    for prefix, table_class in (("", "STANDARD"), ("IA-", "STANDARD_INFREQUENT_ACCESS")):
        base = f"dynamodb.{table_class}"
        found[f"{base}.write_per_million"] = (
            Wanted(f"{prefix}WriteRequestUnits", 1e6, offers=_DDB),
        )
        found[f"{base}.read_per_million"] = (Wanted(f"{prefix}ReadRequestUnits", 1e6, offers=_DDB),)
        found[f"{base}.storage_gb_month"] = (Wanted(f"{prefix}TimedStorage-ByteHrs", offers=_DDB),)
        found[f"{base}.wcu_hour"] = (Wanted(f"{prefix}WriteCapacityUnit-Hrs", offers=_DDB),)
        found[f"{base}.rcu_hour"] = (Wanted(f"{prefix}ReadCapacityUnit-Hrs", offers=_DDB),)
    found["dynamodb.STANDARD.pitr_gb_month"] = (Wanted("TimedPITRStorage-ByteHrs", offers=_DDB),)
    return found


CATALOGUE = _catalogue()
STANDARD_TIERS = "s3.standard_storage_tiers"


def _suffix(usagetype: str) -> str:
    return _REGION_PREFIX.sub("", usagetype, count=1)


def _rows_for(offers: Iterable[Offer], region: str, wanted: Wanted) -> list[tuple[Offer, PriceRow]]:
    matches = []
    for offer in offers:
        if offer.code not in wanted.offers:
            continue
        for row in offer.rows:
            if row.attribute("regioncode") not in ("", region):
                continue
            if _suffix(row.usagetype) != wanted.usagetype:
                continue
            if wanted.test is not None and not wanted.test(row):
                continue
            matches.append((offer, row))
    return matches


def _first_paid(rows: list[PriceRow]) -> PriceRow:
    """The band a model without free tiers uses: the first that costs anything."""
    ordered = sorted(rows, key=lambda row: row.begin)
    return next((row for row in ordered if row.usd > 0), ordered[0])


class _Found:
    """The prices found in the offers, with their provenance."""

    def __init__(self, offers: list[Offer], region: str) -> None:
        self.offers, self.region = offers, region
        self.sources: dict[str, Source] = {}
        self.notes: list[str] = []

    def tag(self, offer: Offer) -> str:
        tag = f"FILE-{offer.code}"
        self.sources[tag] = Source(
            f"{offer.path.name}: AWS Price List offer file {offer.code} version "
            f"{offer.version or 'unknown'}, published {offer.published or 'undated'}",
            offer.published or None,
        )
        return tag

    def price(self, offer: Offer, row: PriceRow, usd: float) -> Price:
        operation = f" ({row.operation})" if row.operation else ""
        where = f"{offer.path.name}: {row.usagetype}{operation}"
        if offer.published:
            return Price(usd, (self.tag(offer),), verified=offer.published, path=where)
        return Price(usd, (self.tag(offer),), unverified="the offer file is undated", path=where)

    def lookup(self, key: str) -> Price | None:
        for wanted in CATALOGUE[key]:
            matches = _rows_for(self.offers, self.region, wanted)
            if not matches:
                continue
            by_sku: dict[str, list[tuple[Offer, PriceRow]]] = {}
            for offer, row in matches:
                by_sku.setdefault(row.sku, []).append((offer, row))
            candidates = []
            for rows in by_sku.values():
                chosen = _first_paid([row for _, row in rows])
                offer = next(offer for offer, row in rows if row is chosen)
                candidates.append((chosen.usd * wanted.per, offer, chosen))
            usd, offer, row = max(candidates, key=lambda item: item[0])
            seen = sorted({round(item[0], 10) for item in candidates})
            if len(seen) > 1:
                self.notes.append(
                    f"{key}: the offer files give {len(seen)} prices "
                    f"({', '.join(f'{value:g}' for value in seen)}); the highest is used."
                )
            return self.price(offer, row, usd)
        return None

    def standard_tiers(self) -> tuple[StorageTier, ...] | None:
        wanted = Wanted(
            "TimedStorage-ByteHrs",
            test=lambda row: (
                row.operation == "" and row.attribute("volumetype") in ("", "Standard")
            ),
        )
        matches = _rows_for(self.offers, self.region, wanted)
        if not matches:
            return None
        ordered = sorted(matches, key=lambda match: match[1].begin)
        return tuple(
            StorageTier(None if math.isinf(row.end) else row.end, self.price(offer, row, row.usd))
            for offer, row in ordered
        )


def _attributes(key: str) -> list[str]:
    """The attribute path in `RegionPrices` of a price named as in the price file."""
    section, _, rest = key.partition(".")
    if section in ("cloudtrail", "cloudwatch"):
        return [f"{section}_{rest}"]
    if key.startswith("s3.intelligent_tiering."):
        return ["s3", "it_" + key.rsplit(".", 1)[1]]
    return key.split(".")


def _with(node: Any, path: list[str], price: Price) -> Any:
    """`node` (a dataclass or mapping of prices) with the price at `path` replaced."""
    head, rest = path[0], path[1:]
    if isinstance(node, Mapping):
        child = node[head]
        return {**node, head: price if not rest else _with(child, rest, price)}
    child = getattr(node, head)
    return replace(node, **{head: price if not rest else _with(child, rest, price)})


def region_from_offers(book: PriceBook, offers: list[Offer], region: str) -> RegionPrices:
    """The region's prices with every price the offer files give in place of the price
    file's; the notes say how many came from where."""
    for offer in offers:
        if offer.regions() and region not in offer.regions():
            raise UsageError(
                f"The offer file {offer.path} has no prices for {region}, the plan's region "
                f"(it covers {', '.join(sorted(offer.regions()))})."
            )
    base = book.region(region)
    found = _Found(offers, region)
    prices: RegionPrices = base
    replaced, missing = 0, []
    for key in CATALOGUE:
        price = found.lookup(key)
        if price is None:
            missing.append(key)
            continue
        prices = _with(prices, _attributes(key), price)
        replaced += 1
    tiers = found.standard_tiers()
    if tiers:
        prices = replace(prices, s3=replace(prices.s3, standard_tiers=tiers))
        replaced += 1
    else:
        missing.append(STANDARD_TIERS)
    files = ", ".join(
        f"{offer.code} {offer.version or ''} ({offer.published or 'undated'})".replace("  ", " ")
        for offer in offers
    )
    notes = [
        f"Prices from the offer files {files}: {replaced} of {len(CATALOGUE) + 1} prices; "
        f"the other {len(missing)} are the price file's."
    ]
    return replace(
        prices,
        sources={**prices.sources, **found.sources},
        notes=(*prices.notes, *notes, *found.notes),
    )
