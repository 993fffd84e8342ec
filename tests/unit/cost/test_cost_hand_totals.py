"""dev/small, prod/medium and prod/large recomputed by hand, to the cent, per app.

Everything here is written out from docs/cost.md ("The model") and the facts of the recorded
plans, which the first test pins: nothing calls the model's own functions but `estimate`,
whose result is compared. Prices are us-east-1's, typed in. Units: 1 GB = 2**30 bytes,
1 KB = 1,024 bytes, a month is 30.4 days; a stream of N objects a day, each living T days
(current, then noncurrent), holds N x T objects, so its GB-month = N x size / GB x T.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from obsctl.cost.model import estimate
from obsctl.cost.prices import RegionPrices
from obsctl.cost.usage_file import preset
from obsctl.model import plan_stack, read_plan
from obsctl.model.lifecycle import Transition

PLANS = Path(__file__).resolve().parents[2] / "fixtures" / "plan"
KB, MB, GB = 1024.0, 1024.0**2, 1024.0**3
MONTH = 30.4
DAY_S = 86_400.0

# us-east-1, typed in from src/obsctl/cost/prices.yaml
STANDARD, IA = 0.023, 0.0125
PUT, GET, IA_GET, IA_RETRIEVAL, IA_TRANSITION = 0.005, 0.0004, 0.001, 0.01, 0.01  # per 1k / GB
KEY_MONTH, KMS_PER_10K, KMS_FREE = 3.0, 0.03, 20_000  # $1 + 2 billed rotations
BUCKET_KEY_KEEPS = 0.03  # 97% fewer KMS calls
DATA_EVENT, ALARM, REQUEST_METRICS = 0.10 / 100_000, 0.10, 13 * 0.30


@dataclass(frozen=True)
class Env:
    name: str
    noncurrent: float  # noncurrent-version expiry of every bucket, days
    retention: dict[str, float]
    tempo_expiry: float
    mimir_ia_at: float | None  # Mimir blocks move to Standard-IA at this age
    prod_extras: bool  # trail, alarms, request metrics, access-log and audit buckets


DEV = Env("dev", 7, {"mimir": 30, "loki": 14, "tempo": 7}, 8, None, False)
PROD = Env("prod", 30, {"mimir": 395, "loki": 31, "tempo": 14}, 15, 30, True)


def test_the_plans_are_what_the_hand_computation_assumes() -> None:
    for env in (DEV, PROD):
        stack = plan_stack(read_plan(PLANS / f"{env.name}.json"))
        assert stack.retention_days == env.retention
        for bucket in stack.buckets:
            policy = bucket.lifecycle.policy_for("anything/", 1e9)  # type: ignore[union-attr]
            assert bucket.versioning and policy.noncurrent_expiration_days == env.noncurrent
            if bucket.app != "operations":
                assert bucket.kms and bucket.bucket_key
            if bucket.store == "traces":
                assert policy.expiration_days == env.tempo_expiry
            elif bucket.app != "operations":
                assert policy.expiration_days is None
            expected = (Transition(env.mimir_ia_at, "STANDARD_IA"),) if env.mimir_ia_at else ()
            assert policy.transitions == (expected if bucket.store == "blocks" else ())
        assert len(stack.keys) == (4 if env.prod_extras else 3)
        assert all(key.rotation for key in stack.keys)
        assert len(stack.alarms) == (3 if env.prod_extras else 0)
        assert sum(bucket.request_metric_filters for bucket in stack.buckets) == (
            3 if env.prod_extras else 0
        )
        assert not stack.tables
    prod = plan_stack(read_plan(PLANS / "prod.json"))
    logs = prod.bucket("lgtm-prod-123456789012-access-logs")
    audit = prod.bucket("lgtm-prod-123456789012-audit")
    assert logs is not None and not logs.kms and audit is not None and audit.bucket_key
    for bucket in (logs, audit):
        assert bucket.lifecycle.policy_for("x", 1e3).expiration_days == 365  # type: ignore[union-attr]
    ((selector,),) = [trail.selectors for trail in prod.trails]
    assert selector.read_write_type == "WriteOnly" and len(selector.buckets or ()) == 6


class Ledger:
    """USD per app, plus each bucket's request counts (for KMS, data events, access logs)."""

    def __init__(self) -> None:
        self.usd: dict[str, float] = defaultdict(float)
        self.kms: list[tuple[str, float]] = []  # (app, KMS requests) per bucket
        self.writes: dict[str, float] = defaultdict(float)  # objects written a month, by app
        self.deletes: dict[str, float] = defaultdict(float)
        self.requests = 0.0  # every request the six logged buckets get, a month

    def bucket(
        self, app: str, puts: float, gets: float, lists: float, deletes: float, moves: float = 0
    ) -> None:
        self.usd[app] += (puts + lists) * PUT / 1000
        self.kms.append((app, (puts + gets) * BUCKET_KEY_KEEPS))
        self.writes[app] += puts
        self.deletes[app] += deletes
        self.requests += puts + gets + lists + deletes + moves


