"""The allowlist format and matcher that the upstream-key tests rely on."""

from __future__ import annotations

import pytest

from tools.keypaths import (
    Allowlist,
    Passthrough,
    format_path,
    leaf_paths,
    parse_pattern,
    unknown_keys,
)


def allowlist(name: str, *lines: str) -> Allowlist:
    return Allowlist.from_text(name, "\n".join(lines))


@pytest.mark.parametrize(
    ("segments", "text"),
    [
        (("blocks_storage", "s3", "bucket_name"), "blocks_storage.s3.bucket_name"),
        (
            ("schema_config", "configs", "[]", "index", "period"),
            "schema_config.configs[].index.period",
        ),
        (("serviceAccount", "annotations", "*"), "serviceAccount.annotations.*"),
        (("grafana.ini", "**"), '"grafana.ini".**'),
        (("a", "[]", "[]", "b"), "a[][].b"),
        (("annotations", "eks.amazonaws.com/role-arn"), 'annotations."eks.amazonaws.com/role-arn"'),
    ],
)
def test_pattern_text_round_trips(segments: tuple[str, ...], text: str) -> None:
    assert format_path(segments) == text
    assert parse_pattern(text) == segments


@pytest.mark.parametrize("text", ["a..b", "a.", ".a", "a b", "a[]b"])
def test_malformed_patterns_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_pattern(text)


def test_leaf_paths_walk_maps_and_lists_of_maps_but_not_lists_of_scalars() -> None:
    tree = {"a": {"b": 1, "c": [{"d": 2}, {"e": None}], "f": ["x", "y"], "g": {}}}
    assert list(leaf_paths(tree)) == [
        ("a", "b"),
        ("a", "c", 0, "d"),
        ("a", "c", 1, "e"),
        ("a", "f"),
        ("a", "g"),
    ]


def test_allowlist_matches_exact_prefix_wildcards_and_open_subtrees() -> None:
    keys = allowlist(
        "t",
        "blocks_storage.s3.bucket_name",
        "schema_config.configs[].store",
        "serviceAccount.annotations.*",
        "datasources.**",
    )
    assert keys.allows(("blocks_storage", "s3", "bucket_name"))
    assert keys.allows(("blocks_storage", "s3"))  # an empty map there is fine
    assert keys.allows(("schema_config", "configs", 0, "store"))
    assert keys.allows(("serviceAccount", "annotations", "eks.amazonaws.com/role-arn"))
    assert keys.allows(("datasources", "datasources.yaml", "datasources", 3, "jsonData", "x"))
    assert not keys.allows(("blocks_storage", "s3", "bucketname"))
    assert not keys.allows(("schema_config", "configs", "store"))  # a map where a list is
    assert not keys.allows(("serviceAccount", "annotations", "a", "b"))


def test_unknown_keys_follow_passthroughs_into_the_app_reference() -> None:
    chart = allowlist(
        "chart",
        "@passthrough mimir.structuredConfig -> app:",
        "@passthrough loki.limits_config -> app:limits_config",
        "mimir.structuredConfig.**",
        "loki.limits_config.reject_old_samples",
        "minio.enabled",
    )
    app = allowlist(
        "app", "limits.compactor_blocks_retention_period", "limits_config.retention_period"
    )
    tree = {
        "minio": {"enabled": False, "typo": 1},
        "mimir": {"structuredConfig": {"limits": {"compactor_blocks_retention_period": "1h"}}},
        "loki": {"limits_config": {"retention_period": "1h", "retention_periood": "1h"}},
    }
    assert unknown_keys(tree, chart, {"app": app}) == [
        "chart: minio.typo",
        "chart: loki.limits_config.retention_periood "
        "(not in app as limits_config.retention_periood)",
    ]


def test_unknown_keys_report_a_missing_reference_instead_of_passing() -> None:
    chart = allowlist("chart", "@passthrough a -> gone:", "a.**")
    assert unknown_keys({"a": {"b": 1}}, chart, {}) == ["chart: a.b (reference gone missing)"]


def test_longest_passthrough_wins() -> None:
    chart = allowlist("c", "@passthrough a -> x:", "@passthrough a.b -> y:q")
    found = chart.passthrough_for(("a", "b", "c"))
    assert found == (Passthrough(("a", "b"), "y", ("q",)), ("c",))


def test_allowlist_text_round_trips() -> None:
    original = allowlist("c", "# header", "@passthrough a -> x:b.c", "z.*", 'q."w.e"[].r', "a.**")
    again = Allowlist.from_text("c", original.to_text())
    assert again == original
    assert again.to_text() == original.to_text()
