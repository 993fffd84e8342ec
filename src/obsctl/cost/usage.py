"""The usage file: telemetry volumes in the units people know, validated with clear errors.

A usage file is YAML. It may start from a named preset (`preset: medium`) and override any field;
fields it leaves out keep the preset's value, or the default below when there is no preset
(volumes default to 0). Every field is documented in its `spec()`; docs/cost.md renders them.

    version: 1
    preset: medium
    mimir: {active_series: 2000000, scrape_interval_seconds: 30}
    loki: {raw_gb_per_day: 250, compression_ratio: 10}

usage_file.py reads and validates it; this module declares the fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from obsctl.cost.units import DAY_SECONDS, GB


def spec(
    default: Any,
    doc: str,
    *,
    unit: str = "",
    minimum: float = 0.0,
    above: bool = False,
    maximum: float | None = None,
    source: str = "assumption",
) -> Any:
    """A usage field: its default, what it means, its unit, its bounds and where the default
    comes from (a reference tag, or "assumption")."""
    return field(
        default=default,
        metadata={
            "doc": doc,
            "unit": unit,
            "minimum": minimum,
            "above": above,
            "maximum": maximum,
            "source": source,
        },
    )


@dataclass(frozen=True)
class MimirUsage:
    active_series: float = spec(
        0, "active series across all tenants", unit="series", source="input"
    )
    scrape_interval_seconds: float = spec(
        15, "scrape interval", unit="s", above=True, source="MIMIR-CAP"
    )
    bytes_per_sample: float = spec(
        2.0, "bytes per sample in compacted blocks (index + chunks)", unit="B", above=True,
        source="MIMIR-CAP",
    )  # fmt: skip
    replication_factor: int = spec(
        3, "copies of each 2 h block the ingesters upload (one per zone)", minimum=1,
        source="MIMIR-COMP; mimir-distributed 6.3.0 values: ingester zones a, b, c",
    )  # fmt: skip
    ingesters: int = spec(3, "ingesters uploading 2 h blocks", minimum=1, source="input")
    tenants: int = spec(1, "tenants (one set of blocks per tenant)", minimum=1, source="input")
    retention_days: float | None = spec(
        None,
        "compactor retention (compactor_blocks_retention_period); null: the plan's "
        "settings.retention_days, else 395",
        unit="days",
        above=True,
        source="input",
    )
    deletion_delay_hours: float = spec(
        2, "compactor deletion_delay: a replaced block stays this long (Mimir's own default "
        "is 12 h; the mimir-distributed chart sets 2 h)", unit="h", source="MIMIR-CHART",
    )  # fmt: skip
    compaction_interval_minutes: float = spec(
        30, "the compactor runs this often (Mimir's own default is 1 h; the chart sets 30 min)",
        unit="min", above=True, source="MIMIR-CHART",
    )  # fmt: skip
    first_level_wait_minutes: float = spec(
        25, "first_level_compaction_wait_period: the compactor leaves an ingester's block alone "
        "this long after its upload", unit="min", source="MIMIR-CHART, MIMIR-CFG",
    )  # fmt: skip
    max_segment_mb: float = spec(
        512, "largest chunks segment file of a block", unit="MB", above=True,
        source="TSDB default segment size",
    )  # fmt: skip
    meta_kb: float = spec(2, "meta.json of a block", unit="KB", above=True)
    bucket_index_kb_per_block: float = spec(
        0.15, "bucket-index.json.gz bytes per block listed", unit="KB", above=True
    )
    bucket_index_interval_minutes: float = spec(
        15, "cleanup_interval: the compactor rewrites each tenant's bucket index and deletes "
        "blocks past their deletion delay this often", unit="min", above=True,
        source="MIMIR-CFG",
    )  # fmt: skip
    rule_groups: float = spec(
        0, "rule groups stored in the ruler bucket", unit="objects", source="input"
    )
    read_gb_per_month: float = spec(
        0, "bytes queries read from blocks per month", unit="GB", source="input"
    )
    read_window_days: float | None = spec(
        None, "queries read blocks younger than this; null: reads spread evenly over the "
        "whole retention", unit="days", above=True,
    )  # fmt: skip
    read_request_kb: float | None = spec(
        256, "bytes per GET (store-gateways read ranges); null: whole objects", unit="KB",
        above=True,
    )  # fmt: skip
    list_requests_per_day: float = spec(
        2000, "LIST requests (compactor, store-gateways syncing)", unit="requests"
    )

    @property
    def samples_per_day(self) -> float:
        return self.active_series * DAY_SECONDS / self.scrape_interval_seconds

    @property
    def compacted_bytes_per_day(self) -> float:
        return self.samples_per_day * self.bytes_per_sample


@dataclass(frozen=True)
class LokiUsage:
    raw_gb_per_day: float = spec(
        0, "raw (uncompressed) log bytes ingested per day", unit="GB", source="input"
    )
    compression_ratio: float = spec(
        8, "raw bytes per stored chunk byte", above=True, source="LOKI-CFG, LOKI-BP"
    )
    chunk_kb: float = spec(
        1024, "average size of a full chunk (target 1,536)", unit="KB", above=True,
        maximum=1536, source="LOKI-CFG",
    )  # fmt: skip
    small_chunk_share: float = spec(
        0.5, "share of chunk objects flushed small by low-volume streams", maximum=1.0,
        source="LOKI-BP (value: assumption)",
    )  # fmt: skip
    small_chunk_kb: float = spec(32, "average size of a small chunk", unit="KB", above=True)
    index_bytes_per_chunk: float = spec(
        100, "TSDB index bytes per chunk (its reference, series labels amortized)", unit="B",
        above=True,
    )  # fmt: skip
    replication_factor: int = spec(
        3, "ingesters holding each stream (chunks are deduplicated, index files are not)",
        minimum=1, source="LOKI-WAL",
    )  # fmt: skip
    ingesters: int = spec(3, "ingesters uploading index files", minimum=1, source="input")
    tenants: int = spec(1, 'tenants ("fake" in single-tenant mode)', minimum=1, source="input")
    retention_days: float | None = spec(
        None,
        "retention_period; null: the plan's settings.retention_days, else 31",
        unit="days",
        above=True,
        source="input",
    )
    retention_delete_delay_hours: float = spec(
        2, "compactor retention_delete_delay", unit="h", source="LOKI-CFG"
    )
    compaction_interval_minutes: float = spec(
        10, "the compactor rewrites today's index this often", unit="min", above=True,
        source="upstream loki configuration (compaction_interval 10m)",
    )  # fmt: skip
    index_upload_interval_minutes: float = spec(
        15, "each ingester uploads an index file this often", unit="min", above=True
    )
    rule_groups: float = spec(
        0, "rule groups stored in the ruler bucket", unit="objects", source="input"
    )
    read_gb_per_month: float = spec(
        0, "bytes queries read from chunks per month", unit="GB", source="input"
    )
    read_window_days: float | None = spec(
        None, "queries read chunks younger than this; null: reads spread evenly over the "
        "whole retention", unit="days", above=True,
    )  # fmt: skip
    read_request_kb: float | None = spec(
        None, "bytes per GET; null: whole chunks", unit="KB", above=True
    )
    list_requests_per_day: float = spec(2000, "LIST requests (compactor)", unit="requests")

    @property
    def stored_bytes_per_day(self) -> float:
        return self.raw_gb_per_day * GB / self.compression_ratio


@dataclass(frozen=True)
class TempoUsage:
    spans_per_second: float = spec(0, "spans ingested per second", unit="spans/s", source="input")
    bytes_per_span: float = spec(
        500, "uncompressed bytes per span", unit="B", above=True, source="TEMPO-ING"
    )
    compression_ratio: float = spec(
        6.67, "uncompressed bytes per stored byte (zstd ~15%)", above=True, source="TEMPO-COMP"
    )
    spans_per_trace: float = spec(20, "spans per trace (sizes the bloom filters)", above=True)
    replication_factor: int = spec(
        1, "copies of each new block (Tempo 3 block-builders write once; Tempo 2 ingesters: 3)",
        minimum=1,
    )  # fmt: skip
    tenants: int = spec(1, 'tenants ("single-tenant" by default)', minimum=1, source="input")
    retention_days: float | None = spec(
        None,
        "block_retention; null: the plan's settings.retention_days, else 14",
        unit="days",
        above=True,
        source="input",
    )
    new_block_mb: float = spec(
        20, "size of a new block (block-builder max_block_bytes)", unit="MB", above=True,
        source="TEMPO-CFG",
    )  # fmt: skip
    new_block_lifetime_hours: float = spec(
        2, "a new block lives this long before compaction replaces it (compaction_window 1h "
        "+ compacted_block_retention 1h)", unit="h", source="TEMPO-CFG",
    )  # fmt: skip
    compaction_window_hours: float = spec(
        1, "compacted blocks cover this much time", unit="h", above=True, source="TEMPO-CFG"
    )
    max_block_gb: float = spec(
        100, "largest compacted block", unit="GB", above=True, source="TEMPO-CFG"
    )
    bloom_false_positive: float = spec(
        0.01, "bloom filter false-positive rate", above=True, maximum=0.5,
        source="upstream tempo manifest",
    )  # fmt: skip
    bloom_shard_kb: float = spec(
        100, "largest bloom shard (bloom_filter_shard_size_bytes)", unit="KB", above=True,
        source="TEMPO-CFG",
    )  # fmt: skip
    meta_kb: float = spec(1, "meta.json of a block", unit="KB", above=True)
    tenant_index_kb_per_block: float = spec(
        0.15, "tenant index.json.gz bytes per block listed", unit="KB", above=True
    )
    blocklist_poll_minutes: float = spec(
        5, "the tenant index is rewritten this often", unit="min", above=True,
        source="upstream tempo manifest (blocklist_poll 5m)",
    )  # fmt: skip
    read_gb_per_month: float = spec(
        0, "bytes queries read from blocks per month", unit="GB", source="input"
    )
    read_window_days: float | None = spec(
        None, "queries read blocks younger than this; null: reads spread evenly over the "
        "whole retention", unit="days", above=True,
    )  # fmt: skip
    read_request_kb: float | None = spec(
        1024, "bytes per GET (parquet pages); null: whole objects", unit="KB", above=True
    )
    list_requests_per_day: float = spec(2000, "LIST requests (blocklist polling)", unit="requests")

    @property
    def stored_bytes_per_day(self) -> float:
        return self.spans_per_second * self.bytes_per_span * DAY_SECONDS / self.compression_ratio

    @property
    def traces_per_day(self) -> float:
        return self.spans_per_second * DAY_SECONDS / self.spans_per_trace


@dataclass(frozen=True)
class ConfigUsage:
    """The small-object buckets: ruler, alertmanager and (enterprise Loki) admin."""

    rule_group_kb: float = spec(4, "size of a rule group object", unit="KB", above=True)
    rule_updates_per_day: float = spec(
        0.1, "times each rule group is rewritten per day", above=True
    )
    rulers: int = spec(2, "ruler replicas polling the ruler bucket", minimum=1, source="input")
    ruler_poll_minutes: float = spec(
        10, "rulers re-read the rule groups this often", unit="min", above=True,
        source="upstream mimir configuration-parameters (ruler poll_interval 10m)",
    )  # fmt: skip
    alertmanager_state_kb: float = spec(
        16, "alertmanager full state per tenant", unit="KB", above=True
    )
    alertmanager_persist_minutes: float = spec(
        15, "alertmanager writes its state this often", unit="min", above=True,
        source="upstream mimir configuration-parameters (persist_interval 15m)",
    )  # fmt: skip
    admin_objects: float = spec(
        10, "objects in the enterprise admin bucket", unit="objects", source="input"
    )
    admin_object_kb: float = spec(4, "size of an admin object", unit="KB", above=True)


@dataclass(frozen=True)
class OperationsUsage:
    access_log_record_bytes: float = spec(
        400, "bytes per S3 server access log record", unit="B", above=True
    )
    access_log_object_kb: float = spec(
        32, "size of a delivered access-log object", unit="KB", above=True
    )
    audit_event_bytes: float = spec(
        150, "compressed bytes per CloudTrail data event in the audit bucket", unit="B",
        above=True,
    )  # fmt: skip
    audit_delivery_minutes: float = spec(
        5, "CloudTrail delivers a log file about this often", unit="min", above=True
    )


@dataclass(frozen=True)
class KmsUsage:
    bucket_key_request_reduction: float | None = spec(
        None, "share of KMS requests a Bucket Key saves; null: the price file's rule (0.97)",
        maximum=1.0, source="AWS-BK-POC",
    )  # fmt: skip
    key_age_days: float | None = spec(
        None, "age of the keys; null: steady state, past the billed-rotation cap", unit="days"
    )
    dynamodb_requests_per_table_month: float = spec(
        8640, "KMS requests DynamoDB makes per CMK-encrypted table (about one per 5 min)",
        unit="requests",
    )  # fmt: skip


@dataclass(frozen=True)
class DynamoAppUsage:
    write_units_per_second: float = spec(
        0, "average write request units per second", unit="WRU/s", source="input"
    )
    read_units_per_second: float = spec(
        0, "average read request units per second", unit="RRU/s", source="input"
    )
    storage_gb: float = spec(0, "table storage (items and indexes)", unit="GB", source="input")


@dataclass(frozen=True)
class DynamoUsage:
    loki: DynamoAppUsage = field(default_factory=DynamoAppUsage)
    mimir: DynamoAppUsage = field(default_factory=DynamoAppUsage)


@dataclass(frozen=True)
class Usage:
    name: str = "defaults"  # the preset or file it came from, for the report header
    region: str | None = spec(None, "region to price when the plan does not name one")
    mimir: MimirUsage = field(default_factory=MimirUsage)
    loki: LokiUsage = field(default_factory=LokiUsage)
    tempo: TempoUsage = field(default_factory=TempoUsage)
    config: ConfigUsage = field(default_factory=ConfigUsage)
    operations: OperationsUsage = field(default_factory=OperationsUsage)
    kms: KmsUsage = field(default_factory=KmsUsage)
    dynamodb: DynamoUsage = field(default_factory=DynamoUsage)

    def scaled(self, factor: float) -> Usage:
        """The same workload with every volume multiplied by `factor` (for what-ifs and tests)."""
        return replace(
            self,
            mimir=replace(
                self.mimir,
                active_series=self.mimir.active_series * factor,
                read_gb_per_month=self.mimir.read_gb_per_month * factor,
            ),
            loki=replace(
                self.loki,
                raw_gb_per_day=self.loki.raw_gb_per_day * factor,
                read_gb_per_month=self.loki.read_gb_per_month * factor,
            ),
            tempo=replace(
                self.tempo,
                spans_per_second=self.tempo.spans_per_second * factor,
                read_gb_per_month=self.tempo.read_gb_per_month * factor,
            ),
            dynamodb=DynamoUsage(
                **{
                    app: replace(
                        table,
                        write_units_per_second=table.write_units_per_second * factor,
                        read_units_per_second=table.read_units_per_second * factor,
                        storage_gb=table.storage_gb * factor,
                    )
                    for app, table in (
                        ("loki", self.dynamodb.loki),
                        ("mimir", self.dynamodb.mimir),
                    )
                }
            ),
        )
