"""KMS, DynamoDB, SNS, CloudTrail and CloudWatch as AWS answers them: policy sizes, names,
deletion windows and rotation periods, index counts, selectors, alarm actions and tags."""

from __future__ import annotations

import functools
from typing import Any

from obsctl.limits import rules
from obsctl.limits.table import table
from obsctl.limits.view import nonws_bytes
from obsctl.sandbox.fidelity.patching import before, check_tags, refuse, tag_pairs

_TAGGING = [
    "KMS CreateKey, TagResource",
    "DynamoDB CreateTable, TagResource",
    "SNS CreateTopic, TagResource",
    "CloudTrail CreateTrail, AddTags",
    "CloudWatch PutMetricAlarm, TagResource",
]
# row id -> the calls of the local AWS that refuse what breaks it
ENFORCES = {
    "kms.key_policy.size": ["CreateKey", "PutKeyPolicy"],
    "kms.key.tags": ["CreateKey", "TagResource"],
    "kms.alias.name": ["CreateAlias", "UpdateAlias"],
    "kms.key.deletion_window": ["ScheduleKeyDeletion"],
    "kms.key.description": ["CreateKey", "UpdateKeyDescription"],
    "kms.key.rotation_period": ["EnableKeyRotation"],
    "dynamodb.table.name": ["CreateTable"],
    "dynamodb.table.gsi": ["CreateTable"],
    "dynamodb.table.lsi": ["CreateTable"],
    "dynamodb.attribute_name": ["CreateTable"],
    "dynamodb.table.tags": ["CreateTable", "TagResource"],
    "dynamodb.tag.characters": ["CreateTable", "TagResource"],
    "sns.topic.name": ["CreateTopic"],
    "sns.topic.policy": ["CreateTopic", "SetTopicAttributes"],
    "sns.topic.tags": ["CreateTopic", "TagResource"],
    "cloudtrail.trail.name": ["CreateTrail"],
    "cloudtrail.trail.tags": ["CreateTrail", "AddTags"],
    "cloudtrail.tag_value.empty": ["CreateTrail", "AddTags"],
    "cloudtrail.event_selectors": ["PutEventSelectors"],
    "cloudwatch.alarm.name": ["PutMetricAlarm"],
    "cloudwatch.alarm.actions": ["PutMetricAlarm"],
    "cloudwatch.alarm.description": ["PutMetricAlarm"],
    "cloudwatch.alarm.tags": ["PutMetricAlarm", "TagResource"],
    "tags.key_length": _TAGGING,
    "tags.value_length": _TAGGING,
    "tags.characters": _TAGGING,
    "tags.reserved_prefix": _TAGGING,
}


def _tags(service: str, row_id: str, tags: Any, existing: Any = (), tag_code: str = "") -> None:
    row = table()[row_id]
    check_tags(
        service,
        tag_pairs(tags),
        existing=existing,
        count_code=row.aws_error.code,
        count_message=row.aws_error.message,
        tag_code=tag_code or row.aws_error.code,
        limit=row.value(),
    )


# -- KMS -------------------------------------------------------------------------------------


def _key_policy(policy: str | None) -> None:
    row = table()["kms.key_policy.size"]
    if policy and len(policy.encode("utf-8")) > row.value():
        refuse("kms", row.aws_error.code, row.aws_error.message)


def _create_key(backend: Any, arguments: dict[str, Any]) -> None:
    _key_policy(arguments.get("policy"))
    description = arguments.get("description") or ""
    if len(description) > table()["kms.key.description"].value("max"):
        refuse("kms", "ValidationException", table()["kms.key.description"].aws_error.message)
    _tags("kms", "kms.key.tags", arguments.get("tags"))


def _put_key_policy(backend: Any, arguments: dict[str, Any]) -> None:
    _key_policy(arguments["policy"])


def _tag_key(backend: Any, arguments: dict[str, Any]) -> None:
    key_id = backend.get_key_id(arguments["arn"])
    existing = backend.tagger.get_tag_dict_for_resource(key_id) if key_id in backend.keys else {}
    _tags("kms", "kms.key.tags", arguments["tags"], existing)


def _alias(backend: Any, arguments: dict[str, Any]) -> None:
    problem = rules.alias_name(arguments["alias_name"])
    if problem is not None:
        code = "NotAuthorizedException" if "alias/aws/" in problem else "ValidationException"
        refuse("kms", code, f"The alias {arguments['alias_name']!r} {problem}.")


def _schedule_deletion(backend: Any, arguments: dict[str, Any]) -> None:
    days = arguments.get("pending_window_in_days")
    row = table()["kms.key.deletion_window"]
    if days is not None and not row.value("min") <= int(days) <= row.value("max"):
        refuse("kms", row.aws_error.code, row.aws_error.message)


def _update_description(backend: Any, arguments: dict[str, Any]) -> None:
    row = table()["kms.key.description"]
    if len(arguments.get("description") or "") > row.value("max"):
        refuse("kms", row.aws_error.code, row.aws_error.message)


