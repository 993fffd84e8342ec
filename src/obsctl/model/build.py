"""Building the Stack: the contract's facts joined with what the document says exists.

Contract-named resources come first, in the contract's order (telemetry buckets, the access-log
and audit buckets, the keys, the roles, the tables), matched to their resources by name, ARN
or alias; the document's other resources follow, described by the modules' reserved tags.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from obsctl.model.contract import RESERVED_TAGS, STORAGE_APPS, StackContract
from obsctl.model.lifecycle import ALL_CLASSES_128K, Lifecycle, from_configuration, from_inline
from obsctl.model.operations import alarms, tables, trails
from obsctl.model.stack import OPERATIONS, OTHER, SHARED, App, Bucket, Key, Role, Stack
from obsctl.model.tfjson import UNKNOWN, Notes, Resource, TerraformJSON, first_block

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


def read_stack(contract: StackContract | None, raw: Mapping[str, Any] | None) -> Stack:
    """The stack of `contract` and a raw state, a state's or a plan's JSON (or None)."""
    return build_stack(contract, raw)


def plan_stack(plan: Mapping[str, Any], source: str = "the plan") -> Stack:
    """The stack a plan JSON describes; its contract comes from the plan's output changes."""
    return build_stack(plan_contract(plan, source), plan)


def plan_contract(plan: Mapping[str, Any], source: str = "the plan") -> StackContract | None:
    """The contract in a plan's output changes; None when the root exposes none."""
    document = TerraformJSON(plan)
    outputs = document.outputs()
    if "contract_version" not in outputs:
        return None
    return StackContract.from_outputs(outputs, source, unknown=document.unknown_outputs())


def build_stack(contract: StackContract | None, raw: Mapping[str, Any] | None) -> Stack:
    document = TerraformJSON(raw)
    notes = Notes()
    tag_keys = contract.reserved_tags if contract is not None else RESERVED_TAGS
    if contract is not None:
        region, region_source = contract.region, "the stack contract"
    else:
        region, region_source = document.region()
    buckets = _buckets(contract, document, tag_keys, notes)
    found_tables = tables(contract, document, tag_keys, notes)
    return Stack(
        contract=contract,
        region=region,
        region_source=region_source,
        apps=_apps(contract),
        buckets=buckets,
        keys=_keys(contract, document, tag_keys),
        roles=_roles(contract, document),
        tables=found_tables,
        trails=trails(document, buckets, notes),
        alarms=alarms(document, buckets, found_tables, tag_keys),
        has_state=document.available,
        notes=tuple(notes.items),
    )


def document(text: Any) -> dict[str, Any] | None:
    """A JSON policy document held as text (or already decoded)."""
    if isinstance(text, dict):
        return text
    if not text or not isinstance(text, str):
        return None
    try:
        loaded = json.loads(text)
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None


def tags_of(res: Resource | None) -> dict[str, str] | None:
    return None if res is None else dict(res.tags)


def _apps(contract: StackContract | None) -> dict[str, App]:
    if contract is None:
        return {}
    retention = contract.settings.get("retention_days") or {}
    found = {}
    for name in contract.apps:
        stores = contract.buckets.get(name, {})
        days = retention.get(name)
        found[name] = App(
            name=name,
            retention_days=int(days) if days is not None else None,
            stores=tuple(stores),
            data_store=next((store for store, b in stores.items() if b.holds_data), None),
        )
    return found


# -- buckets ---------------------------------------------------------------------------------


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
        entry.policy = document(values.get("policy"))


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


