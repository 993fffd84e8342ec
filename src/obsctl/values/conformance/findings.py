"""What a conformance check reports: one sentence per problem, tagged with its app and check."""

from __future__ import annotations

from dataclasses import dataclass

CHECKS = (
    "chart",  # the chart itself: missing, another chart, a version the values were not made for
    "schema",  # the values against the chart's values.schema.json
    "identity",  # service accounts, role annotations and trust
    "storage",  # buckets, region, KMS key and retention in the rendered app config
    "replication",  # replication factors and Kafka partitions against the replicas
    "receivers",  # Tempo's OTLP receivers
    "datasources",  # Grafana's data sources and the producers of what they show
)


@dataclass(frozen=True)
class Finding:
    """One problem in a render. `limitation` marks what the chart itself imposes and no value
    can change (documented in the integration guide): reported, but not a failure."""

    app: str
    check: str
    message: str
    limitation: bool = False

    def __post_init__(self) -> None:
        if self.check not in CHECKS:
            raise ValueError(f"unknown check {self.check!r}")

    def __str__(self) -> str:
        return f"{self.app}: {self.message}"


def failures(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if not finding.limitation]
