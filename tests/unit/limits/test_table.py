"""The limits table: every row sourced from an AWS page, checked by the plan, and documented."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from obsctl.limits import table
from obsctl.limits.registry import CHECKS

REPO = Path(__file__).resolve().parents[3]
_spec = importlib.util.spec_from_file_location("limits_docs", REPO / "scripts" / "limits_docs.py")
assert _spec is not None and _spec.loader is not None
limits_docs = importlib.util.module_from_spec(_spec)
sys.modules["limits_docs"] = limits_docs
_spec.loader.exec_module(limits_docs)


def test_every_row_quotes_the_aws_page_it_comes_from() -> None:
    for row in table():
        assert row.source.url.startswith("https://docs.aws.amazon.com/"), row.id
        assert len(row.source.quote) > 20, row.id
        assert row.aws_error.seen in limits_docs.SEEN, row.id


def test_the_ids_are_unique_and_each_is_checked_by_the_plan() -> None:
    ids = table().ids()
    assert len(ids) == len(set(ids))
    assert set(ids) == set(CHECKS)


def test_the_rows_the_issue_lists_are_in_the_table() -> None:
    ids = set(table().ids())
    for service in ("s3.bucket", "iam.role", "kms.key", "dynamodb.table", "sns.topic"):
        assert f"{service}.tags" in ids
    assert {"cloudwatch.alarm.tags", "cloudtrail.trail.tags", "iam.oidc_provider.tags"} <= ids
    assert {"iam.role.trust_policy", "iam.role.inline_policies", "iam.managed_policy.size"} <= ids
    assert table()["iam.role.trust_policy"].value() == 2048
    assert table()["iam.role.inline_policies"].value() == 10240
    assert table()["iam.managed_policy.size"].value() == 6144
    assert table()["s3.bucket.policy"].value() == 20480
    assert table()["kms.key_policy.size"].value() == 32768
    assert table()["iam.role.max_session_duration"].limit == {"min": 3600, "max": 43200}
    assert table()["dynamodb.table.gsi"].value() == 20
    assert table()["s3.lifecycle.rules"].value() == 1000
    assert table()["s3.lifecycle.ia_minimum"].value() == 30


def test_docs_limits_md_is_what_the_table_generates() -> None:
    committed = (REPO / "docs" / "limits.md").read_text(encoding="utf-8")
    assert limits_docs.regenerate(committed) == committed, (
        "docs/limits.md is stale: run .venv/bin/python scripts/limits_docs.py"
    )
    for row in table():
        assert f"`{row.id}`" in committed and row.source.url in committed
