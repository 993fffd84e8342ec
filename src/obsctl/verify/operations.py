"""Account and operations controls: the account's S3 public access block, and prod's audit trail,
alert topic and alarms (evidence that can vanish, alerts that can stop or leave).

Expected values come from the contract (which trail, topic, alarms, audit bucket and key) and
from the state (what Terraform applied: selectors, Regions, subscriptions, alarm actions).
"""

from __future__ import annotations

import json
from typing import Any

from obsctl.model.stack import Stack, Trail
from obsctl.verify import drift
from obsctl.verify.aws import Answer
from obsctl.verify.collect_operations import OperationsLive
from obsctl.verify.model import Result, Subject, errored, failed, judged, passed
from obsctl.verify.principals import external_grants
from obsctl.verify.s3 import PAB_FLAGS


def account_subject(stack: Stack) -> Subject:
    return Subject("stack", stack.account_id, "AWS account", label=f"account {stack.account_id}")


def check_account_public_access_block(stack: Stack, answer: Answer) -> Result:
    cid, about = "account.public-access-block", account_subject(stack)
    if not answer.ok:
        if answer.error == "NoSuchPublicAccessBlockConfiguration":
            return failed(cid, about, "the account has no S3 public access block")
        return errored(cid, about, f"could not read it ({answer.describe_error()})")
    flags = answer.data.get("PublicAccessBlockConfiguration", {})
    off = [flag for flag in PAB_FLAGS if not flags.get(flag)]
    problems = [f"{', '.join(off)} {'is' if len(off) == 1 else 'are'} off for the account"]
    return judged(cid, about, problems if off else [], "all four flags on for the account")


# -- the audit trail -------------------------------------------------------------------------

_COVERS = {
    "All": {"All", "ReadOnly", "WriteOnly"},
    "ReadOnly": {"ReadOnly"},
    "WriteOnly": {"WriteOnly"},
}


def _covers(live: str, wanted: str | None) -> bool:
    """Does a selector of `live` type record `wanted` events (None: any type will do)?"""
    return wanted is None or wanted in _COVERS.get(live, set())


def _covered_buckets(
    selectors: dict[str, Any], wanted: str | None
) -> tuple[set[str], bool, list[str]]:
    """(buckets whose object events are recorded, every bucket is, exclusions found)."""
    buckets: set[str] = set()
    everything = False
    exclusions: list[str] = []
    for selector in selectors.get("EventSelectors") or []:
        if not _covers(str(selector.get("ReadWriteType", "All")), wanted):
            continue
        for data in selector.get("DataResources") or []:
            if data.get("Type") != "AWS::S3::Object":
                continue
            for value in data.get("Values") or []:
                rest = str(value).split(":::", 1)[1] if ":::" in str(value) else ""
                name, _, prefix = rest.partition("/")
                if not name:
                    everything = True
                elif not prefix:
                    buckets.add(name)
    for selector in selectors.get("AdvancedEventSelectors") or []:
        fields = {f.get("Field"): f for f in selector.get("FieldSelectors") or []}
        if "Data" not in (fields.get("eventCategory") or {}).get("Equals", []):
            continue
        if "AWS::S3::Object" not in (fields.get("resources.type") or {}).get("Equals", []):
            continue
        arn = fields.get("resources.ARN") or {}
        for operator in ("NotStartsWith", "NotEquals"):
            exclusions += [f"{operator} {value}" for value in arn.get(operator) or []]
        starts = arn.get("StartsWith")
        if starts is None and not exclusions:
            everything = True
        for value in starts or []:
            rest = str(value).split(":::", 1)[1] if ":::" in str(value) else ""
            name, _, prefix = rest.partition("/")
            if name and not prefix:
                buckets.add(name)
    return buckets, everything, exclusions


