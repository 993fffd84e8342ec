"""The account-level and operations reads: the account's S3 public access block, and the
audit trail, alert topic and alarms the contract names (prod), kept as `Answer`s."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from obsctl.model.stack import Stack
from obsctl.verify.aws import Answer, ClientFactory, call, call_all_pages

Jobs = dict[tuple[str, str, str], Callable[[], Answer]]


@dataclass(frozen=True)
class OperationsLive:
    """What the account and the operations resources answered (None: not part of the stack)."""

    account_public_access_block: Answer | None = None
    trail: Answer | None = None  # get_trail
    trail_status: Answer | None = None  # get_trail_status
    trail_selectors: Answer | None = None  # get_event_selectors
    topic: Answer | None = None  # get_topic_attributes
    subscriptions: Answer | None = None  # list_subscriptions_by_topic, every page
    alarms: Answer | None = None  # describe_alarms, every page


def operations_jobs(expected: Stack, clients: ClientFactory) -> Jobs:
    """The reads, keyed like collect's jobs: ("operations", <name>, <read>)."""
    jobs: Jobs = {}
    if expected.contract is None:
        return jobs
    operations = expected.contract.operations
    jobs[("operations", "account", "account_public_access_block")] = lambda: call(
        clients("s3control"), "get_public_access_block", AccountId=expected.account_id
    )
    trail = operations.get("audit_trail_arn")
    if trail:
        cloudtrail = clients("cloudtrail")
        jobs[("operations", trail, "trail")] = lambda: call(cloudtrail, "get_trail", Name=trail)
        jobs[("operations", trail, "trail_status")] = lambda: call(
            cloudtrail, "get_trail_status", Name=trail
        )
        jobs[("operations", trail, "trail_selectors")] = lambda: call(
            cloudtrail, "get_event_selectors", TrailName=trail
        )
    topic = operations.get("alert_topic_arn")
    if topic:
        sns = clients("sns")
        jobs[("operations", topic, "topic")] = lambda: call(
            sns, "get_topic_attributes", TopicArn=topic
        )
        jobs[("operations", topic, "subscriptions")] = lambda: call_all_pages(
            sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=topic
        )
    names = list(operations.get("alarm_names") or ())
    if names:
        cloudwatch = clients("cloudwatch")
        jobs[("operations", "alarms", "alarms")] = lambda: _alarms(cloudwatch, names)
    return jobs


def _alarms(client: Any, names: list[str]) -> Answer:
    """describe_alarms takes at most 100 names a call."""
    found: list[Any] = []
    for start in range(0, len(names), 100):
        answer = call_all_pages(
            client, "describe_alarms", "MetricAlarms", AlarmNames=names[start : start + 100]
        )
        if not answer.ok:
            return answer
        found += answer.data["MetricAlarms"]
    return Answer({"MetricAlarms": found})


def operations_live(answers: dict[tuple[str, str, str], Answer]) -> OperationsLive:
    fields = {read: answer for (kind, _, read), answer in answers.items() if kind == "operations"}
    return OperationsLive(**fields)
