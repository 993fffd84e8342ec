"""Table controls (legacy index tables, when the env creates them): recovery, encryption,
who else may read them (resource policy) and what copies their items (streams, Kinesis,
replicas) or expires them (TTL)."""

from __future__ import annotations

import json
from typing import Any

from obsctl.model.stack import Stack, Table
from obsctl.verify.collect import TableLive
from obsctl.verify.model import Result, errored, failed, judged, passed, subject
from obsctl.verify.principals import external_grants


def _table(live: TableLive) -> dict[str, Any]:
    return live.describe.data.get("Table", {}) if live.describe.ok else {}


def check_pitr(table: Table, live: TableLive) -> Result:
    cid = "dynamodb.pitr"
    if not live.backups.ok:
        return errored(
            cid, subject(table), f"could not read backups ({live.backups.describe_error()})"
        )
    description = live.backups.data.get("ContinuousBackupsDescription", {})
    status = description.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
    if status == "ENABLED":
        return passed(cid, subject(table), "point-in-time recovery ENABLED")
    return failed(cid, subject(table), f"point-in-time recovery is {status or 'DISABLED'}")


def check_cmk_encryption(table: Table, live: TableLive) -> Result:
    cid = "dynamodb.cmk-encryption"
    if not live.describe.ok:
        return errored(
            cid, subject(table), f"could not describe it ({live.describe.describe_error()})"
        )
    sse = _table(live).get("SSEDescription") or {}
    if sse.get("Status") != "ENABLED" or sse.get("SSEType") != "KMS":
        return failed(cid, subject(table), "encrypted with the AWS owned key, not the app's key")
    if sse.get("KMSMasterKeyArn") != table.key_arn:
        return failed(
            cid, subject(table), f"encrypted with {sse.get('KMSMasterKeyArn')}, not {table.key_arn}"
        )
    return passed(cid, subject(table), f"SSE-KMS with {table.key_arn}")


def check_deletion_protection(table: Table, live: TableLive) -> Result:
    cid = "dynamodb.deletion-protection"
    if not live.describe.ok:
        return errored(
            cid, subject(table), f"could not describe it ({live.describe.describe_error()})"
        )
    if _table(live).get("DeletionProtectionEnabled"):
        return passed(cid, subject(table), "deletion protection on")
    return failed(cid, subject(table), "deletion protection is off, though the env asks for it")


def check_billing_mode(table: Table, live: TableLive, wanted: str) -> Result:
    cid = "dynamodb.billing-mode"
    if not live.describe.ok:
        return errored(
            cid, subject(table), f"could not describe it ({live.describe.describe_error()})"
        )
    # Tables created before on-demand existed report no summary: they are PROVISIONED.
    mode = (_table(live).get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    if mode == wanted:
        return passed(cid, subject(table), mode)
    return failed(cid, subject(table), f"billing mode is {mode}, the env configures {wanted}")


def check_resource_policy(table: Table, live: TableLive, stack: Stack) -> Result:
    """The module sets no resource policy: the roles' identity policies are the only grants.
    Any policy found fails; its outside principals are named first."""
    cid = "dynamodb.resource-policy"
    answer = live.resource_policy
    if not answer.ok:
        if answer.error == "PolicyNotFoundException":
            return passed(cid, subject(table), "no resource policy")
        return errored(cid, subject(table), f"could not read it ({answer.describe_error()})")
    try:
        policy = json.loads(answer.data.get("Policy") or "{}")
    except ValueError:
        return failed(cid, subject(table), "a resource policy is set, and it is not valid JSON")
    outside = external_grants(policy, stack.account_id) if isinstance(policy, dict) else []
    return failed(
        cid,
        subject(table),
        outside[0] if outside else "a resource policy is set (Terraform manages none)",
        *outside[1:],
    )


def check_copies(table: Table, live: TableLive) -> Result:
    cid = "dynamodb.copies"
    for answer in (live.describe, live.kinesis):
        if not answer.ok:
            return errored(cid, subject(table), f"could not read it ({answer.describe_error()})")
    described = _table(live)
    problems = []
    stream = described.get("StreamSpecification") or {}
    if stream.get("StreamEnabled"):
        problems.append(
            f"a stream publishes every change ({stream.get('StreamViewType', '?')}) to "
            f"{described.get('LatestStreamArn', 'its stream ARN')}"
        )
    problems += [
        f"a Kinesis destination receives every change: {item.get('StreamArn')} "
        f"({item.get('DestinationStatus')})"
        for item in live.kinesis.data.get("KinesisDataStreamDestinations") or []
        if item.get("DestinationStatus") in ("ENABLING", "ACTIVE", "UPDATING")
    ]
    problems += [
        f"a global-table replica copies it to {replica.get('RegionName')}"
        for replica in described.get("Replicas") or []
    ]
    return judged(cid, subject(table), problems, "no stream, Kinesis destination or replica")


def check_ttl(table: Table, live: TableLive, stack: Stack) -> Result:
    cid = "dynamodb.ttl"
    if not live.ttl.ok:
        return errored(cid, subject(table), f"could not read TTL ({live.ttl.describe_error()})")
    description = live.ttl.data.get("TimeToLiveDescription") or {}
    status = description.get("TimeToLiveStatus", "DISABLED")
    attribute = description.get("AttributeName")
    wanted = stack.settings.get("dynamodb_ttl_attribute")
    live_attribute = attribute if status in ("ENABLED", "ENABLING") else None
    if live_attribute == wanted:
        return passed(cid, subject(table), f"TTL on {wanted}" if wanted else "TTL off")
    found = f"TTL expires items by {live_attribute}" if live_attribute else "TTL is off"
    return failed(cid, subject(table), f"{found}; the env configures {wanted or 'no TTL'}")


def check_table(table: Table, live: TableLive, stack: Stack) -> list[Result]:
    results = [
        check_pitr(table, live),
        check_cmk_encryption(table, live),
        check_resource_policy(table, live, stack),
        check_copies(table, live),
        check_ttl(table, live, stack),
    ]
    if stack.settings.get("dynamodb_deletion_protection"):
        results.append(check_deletion_protection(table, live))
    wanted = stack.settings.get("dynamodb_billing_mode")
    if wanted:
        results.append(check_billing_mode(table, live, wanted))
    return results