def _coverage_problems(
    stack: Stack, applied: Trail | None, live: Answer, selectors: Answer
) -> list[str]:
    trail = live.data.get("Trail") or {}
    problems = []
    if applied is not None and applied.multi_region and not trail.get("IsMultiRegionTrail"):
        problems.append("the trail records this Region only; it was applied multi-Region")
    if (
        applied is not None
        and applied.global_events
        and not trail.get("IncludeGlobalServiceEvents")
    ):
        problems.append("global service events (IAM, STS) are no longer recorded")
    data = selectors.data
    if applied is not None and applied.management_events:
        wanted = applied.management_events
        if not any(
            s.get("IncludeManagementEvents") and _covers(str(s.get("ReadWriteType", "All")), wanted)
            for s in data.get("EventSelectors") or []
        ) and not data.get("AdvancedEventSelectors"):
            problems.append(f"{wanted} management events are no longer recorded")
    # Without the state, any read/write type counts; with it, the one Terraform applied.
    wanted_rw = next((s.read_write_type for s in applied.selectors), None) if applied else None
    covered, everything, exclusions = _covered_buckets(data, wanted_rw)
    telemetry = [bucket.name for bucket in stack.buckets if bucket.telemetry]
    uncovered = [name for name in telemetry if name not in covered and not everything]
    if uncovered:
        problems.append(
            f"{wanted_rw or 'The'} object events of {', '.join(uncovered)} are no longer recorded"
        )
    problems += [f"an advanced selector excludes {item}" for item in exclusions]
    return problems


def check_trail(stack: Stack, live: OperationsLive, arn: str) -> list[Result]:
    applied = next((t for t in stack.trails if arn.endswith(f"/{t.name}")), None)
    about = Subject("operations", arn, "CloudTrail trail", label=arn.rsplit("/", 1)[-1])
    answer = live.trail
    assert answer is not None and live.trail_status is not None
    if answer.missing_resource:
        return [drift.check_missing(about, True)]
    results = [drift.check_missing(about, False)]
    reads = (answer, live.trail_status, live.trail_selectors)
    unread = next((a for a in reads if a is None or not a.ok), None)
    if unread is not None:
        why = f"could not read the trail ({unread.describe_error()})"
        ids = ("logging", "coverage", "log-validation", "encryption", "destination")
        return results + [errored(f"cloudtrail.{c}", about, why) for c in ids]
    assert live.trail_selectors is not None
    trail = answer.data.get("Trail") or {}
    operations = stack.contract.operations if stack.contract else {}
    results.append(
        passed("cloudtrail.logging", about, "logging")
        if live.trail_status.data.get("IsLogging")
        else failed("cloudtrail.logging", about, "the trail is not logging (StopLogging)")
    )
    results.append(
        judged(
            "cloudtrail.coverage",
            about,
            _coverage_problems(stack, applied, answer, live.trail_selectors),
            "records what Terraform applied",
        )
    )
    results.append(
        passed("cloudtrail.log-validation", about, "log file validation on")
        if trail.get("LogFileValidationEnabled")
        else failed("cloudtrail.log-validation", about, "log file validation is off")
    )
    key = operations.get("operations_key_arn")
    found_key = trail.get("KmsKeyId") or None
    if found_key and key and (found_key == key or key.endswith(f"/{found_key}")):
        results.append(passed("cloudtrail.encryption", about, f"SSE-KMS with {key}"))
    else:
        results.append(
            failed(
                "cloudtrail.encryption",
                about,
                f"logs are encrypted with {found_key}, not {key}"
                if found_key
                else "logs are not encrypted with the operations key (SSE-S3 only)",
            )
        )
    bucket, prefix = trail.get("S3BucketName"), trail.get("S3KeyPrefix") or ""
    wanted_bucket = operations.get("audit_bucket")
    wanted_prefix = applied.key_prefix if applied is not None else prefix
    problems = []
    if bucket != wanted_bucket:
        problems.append(f"logs go to {bucket}, not the audit bucket {wanted_bucket}")
    if prefix != wanted_prefix:
        problems.append(f"logs go under {prefix!r}, not {wanted_prefix!r}")
    results.append(
        judged("cloudtrail.destination", about, problems, f"s3://{wanted_bucket}/{wanted_prefix}")
    )
    return results


# -- the alert topic -------------------------------------------------------------------------


