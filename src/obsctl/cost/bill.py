"""Line items: one billed quantity each, and a small helper that writes them for one resource."""

from __future__ import annotations

from dataclasses import dataclass, field

from obsctl.cost.prices import Price

S3, KMS, DYNAMODB, CLOUDTRAIL, CLOUDWATCH = "S3", "KMS", "DynamoDB", "CloudTrail", "CloudWatch"
SERVICES = (S3, KMS, DYNAMODB, CLOUDTRAIL, CLOUDWATCH)


@dataclass(frozen=True)
class LineItem:
    """`quantity` `unit` at `rate` USD per `per` units, on `resource` of `app`."""

    app: str
    resource: str
    service: str
    item: str
    quantity: float
    unit: str
    rate: float
    per: float
    usd: float
    source: str = ""
    storage_class: str | None = None
    verified: str | None = None  # the date the price was read from AWS's price list or pages
    unverified: str | None = None  # why it was not
    price: str = ""  # where the price comes from (its place in the price file, or an offer file)


@dataclass
class Bill:
    """The line items of one resource: `bill.add("storage", 12.5, "GB-month", price)`."""

    app: str
    resource: str
    service: str
    lines: list[LineItem] = field(default_factory=list)

    def add(
        self,
        item: str,
        quantity: float,
        unit: str,
        price: Price,
        *,
        per: float = 1.0,
        storage_class: str | None = None,
        billed_share: float = 1.0,
    ) -> None:
        """Add a line unless its quantity is zero; `billed_share` < 1 when a free tier covers
        part of it."""
        if quantity <= 0:
            return
        self.lines.append(
            LineItem(
                app=self.app,
                resource=self.resource,
                service=self.service,
                item=item,
                quantity=quantity,
                unit=unit,
                rate=price.usd,
                per=per,
                usd=quantity * billed_share / per * price.usd,
                source=price.cite,
                storage_class=storage_class,
                verified=price.verified,
                unverified=price.unverified,
                price=price.path,
            )
        )
