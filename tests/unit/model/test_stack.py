"""The Stack: one set of facts whether it is read from a plan or from the applied state."""

from __future__ import annotations

import json
from pathlib import Path

from obsctl.model import OPERATIONS, OTHER, StackContract, plan_stack, read_stack

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "fixtures" / "plan" / "prod.json"
RECORDED = ROOT / "unit" / "verify" / "fixtures" / "prod.json"


def test_a_plan_and_the_applied_state_give_the_same_bucket_facts() -> None:
    planned = plan_stack(json.loads(PLAN.read_text()))
    recorded = json.loads(RECORDED.read_text())
    applied = read_stack(StackContract.from_outputs(recorded["outputs"]), recorded["state"])

    def facts(stack):  # type: ignore[no-untyped-def]
        return {
            b.name: (b.app, b.store, b.holds_data, b.expiry_guard, b.lifecycle, b.key_arn is None)
            for b in stack.buckets
        }

    assert facts(planned) == facts(applied)
    assert (
        planned.retention_days == applied.retention_days == {"mimir": 395, "loki": 31, "tempo": 14}
    )
    assert [b.store for b in applied.buckets if b.app == OPERATIONS] == ["access-logs", "audit"]


def test_the_data_store_of_each_app_comes_from_the_contract() -> None:
    stack = plan_stack(json.loads(PLAN.read_text()))
    assert {name: app.data_store for name, app in stack.apps.items()} == {
        "mimir": "blocks",
        "loki": "chunks",
        "tempo": "traces",
        "grafana": None,
    }
    assert stack.apps["grafana"].retention_days is None


def test_without_a_contract_the_reserved_tags_say_what_a_bucket_is_for() -> None:
    def bucket(name: str, tags: dict[str, str]) -> dict:
        values = {"bucket": name, "tags": tags}
        return {"address": f"aws_s3_bucket.{name}", "mode": "managed", "type": "aws_s3_bucket",
                "name": name, "values": values}  # fmt: skip

    plan = {
        "planned_values": {
            "root_module": {
                "resources": [
                    bucket("acme-chunks", {"lgtm:app": "loki", "lgtm:store": "chunks"}),
                    bucket("acme-logs", {"lgtm:store": "access-logs"}),
                    bucket("acme-loki-chunks", {}),  # a name is never read for meaning
                ]
            }
        }
    }
    stack = plan_stack(plan)
    assert stack.contract is None and stack.retention_days == {}
    assert [(b.app, b.store) for b in stack.buckets] == [
        ("loki", "chunks"),
        (OPERATIONS, "access-logs"),
        (OTHER, None),
    ]
