"""Reading an AWS Price List bulk offer file (JSON or CSV) into flat on-demand price rows.

The files are the ones AWS publishes at
https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<OfferCode>/current/<region>/index.json
(or index.csv). What a reader must not trip on [AWS-PL-FILE]:

- JSON: `products[sku].attributes` and `terms.OnDemand[sku][term].priceDimensions[rate]`;
  prices and ranges are strings ("0.0230000000", "51200", "Inf"); a single-band dimension may
  omit `beginRange`; `productFamily` is missing on most S3 products, so nothing here keys on it.
- CSV: five metadata rows (FormatVersion, Disclaimer, Publication Date, Version, OfferCode),
  then the header; columns are read by name (case and spaces ignored), never by position;
  `StartingRange`/`EndingRange`, `PricePerUnit`, `TermType` (only OnDemand rows count).
- Several rows may share a usage type: S3's `Requests-Tier3` is the Glacier restore and the
  Glacier and Deep Archive transitions, told apart by `operation` (offer_prices.py decides).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obsctl.errors import UsageError

CSV_METADATA_ROWS = 5


@dataclass(frozen=True)
class PriceRow:
    """One on-demand price band of one SKU."""

    sku: str
    usagetype: str
    operation: str
    attributes: Mapping[str, str]  # lower-case names without spaces: volumetype, regioncode...
    unit: str
    begin: float
    end: float  # math.inf for an open band
    usd: float
    description: str = ""

    def attribute(self, name: str) -> str:
        return self.attributes.get(name, "")


@dataclass(frozen=True)
class Offer:
    """The on-demand rows of one offer file, and what it says about itself."""

    path: Path
    code: str  # AmazonS3, AmazonS3GlacierDeepArchive, AmazonDynamoDB, awskms...
    version: str
    published: str  # YYYY-MM-DD
    rows: tuple[PriceRow, ...] = field(default_factory=tuple)

    def regions(self) -> set[str]:
        return {row.attribute("regioncode") for row in self.rows if row.attribute("regioncode")}

    def location(self, region: str) -> str:
        for row in self.rows:
            if row.attribute("regioncode") == region and row.attribute("location"):
                return row.attribute("location")
        return region


def _key(name: str) -> str:
    return name.replace(" ", "").replace("_", "").lower()


def _number(text: Any, where: str, path: Path) -> float:
    if text in (None, ""):
        return 0.0
    if isinstance(text, str) and text.strip().lower() in ("inf", "infinity"):
        return math.inf
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise UsageError(f"The offer file {path} has a non-numeric {where}: {text!r}.") from None
    if math.isnan(value) or value < 0:
        raise UsageError(f"The offer file {path} has an invalid {where}: {text!r}.")
    return value


def _date(text: Any) -> str:
    try:
        return datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return ""


def read_offer(path: Path) -> Offer:
    """An offer file, JSON or CSV (told apart by their first character), or a UsageError."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"The price file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"The price file {path} cannot be read ({error}).") from None
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return _json_offer(path, text)
    if stripped.startswith(('"FormatVersion"', "FormatVersion")):
        return _csv_offer(path, text)
    raise UsageError(
        f"The price file {path} is neither an AWS Price List offer file (JSON or CSV) nor "
        "a price book (YAML with `regions:`)."
    )


# -- JSON -------------------------------------------------------------------------------------


def _json_offer(path: Path, text: str) -> Offer:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"The offer file {path} is not JSON (line {error.lineno}).") from None
    products = document.get("products") if isinstance(document, dict) else None
    terms = ((document.get("terms") or {}).get("OnDemand")) if isinstance(document, dict) else None
    if not isinstance(products, dict) or not isinstance(terms, dict):
        raise UsageError(
            f"The offer file {path} has no `products` and `terms.OnDemand`: it is not an AWS "
            "Price List offer file."
        )
    return Offer(
        path=path,
        code=str(document.get("offerCode", "")),
        version=str(document.get("version", "")),
        published=_date(document.get("publicationDate", "")),
        rows=tuple(_json_rows(path, products, terms)),
    )


def _json_rows(
    path: Path, products: Mapping[str, Any], terms: Mapping[str, Any]
) -> Iterator[PriceRow]:
    for sku, by_term in terms.items():
        product = products.get(sku) or {}
        attributes = {
            _key(name): str(value) for name, value in (product.get("attributes") or {}).items()
        }
        for term in (by_term or {}).values():
            for rate, dimension in ((term or {}).get("priceDimensions") or {}).items():
                usd = (dimension.get("pricePerUnit") or {}).get("USD")
                if usd is None:
                    continue
                yield PriceRow(
                    sku=str(sku),
                    usagetype=attributes.get("usagetype", ""),
                    operation=attributes.get("operation", ""),
                    attributes=attributes,
                    unit=str(dimension.get("unit", "")),
                    begin=_number(dimension.get("beginRange"), f"beginRange of {rate}", path),
                    end=_number(dimension.get("endRange", "Inf"), f"endRange of {rate}", path),
                    usd=_number(usd, f"price of {rate}", path),
                    description=str(dimension.get("description", "")),
                )


# -- CSV --------------------------------------------------------------------------------------


def _csv_offer(path: Path, text: str) -> Offer:
    lines = text.splitlines(keepends=True)
    metadata = {
        _key(row[0]): row[1] for row in csv.reader(lines[:CSV_METADATA_ROWS]) if len(row) >= 2
    }
    reader = csv.DictReader(io.StringIO("".join(lines[CSV_METADATA_ROWS:])))
    if reader.fieldnames is None or "priceperunit" not in {_key(n) for n in reader.fieldnames}:
        raise UsageError(
            f"The offer file {path} has no PricePerUnit column after its five metadata rows: "
            "it is not an AWS Price List offer file."
        )
    rows = []
    for number, raw in enumerate(reader, start=CSV_METADATA_ROWS + 2):
        row = {_key(name): value or "" for name, value in raw.items() if name}
        if row.get("termtype", "OnDemand") != "OnDemand" or row.get("currency", "USD") != "USD":
            continue
        rows.append(
            PriceRow(
                sku=row.get("sku", ""),
                usagetype=row.get("usagetype", ""),
                operation=row.get("operation", ""),
                attributes=row,
                unit=row.get("unit", ""),
                begin=_number(row.get("startingrange"), f"StartingRange on line {number}", path),
                end=_number(row.get("endingrange") or "Inf", f"EndingRange on line {number}", path),
                usd=_number(row.get("priceperunit"), f"PricePerUnit on line {number}", path),
                description=row.get("pricedescription", ""),
            )
        )
    return Offer(
        path=path,
        code=metadata.get("offercode", ""),
        version=metadata.get("version", ""),
        published=_date(metadata.get("publicationdate", "")),
        rows=tuple(rows),
    )
