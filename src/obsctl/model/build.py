"""Building the Stack: the contract's facts joined with what the document says exists.

Contract-named resources come first, in the contract's order (telemetry buckets, the access-log
and audit buckets, the keys, the roles, the tables), matched to their resources by name, ARN
or alias; the document's other resources follow, described by the modules' reserved tags.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

from obsctl.model.buckets import buckets
from obsctl.model.contract import RESERVED_TAGS, STORAGE_APPS, StackContract
from obsctl.model.operations import alarms, tables, topics, trails
from obsctl.model.stack import OPERATIONS, OTHER, SHARED, App, Key, Role, Stack
from obsctl.model.tfjson import UNKNOWN, Notes, Resource, TerraformJSON, json_document, tags_of


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
    found_buckets = buckets(contract, document, tag_keys, notes)
    found_tables = tables(contract, document, tag_keys, notes)
    return Stack(
        contract=contract,
        region=region,
        region_source=region_source,
        apps=_apps(contract),
        buckets=found_buckets,
        keys=_keys(contract, document, tag_keys),
        roles=_roles(contract, document),
        tables=found_tables,
        trails=trails(document, found_buckets, notes),
        alarms=alarms(document, found_buckets, found_tables, tag_keys),
        topics=topics(document),
        has_state=document.available,
        notes=tuple(notes.items),
    )


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
        policy = json_document(attached.values.get("policy") if attached else values.get("policy"))
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
                str(policy.values.get("name")): json_document(policy.values.get("policy")) or {}
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
                **{item.name: getattr(role, item.name) for item in fields(role)},
                app=app,
                trust_policy=json_document(values.get("assume_role_policy")),
                inline=inline,
                managed=managed,
                tags=tags_of(res),
                max_session_duration=int(duration) if duration else None,
                permissions_boundary=values.get("permissions_boundary") or None,
            )
        )
    return tuple(found)
