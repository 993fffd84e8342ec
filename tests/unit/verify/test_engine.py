"""verify_stack end to end on recorded stacks: verdicts, selection, state formats, parallelism."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.verify.conftest import Stack

from obsctl.errors import UsageError
from obsctl.model import read_stack
from obsctl.model.tfjson import index_suffix
from obsctl.verify.catalogue import CONTROLS
from obsctl.verify.collect import BUCKET_READS, collect
from obsctl.verify.engine import parse_selection
from obsctl.verify.model import Status


def test_the_recorded_dev_stack_passes_every_check(dev: Stack) -> None:
    report = dev.verify()
    assert report.ok and report.exit_code == 0
    assert (
        report.verdict() == f"PASSED: passed {len(report.results)} of {len(report.results)} checks."
    )
    assert "dynamodb.pitr" not in {r.control_id for r in report.results}  # dev has no tables


def test_the_recorded_prod_stack_passes_every_check_of_every_control(prod: Stack) -> None:
    report = prod.verify()
    assert report.ok, [(r.control_id, r.subject.name, r.found) for r in report.failures]
    assert {r.control_id for r in report.results} == {c.id for c in CONTROLS}
    groups = [group for group, _ in report.by_group()]
    assert groups == ["mimir", "loki", "tempo", "grafana", "operations", "stack"]


def test_one_broken_setting_fails_exactly_one_check(prod: Stack) -> None:
    name = prod.bucket("loki", "chunks")
    prod.aws.respond("s3", "get_bucket_versioning", {"Status": "Suspended"}, Bucket=name)
    report = prod.verify()
    assert report.failing() == {("s3.versioning", name)}
    assert report.exit_code == 1
    passed = len(report.results) - 1
    assert (
        report.verdict() == f"FAILED: passed {passed} of {len(report.results)} checks (1 failed)."
    )


def test_a_skipped_failure_does_not_fail_the_run_and_keeps_its_reason(prod: Stack) -> None:
    name = prod.bucket("loki", "chunks")
    prod.aws.respond("s3", "get_bucket_versioning", {"Status": "Suspended"}, Bucket=name)
    report = prod.verify(skip={"s3.versioning": "migrating the bucket"})
    assert report.ok
    skipped = [r for r in report.results if r.status is Status.SKIP]
    assert {r.control_id for r in skipped} == {"s3.versioning"}
    assert len(skipped) == 8  # every bucket, each with the reason
    assert {r.skip_reason for r in skipped} == {"migrating the bucket"}
    assert "(8 skipped)" in report.verdict()


def test_only_limits_results_to_the_selected_controls(prod: Stack) -> None:
    only, _ = parse_selection(["kms", "S3.9"], [])
    report = prod.verify(only=only)
    assert {r.control_id for r in report.results} == {
        "kms.enabled",
        "kms.rotation",
        "kms.pending-deletion",
        "kms.external-access",
        "kms.grants",
        "kms.alias",
        "s3.access-logging",
    }


def test_skipping_policy_lint_lists_every_policy_without_running_parliament(prod: Stack) -> None:
    report = prod.verify(skip={"iam.policy-lint": "linted in CI"})
    lint = [r for r in report.results if r.control_id == "iam.policy-lint"]
    assert len(lint) == 5 and {r.status for r in lint} == {Status.SKIP}


@pytest.mark.parametrize(
    ("only", "skip", "message"),
    [
        (["s3.nope"], [], "--only 's3.nope' names no control"),
        ([], ["s3.versioning"], "--skip 's3.versioning' needs a reason"),
        ([], ["s3.versioning=  "], "--skip 's3.versioning' needs a reason"),
        ([], ["S3.99=why"], "--skip 'S3.99' names no control"),
        (["s3.versioning"], ["s3.versioning=why"], "--only and --skip both name s3.versioning"),
        (["kms"], ["kms=why"], "--skip skips every control --only selects"),
    ],
)
def test_bad_selections_are_usage_errors(only: list[str], skip: list[str], message: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_selection(only, skip)
    assert message in raised.value.message


def test_selectors_accept_ids_families_fsbp_and_cis_ids_and_comma_lists() -> None:
    only, skip = parse_selection(["s3.encryption,IAM", "KMS.4"], ["CIS-2.1.4=org-level BPA"])
    assert "s3.encryption" in only and "kms.rotation" in only
    assert "iam.trust-subjects" in only
    assert skip == {
        "s3.public-access-block": "org-level BPA",
        "account.public-access-block": "org-level BPA",
    }
    narrowed, skipped = parse_selection(["s3"], ["s3.access-logging=dev has none"])
    assert "s3.encryption" in narrowed and skipped == {"s3.access-logging": "dev has none"}


def _show_json(raw: dict[str, Any]) -> dict[str, Any]:
    """The same resources in `terraform show -json`'s shape."""
    resources = [
        {
            "address": ".".join(filter(None, (r.get("module"), f"{r['type']}.{r['name']}")))
            + index_suffix(i.get("index_key")),
            "mode": r["mode"],
            "type": r["type"],
            "values": i["attributes"],
        }
        for r in raw["resources"]
        for i in r["instances"]
    ]
    return {"values": {"root_module": {"resources": resources}}}


def test_the_state_may_be_raw_or_show_json(prod: Stack) -> None:
    raw = read_stack(prod.contract, prod.state)
    shown = read_stack(prod.contract, _show_json(prod.state or {}))
    assert raw == shown
    assert raw.has_state and any(b.lifecycle for b in raw.buckets)


def test_each_configuration_is_read_once_per_resource(prod: Stack) -> None:
    prod.verify()
    made = prod.aws.made
    buckets = {b.name for b in read_stack(prod.contract, prod.state).buckets}
    for operation in BUCKET_READS.values():
        reads = sorted(p.get("Bucket", "") for s, op, p in made if op == operation and s == "s3")
        assert reads == sorted(buckets)
    points = sorted(p.get("Bucket", "") for _, op, p in made if op == "list_access_points")
    assert points == sorted(buckets)
    assert len(made) == len({(s, o, str(sorted(p.items()))) for s, o, p in made})


def test_parallel_and_serial_reads_give_the_same_snapshot(prod: Stack) -> None:
    expected = read_stack(prod.contract, prod.state)
    assert collect(expected, prod.aws, workers=1) == collect(expected, prod.aws, workers=16)


def test_an_unreadable_resource_is_an_error_that_fails_the_run(prod: Stack) -> None:
    role = prod.role("mimir")
    prod.aws.fail("iam", "list_role_policies", "AccessDenied", "not allowed", RoleName=role)
    report = prod.verify()
    errors = {(r.control_id, r.subject.name) for r in report.results if r.status is Status.ERROR}
    assert {
        ("iam.no-wildcard-action", role),
        ("iam.no-cross-app-access", role),
        ("iam.required-access", role),
        ("iam.policy-lint", role),
        ("drift.policies", role),
    } <= errors
    assert not report.ok and "could not be checked" in report.verdict()


def test_a_run_that_checks_nothing_is_not_a_pass(prod: Stack) -> None:
    from obsctl.verify.catalogue import FAMILIES

    skip = {family: "nothing" for family in FAMILIES}
    _, skipped = parse_selection([], [f"{family}=not now" for family in skip])
    report = prod.verify(skip=skipped)
    assert report.evaluated == 0 and report.nothing_verified
    assert not report.ok and report.exit_code == 1
    assert report.verdict().startswith("NOT VERIFIED: no check ran")
    assert report.as_dict()["summary"]["nothing_verified"] is True
