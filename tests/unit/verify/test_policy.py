"""The policy evaluator against hand-written policies whose answer is known from IAM's rules."""

from __future__ import annotations

from typing import Any

import pytest

from obsctl.verify.policy import (
    Principal,
    covers,
    glob_match,
    guaranteed,
    intersects,
    may_allow,
    parse,
)

BUCKET = "arn:aws:s3:::lgtm-dev-mimir-blocks"
OBJECTS = f"{BUCKET}/*"
OTHER = "arn:aws:s3:::lgtm-dev-loki-chunks"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1111aaaa-2222-4bbb-8ccc-333344445555"


def policy(*statements: dict[str, Any]) -> list:
    return parse({"Version": "2012-10-17", "Statement": list(statements)}, "test policy")


def allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


# -- wildcard sets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("s3:Get*", "s3:GetObject", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:?etObject", "s3:GetObject", True),
        ("arn:aws:s3:::lgtm-*-blocks/*", f"{BUCKET}/tenant/01/chunk", True),
        ("arn:aws:s3:::lgtm-*-blocks/*", BUCKET, False),
        ("*", "", True),
        ("a*b*c", "abxbyc", True),
        ("a*b*c", "abxbyd", False),
    ],
)
def test_glob_match_follows_iam_wildcards(pattern: str, text: str, expected: bool) -> None:
    assert glob_match(pattern, text) is expected


def test_arn_matching_is_case_sensitive_and_action_matching_is_not() -> None:
    assert not glob_match("arn:aws:s3:::LGTM-*", BUCKET)
    assert glob_match("S3:getobject", "s3:GetObject", ignore_case=True)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (OBJECTS, "arn:aws:s3:::*", True),  # some object of the bucket is in every S3 ARN
        (OBJECTS, f"{OTHER}/*", False),
        ("arn:aws:s3:::lgtm-dev-*/*", OBJECTS, True),
        ("arn:aws:s3:::*-blocks", "arn:aws:s3:::lgtm-*", True),
        ("arn:aws:s3:::a?c", "arn:aws:s3:::ab*", True),
        ("arn:aws:s3:::abc", "arn:aws:s3:::abd*", False),
    ],
)
def test_intersects_finds_a_common_resource(a: str, b: str, expected: bool) -> None:
    assert intersects(a, b) is expected
    assert intersects(b, a) is expected


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ("*", OBJECTS, True),
        ("arn:aws:s3:::lgtm-dev-*", OBJECTS, True),
        (OBJECTS, f"{BUCKET}/fake/*", True),
        (f"{BUCKET}/fake/*", OBJECTS, False),  # a prefix grant does not cover the bucket
        (OBJECTS, BUCKET, False),
        (f"{BUCKET}/?*", OBJECTS, False),  # `?*` needs one character, `*` may be empty
        (f"{BUCKET}/*", f"{BUCKET}/?", True),
    ],
)
def test_covers_means_every_resource_of_the_inner_pattern(
    outer: str, inner: str, expected: bool
) -> None:
    assert covers(outer, inner) is expected


# -- evaluation ------------------------------------------------------------------------------


def test_allow_on_the_bucket_objects_grants_them_and_not_another_bucket() -> None:
    statements = policy(allow(["s3:GetObject", "s3:PutObject"], [OBJECTS]))
    assert guaranteed(statements, "s3:GetObject", OBJECTS) is not None
    assert may_allow(statements, "s3:GetObject", f"{OTHER}/*") is None
    assert may_allow(statements, "s3:ListBucket", BUCKET) is None


def test_deny_overrides_allow_on_the_same_resource() -> None:
    statements = policy(allow("s3:*", "*"), deny("s3:GetObject", OBJECTS))
    assert may_allow(statements, "s3:GetObject", OBJECTS) is None
    assert guaranteed(statements, "s3:GetObject", OBJECTS) is None
    assert may_allow(statements, "s3:PutObject", OBJECTS) is not None


def test_deny_on_part_of_the_objects_leaves_access_to_the_rest_but_breaks_the_guarantee() -> None:
    statements = policy(allow("s3:GetObject", OBJECTS), deny("s3:GetObject", f"{BUCKET}/index/*"))
    assert may_allow(statements, "s3:GetObject", OBJECTS) is not None
    assert guaranteed(statements, "s3:GetObject", OBJECTS) is None


def test_deny_covering_the_allowed_prefix_removes_it_entirely() -> None:
    statements = policy(
        allow("s3:GetObject", f"{BUCKET}/fake/*"), deny("s3:*", "arn:aws:s3:::lgtm-dev-*")
    )
    assert may_allow(statements, "s3:GetObject", OBJECTS) is None


