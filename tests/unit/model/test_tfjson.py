"""The one reader of Terraform JSON: raw state, `terraform show -json` and plan JSON."""

from __future__ import annotations

import json
from pathlib import Path

from obsctl.model.tfjson import UNKNOWN, TerraformJSON, index_suffix

FIXTURES = Path(__file__).resolve().parents[1] / "verify" / "fixtures"
PLANS = Path(__file__).resolve().parents[2] / "fixtures" / "plan"


def _raw() -> dict:
    return json.loads((FIXTURES / "prod.json").read_text())["state"]


def _shown(raw: dict) -> dict:
    """The raw state in `terraform show -json`'s nested shape (every module as a child)."""
    modules: dict[str, list[dict]] = {}
    for resource in raw["resources"]:
        for instance in resource["instances"]:
            module = resource.get("module", "")
            address = ".".join(filter(None, (module, f"{resource['type']}.{resource['name']}")))
            modules.setdefault(module, []).append(
                {
                    "address": address + index_suffix(instance.get("index_key")),
                    "mode": resource["mode"],
                    "type": resource["type"],
                    "name": resource["name"],
                    "index": instance.get("index_key"),
                    "values": instance["attributes"],
                }
            )
    children = [{"address": m, "resources": r} for m, r in modules.items() if m]
    root = {"resources": modules.get("", []), "child_modules": children}
    return {"values": {"root_module": root, "outputs": {"region": {"value": "us-east-1"}}}}


def test_a_raw_state_and_its_show_json_hold_the_same_resources() -> None:
    raw = TerraformJSON(_raw())
    shown = TerraformJSON(_shown(_raw()))
    assert (raw.kind, shown.kind) == ("raw state", "state")
    key = lambda r: (r.address, r.type, json.dumps(r.values, sort_keys=True))  # noqa: E731
    assert sorted(map(key, raw.resources)) == sorted(map(key, shown.resources))
    assert raw.resources and shown.outputs() == {"region": "us-east-1"}


def test_a_plans_unknown_outputs_are_marked_and_listed() -> None:
    plan = TerraformJSON(json.loads((PLANS / "prod.json").read_text()))
    outputs = plan.outputs()
    assert plan.kind == "plan" and outputs["contract_version"] == 3
    assert outputs["buckets"]["loki"]["chunks"]["arn"] == UNKNOWN
    assert outputs["buckets"]["loki"]["chunks"]["name"] == "lgtm-prod-123456789012-loki-chunks"
    assert ("buckets", "loki", "chunks", "arn") in plan.unknown_outputs()
    assert ("operations", "operations_key_arn") in plan.unknown_outputs()


def test_sub_resources_link_to_their_bucket_through_the_plans_configuration() -> None:
    plan = TerraformJSON(json.loads((PLANS / "dev.json").read_text()))
    (versioning,) = [
        r for r in plan.of_type("aws_s3_bucket_versioning") if r.index == "tempo-traces"
    ]
    bucket = plan.linked(versioning, "bucket", "aws_s3_bucket")
    assert bucket is not None and bucket.values["bucket"].endswith("-tempo-traces")


def test_an_empty_or_missing_document_reads_as_empty() -> None:
    for document in (None, {}):
        empty = TerraformJSON(document)
        assert not empty.available and empty.resources == [] and empty.outputs() == {}