def standard(rate: float, size: float, days: float) -> float:
    """USD a month of a stream kept `days` in Standard."""
    return rate * size / GB * days * STANDARD


def mimir(led: Ledger, env: Env, name: str) -> None:
    usage = preset(name).mimir
    tenants, ingesters = usage.tenants, usage.ingesters
    per_tenant = usage.active_series * DAY_S / usage.scrape_interval_seconds * 2 / tenants
    # Replaced blocks go 2 h (deletion delay) + 7.5 min (half a cleanup interval) after their
    # replacement; the compactor runs every 30 min (15 min on average).
    gone = 2 / 24 + 7.5 / 1440
    levels = [  # blocks a day, bytes each, days in the bucket
        (12 * ingesters * tenants, 3 * per_tenant / (12 * ingesters), 25 / 1440 + 15 / 1440 + gone),
        (12 * tenants, per_tenant / 12, 5 / 24 + 15 / 1440 + gone),
        (2 * tenants, per_tenant / 2, 6 / 24 + 15 / 1440 + gone),
        (tenants, per_tenant, env.retention["mimir"] + gone),
    ]
    puts = gets = deletes = moves = 0.0
    usd = 0.0
    nc = env.noncurrent
    for index, (blocks, size, life) in enumerate(levels):
        objects = math.ceil(size / (512 * MB)) + 1  # 512 MB segments + the index
        rate, each = blocks * objects, size / objects
        if index == 3 and env.mimir_ia_at:  # the 24 h blocks move to Standard-IA
            at = env.mimir_ia_at
            usd += standard(rate, each, at) + rate * each / GB * (life - at + nc) * IA
            moves = rate * MONTH
            usd += moves * IA_TRANSITION / 1000
            reads = usage.read_gb_per_month  # spread over the blocks' whole life
            in_ia = (life - at) / life
            gets_here = reads * GB / (256 * KB)
            usd += gets_here * ((1 - in_ia) * GET + in_ia * IA_GET) / 1000
            usd += reads * in_ia * IA_RETRIEVAL
            gets += gets_here
        else:
            usd += standard(rate, each, life + nc)
            if index == 3:
                gets_here = usage.read_gb_per_month * GB / (256 * KB)
                usd += gets_here * GET / 1000
                gets += gets_here
        usd += standard(blocks, 2 * KB, life + nc)  # meta.json
        puts += (rate + blocks) * MONTH
        deletes += (rate + blocks) * MONTH
    marks = 2 * sum(blocks for blocks, _, _ in levels)
    usd += standard(marks, 0.1 * KB, 2 / 24 + nc)
    puts += marks * MONTH
    deletes += marks * MONTH
    listed = sum(blocks * life for blocks, _, life in levels)
    index = max(1.0, listed / tenants) * 0.15 * KB
    usd += standard(96 * tenants, index, 1 / 96 + nc)
    puts += 96 * tenants * MONTH
    led.usd["mimir"] += usd
    led.bucket("mimir", puts, gets, 2000 * MONTH, deletes, moves)


def loki(led: Ledger, env: Env, name: str) -> None:
    usage = preset(name).loki
    tenants, ingesters = usage.tenants, usage.ingesters
    stored = usage.raw_gb_per_day * GB / 8
    chunks = stored / (0.5 * 32 * KB + 0.5 * 1024 * KB)
    life = env.retention["loki"] + 2 / 24
    nc = env.noncurrent
    small_share = chunks * 0.5 * 32 * KB / stored
    reads = usage.read_gb_per_month * GB
    index = chunks * 100
    streams = [  # objects a day, bytes, days current, deleted by Loki, bytes read a month
        (chunks / 2, 1024 * KB, life, True, reads * (1 - small_share)),
        (chunks / 2, 32 * KB, life, True, reads * small_share),
        (ingesters * 96 * tenants, 3 * index / (ingesters * 96 * tenants), 10 / 1440, True, 0),
        (
            96 * tenants,
            index / tenants / 2,
            1 / 96,
            True,
            0,
        ),  # today's index: new file, old deleted
        (tenants, index / tenants, life, True, 0),
    ]
    puts = gets = deletes = 0.0
    for rate, size, days, deleted, read in streams:
        led.usd["loki"] += standard(rate, size, days + nc)
        puts += rate * MONTH
        deletes += rate * MONTH if deleted else 0
        gets += read / size
        led.usd["loki"] += read / size * GET / 1000
    led.bucket("loki", puts, gets, 2000 * MONTH, deletes)


