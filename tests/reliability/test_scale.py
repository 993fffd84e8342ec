"""A stack with 100 periodic Loki tables and 50 tenant expiry prefixes plans and applies on the
local AWS, converges, and AWS then holds every table and lifecycle rule the plan promised.

The root is bench/scale_bench.py's (modules/stack, legacy Loki tables on with periodic_tables
count = 100, loki_chunks_expiry on tenant-00/ .. tenant-49/); the benchmark times how plan time
grows with the count, this test only proves the largest size works.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from bench.scale_bench import CLUSTER, write_root

from obsctl.terraform.runner import PlanResult
from obsctl.workspace.session import Session, open_session
from tests.reliability.conftest import Workbench

# One worker runs the whole module under `pytest -n 2 --dist loadgroup` (make test): its
# cases share one sandbox and stack through module-scoped fixtures.
pytestmark = pytest.mark.xdist_group("reliability_scale")

TABLES = 100
TENANTS = 50
FIRST_PERIOD = 2800  # bench/scale_bench.py's first_period
IAM_INLINE_POLICY_LIMIT = 10240  # characters of all inline policies of one role, whitespace aside


@dataclass
class Scaled:
    bench: Workbench
    session: Session
    plan: dict[str, Any]
    replan: PlanResult
    seconds: dict[str, float]

    def client(self, service: str) -> Any:
        return self.bench.sandbox.client(service)


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scaled]:
    base = tmp_path_factory.mktemp("scale")
    bench = Workbench(base / "obsctl")
    bench.state_dir.mkdir()
    previous = os.environ.get("OBSCTL_STATE_DIR")
    os.environ["OBSCTL_STATE_DIR"] = str(bench.state_dir)
    try:
        root = write_root(base / "scale-root")
        variables = [f"eks_cluster_name={CLUSTER}", f"table_count={TABLES}"]
        session = open_session(None, "local", root, variables=variables)
        session.init()
        started = time.monotonic()
        plan = session.plan()
        planned = time.monotonic()
        document = session.plan_json(plan)
        shown = time.monotonic()
        session.apply(plan)
        applied = time.monotonic()
        replan = session.plan()
        replanned = time.monotonic()
        seconds = {
            "plan": planned - started,
            "apply": applied - shown,
            "no-change plan": replanned - applied,
        }
        print(
            "\n100 tables, 50 tenant prefixes: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items())
        )
        yield Scaled(bench, session, document, replan, seconds)
    finally:
        bench.sandbox.stop()
        if previous is None:
            os.environ.pop("OBSCTL_STATE_DIR", None)
        else:
            os.environ["OBSCTL_STATE_DIR"] = previous


def _table_names() -> list[str]:
    return [f"scale-loki-index-{FIRST_PERIOD + i}" for i in range(TABLES)]


def _tenant_prefixes() -> list[str]:
    return [f"tenant-{i:02d}/" for i in range(TENANTS)]


def test_the_plan_creates_every_periodic_table_and_tenant_rule(scaled: Scaled) -> None:
    created = [
        change["change"]["after"]["name"]
        for change in scaled.plan["resource_changes"]
        if change["type"] == "aws_dynamodb_table" and change["change"]["actions"] == ["create"]
    ]
    assert sorted(created) == sorted(_table_names())
    chunks = next(
        change["change"]["after"]
        for change in scaled.plan["resource_changes"]
        if change["address"].endswith('module.storage.aws_s3_bucket.this["loki-chunks"]')
    )
    expiring = {
        rule["prefix"]: rule["expiration"][0]["days"]
        for rule in chunks["lifecycle_rule"]
        if rule["expiration"] and rule["expiration"][0].get("days")
    }
    assert expiring == dict.fromkeys(_tenant_prefixes(), 60)


def test_it_applies_and_aws_holds_every_table_and_lifecycle_rule(scaled: Scaled) -> None:
    tables = set(
        scaled.client("dynamodb")
        .get_paginator("list_tables")
        .paginate()
        .build_full_result()["TableNames"]
    )
    assert set(_table_names()) <= tables
    rules = scaled.client("s3").get_bucket_lifecycle_configuration(Bucket="scale-loki-chunks")[
        "Rules"
    ]
    expiring = {
        rule["Filter"].get("Prefix", rule.get("Prefix", "")): rule["Expiration"]["Days"]
        for rule in rules
        if "Days" in rule.get("Expiration", {})
    }
    assert expiring == dict.fromkeys(_tenant_prefixes(), 60)
    assert "" not in expiring and "index/" not in expiring
    assert len(rules) == TENANTS + 2  # plus abort-incomplete-uploads and noncurrent-versions


def test_the_stack_converges_and_the_contract_lists_every_table(scaled: Scaled) -> None:
    assert scaled.replan.has_changes is False
    contract = scaled.session.contract()
    assert [table.name for table in contract.tables["loki"]] == _table_names()
    assert contract.settings["dynamodb_period_hours"] == 168


def test_lokis_role_policies_fit_iams_inline_size_limit(scaled: Scaled) -> None:
    """IAM caps the inline policies of one role at 10,240 characters (whitespace aside); the
    Loki role lists every table ARN, so the size grows with the table count."""
    iam = scaled.client("iam")
    role = scaled.session.contract().roles["loki"].name
    sizes = {}
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        if isinstance(document, str):
            document = json.loads(document)
        sizes[name] = len(json.dumps(document, separators=(",", ":")))
    assert "dynamodb-index-tables" in sizes
    print(f"\nLoki role inline policies at {TABLES} tables: {sizes}, {sum(sizes.values())} chars")
    assert sum(sizes.values()) <= IAM_INLINE_POLICY_LIMIT, sizes