def _buckets(
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


# -- keys and roles --------------------------------------------------------------------------


def _aliases(document: TerraformJSON) -> dict[str, str]:
    """Key resource address -> its first alias name."""
    found: dict[str, str] = {}
    for alias in document.of_type("aws_kms_alias"):
        name = alias.values.get("name")
        arn = alias.values.get("target_key_arn")
        target = (document.find("aws_kms_key", "arn", arn) if isinstance(arn, str) else None) or (
            document.linked(alias, "target_key_id", "aws_kms_key")
        )
        if target is not None and isinstance(name, str):
            found.setdefault(target.address, name)
    return found


def _keys(
    contract: StackContract | None, document: TerraformJSON, tag_keys: Mapping[str, str]
) -> tuple[Key, ...]:
    resources = document.of_type("aws_kms_key", "aws_kms_replica_key")
    aliases = _aliases(document)
    wanted: dict[str, tuple[str, str | None, list[str], bool]] = {}  # identity -> arn, alias...
    if contract is not None:
        for app, key in contract.kms_keys.items():
            identity = key.arn if key.arn != UNKNOWN else f"alias:{key.alias}"
            wanted.setdefault(identity, (key.arn, key.alias, [], key.managed))[2].append(app)
        operations_key = contract.operations.get("operations_key_arn")
        if operations_key and operations_key != UNKNOWN and operations_key not in wanted:
            wanted[operations_key] = (operations_key, None, [], True)
    found: list[Key] = []
    used: set[str] = set()
    for arn, alias, apps, managed in wanted.values():
        res = next(
            (
                r
                for r in resources
                if r.address not in used
                and (
                    (arn != UNKNOWN and r.values.get("arn") == arn)
                    or aliases.get(r.address) == alias
                )
            ),
            None,
        )
        if res is None and arn == UNKNOWN:
            continue  # a planned key the plan does not show: nothing to price or check
        if res is not None:
            used.add(res.address)
        group = apps[0] if len(apps) == 1 else SHARED if apps else OPERATIONS
        found.append(_key(arn, group, apps, alias or _alias(res, aliases), managed, res, document))
    for res in resources:
        if res.address in used:
            continue
        app = res.tags.get(tag_keys["app"])
        group = app if app in (*STORAGE_APPS, OPERATIONS) else OTHER
        arn = res.values.get("arn")
        found.append(
            _key(
                arn if isinstance(arn, str) else UNKNOWN,
                group,
                [app] if app in STORAGE_APPS else [],
                _alias(res, aliases),
                True,
                res,
                document,
            )
        )
    return tuple(found)


def _alias(res: Resource | None, aliases: Mapping[str, str]) -> str | None:
    return aliases.get(res.address) if res is not None else None


def _key(
    arn: str,
    group: str,
    apps: Iterable[str],
    alias: str | None,
    managed: bool,
    res: Resource | None,
    document_: TerraformJSON,
) -> Key:
    values = res.values if res is not None else {}
    policy = None
    if managed and res is not None:
        attached = document_.find("aws_kms_key_policy", "key_id", arn.rsplit("/", 1)[-1])
        policy = document(attached.values.get("policy") if attached else values.get("policy"))
    period = values.get("rotation_period_in_days")
    return Key(
        arn=arn,
        app=group,
        apps=tuple(apps),
        alias=alias,
        managed=managed,
        address=res.address if res is not None else "",
        rotation=bool(values.get("enable_key_rotation")),
        rotation_period_days=int(period) if period else None,
        policy=policy,
        tags=tags_of(res),
    )


def _roles(contract: StackContract | None, document_: TerraformJSON) -> tuple[Role, ...]:
    if contract is None:
        return ()
    found = []
    for app, role in contract.roles.items():
        res = document_.find("aws_iam_role", "name", role.name)
        values = res.values if res is not None else {}
        inline = managed = None
        if res is not None:
            inline = {
                str(policy.values.get("name")): document(policy.values.get("policy")) or {}
                for policy in document_.where("aws_iam_role_policy", "role", role.name)
            }
            attached = {
                str(attachment.values.get("policy_arn"))
                for attachment in document_.where(
                    "aws_iam_role_policy_attachment", "role", role.name
                )
            }
            for exclusive in document_.where(
                "aws_iam_role_policy_attachments_exclusive", "role_name", role.name
            ):
                attached.update(exclusive.values.get("policy_arns") or [])
            managed = tuple(sorted(attached))
        duration = values.get("max_session_duration")
        found.append(
            Role(
                app=app,
                name=role.name,
                arn=role.arn,
                identity=role.identity,
                namespace=role.namespace,
                service_accounts=role.service_accounts,
                trust_subjects=role.trust_subjects,
                trust_policy=document(values.get("assume_role_policy")),
                inline=inline,
                managed=managed,
                tags=tags_of(res),
                max_session_duration=int(duration) if duration else None,
                permissions_boundary=values.get("permissions_boundary") or None,
            )
        )
    return tuple(found)
