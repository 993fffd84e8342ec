"""The account's S3 public access block, and prod's trail, alert topic and alarms."""

from __future__ import annotations

from obsctl.verify.catalogue.control import APPLY, REMOVE, Control

_AUDIT = "terraform/modules/stack/audit.tf"
_ALERTS = "terraform/modules/stack/operations.tf"

OPERATIONS_CONTROLS: tuple[Control, ...] = (
    Control(
        "account.public-access-block",
        "The account's S3 public access block has all four flags on",
        "AWS account",
        "high",
        "Turn it on for the whole account (`aws s3control put-public-access-block --account-id "
        "ACCOUNT --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,"
        "BlockPublicPolicy=true,RestrictPublicBuckets=true`); it is an account setting, so "
        "`obsctl up` reports it and does not change it.",
        securityhub=("S3.1",),
        cis=("2.1.4",),
        source="terraform/modules/s3-kms/buckets.tf",
    ),
    Control(
        "cloudtrail.logging",
        "The audit trail is logging",
        "CloudTrail trail",
        "high",
        "Start it (`aws cloudtrail start-logging --name TRAIL`) and find out who stopped it. "
        + APPLY,
        securityhub=("CloudTrail.1",),
        checkov=("CKV_AWS_67",),
        source=_AUDIT,
    ),
    Control(
        "cloudtrail.coverage",
        "The trail records what the env configures: every Region, management events and the "
        "telemetry buckets' object events",
        "CloudTrail trail",
        "high",
        "Restore the event selectors and multi-Region setting Terraform applied (no "
        "narrower selector, no excluded bucket). " + APPLY,
        securityhub=("CloudTrail.1", "S3.22", "S3.23"),
        cis=("3.8", "3.9"),
        checkov=("CKV_AWS_67",),
        source=_AUDIT,
    ),
    Control(
        "cloudtrail.log-validation",
        "Log file validation is on (a deleted or altered log file is detectable)",
        "CloudTrail trail",
        "medium",
        "Enable log file validation. " + APPLY,
        securityhub=("CloudTrail.4",),
        checkov=("CKV_AWS_36",),
        source=_AUDIT,
    ),
    Control(
        "cloudtrail.encryption",
        "Trail logs are encrypted with the operations key",
        "CloudTrail trail",
        "medium",
        "Set the trail's KMS key to the operations key. " + APPLY,
        securityhub=("CloudTrail.2",),
        checkov=("CKV_AWS_35",),
        source=_AUDIT,
    ),
    Control(
        "cloudtrail.destination",
        "Trail logs go to the stack's audit bucket under its prefix",
        "CloudTrail trail",
        "high",
        "Point the trail back at the audit bucket. " + APPLY,
        source=_AUDIT,
    ),
    Control(
        "sns.external-access",
        "The alert topic's policy allows no principal outside the account (nor `*` unpinned)",
        "SNS topic",
        "high",
        "Remove the statement for another account or `*` from the topic policy. " + APPLY,
        securityhub=("SNS.4",),
        source=_ALERTS,
    ),
    Control(
        "sns.encryption",
        "The alert topic is encrypted with the operations key",
        "SNS topic",
        "medium",
        "Set KmsMasterKeyId back to the operations key. " + APPLY,
        securityhub=("SNS.1",),
        checkov=("CKV_AWS_26",),
        source=_ALERTS,
    ),
    Control(
        "sns.subscriptions",
        "The alert topic delivers only to the subscriptions the env configures",
        "SNS topic",
        "high",
        "Unsubscribe the endpoint (`aws sns unsubscribe --subscription-arn ARN`). " + REMOVE,
        source=_ALERTS,
    ),
    Control(
        "cloudwatch.alarm-actions",
        "Every alarm has its actions enabled and notifies the alert topic",
        "CloudWatch alarm",
        "high",
        "Enable the alarm's actions (`aws cloudwatch enable-alarm-actions --alarm-names NAME`) "
        "with the alert topic as alarm and OK action. " + APPLY,
        securityhub=("CloudWatch.15", "CloudWatch.17"),
        source=_ALERTS,
    ),
)
