"""Removing orphans: the local target only (on AWS obsctl lists them and never deletes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from obsctl.errors import ObsctlError
from obsctl.inventory import ClientFactory
from obsctl.recovery.messages import count_by_kind
from obsctl.recovery.orphans import REMOVAL_ORDER, Orphan


def remove_orphans(client: ClientFactory, orphans: Iterable[Orphan]) -> list[Orphan]:
    """Delete each orphan (keys: scheduled for deletion, the shortest window); return them."""
    removed = []
    for orphan in sorted(orphans, key=lambda o: REMOVAL_ORDER.index(o.kind)):
        try:
            _REMOVERS[orphan.kind](client, orphan.id)
        except Exception as error:  # botocore's errors: one sentence, never a traceback
            done = f" (removed before it: {count_by_kind(removed)})" if removed else ""
            raise ObsctlError(
                f"Could not remove the {orphan.describe()} that the last apply left outside "
                f"its state{done}: {error}",
                hint="Remove it by hand (or run the command again), then go on.",
            ) from error
        removed.append(orphan)
    return removed


def _remove_bucket(client: ClientFactory, name: str) -> None:
    s3 = client("s3")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        objects = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if objects:
            s3.delete_objects(Bucket=name, Delete={"Objects": objects, "Quiet": True})
    s3.delete_bucket(Bucket=name)


def _remove_role(client: ClientFactory, name: str) -> None:
    iam = client("iam")
    for policy in iam.list_role_policies(RoleName=name).get("PolicyNames", []):
        iam.delete_role_policy(RoleName=name, PolicyName=policy)
    for policy in iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", []):
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    for profile in iam.list_instance_profiles_for_role(RoleName=name).get("InstanceProfiles", []):
        iam.remove_role_from_instance_profile(
            InstanceProfileName=profile["InstanceProfileName"], RoleName=name
        )
    iam.delete_role(RoleName=name)


def _remove_table(client: ClientFactory, name: str) -> None:
    dynamodb = client("dynamodb")
    table = dynamodb.describe_table(TableName=name)["Table"]
    if table.get("DeletionProtectionEnabled"):
        dynamodb.update_table(TableName=name, DeletionProtectionEnabled=False)
    dynamodb.delete_table(TableName=name)


_REMOVERS: dict[str, Callable[[ClientFactory, str], Any]] = {
    "aliases": lambda c, name: c("kms").delete_alias(AliasName=name),
    "alarms": lambda c, name: c("cloudwatch").delete_alarms(AlarmNames=[name]),
    "trails": lambda c, arn: c("cloudtrail").delete_trail(Name=arn),
    "topics": lambda c, arn: c("sns").delete_topic(TopicArn=arn),
    "tables": _remove_table,
    "roles": _remove_role,
    "buckets": _remove_bucket,
    # By key ID: moto 5.2 looks ARNs up in the wrong table (AWS accepts both).
    "keys": lambda c, arn: c("kms").schedule_key_deletion(
        KeyId=arn.rpartition("/")[2], PendingWindowInDays=7
    ),
}
