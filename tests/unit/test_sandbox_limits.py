"""The local AWS answers as AWS does for every row of the limits table it enforces: the largest
allowed value is taken, one more is refused with AWS's error code.

The calls go through boto3 without its parameter validation, as Terraform's Go SDK sends them
(it does not check the models' maximums either). One local AWS serves the module.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from obsctl.limits import table
from obsctl.sandbox import Sandbox
from obsctl.sandbox.fidelity.limits import enforced

Aws = Callable[[str], Any]
TRUST_BASE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "S",
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
GRANT_BASE = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "S", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


def document(base: dict[str, Any], size: int, *, indent: int | None = None) -> str:
    """A policy of exactly `size` characters without white space (the Sid is padded); with
    `indent` it also holds white space, which AWS does not count."""
    compact = json.dumps(base, separators=(",", ":"))
    padded = json.loads(compact)
    padded["Statement"][0]["Sid"] = "S" + "A" * (size - len(compact))
    text = json.dumps(padded, indent=indent, separators=(",", ":") if indent is None else None)
    assert len("".join(text.split())) == size
    return text


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def tags(count: int, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: f"k{i}", value: "v"} for i in range(count)]


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Aws]:
    box = Sandbox(tmp_path_factory.mktemp("limits-sandbox"))
    info = box.start()
    config = Config(parameter_validation=False, retries={"max_attempts": 0})
    clients: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in clients:
            clients[service] = boto3.client(
                service,
                endpoint_url=info.endpoint_url,
                region_name="us-east-1",
                aws_access_key_id="test",
                aws_secret_access_key="test",
                config=config,
            )
        return clients[service]

    yield client
    box.stop()


# ----------------------------------------------------------------------------------------------
# Helpers that make what a call needs


def bucket(aws: Aws) -> str:
    name = unique("lim")
    aws("s3").create_bucket(Bucket=name)
    return name


def role(aws: Aws) -> str:
    name = unique("role")
    aws("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_BASE))
    return name


def key(aws: Aws) -> str:
    return aws("kms").create_key()["KeyMetadata"]["KeyId"]


def lifecycle(aws: Aws, *rules: dict[str, Any]) -> Any:
    return aws("s3").put_bucket_lifecycle_configuration(
        Bucket=bucket(aws), LifecycleConfiguration={"Rules": list(rules)}
    )


def rule(rule_id: str = "r", **actions: Any) -> dict[str, Any]:
    return {"ID": rule_id, "Status": "Enabled", "Filter": {"Prefix": ""}, **actions}


def steps(*pairs: tuple[int, str]) -> list[dict[str, Any]]:
    return [{"Days": days, "StorageClass": storage_class} for days, storage_class in pairs]


def table_args(name: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "TableName": name or unique("tbl"),
        "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "h", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        **extra,
    }


def gsis(count: int) -> dict[str, Any]:
    return {
        "GlobalSecondaryIndexes": [
            {
                "IndexName": f"index-{i}",
                "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
            for i in range(count)
        ]
    }


def lsis(count: int) -> dict[str, Any]:
    return {
        "KeySchema": [
            {"AttributeName": "h", "KeyType": "HASH"},
            {"AttributeName": "r", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "h", "AttributeType": "S"},
            {"AttributeName": "r", "AttributeType": "S"},
        ],
        "LocalSecondaryIndexes": [
            {
                "IndexName": f"local-{i}",
                "KeySchema": [
                    {"AttributeName": "h", "KeyType": "HASH"},
                    {"AttributeName": "r", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
            for i in range(count)
        ],
    }


def alarm(aws: Aws, name: str | None = None, **extra: Any) -> Any:
    return aws("cloudwatch").put_metric_alarm(
        AlarmName=name or unique("alarm"),
        MetricName="5xxErrors",
        Namespace="AWS/S3",
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
        **extra,
    )


def topic_arns(count: int) -> list[str]:
    return [f"arn:aws:sns:us-east-1:123456789012:topic-{i}" for i in range(count)]


def trail(aws: Aws, name: str | None = None, **extra: Any) -> Any:
    return aws("cloudtrail").create_trail(
        Name=name or unique("trail"), S3BucketName=bucket(aws), **extra
    )


def selectors(count: int, values: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "ReadWriteType": "WriteOnly",
            "DataResources": [
                {
                    "Type": "AWS::S3::Object",
                    "Values": [f"arn:aws:s3:::b{i}-{v}/" for v in range(values)],
                }
            ],
        }
        for i in range(count)
    ]


ONE_DAY = {"DaysAfterInitiation": 1}
DAY = {"Days": 1}
FIFO = {"FifoTopic": "true"}


def new_bucket(aws: Aws, name: str) -> Any:
    return aws("s3").create_bucket(Bucket=name)


def bucket_tags(aws: Aws, tag_set: list[dict[str, str]]) -> Any:
    return aws("s3").put_bucket_tagging(Bucket=bucket(aws), Tagging={"TagSet": tag_set})


def bucket_policy(aws: Aws, policy: str) -> Any:
    return aws("s3").put_bucket_policy(Bucket=bucket(aws), Policy=policy)


def put_object(aws: Aws, **extra: Any) -> Any:
    return aws("s3").put_object(Bucket=acl_bucket(aws), Key="k", Body=b"1", **extra)


def noncurrent(days: int, storage_class: str) -> list[dict[str, Any]]:
    return [{"NoncurrentDays": days, "StorageClass": storage_class}]


def new_role(aws: Aws, name: str | None = None, trust: str | None = None, **extra: Any) -> Any:
    return aws("iam").create_role(
        RoleName=name or unique("r"),
        AssumeRolePolicyDocument=trust or json.dumps(TRUST_BASE),
        **extra,
    )


def update_trust(aws: Aws, trust: str) -> Any:
    return aws("iam").update_assume_role_policy(RoleName=role(aws), PolicyDocument=trust)


def inline_policy(aws: Aws, name: str) -> Any:
    return aws("iam").put_role_policy(
        RoleName=role(aws), PolicyName=name, PolicyDocument=json.dumps(GRANT_BASE)
    )


def managed_policy(aws: Aws, policy: str) -> Any:
    return aws("iam").create_policy(PolicyName=unique("p"), PolicyDocument=policy)


def oidc_provider(aws: Aws, url: str, **extra: Any) -> Any:
    return aws("iam").create_open_id_connect_provider(Url=url, ThumbprintList=["a" * 40], **extra)


def new_alias(aws: Aws, name: str) -> Any:
    return aws("kms").create_alias(AliasName=name, TargetKeyId=key(aws))


def delete_key(aws: Aws, days: int) -> Any:
    return aws("kms").schedule_key_deletion(KeyId=key(aws), PendingWindowInDays=days)


def rotate_key(aws: Aws, days: int) -> Any:
    return aws("kms").enable_key_rotation(KeyId=key(aws), RotationPeriodInDays=days)


def new_table(aws: Aws, name: str | None = None, **extra: Any) -> Any:
    return aws("dynamodb").create_table(**table_args(name, **extra))


def hash_key(name: str) -> dict[str, Any]:
    return {
        "KeySchema": [{"AttributeName": name, "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": "S"}],
    }


def new_topic(aws: Aws, name: str | None = None, **extra: Any) -> Any:
    return aws("sns").create_topic(Name=name or unique("t"), **extra)


def topic_policy(aws: Aws, policy: str) -> Any:
    arn = new_topic(aws)["TopicArn"]
    return aws("sns").set_topic_attributes(
        TopicArn=arn, AttributeName="Policy", AttributeValue=policy
    )


def put_selectors(aws: Aws, event_selectors: list[dict[str, Any]]) -> Any:
    return aws("cloudtrail").put_event_selectors(
        TrailName=trail(aws)["Name"], EventSelectors=event_selectors
    )


def inline_policies(aws: Aws, *sizes: int) -> None:
    name = role(aws)
    for number, size in enumerate(sizes):
        aws("iam").put_role_policy(
            RoleName=name, PolicyName=f"p{number}", PolicyDocument=document(GRANT_BASE, size)
        )


def attach_policies(aws: Aws, count: int) -> None:
    name = role(aws)
    for _ in range(count):
        arn = aws("iam").create_policy(
            PolicyName=unique("p"), PolicyDocument=json.dumps(GRANT_BASE)
        )["Policy"]["Arn"]
        aws("iam").attach_role_policy(RoleName=name, PolicyArn=arn)


def tag_role_twice(aws: Aws, first: list[dict[str, str]], then: list[dict[str, str]]) -> None:
    name = role(aws)
    aws("iam").tag_role(RoleName=name, Tags=first)
    aws("iam").tag_role(RoleName=name, Tags=then)


def acl_bucket(aws: Aws, ownership: str | None = None) -> str:
    name = bucket(aws)
    if ownership:
        aws("s3").put_bucket_ownership_controls(
            Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]}
        )
    return name


# ----------------------------------------------------------------------------------------------
# The cases: (row, what is taken, what is refused, AWS's code)


@dataclass(frozen=True)
class Boundary:
    id: str
    row: str
    largest: Callable[[Aws], Any]
    one_more: Callable[[Aws], Any]
    code: str


def case(
    id: str, row: str, largest: Callable[[Aws], Any], one_more: Callable[[Aws], Any], code: str
) -> Boundary:
    return Boundary(id, row, largest, one_more, code)


CASES = [
    # --- S3 ---------------------------------------------------------------------------------
    case("bucket-name-length", "s3.bucket.name",
         lambda a: new_bucket(a, unique("b").ljust(63, "x")),
         lambda a: new_bucket(a, unique("b").ljust(64, "x")), "InvalidBucketName"),
    case("bucket-name-reserved-prefix", "s3.bucket.name",
         lambda a: new_bucket(a, unique("xn-a")),
         lambda a: new_bucket(a, unique("xn--a")), "InvalidBucketName"),
    case("bucket-name-reserved-suffix", "s3.bucket.name",
         lambda a: new_bucket(a, unique("a") + "-s3"),
         lambda a: new_bucket(a, unique("a") + "-s3alias"), "InvalidBucketName"),
    case("bucket-name-adjacent-dots", "s3.bucket.name",
         lambda a: new_bucket(a, unique("a") + ".b"),
         lambda a: new_bucket(a, unique("a") + "..b"), "InvalidBucketName"),
    case("bucket-name-ip-address", "s3.bucket.name",
         lambda a: new_bucket(a, "192.168.5.4x"),
         lambda a: new_bucket(a, "192.168.5.4"), "InvalidBucketName"),
    case("bucket-tags", "s3.bucket.tags",
         lambda a: bucket_tags(a, tags(50)),
         lambda a: bucket_tags(a, tags(51)), "BadRequest"),
    case("tag-key-length", "tags.key_length",
         lambda a: bucket_tags(a, [{"Key": "k" * 128, "Value": ""}]),
         lambda a: bucket_tags(a, [{"Key": "k" * 129, "Value": ""}]), "InvalidTag"),
    case("tag-value-length", "tags.value_length",
         lambda a: a("kms").create_key(Tags=[{"TagKey": "k", "TagValue": "v" * 256}]),
         lambda a: a("kms").create_key(Tags=[{"TagKey": "k", "TagValue": "v" * 257}]),
         "TagException"),
    case("tag-characters", "tags.characters",
         lambda a: bucket_tags(a, [{"Key": "Team é_.:/=+-@ 1", "Value": "a@b.c"}]),
         lambda a: bucket_tags(a, [{"Key": "team#1", "Value": ""}]), "InvalidTag"),
    case("tag-reserved-prefix", "tags.reserved_prefix",
         lambda a: new_topic(a, Tags=[{"Key": "awsx:team", "Value": "v"}]),
         lambda a: new_topic(a, Tags=[{"Key": "AWS:team", "Value": "v"}]), "InvalidParameter"),
    case("bucket-policy-size", "s3.bucket.policy",
         lambda a: bucket_policy(a, document(GRANT_BASE, 20480, indent=2)),
         lambda a: bucket_policy(a, document(GRANT_BASE, 20481)), "PolicyTooLarge"),
    case("bucket-acl-on-enforced-ownership", "s3.bucket.acl",
         lambda a: a("s3").put_bucket_acl(Bucket=acl_bucket(a, "ObjectWriter"), ACL="private"),
         lambda a: a("s3").put_bucket_acl(Bucket=acl_bucket(a), ACL="private"),
         "AccessControlListNotSupported"),
    case("object-acl-on-enforced-ownership", "s3.bucket.acl",
         lambda a: put_object(a, ACL="bucket-owner-full-control"),
         lambda a: put_object(a, ACL="public-read"), "AccessControlListNotSupported"),
    case("create-bucket-acl-with-enforced-ownership", "s3.bucket.acl",
         lambda a: a("s3").create_bucket(Bucket=unique("acl"), ACL="private"),
         lambda a: a("s3").create_bucket(Bucket=unique("acl"), ACL="public-read"),
         "InvalidBucketAclWithObjectOwnership"),
    case("lifecycle-rule-count", "s3.lifecycle.rules",
         lambda a: lifecycle(a, *[rule(f"r{i}", Expiration={"Days": 1}) for i in range(1000)]),
         lambda a: lifecycle(a, *[rule(f"r{i}", Expiration={"Days": 1}) for i in range(1001)]),
         "InvalidRequest"),
    case("lifecycle-rule-id", "s3.lifecycle.rule_id",
         lambda a: lifecycle(a, rule("r" * 255, Expiration={"Days": 1})),
         lambda a: lifecycle(a, rule("r" * 256, Expiration={"Days": 1})), "InvalidArgument"),
    case("lifecycle-duplicate-rule-id", "s3.lifecycle.rule_id",
         lambda a: lifecycle(a, rule("a", Expiration=DAY), rule("b", Expiration=DAY)),
         lambda a: lifecycle(a, rule("a", Expiration=DAY), rule("a", Expiration=DAY)),
         "InvalidArgument"),
    case("lifecycle-standard-ia-after-30-days", "s3.lifecycle.ia_minimum",
         lambda a: lifecycle(a, rule(Transitions=steps((30, "STANDARD_IA")))),
         lambda a: lifecycle(a, rule(Transitions=steps((29, "STANDARD_IA")))), "InvalidArgument"),
    case("lifecycle-noncurrent-onezone-ia-after-30-days", "s3.lifecycle.ia_minimum",
         lambda a: lifecycle(a, rule(NoncurrentVersionTransitions=noncurrent(30, "ONEZONE_IA"))),
         lambda a: lifecycle(a, rule(NoncurrentVersionTransitions=noncurrent(29, "ONEZONE_IA"))),
         "InvalidArgument"),
    case("lifecycle-30-days-in-ia-before-glacier", "s3.lifecycle.ia_to_glacier",
         lambda a: lifecycle(a, rule(Transitions=steps((30, "STANDARD_IA"), (60, "GLACIER")))),
         lambda a: lifecycle(a, rule(Transitions=steps((30, "STANDARD_IA"), (59, "GLACIER")))),
         "InvalidArgument"),
    case("lifecycle-waterfall-order", "s3.lifecycle.class_order",
         lambda a: lifecycle(a, rule(Transitions=steps((30, "GLACIER_IR"), (90, "DEEP_ARCHIVE")))),
         lambda a: lifecycle(a, rule(Transitions=steps((30, "GLACIER"), (90, "GLACIER_IR")))),
         "InvalidArgument"),
    case("lifecycle-days-positive", "s3.lifecycle.days",
         lambda a: lifecycle(a, rule(Expiration=DAY, AbortIncompleteMultipartUpload=ONE_DAY)),
         lambda a: lifecycle(a, rule(Expiration={"Days": 0})), "InvalidArgument"),
    case("lifecycle-date-at-midnight", "s3.lifecycle.date",
         lambda a: lifecycle(a, rule(Expiration={"Date": "2030-01-01T00:00:00Z"})),
         lambda a: lifecycle(a, rule(Expiration={"Date": "2030-01-01T12:00:00Z"})),
         "InvalidArgument"),
    # --- IAM --------------------------------------------------------------------------------
    case("role-name-length", "iam.role.name",
         lambda a: new_role(a, unique("r").ljust(64, "x")),
         lambda a: new_role(a, unique("r").ljust(65, "x")), "ValidationError"),
    case("role-name-case", "iam.role.name",
         lambda a: new_role(a, role(a) + "-2"),
         lambda a: new_role(a, role(a).upper()), "EntityAlreadyExists"),
    case("role-path", "iam.role.path",
         lambda a: new_role(a, Path="/lgtm/team/"),
         lambda a: new_role(a, Path="lgtm"), "ValidationError"),
    case("role-session-duration", "iam.role.max_session_duration",
         lambda a: new_role(a, MaxSessionDuration=43200),
         lambda a: new_role(a, MaxSessionDuration=43201), "ValidationError"),
    case("role-description", "iam.role.description",
         lambda a: new_role(a, Description="d" * 1000),
         lambda a: new_role(a, Description="d" * 1001), "ValidationError"),
    case("trust-policy-size", "iam.role.trust_policy",
         lambda a: new_role(a, trust=document(TRUST_BASE, 2048, indent=4)),
         lambda a: new_role(a, trust=document(TRUST_BASE, 2049)), "LimitExceeded"),
    case("trust-policy-update", "iam.role.trust_policy",
         lambda a: update_trust(a, document(TRUST_BASE, 2048)),
         lambda a: update_trust(a, document(TRUST_BASE, 2049)), "LimitExceeded"),
    case("inline-policies-together", "iam.role.inline_policies",
         lambda a: inline_policies(a, 5120, 5120),
         lambda a: inline_policies(a, 5120, 5121), "LimitExceeded"),
    case("inline-policy-name", "iam.inline_policy.name",
         lambda a: inline_policy(a, "p" * 128),
         lambda a: inline_policy(a, "p" * 129), "ValidationError"),
    case("managed-policy-size", "iam.managed_policy.size",
         lambda a: managed_policy(a, document(GRANT_BASE, 6144)),
         lambda a: managed_policy(a, document(GRANT_BASE, 6145)), "LimitExceeded"),
    case("policy-characters", "iam.policy.characters",
         lambda a: managed_policy(a, json.dumps(GRANT_BASE).replace('"S"', '"Sé"')),
         lambda a: managed_policy(a, json.dumps(GRANT_BASE).replace('"S"', '"S€"')),
         "MalformedPolicyDocument"),
    case("managed-policies-per-role", "iam.role.managed_policies",
         lambda a: attach_policies(a, 10),
         lambda a: attach_policies(a, 11), "LimitExceeded"),
    case("role-tags-in-one-request", "iam.role.tags",
         lambda a: a("iam").tag_role(RoleName=role(a), Tags=tags(50)),
         lambda a: a("iam").tag_role(RoleName=role(a), Tags=tags(51)), "ValidationError"),
    case("role-tags-in-all", "iam.role.tags",
         lambda a: tag_role_twice(a, tags(49), [{"Key": "K49", "Value": "v"}]),
         lambda a: tag_role_twice(a, tags(50), [{"Key": "K50", "Value": "v"}]), "LimitExceeded"),
    case("role-tag-keys-without-case", "iam.tag_keys.case",
         lambda a: tag_role_twice(a, [{"Key": "Env", "Value": "a"}], [{"Key": "ENV", "Value": ""}]),
         lambda a: a("iam").tag_role(RoleName=role(a), Tags=[{"Key": "Env", "Value": "a"},
                                                             {"Key": "env", "Value": "b"}]),
         "InvalidInput"),
    case("role-tag-value-aws-prefix", "tags.reserved_prefix",
         lambda a: a("iam").tag_role(RoleName=role(a), Tags=[{"Key": "owner", "Value": "awsteam"}]),
         lambda a: a("iam").tag_role(RoleName=role(a), Tags=[{"Key": "owner", "Value": "aws:x"}]),
         "InvalidInput"),
    case("oidc-provider-tags", "iam.oidc_provider.tags",
         lambda a: oidc_provider(a, f"https://{unique('oidc')}.example.com", Tags=tags(50)),
         lambda a: oidc_provider(a, f"https://{unique('oidc')}.example.com", Tags=tags(51)),
         "ValidationError"),
    case("oidc-provider-url", "iam.oidc_provider.url",
         lambda a: oidc_provider(a, "https://" + unique("o").ljust(247, "x")),
         lambda a: oidc_provider(a, "https://" + unique("o").ljust(248, "x")), "ValidationError"),
    # --- KMS --------------------------------------------------------------------------------
    case("key-policy-size", "kms.key_policy.size",
         lambda a: a("kms").put_key_policy(KeyId=key(a), PolicyName="default",
                                           Policy=document(GRANT_BASE, 32768)),
         lambda a: a("kms").create_key(Policy=document(GRANT_BASE, 32769)),
         "LimitExceededException"),
    case("key-tags", "kms.key.tags",
         lambda a: a("kms").create_key(Tags=tags(50, "TagKey", "TagValue")),
         lambda a: a("kms").tag_resource(KeyId=key(a), Tags=tags(51, "TagKey", "TagValue")),
         "TagException"),
    case("alias-length", "kms.alias.name",
         lambda a: new_alias(a, "alias/" + unique("a").ljust(250, "x")),
         lambda a: new_alias(a, "alias/" + unique("a").ljust(251, "x")), "ValidationException"),
    case("alias-reserved-prefix", "kms.alias.name",
         lambda a: new_alias(a, "alias/" + unique("awsx")),
         lambda a: new_alias(a, "alias/aws/" + unique("x")), "NotAuthorizedException"),
    case("key-description", "kms.key.description",
         lambda a: a("kms").create_key(Description="d" * 8192),
         lambda a: a("kms").create_key(Description="d" * 8193), "ValidationException"),
    case("key-deletion-window", "kms.key.deletion_window",
         lambda a: [delete_key(a, days) for days in (7, 30)],
         lambda a: delete_key(a, 31), "ValidationException"),
    case("key-rotation-period", "kms.key.rotation_period",
         lambda a: [rotate_key(a, days) for days in (90, 2560)],
         lambda a: rotate_key(a, 89), "ValidationException"),
    # --- DynamoDB ---------------------------------------------------------------------------
    case("table-name", "dynamodb.table.name",
         lambda a: [new_table(a, name) for name in ("abc", unique("t").ljust(255, "x"))],
         lambda a: new_table(a, "ab"), "ValidationException"),
    case("table-gsis", "dynamodb.table.gsi",
         lambda a: new_table(a, **gsis(20)),
         lambda a: new_table(a, **gsis(21)), "LimitExceededException"),
    case("table-lsis", "dynamodb.table.lsi",
         lambda a: new_table(a, **lsis(5)),
         lambda a: new_table(a, **lsis(6)), "ValidationException"),
    case("table-attribute-name", "dynamodb.attribute_name",
         lambda a: new_table(a, **hash_key("é" * 127 + "x")),
         lambda a: new_table(a, **hash_key("é" * 128)), "ValidationException"),
    case("table-tags", "dynamodb.table.tags",
         lambda a: new_table(a, Tags=tags(50)),
         lambda a: new_table(a, Tags=tags(51)), "ValidationException"),
    case("table-tag-characters", "dynamodb.tag.characters",
         lambda a: new_table(a, Tags=[{"Key": "owner", "Value": "team-a.b_c:d/e=f+g"}]),
         lambda a: new_table(a, Tags=[{"Key": "owner", "Value": "a@b.c"}]), "ValidationException"),
    # --- SNS --------------------------------------------------------------------------------
    case("topic-name", "sns.topic.name",
         lambda a: new_topic(a, unique("t").ljust(251, "x") + ".fifo", Attributes=FIFO),
         lambda a: new_topic(a, unique("t").ljust(252, "x") + ".fifo", Attributes=FIFO),
         "InvalidParameter"),
    case("topic-tags", "sns.topic.tags",
         lambda a: new_topic(a, Tags=tags(50)),
         lambda a: new_topic(a, Tags=tags(51)), "TagLimitExceeded"),
    case("topic-policy", "sns.topic.policy",
         lambda a: new_topic(a, Attributes={"Policy": document(GRANT_BASE, 30000)}),
         lambda a: topic_policy(a, document(GRANT_BASE, 30001)), "InvalidParameter"),
    # --- CloudTrail -------------------------------------------------------------------------
    case("trail-name", "cloudtrail.trail.name",
         lambda a: trail(a, unique("a-b.c_d")),
         lambda a: trail(a, unique("a--b")), "InvalidTrailNameException"),
    case("trail-name-taken", "cloudtrail.trail.name",
         lambda a: trail(a),
         lambda a: [trail(a, name := unique("t")), trail(a, name)], "TrailAlreadyExistsException"),
    case("trail-tags", "cloudtrail.trail.tags",
         lambda a: trail(a, TagsList=tags(50)),
         lambda a: trail(a, TagsList=tags(51)), "TagsLimitExceededException"),
    case("trail-empty-tag-value", "cloudtrail.tag_value.empty",
         lambda a: trail(a, TagsList=[{"Key": "team", "Value": "a"}]),
         lambda a: trail(a, TagsList=[{"Key": "team", "Value": ""}]),
         "InvalidTagParameterException"),
    case("trail-event-selectors", "cloudtrail.event_selectors",
         lambda a: put_selectors(a, selectors(5, 50)),
         lambda a: put_selectors(a, selectors(6)), "InvalidEventSelectorsException"),
    case("trail-data-resources", "cloudtrail.event_selectors",
         lambda a: put_selectors(a, selectors(1, 250)),
         lambda a: put_selectors(a, selectors(1, 251)), "InvalidEventSelectorsException"),
    # --- CloudWatch -------------------------------------------------------------------------
    case("alarm-name", "cloudwatch.alarm.name",
         lambda a: alarm(a, unique("a").ljust(255, "x")),
         lambda a: alarm(a, unique("a").ljust(256, "x")), "ValidationError"),
    case("alarm-actions", "cloudwatch.alarm.actions",
         lambda a: alarm(a, AlarmActions=topic_arns(5), OKActions=topic_arns(5)),
         lambda a: alarm(a, OKActions=topic_arns(6)), "ValidationError"),
    case("alarm-description", "cloudwatch.alarm.description",
         lambda a: alarm(a, AlarmDescription="d" * 1024),
         lambda a: alarm(a, AlarmDescription="d" * 1025), "ValidationError"),
    case("alarm-tags", "cloudwatch.alarm.tags",
         lambda a: alarm(a, Tags=tags(50)),
         lambda a: alarm(a, Tags=tags(51)), "LimitExceeded"),
]  # fmt: skip


@pytest.mark.parametrize("boundary", CASES, ids=lambda boundary: boundary.id)
def test_the_local_aws_takes_the_largest_allowed_value(boundary: Boundary, aws: Aws) -> None:
    boundary.largest(aws)


@pytest.mark.parametrize("boundary", CASES, ids=lambda boundary: boundary.id)
def test_the_local_aws_refuses_one_more_with_awss_code(boundary: Boundary, aws: Aws) -> None:
    with pytest.raises(ClientError) as refused:
        boundary.one_more(aws)
    error = refused.value.response["Error"]
    assert error["Code"] == boundary.code, error
    status = refused.value.response["ResponseMetadata"]["HTTPStatusCode"]
    assert 400 <= status < 500, status


def test_every_row_the_local_aws_enforces_has_a_boundary_case() -> None:
    claimed = {row.id for row in table() if row.local_aws}
    assert claimed == set(enforced())
    assert claimed <= {boundary.row for boundary in CASES}


def test_new_buckets_are_owner_enforced_as_on_aws(aws: Aws) -> None:
    name = bucket(aws)
    controls = aws("s3").get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]
    assert controls["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    aws("s3").put_object(Bucket=name, Key="k", Body=b"1")  # no ACL: taken
    aws("s3").get_bucket_acl(Bucket=name)  # reading an ACL stays allowed


def test_enforcing_the_owner_is_refused_while_the_acl_grants_others(aws: Aws) -> None:
    """AWS's prerequisite for disabling ACLs: reset a bucket ACL that grants anyone but the
    owner first (InvalidBucketAclWithObjectOwnership)."""
    s3, name = aws("s3"), bucket(aws)
    enforced = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    assert len(s3.get_bucket_acl(Bucket=name)["Grants"]) == 2  # the owner's and everyone's
    with pytest.raises(ClientError) as refused:
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=enforced)
    assert refused.value.response["Error"]["Code"] == "InvalidBucketAclWithObjectOwnership"
    s3.put_bucket_acl(Bucket=name, ACL="private")
    s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=enforced)
    [grant] = s3.get_bucket_acl(Bucket=name)["Grants"]
    assert grant["Permission"] == "FULL_CONTROL" and grant["Grantee"]["Type"] == "CanonicalUser"


def test_a_lifecycle_rule_on_noncurrent_versions_of_an_unversioned_bucket_is_taken(
    aws: Aws,
) -> None:
    """Not an AWS error (the rule does nothing): the local AWS takes it, as AWS does."""
    lifecycle(aws, rule(NoncurrentVersionExpiration={"NoncurrentDays": 1}))


def test_a_table_lists_its_tags_at_once_and_tagging_again_replaces_them(aws: Aws) -> None:
    """moto paged a table's tags by 10 (the AWS provider reads one page) and appended a second
    entry for a key tagged again; AWS answers the 50 a table can carry, once each."""
    dynamodb = aws("dynamodb")
    arn = new_table(aws, Tags=tags(50))["TableDescription"]["TableArn"]
    dynamodb.tag_resource(ResourceArn=arn, Tags=tags(50))
    page = dynamodb.list_tags_of_resource(ResourceArn=arn)
    assert "NextToken" not in page
    assert sorted(tag["Key"] for tag in page["Tags"]) == sorted(tag["Key"] for tag in tags(50))
