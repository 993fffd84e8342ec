"""The stack's buckets: the contract's, then the document's others, each with its settings.

A bucket's sub-resources (versioning, encryption, lifecycle configuration, request metrics,
access logging, policy) are linked to it by name, or through the plan's configuration when the
name is only known after apply. The contract says what the modules made (app, store, data flag,
lifecycle rules, expiry guard, the key and log target the env asks for); the resources say what
Terraform applied or plans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from obsctl.model.contract import STORAGE_APPS, StackContract
from obsctl.model.lifecycle import ALL_CLASSES_128K, Lifecycle, from_configuration, from_inline
from obsctl.model.stack import OPERATIONS, OTHER, Bucket
from obsctl.model.tfjson import (
    UNKNOWN,
    Notes,
    Resource,
    TerraformJSON,
    first_block,
    json_document,
    tags_of,
)

ACCESS_LOGS = "access-logs"  # the store labels of the two operations buckets
AUDIT = "audit"
_BUCKET_SETTINGS = (
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_metric",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_policy",
)


@dataclass
class _Applied:
    """A bucket's settings, gathered from its sub-resources."""

    resource: Resource | None = None
    versioning: bool | None = None
    encryption: str | None = None
    bucket_key: bool = False
    lifecycle: Lifecycle | None = None
    metric_filters: int = 0
    log_target: str | None = None
    log_prefix: str | None = None
    policy: dict[str, Any] | None = None
    extra: list[str] = field(default_factory=list)


def _applied(document: TerraformJSON, notes: Notes) -> dict[str, _Applied]:
    """Per bucket name, what its resource and its sub-resources say."""
    found: dict[str, _Applied] = {}
    by_address: dict[str, str] = {}
    for res in document.of_type("aws_s3_bucket"):
        name = res.values.get("bucket")
        if not isinstance(name, str):
            name = res.address
            notes.add(f"{res.address} has no known name; it is listed by its address.")
        found[name] = _Applied(resource=res)
        by_address[res.address] = name
    for res in document.resources:
        if res.type == "aws_s3_bucket_intelligent_tiering_configuration":
            notes.add(
                f"{res.address}: Intelligent-Tiering's opt-in archive tiers are not modelled."
            )
        if res.type not in _BUCKET_SETTINGS:
            continue
        name = res.values.get("bucket")
        if not isinstance(name, str) or name not in found:
            owner = document.linked(res, "bucket", "aws_s3_bucket")
            name = by_address.get(owner.address) if owner is not None else None
        if name is None:
            notes.add(f"{res.address} could not be linked to a bucket of the plan.")
            continue
        _apply(found[name], res)
    for name, entry in found.items():
        assert entry.resource is not None
        inline = entry.resource.values.get("lifecycle_rule") or ()
        if entry.lifecycle is not None and inline:
            notes.add(
                f"{name} has both inline lifecycle rules and an aws_s3_bucket_lifecycle_"
                "configuration; the standalone configuration is used, as AWS keeps one."
            )
        elif entry.lifecycle is None:
            entry.lifecycle = Lifecycle(rules=tuple(from_inline(rule) for rule in inline))
        _note_dated(name, entry.lifecycle, notes)
    return found


def _apply(entry: _Applied, res: Resource) -> None:
    values = res.values
    if res.type == "aws_s3_bucket_versioning":
        entry.versioning = (
            first_block(values.get("versioning_configuration")).get("status") == "Enabled"
        )
    elif res.type == "aws_s3_bucket_server_side_encryption_configuration":
        rule = first_block(values.get("rule"))
        default = first_block(rule.get("apply_server_side_encryption_by_default"))
        entry.encryption = str(default.get("sse_algorithm") or "AES256")
        entry.bucket_key = bool(rule.get("bucket_key_enabled"))
    elif res.type == "aws_s3_bucket_lifecycle_configuration":
        entry.lifecycle = Lifecycle(
            rules=tuple(from_configuration(rule) for rule in values.get("rule") or ()),
            min_transition_size=str(
                values.get("transition_default_minimum_object_size") or ALL_CLASSES_128K
            ),
        )
    elif res.type == "aws_s3_bucket_metric":
        entry.metric_filters += 1
    elif res.type == "aws_s3_bucket_logging":
        target, prefix = values.get("target_bucket"), values.get("target_prefix")
        entry.log_target = target if isinstance(target, str) else None
        entry.log_prefix = prefix if isinstance(prefix, str) else ""
    elif res.type == "aws_s3_bucket_policy":
        entry.policy = json_document(values.get("policy"))


def _note_dated(name: str, lifecycle: Lifecycle, notes: Notes) -> None:
    for rule in lifecycle.rules:
        if rule.expiration_date is not None:
            notes.add(f"{name} rule {rule.id or '?'}: a date-based expiration is not modelled.")
        if any(step.date for step in (*rule.transitions, *rule.noncurrent_transitions)):
            notes.add(f"{name} rule {rule.id or '?'}: a date-based transition is not modelled.")