def check_topic(stack: Stack, live: OperationsLive, arn: str) -> list[Result]:
    about = Subject("operations", arn, "SNS topic", label=arn.rsplit(":", 1)[-1])
    answer, subscriptions = live.topic, live.subscriptions
    assert answer is not None and subscriptions is not None
    if answer.missing_resource:
        return [drift.check_missing(about, True)]
    results = [drift.check_missing(about, False)]
    if not answer.ok:
        why = f"could not read the topic ({answer.describe_error()})"
        return results + [errored(c, about, why) for c in ("sns.external-access", "sns.encryption")]
    attributes = answer.data.get("Attributes") or {}
    try:
        policy = json.loads(attributes.get("Policy") or "{}")
        problems = external_grants(policy, stack.account_id) if isinstance(policy, dict) else []
    except ValueError:
        problems = ["the topic policy is not valid JSON"]
    results.append(
        judged("sns.external-access", about, problems, f"allows nobody outside {stack.account_id}")
    )
    key = (stack.contract.operations if stack.contract else {}).get("operations_key_arn")
    found = attributes.get("KmsMasterKeyId")
    if found and key and (found == key or key.endswith(f"/{found}")):
        results.append(passed("sns.encryption", about, f"SSE-KMS with {key}"))
    else:
        results.append(
            failed(
                "sns.encryption",
                about,
                f"the topic is encrypted with {found}, not {key}"
                if found
                else "the topic is not encrypted (KmsMasterKeyId removed)",
            )
        )
    if not subscriptions.ok:
        results.append(
            errored(
                "sns.subscriptions", about, f"could not list ({subscriptions.describe_error()})"
            )
        )
        return results
    topic = next((t for t in stack.topics if t.arn == arn), None)
    wanted = set(topic.subscriptions) if topic is not None else set()
    extra = [
        f"{item.get('Protocol')} {item.get('Endpoint')} receives every alert"
        for item in subscriptions.data.get("Subscriptions") or []
        if (item.get("Protocol"), item.get("Endpoint")) not in wanted
    ]
    results.append(
        judged("sns.subscriptions", about, extra, f"{len(wanted)} configured subscription(s)")
    )
    return results


# -- alarms ----------------------------------------------------------------------------------


def check_alarms(stack: Stack, live: OperationsLive, names: list[str]) -> list[Result]:
    answer = live.alarms
    assert answer is not None
    topic = (stack.contract.operations if stack.contract else {}).get("alert_topic_arn")
    found = (
        {a.get("AlarmName"): a for a in answer.data.get("MetricAlarms") or []} if answer.ok else {}
    )
    results = []
    for name in names:
        about = Subject("operations", name, "CloudWatch alarm")
        if not answer.ok:
            results.append(
                errored(
                    "cloudwatch.alarm-actions", about, f"could not read ({answer.describe_error()})"
                )
            )
            continue
        alarm = found.get(name)
        results.append(drift.check_missing(about, alarm is None))
        if alarm is None:
            continue
        problems = []
        if not alarm.get("ActionsEnabled"):
            problems.append("its actions are disabled: it changes state and notifies nobody")
        if topic and topic not in (alarm.get("AlarmActions") or []):
            actions = ", ".join(alarm.get("AlarmActions") or []) or "nothing"
            problems.append(f"in ALARM it notifies {actions}, not the alert topic")
        results.append(judged("cloudwatch.alarm-actions", about, problems, f"notifies {topic}"))
    return results


def check_operations(stack: Stack, live: OperationsLive) -> list[Result]:
    """Every account and operations control that applies to the stack."""
    if stack.contract is None:
        return []
    results = []
    if live.account_public_access_block is not None:
        results.append(check_account_public_access_block(stack, live.account_public_access_block))
    operations = stack.contract.operations
    if operations.get("audit_trail_arn") and live.trail is not None:
        results += check_trail(stack, live, operations["audit_trail_arn"])
    if operations.get("alert_topic_arn") and live.topic is not None:
        results += check_topic(stack, live, operations["alert_topic_arn"])
    if operations.get("alarm_names") and live.alarms is not None:
        results += check_alarms(stack, live, list(operations["alarm_names"]))
    return results
