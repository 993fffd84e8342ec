"""Table controls (the legacy index tables, when the env creates them)."""

from __future__ import annotations

from obsctl.verify.catalogue.control import APPLY, REMOVE, Control

_TABLES = "terraform/modules/dynamodb/main.tf"

TABLE_CONTROLS: tuple[Control, ...] = (
    Control(
        "dynamodb.pitr",
        "Point-in-time recovery is enabled",
        "DynamoDB table",
        "medium",
        "Enable point-in-time recovery. " + APPLY,
        securityhub=("DynamoDB.2",),
        checkov=("CKV_AWS_28",),
        source=_TABLES,
    ),
    Control(
        "dynamodb.cmk-encryption",
        "The table is encrypted with the app's customer-managed key",
        "DynamoDB table",
        "medium",
        "Set SSE to KMS with the app's key ARN. " + APPLY,
        checkov=("CKV_AWS_119",),
        source=_TABLES,
    ),
    Control(
        "dynamodb.deletion-protection",
        "Deletion protection is on (where the env asks for it)",
        "DynamoDB table",
        "medium",
        "Turn deletion protection on. " + APPLY,
        securityhub=("DynamoDB.6",),
        source=_TABLES,
    ),
    Control(
        "dynamodb.billing-mode",
        "The billing mode is the one the env configures",
        "DynamoDB table",
        "low",
        "Switch the table back to settings.dynamodb_billing_mode. " + APPLY,
        securityhub=("DynamoDB.1",),
        checkov=("CKV2_AWS_16",),
        source=_TABLES,
    ),
    Control(
        "dynamodb.resource-policy",
        "The table has no resource policy (access is granted by the roles' policies only)",
        "DynamoDB table",
        "high",
        "Delete the resource policy (`aws dynamodb delete-resource-policy --resource-arn "
        "TABLE_ARN`). " + REMOVE,
        source=_TABLES,
    ),
    Control(
        "dynamodb.copies",
        "No stream, Kinesis destination or global replica copies the table's items",
        "DynamoDB table",
        "high",
        "Disable the stream (`aws dynamodb update-table --stream-specification "
        "StreamEnabled=false`), the Kinesis destination "
        "(`disable-kinesis-streaming-destination`) and delete replicas. " + REMOVE,
        source=_TABLES,
    ),
    Control(
        "dynamodb.ttl",
        "Time to live is as the env configures it (no other attribute expires items)",
        "DynamoDB table",
        "medium",
        "Set TTL back to settings.dynamodb_ttl_attribute (or off). " + REMOVE,
        source=_TABLES,
    ),
)
