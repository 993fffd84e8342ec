"""Drift: resources that are gone, and live settings that differ from what the state recorded."""

from __future__ import annotations

import json

from tests.unit.verify.conftest import Stack
from tests.unit.verify.fakes import Fixture

from obsctl.model.lifecycle import LifecycleRule, from_api
from obsctl.model.lifecycle import from_inline as from_inline_state
from obsctl.verify.drift import document_differences, tag_differences
from obsctl.verify.drift import lifecycle_differences as differences
from obsctl.verify.model import Status

DRIFT = frozenset(
    {"drift.missing", "drift.tags", "drift.lifecycle", "drift.policies", "drift.settings"}
)


def test_the_recorded_stacks_show_no_drift(prod: Stack, dev: Stack) -> None:
    for stack in (prod, dev):
        report = stack.verify(only=DRIFT)
        assert report.ok, report.failures
        assert {r.control_id for r in report.results} == DRIFT


def test_a_deleted_bucket_is_reported_missing_and_nothing_else_is_checked_on_it(
    prod: Stack, missing_fixture: Fixture
) -> None:
    name = prod.bucket("loki", "ruler")
    gone = missing_fixture.aws()
    for call in missing_fixture.data["calls"]:
        if call["params"] == {"Bucket": "verify-fixture-gone"}:
            prod.aws.fail("s3", call["operation"], call["error"]["code"], Bucket=name)
    assert gone  # the recorded NoSuchBucket answers
    report = prod.verify()
    assert report.failing() == {("drift.missing", name)}
    assert [r.control_id for r in report.results if r.subject.name == name] == ["drift.missing"]
    (result,) = [r for r in report.results if r.subject.name == name]
    assert result.found == f"the S3 bucket {name} no longer exists"


def test_a_deleted_role_key_and_table_are_reported_missing(prod: Stack) -> None:
    role, key = prod.role("grafana"), prod.key("tempo")
    table = prod.contract.tables["mimir"][0].name
    prod.aws.fail("iam", "get_role", "NoSuchEntity", RoleName=role)
    prod.aws.fail("iam", "list_role_policies", "NoSuchEntity", RoleName=role)
    prod.aws.fail("iam", "list_attached_role_policies", "NoSuchEntity", RoleName=role)
    prod.aws.fail("kms", "describe_key", "NotFoundException", KeyId=key)
    prod.aws.fail("dynamodb", "describe_table", "ResourceNotFoundException", TableName=table)
    report = prod.verify()
    assert report.failing() == {
        ("drift.missing", role),
        ("drift.missing", key),
        ("drift.missing", table),
    }


def test_a_changed_or_extra_tag_is_drift(prod: Stack) -> None:
    name = prod.bucket("mimir", "blocks")
    answer = prod.aws.recorded("s3", "get_bucket_tagging", Bucket=name)
    for tag in answer["TagSet"]:
        if tag["Key"] == "lgtm:environment":
            tag["Value"] = "staging"
    answer["TagSet"].append({"Key": "owner", "Value": "someone"})
    prod.aws.respond("s3", "get_bucket_tagging", answer, Bucket=name)
    report = prod.verify(only=frozenset({"drift.tags"}))
    (result,) = report.failures
    assert result.subject.name == name
    assert result.found == "tag lgtm:environment is 'staging', expected 'prod'"
    assert result.details == ("tag owner='someone' is not in the configuration",)


def test_tag_differences_ignore_aws_system_tags() -> None:
    assert tag_differences({"a": "1"}, {"a": "1", "aws:cloudformation:stack-id": "x"}) == []


def test_a_lifecycle_rule_removed_or_changed_is_drift(prod: Stack) -> None:
    name = prod.bucket("mimir", "blocks")
    answer = prod.aws.recorded("s3", "get_bucket_lifecycle_configuration", Bucket=name)
    answer["Rules"] = [r for r in answer["Rules"] if r["ID"] != "transition-storage-class"]
    for rule in answer["Rules"]:
        if rule["ID"] == "expire-noncurrent-versions":
            rule["NoncurrentVersionExpiration"]["NoncurrentDays"] = 3
    prod.aws.respond("s3", "get_bucket_lifecycle_configuration", answer, Bucket=name)
    report = prod.verify()
    assert report.failing() == {("drift.lifecycle", name)}
    result = report.failures[0]
    problems = [result.found, *result.details]
    assert any("transition-storage-class" in p and "is missing" in p for p in problems)
    assert any("noncurrent versions after 3 d" in p for p in problems)