def tempo(led: Ledger, env: Env, name: str) -> None:
    usage = preset(name).tempo
    tenants = usage.tenants
    stored = usage.spans_per_second * 500 * DAY_S / 6.67
    traces = usage.spans_per_second * DAY_S / 20
    new_blocks = max(24 * tenants, stored / (20 * MB))
    compacted = 24 * tenants
    bits = -math.log(0.01) / math.log(2) ** 2
    nc = env.noncurrent
    life = min(env.retention["tempo"], env.tempo_expiry)
    puts = gets = deletes = 0.0
    for blocks, age, read in (
        (new_blocks, 2 / 24, 0.0),
        (compacted, life, usage.read_gb_per_month),
    ):
        bloom = max(1.0, traces / blocks * bits / 8)
        shards = math.ceil(bloom / (100 * KB))
        for rate, size in (
            (blocks, stored / blocks),
            (blocks * shards, bloom / shards),
            (blocks, KB),
        ):
            led.usd["tempo"] += standard(rate, size, age + nc)
            puts += rate * MONTH
            deletes += rate * MONTH
        if read:
            per_get = min(1024 * KB, stored / blocks)
            gets += read * GB / per_get
            led.usd["tempo"] += read * GB / per_get * GET / 1000
    listed = compacted * env.retention["tempo"] + new_blocks * 2 / 24
    led.usd["tempo"] += standard(
        288 * tenants, max(1.0, listed / tenants) * 0.15 * KB, 1 / 288 + nc
    )
    puts += 288 * tenants * MONTH
    led.bucket("tempo", puts, gets, 2000 * MONTH, deletes)


def config_buckets(led: Ledger, env: Env, name: str) -> None:
    usage = preset(name)
    for app, groups in (("mimir", usage.mimir.rule_groups), ("loki", usage.loki.rule_groups)):
        # Rewritten every 10 days (0.1 a day), re-read by 2 rulers every 10 minutes.
        rate = groups * 0.1
        led.usd[app] += standard(rate, 4 * KB, 10 + env.noncurrent)
        polls = 2 * 144
        gets = polls * rate * 10 * MONTH
        led.usd[app] += gets * GET / 1000
        led.bucket(app, rate * MONTH, gets, polls * MONTH, 0)
    # Alertmanager: each tenant's 16 KB state rewritten every 15 minutes.
    rate = usage.mimir.tenants * 96
    led.usd["mimir"] += standard(rate, 16 * KB, 1 / 96 + env.noncurrent)
    led.bucket("mimir", rate * MONTH, 0, 0, 0)


def operations(led: Ledger, env: Env) -> None:
    """prod: access logs of the six buckets and of the audit bucket, the audit trail, alarms,
    request metrics."""
    # The audit bucket: a log file every 5 minutes (150 B per event) and a digest an hour.
    files = 288
    audit_puts = (files + 24) * MONTH
    # Server access logs: 400 B a request (the audit bucket's PUTs too: it is logged), in 32 KB
    # objects S3 delivers for free; expired at 365 days, then 30 noncurrent; SSE-S3, no KMS.
    logs = (led.requests + audit_puts) / MONTH * 400 / (32 * KB)
    led.usd["operations"] += standard(logs, 32 * KB, 365 + env.noncurrent)
    # Data events (WriteOnly): writes and deletes of the six buckets, $0.10 per 100,000.
    events = 0.0
    for app in ("mimir", "loki", "tempo"):
        count = led.writes[app] + led.deletes[app]
        led.usd[app] += count * DATA_EVENT
        events += count
    led.usd["operations"] += standard(files, events / MONTH * 150 / files, 365 + env.noncurrent)
    led.usd["operations"] += standard(24, KB, 365 + env.noncurrent)
    led.usd["operations"] += audit_puts * PUT / 1000
    led.kms.append(("operations", audit_puts * BUCKET_KEY_KEEPS))
    led.usd["operations"] += KEY_MONTH
    for app in ("mimir", "loki", "tempo"):
        led.usd[app] += ALARM + REQUEST_METRICS


def hand(env: Env, name: str) -> dict[str, float]:
    led = Ledger()
    mimir(led, env, name)
    loki(led, env, name)
    tempo(led, env, name)
    config_buckets(led, env, name)
    if env.prod_extras:
        operations(led, env)
    for app in ("mimir", "loki", "tempo"):
        led.usd[app] += KEY_MONTH
    total = sum(count for _, count in led.kms)
    share = max(0.0, total - KMS_FREE) / total
    for app, count in led.kms:
        led.usd[app] += count * share * KMS_PER_10K / 10_000
    return dict(led.usd)


@pytest.mark.parametrize(
    ("env", "name", "total"),
    [(DEV, "small", 11.90), (PROD, "medium", 165.82), (PROD, "large", 947.11)],
)
def test_the_reference_workloads_agree_with_the_hand_computation_to_the_cent(
    prices: RegionPrices, env: Env, name: str, total: float
) -> None:
    stack = plan_stack(read_plan(PLANS / f"{env.name}.json"))
    priced = estimate(stack, preset(name), prices)
    expected = hand(env, name)
    assert {app: round(usd, 2) for app, usd in priced.by_app().items()} == {
        app: round(usd, 2) for app, usd in expected.items()
    }
    assert round(priced.total, 2) == round(sum(expected.values()), 2) == total