def _from_resource(
    name: str, app: str, store: str | None, entry: _Applied, **contract_facts: Any
) -> Bucket:
    res = entry.resource
    values = res.values if res is not None else {}
    inline_sse = first_block(
        first_block(
            first_block(values.get("server_side_encryption_configuration")).get("rule")
        ).get("apply_server_side_encryption_by_default")
    )
    inline_log = first_block(values.get("logging")).get("target_bucket")
    arn = values.get("arn")
    facts: dict[str, Any] = {
        "arn": arn if isinstance(arn, str) else UNKNOWN,
        "lifecycle": entry.lifecycle,
        "access_log_target": entry.log_target
        or (inline_log if isinstance(inline_log, str) else None),
        **contract_facts,
    }
    return Bucket(
        name=name,
        app=app,
        store=store,
        access_log_prefix=entry.log_prefix,
        address=res.address if res is not None else "",
        versioning=(
            entry.versioning
            if entry.versioning is not None
            else bool(first_block(values.get("versioning")).get("enabled"))
        ),
        encryption=entry.encryption or str(inline_sse.get("sse_algorithm") or "AES256"),
        bucket_key=entry.bucket_key,
        request_metric_filters=entry.metric_filters,
        policy=entry.policy,
        tags=tags_of(res),
        **facts,
    )


def buckets(
    contract: StackContract | None,
    document: TerraformJSON,
    tag_keys: Mapping[str, str],
    notes: Notes,
) -> tuple[Bucket, ...]:
    applied = _applied(document, notes)
    found: list[Bucket] = []
    if contract is not None:
        settings, operations = contract.settings, contract.operations
        log_bucket = settings.get("access_log_bucket")
        log_target = log_bucket if settings.get("access_logging") else None
        for app, store, bucket in contract.all_buckets():
            key = contract.kms_keys.get(app)
            found.append(
                _from_resource(
                    bucket.name,
                    app,
                    store,
                    applied.pop(bucket.name, _Applied()),
                    arn=bucket.arn,
                    holds_data=bucket.holds_data,
                    key_arn=key.arn if key is not None else None,
                    expiry_guard=bucket.expiry_guard,
                    lifecycle=Lifecycle(rules=bucket.lifecycle_rules),
                    access_log_target=log_target,
                )
            )
        found += _replicas(contract, applied)
        # The access-log bucket may be one the env only names (a target of its own): it is
        # part of the stack when the document holds it.
        if log_bucket and log_bucket in applied:
            found.append(_operations(contract, log_bucket, ACCESS_LOGS, None, applied))
        audit = operations.get("audit_bucket")
        if audit:
            key_arn = operations.get("operations_key_arn")
            found.append(_operations(contract, audit, AUDIT, key_arn, applied))
    for name, entry in applied.items():
        app, store = _described_by_tags(entry.resource, tag_keys)
        found.append(_from_resource(name, app, store, entry))
    return tuple(found)


def _replicas(contract: StackContract, applied: dict[str, _Applied]) -> list[Bucket]:
    """Cross-region replicas: their source's app, store, data flag and expiry guard (they keep
    its lifecycle rules), in the replica region under the replica key."""
    replication = contract.replication
    if replication is None:
        return []
    found = []
    for app, store, replica in replication.all_buckets():
        source = contract.buckets.get(app, {}).get(store)
        found.append(
            _from_resource(
                replica.name,
                app,
                store,
                applied.pop(replica.name, _Applied()),
                arn=replica.arn,
                holds_data=source.holds_data if source is not None else False,
                key_arn=replica.kms_key_arn,
                expiry_guard=source.expiry_guard if source is not None else None,
                lifecycle=Lifecycle(rules=replica.lifecycle_rules),
                replica_of=replica.source,
                region=replication.region,
            )
        )
    return found


def _operations(
    contract: StackContract,
    name: str,
    store: str,
    key_arn: str | None,
    applied: dict[str, _Applied],
) -> Bucket:
    entry = applied.pop(name, _Applied())
    facts: dict[str, Any] = {"key_arn": key_arn}
    if entry.resource is None or not isinstance(entry.resource.values.get("arn"), str):
        facts["arn"] = f"arn:{contract.partition}:s3:::{name}"  # S3's ARN of a named bucket
    return _from_resource(name, OPERATIONS, store, entry, **facts)


def _described_by_tags(res: Resource | None, tag_keys: Mapping[str, str]) -> tuple[str, str | None]:
    """(app, store) from the reserved tags the modules set, for buckets no contract names."""
    tags = res.tags if res is not None else {}
    app, store = tags.get(tag_keys["app"]), tags.get(tag_keys["store"])
    if app in STORAGE_APPS and store:
        return app, store
    if store:
        return OPERATIONS, store
    return OTHER, None
