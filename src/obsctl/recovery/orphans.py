"""Which resources an apply that did not finish left outside the state (orphans).

Measured on Terraform 1.11 with aws provider 5.100: even a clean Ctrl-C leaves resources that
were being created outside the state (the provider cancels, the create returns without an ID),
and a SIGKILL orphans whatever was in flight (KMS keys take about 9 s to create). Keys have no
name, so Terraform never notices them; buckets, roles and aliases make the next apply fail with
"already exists". So after an unfinished apply obsctl compares what exists with the state: the
resources of this stack (its name prefix, or its tags when no prefix is known) that exist but
that no state tracks are its orphans.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from obsctl.inventory import ClientFactory, Inventory, live_inventory
from obsctl.model.contract import RESERVED_TAGS
from obsctl.model.tfjson import TerraformJSON

ENVIRONMENT_TAG = RESERVED_TAGS["environment"]
KIND_NAMES = {
    "buckets": ("bucket", "buckets"),
    "keys": ("KMS key", "KMS keys"),
    "aliases": ("KMS alias", "KMS aliases"),
    "roles": ("IAM role", "IAM roles"),
    "tables": ("DynamoDB table", "DynamoDB tables"),
    "trails": ("CloudTrail trail", "CloudTrail trails"),
    "alarms": ("CloudWatch alarm", "CloudWatch alarms"),
    "topics": ("SNS topic", "SNS topics"),
}
# Removal order: what refers to others first (aliases to keys, alarms to topics, ...).
REMOVAL_ORDER = ("aliases", "alarms", "trails", "topics", "tables", "roles", "buckets", "keys")


@dataclass(frozen=True)
class StackIdentity:
    """How to recognise this stack's resources: its name prefix, else its environment tag."""

    name_prefix: str | None
    environment: str | None

    @classmethod
    def from_state(
        cls, raw_state: dict[str, Any], label: str, envs: Iterable[str]
    ) -> StackIdentity:
        """The `name_prefix`/`environment` outputs Terraform saved (it writes them as soon as
        the data sources are read, long before the first resource completes); the env name for
        the named envs, whose roots tag everything with it, when the state has none yet."""
        outputs = TerraformJSON(raw_state).outputs()
        prefix = outputs.get("name_prefix")
        environment = outputs.get("environment")
        if environment is None and label in set(envs):
            environment = label
        return cls(
            name_prefix=prefix if isinstance(prefix, str) and prefix else None,
            environment=environment if isinstance(environment, str) and environment else None,
        )

    @property
    def known(self) -> bool:
        return self.name_prefix is not None or self.environment is not None

    def describe(self) -> str:
        if self.name_prefix:
            return f"name prefix {self.name_prefix}"
        return f"tag {ENVIRONMENT_TAG}={self.environment}"


@dataclass(frozen=True)
class Orphan:
    """A resource of the stack that exists but that no state tracks."""

    kind: str
    id: str

    @property
    def name(self) -> str:
        """A short name: bucket, alias, role, table and alarm names; the last part of an ARN."""
        if self.kind in ("keys", "trails"):
            return self.id.rpartition("/")[2]
        if self.kind == "topics":
            return self.id.rpartition(":")[2]
        return self.id

    def describe(self) -> str:
        return f"{KIND_NAMES[self.kind][0]} {self.name}"


def union(inventories: Iterable[Inventory]) -> Inventory:
    merged: dict[str, set[str]] = {}
    for inventory in inventories:
        for kind, items in inventory.kinds():
            merged.setdefault(kind, set()).update(items)
    return Inventory(**{kind: frozenset(items) for kind, items in merged.items()})


def find_orphans(
    client: ClientFactory,
    tracked: Inventory,
    identity: StackIdentity,
    *,
    exclude: Inventory | None = None,
    live: Inventory | None = None,
    in_flight_since: float | None = None,
) -> list[Orphan]:
    """Resources of this stack in the account the clients reach that `tracked` lacks.

    `exclude` never counts (other workspaces' resources, the state bucket). A resource belongs to
    the stack when its name (a key's description, an alias's target) carries the name prefix;
    when no prefix is known, when it carries the stack's environment tag. With
    `in_flight_since` (a Unix time; the local target only), an untagged bucket created since
    then counts too: the provider tags a bucket only after creating it, so a kill in between
    leaves one that neither its name (the prefix is in no state yet) nor a tag can prove ours.
    """
    if not identity.known:
        return []
    live = live if live is not None else live_inventory(client)
    candidates = live.minus(tracked)
    if exclude is not None:
        candidates = candidates.minus(exclude)
    owner = _Ownership(client, identity, in_flight_since)
    found = [
        Orphan(kind, item)
        for kind, items in candidates.kinds()
        if kind != "aliases"
        for item in sorted(items)
        if owner.owns(kind, item)
    ]
    orphan_keys = {orphan.id for orphan in found if orphan.kind == "keys"}
    found += [
        Orphan("aliases", alias)
        for alias in sorted(candidates.aliases)
        if owner.owns_alias(alias, orphan_keys)
    ]
    return sorted(found, key=lambda orphan: (REMOVAL_ORDER.index(orphan.kind), orphan.id))


