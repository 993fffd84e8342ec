"""Names the plan creates that exist already are found before apply, whatever the create call
would have answered (moto in this process; the local AWS answers the same lookups)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from tests.unit.limits.plans import TRUST, plan, resource

from obsctl.collisions import find_taken


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        clients: dict[str, Any] = {}

        def client(service: str) -> Any:
            return clients.setdefault(service, boto3.client(service, region_name="us-east-1"))

        yield client


CREATED = [
    resource("aws_s3_bucket", bucket="lgtm-dev-loki-chunks"),
    resource("aws_iam_role", name="lgtm-dev-loki"),
    resource("aws_kms_alias", name="alias/lgtm-dev-loki"),
    resource("aws_dynamodb_table", name="lgtm-dev-loki-index"),
    resource("aws_sns_topic", name="lgtm-dev-alerts"),
    resource("aws_cloudtrail", name="lgtm-dev-s3-data-events"),
    resource("aws_cloudwatch_metric_alarm", alarm_name="lgtm-dev-5xx-errors"),
]


def _take_every_name(aws: Any) -> None:
    aws("s3").create_bucket(Bucket="lgtm-dev-loki-chunks")
    aws("iam").create_role(RoleName="lgtm-dev-loki", AssumeRolePolicyDocument=json.dumps(TRUST))
    key = aws("kms").create_key()["KeyMetadata"]["KeyId"]
    aws("kms").create_alias(AliasName="alias/lgtm-dev-loki", TargetKeyId=key)
    aws("dynamodb").create_table(
        TableName="lgtm-dev-loki-index",
        KeySchema=[{"AttributeName": "h", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "h", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    aws("sns").create_topic(Name="lgtm-dev-alerts")
    aws("s3").create_bucket(Bucket="trail-target")
    aws("cloudtrail").create_trail(Name="lgtm-dev-s3-data-events", S3BucketName="trail-target")
    aws("cloudwatch").put_metric_alarm(
        AlarmName="lgtm-dev-5xx-errors",
        MetricName="5xxErrors",
        Namespace="AWS/S3",
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )


def test_free_names_are_not_taken(aws: Any) -> None:
    assert find_taken(plan(*CREATED), aws) == []


def test_every_kind_of_name_taken_is_found_even_where_create_would_succeed(aws: Any) -> None:
    """CreateBucket answers 200 on an own bucket in us-east-1, CreateTopic returns the existing
    topic and PutMetricAlarm overwrites: the lookup finds them all the same."""
    _take_every_name(aws)
    taken = find_taken(plan(*CREATED), aws)
    assert [(item.kind, item.name) for item in taken] == [
        ("bucket", "lgtm-dev-loki-chunks"),
        ("role", "lgtm-dev-loki"),
        ("alias", "alias/lgtm-dev-loki"),
        ("table", "lgtm-dev-loki-index"),
        ("topic", "lgtm-dev-alerts"),
        ("trail", "lgtm-dev-s3-data-events"),
        ("alarm", "lgtm-dev-5xx-errors"),
    ]
    assert taken[0].sentence == (
        'The bucket "lgtm-dev-loki-chunks" (aws_s3_bucket.this) that the plan creates already '
        "exists outside this stack's state: choose another name_prefix, or remove or import "
        "that bucket."
    )


def test_what_the_stacks_state_holds_is_not_a_collision(aws: Any) -> None:
    """A resource the prior state holds is the stack's own (a replacement, say)."""
    _take_every_name(aws)
    assert find_taken(plan(*CREATED, prior=CREATED), aws) == []


def test_the_orphans_of_the_stacks_own_unfinished_apply_are_exempt(aws: Any) -> None:
    _take_every_name(aws)
    exempt = [("buckets", "lgtm-dev-loki-chunks"), ("roles", "lgtm-dev-loki")]
    kinds = [item.kind for item in find_taken(plan(*CREATED), aws, exempt)]
    assert "bucket" not in kinds and "role" not in kinds and "alias" in kinds


def test_a_bucket_of_another_account_is_named_as_such(aws: Any, monkeypatch: Any) -> None:
    from botocore.exceptions import ClientError

    def forbidden(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "403", "Message": "Forbidden"}}, "HeadBucket")

    monkeypatch.setattr(aws("s3"), "head_bucket", forbidden)
    [taken] = find_taken(plan(CREATED[0]), aws)
    assert taken.owner == "another AWS account"
    assert "already exists in another AWS account" in taken.sentence