def test_not_action_allows_everything_except_the_listed_actions() -> None:
    statements = policy({"Effect": "Allow", "NotAction": ["s3:DeleteObject"], "Resource": "*"})
    assert guaranteed(statements, "s3:GetObject", OBJECTS) is not None
    assert guaranteed(statements, "kms:Decrypt", KEY) is not None
    assert may_allow(statements, "s3:DeleteObject", OBJECTS) is None


def test_not_action_deny_denies_everything_else() -> None:
    statements = policy(
        allow("*", "*"), {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"}
    )
    assert may_allow(statements, "s3:GetObject", OBJECTS) is not None
    assert may_allow(statements, "kms:Decrypt", KEY) is None


def test_not_resource_allows_everything_outside_the_listed_resources() -> None:
    statements = policy(
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": [f"{OTHER}/*"]}
    )
    assert guaranteed(statements, "s3:GetObject", OBJECTS) is not None
    assert may_allow(statements, "s3:GetObject", f"{OTHER}/*") is None


def test_not_resource_deny_protects_everything_else() -> None:
    statements = policy(
        allow("s3:GetObject", "*"),
        {"Effect": "Deny", "Action": "s3:*", "NotResource": [OBJECTS, BUCKET]},
    )
    assert guaranteed(statements, "s3:GetObject", OBJECTS) is not None
    assert may_allow(statements, "s3:GetObject", f"{OTHER}/*") is None


def test_wildcards_in_actions_and_arns_reach_the_matching_stores() -> None:
    statements = policy(allow("s3:*Object", "arn:aws:s3:::lgtm-dev-*/*"))
    assert guaranteed(statements, "s3:GetObject", OBJECTS) is not None
    assert may_allow(statements, "s3:GetObject", f"{OTHER}/*") is not None
    assert may_allow(statements, "s3:GetObjectTagging", OBJECTS) is None


def test_actions_match_case_insensitively() -> None:
    statements = policy(allow(["S3:getobject", "KMS:DECRYPT"], [OBJECTS, KEY]))
    assert guaranteed(statements, "s3:GetObject", OBJECTS) is not None
    assert guaranteed(statements, "kms:Decrypt", KEY) is not None


def test_a_conditional_allow_may_allow_but_guarantees_nothing() -> None:
    statements = policy(
        allow("s3:GetObject", OBJECTS, Condition={"Bool": {"aws:SecureTransport": "true"}})
    )
    assert may_allow(statements, "s3:GetObject", OBJECTS) is not None
    assert guaranteed(statements, "s3:GetObject", OBJECTS) is None


def test_a_conditional_deny_does_not_prove_denial_but_breaks_the_guarantee() -> None:
    statements = policy(
        allow("s3:GetObject", OBJECTS),
        deny("s3:GetObject", OBJECTS, Condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}),
    )
    assert may_allow(statements, "s3:GetObject", OBJECTS) is not None
    assert guaranteed(statements, "s3:GetObject", OBJECTS) is None


def test_single_string_action_and_resource_and_single_statement_object_parse() -> None:
    statements = parse({"Statement": allow("kms:Decrypt", KEY)}, "inline")
    assert len(statements) == 1
    assert guaranteed(statements, "kms:Decrypt", KEY) is not None


def test_a_grant_names_the_policy_and_statement_it_came_from() -> None:
    statements = parse({"Statement": [allow("kms:Decrypt", KEY, Sid="UseKey")]}, "inline policy x")
    grant = may_allow(statements, "kms:Decrypt", KEY)
    assert grant is not None and grant.where == "inline policy x, statement UseKey"


def test_managed_and_inline_policies_combine_and_a_managed_deny_wins() -> None:
    inline = parse({"Statement": [allow("s3:GetObject", OBJECTS)]}, "inline policy storage")
    managed = parse(
        {"Statement": [deny("s3:GetObject", "arn:aws:s3:::*")]}, "managed policy arn:aws:iam::1:x"
    )
    assert Principal(inline).guaranteed("s3:GetObject", OBJECTS) is not None
    assert Principal(inline + managed).may_allow("s3:GetObject", OBJECTS) is None


def test_a_permissions_boundary_limits_what_the_identity_policies_grant() -> None:
    identity = policy(allow("s3:*", "*"))
    boundary = policy(allow("s3:GetObject", OBJECTS))
    who = Principal(identity, boundary)
    assert who.guaranteed("s3:GetObject", OBJECTS) is not None
    assert who.may_allow("s3:GetObject", f"{OTHER}/*") is None
    assert who.may_allow("s3:PutObject", OBJECTS) is None