class _Ownership:
    def __init__(
        self, client: ClientFactory, identity: StackIdentity, in_flight_since: float | None
    ) -> None:
        self.client, self.identity = client, identity
        self.in_flight_since = in_flight_since
        self._alias_targets: dict[str, str] | None = None
        self._bucket_created: dict[str, float] | None = None

    def owns(self, kind: str, item: str) -> bool:
        prefix = self.identity.name_prefix
        if kind == "keys":
            return self._key_is_ours(item)
        if prefix is not None:
            return Orphan(kind, item).name.startswith(f"{prefix}-")
        tags = self._tags(kind, item)
        if kind == "buckets" and not tags and self._created_in_flight(item):
            return True
        return tags.get(ENVIRONMENT_TAG) == self.identity.environment

    def _created_in_flight(self, bucket: str) -> bool:
        if self.in_flight_since is None:
            return False
        if self._bucket_created is None:
            listed = self.client("s3").list_buckets().get("Buckets", [])
            self._bucket_created = {
                entry["Name"]: entry["CreationDate"].timestamp() for entry in listed
            }
        created = self._bucket_created.get(bucket)
        # Creation dates have a resolution of one second.
        return created is not None and created >= self.in_flight_since - 1

    def owns_alias(self, alias: str, orphan_keys: set[str]) -> bool:
        prefix = self.identity.name_prefix
        if prefix is not None and alias.startswith(f"alias/{prefix}-"):
            return True
        target = self._targets().get(alias)
        return target is not None and any(key.endswith(f"/{target}") for key in orphan_keys)

    def _key_is_ours(self, arn: str) -> bool:
        kms = self.client("kms")
        if self.identity.name_prefix is not None:
            description = kms.describe_key(KeyId=arn)["KeyMetadata"].get("Description", "")
            if self.identity.name_prefix in description.split():
                return True
        return (
            self.identity.environment is not None
            and self._tags("keys", arn).get(ENVIRONMENT_TAG) == self.identity.environment
        )

    def _targets(self) -> dict[str, str]:
        if self._alias_targets is None:
            kms = self.client("kms")
            self._alias_targets = {
                alias["AliasName"]: alias.get("TargetKeyId", "")
                for page in kms.get_paginator("list_aliases").paginate()
                for alias in page["Aliases"]
            }
        return self._alias_targets

    def _tags(self, kind: str, item: str) -> dict[str, str]:
        try:
            return _TAG_READERS[kind](self.client, item)
        except Exception:  # untagged, or gone meanwhile: not provably ours
            return {}


def _pairs(tags: Iterable[dict[str, str]], key: str = "Key", value: str = "Value") -> dict:
    return {tag[key]: tag.get(value, "") for tag in tags}


def _table_tags(client: ClientFactory, name: str) -> dict[str, str]:
    dynamodb = client("dynamodb")
    arn = dynamodb.describe_table(TableName=name)["Table"]["TableArn"]
    return _pairs(dynamodb.list_tags_of_resource(ResourceArn=arn).get("Tags", []))


def _alarm_tags(client: ClientFactory, name: str) -> dict[str, str]:
    cloudwatch = client("cloudwatch")
    alarms = cloudwatch.describe_alarms(AlarmNames=[name]).get("MetricAlarms", [])
    if not alarms:
        return {}
    arn = alarms[0]["AlarmArn"]
    return _pairs(cloudwatch.list_tags_for_resource(ResourceARN=arn).get("Tags", []))


def _trail_tags(client: ClientFactory, arn: str) -> dict[str, str]:
    tagged = client("cloudtrail").list_tags(ResourceIdList=[arn]).get("ResourceTagList", [])
    return _pairs(tagged[0].get("TagsList", [])) if tagged else {}


_TAG_READERS: dict[str, Callable[[ClientFactory, str], dict[str, str]]] = {
    "buckets": lambda c, name: _pairs(c("s3").get_bucket_tagging(Bucket=name)["TagSet"]),
    "keys": lambda c, arn: _pairs(
        c("kms").list_resource_tags(KeyId=arn).get("Tags", []), "TagKey", "TagValue"
    ),
    "roles": lambda c, name: _pairs(c("iam").list_role_tags(RoleName=name).get("Tags", [])),
    "tables": _table_tags,
    "trails": _trail_tags,
    "alarms": _alarm_tags,
    "topics": lambda c, arn: _pairs(
        c("sns").list_tags_for_resource(ResourceArn=arn).get("Tags", [])
    ),
}
