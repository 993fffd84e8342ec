"""Replication factors and Kafka partitions against the replicas the render runs.

A ring that needs more replicas than exist refuses every write (a quorum of RF/2 + 1 live
replicas); Tempo 3 needs exactly one block-builder and one live-store per Kafka partition.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from obsctl.values.conformance.findings import Finding
from obsctl.values.conformance.manifests import Release, Workload
from obsctl.values.naming import lookup

CHECK = "replication"
# The defaults of the apps' own configuration references.
MIMIR_DEFAULT_RF = 3  # ingester.ring and store_gateway.sharding_ring replication_factor
LOKI_DEFAULT_RF = 3  # common.replication_factor
TEMPO2_DEFAULT_RF = 1  # ingester.lifecycler.ring.replication_factor
LOKI_INGESTING = ("single-binary", "write", "ingester")


def _of(release: Release, *components: str) -> list[Workload]:
    return [w for w in release.manifests.workloads if w.component in components]


def _replicas(workloads: list[Workload]) -> int:
    return sum(w.replicas or 0 for w in workloads)


def _names(workloads: list[Workload]) -> str:
    return ", ".join(w.label for w in workloads) or "none"


def _short_of(
    release: Release, where: str, factor: int, workloads: list[Workload], what: str, then: str = ""
) -> list[Finding]:
    """[] when the workloads run at least `factor` replicas, else the finding."""
    replicas = _replicas(workloads)
    if replicas >= factor:
        return []
    message = (
        f"{where} is {factor} but the render runs {replicas} {what} replica(s) "
        f"({_names(workloads)}){then}."
    )
    return [Finding(release.app, CHECK, message)]


def _ring(
    release: Release, config: Mapping[str, Any], component: str, path: tuple[str, ...]
) -> list[Finding]:
    """A Mimir ring: RF live replicas, spread over at least RF zones when zone-aware."""
    workloads = _of(release, component)
    factor = lookup(config, *path, "replication_factor", default=MIMIR_DEFAULT_RF)
    where = f"{'.'.join(path)}.replication_factor"
    findings = _short_of(release, where, factor, workloads, component)
    if findings:
        return findings
    if lookup(config, *path, "zone_awareness_enabled", default=False) and len(workloads) < factor:
        findings.append(
            Finding(
                release.app,
                CHECK,
                f"{where} is {factor} with zone awareness, but the render has "
                f"{len(workloads)} {component} zone(s) ({_names(workloads)}).",
            )
        )
    return findings


def _mimir(release: Release, config: Mapping[str, Any]) -> list[Finding]:
    return _ring(release, config, "ingester", ("ingester", "ring")) + _ring(
        release, config, "store-gateway", ("store_gateway", "sharding_ring")
    )


def _loki(release: Release, config: Mapping[str, Any]) -> list[Finding]:
    factor = lookup(config, "ingester", "lifecycler", "ring", "replication_factor")
    where = "ingester.lifecycler.ring.replication_factor"
    if factor is None:
        factor = lookup(config, "common", "replication_factor", default=LOKI_DEFAULT_RF)
        where = "common.replication_factor"
    quorum = f": every push needs {factor // 2 + 1} live replicas and fails"
    return _short_of(release, where, factor, _of(release, *LOKI_INGESTING), "ingesting", quorum)


def _tempo_distributed(release: Release, config: Mapping[str, Any]) -> list[Finding]:
    if not lookup(config, "ingest", "kafka", "auto_create_topic_enabled", default=False):
        return []  # the topic exists already: its partition count is not in the render
    partitions = lookup(config, "ingest", "kafka", "auto_create_topic_default_partitions")
    per_builder = lookup(config, "block_builder", "partitions_per_instance", default=1)
    findings = []
    for component, per_replica in (("block-builder", per_builder), ("live-store", 1)):
        workloads = _of(release, component)
        consumed = _replicas(workloads) * per_replica
        if consumed != partitions:
            findings.append(
                Finding(
                    release.app,
                    CHECK,
                    f"the Kafka topic gets {partitions} partition(s) "
                    "(ingest.kafka.auto_create_topic_default_partitions) but the "
                    f"{component} replicas consume {consumed} ({_names(workloads)}): Tempo 3 "
                    "needs exactly one per partition.",
                )
            )
    return findings


def _tempo_monolithic(release: Release, config: Mapping[str, Any]) -> list[Finding]:
    path = ("ingester", "lifecycler", "ring", "replication_factor")
    factor = lookup(config, *path, default=TEMPO2_DEFAULT_RF)
    return _short_of(release, ".".join(path), factor, _of(release, ""), "Tempo")


_CHARTS = {
    "mimir-distributed": _mimir,
    "loki": _loki,
    "tempo-distributed": _tempo_distributed,
    "tempo": _tempo_monolithic,
}


def replication_findings(release: Release, config: Mapping[str, Any] | None) -> list[Finding]:
    check = _CHARTS.get(release.chart)
    if check is None or config is None:
        return []
    return check(release, config)
