"""Bucket controls on the ways data leaves a bucket, or is locked in or made unreadable.

Terraform configures none of these settings on the stack's buckets (transfer acceleration only
where the env asks for it), so anything found is foreign: the control fails and names it, and
`obsctl up` removes it (verify/repair.py) or refuses to go on (Object Lock, access points).
"""

from __future__ import annotations

import json
from typing import Any

from obsctl.model.lifecycle import DEEP_ARCHIVE, GLACIER
from obsctl.model.stack import Bucket, Stack
from obsctl.model.topology import ReplicaBucket
from obsctl.verify.aws import Answer
from obsctl.verify.collect import BucketLive
from obsctl.verify.model import Result, errored, failed, judged, passed, subject
from obsctl.verify.principals import external_grants

# S3's answer when a configuration was never set (the control passes).
NOT_SET = {
    "replication": "ReplicationConfigurationNotFoundError",
    "object_lock": "ObjectLockConfigurationNotFoundError",
    "website": "NoSuchWebsiteConfiguration",
    "cors": "NoSuchCORSConfiguration",
    "policy": "NoSuchBucketPolicy",
    "lifecycle": "NoSuchLifecycleConfiguration",
}
UNREADABLE_CLASSES = (GLACIER, DEEP_ARCHIVE)  # objects need a restore before a GET
ARCHIVE_TIERS = ("ARCHIVE_ACCESS", "DEEP_ARCHIVE_ACCESS")
_OWNER_ONLY = "CanonicalUser"


def _read(cid: str, bucket: Bucket, live: BucketLive, read: str) -> tuple[Any, Result | None]:
    """(the answer's data, or None when S3 says it is not set; an ERROR result if unreadable)."""
    answer: Answer = live[read]
    if answer.ok:
        return answer.data, None
    if answer.error == NOT_SET.get(read):
        return None, None
    return None, errored(cid, subject(bucket), f"could not read it ({answer.describe_error()})")


def own_replica(stack: Stack, bucket: Bucket) -> ReplicaBucket | None:
    """The replica the stack's own replication keeps of `bucket` (None: it keeps none)."""
    replication = stack.replication
    if replication is None or bucket.replica_of is not None:
        return None
    return next((r for _, _, r in replication.all_buckets() if r.source == bucket.name), None)


def is_own_rule(stack: Stack, bucket: Bucket, role: str | None, rule: dict[str, Any]) -> bool:
    """Is this rule the stack's own replication of `bucket`: enabled, by the stack's replication
    role, into the bucket's replica, encrypted with the replica key, in the stack's account?"""
    replica = own_replica(stack, bucket)
    if replica is None or stack.replication is None:
        return False
    destination = rule.get("Destination") or {}
    encryption = destination.get("EncryptionConfiguration") or {}
    return (
        role == stack.replication.role_arn
        and rule.get("Status") == "Enabled"
        and destination.get("Bucket") == replica.arn
        and destination.get("Account") in (None, stack.account_id)
        and encryption.get("ReplicaKmsKeyID") == replica.kms_key_arn
    )


def check_replication(bucket: Bucket, live: BucketLive, stack: Stack) -> Result:
    """No replication but the stack's own: exactly one rule into the bucket's replica when the
    env replicates (prod with replica_region), none otherwise; any other rule is a finding."""
    cid = "s3.replication"
    data, error = _read(cid, bucket, live, "replication")
    if error:
        return error
    configuration = (data or {}).get("ReplicationConfiguration", {})
    role = configuration.get("Role")
    replica = own_replica(stack, bucket)
    problems, own = [], 0
    for rule in configuration.get("Rules", []):
        if is_own_rule(stack, bucket, role, rule):
            own += 1
            continue
        destination = rule.get("Destination", {})
        account = destination.get("Account")
        problems.append(
            f"rule {rule.get('ID') or '?'} ({rule.get('Status', '?')}) copies objects to "
            f"{destination.get('Bucket', '?')}" + (f" in account {account}" if account else "")
        )
    if replica is not None and own != 1:
        problems.append(
            f"the stack's replication into {replica.name} is "
            + ("missing" if own == 0 else f"written {own} times")
            + " (terraform apply restores it)"
        )
    ok = (
        f"replicates only into its replica {replica.name}"
        if replica is not None
        else "no replication configuration"
    )
    return judged(cid, subject(bucket), problems, ok)


