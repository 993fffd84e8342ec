"""Cross-region replication on the bill: replica storage and PUTs in the replica Region, and
the transfer from the source Region, on the plan of prod with replica_region=us-west-2."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from pathlib import Path

import pytest

from obsctl.cost.model import Estimate, estimate
from obsctl.cost.price_file import region_prices
from obsctl.cost.replication import replica_region
from obsctl.cost.usage_file import preset
from obsctl.errors import UsageError
from obsctl.model import plan_stack, read_plan

PLANS = Path(__file__).resolve().parents[2] / "fixtures" / "plan"


def _stack(name: str):
    path = PLANS / f"{name}.json"
    return plan_stack(read_plan(path), str(path))


@pytest.fixture(scope="module")
def bills() -> tuple[Estimate, Estimate]:
    usage = preset("medium")
    east, west = region_prices("us-east-1"), region_prices("us-west-2")
    plain = estimate(_stack("prod"), usage, east)
    replicated = estimate(_stack("prod-replica"), usage, east, replica_prices=west)
    return plain, replicated


def _by_resource(bill: Estimate) -> dict[str, list]:
    found: dict[str, list] = defaultdict(list)
    for line in bill.lines:
        found[line.resource].append(line)
    return found


def test_the_replica_region_is_read_from_the_plan() -> None:
    assert replica_region(_stack("prod-replica")) == "us-west-2"
    assert replica_region(_stack("prod")) is None


def test_replication_adds_exactly_the_replicas_and_leaves_the_sources_alone(
    bills: tuple[Estimate, Estimate],
) -> None:
    plain, replicated = bills
    before, after = _by_resource(plain), _by_resource(replicated)
    for resource, lines in before.items():
        if resource.startswith("lgtm-prod-123456789012-") and not resource.endswith("-replica"):
            if "audit" in resource or "access-logs" in resource:
                continue  # they log requests and data events, which grow with the replicas
            # S3 lines: the KMS free tier is shared by more requests once replicas exist
            s3 = lambda found: [(x.item, x.usd) for x in found if x.service == "S3"]  # noqa: E731
            assert s3(after[resource]) == s3(lines)
    added = sum(line.usd for r, lines in after.items() if r not in before for line in lines)
    assert added > 0
    replicas = [r for r in after if r.endswith("-replica") and "-replica" in r]
    assert {r for r in replicas if "blocks" in r or "chunks" in r or "traces" in r} == {
        "lgtm-prod-123456789012-mimir-blocks-replica",
        "lgtm-prod-123456789012-loki-chunks-replica",
        "lgtm-prod-123456789012-tempo-traces-replica",
    }


def test_a_replica_is_billed_storage_puts_and_transfer_never_reads(
    bills: tuple[Estimate, Estimate],
) -> None:
    plain, replicated = bills
    source = _by_resource(plain)["lgtm-prod-123456789012-mimir-blocks"]
    replica = _by_resource(replicated)["lgtm-prod-123456789012-mimir-blocks-replica"]
    items = {line.item for line in replica}
    assert "GET requests" not in items
    assert "inter-Region transfer us-east-1 to us-west-2" in items
    # the replica keeps the source's lifecycle: the same GB-months in the same classes
    storage = lambda lines: {  # noqa: E731
        line.storage_class: round(line.quantity, 6) for line in lines if line.item == "storage"
    }
    assert storage(replica) == storage(source)
    # ... at us-west-2's prices, and the transfer at us-east-1's
    west = region_prices("us-west-2")
    ia = next(x for x in replica if x.item == "storage" and x.storage_class == "STANDARD_IA")
    assert ia.rate == west.s3.storage_price("STANDARD_IA").usd
    transfer = next(x for x in replica if x.item.startswith("inter-Region transfer"))
    assert transfer.rate == region_prices("us-east-1").inter_region_transfer_per_gb.usd == 0.02
    assert transfer.unverified  # recalled from third-party pages, said so


def test_a_price_file_without_a_transfer_price_refuses_in_one_sentence() -> None:
    east = dataclasses.replace(region_prices("us-east-1"), inter_region_transfer_per_gb=None)
    with pytest.raises(UsageError, match="no inter-Region transfer price for us-east-1"):
        estimate(
            _stack("prod-replica"),
            preset("medium"),
            east,
            replica_prices=region_prices("us-west-2"),
        )
