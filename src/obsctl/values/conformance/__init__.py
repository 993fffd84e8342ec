"""Conformance of the generated values, judged on what the real charts render.

`obsctl values --check` and the test layer in tests/conformance run the same checks: the values
are rendered with `helm template` and the checks read the manifests, never the values trees.

findings     Finding: one sentence per problem (a chart limitation is reported, not failed)
manifests    the rendered objects: workloads, service accounts, services, config files
charts       per chart: where the app config lives, which pods need the role, which share it
identity     service accounts against the roles' trust and annotations
storage      buckets, region, KMS key and retention in the rendered app config
replication  replication factors and Kafka partitions against the replicas
receivers    Tempo's OTLP receivers
datasources  Grafana's data sources and the producers of what they show
schema       the values against the chart's values.schema.json
helm         the helm binary, the charts (directory or pulled) and `helm template`
suite        all of it, for renders, plain config files and `obsctl values --check`
report       the --check output: one line per failure, chart limitations grouped, or JSON
"""

from obsctl.values.conformance.findings import Finding, failures
from obsctl.values.conformance.helm import Chart, find_helm, locate_chart, read_chart
from obsctl.values.conformance.manifests import Release, parse
from obsctl.values.conformance.suite import (
    CheckReport,
    check_charts,
    check_configs,
    check_releases,
    check_values,
    release_findings,
    render_release,
)

__all__ = [
    "Chart",
    "CheckReport",
    "Finding",
    "Release",
    "check_charts",
    "check_configs",
    "check_releases",
    "check_values",
    "failures",
    "find_helm",
    "locate_chart",
    "parse",
    "read_chart",
    "release_findings",
    "render_release",
]
