"""Drift: what no longer exists, and what differs from what Terraform applied (the state).

Documents are compared semantically: statement order, a single value versus a one-element list
and the order inside lists do not count as differences; values do.
"""

from __future__ import annotations

import json
from typing import Any

from obsctl.model.lifecycle import LifecycleRule
from obsctl.model.stack import Bucket, Key, Role, Table
from obsctl.verify.aws import Answer
from obsctl.verify.collect import (
    BucketLive,
    KeyLive,
    MalformedDocumentError,
    RoleLive,
    TableLive,
    decode_document,
)
from obsctl.verify.model import Result, Subject, errored, failed, judged, passed, subject
from obsctl.verify.s3 import live_rules

_LIST_FIELDS = ("Action", "NotAction", "Resource", "NotResource")


def check_missing(about: Subject, missing: bool) -> Result:
    if missing:
        return failed("drift.missing", about, f"the {about.kind} {about.display} no longer exists")
    return passed("drift.missing", about, "exists")


# -- documents -------------------------------------------------------------------------------


def _scalar_list(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return sorted(
        json.dumps(v, sort_keys=True)
        if isinstance(v, dict)
        else str(v).lower()
        if isinstance(v, bool)
        else str(v)
        for v in values
    )


def canonical_statement(statement: dict[str, Any]) -> str:
    shaped: dict[str, Any] = {}
    for key, value in statement.items():
        if key in _LIST_FIELDS:
            shaped[key] = _scalar_list(value)
        elif key in ("Principal", "NotPrincipal") and isinstance(value, dict):
            shaped[key] = {kind: _scalar_list(v) for kind, v in value.items()}
        elif key == "Condition" and isinstance(value, dict):
            shaped[key] = {
                operator: {name.lower(): _scalar_list(v) for name, v in (block or {}).items()}
                for operator, block in value.items()
            }
        else:
            shaped[key] = value
    return json.dumps(shaped, sort_keys=True)


def _statements(document: dict[str, Any] | None) -> dict[str, str]:
    """canonical text -> label (Sid or position) for every statement."""
    raw = (document or {}).get("Statement", [])
    raw = [raw] if isinstance(raw, dict) else raw
    return {canonical_statement(s): s.get("Sid") or f"#{i + 1}" for i, s in enumerate(raw)}


def document_differences(
    what: str, expected: dict[str, Any] | None, live: dict[str, Any] | None
) -> list[str]:
    if expected is None and live is None:
        return []
    if live is None:
        return [f"{what} is gone (Terraform applied {len(_statements(expected))} statement(s))"]
    if expected is None:
        return [f"{what} exists but Terraform manages none"]
    wanted, found = _statements(expected), _statements(live)
    gone = {label for text, label in wanted.items() if text not in found}
    extra = {label for text, label in found.items() if text not in wanted}
    problems = [
        f"{what}: statement {label} differs from what Terraform applied"
        for label in sorted(gone & extra)
    ]
    problems += [f"{what}: statement {label} is missing" for label in sorted(gone - extra)]
    problems += [
        f"{what}: statement {label} is not in the configuration" for label in sorted(extra - gone)
    ]
    return problems


# -- tags ------------------------------------------------------------------------------------


def _tag_pairs(
    items: list[dict[str, Any]], key: str = "Key", value: str = "Value"
) -> dict[str, str]:
    return {item[key]: item[value] for item in items}


def tag_differences(expected: dict[str, str], live: dict[str, str]) -> list[str]:
    wanted = {k: v for k, v in expected.items() if not k.startswith("aws:")}
    found = {k: v for k, v in live.items() if not k.startswith("aws:")}
    problems = [f"tag {k} is missing (expected {v!r})" for k, v in wanted.items() if k not in found]
    problems += [
        f"tag {k} is {found[k]!r}, expected {v!r}"
        for k, v in wanted.items()
        if k in found and found[k] != v
    ]
    problems += [
        f"tag {k}={v!r} is not in the configuration" for k, v in found.items() if k not in wanted
    ]
    return problems


def _tags_result(
    about: Subject, expected: dict[str, str] | None, answer: Answer, live: dict[str, str] | None
) -> Result | None:
    if expected is None:
        return None
    if live is None:
        return errored("drift.tags", about, f"could not read tags ({answer.describe_error()})")
    return judged(
        "drift.tags", about, tag_differences(expected, live), f"{len(expected)} tags as applied"
    )


# -- per resource ----------------------------------------------------------------------------


def lifecycle_differences(
    expected: tuple[LifecycleRule, ...], live: tuple[LifecycleRule, ...]
) -> list[str]:
    """What differs between the rules Terraform applied and the live ones, rule by rule."""
    wanted = {rule.id: rule for rule in expected}
    found = {rule.id: rule for rule in live}
    problems = []
    for rule_id, rule in wanted.items():
        if rule_id not in found:
            problems.append(f"rule {rule.describe()} is missing")
        elif found[rule_id] != rule:
            problems.append(
                f"rule {rule_id} is {found[rule_id].describe()}, Terraform applied "
                f"{rule.describe()}"
            )
    problems += [
        f"rule {rule.describe()} is not in the configuration"
        for rule_id, rule in found.items()
        if rule_id not in wanted
    ]
    return problems


def check_bucket(bucket: Bucket, live: BucketLive) -> list[Result]:
    if not bucket.address:  # not in the state: nothing applied to compare with
        return []
    results: list[Result] = []
    about = subject(bucket)
    tagging = live["tagging"]
    tags = (
        _tag_pairs(tagging.data.get("TagSet", []))
        if tagging.ok
        else ({} if tagging.error == "NoSuchTagSet" else None)
    )
    if (result := _tags_result(about, bucket.tags, tagging, tags)) is not None:
        results.append(result)
    if bucket.lifecycle is not None:
        rules = live_rules(live)
        if rules is None:
            results.append(
                errored(
                    "drift.lifecycle",
                    about,
                    f"could not read lifecycle rules ({live['lifecycle'].describe_error()})",
                )
            )
        else:
            results.append(
                judged(
                    "drift.lifecycle",
                    about,
                    lifecycle_differences(bucket.lifecycle.rules, rules),
                    f"{len(rules)} rules as applied",
                )
            )
    policy = live["policy"]
    if policy.ok or policy.error == "NoSuchBucketPolicy":
        try:
            document = decode_document(policy.data["Policy"]) if policy.ok else None
            problems = document_differences("bucket policy", bucket.policy, document)
        except MalformedDocumentError as error:
            problems = [f"the bucket policy is {error}"]
        results.append(judged("drift.policies", about, problems, "bucket policy as applied"))
    else:
        results.append(
            errored(
                "drift.policies",
                about,
                f"could not read the bucket policy ({policy.describe_error()})",
            )
        )
    return results


def check_key(key: Key, live: KeyLive) -> list[Result]:
    results: list[Result] = []
    about = subject(key)
    tags = (
        _tag_pairs(live.tags.data.get("Tags", []), "TagKey", "TagValue") if live.tags.ok else None
    )
    if (result := _tags_result(about, key.tags, live.tags, tags)) is not None:
        results.append(result)
    if key.policy is not None:
        if live.policy.ok:
            try:
                document = decode_document(live.policy.data.get("Policy") or "{}")
                problems = document_differences("key policy", key.policy, document)
            except MalformedDocumentError as error:
                problems = [f"the key policy is {error}"]
            results.append(judged("drift.policies", about, problems, "key policy as applied"))
        else:
            results.append(
                errored(
                    "drift.policies",
                    about,
                    f"could not read the key policy ({live.policy.describe_error()})",
                )
            )
    configured = key.rotation_period_days
    if configured and live.rotation.ok and live.rotation.data.get("KeyRotationEnabled"):
        period = live.rotation.data.get("RotationPeriodInDays")
        problems = (
            []
            if period in (None, configured)
            else [f"rotation period is {period} d, configured {configured} d"]
        )
        results.append(judged("drift.settings", about, problems, f"rotation every {configured} d"))
    return results


def check_role(role: Role, live: RoleLive) -> list[Result]:
    results: list[Result] = []
    about = subject(role)
    if not live.role.ok:
        return [
            errored(
                "drift.policies", about, f"could not read the role ({live.role.describe_error()})"
            )
        ]
    data = live.role.data["Role"]
    tags = _tag_pairs(data.get("Tags", []))
    if (result := _tags_result(about, role.tags, live.role, tags)) is not None:
        results.append(result)
    if role.trust_policy is not None and role.inline is not None and role.managed is not None:
        problems = document_differences(
            "trust policy", role.trust_policy, decode_document(data.get("AssumeRolePolicyDocument"))
        )
        if live.inline.ok and live.attached.ok:
            problems += _policy_set_differences(role, live)
            results.append(
                judged(
                    "drift.policies",
                    about,
                    problems,
                    "trust, inline and attached policies as applied",
                )
            )
        else:
            failed_read = live.inline if not live.inline.ok else live.attached
            results.append(
                errored(
                    "drift.policies",
                    about,
                    f"could not read its policies ({failed_read.describe_error()})",
                )
            )
    settings = []
    if role.max_session_duration and data.get("MaxSessionDuration") not in (
        None,
        role.max_session_duration,
    ):
        settings.append(
            f"maximum session is {data.get('MaxSessionDuration')} s, "
            f"configured {role.max_session_duration} s"
        )
    boundary = (data.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if role.trust_policy is not None and boundary != role.permissions_boundary:
        settings.append(
            f"permissions boundary is {boundary or 'none'}, "
            f"configured {role.permissions_boundary or 'none'}"
        )
    if role.trust_policy is not None:
        results.append(
            judged("drift.settings", about, settings, "session limit and boundary as configured")
        )
    return results


def _policy_set_differences(role: Role, live: RoleLive) -> list[str]:
    assert role.inline is not None and role.managed is not None
    problems = []
    inline = {p.name: p.document for p in live.inline.data["Policies"]}
    for name, document in role.inline.items():
        if name not in inline:
            problems.append(f"inline policy {name} is gone")
        else:
            problems += document_differences(f"inline policy {name}", document, inline[name])
    problems += [
        f"inline policy {name} is not in the configuration"
        for name in inline
        if name not in role.inline
    ]
    attached = sorted(p.name for p in live.attached.data["Policies"])
    problems += [
        f"attached policy {arn} is not in the configuration"
        for arn in attached
        if arn not in role.managed
    ]
    problems += [
        f"attached policy {arn} is detached" for arn in role.managed if arn not in attached
    ]
    return problems


def check_table(table: Table, live: TableLive) -> list[Result]:
    results: list[Result] = []
    about = subject(table)
    tags = _tag_pairs(live.tags.data.get("Tags", [])) if live.tags.ok else None
    if (result := _tags_result(about, table.tags, live.tags, tags)) is not None:
        results.append(result)
    if table.table_class and live.describe.ok:
        found = (live.describe.data["Table"].get("TableClassSummary") or {}).get(
            "TableClass", "STANDARD"
        )
        problems = (
            []
            if found == table.table_class
            else [f"table class is {found}, configured {table.table_class}"]
        )
        results.append(
            judged("drift.settings", about, problems, f"table class {table.table_class}")
        )
    return results
