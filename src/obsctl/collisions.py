"""Names the plan creates that already exist outside this stack's state, looked up before apply.

Waiting for a create call to fail is not enough: S3 answers 200 to CreateBucket on a bucket you
already own in us-east-1, SNS returns the existing topic to CreateTopic, and PutMetricAlarm
overwrites an alarm of the same name; a role, alias, table or trail fails mid-apply, after the
keys before it were created. So every bucket, role, alias, table, topic, trail and alarm the
plan creates is looked up by name first, on the target the plan is for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from obsctl.aws.clients import ClientFactory
from obsctl.model.tfjson import Resource, TerraformJSON

# Terraform type -> (what it is called, the attribute holding its name, the inventory kind)
KINDS = {
    "aws_s3_bucket": ("bucket", "bucket", "buckets"),
    "aws_iam_role": ("role", "name", "roles"),
    "aws_kms_alias": ("alias", "name", "aliases"),
    "aws_dynamodb_table": ("table", "name", "tables"),
    "aws_sns_topic": ("topic", "name", "topics"),
    "aws_cloudtrail": ("trail", "name", "trails"),
    "aws_cloudwatch_metric_alarm": ("alarm", "alarm_name", "alarms"),
}
_NOT_FOUND = {
    "404",
    "NoSuchBucket",
    "NoSuchEntity",
    "NotFoundException",
    "ResourceNotFoundException",
    "NotFound",
    "TrailNotFoundException",
}


@dataclass(frozen=True)
class Taken:
    """A name the plan creates that exists already."""

    kind: str
    name: str
    address: str
    owner: str  # "" (this account) or a note such as "another AWS account"

    @property
    def sentence(self) -> str:
        where = f" in {self.owner}" if self.owner else " outside this stack's state"
        return (
            f'The {self.kind} "{self.name}" ({self.address}) that the plan creates already '
            f"exists{where}: choose another name_prefix, or remove or import that {self.kind}."
        )


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _exists(call: Callable[[], Any]) -> bool:
    try:
        call()
    except ClientError as error:
        if _code(error) in _NOT_FOUND:
            return False
        raise
    return True


def _bucket(clients: ClientFactory, name: str) -> str | None:
    """None when the name is free, else who holds it ("" for this account)."""
    try:
        clients("s3").head_bucket(Bucket=name)
    except ClientError as error:
        code = _code(error)
        if code in _NOT_FOUND:
            return None
        if code in ("403", "AccessDenied", "Forbidden"):
            return "another AWS account"
        if code in ("301", "PermanentRedirect"):
            return "another region"
        raise
    return ""


def _topic_arn(clients: ClientFactory, name: str) -> str:
    identity = clients("sts").get_caller_identity()
    partition = str(identity["Arn"]).split(":")[1]
    region = clients("sns").meta.region_name
    return f"arn:{partition}:sns:{region}:{identity['Account']}:{name}"


def _holder(clients: ClientFactory, kind: str, name: str) -> str | None:
    """Who holds `name` of `kind`: None (free), "" (this account), or a description."""
    lookups: dict[str, Callable[[], Any]] = {
        "role": lambda: clients("iam").get_role(RoleName=name),
        "alias": lambda: clients("kms").describe_key(KeyId=name),
        "table": lambda: clients("dynamodb").describe_table(TableName=name),
        "topic": lambda: clients("sns").get_topic_attributes(TopicArn=_topic_arn(clients, name)),
        "trail": lambda: clients("cloudtrail").get_trail(Name=name),
    }
    if kind == "bucket":
        return _bucket(clients, name)
    if kind == "alarm":
        found = clients("cloudwatch").describe_alarms(AlarmNames=[name])
        return "" if found.get("MetricAlarms") or found.get("CompositeAlarms") else None
    return "" if _exists(lookups[kind]) else None


def _name(res: Resource) -> str | None:
    value = res.values.get(KINDS[res.type][1])
    return value if isinstance(value, str) and value else None


def find_taken(
    plan: Mapping[str, Any],
    clients: ClientFactory,
    exempt: Iterable[tuple[str, str]] = (),
) -> list[Taken]:
    """The names the plan creates that exist already (`exempt`: (inventory kind, name) pairs
    this stack left behind itself, such as the orphans of an unfinished apply)."""
    document = TerraformJSON(plan)
    held = {
        (res.type, name)
        for res in document.prior().resources
        if res.type in KINDS and (name := _name(res)) is not None
    }
    skipped = set(exempt)
    taken = []
    for res in document.created():
        if res.type not in KINDS:
            continue
        name = _name(res)
        kind, _, inventory_kind = KINDS[res.type]
        if name is None or (res.type, name) in held or (inventory_kind, name) in skipped:
            continue
        owner = _holder(clients, kind, name)
        if owner is not None:
            taken.append(Taken(kind, name, res.address, owner))
    return taken
