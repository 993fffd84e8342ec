"""Bucket controls against recorded S3 answers, and against the answers' variations."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest
from tests.unit.verify.conftest import Stack
from tests.unit.verify.fakes import Fixture

from obsctl.model import read_stack
from obsctl.model.lifecycle import LifecycleRule
from obsctl.model.stack import Bucket as ExpectedBucket
from obsctl.model.stack import Stack as ExpectedStack
from obsctl.verify import s3
from obsctl.verify.model import Result, Status


def bucket_result(
    stack: Stack, name: str, check: Callable[..., Result], *, with_stack: bool = False
) -> Result:
    expected, live = stack.snapshot()
    bucket = next(b for b in expected.buckets if b.name == name)
    args = (bucket, live.buckets[name], expected) if with_stack else (bucket, live.buckets[name])
    return check(*args)


def test_every_bucket_of_the_recorded_prod_stack_passes_every_bucket_control(prod: Stack) -> None:
    expected, live = prod.snapshot()
    results = [
        r for b in expected.buckets for r in s3.check_bucket(b, live.buckets[b.name], expected)
    ]
    assert {r.status for r in results} == {Status.PASS}
    # 17 controls on every bucket; the 6 telemetry buckets add safe expiry, readable storage
    # classes and access logging, the audit bucket access logging (CloudTrail.7)
    assert len(results) == 6 * 20 + 17 + 18


def test_dev_asks_for_no_access_logging_so_it_is_not_checked(dev: Stack) -> None:
    expected, live = dev.snapshot()
    results = [
        r for b in expected.buckets for r in s3.check_bucket(b, live.buckets[b.name], expected)
    ]
    assert "s3.access-logging" not in {r.control_id for r in results}
    assert {r.status for r in results} == {Status.PASS}


MISSING = [
    ("encryption", s3.check_encryption, "no default encryption is configured"),
    ("public_access_block", s3.check_public_access_block, "the bucket has no public access block"),
    ("ownership", s3.check_ownership, "no ownership controls"),
    ("policy", s3.check_tls_only, "the bucket has no policy"),
    ("lifecycle", s3.check_noncurrent_expiry, "no lifecycle configuration"),
    ("lifecycle", s3.check_abort_multipart, "no lifecycle configuration"),
    ("versioning", s3.check_versioning, "versioning is never enabled"),
    ("logging", s3.check_access_logging, "server access logging is off"),
]


@pytest.mark.parametrize(
    ("read", "check", "message"), MISSING, ids=[m[1].__name__ for m in MISSING]
)
def test_configuration_s3_says_is_not_set_fails_the_control(
    prod: Stack, missing_fixture: Fixture, read: str, check: Callable[..., Result], message: str
) -> None:
    name = prod.bucket("mimir", "blocks")
    prod.bare_bucket(name, missing_fixture, read)
    result = bucket_result(prod, name, check)
    assert result.status is Status.FAIL
    assert message in result.found
    assert result.subject.name == name


def test_the_recorded_missing_configuration_answers_are_s3_error_codes(
    missing_fixture: Fixture,
) -> None:
    codes = {
        c["operation"]: c["error"]["code"]
        for c in missing_fixture.data["calls"]
        if c["params"] == {"Bucket": "verify-fixture-bare"} and "error" in c
    }
    assert codes == {
        "get_bucket_lifecycle_configuration": "NoSuchLifecycleConfiguration",
        "get_bucket_policy": "NoSuchBucketPolicy",
        "get_public_access_block": "NoSuchPublicAccessBlockConfiguration",
        "get_bucket_encryption": "ServerSideEncryptionConfigurationNotFoundError",
        "get_bucket_ownership_controls": "OwnershipControlsNotFoundError",
        "get_bucket_tagging": "NoSuchTagSet",
        "get_bucket_replication": "ReplicationConfigurationNotFoundError",
        "get_object_lock_configuration": "ObjectLockConfigurationNotFoundError",
        "get_bucket_website": "NoSuchWebsiteConfiguration",
        "get_bucket_cors": "NoSuchCORSConfiguration",
    }


def test_no_lifecycle_configuration_expires_nothing_so_safe_expiry_passes(
    prod: Stack, missing_fixture: Fixture
) -> None:
    name = prod.bucket("tempo", "traces")
    prod.bare_bucket(name, missing_fixture, "lifecycle")
    result = bucket_result(prod, name, s3.check_safe_expiry, with_stack=True)
    assert result.status is Status.PASS


def test_a_read_refused_by_aws_is_an_error_not_a_failure(prod: Stack) -> None:
    name = prod.bucket("loki", "chunks")
    prod.aws.fail("s3", "get_bucket_encryption", "AccessDenied", "Access Denied", Bucket=name)
    result = bucket_result(prod, name, s3.check_encryption)
    assert result.status is Status.ERROR
    assert "AccessDenied" in result.found


def _encryption(
    prod: Stack, name: str, key: Any, algorithm: str = "aws:kms", bucket_key: bool = True
) -> None:
    default: dict[str, Any] = {"SSEAlgorithm": algorithm}
    if key:
        default["KMSMasterKeyID"] = key
    prod.aws.respond(
        "s3",
        "get_bucket_encryption",
        {
            "ServerSideEncryptionConfiguration": {
                "Rules": [
                    {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": bucket_key}
                ]
            }
        },
        Bucket=name,
    )


def test_encryption_with_another_apps_key_fails(prod: Stack) -> None:
    name = prod.bucket("mimir", "blocks")
    _encryption(prod, name, prod.key("loki"))
    result = bucket_result(prod, name, s3.check_encryption)
    assert result.status is Status.FAIL
    assert f"the key is {prod.key('loki')}, not the app's key {prod.key('mimir')}" == result.found


def test_encryption_naming_the_alias_instead_of_the_key_arn_fails(prod: Stack) -> None:
    name = prod.bucket("mimir", "blocks")
    _encryption(prod, name, "alias/lgtm-prod-123456789012-mimir")
    result = bucket_result(prod, name, s3.check_encryption)
    assert result.status is Status.FAIL and "alias" in result.found


def test_bucket_key_off_fails_even_with_the_right_key(prod: Stack) -> None:
    name = prod.bucket("tempo", "traces")
    _encryption(prod, name, prod.key("tempo"), bucket_key=False)
    result = bucket_result(prod, name, s3.check_encryption)
    assert result.status is Status.FAIL and "Bucket Key is off" in result.found


def test_sse_s3_on_a_telemetry_bucket_fails_but_passes_on_the_access_log_bucket(
    prod: Stack,
) -> None:
    name = prod.bucket("loki", "ruler")
    _encryption(prod, name, None, algorithm="AES256")
    assert bucket_result(prod, name, s3.check_encryption).status is Status.FAIL
    log_bucket = prod.contract.settings["access_log_bucket"]
    assert bucket_result(prod, log_bucket, s3.check_encryption).status is Status.PASS


def test_one_public_access_block_flag_off_is_named(prod: Stack) -> None:
    name = prod.bucket("mimir", "ruler")
    flags = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": True,
    }
    prod.aws.respond(
        "s3", "get_public_access_block", {"PublicAccessBlockConfiguration": flags}, Bucket=name
    )
    result = bucket_result(prod, name, s3.check_public_access_block)
    assert (result.status, result.found) == (Status.FAIL, "BlockPublicPolicy is off")


def test_object_writer_ownership_fails(prod: Stack) -> None:
    name = prod.bucket("mimir", "ruler")
    answer = {"OwnershipControls": {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}}
    prod.aws.respond("s3", "get_bucket_ownership_controls", answer, Bucket=name)
    result = bucket_result(prod, name, s3.check_ownership)
    assert (result.status, result.found) == (Status.FAIL, "object ownership is ObjectWriter")


def _policy_without(prod: Stack, name: str, sid: str) -> None:
    policy = json.loads(prod.aws.recorded("s3", "get_bucket_policy", Bucket=name)["Policy"])
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != sid]
    prod.aws.respond("s3", "get_bucket_policy", {"Policy": json.dumps(policy)}, Bucket=name)


def test_a_policy_without_the_tls_version_statement_fails_naming_it(prod: Stack) -> None:
    name = prod.bucket("tempo", "traces")
    _policy_without(prod, name, "DenyOutdatedTLS")
    result = bucket_result(prod, name, s3.check_tls_only)
    assert result.status is Status.FAIL
    assert result.found == "no statement denies TLS versions below 1.2 (s3:TlsVersion)"


def test_a_transport_deny_for_one_principal_only_does_not_count(prod: Stack) -> None:
    name = prod.bucket("tempo", "traces")
    policy = json.loads(prod.aws.recorded("s3", "get_bucket_policy", Bucket=name)["Policy"])
    for statement in policy["Statement"]:
        statement["Principal"] = {"AWS": "arn:aws:iam::123456789012:role/someone"}
    prod.aws.respond("s3", "get_bucket_policy", {"Policy": json.dumps(policy)}, Bucket=name)
    result = bucket_result(prod, name, s3.check_tls_only)
    assert result.status is Status.FAIL and len(result.details) == 1


def test_suspended_versioning_fails(prod: Stack) -> None:
    name = prod.bucket("loki", "chunks")
    prod.aws.respond("s3", "get_bucket_versioning", {"Status": "Suspended"}, Bucket=name)
    result = bucket_result(prod, name, s3.check_versioning)
    assert (result.status, result.found) == (Status.FAIL, "versioning is Suspended")


def test_a_disabled_or_prefix_scoped_noncurrent_rule_does_not_count(prod: Stack) -> None:
    name = prod.bucket("loki", "chunks")
    answer = prod.aws.recorded("s3", "get_bucket_lifecycle_configuration", Bucket=name)
    for rule in answer["Rules"]:
        if rule["ID"] == "expire-noncurrent-versions":
            rule["Filter"] = {"Prefix": "fake/"}
        if rule["ID"] == "abort-incomplete-multipart-uploads":
            rule["Status"] = "Disabled"
    prod.aws.respond("s3", "get_bucket_lifecycle_configuration", answer, Bucket=name)
    assert bucket_result(prod, name, s3.check_noncurrent_expiry).status is Status.FAIL
    assert bucket_result(prod, name, s3.check_abort_multipart).status is Status.FAIL


def test_access_logs_to_another_bucket_or_prefix_fail(prod: Stack) -> None:
    name = prod.bucket("mimir", "blocks")
    answer = {"LoggingEnabled": {"TargetBucket": "somewhere-else", "TargetPrefix": "x/"}}
    prod.aws.respond("s3", "get_bucket_logging", answer, Bucket=name)
    result = bucket_result(prod, name, s3.check_access_logging)
    assert result.status is Status.FAIL
    assert (
        result.found
        == f"logs go to somewhere-else, not {prod.contract.settings['access_log_bucket']}"
    )
    assert "log prefix is 'x/'" in result.details[0]


# -- what a lifecycle rule may expire ----------------------------------------------------------


def _stack(prod: Stack, **settings: Any) -> ExpectedStack:
    """The recorded stack, as the contract reads with a Mimir safety net when one is given."""
    expected = read_stack(prod.contract, prod.state)
    net = settings.get("mimir_blocks_expiry")
    if net is None:
        return expected
    prefixes = tuple(net["tenant_prefixes"])
    buckets = tuple(
        dataclasses.replace(b, expiry_guard=dataclasses.replace(b.expiry_guard, prefixes=prefixes))
        if (b.app, b.store) == ("mimir", "blocks") and b.expiry_guard is not None
        else b
        for b in expected.buckets
    )
    return dataclasses.replace(expected, buckets=buckets)


def _bucket(stack: ExpectedStack, app: str, store: str) -> ExpectedBucket:
    return next(b for b in stack.buckets if (b.app, b.store) == (app, store))


def _rule(prefix: str = "", days: int | None = None, date: str | None = None) -> LifecycleRule:
    return LifecycleRule("r", True, prefix, expiration_days=days, expiration_date=date)


EXPIRY_CASES = [
    # app, store, rule, settings, problem fragment (None: allowed)
    ("mimir", "blocks", _rule("", 400), {}, "no safety net is configured"),
    (
        "mimir",
        "blocks",
        _rule("anonymous/", 400),
        {"mimir_blocks_expiry": {"days": 400, "tenant_prefixes": ["anonymous/"]}},
        None,
    ),
    (
        "mimir",
        "blocks",
        _rule("", 400),
        {"mimir_blocks_expiry": {"days": 400, "tenant_prefixes": ["anonymous/"]}},
        "reaches __mimir_cluster/",
    ),
    (
        "mimir",
        "blocks",
        _rule("anonymous/", 30),
        {"mimir_blocks_expiry": {"days": 30, "tenant_prefixes": ["anonymous/"]}},
        "within Mimir's retention",
    ),
    ("loki", "chunks", _rule("", 60), {}, "expires the whole bucket"),
    ("loki", "chunks", _rule("index/", 60), {}, "expires index/"),
    ("loki", "chunks", _rule("fake/", 60), {}, None),
    ("loki", "chunks", _rule("fake/", 31), {}, "within Loki's retention"),
    ("tempo", "traces", _rule("", 14), {}, "before Tempo's retention of 14 d + 1 day"),
    ("tempo", "traces", _rule("", 15), {}, None),
    ("mimir", "ruler", _rule("", 400), {}, "it must never expire"),
    ("loki", "ruler", _rule("rules/", 400), {}, "it must never expire"),
    (
        "tempo",
        "traces",
        _rule("", date="2030-01-01"),
        {},
        "expires every object in scope on 2030-01-01",
    ),
]


@pytest.mark.parametrize(("app", "store", "rule", "settings", "problem"), EXPIRY_CASES)
def test_expiry_rules_are_judged_against_each_apps_needs(
    prod: Stack, app: str, store: str, rule: LifecycleRule, settings: dict, problem: str | None
) -> None:
    stack = _stack(prod, **settings)
    problems = s3.expiry_problems(rule, _bucket(stack, app, store), stack)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_tempo_expiry_shorter_than_retention_fails_the_live_bucket(prod: Stack) -> None:
    name = prod.bucket("tempo", "traces")
    answer = prod.aws.recorded("s3", "get_bucket_lifecycle_configuration", Bucket=name)
    for rule in answer["Rules"]:
        if rule["ID"] == "expire-after-retention":
            rule["Expiration"] = {"Days": 3}
    prod.aws.respond("s3", "get_bucket_lifecycle_configuration", answer, Bucket=name)
    result = bucket_result(prod, name, s3.check_safe_expiry, with_stack=True)
    assert result.status is Status.FAIL
    assert "expires traces after 3 d, before Tempo's retention of 14 d + 1 day" in result.found


def test_a_disabled_expiry_rule_expires_nothing(prod: Stack) -> None:
    name = prod.bucket("mimir", "ruler")
    answer = prod.aws.recorded("s3", "get_bucket_lifecycle_configuration", Bucket=name)
    answer["Rules"].append(
        {"ID": "x", "Status": "Disabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}
    )
    prod.aws.respond("s3", "get_bucket_lifecycle_configuration", answer, Bucket=name)
    assert bucket_result(prod, name, s3.check_safe_expiry, with_stack=True).status is Status.PASS
