"""KMS, DynamoDB, SNS, CloudTrail and CloudWatch rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from obsctl.limits import rules
from obsctl.limits.registry import checks
from obsctl.limits.table import table
from obsctl.limits.view import PlanView, nonws_bytes, plural, text_value
from obsctl.model.tfjson import Resource, number


def _names(
    view: PlanView,
    row_id: str,
    resources: Iterable[Resource],
    attribute: str,
    rule: Callable[[str], str | None],
    how: str,
) -> None:
    row = table()[row_id]
    for res in resources:
        name = text_value(res.values.get(attribute))
        problem = rule(name) if name is not None else None
        if problem is not None:
            view.violation(row, res, f"{view.label(res)} {problem}: {view.remedy(row, res, how)}.")


# -- KMS -------------------------------------------------------------------------------------


@checks("kms.key_policy.size")
def key_policies(view: PlanView) -> None:
    row = table()["kms.key_policy.size"]
    over: dict[int, list[Resource]] = {}
    for res, text in view.documents("aws_kms_key_policy", "aws_kms_key"):
        if text is None:
            view.deferred(row, res, "its policy is known only after apply")
        elif len(text.encode("utf-8")) > row.value():
            over.setdefault(len(text.encode("utf-8")), []).append(res)
    for size, resources in over.items():
        first = resources[0]
        owner = view.linked(first, "key_id", "aws_kms_key")
        subject = f"The policy of {view.label(owner)}" if owner else view.label(first)
        more = f" and {plural(len(resources) - 1, 'more key')}" if len(resources) > 1 else ""
        view.violation(
            row,
            first,
            f"{subject}{more} would be {size:,} bytes, and KMS allows {row.value():,}: "
            f"{view.remedy(row, first, 'fewer key administrators')}.",
        )


@checks("kms.alias.name")
def aliases(view: PlanView) -> None:
    _names(
        view,
        "kms.alias.name",
        view.of_type("aws_kms_alias"),
        "name",
        rules.alias_name,
        "a shorter name prefix",
    )


@checks("kms.key.description", "kms.key.deletion_window", "kms.key.rotation_period")
def key_settings(view: PlanView) -> None:
    description_row = table()["kms.key.description"]
    window_row, period_row = table()["kms.key.deletion_window"], table()["kms.key.rotation_period"]
    for res in view.of_type("aws_kms_key"):
        description = text_value(res.values.get("description")) or ""
        if len(description) > description_row.value("max"):
            view.violation(
                description_row,
                res,
                f"{view.label(res)} has a description of {len(description):,} characters, and "
                f"KMS takes at most 8,192: "
                f"{view.remedy(description_row, res, 'a shorter description')}.",
            )
        for row, attribute, what in (
            (window_row, "deletion_window_in_days", "deletion window"),
            (period_row, "rotation_period_in_days", "rotation period"),
        ):
            days = number(res.values.get(attribute))
            low, high = row.value("min"), row.value("max")
            if days is not None and days != 0 and not low <= days <= high:
                view.violation(
                    row,
                    res,
                    f"{view.label(res)} has a {what} of {days:g} days, and KMS takes {low} to "
                    f"{high}: {view.remedy(row, res, f'kms.{attribute}')}.",
                )


# -- DynamoDB --------------------------------------------------------------------------------


@checks(
    "dynamodb.table.name", "dynamodb.table.gsi", "dynamodb.table.lsi", "dynamodb.attribute_name"
)
def tables(view: PlanView) -> None:
    name_row, gsi_row = table()["dynamodb.table.name"], table()["dynamodb.table.gsi"]
    lsi_row, attribute_row = table()["dynamodb.table.lsi"], table()["dynamodb.attribute_name"]
    resources = view.of_type("aws_dynamodb_table")
    _names(view, name_row.id, resources, "name", rules.table_name, "a shorter name prefix")
    for res in resources:
        indexes = list(res.values.get("global_secondary_index") or ())
        for index in (*indexes, *(res.values.get("local_secondary_index") or ())):
            problem = rules.table_name(str(index.get("name") or ""))
            if problem is not None:
                view.violation(
                    name_row,
                    res,
                    f"An index of {view.label(res)} {problem}: "
                    f"{view.remedy(name_row, res, 'rename the index')}.",
                )
        gsi_limit = view.quotas.value(gsi_row)
        if len(indexes) > gsi_limit:
            view.violation(
                gsi_row,
                res,
                f"{view.label(res)} would have {len(indexes)} global secondary indexes, and "
                f"DynamoDB allows {gsi_limit} per table by default: "
                f"{view.remedy(gsi_row, res, 'fewer indexes')}.",
            )
        local = list(res.values.get("local_secondary_index") or ())
        if len(local) > lsi_row.value():
            view.violation(
                lsi_row,
                res,
                f"{view.label(res)} would have {len(local)} local secondary indexes, and "
                f"DynamoDB allows {lsi_row.value()} per table: "
                f"{view.remedy(lsi_row, res, 'fewer indexes')}.",
            )
        for attribute in res.values.get("attribute") or ():
            name = str(attribute.get("name") or "")
            if len(name.encode("utf-8")) > attribute_row.value():
                view.violation(
                    attribute_row,
                    res,
                    f"{view.label(res)} has a key attribute name of "
                    f"{len(name.encode('utf-8'))} bytes, and DynamoDB takes at most 255: "
                    f"{view.remedy(attribute_row, res, 'a shorter attribute name')}.",
                )


# -- SNS -------------------------------------------------------------------------------------


@checks("sns.topic.name", "sns.topic.policy")
def topics(view: PlanView) -> None:
    name_row, policy_row = table()["sns.topic.name"], table()["sns.topic.policy"]
    _names(
        view,
        name_row.id,
        view.of_type("aws_sns_topic"),
        "name",
        rules.topic_name,
        "a shorter name prefix",
    )
    for res, text in view.documents("aws_sns_topic_policy", "aws_sns_topic"):
        if text is None:
            view.deferred(policy_row, res, "its policy names the topic's ARN, known after apply")
        elif nonws_bytes(text) > policy_row.value():
            view.violation(
                policy_row,
                res,
                f"{view.label(res)} would be {nonws_bytes(text):,} bytes, and SNS allows "
                f"{policy_row.value():,} (30 KB): "
                f"{view.remedy(policy_row, res, 'fewer statements')}.",
            )


# -- CloudTrail ------------------------------------------------------------------------------

_CONDITIONS = (
    "equals", "not_equals", "starts_with", "not_starts_with", "ends_with", "not_ends_with",
)  # fmt: skip


@checks("cloudtrail.trail.name", "cloudtrail.event_selectors")
def trails(view: PlanView) -> None:
    name_row, selector_row = table()["cloudtrail.trail.name"], table()["cloudtrail.event_selectors"]
    resources = view.of_type("aws_cloudtrail")
    _names(view, name_row.id, resources, "name", rules.trail_name, "no -- . _ next to each other")
    for res in resources:
        basic = list(res.values.get("event_selector") or ())
        advanced = list(res.values.get("advanced_event_selector") or ())
        data = sum(
            len(resource.get("values") or ())
            for selector in basic
            for resource in selector.get("data_resource") or ()
        )
        values = sum(
            len(field.get(condition) or ())
            for selector in advanced
            for field in selector.get("field_selector") or ()
            for condition in _CONDITIONS
        )
        problems = []
        if len(basic) > selector_row.value("selectors"):
            problems.append(f"{len(basic)} event selectors (at most 5)")
        if data > selector_row.value("data_resources"):
            problems.append(f"{data} data resources (at most 250)")
        if values > selector_row.value("advanced_values"):
            problems.append(f"{values} advanced selector values (at most 500)")
        if basic and advanced:
            problems.append("both basic and advanced event selectors (one kind only)")
        if problems:
            view.violation(
                selector_row,
                res,
                f"{view.label(res)} would have {' and '.join(problems)}, which CloudTrail "
                f"refuses: {view.remedy(selector_row, res, 'fewer selectors')}.",
            )


# -- CloudWatch ------------------------------------------------------------------------------


@checks("cloudwatch.alarm.name", "cloudwatch.alarm.actions", "cloudwatch.alarm.description")
def alarms(view: PlanView) -> None:
    name_row, actions_row = table()["cloudwatch.alarm.name"], table()["cloudwatch.alarm.actions"]
    description_row = table()["cloudwatch.alarm.description"]
    resources = view.of_type("aws_cloudwatch_metric_alarm")
    _names(view, name_row.id, resources, "alarm_name", rules.alarm_name, "a shorter name prefix")
    for res in resources:
        for attribute in ("alarm_actions", "ok_actions", "insufficient_data_actions"):
            actions = list(res.values.get(attribute) or ())
            if len(actions) > actions_row.value():
                view.violation(
                    actions_row,
                    res,
                    f"{view.label(res)} would have {len(actions)} {attribute.replace('_', ' ')}, "
                    f"and CloudWatch takes at most {actions_row.value()}: "
                    f"{view.remedy(actions_row, res, 'fewer actions')}.",
                )
        description = text_value(res.values.get("alarm_description")) or ""
        if len(description) > description_row.value("max"):
            view.violation(
                description_row,
                res,
                f"{view.label(res)} has a description of {len(description):,} characters, and "
                f"CloudWatch takes at most 1,024: "
                f"{view.remedy(description_row, res, 'a shorter description')}.",
            )