def _check_rotation_period(response_class: type) -> None:
    """EnableKeyRotation's RotationPeriodInDays (the sandbox's extensions store the period)."""
    original = response_class.enable_key_rotation
    row = table()["kms.key.rotation_period"]

    @functools.wraps(original)
    def enable_key_rotation(self: Any) -> Any:
        period = self._get_param("RotationPeriodInDays")
        if period is not None and not row.value("min") <= int(period) <= row.value("max"):
            refuse("kms", row.aws_error.code, row.aws_error.message)
        return original(self)

    response_class.enable_key_rotation = enable_key_rotation


def _install_kms() -> None:
    from moto.kms.models import KmsBackend
    from moto.kms.responses import KmsResponse

    before(KmsBackend, "create_key", _create_key)
    before(KmsBackend, "put_key_policy", _put_key_policy)
    before(KmsBackend, "tag_resource", _tag_key)
    before(KmsBackend, "create_alias", _alias)
    before(KmsBackend, "update_alias", _alias)
    before(KmsBackend, "schedule_key_deletion", _schedule_deletion)
    before(KmsBackend, "update_key_description", _update_description)
    _check_rotation_period(KmsResponse)


# -- DynamoDB --------------------------------------------------------------------------------


def _create_table(backend: Any, arguments: dict[str, Any]) -> None:
    name = arguments["name"]
    problem = rules.table_name(name)
    if problem is not None:
        refuse("dynamodb", "ValidationException", f"The table name {name!r} {problem}.")
    gsi, lsi = table()["dynamodb.table.gsi"], table()["dynamodb.table.lsi"]
    globals_ = arguments.get("global_indexes") or []
    locals_ = arguments.get("indexes") or []
    for index in (*globals_, *locals_):
        problem = rules.table_name(str(index.get("IndexName", "")))
        if problem is not None:
            refuse(
                "dynamodb",
                "ValidationException",
                f"The index name {index.get('IndexName')!r} {problem}.",
            )
    if len(globals_) > gsi.value():
        refuse("dynamodb", gsi.aws_error.code, gsi.aws_error.message)
    if len(locals_) > lsi.value():
        refuse("dynamodb", lsi.aws_error.code, lsi.aws_error.message)
    attribute = table()["dynamodb.attribute_name"]
    for item in arguments.get("attr") or []:
        if len(str(item.get("AttributeName", "")).encode("utf-8")) > attribute.value():
            refuse("dynamodb", attribute.aws_error.code, attribute.aws_error.message)
    _tags("dynamodb", "dynamodb.table.tags", arguments.get("tags"), tag_code="ValidationException")


def _tag_table(backend: Any, arguments: dict[str, Any]) -> None:
    existing = [
        tag["Key"]
        for found in backend.tables.values()
        if found.table_arn == arguments["arn"]
        for tag in found.tags
    ]
    _tags(
        "dynamodb",
        "dynamodb.table.tags",
        arguments["tags"],
        existing,
        tag_code="ValidationException",
    )


def _replace_retagged_keys(backend: Any, arguments: dict[str, Any]) -> None:
    """TagResource sets a key a table has already (moto appended a second entry, which its
    key-based paging of ListTagsOfResource then walks without end)."""
    keys = {key for key, _ in tag_pairs(arguments["tags"])}
    for found in backend.tables.values():
        if found.table_arn == arguments["arn"]:
            found.tags = [tag for tag in found.tags if tag["Key"] not in keys]


def _list_every_tag(response_class: type) -> None:
    """ListTagsOfResource answers a table's tags in one page, as AWS does for the 50 a table
    can carry (moto paged them by 10, and the AWS provider reads one page: a table with more
    than 10 tags never matched its configuration)."""
    from moto.core.responses import ActionResult

    def list_tags_of_resource(self: Any) -> Any:
        tags = self.dynamodb_backend.list_tags_of_resource(self.body["ResourceArn"])
        return ActionResult({"Tags": tags})

    response_class.list_tags_of_resource = list_tags_of_resource


def _install_dynamodb() -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    _list_every_tag(DynamoHandler)

    before(DynamoDBBackend, "create_table", _create_table)
    before(DynamoDBBackend, "tag_resource", _tag_table)
    before(DynamoDBBackend, "tag_resource", _replace_retagged_keys)


# -- SNS -------------------------------------------------------------------------------------


def _topic_policy(value: str | None) -> None:
    row = table()["sns.topic.policy"]
    if value and nonws_bytes(value) > row.value():
        refuse("sns", row.aws_error.code, row.aws_error.message)


def _create_topic(backend: Any, arguments: dict[str, Any]) -> None:
    name = arguments["name"]
    problem = rules.topic_name(name)
    if problem is not None:
        refuse("sns", "InvalidParameter", f"Invalid parameter: Topic Name {name!r} {problem}.")
    _topic_policy((arguments.get("attributes") or {}).get("Policy"))
    _tags("sns", "sns.topic.tags", arguments.get("tags"), tag_code="InvalidParameter")