def test_a_bucket_policy_statement_added_is_drift_without_failing_tls(prod: Stack) -> None:
    name = prod.bucket("tempo", "traces")
    policy = json.loads(prod.aws.recorded("s3", "get_bucket_policy", Bucket=name)["Policy"])
    policy["Statement"].append(
        {
            "Sid": "Extra",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:role/ops-reader"},
            "Action": "s3:GetObject",
            "Resource": "*",
        }
    )
    prod.aws.respond("s3", "get_bucket_policy", {"Policy": json.dumps(policy)}, Bucket=name)
    report = prod.verify()
    assert report.failing() == {("drift.policies", name)}
    assert report.failures[0].found == "bucket policy: statement Extra is not in the configuration"


def test_an_attached_policy_terraform_does_not_manage_is_drift() -> None:
    from tests.unit.verify.fakes import load

    paged = Stack(load("paged"))
    report = paged.verify(only=frozenset({"drift.policies"}))
    (result,) = report.failures
    assert result.subject.name == paged.role("loki")
    problems = [result.found, *result.details]
    assert (
        "attached policy arn:aws:iam::123456789012:policy/verify-fixture-a-own "
        "is not in the configuration" in problems
    )


def test_a_changed_rotation_period_is_settings_drift(prod: Stack) -> None:
    arn = prod.key("loki")
    prod.aws.respond(
        "kms",
        "get_key_rotation_status",
        {"KeyRotationEnabled": True, "RotationPeriodInDays": 90},
        KeyId=arn,
    )
    report = prod.verify(only=frozenset({"drift.settings"}))
    assert report.failing() == {("drift.settings", arn)}
    assert report.failures[0].found == "rotation period is 90 d, configured 365 d"


def test_documents_compare_semantically() -> None:
    applied = {
        "Statement": [
            {
                "Sid": "A",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": "arn:aws:s3:::b/*",
            }
        ]
    }
    reordered = {
        "Statement": [
            {
                "Resource": ["arn:aws:s3:::b/*"],
                "Action": ["s3:PutObject", "s3:GetObject"],
                "Effect": "Allow",
                "Sid": "A",
            }
        ]
    }
    assert document_differences("policy", applied, reordered) == []
    widened = {
        "Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}
        ]
    }
    assert document_differences("policy", applied, widened) == [
        "policy: statement A differs from what Terraform applied"
    ]
    assert document_differences("policy", applied, None) == [
        "policy is gone (Terraform applied 1 statement(s))"
    ]


def test_state_and_api_lifecycle_shapes_normalise_to_the_same_rule() -> None:
    state_rule = {
        "id": "expire-noncurrent-versions",
        "prefix": "",
        "enabled": True,
        "abort_incomplete_multipart_upload_days": 0,
        "expiration": [{"date": "", "days": 0, "expired_object_delete_marker": True}],
        "noncurrent_version_expiration": [{"days": 30}],
        "transition": [],
        "tags": {},
    }
    api_rule = {
        "ID": "expire-noncurrent-versions",
        "Filter": {"Prefix": ""},
        "Status": "Enabled",
        "Expiration": {"ExpiredObjectDeleteMarker": True},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
    }
    assert from_inline_state(state_rule) == from_api(api_rule)
    assert differences((from_inline_state(state_rule),), (from_api(api_rule),)) == []


def test_a_tag_filter_narrows_a_rule_and_the_legacy_prefix_is_read() -> None:
    rule = from_api(
        {
            "ID": "x",
            "Status": "Enabled",
            "Filter": {"And": {"Prefix": "", "Tags": [{"Key": "k", "Value": "v"}]}},
            "Expiration": {"Days": 1},
        }
    )
    assert rule.narrowed and not rule.whole_bucket
    legacy = from_api(
        {"ID": "y", "Status": "Enabled", "Prefix": "fake/", "Expiration": {"Days": 40}}
    )
    assert legacy == LifecycleRule("y", True, "fake/", expiration_days=40)


def test_without_the_state_only_missing_resources_are_drift(prod: Stack) -> None:
    prod.state = None
    report = prod.verify(only=DRIFT)
    assert {r.control_id for r in report.results} == {"drift.missing"}
    assert report.notes and "state was not available" in report.notes[0]
    assert {r.status for r in report.results} == {Status.PASS}