def check_exports(bucket: Bucket, live: BucketLive) -> Result:
    cid = "s3.exports"
    problems = []
    for read, items, what in (
        ("inventory", "InventoryConfigurationList", "inventory"),
        ("analytics", "AnalyticsConfigurationList", "analytics export"),
    ):
        data, error = _read(cid, bucket, live, read)
        if error:
            return error
        for item in (data or {}).get(items) or []:
            if read == "inventory":
                target = item.get("Destination", {}).get("S3BucketDestination", {})
            else:
                export = (item.get("StorageClassAnalysis") or {}).get("DataExport")
                if not export:
                    continue
                target = export.get("Destination", {}).get("S3BucketDestination", {})
            account = target.get("AccountId") or target.get("BucketAccountId")
            problems.append(
                f"{what} {item.get('Id', '?')} writes to {target.get('Bucket', '?')}"
                + (f" in account {account}" if account else "")
            )
    return judged(cid, subject(bucket), problems, "no inventory or analytics export")


_NOTIFICATION_KINDS = (
    ("TopicConfigurations", "TopicArn", "topic"),
    ("QueueConfigurations", "QueueArn", "queue"),
    ("LambdaFunctionConfigurations", "LambdaFunctionArn", "function"),
)


def check_notifications(bucket: Bucket, live: BucketLive) -> Result:
    cid = "s3.notifications"
    data, error = _read(cid, bucket, live, "notifications")
    if error:
        return error
    problems = [
        f"{', '.join(item.get('Events', []))} go to the {what} {item.get(key)}"
        for field, key, what in _NOTIFICATION_KINDS
        for item in (data or {}).get(field) or []
    ]
    if (data or {}).get("EventBridgeConfiguration") is not None:
        problems.append("every object event goes to EventBridge")
    return judged(cid, subject(bucket), problems, "no event notification")


def check_object_lock(bucket: Bucket, live: BucketLive) -> Result:
    cid = "s3.object-lock"
    data, error = _read(cid, bucket, live, "object_lock")
    if error:
        return error
    config = (data or {}).get("ObjectLockConfiguration") or {}
    if config.get("ObjectLockEnabled") != "Enabled":
        return passed(cid, subject(bucket), "Object Lock is off")
    retention = (config.get("Rule") or {}).get("DefaultRetention") or {}
    period = next(
        (f"{retention[unit]} {unit.lower()}" for unit in ("Years", "Days") if retention.get(unit)),
        "",
    )
    detail = f": new objects are kept {period} in {retention.get('Mode')} mode" if retention else ""
    return failed(cid, subject(bucket), f"Object Lock is on{detail}")


def check_acl(bucket: Bucket, live: BucketLive) -> Result:
    cid = "s3.acl"
    data, error = _read(cid, bucket, live, "acl")
    if error:
        return error
    owner = ((data or {}).get("Owner") or {}).get("ID")
    problems = []
    for grant in (data or {}).get("Grants") or []:
        grantee = grant.get("Grantee") or {}
        if grantee.get("Type") == _OWNER_ONLY and grantee.get("ID") == owner:
            continue
        who = grantee.get("URI") or grantee.get("ID") or grantee.get("EmailAddress") or "?"
        problems.append(f"the ACL grants {grant.get('Permission')} to {who}")
    return judged(cid, subject(bucket), problems, "only the owner")


