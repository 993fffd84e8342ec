"""From telemetry volumes to the objects each bucket receives: streams of same-sized objects.

A stream is "N objects of S bytes written per day, each deleted (or replaced) by the app at age
A". Every builder here turns one store of one app into streams, following how the app uses its
bucket; the cost model then applies the bucket's lifecycle rules to each stream. Figures that
come from the apps' documentation are tagged in `usage.py` and docs/cost.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from obsctl.cost.side_workloads import admin_objects, alertmanager_state, rule_groups
from obsctl.cost.streams import BucketWorkload, ObjectStream
from obsctl.cost.units import GB, KB, MB
from obsctl.cost.usage import (
    LokiUsage,
    MimirUsage,
    TempoUsage,
    Usage,
)

MINUTES_PER_DAY = 1440.0

# The tenant folders the apps use in single-tenant mode; every tenant's data is modelled under
# the first tenant's prefix (lifecycle rules are matched against it).
MIMIR_TENANT = "anonymous/"
LOKI_TENANT = "fake/"
TEMPO_TENANT = "single-tenant/"


def _index(
    name: str,
    prefix: str,
    tenants: float,
    rewrites_per_day: float,
    listed_blocks: float,
    kb_per_block: float,
) -> ObjectStream:
    """A per-tenant index of blocks the app rewrites in place `rewrites_per_day` times a day
    (every tenant's index lists at least one block)."""
    return ObjectStream(
        name=name,
        prefix=prefix,
        objects_per_day=tenants * rewrites_per_day,
        object_bytes=max(1.0, listed_blocks / tenants) * kb_per_block * KB,
        app_days=1.0 / rewrites_per_day,
        app_deletes=False,
    )


def _block_objects(block_bytes: float, max_segment: float) -> tuple[int, float]:
    """(objects, average bytes) of a TSDB block: its chunks segments plus its index."""
    objects = max(1, math.ceil(block_bytes / max_segment)) + 1
    return objects, block_bytes / objects


@dataclass(frozen=True)
class BlockLevel:
    """One kind of Mimir block: how many a day, how large, and how long each stays."""

    name: str
    blocks_per_day: float
    bytes_per_block: float
    life_days: float


def mimir_levels(usage: MimirUsage, retention_days: float) -> tuple[BlockLevel, ...]:
    """The four kinds of blocks in the bucket [MIMIR-COMP][MIMIR-CFG]: every ingester uploads a
    2 h block per tenant every 2 hours (`replication_factor` copies of each sample); the
    compactor first merges a tenant's ingester blocks of one 2 h range into one deduplicated
    2 h block (vertical compaction), then merges those into 12 h and 24 h blocks (horizontal
    compaction). A replaced block is marked for deletion and deleted by the cleanup pass after
    `deletion_delay`; a 24 h block stays for the retention.

    When each is replaced, from its upload (hours; the defaults of the chart in brackets):
    - ingester block: after `first_level_wait` (25 min) at the next compaction run (half an
      interval on average: 15 min);
    - deduplicated 2 h block: when the last of the six blocks of its 12 h range exists (the
      six wait 10, 8, 6, 4, 2 and 0 h: 5 h on average), at the next run;
    - 12 h block: when the second of its day exists (12 or 0 h: 6 h on average), at the
      next run;
    then each waits the deletion delay and, on average, half a cleanup interval."""
    per_tenant = usage.compacted_bytes_per_day / usage.tenants
    run = usage.compaction_interval_minutes / 2.0 / MINUTES_PER_DAY
    gone = usage.deletion_delay_hours / 24.0 + usage.bucket_index_interval_minutes / 2.0 / (
        MINUTES_PER_DAY
    )
    first = usage.first_level_wait_minutes / MINUTES_PER_DAY
    tenants = usage.tenants
    return (
        BlockLevel(
            "2 h blocks (ingesters)",
            12.0 * usage.ingesters * tenants,
            usage.replication_factor * per_tenant / (12.0 * usage.ingesters),
            first + run + gone,
        ),
        BlockLevel(
            "2 h blocks (deduplicated)", 12.0 * tenants, per_tenant / 12.0, 5.0 / 24.0 + run + gone
        ),
        BlockLevel("12 h blocks", 2.0 * tenants, per_tenant / 2.0, 6.0 / 24.0 + run + gone),
        BlockLevel("24 h blocks", 1.0 * tenants, per_tenant, retention_days + gone),
    )


def mimir_blocks(usage: MimirUsage, retention_days: float) -> BucketWorkload:
    """The blocks (`mimir_levels`), their meta.json and deletion marks, and the bucket index.
    With versioning on, every deleted block stays as noncurrent versions: that churn is
    modelled explicitly. Queries read the 24 h blocks (store-gateways ignore the blocks of the
    last 10 hours, which queriers read from the ingesters)."""
    if usage.compacted_bytes_per_day <= 0:
        return BucketWorkload(description="no Mimir volume")
    levels = mimir_levels(usage, retention_days)
    segment = usage.max_segment_mb * MB
    delay = usage.deletion_delay_hours / 24.0
    reads = usage.read_gb_per_month * GB
    request = None if usage.read_request_kb is None else usage.read_request_kb * KB
    streams = []
    for level in levels:
        objects, size = _block_objects(level.bytes_per_block, segment)
        final = level is levels[-1]
        streams += [
            ObjectStream(
                name=f"{level.name}: chunks and index",
                prefix=MIMIR_TENANT,
                objects_per_day=level.blocks_per_day * objects,
                object_bytes=size,
                app_days=level.life_days,
                read_bytes_per_month=reads if final else 0.0,
                read_request_bytes=request,
                read_window_days=usage.read_window_days,
                keep_days=retention_days if final else None,
            ),
            ObjectStream(
                name=f"{level.name}: meta.json",
                prefix=MIMIR_TENANT,
                objects_per_day=level.blocks_per_day,
                object_bytes=usage.meta_kb * KB,
                app_days=level.life_days,
                keep_days=retention_days if final else None,
            ),
        ]
    blocks_per_day = sum(level.blocks_per_day for level in levels)
    streams.append(
        ObjectStream(
            name="deletion marks (block folder and markers/)",
            prefix=MIMIR_TENANT,
            objects_per_day=2.0 * blocks_per_day,
            object_bytes=0.1 * KB,
            app_days=delay,
        )
    )
    listed = sum(level.blocks_per_day * level.life_days for level in levels)
    rewrites = MINUTES_PER_DAY / usage.bucket_index_interval_minutes
    streams.append(
        _index(
            "bucket-index.json.gz (rewritten by the compactor)",
            MIMIR_TENANT,
            usage.tenants,
            rewrites,
            listed,
            usage.bucket_index_kb_per_block,
        )
    )
    return BucketWorkload(
        streams=tuple(streams),
        list_requests_per_day=usage.list_requests_per_day,
        description=(
            f"{usage.active_series:,.0f} series every {usage.scrape_interval_seconds:g} s "
            f"= {usage.compacted_bytes_per_day / GB:,.2f} GB/day compacted, "
            f"kept {retention_days:g} days"
        ),
    )


def loki_chunks(usage: LokiUsage, retention_days: float) -> BucketWorkload:
    """Chunks (content-addressed, so replicas deduplicate [LOKI-WAL]) up to 1.5 MB, many of them
    small for low-volume streams [LOKI-BP]; the TSDB index: files each ingester uploads, which the
    compactor merges into one file per tenant and day, rewriting today's file each run."""
    stored = usage.stored_bytes_per_day
    if stored <= 0:
        return BucketWorkload(description="no Loki volume")
    kept = retention_days + usage.retention_delete_delay_hours / 24.0
    large, small = usage.chunk_kb * KB, usage.small_chunk_kb * KB
    share = usage.small_chunk_share
    chunks_per_day = stored / (share * small + (1.0 - share) * large)
    reads = usage.read_gb_per_month * GB
    small_bytes = chunks_per_day * share * small
    request = None if usage.read_request_kb is None else usage.read_request_kb * KB
    streams = [
        ObjectStream(
            name="chunks",
            prefix=LOKI_TENANT,
            objects_per_day=chunks_per_day * (1.0 - share),
            object_bytes=large,
            app_days=kept,
            read_bytes_per_month=reads * (1.0 - small_bytes / stored),
            read_request_bytes=request,
            read_window_days=usage.read_window_days,
            keep_days=retention_days,
        ),
        ObjectStream(
            name="small chunks (low-volume streams)",
            prefix=LOKI_TENANT,
            objects_per_day=chunks_per_day * share,
            object_bytes=small,
            app_days=kept,
            read_bytes_per_month=reads * small_bytes / stored,
            read_request_bytes=request,
            read_window_days=usage.read_window_days,
            keep_days=retention_days,
        ),
    ]
    index = chunks_per_day * usage.index_bytes_per_chunk
    tenants = usage.tenants
    uploads = MINUTES_PER_DAY / usage.index_upload_interval_minutes
    # The compactor rewrites today's file when ingesters have uploaded new ones since its last run.
    runs = min(MINUTES_PER_DAY / usage.compaction_interval_minutes, uploads)
    streams += [
        ObjectStream(
            name="index files uploaded by ingesters",
            prefix="index/",
            objects_per_day=usage.ingesters * uploads * tenants,
            object_bytes=usage.replication_factor * index / (usage.ingesters * uploads * tenants),
            app_days=usage.compaction_interval_minutes / MINUTES_PER_DAY,
        ),
        ObjectStream(
            name="today's compacted index (rewritten each compaction)",
            prefix="index/",
            objects_per_day=runs * tenants,
            object_bytes=index / tenants / 2.0,
            app_days=1.0 / runs,
        ),
        ObjectStream(
            name="compacted index, one per tenant and day",
            prefix="index/",
            objects_per_day=float(tenants),
            object_bytes=index / tenants,
            app_days=kept,
            keep_days=retention_days,
        ),
    ]
    return BucketWorkload(
        streams=tuple(streams),
        list_requests_per_day=usage.list_requests_per_day,
        description=(
            f"{usage.raw_gb_per_day:,.4g} GB/day raw / {usage.compression_ratio:g} "
            f"= {stored / GB:,.2f} GB/day of chunks, kept {retention_days:g} days"
        ),
    )


def _bloom(traces: float, usage: TempoUsage) -> tuple[int, float]:
    """(shards, bytes per shard) of a block's bloom filter for `traces` trace IDs."""
    bits_per_trace = -math.log(usage.bloom_false_positive) / math.log(2.0) ** 2
    total = max(1.0, traces * bits_per_trace / 8.0)
    shards = max(1, math.ceil(total / (usage.bloom_shard_kb * KB)))
    return shards, total / shards


def tempo_traces(usage: TempoUsage, retention_days: float) -> BucketWorkload:
    """New blocks (20 MB from block-builders, or one per ingester replica in Tempo 2) replaced
    within hours by compacted blocks of one compaction window each; every block is meta.json,
    data.parquet and bloom shards under 128 KB [TEMPO-BLOCK][TEMPO-CFG]."""
    stored = usage.stored_bytes_per_day
    if stored <= 0:
        return BucketWorkload(description="no Tempo volume")
    tenants = usage.tenants
    traces = usage.traces_per_day
    new_bytes = usage.replication_factor * stored
    new_blocks = max(24.0 * tenants, new_bytes / (usage.new_block_mb * MB))
    new_age = usage.new_block_lifetime_hours / 24.0
    compacted_blocks = tenants * max(
        24.0 / usage.compaction_window_hours, stored / tenants / (usage.max_block_gb * GB)
    )
    streams: list[ObjectStream] = []
    for label, blocks, data_bytes, age, copies, read, keep in (
        ("new blocks", new_blocks, new_bytes, new_age, usage.replication_factor, 0.0, None),
        (
            "compacted blocks",
            compacted_blocks,
            stored,
            retention_days,
            1,
            usage.read_gb_per_month * GB,
            retention_days,
        ),
    ):
        shards, shard_bytes = _bloom(copies * traces / blocks, usage)
        streams += [
            ObjectStream(
                name=f"{label}: data.parquet",
                prefix=TEMPO_TENANT,
                objects_per_day=blocks,
                object_bytes=data_bytes / blocks,
                app_days=age,
                read_bytes_per_month=read,
                read_request_bytes=(
                    None if usage.read_request_kb is None else usage.read_request_kb * KB
                ),
                read_window_days=usage.read_window_days,
                keep_days=keep,
            ),
            ObjectStream(
                name=f"{label}: bloom shards",
                prefix=TEMPO_TENANT,
                objects_per_day=blocks * shards,
                object_bytes=shard_bytes,
                app_days=age,
                keep_days=keep,
            ),
            ObjectStream(
                name=f"{label}: meta.json",
                prefix=TEMPO_TENANT,
                objects_per_day=blocks,
                object_bytes=usage.meta_kb * KB,
                app_days=age,
                keep_days=keep,
            ),
        ]
    rewrites = MINUTES_PER_DAY / usage.blocklist_poll_minutes
    listed = compacted_blocks * retention_days + new_blocks * new_age
    streams.append(
        _index(
            "tenant index.json.gz (rewritten each poll)",
            TEMPO_TENANT,
            tenants,
            rewrites,
            listed,
            usage.tenant_index_kb_per_block,
        )
    )
    return BucketWorkload(
        streams=tuple(streams),
        list_requests_per_day=usage.list_requests_per_day,
        description=(
            f"{usage.spans_per_second:,.0f} spans/s x {usage.bytes_per_span:g} B / "
            f"{usage.compression_ratio:g} = {stored / GB:,.2f} GB/day, kept {retention_days:g} days"
        ),
    )


def telemetry_workload(
    app: str, store: str | None, usage: Usage, retention: Callable[[str], float]
) -> BucketWorkload | None:
    """The workload of a telemetry or configuration bucket, or None for a store with no model."""
    builders: dict[tuple[str, str | None], Callable[[], BucketWorkload]] = {
        ("mimir", "blocks"): lambda: mimir_blocks(usage.mimir, retention("mimir")),
        ("loki", "chunks"): lambda: loki_chunks(usage.loki, retention("loki")),
        ("tempo", "traces"): lambda: tempo_traces(usage.tempo, retention("tempo")),
        ("mimir", "ruler"): lambda: rule_groups(usage.mimir.rule_groups, usage.config),
        ("loki", "ruler"): lambda: rule_groups(usage.loki.rule_groups, usage.config),
        ("mimir", "alertmanager"): lambda: alertmanager_state(usage.mimir.tenants, usage.config),
        ("loki", "admin"): lambda: admin_objects(usage.config),
    }
    builder = builders.get((app, store))
    return builder() if builder is not None else None
