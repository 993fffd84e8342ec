"""The rules of the table as plain functions, shared by the plan check and the local AWS.

Each returns what is wrong with a value as a phrase ("has 64 characters, and S3 takes 3 to 63"),
or None when AWS takes it. The plan check puts the phrase in its sentence; the local AWS puts it
in the error it answers with. One rule, one implementation.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
import unicodedata
from collections.abc import Sequence

from obsctl.limits.table import table
from obsctl.model.lifecycle import (
    DEEP_ARCHIVE,
    GLACIER,
    GLACIER_IR,
    ONEZONE_IA,
    STANDARD,
    STANDARD_IA,
    WATERFALL,
    LifecycleRule,
    Transition,
)

Problem = tuple[str, str]  # (row id, phrase)

_TRAIL_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?![._-]))*[A-Za-z0-9]$")
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_TABLE_NAME = re.compile(r"^[a-zA-Z0-9_.-]+$")
_ALIAS_NAME = re.compile(r"^alias/[a-zA-Z0-9/_-]+$")
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


def bucket_name(name: str) -> str | None:
    rule = table()["s3.bucket.name"].limit
    if not rule["min"] <= len(name) <= rule["max"]:
        return f"has {len(name)} characters, and S3 takes 3 to 63"
    if not _BUCKET_NAME.match(name):
        return (
            "has characters other than lowercase letters, digits, dots and hyphens, or does not "
            "start and end with a letter or digit, which S3 refuses"
        )
    if ".." in name:
        return "has two adjacent dots, which S3 refuses"
    if _is_ip_address(name):
        return "is an IP address, which S3 refuses as a bucket name"
    for prefix in rule["forbidden_prefixes"]:
        if name.startswith(prefix):
            return f"starts with {prefix}, a prefix S3 reserves"
    for suffix in rule["forbidden_suffixes"]:
        if name.endswith(suffix):
            return f"ends with {suffix}, a suffix S3 reserves"
    return None


def trail_name(name: str) -> str | None:
    if not 3 <= len(name) <= 128:
        return f"has {len(name)} characters, and CloudTrail takes 3 to 128"
    if _is_ip_address(name):
        return "is an IP address, which CloudTrail refuses as a trail name"
    if not _TRAIL_NAME.match(name):
        return (
            "has characters other than letters, digits, . _ and -, two of . _ - next to each "
            "other, or does not start and end with a letter or digit, which CloudTrail refuses"
        )
    return None


def alias_name(name: str) -> str | None:
    if len(name) > 256:
        return f"has {len(name)} characters, and KMS takes at most 256 (alias/ included)"
    if name.startswith("alias/aws/"):
        return "starts with alias/aws/, which KMS reserves for AWS managed keys"
    if not _ALIAS_NAME.match(name):
        return "is not alias/ followed by letters, digits, /, _ and -, which KMS requires"
    return None


def topic_name(name: str) -> str | None:
    base = name.removesuffix(".fifo")
    if not 1 <= len(name) <= 256:
        return f"has {len(name)} characters, and SNS takes 1 to 256 (.fifo included)"
    if not base or not _TOPIC_NAME.match(base):
        return "has characters other than letters, digits, _ and - (and .fifo), which SNS refuses"
    return None


def table_name(name: str) -> str | None:
    if not 3 <= len(name) <= 255:
        return f"has {len(name)} characters, and DynamoDB takes 3 to 255"
    if not _TABLE_NAME.match(name):
        return "has characters other than letters, digits, _ - and ., which DynamoDB refuses"
    return None


def alarm_name(name: str) -> str | None:
    if not 1 <= len(name) <= 255:
        return f"has {len(name)} characters, and CloudWatch takes 1 to 255"
    if _CONTROL.search(name):
        return "has an ASCII control character, which CloudWatch refuses"
    return None


# -- tags ---------------------------------------------------------------------------------------

TAG_SYMBOLS = "_.:/=+-@"
DYNAMODB_TAG_SYMBOLS = "+-=._:/"


def first_bad_char(text: str, symbols: str) -> str | None:
    """The first character that is not a Unicode letter, number or white space (categories L,
    N and Z) nor one of `symbols`."""
    for char in text:
        if unicodedata.category(char)[0] not in "LNZ" and char not in symbols:
            return char
    return None


def tag(service: str, key: str, value: str) -> list[Problem]:
    """What AWS refuses in one tag of a resource of `service` (s3, iam, kms, dynamodb, sns,
    cloudwatch, cloudtrail)."""
    key_row, value_row = table()["tags.key_length"], table()["tags.value_length"]
    problems = []
    if not key or len(key) > key_row.value("max"):
        problems.append((key_row.id, f"has a key of {len(key)} characters, and AWS takes 1 to 128"))
    if len(value) > value_row.value("max"):
        problems.append(
            (value_row.id, f"has a value of {len(value)} characters, and AWS takes at most 256")
        )
    bad = first_bad_char(key, TAG_SYMBOLS) or first_bad_char(value, TAG_SYMBOLS)
    if bad is not None:
        problems.append(
            (
                "tags.characters",
                f"has the character {bad!r}, and AWS tags take only letters, digits, white "
                "space and _ . : / = + - @",
            )
        )
    elif service == "dynamodb":
        bad = first_bad_char(key, DYNAMODB_TAG_SYMBOLS) or first_bad_char(
            value, DYNAMODB_TAG_SYMBOLS
        )
        if bad is not None:
            problems.append(
                (
                    "dynamodb.tag.characters",
                    f"has the character {bad!r}, and DynamoDB documents only letters, digits, "
                    "white space and + - = . _ : / for the tags of a table",
                )
            )
    if key.lower().startswith("aws:"):
        problems.append(("tags.reserved_prefix", "starts with aws:, which AWS reserves"))
    elif service == "iam" and value.lower().startswith("aws:"):
        problems.append(
            ("tags.reserved_prefix", "has a value starting with aws:, which IAM reserves")
        )
    if service == "cloudtrail" and value == "":
        problems.append(
            (
                "cloudtrail.tag_value.empty",
                "has an empty value, and CloudTrail takes 1 to 256 characters",
            )
        )
    return problems


# -- lifecycle -------------------------------------------------------------------------------

_IA = (STANDARD_IA, ONEZONE_IA)
_ARCHIVE = (GLACIER, DEEP_ARCHIVE)


def lifecycle(rules: Sequence[LifecycleRule]) -> list[Problem]:
    """What S3 refuses in a lifecycle configuration: the rule count and IDs, the 30 days before
    an IA class, the 30 days in IA before an archive class, and the waterfall order."""
    problems: list[Problem] = []
    most = table()["s3.lifecycle.rules"].value()
    if len(rules) > most:
        problems.append(("s3.lifecycle.rules", f"has {len(rules)} rules, and S3 takes {most}"))
    seen: set[str] = set()
    for rule in rules:
        name = rule.id or "(no ID)"
        if len(rule.id) > 255:
            problems.append(
                (
                    "s3.lifecycle.rule_id",
                    f"has a rule ID of {len(rule.id)} characters (at most 255)",
                )
            )
        if rule.id and rule.id in seen:
            problems.append(("s3.lifecycle.rule_id", f"has the rule ID {rule.id!r} twice"))
        seen.add(rule.id)
        for steps, what in ((rule.transitions, ""), (rule.noncurrent_transitions, "noncurrent ")):
            problems += [
                (row, f"rule {name}: {phrase}") for row, phrase in _transitions(steps, what)
            ]
    return problems


def _transitions(steps: Sequence[Transition], what: str) -> list[Problem]:
    problems: list[Problem] = []
    minimum = table()["s3.lifecycle.ia_minimum"].value()
    gap = table()["s3.lifecycle.ia_to_glacier"].value()
    by_day = sorted((step for step in steps if step.date is None), key=lambda step: step.days)
    for step in by_day:
        if step.storage_class not in WATERFALL or step.storage_class == STANDARD:
            problems.append(
                (
                    "s3.lifecycle.class_order",
                    f"moves {what}objects to {step.storage_class}, which S3 cannot transition to",
                )
            )
        elif step.storage_class in _IA and step.days < minimum:
            problems.append(
                (
                    "s3.lifecycle.ia_minimum",
                    f"moves {what}objects to {step.storage_class} after {step.days:g} days, and "
                    f"S3 needs at least {minimum}",
                )
            )
    known = [step for step in by_day if step.storage_class in WATERFALL[1:]]
    classes = [step.storage_class for step in known]
    if len(set(classes)) != len(classes):
        problems.append(
            ("s3.lifecycle.class_order", f"moves {what}objects to the same class twice")
        )
    for before, after in itertools.pairwise(known):
        rank_before, rank_after = (
            WATERFALL.index(before.storage_class),
            WATERFALL.index(after.storage_class),
        )
        backwards = rank_after <= rank_before or after.days <= before.days
        if backwards or (before.storage_class == ONEZONE_IA and after.storage_class == GLACIER_IR):
            problems.append(
                (
                    "s3.lifecycle.class_order",
                    f"moves {what}objects from {before.storage_class} (day {before.days:g}) to "
                    f"{after.storage_class} (day {after.days:g}), against S3's waterfall",
                )
            )
        elif (
            before.storage_class in _IA
            and after.storage_class in _ARCHIVE
            and after.days - before.days < gap
        ):
            problems.append(
                (
                    "s3.lifecycle.ia_to_glacier",
                    f"moves {what}objects to {after.storage_class} {after.days - before.days:g} "
                    f"days after {before.storage_class}, and S3 needs at least {gap}",
                )
            )
    return problems


def lifecycle_days(kind: str, days: float | None) -> str | None:
    """Expiration, noncurrent expiration and multipart-abort days are at least 1; transition
    days at least 0 (`kind` is expiration, noncurrent, abort or transition)."""
    if days is None:
        return None
    least = table()["s3.lifecycle.days"].value(f"{kind}_min")
    if days < least or days != int(days):
        return f"has {kind} days of {days:g}, and S3 takes whole days of at least {least}"
    return None


def lifecycle_date(date: str) -> str | None:
    """A lifecycle date must be midnight UTC (a plain date is)."""
    text = date.strip()
    if len(text) == 10 or re.match(r"^\d{4}-\d{2}-\d{2}T00:00:00(\.0+)?(Z|[+-]00:?00)?$", text):
        return None
    return f"has the date {text!r}, and S3 takes only midnight UTC"