def check_acceleration(bucket: Bucket, live: BucketLive, stack: Stack) -> Result:
    cid = "s3.acceleration"
    data, error = _read(cid, bucket, live, "acceleration")
    if error:
        return error
    status = (data or {}).get("Status") or "never enabled"
    wanted = bool(stack.settings.get("transfer_acceleration")) and bucket.telemetry
    if (status == "Enabled") == wanted:
        return passed(cid, subject(bucket), f"transfer acceleration {status}")
    configured = "on" if wanted else "off"
    return failed(
        cid,
        subject(bucket),
        f"transfer acceleration is {status}; the env configures it {configured}",
    )


def check_website(bucket: Bucket, live: BucketLive) -> Result:
    cid = "s3.website"
    data, error = _read(cid, bucket, live, "website")
    if error:
        return error
    if data is None:
        return passed(cid, subject(bucket), "no website configuration")
    index = (data.get("IndexDocument") or {}).get("Suffix")
    redirect = (data.get("RedirectAllRequestsTo") or {}).get("HostName")
    what = f"index document {index}" if index else f"redirects to {redirect}" if redirect else ""
    return failed(
        cid, subject(bucket), "static website hosting is on" + (f" ({what})" if what else "")
    )


def check_cors(bucket: Bucket, live: BucketLive) -> Result:
    cid = "s3.cors"
    data, error = _read(cid, bucket, live, "cors")
    if error:
        return error
    problems = [
        f"CORS allows {', '.join(rule.get('AllowedMethods', []))} from "
        f"{', '.join(rule.get('AllowedOrigins', []))}"
        for rule in (data or {}).get("CORSRules") or []
    ]
    return judged(cid, subject(bucket), problems, "no CORS rule")


def check_access_points(bucket: Bucket, live: BucketLive) -> Result:
    cid = "s3.access-points"
    answer = live["access_points"]
    if not answer.ok:
        return errored(
            cid, subject(bucket), f"could not list access points ({answer.describe_error()})"
        )
    problems = [
        f"access point {point.get('Name')} ({point.get('NetworkOrigin', '?')}) reaches the bucket"
        for point in answer.data.get("AccessPointList") or []
    ]
    return judged(cid, subject(bucket), problems, "no access point")


def check_external_access(bucket: Bucket, live: BucketLive, stack: Stack) -> Result:
    cid = "s3.external-access"
    data, error = _read(cid, bucket, live, "policy")
    if error:
        return error
    if data is None:
        return passed(cid, subject(bucket), "no bucket policy")
    try:
        policy = json.loads(data.get("Policy") or "{}")
    except ValueError:
        return failed(cid, subject(bucket), "the bucket policy is not valid JSON")
    problems = external_grants(policy, stack.account_id)
    return judged(cid, subject(bucket), problems, f"allows nobody outside {stack.account_id}")


def check_readable_storage_class(
    bucket: Bucket, live: BucketLive, rules: tuple[Any, ...] | None
) -> Result:
    """`rules`: the live lifecycle rules (None when they could not be read)."""
    cid = "s3.readable-storage-class"
    if rules is None:
        return errored(
            cid, subject(bucket), f"could not read lifecycle ({live['lifecycle'].describe_error()})"
        )
    problems = [
        f"rule {rule.id} moves objects to {step.storage_class} after {step.days:g} d: "
        f"{bucket.app.capitalize()} cannot read them without a restore"
        for rule in rules
        if rule.enabled
        for step in rule.transitions
        if step.storage_class in UNREADABLE_CLASSES
    ]
    data, error = _read(cid, bucket, live, "intelligent_tiering")
    if error:
        return error
    for item in (data or {}).get("IntelligentTieringConfigurationList") or []:
        if item.get("Status") != "Enabled":
            continue
        tiers = [t.get("AccessTier") for t in item.get("Tierings") or []]
        archive = [tier for tier in tiers if tier in ARCHIVE_TIERS]
        if archive:
            problems.append(
                f"Intelligent-Tiering configuration {item.get('Id')} archives objects "
                f"({', '.join(archive)}): they need a restore before a read"
            )
    return judged(cid, subject(bucket), problems, "every storage class is instantly readable")
