"""What exists, by kind: live in an AWS account (or the sandbox), or recorded in a Terraform state.

The two inventories use the same identifiers (bucket names, key ARNs, alias names, role names,
table names, trail ARNs, alarm names, topic ARNs), so `live - state` is what Terraform lost
track of (orphans) and `state - live` what vanished behind its back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from obsctl.model.tfjson import TerraformJSON

ClientFactory = Callable[[str], Any]

# Terraform resource type -> (inventory kind, the state attribute that identifies it)
_STATE_IDENTITY = {
    "aws_s3_bucket": ("buckets", "bucket"),
    "aws_kms_key": ("keys", "arn"),
    "aws_kms_alias": ("aliases", "name"),
    "aws_iam_role": ("roles", "name"),
    "aws_dynamodb_table": ("tables", "name"),
    "aws_cloudtrail": ("trails", "arn"),
    "aws_cloudwatch_metric_alarm": ("alarms", "alarm_name"),
    "aws_sns_topic": ("topics", "arn"),
}


@dataclass(frozen=True)
class Inventory:
    buckets: frozenset[str] = field(default_factory=frozenset)
    keys: frozenset[str] = field(default_factory=frozenset)
    aliases: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    tables: frozenset[str] = field(default_factory=frozenset)
    trails: frozenset[str] = field(default_factory=frozenset)
    alarms: frozenset[str] = field(default_factory=frozenset)
    topics: frozenset[str] = field(default_factory=frozenset)

    def kinds(self) -> Iterator[tuple[str, frozenset[str]]]:
        for item in fields(self):
            yield item.name, getattr(self, item.name)

    def counts(self) -> dict[str, int]:
        return {kind: len(items) for kind, items in self.kinds()}

    def minus(self, other: Inventory) -> Inventory:
        """What this inventory has that `other` lacks, kind by kind."""
        return Inventory(**{kind: items - getattr(other, kind) for kind, items in self.kinds()})

    @property
    def empty(self) -> bool:
        return not any(items for _, items in self.kinds())

    def describe(self) -> str:
        return ", ".join(f"{kind}: {sorted(items)}" for kind, items in self.kinds() if items)


def live_inventory(client: ClientFactory) -> Inventory:
    """Everything of the tracked kinds in the account and region the clients point at.

    Keys pending deletion count as gone, as Terraform sees them; AWS-managed keys are skipped.
    """
    s3, kms, iam = client("s3"), client("kms"), client("iam")
    keys = set()
    for page in kms.get_paginator("list_keys").paginate():
        for key in page["Keys"]:
            metadata = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            if (
                metadata.get("KeyManager") == "CUSTOMER"
                and metadata["KeyState"] != "PendingDeletion"
            ):
                keys.add(metadata["Arn"])
    aliases = {
        alias["AliasName"]
        for page in kms.get_paginator("list_aliases").paginate()
        for alias in page["Aliases"]
        if not alias["AliasName"].startswith("alias/aws/")
    }
    roles = {
        role["RoleName"]
        for page in iam.get_paginator("list_roles").paginate()
        for role in page["Roles"]
    }
    tables = {
        name
        for page in client("dynamodb").get_paginator("list_tables").paginate()
        for name in page["TableNames"]
    }
    trails = {trail["TrailARN"] for trail in client("cloudtrail").list_trails().get("Trails", [])}
    alarms = {
        alarm["AlarmName"]
        for page in client("cloudwatch").get_paginator("describe_alarms").paginate()
        for alarm in page.get("MetricAlarms", [])
    }
    topics = {
        topic["TopicArn"]
        for page in client("sns").get_paginator("list_topics").paginate()
        for topic in page["Topics"]
    }
    return Inventory(
        buckets=frozenset(bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])),
        keys=frozenset(keys),
        aliases=frozenset(aliases),
        roles=frozenset(roles),
        tables=frozenset(tables),
        trails=frozenset(trails),
        alarms=frozenset(alarms),
        topics=frozenset(topics),
    )


def state_inventory(state: dict[str, Any]) -> Inventory:
    """The tracked resources a state records: a raw state (`terraform state pull`, a .tfstate
    file; tainted and deposed instances count, they exist) or `terraform show -json`."""
    found: dict[str, set[str]] = {item.name: set() for item in fields(Inventory)}
    for resource in TerraformJSON(state).resources:
        if resource.type not in _STATE_IDENTITY:
            continue
        kind, attribute = _STATE_IDENTITY[resource.type]
        value = resource.values.get(attribute)
        if value:
            found[kind].add(value)
    return Inventory(**{kind: frozenset(items) for kind, items in found.items()})
