"""What the cost report must warn about, whatever its format: data the plan's lifecycle rules
would delete before the app's retention ends, data the apps could not read, and rules S3 would
refuse to apply.

The estimate still prices what the plan says (objects expired early are priced as deleted
early); the warnings say why that number is not the one to budget for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from obsctl.cost.prices import ARCHIVE_CLASSES
from obsctl.cost.s3 import BucketQuantities
from obsctl.model.lifecycle import (
    DEEP_ARCHIVE,
    GLACIER,
    ONEZONE_IA,
    STANDARD_IA,
    Lifecycle,
    LifecycleRule,
    Transition,
)
from obsctl.model.stack import Bucket

# S3 refuses these rules [AWS-LC]: Standard-IA and One Zone-IA need 30 days in Standard first
# (30 days noncurrent for noncurrent versions), and one rule cannot move objects from those
# classes into Glacier Flexible Retrieval or Deep Archive less than 30 days later.
IA_CLASSES = (STANDARD_IA, ONEZONE_IA)
ARCHIVES = (GLACIER, DEEP_ARCHIVE)
IA_MIN_DAYS = 30.0
IA_TO_ARCHIVE_MIN_DAYS = 30.0


def data_loss(
    results: Iterable[BucketQuantities], retention_origin: Mapping[str, str]
) -> list[str]:
    """One warning per bucket and app whose expiration deletes data the app still keeps."""
    warnings: dict[str, None] = {}
    for result in results:
        bucket = result.bucket
        lifecycle = bucket.lifecycle or Lifecycle()
        for stream, _ in result.streams:
            if stream.keep_days is None:
                continue
            policy = lifecycle.policy_for(stream.prefix, stream.object_bytes)
            expires = policy.expiration_days
            if expires is None or expires >= stream.keep_days:
                continue
            rule = _expiring_rule(lifecycle.rules, stream.prefix, stream.object_bytes, expires)
            app = bucket.app
            warnings[
                f"Data loss: {bucket.name} expires {stream.name} after {expires:g} days "
                f"({rule}), but {app} keeps them for {stream.keep_days:g} days "
                f"({retention_origin.get(app, 'its retention')}): data between {expires:g} "
                f"and {stream.keep_days:g} days old would be deleted while {app} still serves "
                f"it. The estimate prices it as deleted at {expires:g} days; make the expiration "
                f"longer than the retention, or the retention shorter."
            ] = None
    return list(warnings)


def _expiring_rule(rules: Iterable[LifecycleRule], prefix: str, size: float, days: float) -> str:
    for rule in rules:
        if rule.applies_to(prefix, size) and rule.expiration_days == days:
            return f"rule {rule.id}" if rule.id else "an unnamed rule"
    return "its lifecycle rules"


def unreadable(results: Iterable[BucketQuantities]) -> list[str]:
    """Reads that would reach an archive class, which needs a restore before each GET."""
    warnings = []
    for result in results:
        for stream, quantities in result.streams:
            if any(cls in ARCHIVE_CLASSES for cls in quantities.gets):
                warnings.append(
                    f"Unreadable data: in {result.bucket.name}, queries reach {stream.name} in "
                    "an archive class, which needs a restore before each read; the app cannot "
                    "read them as configured (the estimate prices the restores anyway)."
                )
    return warnings


def rejected_rules(buckets: Iterable[Bucket]) -> list[str]:
    """One warning per lifecycle rule S3 would refuse [AWS-LC]."""
    warnings = []
    for bucket in buckets:
        for rule in bucket.lifecycle.rules if bucket.lifecycle is not None else ():
            for problem in _rule_problems(rule):
                warnings.append(
                    f"S3 would reject the lifecycle configuration of {bucket.name}: rule "
                    f"{rule.id or '(unnamed)'} {problem}, so applying the plan fails. The "
                    "estimate prices the rule as written."
                )
    return warnings


def _rule_problems(rule: LifecycleRule) -> list[str]:
    problems = []
    for steps, age in ((rule.transitions, "old"), (rule.noncurrent_transitions, "noncurrent")):
        dated = [step for step in steps if step.date is None]
        for step in dated:
            if step.storage_class in IA_CLASSES and step.days < IA_MIN_DAYS:
                problems.append(
                    f"moves objects to {step.storage_class} when {step.days:g} days {age}; "
                    f"S3 requires at least {IA_MIN_DAYS:g}"
                )
        problems += _ia_then_archive(dated, age)
    return problems


def _ia_then_archive(steps: list[Transition], age: str) -> list[str]:
    problems = []
    for into_ia in (step for step in steps if step.storage_class in IA_CLASSES):
        for archive in (step for step in steps if step.storage_class in ARCHIVES):
            gap = archive.days - into_ia.days
            if 0 <= gap < IA_TO_ARCHIVE_MIN_DAYS:
                problems.append(
                    f"moves objects to {into_ia.storage_class} at {into_ia.days:g} days {age} "
                    f"and to {archive.storage_class} {gap:g} days later; in one rule S3 "
                    f"requires at least {IA_TO_ARCHIVE_MIN_DAYS:g} days between them"
                )
    return problems
