"""Reading the price file: `prices.yaml` (or a file of yours) -> a typed `PriceBook`.

Every price carries its sources and either `verified: DATE` (the date of one of its sources'
readings of AWS's price list) or `unverified: REASON`; a missing or malformed entry is one clear
error naming its place in the file (`regions.us-east-1.kms.key_month`).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from obsctl.cost.prices import (
    DEEP_ARCHIVE,
    DYNAMODB_TABLE_CLASSES,
    GLACIER,
    GLACIER_IR,
    INTELLIGENT_TIERING,
    ONEZONE_IA,
    PRICE_FILE,
    STANDARD,
    STANDARD_IA,
    STORAGE_CLASSES,
    DynamoClassPrices,
    Fact,
    KmsPrices,
    KmsRules,
    Price,
    PriceBook,
    PriceFileError,
    RegionPrices,
    Rules,
    S3ClassPrices,
    S3Prices,
    S3Rules,
    Source,
    StorageTier,
)
from obsctl.cost.units import KB
from obsctl.errors import UsageError


class _Reader:
    """Walks the raw YAML, turning a missing or malformed entry into one clear error."""

    def __init__(self, origin: str, sources: Mapping[str, Source]) -> None:
        self.origin = origin
        self.sources = sources

    def fail(self, path: str, problem: str) -> PriceFileError:
        return PriceFileError(f"The price file {self.origin} is malformed at {path}: {problem}.")

    def node(self, data: Any, path: str, key: str) -> Any:
        if not isinstance(data, Mapping) or key not in data:
            raise self.fail(f"{path}.{key}", "the entry is missing")
        return data[key]

    def tags(self, raw: Any, path: str) -> tuple[str, ...]:
        tags = (raw,) if isinstance(raw, str) else tuple(raw or ())
        unknown = [tag for tag in tags if tag not in self.sources]
        if not tags or unknown:
            raise self.fail(path, f"unknown or missing source tag(s) {unknown or '(none)'}")
        return tags

    def price(self, data: Any, path: str, key: str) -> Price:
        return self.price_at(self.node(data, path, key), f"{path}.{key}")

    def price_at(self, raw: Any, where: str) -> Price:
        usd = raw.get("usd") if isinstance(raw, Mapping) else None
        if isinstance(usd, bool) or not isinstance(usd, int | float) or not 0 <= usd < math.inf:
            raise self.fail(where, "usd must be a finite number of at least 0")
        tags = self.tags(raw.get("source"), f"{where}.source")
        verified, unverified = raw.get("verified"), raw.get("unverified")
        if (verified is None) == (unverified is None):
            raise self.fail(where, "give either `verified: DATE` or `unverified: REASON`")
        if unverified is not None:
            if not isinstance(unverified, str) or not unverified.strip():
                raise self.fail(f"{where}.unverified", "say why in a sentence")
            return Price(float(usd), tags, unverified=unverified, path=where)
        date = _date(verified)
        dated = {self.sources[tag].date for tag in tags}
        if date is None or date not in dated:
            raise self.fail(
                f"{where}.verified",
                f"{verified!r} must be the date of one of its sources ({', '.join(tags)})",
            )
        return Price(float(usd), tags, verified=date, path=where)

    def optional_price(self, data: Any, path: str, key: str) -> Price | None:
        return self.price(data, path, key) if isinstance(data, Mapping) and key in data else None

    def fact(self, data: Any, path: str, key: str) -> Fact:
        raw = self.node(data, path, key)
        where = f"{path}.{key}"
        value = raw.get("value") if isinstance(raw, Mapping) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, "value must be a number")
        return Fact(float(value), self.tags(raw.get("source"), f"{where}.source"))


def _rules(reader: _Reader, raw: Any) -> Rules:
    facts: dict[str, Fact] = {}

    def fact(section: str, key: str, sub: str | None = None) -> float:
        container = reader.node(raw, "rules", section)
        path = f"rules.{section}"
        if sub is not None:
            container = reader.node(container, path, key)
            path, key = f"{path}.{key}", sub
        found = reader.fact(container, path, key)
        facts[f"{path}.{key}".removeprefix("rules.")] = found
        return found.value

    s3 = S3Rules(
        min_storage_days={
            cls: fact("s3", "min_storage_days", cls)
            for cls in (STANDARD_IA, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE)
        },
        min_billable_bytes={
            cls: fact("s3", "min_billable_kb", cls) * KB
            for cls in (STANDARD_IA, ONEZONE_IA, GLACIER_IR)
        },
        archive_overhead_standard_bytes=fact("s3", "archive_overhead_standard_kb") * KB,
        archive_overhead_class_bytes=fact("s3", "archive_overhead_class_kb") * KB,
        min_transition_bytes=fact("s3", "min_transition_kb") * KB,
        it_min_monitored_bytes=fact("s3", "it_min_monitored_kb") * KB,
        it_infrequent_after_days=fact("s3", "it_infrequent_after_days"),
        it_archive_instant_after_days=fact("s3", "it_archive_instant_after_days"),
        request_metrics_emitted=int(
            fact("s3", "request_metrics_per_filter") - fact("s3", "request_metrics_never_emitted")
        ),
    )
    kms = KmsRules(
        free_requests_per_month=fact("kms", "free_requests_per_month"),
        billed_rotations_cap=int(fact("kms", "billed_rotations_cap")),
        bucket_key_request_reduction=fact("kms", "bucket_key_request_reduction"),
    )
    return Rules(s3=s3, kms=kms, facts=facts)


def _s3(reader: _Reader, raw: Any, path: str) -> S3Prices:
    tiers_raw = reader.node(raw, path, "standard_storage_tiers")
    if not isinstance(tiers_raw, list) or not tiers_raw:
        raise reader.fail(f"{path}.standard_storage_tiers", "a list of tiers is needed")
    tiers = []
    for index, tier in enumerate(tiers_raw):
        where = f"{path}.standard_storage_tiers[{index}]"
        up_to = tier.get("up_to_gb") if isinstance(tier, Mapping) else None
        if up_to is not None and not isinstance(up_to, int | float):
            raise reader.fail(where, "up_to_gb must be a number or null")
        tiers.append(StorageTier(up_to, reader.price_at(tier, where)))
    if tiers[-1].up_to_gb is not None:
        raise reader.fail(f"{path}.standard_storage_tiers", "the last tier needs up_to_gb: null")
    it = reader.node(raw, path, "intelligent_tiering")
    it_path = f"{path}.intelligent_tiering"
    classes_raw = reader.node(raw, path, "classes")
    classes = {}
    for cls in STORAGE_CLASSES:
        entry = reader.node(classes_raw, f"{path}.classes", cls)
        where = f"{path}.classes.{cls}"
        storage = None
        if cls not in (STANDARD, INTELLIGENT_TIERING):
            storage = reader.price(entry, where, "storage_gb_month")
        classes[cls] = S3ClassPrices(
            storage_gb_month=storage,
            put_per_1k=reader.price(entry, where, "put_per_1k"),
            get_per_1k=reader.price(entry, where, "get_per_1k"),
            transition_per_1k=(
                None if cls == STANDARD else reader.price(entry, where, "transition_per_1k")
            ),
            retrieval_per_gb=reader.price(entry, where, "retrieval_per_gb"),
            restore_per_1k=reader.optional_price(entry, where, "restore_per_1k"),
        )
    return S3Prices(
        standard_tiers=tuple(tiers),
        it_frequent=reader.price(it, it_path, "frequent"),
        it_infrequent=reader.price(it, it_path, "infrequent"),
        it_archive_instant=reader.price(it, it_path, "archive_instant"),
        it_monitoring_per_1k_objects=reader.price(it, it_path, "monitoring_per_1k_objects"),
        classes=classes,
    )


def _region(reader: _Reader, region: str, raw: Any, rules: Rules) -> RegionPrices:
    path = f"regions.{region}"
    kms = reader.node(raw, path, "kms")
    dynamodb = reader.node(raw, path, "dynamodb")
    cloudtrail = reader.node(raw, path, "cloudtrail")
    cloudwatch = reader.node(raw, path, "cloudwatch")
    tables = {}
    for cls in DYNAMODB_TABLE_CLASSES:
        entry = reader.node(dynamodb, f"{path}.dynamodb", cls)
        where = f"{path}.dynamodb.{cls}"
        tables[cls] = DynamoClassPrices(
            **{
                name: reader.price(entry, where, name)
                for name in (
                    "write_per_million",
                    "read_per_million",
                    "storage_gb_month",
                    "pitr_gb_month",
                    "wcu_hour",
                    "rcu_hour",
                )
            }
        )
    return RegionPrices(
        region=region,
        name=str(raw.get("name", region)),
        s3=_s3(reader, reader.node(raw, path, "s3"), f"{path}.s3"),
        kms=KmsPrices(
            key_month=reader.price(kms, f"{path}.kms", "key_month"),
            rotation_month=reader.price(kms, f"{path}.kms", "rotation_month"),
            requests_per_10k=reader.price(kms, f"{path}.kms", "requests_per_10k"),
        ),
        dynamodb=tables,
        cloudtrail_data_events_per_100k=reader.price(
            cloudtrail, f"{path}.cloudtrail", "data_events_per_100k"
        ),
        cloudwatch_alarm_metric_month=reader.price(
            cloudwatch, f"{path}.cloudwatch", "alarm_metric_month"
        ),
        cloudwatch_high_resolution_alarm_metric_month=reader.price(
            cloudwatch, f"{path}.cloudwatch", "high_resolution_alarm_metric_month"
        ),
        cloudwatch_custom_metric_month=reader.price(
            cloudwatch, f"{path}.cloudwatch", "custom_metric_month"
        ),
        rules=rules,
        inter_region_transfer_per_gb=reader.optional_price(
            raw.get("transfer"), f"{path}.transfer", "inter_region_out_per_gb"
        ),
    )


def _date(value: Any) -> str | None:
    """A YYYY-MM-DD date (YAML may already have read it as a date), else None."""
    text = value.isoformat() if isinstance(value, datetime.date) else value
    if not isinstance(text, str):
        return None
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _sources(raw: Any, origin: str) -> dict[str, Source]:
    if not isinstance(raw, Mapping) or not raw:
        raise PriceFileError(f"The price file {origin} has no `sources` mapping.")
    sources = {}
    for tag, entry in raw.items():
        text = entry.get("text") if isinstance(entry, Mapping) else None
        date = entry.get("date") if isinstance(entry, Mapping) else None
        if not isinstance(text, str) or (date is not None and _date(date) is None):
            raise PriceFileError(
                f"The price file {origin} is malformed at sources.{tag}: it needs "
                "{text: ..., date: YYYY-MM-DD or null}."
            )
        sources[str(tag)] = Source(text, _date(date))
    return sources


def parse_price_book(raw: Any, origin: str = PRICE_FILE) -> PriceBook:
    if not isinstance(raw, Mapping):
        raise PriceFileError(f"The price file {origin} is not a YAML mapping.")
    reader = _Reader(origin, _sources(raw.get("sources"), origin))
    rules = _rules(reader, reader.node(raw, "", "rules"))
    regions_raw = reader.node(raw, "", "regions")
    if not isinstance(regions_raw, Mapping) or not regions_raw:
        raise PriceFileError(f"The price file {origin} lists no regions.")
    regions = {
        str(name): _region(reader, str(name), entry, rules) for name, entry in regions_raw.items()
    }
    return PriceBook(
        currency=str(raw.get("currency", "USD")),
        sources=reader.sources,
        rules=rules,
        regions=regions,
    )


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=4)
def load_price_book(path: Path | None = None) -> PriceBook:
    """The packaged price book, or the one at `path`."""
    if path is None:
        text = resources.files("obsctl.cost").joinpath(PRICE_FILE).read_text(encoding="utf-8")
        origin = PRICE_FILE
    else:
        try:
            text, origin = path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"The price file {path} cannot be read ({error}).") from None
    try:
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise PriceFileError(f"The price file {origin} is not valid YAML ({error}).") from error
    return parse_price_book(raw, origin)


def region_prices(region: str, files: Sequence[Path] = ()) -> RegionPrices:
    """The prices of `region`: the packaged price book, or a price book of yours (YAML), with
    the prices of any AWS Price List offer files (JSON or CSV) in place of its own."""
    from obsctl.cost.offer_file import read_offer
    from obsctl.cost.offer_prices import region_from_offers

    books = [path for path in files if _is_price_book(path)]
    if len(books) > 1:
        raise UsageError(
            f"--prices names two price books ({books[0]}, {books[1]}); give one, and any "
            "number of AWS offer files."
        )
    try:
        book = load_price_book(books[0]) if books else load_price_book()
    except PriceFileError as error:
        raise UsageError(error.message) from None
    offers = [read_offer(path) for path in files if path not in books]
    if not offers:
        return book.region(region)
    return region_from_offers(book, offers, region)


def _is_price_book(path: Path) -> bool:
    """A YAML price book, as opposed to an offer file (JSON starts with "{", CSV with the
    "FormatVersion" row)."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            start = handle.read(64).lstrip()
    except FileNotFoundError:
        raise UsageError(f"The price file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"The price file {path} cannot be read ({error}).") from None
    return not start.startswith(("{", '"FormatVersion"', "FormatVersion"))
