"""envs/prod with both legacy table flags on, applied to the local AWS and read back live."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import LiveStack

pytestmark = pytest.mark.xdist_group("prod_stack")


def test_prod_data_buckets_write_access_logs_to_the_sse_s3_log_bucket(
    prod_stack: LiveStack,
) -> None:
    s3 = prod_stack.client("s3")
    log_bucket = prod_stack.contract.settings["access_log_bucket"]
    assert log_bucket == f"{prod_stack.contract.name_prefix}-access-logs"
    for _, _, bucket in prod_stack.contract.all_buckets():
        enabled = s3.get_bucket_logging(Bucket=bucket.name)["LoggingEnabled"]
        assert enabled["TargetBucket"] == log_bucket
        assert enabled["TargetPrefix"] == f"s3-access-logs/{bucket.name}/"
    encryption = s3.get_bucket_encryption(Bucket=log_bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_prod_buckets_are_not_force_destroyable_and_keys_wait_30_days(
    prod_stack: LiveStack,
) -> None:
    settings = prod_stack.contract.settings
    assert settings["force_destroy"] is False
    assert settings["kms_deletion_window_in_days"] == 30
    state = prod_stack.session.state()
    resources = _resources(state["values"]["root_module"])
    buckets = [r for r in resources if r["type"] == "aws_s3_bucket"]
    assert buckets and all(r["values"]["force_destroy"] is False for r in buckets)
    keys = [r for r in resources if r["type"] == "aws_kms_key"]
    assert keys and all(r["values"]["deletion_window_in_days"] == 30 for r in keys)


def test_prod_mimir_blocks_tier_to_standard_ia_and_no_further(prod_stack: LiveStack) -> None:
    blocks = prod_stack.contract.buckets["mimir"]["blocks"].name
    rules = prod_stack.client("s3").get_bucket_lifecycle_configuration(Bucket=blocks)["Rules"]
    transitions = [t for rule in rules for t in rule.get("Transitions", [])]
    # No Glacier IR: store-gateways read old blocks (INTEGRATION_EXAMPLE.md, Mimir tiering).
    assert sorted((t["Days"], t["StorageClass"]) for t in transitions) == [(30, "STANDARD_IA")]
    ruler = prod_stack.contract.buckets["mimir"]["ruler"].name
    ruler_rules = prod_stack.client("s3").get_bucket_lifecycle_configuration(Bucket=ruler)["Rules"]
    assert not any(rule.get("Transitions") for rule in ruler_rules)


def test_prod_tables_have_pitr_cmk_encryption_and_deletion_protection(
    prod_stack: LiveStack,
) -> None:
    dynamodb = prod_stack.client("dynamodb")
    tables = prod_stack.contract.tables
    assert [t.name for t in tables["loki"]] == [f"{prod_stack.contract.name_prefix}-loki-index"]
    assert [t.name for t in tables["mimir"]] == [f"{prod_stack.contract.name_prefix}-mimir-index"]
    for app, table in prod_stack.contract.all_tables():
        described = dynamodb.describe_table(TableName=table.name)["Table"]
        assert {
            a["AttributeName"]: a["AttributeType"] for a in described["AttributeDefinitions"]
        } == {"h": "S", "r": "B"}
        assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert described["DeletionProtectionEnabled"] is True
        sse = described["SSEDescription"]
        assert sse["Status"] == "ENABLED" and sse["SSEType"] == "KMS"
        assert sse["KMSMasterKeyArn"] == prod_stack.contract.kms_keys[app].arn
        backups = dynamodb.describe_continuous_backups(TableName=table.name)
        pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"


def test_prod_key_policies_allow_dynamodb_as_a_calling_service(prod_stack: LiveStack) -> None:
    kms = prod_stack.client("kms")
    key = prod_stack.contract.kms_keys["loki"].arn
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    deny = next(s for s in policy["Statement"] if s["Sid"] == "UseOnlyThroughStorageServices")
    assert deny["Condition"]["StringNotEquals"]["kms:ViaService"] == [
        "dynamodb.us-east-1.amazonaws.com",
        "s3.us-east-1.amazonaws.com",
    ]


def test_prod_loki_role_reads_its_tables_and_mimir_role_does_not(prod_stack: LiveStack) -> None:
    iam = prod_stack.client("iam")
    contract = prod_stack.contract

    def documents(app: str) -> str:
        role = contract.roles[app].name
        return json.dumps(
            [
                iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
                for name in iam.list_role_policies(RoleName=role)["PolicyNames"]
            ]
        )

    loki, mimir = documents("loki"), documents("mimir")
    for _, table in contract.all_tables():
        assert (table.arn in loki) == (table.name.endswith("loki-index"))
        assert table.arn not in mimir
    assert "dynamodb:CreateTable" not in loki and "dynamodb:DeleteTable" not in loki
    assert "dynamodb:Query" in loki


def test_prod_alerts_reach_an_encrypted_topic(prod_stack: LiveStack) -> None:
    operations = prod_stack.contract.operations
    topic = prod_stack.client("sns").get_topic_attributes(TopicArn=operations["alert_topic_arn"])
    assert topic["Attributes"]["KmsMasterKeyId"] == operations["operations_key_arn"]
    alarms = prod_stack.client("cloudwatch").describe_alarms(AlarmNames=operations["alarm_names"])
    described = alarms["MetricAlarms"]
    assert len(described) == len(operations["alarm_names"]) >= 3 + 2 * 2
    assert all(a["AlarmActions"] == [operations["alert_topic_arn"]] for a in described)
    metrics = {a.get("MetricName") for a in described} | {
        query["MetricStat"]["Metric"]["MetricName"]
        for a in described
        for query in a.get("Metrics", [])
        if "MetricStat" in query
    }
    assert metrics - {None} == {"5xxErrors", "ThrottledRequests", "SystemErrors"}


def test_prod_trail_records_writes_on_every_telemetry_bucket(prod_stack: LiveStack) -> None:
    cloudtrail = prod_stack.client("cloudtrail")
    trail_arn = prod_stack.contract.operations["audit_trail_arn"]
    trail = cloudtrail.get_trail(Name=trail_arn)["Trail"]
    assert trail["S3BucketName"] == prod_stack.contract.operations["audit_bucket"]
    assert trail["KmsKeyId"] == prod_stack.contract.operations["operations_key_arn"]
    assert trail["LogFileValidationEnabled"] is True
    selectors = cloudtrail.get_event_selectors(TrailName=trail_arn)["EventSelectors"]
    (management,) = [s for s in selectors if s["IncludeManagementEvents"]]
    assert management["ReadWriteType"] == "All"
    (selector,) = [s for s in selectors if not s["IncludeManagementEvents"]]
    assert selector["ReadWriteType"] == "WriteOnly"
    assert selector["IncludeManagementEvents"] is False
    (resource,) = selector["DataResources"]
    assert resource["Type"] == "AWS::S3::Object"
    assert set(resource["Values"]) == {f"{b.arn}/" for _, _, b in prod_stack.contract.all_buckets()}


def test_second_plan_of_prod_reports_no_changes(prod_stack: LiveStack) -> None:
    result = prod_stack.session.plan()
    assert result.has_changes is False


def _resources(module: dict) -> list[dict]:
    found = list(module.get("resources", []))
    for child in module.get("child_modules", []):
        found += _resources(child)
    return found
