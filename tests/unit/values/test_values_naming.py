"""The charts' fullname and service-account rules (reference/lgtm-requirements.md section 6)."""

from __future__ import annotations

import pytest

from obsctl.values.naming import fullname, helm_fullname, query_endpoint, service_accounts
from obsctl.values.options import CHARTS


@pytest.mark.parametrize(
    ("chart", "release", "expected"),
    [
        ("mimir-distributed", "mimir", "mimir"),
        ("mimir-distributed", "obs", "obs-mimir"),
        ("mimir-distributed", "my-mimir-prod", "my-mimir-prod"),  # contains the infix
        ("loki", "loki", "loki"),
        ("loki", "logs", "logs-loki"),
        ("tempo-distributed", "tempo", "tempo"),  # name "tempo", not the chart name
        ("tempo-distributed", "traces", "traces-tempo"),
        ("tempo", "tempo-mono", "tempo-mono"),
        ("grafana", "grafana", "grafana"),
        ("grafana", "ui", "ui-grafana"),
    ],
)
def test_fullname_is_the_release_when_it_contains_the_name(
    chart: str, release: str, expected: str
) -> None:
    assert fullname(CHARTS[chart], release, {}) == expected


def test_fullname_override_wins_and_is_cut_to_63_characters() -> None:
    assert fullname(CHARTS["loki"], "x", {"fullnameOverride": "logs"}) == "logs"
    assert helm_fullname("r" * 70, "loki") == ("r" * 70 + "-loki")[:63]
    assert helm_fullname("a" * 62 + "-b", "b") == "a" * 62  # trailing "-" trimmed after the cut


def test_name_override_counts_for_loki_but_not_for_mimirs_hard_coded_infix() -> None:
    assert fullname(CHARTS["loki"], "obs", {"nameOverride": "logs"}) == "obs-logs"
    assert fullname(CHARTS["mimir-distributed"], "obs", {"nameOverride": "m"}) == "obs-mimir"


def test_service_account_defaults_to_the_fullname_in_the_release_namespace() -> None:
    [account] = service_accounts(CHARTS["tempo-distributed"], "traces", "obs", {})
    assert (account.namespace, account.name, account.created) == ("obs", "traces-tempo", True)
    assert account.subject == "system:serviceaccount:obs:traces-tempo"


def test_service_account_name_and_namespace_overrides_are_honoured() -> None:
    values = {"namespaceOverride": "logging", "serviceAccount": {"name": "loki-sa"}}
    [account] = service_accounts(CHARTS["loki"], "loki", "loki", values)
    assert account.subject == "system:serviceaccount:logging:loki-sa"
    [tempo] = service_accounts(CHARTS["tempo-distributed"], "t", "tempo", values)
    assert tempo.namespace == "tempo"  # tempo-distributed has no namespaceOverride


def test_an_uncreated_account_is_the_named_existing_one_or_default() -> None:
    [named] = service_accounts(
        CHARTS["grafana"], "g", "g", {"serviceAccount": {"create": False, "name": "x"}}
    )
    [fallback] = service_accounts(
        CHARTS["grafana"], "g", "g", {"serviceAccount": {"create": False}}
    )
    assert (named.name, named.created) == ("x", False)
    assert fallback.name == "default"


def test_mimir_ruler_and_alertmanager_accounts_exist_only_when_created() -> None:
    spec = CHARTS["mimir-distributed"]
    assert [a.name for a in service_accounts(spec, "obs", "m", {})] == ["obs-mimir"]
    values = {
        "ruler": {"serviceAccount": {"create": True}},
        "alertmanager": {"serviceAccount": {"create": True, "name": "am"}},
    }
    accounts = service_accounts(spec, "obs", "m", values)
    assert [(a.component, a.name) for a in accounts] == [
        ("", "obs-mimir"),
        ("ruler", "obs-mimir-ruler"),
        ("alertmanager", "am"),
    ]


@pytest.mark.parametrize(
    ("chart", "release", "values", "url"),
    [
        ("mimir-distributed", "obs", {}, "http://obs-mimir-gateway.ns.svc:80/prometheus"),
        ("loki", "loki", {}, "http://loki-gateway.ns.svc:80"),
        (
            "tempo-distributed",
            "tempo",
            {"gateway": {"enabled": True}},
            "http://tempo-gateway.ns.svc:80",
        ),
        ("tempo-distributed", "tempo", {}, "http://tempo-query-frontend.ns.svc:3200"),
        ("tempo", "tempo", {}, "http://tempo.ns.svc:3200"),
        (
            "mimir-distributed",
            "mimir",
            {"gateway": {"service": {"nameOverride": "mimir-nginx", "port": 8080}}},
            "http://mimir-nginx.ns.svc:8080/prometheus",
        ),
    ],
)
def test_query_endpoints_follow_release_namespace_and_gateway_settings(
    chart: str, release: str, values: dict[str, object], url: str
) -> None:
    assert query_endpoint(CHARTS[chart], release, "ns", values).url == url