def _set_attribute(backend: Any, arguments: dict[str, Any]) -> None:
    if arguments.get("attribute_name") in ("Policy", "policy"):  # moto passes "policy"
        _topic_policy(arguments.get("attribute_value"))


def _tag_topic(backend: Any, arguments: dict[str, Any]) -> None:
    topic = backend.topics.get(arguments["resource_arn"])
    existing = topic._tags if topic is not None else {}
    _tags("sns", "sns.topic.tags", arguments["tags"], existing, tag_code="InvalidParameter")


def _install_sns() -> None:
    from moto.sns.models import SNSBackend

    before(SNSBackend, "create_topic", _create_topic)
    before(SNSBackend, "set_topic_attribute", _set_attribute)
    before(SNSBackend, "tag_resource", _tag_topic)


# -- CloudTrail ------------------------------------------------------------------------------


def _create_trail(backend: Any, arguments: dict[str, Any]) -> None:
    name = arguments["name"]
    problem = rules.trail_name(name)
    if problem is not None:
        refuse("cloudtrail", "InvalidTrailNameException", f"The trail name {name!r} {problem}.")
    if name in backend.trails:
        refuse(
            "cloudtrail", "TrailAlreadyExistsException", f"Trail {name} already exists for customer"
        )
    _tags(
        "cloudtrail",
        "cloudtrail.trail.tags",
        arguments.get("tags_list"),
        tag_code="InvalidTagParameterException",
    )


def _add_tags(backend: Any, arguments: dict[str, Any]) -> None:
    existing = backend.tagging_service.get_tag_dict_for_resource(arguments["resource_id"])
    _tags(
        "cloudtrail",
        "cloudtrail.trail.tags",
        arguments["tags_list"],
        existing,
        tag_code="InvalidTagParameterException",
    )


def _event_selectors(backend: Any, arguments: dict[str, Any]) -> None:
    row = table()["cloudtrail.event_selectors"]
    basic = arguments.get("event_selectors") or []
    advanced = arguments.get("advanced_event_selectors") or []
    data = sum(
        len(resource.get("Values") or [])
        for selector in basic
        for resource in selector.get("DataResources") or []
    )
    values = sum(
        len(field.get(condition) or [])
        for selector in advanced
        for field in selector.get("FieldSelectors") or []
        for condition in (
            "Equals",
            "NotEquals",
            "StartsWith",
            "NotStartsWith",
            "EndsWith",
            "NotEndsWith",
        )
    )
    if (
        len(basic) > row.value("selectors")
        or data > row.value("data_resources")
        or values > row.value("advanced_values")
        or (basic and advanced)
    ):
        refuse("cloudtrail", row.aws_error.code, row.aws_error.message)


def _install_cloudtrail() -> None:
    from moto.cloudtrail.models import CloudTrailBackend

    before(CloudTrailBackend, "create_trail", _create_trail)
    before(CloudTrailBackend, "add_tags", _add_tags)
    before(CloudTrailBackend, "put_event_selectors", _event_selectors)


# -- CloudWatch ------------------------------------------------------------------------------


def _put_metric_alarm(backend: Any, arguments: dict[str, Any]) -> None:
    name = arguments["name"]
    problem = rules.alarm_name(name)
    if problem is not None:
        refuse("cloudwatch", "ValidationError", f"The alarm name {name[:80]!r} {problem}.")
    actions = table()["cloudwatch.alarm.actions"]
    for field in ("alarm_actions", "ok_actions", "insufficient_data_actions"):
        if len(arguments.get(field) or []) > actions.value():
            refuse("cloudwatch", actions.aws_error.code, actions.aws_error.message)
    description = table()["cloudwatch.alarm.description"]
    if len(arguments.get("description") or "") > description.value("max"):
        refuse("cloudwatch", description.aws_error.code, description.aws_error.message)
    _tags(
        "cloudwatch",
        "cloudwatch.alarm.tags",
        arguments.get("tags"),
        tag_code="InvalidParameterValue",
    )


def _tag_alarm(backend: Any, arguments: dict[str, Any]) -> None:
    existing = backend.tagger.get_tag_dict_for_resource(arguments["arn"])
    _tags(
        "cloudwatch",
        "cloudwatch.alarm.tags",
        arguments["tags"],
        existing,
        tag_code="InvalidParameterValue",
    )


def _install_cloudwatch() -> None:
    from moto.cloudwatch.models import CloudWatchBackend

    before(CloudWatchBackend, "put_metric_alarm", _put_metric_alarm)
    before(CloudWatchBackend, "tag_resource", _tag_alarm)


def install() -> None:
    _install_kms()
    _install_dynamodb()
    _install_sns()
    _install_cloudtrail()
    _install_cloudwatch()
