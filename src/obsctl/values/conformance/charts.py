"""What the checks must know about each chart: where its app config lives, which of its pods need
the app's AWS role, and which pods it runs under that role's account whatever the values say.

Components are the pods' `app.kubernetes.io/component` label ("" for the single workload of
the monolithic tempo chart and of grafana, which carry none). A component in neither set is
treated as one that must not carry the role.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

MIMIR_SHARED = (
    "mimir-distributed gives only the ruler and the alertmanager accounts of their own; every "
    "other component runs as the chart's one service account (mimir.serviceAccountName)"
)
TEMPO_SHARED = (
    "tempo-distributed runs every component, its gateway and memcached included, as the "
    "chart's one service account (tempo.serviceAccountName)"
)


@dataclass(frozen=True)
class ChartFacts:
    config_key: str | None  # the ConfigMap/Secret key of the app's config file
    role_components: frozenset[str]  # pods that call AWS with the app's role
    # Components that never call AWS but that the chart runs as the role's account, with why.
    shared_account: Mapping[str, str] = field(default_factory=dict)


def _shared(reason: str, *components: str) -> Mapping[str, str]:
    return MappingProxyType(dict.fromkeys(components, reason))


CHART_FACTS: Mapping[str, ChartFacts] = MappingProxyType(
    {
        "mimir-distributed": ChartFacts(
            config_key="mimir.yaml",
            # Ingesters upload blocks, store-gateways and queriers (and the ruler's own
            # queriers) read them and the bucket index, the compactor rewrites them; the ruler
            # and alertmanager keep their state in their buckets.
            role_components=frozenset(
                {
                    "ingester",
                    "store-gateway",
                    "compactor",
                    "querier",
                    "ruler",
                    "ruler-querier",
                    "alertmanager",
                }
            ),
            shared_account=_shared(
                MIMIR_SHARED,
                "distributor",
                "gateway",
                "query-frontend",
                "query-scheduler",
                "overrides-exporter",
                "ruler-query-frontend",
                "ruler-query-scheduler",
                "chunks-cache",
                "index-cache",
                "metadata-cache",
                "results-cache",
                "continuous-test",
                "smoke-test",
            ),
        ),
        "loki": ChartFacts(
            config_key="config.yaml",
            # Every Loki target that writes chunks or the index, reads them, compacts them or
            # keeps rules. The gateway, canary and caches have accounts of their own, and so
            # can the distributor, query-frontend and query-scheduler (serviceAccount.create).
            role_components=frozenset(
                {
                    "single-binary",
                    "write",
                    "read",
                    "backend",
                    "ingester",
                    "querier",
                    "compactor",
                    "index-gateway",
                    "ruler",
                    "pattern-ingester",
                    "bloom-builder",
                    "bloom-gateway",
                    "bloom-planner",
                    "table-manager",
                }
            ),
        ),
        "tempo-distributed": ChartFacts(
            config_key="tempo.yaml",
            # Block-builders write blocks, the backend scheduler and workers compact and expire
            # them, the query-frontend and queriers read the block list and the blocks, the
            # live-stores hand recent data over to them.
            role_components=frozenset(
                {
                    "block-builder",
                    "backend-scheduler",
                    "backend-worker",
                    "querier",
                    "query-frontend",
                    "live-store",
                }
            ),
            shared_account=_shared(
                TEMPO_SHARED, "distributor", "gateway", "memcached", "metrics-generator"
            ),
        ),
        "tempo": ChartFacts(config_key="tempo.yaml", role_components=frozenset({""})),
        "grafana": ChartFacts(config_key="datasources.yaml", role_components=frozenset({""})),
    }
)
