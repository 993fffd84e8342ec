"""Cross-region replication on the bill: what each replica costs, and the copy to it.

S3 bills replication as [AWS-S3-REPL]:

- the replica's storage, in the destination Region at its prices, in the classes the replica's
  lifecycle rules put it in (the replica module copies the source's rules, so the replica keeps
  the same objects as long, in the same classes);
- one replication PUT per object version written to the source, at the destination class's PUT
  price (the replica module writes STANDARD), with the transitions and early deletions its
  rules cause there;
- inter-Region data transfer OUT, per GB replicated, billed in the source Region.

Nobody reads a replica in normal operation, so it is priced with no GET or LIST; KMS requests
for its writes go to the replica key (with its Bucket Key).
"""

from __future__ import annotations

from dataclasses import replace

from obsctl.cost.bill import S3, Bill, LineItem
from obsctl.cost.prices import RegionPrices
from obsctl.cost.s3 import BucketQuantities, bucket_quantities, s3_lines
from obsctl.cost.units import MONTH_DAYS, gb
from obsctl.errors import UsageError
from obsctl.model.stack import Bucket, Stack


def replica_region(stack: Stack) -> str | None:
    """The Region of the plan's replicas (None: it replicates nothing)."""
    return next((b.region for b in stack.buckets if b.address and b.replica_of and b.region), None)


def replica_quantities(
    replica: Bucket, source: BucketQuantities, prices: RegionPrices
) -> BucketQuantities:
    """The replica's quantities: the source's writes and deletes, none of its reads."""
    workload = replace(
        source.workload,
        streams=tuple(
            replace(stream, read_bytes_per_month=0.0, polls_per_day=0.0)
            for stream in source.workload.streams
        ),
        list_requests_per_day=0.0,
        description=f"replica of {source.bucket.name}: its writes, no reads",
    )
    return bucket_quantities(replica, workload, prices.rules.s3)


def replicated_gb(source: BucketQuantities) -> float:
    """GB written to the source in a month: what replication copies across Regions."""
    return gb(
        sum(
            stream.objects_per_day * stream.object_bytes * MONTH_DAYS
            for stream in source.workload.streams
        )
    )


def transfer_line(
    replica: Bucket, source: BucketQuantities, prices: RegionPrices, destination: str
) -> list[LineItem]:
    price = prices.inter_region_transfer_per_gb
    if price is None:
        raise UsageError(
            f"The price file has no inter-Region transfer price for {prices.region}, and the "
            f"plan replicates {source.bucket.name} to {destination}.",
            hint="Add regions.<region>.transfer.inter_region_out_per_gb to the price file.",
        )
    bill = Bill(replica.app, replica.name, S3)
    bill.add(
        f"inter-Region transfer {prices.region} to {destination}",
        replicated_gb(source),
        "GB",
        price,
    )
    return bill.lines


def replication_lines(
    replicas: list[tuple[BucketQuantities, BucketQuantities]],
    prices: RegionPrices,
    replica_prices: RegionPrices,
) -> list[LineItem]:
    """Every (replica, source) pair's lines: the replica's storage and requests at the replica
    Region's prices (its own Standard volume tier), and the transfer from the source Region."""
    standard_gb = sum(quantities.standard_gb_month for quantities, _ in replicas)
    standard_rate = (
        replica_prices.s3.standard_storage_usd(standard_gb) / standard_gb
        if standard_gb > 0
        else replica_prices.s3.standard_tiers[0].price.usd
    )
    lines: list[LineItem] = []
    for quantities, source in replicas:
        lines += s3_lines(quantities, replica_prices, standard_rate)
        lines += transfer_line(quantities.bucket, source, prices, replica_prices.region)
    return lines
