"""The corrections of issue 15, each checked against arithmetic written out here (not against
the model's own functions): Mimir's first compaction level and its noncurrent versions, reads
spread over the retention, Intelligent-Tiering's clock on the last access, and the warnings
every report format must carry.

Conventions: 1 GB = 2**30 bytes, a month is 30.4 days; a stream of N objects a day that each
live T days holds N x T objects, so its GB stored = GB/day x T.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from obsctl.cli import main
from obsctl.cost.model import estimate
from obsctl.cost.prices import (
    GLACIER,
    INTELLIGENT_TIERING,
    IT_ARCHIVE_INSTANT,
    IT_FREQUENT,
    IT_INFREQUENT,
    STANDARD,
    STANDARD_IA,
    RegionPrices,
)
from obsctl.cost.render import renderer
from obsctl.cost.s3 import bucket_quantities, s3_lines
from obsctl.cost.streams import BucketWorkload, ObjectStream
from obsctl.cost.units import MB
from obsctl.cost.usage import MimirUsage, Usage
from obsctl.cost.usage_file import preset
from obsctl.model import Stack
from obsctl.model.lifecycle import Lifecycle, LifecycleRule, Transition
from obsctl.model.stack import Bucket

PLANS = Path(__file__).resolve().parents[2] / "fixtures" / "plan"
GB_PER_DAY = 1e6 * 86_400 / 15 * 2 / 2**30  # 1M series, 15 s scrape, 2 B/sample


def mimir_stack(noncurrent_days: float, transitions: tuple[Transition, ...] = ()) -> Stack:
    rules = (
        LifecycleRule(id="noncurrent", noncurrent_expiration_days=noncurrent_days),
        LifecycleRule(id="tier", transitions=transitions),
    )
    bucket = Bucket(
        name="blocks",
        app="mimir",
        store="blocks",
        address="aws_s3_bucket.blocks",
        versioning=True,
        encryption="aws:kms",
        bucket_key=True,
        lifecycle=Lifecycle(rules=rules),
    )
    return Stack(contract=None, region="us-east-1", region_source="test", buckets=(bucket,))


def mimir_usage(**changes: float | None) -> Usage:
    mimir = MimirUsage(active_series=1e6, scrape_interval_seconds=15, ingesters=6)
    return Usage(mimir=dataclasses.replace(mimir, **changes), region="us-east-1")


def test_mimir_stores_four_block_levels_with_a_month_of_noncurrent_versions_each(
    prices: RegionPrices,
) -> None:
    result = estimate(mimir_stack(30), mimir_usage(retention_days=395), prices)
    stored = {s.stream: s.stored_gb for s in result.streams if s.stream.endswith("and index")}
    # Every replaced block: deleted 2 h (the chart's deletion_delay) plus half a 15 min cleanup
    # interval after it is replaced, then kept 30 days as a noncurrent version.
    gone = 2 / 24 + 7.5 / 1440 + 30
    # Ingester blocks (3 copies of each sample): replaced 25 min after upload at the next run
    # of the compactor (every 30 min: 15 min on average).
    assert stored["2 h blocks (ingesters): chunks and index"] == pytest.approx(
        3 * GB_PER_DAY * (25 / 1440 + 15 / 1440 + gone)
    )
    # The level the model used to skip: one deduplicated 2 h block per 2 h range, waiting 5 h
    # on average for the rest of its 12 h range.
    assert stored["2 h blocks (deduplicated): chunks and index"] == pytest.approx(
        GB_PER_DAY * (5 / 24 + 15 / 1440 + gone)
    )
    assert stored["12 h blocks: chunks and index"] == pytest.approx(
        GB_PER_DAY * (6 / 24 + 15 / 1440 + gone)
    )
    assert stored["24 h blocks: chunks and index"] == pytest.approx(GB_PER_DAY * (395 + gone))
    # 10.73 GB/day x 30.30 days: about $7.48 a month of noncurrent versions in S3 Standard that
    # the model left out.
    dedup = GB_PER_DAY * (5 / 24 + 15 / 1440 + gone) * 0.023
    assert dedup == pytest.approx(7.48, abs=0.005)


def test_reads_spread_over_the_retention_by_default_and_pay_standard_ia_retrieval(
    prices: RegionPrices,
) -> None:
    usage = mimir_usage(retention_days=395, read_gb_per_month=500)
    assert usage.mimir.read_window_days is None
    result = estimate(mimir_stack(30, (Transition(30, STANDARD_IA),)), usage, prices)
    lines = {(line.item, line.storage_class): line.usd for line in result.lines}
    # 24 h blocks live 395 days + 2 h + 7.5 min; reads spread over that life: 30 days of it in
    # Standard, the rest in Standard-IA.
    life = 395 + 2 / 24 + 7.5 / 1440
    in_ia = 500 * (life - 30) / life  # GB a month read from Standard-IA
    gets = 500 * 1024 * 1024 / 256  # 256 KB ranges
    assert lines[("retrieval", STANDARD_IA)] == pytest.approx(in_ia * 0.01)
    assert lines[("GET requests", STANDARD_IA)] == pytest.approx(
        gets * (life - 30) / life * 0.001 / 1000
    )
    assert lines[("GET requests", STANDARD)] == pytest.approx(gets * 30 / life * 0.0004 / 1000)
    # A 7-day window (the old default) sends every read to Standard: no retrieval fee at all.
    recent = estimate(
        mimir_stack(30, (Transition(30, STANDARD_IA),)),
        mimir_usage(retention_days=395, read_gb_per_month=500, read_window_days=7),
        prices,
    )
    assert not any(line.item == "retrieval" for line in recent.lines)


def it_costs(prices: RegionPrices, read_gb_per_month: float) -> dict[str | None, float]:
    stream = ObjectStream(
        name="1 GB/day of 1 MB objects",
        prefix="",
        objects_per_day=1024,
        object_bytes=1 * MB,
        app_days=365,
        read_bytes_per_month=read_gb_per_month * 1024 * MB,
    )
    bucket = Bucket(
        name="it",
        app="loki",
        store="chunks",
        address="aws_s3_bucket.it",
        lifecycle=Lifecycle(
            rules=(LifecycleRule(transitions=(Transition(0, "INTELLIGENT_TIERING"),)),)
        ),
    )
    quantities = bucket_quantities(bucket, BucketWorkload(streams=(stream,)), prices.rules.s3)
    return {
        line.storage_class: line.usd
        for line in s3_lines(quantities, prices, standard_rate=0.023)
        if line.item == "storage"
    }


def test_intelligent_tiering_counts_30_and_90_days_from_the_last_access(
    prices: RegionPrices,
) -> None:
    # 110.96 GB read a month from 365 GB of 1 MB objects, spread over their ages: each object
    # is read 110.96 x 1024 / 30.4 / (1024 x 365) = 0.01 times a day. The chance that a day
    # falls 30 days after the last access (or the entry) is exp(-0.3); 90 days, exp(-0.9).
    costs = it_costs(prices, 0.01 * 30.4 * 365)
    infrequent_or_below = (365 - 30) * math.exp(-0.3)  # 248.17 days
    archive = (365 - 90) * math.exp(-0.9)  # 111.81 days
    assert costs[IT_FREQUENT] == pytest.approx((365 - infrequent_or_below) * 0.023)
    assert costs[IT_INFREQUENT] == pytest.approx((infrequent_or_below - archive) * 0.0125)
    assert costs[IT_ARCHIVE_INSTANT] == pytest.approx(archive * 0.004)
    # Unread objects tier down from their entry: 30 frequent days, 60 infrequent, 275 archive.
    unread = it_costs(prices, 0.0)
    assert unread[IT_FREQUENT] == pytest.approx(30 * 0.023)
    assert unread[IT_INFREQUENT] == pytest.approx(60 * 0.0125)
    assert unread[IT_ARCHIVE_INSTANT] == pytest.approx(275 * 0.004)
    assert INTELLIGENT_TIERING not in costs


# --------------------------------------------------------------------------------------------
# Warnings, in every format


def cost(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["cost", *args])
    out, err = capsys.readouterr()
    return code, out, err


LOSS = "Data loss: lgtm-prod-123456789012-tempo-traces expires compacted blocks: data.parquet"


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "html"])
def test_a_retention_longer_than_the_buckets_expiry_is_a_data_loss_warning_in_every_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    usage = tmp_path / "usage.yaml"
    usage.write_text("preset: medium\ntempo: {retention_days: 28}\n")
    code, out, err = cost(
        capsys, "--env", "prod", "--plan-json", str(PLANS / "prod.json"), "--usage", str(usage),
        "--format", fmt,
    )  # fmt: skip
    assert (code, err) == (0, "")
    text = json.dumps(json.loads(out)["warnings"]) if fmt == "json" else out
    assert LOSS in text
    assert "after 15 days (rule expire-after-retention)" in text
    assert "tempo keeps them for 28 days (tempo.retention_days in the usage)" in text
    if fmt == "table":
        assert out.splitlines()[3].startswith("WARNING: Data loss")  # before the table


def test_a_report_written_to_a_file_repeats_its_warnings_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    usage = tmp_path / "usage.yaml"
    usage.write_text("preset: medium\ntempo: {retention_days: 28}\n")
    out = tmp_path / "cost.html"
    code, stdout, err = cost(
        capsys, "--env", "prod", "--plan-json", str(PLANS / "prod.json"), "--usage", str(usage),
        "--format", "html", "--out", str(out),
    )  # fmt: skip
    assert (code, stdout) == (0, "")
    assert f"obsctl: wrote the html estimate to {out}." in err
    assert f"obsctl: warning: {LOSS}" in err and LOSS in out.read_text()


def test_the_plans_as_recorded_carry_no_warning(prices: RegionPrices) -> None:
    from obsctl.model import plan_stack, read_plan

    for env, name in (("dev", "small"), ("prod", "medium"), ("prod", "large")):
        stack = plan_stack(read_plan(PLANS / f"{env}.json"))
        assert estimate(stack, preset(name), prices).warnings == ()


def test_rules_s3_would_reject_are_warned_about(prices: RegionPrices) -> None:
    stack = mimir_stack(30, (Transition(10, STANDARD_IA), Transition(35, GLACIER)))
    warnings = estimate(stack, mimir_usage(retention_days=395), prices).warnings
    assert warnings == (
        "S3 would reject the lifecycle configuration of blocks: rule tier moves objects to "
        "STANDARD_IA when 10 days old; S3 requires at least 30, so applying the plan fails. "
        "The estimate prices the rule as written.",
        "S3 would reject the lifecycle configuration of blocks: rule tier moves objects to "
        "STANDARD_IA at 10 days old and to GLACIER 25 days later; in one rule S3 requires at "
        "least 30 days between them, so applying the plan fails. The estimate prices the rule "
        "as written.",
    )
    rejected = estimate(stack, mimir_usage(retention_days=395), prices)
    for fmt in ("table", "json", "markdown", "html"):
        assert "S3 would reject the lifecycle configuration of blocks" in renderer(fmt)(rejected)
    allowed = mimir_stack(30, (Transition(30, STANDARD_IA), Transition(60, GLACIER)))
    assert estimate(allowed, mimir_usage(retention_days=395), prices).warnings == ()
