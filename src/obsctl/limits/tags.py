"""Tag rows: tags per resource, key and value lengths and characters, the aws: prefix, IAM's
case-insensitive keys and CloudTrail's non-empty values.

A resource's tags are its `tags_all` (the provider's default tags included). An S3 bucket of the
stack has its tags only after apply on its first plan (one holds its key's ARN, and the AWS
provider then knows none of them): its count is the tags every resource of the stack gets (what
its roles carry) plus the tag keys the contract reserves, which is what the modules put on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from obsctl.limits import rules
from obsctl.limits.registry import checks
from obsctl.limits.table import table
from obsctl.limits.view import PlanView, plural
from obsctl.model.contract import RESERVED_TAGS
from obsctl.model.tfjson import Resource

SERVICES = {
    "aws_s3_bucket": "s3",
    "aws_iam_role": "iam",
    "aws_iam_openid_connect_provider": "iam",
    "aws_kms_key": "kms",
    "aws_dynamodb_table": "dynamodb",
    "aws_sns_topic": "sns",
    "aws_cloudwatch_metric_alarm": "cloudwatch",
    "aws_cloudtrail": "cloudtrail",
}
COUNT_ROWS = {
    "aws_s3_bucket": ("s3.bucket.tags", "S3", "bucket"),
    "aws_iam_role": ("iam.role.tags", "IAM", "role"),
    "aws_iam_openid_connect_provider": ("iam.oidc_provider.tags", "IAM", "OIDC provider"),
    "aws_kms_key": ("kms.key.tags", "KMS", "key"),
    "aws_dynamodb_table": ("dynamodb.table.tags", "DynamoDB", "table"),
    "aws_sns_topic": ("sns.topic.tags", "SNS", "topic"),
    "aws_cloudwatch_metric_alarm": ("cloudwatch.alarm.tags", "CloudWatch", "alarm"),
    "aws_cloudtrail": ("cloudtrail.trail.tags", "CloudTrail", "trail"),
}


def known_tags(res: Resource) -> Mapping[str, Any] | None:
    """A resource's tags with the default tags, or None when the plan knows them after apply."""
    tags = res.values.get("tags_all")
    if isinstance(tags, Mapping):
        return tags
    if "tags_all" not in res.values and isinstance(res.values.get("tags"), Mapping):
        return res.values["tags"]
    return None


def shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...").replace("'", '"')


@checks(*(row for row, _, _ in COUNT_ROWS.values()))
def tags_per_resource(view: PlanView) -> None:
    stack_keys = _stack_tag_keys(view)
    given = view.variables.get("tags")
    given_keys = set(given) if isinstance(given, Mapping) else set()
    over: dict[tuple[str, int, int], list[Resource]] = {}
    for res in view.document.resources:
        if res.type not in COUNT_ROWS:
            continue
        row = table()[COUNT_ROWS[res.type][0]]
        tags = known_tags(res)
        keys: set[str] | None = set(tags) if tags is not None else None
        if keys is None:
            if res.type == "aws_s3_bucket" and stack_keys is not None and _of_the_stack(view, res):
                keys = stack_keys | set(_reserved(view).values())
            else:
                view.deferred(row, res, "its tags are known only after apply")
                continue
        if len(keys) > view.quotas.value(row):
            over.setdefault((res.type, len(keys), len(keys & given_keys)), []).append(res)
    for (resource_type, count, yours), resources in over.items():
        row_id, service, noun = COUNT_ROWS[resource_type]
        row = table()[row_id]
        limit = view.quotas.value(row)
        others = count - yours
        origin = (
            f" ({yours} from the input tags, {others} added by the stack or the provider's "
            "default_tags)"
            if yours
            else ""
        )
        if "tags" in view.declared(row):
            fix = f"give at most {max(0, limit - others)} in the input tags"
        else:
            fix = f"drop {count - limit} (the provider's default_tags count too)"
        first = resources[0]
        more = f" and {plural(len(resources) - 1, 'more ' + noun)}" if len(resources) > 1 else ""
        view.violation(
            row,
            first,
            f"{view.label(first)}{more} would carry {count} tags{origin}, and {service} allows "
            f"at most {limit} per {noun}: {fix}.",
        )


def _of_the_stack(view: PlanView, res: Resource) -> bool:
    contract = view.stack.contract
    name = res.values.get("bucket")
    return contract is not None and any(
        bucket.name == name for _, _, bucket in contract.all_buckets()
    )


def _reserved(view: PlanView) -> Mapping[str, str]:
    contract = view.stack.contract
    return contract.reserved_tags if contract is not None else RESERVED_TAGS


def _stack_tag_keys(view: PlanView) -> set[str] | None:
    """The tag keys every resource of the stack gets: those its roles carry (the stack's tags,
    its environment tag and the provider's default tags), or None without a known role."""
    contract = view.stack.contract
    if contract is None:
        return None
    found: list[set[str]] = []
    for role in contract.roles.values():
        res = view.document.find("aws_iam_role", "name", role.name)
        tags = known_tags(res) if res is not None else None
        if tags is not None:
            found.append(set(tags))
    return set.intersection(*found) if found else None


_TAG_ROWS = (
    "tags.key_length",
    "tags.value_length",
    "tags.characters",
    "dynamodb.tag.characters",
    "tags.reserved_prefix",
    "iam.tag_keys.case",
    "cloudtrail.tag_value.empty",
)


@checks(*_TAG_ROWS)
def tag_keys_and_values(view: PlanView) -> None:
    """One sentence per offending tag, naming the first resource it is on and how many more."""
    found: dict[tuple[str, str], tuple[str, list[Resource]]] = {}

    def note(row_id: str, key: str, problem: str, res: Resource) -> None:
        found.setdefault((row_id, key), (problem, []))[1].append(res)

    for res in view.document.resources:
        if res.type not in COUNT_ROWS:
            continue
        tags = known_tags(res)
        if tags is None:
            continue
        lowered: dict[str, str] = {}
        for key, raw in tags.items():
            value = raw if isinstance(raw, str) else ""
            for row_id, problem in rules.tag(SERVICES[res.type], key, value):
                note(row_id, key, problem, res)
            if res.type == "aws_iam_role":
                other = lowered.setdefault(key.lower(), key)
                if other != key:
                    note(
                        "iam.tag_keys.case",
                        f"{other}|{key}",
                        f"and {shown(other)} differ only in letter case, and IAM role tag keys "
                        "are compared without case",
                        res,
                    )
    for (row_id, key), (problem, resources) in found.items():
        row = table()[row_id]
        first = resources[0]
        more = f" and {plural(len(resources) - 1, 'more resource')}" if len(resources) > 1 else ""
        name = key.split("|")[-1]
        view.violation(
            row,
            first,
            f"The tag {shown(name)} {problem}, on {view.label(first)}{more}: "
            f"{view.remedy(row, first, 'rename or drop the tag')}.",
        )
