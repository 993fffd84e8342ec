"""What the plan says will exist, reduced to what costs money.

`inventory_from_plan()` reads the JSON of `terraform show -json PLANFILE` (or of a state) and
returns an `Inventory`: the region, the buckets with their lifecycle rules, versioning, encryption
and Bucket Key, the KMS keys, the DynamoDB tables, the CloudTrail data-event trails and the
CloudWatch alarms. Attributes Terraform only learns at apply time (a bucket id, a trail's bucket
ARNs) are linked back through the plan's configuration references; whatever stays unknown is said
in `Inventory.notes`, never guessed silently.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obsctl.cost.lifecycle import ALL_CLASSES_128K, Lifecycle, LifecycleRule, Transition
from obsctl.errors import UsageError

TELEMETRY_APPS = ("mimir", "loki", "tempo")
OPERATIONS = "operations"
OTHER = "other"
STORES = ("blocks", "ruler", "alertmanager", "chunks", "admin", "traces")
DATA_STORES = {"mimir": "blocks", "loki": "chunks", "tempo": "traces"}
_NAME_PATTERN = re.compile(rf"-({'|'.join(TELEMETRY_APPS)})-({'|'.join(STORES)})$")
_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d+):")
_MODULE_STEP = re.compile(r'module\.([A-Za-z0-9_-]+)(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?')


@dataclass(frozen=True)
class Bucket:
    address: str
    name: str
    app: str
    store: str | None
    versioning: bool = False
    encryption: str = "AES256"  # aws:kms, aws:kms:dsse or AES256 (S3's default)
    bucket_key: bool = False
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    request_metric_filters: int = 0
    access_log_target: str | None = None
    access_log_prefix: str = ""

    @property
    def kms(self) -> bool:
        return self.encryption.startswith("aws:kms")


@dataclass(frozen=True)
class Key:
    address: str
    label: str
    app: str
    rotation: bool
    rotation_period_days: float = 365.0


@dataclass(frozen=True)
class Scaling:
    minimum: float
    maximum: float
    target_utilization: float = 70.0


@dataclass(frozen=True)
class Table:
    address: str
    name: str
    app: str
    billing_mode: str = "PAY_PER_REQUEST"
    table_class: str = "STANDARD"
    pitr: bool = False
    read_capacity: float = 0.0
    write_capacity: float = 0.0
    indexes: tuple[tuple[str, float, float], ...] = ()  # (name, read, write capacity)
    kms_encrypted: bool = False
    scaling: Mapping[str, Scaling] = field(default_factory=dict)  # "read"/"write"/"<index>/read"


@dataclass(frozen=True)
class TrailSelector:
    read_write_type: str  # WriteOnly, ReadOnly or All
    buckets: tuple[str, ...] | None  # None: every bucket in the account and region


@dataclass(frozen=True)
class Trail:
    address: str
    name: str
    selectors: tuple[TrailSelector, ...]
    target_bucket: str | None
    key_prefix: str = ""


@dataclass(frozen=True)
class Alarm:
    address: str
    name: str
    app: str
    metrics: int
    high_resolution: bool


@dataclass(frozen=True)
class Inventory:
    region: str | None
    region_source: str
    environment: str | None = None
    retention_days: Mapping[str, float] = field(default_factory=dict)
    buckets: tuple[Bucket, ...] = ()
    keys: tuple[Key, ...] = ()
    tables: tuple[Table, ...] = ()
    trails: tuple[Trail, ...] = ()
    alarms: tuple[Alarm, ...] = ()
    notes: tuple[str, ...] = ()

    def bucket(self, name: str) -> Bucket | None:
        return next((bucket for bucket in self.buckets if bucket.name == name), None)


# --------------------------------------------------------------------------------------------
# Reading


def read_plan(path: Path) -> dict[str, Any]:
    """The JSON of a saved plan, or a UsageError saying what is wrong with the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise UsageError(f"The plan JSON file {path} does not exist.") from error
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"The plan JSON file {path} cannot be read ({error}).") from error
    try:
        plan = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"The plan JSON file {path} is not JSON (line {error.lineno}).",
            hint="Write it with `terraform show -json PLANFILE > plan.json`.",
        ) from error
    if not isinstance(plan, dict) or not (
        isinstance(plan.get("planned_values"), dict) or isinstance(plan.get("values"), dict)
    ):
        raise UsageError(
            f"The file {path} is not the JSON of a Terraform plan (no planned_values).",
            hint="Write it with `terraform show -json PLANFILE > plan.json`.",
        )
    return plan


@dataclass(frozen=True)
class _Resource:
    module: str  # "" for the root module
    address: str
    mode: str
    type: str
    name: str
    index: Any
    values: Mapping[str, Any]


def _walk(module: Mapping[str, Any] | None, prefix: str = "") -> Iterator[_Resource]:
    if not isinstance(module, Mapping):
        return
    for resource in module.get("resources") or ():
        yield _Resource(
            module=prefix,
            address=str(resource.get("address", "")),
            mode=str(resource.get("mode", "managed")),
            type=str(resource.get("type", "")),
            name=str(resource.get("name", "")),
            index=resource.get("index"),
            values=resource.get("values") or {},
        )
    for child in module.get("child_modules") or ():
        yield from _walk(child, str(child.get("address", "")))


def _index_suffix(index: Any) -> str:
    if index is None:
        return ""
    return f"[{index}]" if isinstance(index, int) else f"[{json.dumps(index)}]"


def _address(module: str, type_name: str, index: Any) -> str:
    return f"{module + '.' if module else ''}{type_name}{_index_suffix(index)}"


def _first(blocks: Any) -> Mapping[str, Any]:
    if isinstance(blocks, list) and blocks and isinstance(blocks[0], Mapping):
        return blocks[0]
    return {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _tags(values: Mapping[str, Any]) -> Mapping[str, str]:
    tags = values.get("tags_all") or values.get("tags") or {}
    return tags if isinstance(tags, Mapping) else {}


class _Plan:
    """Index of the plan's resources and configuration, for linking sub-resources."""

    def __init__(self, plan: Mapping[str, Any]) -> None:
        self.plan = plan
        root = (plan.get("planned_values") or plan.get("values") or {}).get("root_module")
        self.resources = [res for res in _walk(root) if res.mode == "managed"]
        prior = ((plan.get("prior_state") or {}).get("values") or {}).get("root_module")
        self.data = [res for res in (*_walk(root), *_walk(prior)) if res.mode == "data"]
        self.by_address = {res.address: res for res in self.resources}
        self.config_root = (plan.get("configuration") or {}).get("root_module") or {}
        self._config_cache: dict[str, Mapping[str, Any]] = {}
        self.notes: list[str] = []

    def of_type(self, *types: str) -> list[_Resource]:
        return [res for res in self.resources if res.type in types]

    def config(self, res: _Resource) -> Mapping[str, Any]:
        """The configuration block of a resource (its expressions), or {}."""
        key = f"{res.module}|{res.type}.{res.name}"
        if key not in self._config_cache:
            module = self.config_root
            for step in _MODULE_STEP.findall(res.module):
                module = ((module.get("module_calls") or {}).get(step) or {}).get("module") or {}
            found: Mapping[str, Any] = {}
            for item in module.get("resources") or ():
                if item.get("type") == res.type and item.get("name") == res.name:
                    found = item
                    break
            self._config_cache[key] = found
        return self._config_cache[key]

    def linked(self, res: _Resource, attribute: str, target_type: str) -> _Resource | None:
        """The `target_type` resource that `res.<attribute>` refers to in the configuration."""
        expression = (self.config(res).get("expressions") or {}).get(attribute) or {}
        references = expression.get("references") or ()
        per_instance = any(ref in ("each.key", "count.index") for ref in references)
        pattern = re.compile(rf"^{re.escape(target_type)}\.([A-Za-z0-9_-]+)(?:\[(.+?)\])?")
        for reference in references:
            match = pattern.match(str(reference))
            if not match:
                continue
            name, raw_index = match.groups()
            if raw_index in ("each.key", "count.index") or (raw_index is None and per_instance):
                index = res.index
            elif raw_index is None:
                index = None
            else:
                index = json.loads(raw_index) if raw_index.startswith('"') else int(raw_index)
            found = self.by_address.get(_address(res.module, f"{target_type}.{name}", index))
            if found is not None:
                return found
        same = self.by_address.get(_address(res.module, f"{target_type}.{res.name}", res.index))
        if same is not None:
            return same
        candidates = [
            other
            for other in self.resources
            if other.type == target_type and other.module == res.module
        ]
        return candidates[0] if len(candidates) == 1 else None

    def output(self, name: str) -> Any:
        change = (self.plan.get("output_changes") or {}).get(name)
        if isinstance(change, Mapping):
            return change.get("after")
        state_outputs = (self.plan.get("values") or {}).get("outputs") or {}
        output = state_outputs.get(name)
        return output.get("value") if isinstance(output, Mapping) else None


# --------------------------------------------------------------------------------------------
# Region


def _region(plan: _Plan) -> tuple[str | None, str]:
    for res in plan.data:
        if res.type == "aws_region":
            for key in ("region", "name", "id"):
                value = res.values.get(key)
                if isinstance(value, str) and value:
                    return value, f"data.aws_region ({res.address})"
    provider = ((plan.plan.get("configuration") or {}).get("provider_config") or {}).get("aws")
    expression = ((provider or {}).get("expressions") or {}).get("region") or {}
    if isinstance(expression.get("constant_value"), str):
        return expression["constant_value"], "the aws provider's region"
    for reference in expression.get("references") or ():
        if str(reference).startswith("var."):
            variable = (plan.plan.get("variables") or {}).get(str(reference)[4:]) or {}
            if isinstance(variable.get("value"), str):
                return variable["value"], f"the aws provider's region ({reference})"
    output = plan.output("region")
    if isinstance(output, str) and output:
        return output, "the region output"
    counts: Counter[str] = Counter()
    _count_arn_regions(plan.plan.get("planned_values") or plan.plan.get("values"), counts)
    if counts:
        return counts.most_common(1)[0][0], "ARNs in the planned values"
    return None, "not found"


def _count_arn_regions(node: Any, counts: Counter[str]) -> None:
    if isinstance(node, str):
        match = _ARN_REGION.match(node)
        if match:
            counts[match.group(1)] += 1
    elif isinstance(node, Mapping):
        for value in node.values():
            _count_arn_regions(value, counts)
    elif isinstance(node, list):
        for value in node:
            _count_arn_regions(value, counts)


# --------------------------------------------------------------------------------------------
# Buckets


def _app_and_store(name: str, tags: Mapping[str, str]) -> tuple[str, str | None]:
    app, store = tags.get("lgtm:app"), tags.get("lgtm:store")
    if app in TELEMETRY_APPS and store:
        return app, store
    if store in ("access-logs", "audit"):
        return OPERATIONS, store
    match = _NAME_PATTERN.search(name)
    if match:
        return match.group(1), match.group(2)
    if name.endswith("-access-logs"):
        return OPERATIONS, "access-logs"
    if name.endswith("-audit"):
        return OPERATIONS, "audit"
    return OTHER, None


def _transitions(
    blocks: Any, days_key: str, size_filtered: bool, where: str, plan: _Plan
) -> tuple[Transition, ...]:
    steps = []
    for block in blocks or ():
        days = _number(block.get(days_key))
        storage_class = block.get("storage_class")
        if days is None or not isinstance(storage_class, str):
            if block.get("date"):
                plan.notes.append(f"{where}: a date-based transition is not modelled.")
            continue
        steps.append(Transition(days, storage_class, size_filtered))
    return tuple(steps)


def _positive(value: Any) -> float | None:
    number = _number(value)
    return number if number is not None and number > 0 else None


def _inline_rules(bucket: _Resource, plan: _Plan) -> tuple[LifecycleRule, ...]:
    rules = []
    for raw in bucket.values.get("lifecycle_rule") or ():
        where = f"{bucket.address} rule {raw.get('id') or '?'}"
        expiration = _first(raw.get("expiration"))
        if expiration.get("date"):
            plan.notes.append(f"{where}: a date-based expiration is not modelled.")
        rules.append(
            LifecycleRule(
                rule_id=str(raw.get("id") or ""),
                enabled=bool(raw.get("enabled", True)),
                prefix=str(raw.get("prefix") or ""),
                tag_filter=bool(raw.get("tags")),
                expiration_days=_positive(expiration.get("days")),
                transitions=_transitions(raw.get("transition"), "days", False, where, plan),
                noncurrent_expiration_days=_positive(
                    _first(raw.get("noncurrent_version_expiration")).get("days")
                ),
                noncurrent_transitions=_transitions(
                    raw.get("noncurrent_version_transition"), "days", False, where, plan
                ),
                abort_multipart_days=_positive(raw.get("abort_incomplete_multipart_upload_days")),
            )
        )
    return tuple(rules)


def _standalone_rules(config: _Resource, plan: _Plan) -> tuple[LifecycleRule, ...]:
    rules = []
    for raw in config.values.get("rule") or ():
        where = f"{config.address} rule {raw.get('id') or '?'}"
        filter_block = _first(raw.get("filter"))
        conjunction = _first(filter_block.get("and"))
        prefix = conjunction.get("prefix") or filter_block.get("prefix") or raw.get("prefix") or ""
        min_size = _number(
            conjunction.get("object_size_greater_than")
            or filter_block.get("object_size_greater_than")
        )
        max_size = _number(
            conjunction.get("object_size_less_than") or filter_block.get("object_size_less_than")
        )
        sized = bool(min_size or max_size)
        expiration = _first(raw.get("expiration"))
        if expiration.get("date"):
            plan.notes.append(f"{where}: a date-based expiration is not modelled.")
        noncurrent = _first(raw.get("noncurrent_version_expiration"))
        if noncurrent.get("newer_noncurrent_versions"):
            plan.notes.append(f"{where}: newer_noncurrent_versions is not modelled.")
        rules.append(
            LifecycleRule(
                rule_id=str(raw.get("id") or ""),
                enabled=str(raw.get("status", "Enabled")) == "Enabled",
                prefix=str(prefix),
                min_size=min_size or None,
                max_size=max_size or None,
                tag_filter=bool(filter_block.get("tag") or conjunction.get("tags")),
                expiration_days=_positive(expiration.get("days")),
                transitions=_transitions(raw.get("transition"), "days", sized, where, plan),
                noncurrent_expiration_days=_positive(noncurrent.get("noncurrent_days")),
                noncurrent_transitions=_transitions(
                    raw.get("noncurrent_version_transition"), "noncurrent_days", sized, where, plan
                ),
                abort_multipart_days=_positive(
                    _first(raw.get("abort_incomplete_multipart_upload")).get(
                        "days_after_initiation"
                    )
                ),
            )
        )
    return tuple(rules)


_BUCKET_SETTINGS = frozenset(
    {
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_metric",
        "aws_s3_bucket_logging",
    }
)


def _buckets(plan: _Plan) -> tuple[Bucket, ...]:
    raw_buckets = plan.of_type("aws_s3_bucket")
    by_address = {res.address: res for res in raw_buckets}

    def owner(res: _Resource) -> _Resource | None:
        name = res.values.get("bucket")
        if isinstance(name, str):
            for candidate in raw_buckets:
                if candidate.values.get("bucket") == name:
                    return candidate
        return plan.linked(res, "bucket", "aws_s3_bucket")

    settings: dict[str, dict[str, Any]] = {address: {} for address in by_address}
    for res in plan.resources:
        if res.type == "aws_s3_bucket_intelligent_tiering_configuration":
            plan.notes.append(
                f"{res.address}: Intelligent-Tiering's opt-in archive tiers are not modelled."
            )
        if res.type not in _BUCKET_SETTINGS:
            continue
        target = owner(res)
        if target is None:
            plan.notes.append(f"{res.address} could not be linked to a bucket of the plan.")
            continue
        entry = settings[target.address]
        if res.type == "aws_s3_bucket_versioning":
            status = _first(res.values.get("versioning_configuration")).get("status")
            entry["versioning"] = status == "Enabled"
        elif res.type == "aws_s3_bucket_server_side_encryption_configuration":
            rule = _first(res.values.get("rule"))
            default = _first(rule.get("apply_server_side_encryption_by_default"))
            entry["encryption"] = str(default.get("sse_algorithm") or "AES256")
            entry["bucket_key"] = bool(rule.get("bucket_key_enabled"))
        elif res.type == "aws_s3_bucket_lifecycle_configuration":
            entry["lifecycle"] = Lifecycle(
                rules=_standalone_rules(res, plan),
                min_transition_size=str(
                    res.values.get("transition_default_minimum_object_size") or ALL_CLASSES_128K
                ),
            )
        elif res.type == "aws_s3_bucket_metric":
            entry["request_metric_filters"] = entry.get("request_metric_filters", 0) + 1
        elif res.type == "aws_s3_bucket_logging":
            target_bucket = res.values.get("target_bucket")
            target_prefix = res.values.get("target_prefix")
            entry["access_log_target"] = target_bucket if isinstance(target_bucket, str) else None
            entry["access_log_prefix"] = target_prefix if isinstance(target_prefix, str) else ""

    buckets = []
    for res in raw_buckets:
        name = res.values.get("bucket")
        if not isinstance(name, str):
            name = res.address
            plan.notes.append(f"{res.address} has no known name; it is listed by its address.")
        app, store = _app_and_store(name, _tags(res.values))
        entry = settings[res.address]
        inline = _inline_rules(res, plan)
        if "lifecycle" in entry and inline:
            plan.notes.append(
                f"{name} has both inline lifecycle rules and an aws_s3_bucket_lifecycle_"
                "configuration; the standalone configuration is used, as AWS keeps one."
            )
        inline_versioning = bool(_first(res.values.get("versioning")).get("enabled"))
        inline_sse = _first(
            _first(_first(res.values.get("server_side_encryption_configuration")).get("rule")).get(
                "apply_server_side_encryption_by_default"
            )
        )
        inline_logging = _first(res.values.get("logging")).get("target_bucket")
        buckets.append(
            Bucket(
                address=res.address,
                name=name,
                app=app,
                store=store,
                versioning=entry.get("versioning", inline_versioning),
                encryption=entry.get(
                    "encryption", str(inline_sse.get("sse_algorithm") or "AES256")
                ),
                bucket_key=entry.get("bucket_key", False),
                lifecycle=entry.get("lifecycle", Lifecycle(rules=inline)),
                request_metric_filters=entry.get("request_metric_filters", 0),
                access_log_target=entry.get("access_log_target")
                or (inline_logging if isinstance(inline_logging, str) else None),
                access_log_prefix=entry.get("access_log_prefix", ""),
            )
        )
    return tuple(buckets)


# --------------------------------------------------------------------------------------------
# Keys, tables, trails, alarms


def _keys(plan: _Plan) -> tuple[Key, ...]:
    aliases: dict[str, str] = {}
    for alias in plan.of_type("aws_kms_alias"):
        key = plan.linked(alias, "target_key_id", "aws_kms_key")
        name = alias.values.get("name")
        if key is not None and isinstance(name, str):
            aliases.setdefault(key.address, name)
    keys = []
    for res in plan.of_type("aws_kms_key", "aws_kms_replica_key"):
        app = _tags(res.values).get("lgtm:app")
        keys.append(
            Key(
                address=res.address,
                label=aliases.get(res.address, res.address),
                app=app if app in (*TELEMETRY_APPS, OPERATIONS) else OTHER,
                rotation=bool(res.values.get("enable_key_rotation")),
                rotation_period_days=_number(res.values.get("rotation_period_in_days")) or 365.0,
            )
        )
    return tuple(keys)


def _app_of_name(name: str, tags: Mapping[str, str]) -> str:
    app = tags.get("lgtm:app")
    if app in TELEMETRY_APPS:
        return app
    tokens = name.split("-")
    return next((token for token in tokens if token in TELEMETRY_APPS), OTHER)


def _tables(plan: _Plan) -> tuple[Table, ...]:
    scaling: dict[str, dict[str, Scaling]] = {}
    utilization: dict[tuple[str, str], float] = {}
    for policy in plan.of_type("aws_appautoscaling_policy"):
        config = _first(policy.values.get("target_tracking_scaling_policy_configuration"))
        target_value = _number(config.get("target_value"))
        target = plan.linked(policy, "resource_id", "aws_appautoscaling_target")
        if target is not None and target_value is not None:
            key = (
                str(target.values.get("resource_id")),
                str(target.values.get("scalable_dimension")),
            )
            utilization[key] = target_value
    for target in plan.of_type("aws_appautoscaling_target"):
        if target.values.get("service_namespace") != "dynamodb":
            continue
        resource_id = str(target.values.get("resource_id") or "")
        dimension = str(target.values.get("scalable_dimension") or "")
        parts = resource_id.split("/")
        if len(parts) < 2 or parts[0] != "table":
            continue
        direction = "read" if dimension.endswith("ReadCapacityUnits") else "write"
        key = f"{parts[3]}/{direction}" if len(parts) >= 4 and parts[2] == "index" else direction
        scaling.setdefault(parts[1], {})[key] = Scaling(
            minimum=_number(target.values.get("min_capacity")) or 0.0,
            maximum=_number(target.values.get("max_capacity")) or 0.0,
            target_utilization=utilization.get((resource_id, dimension), 70.0),
        )
    tables = []
    for res in plan.of_type("aws_dynamodb_table"):
        name = res.values.get("name")
        name = name if isinstance(name, str) else res.address
        table_class = res.values.get("table_class") or "STANDARD"
        sse = _first(res.values.get("server_side_encryption"))
        if res.values.get("replica"):
            plan.notes.append(f"{name}: global-table replicas are not modelled.")
        tables.append(
            Table(
                address=res.address,
                name=name,
                app=_app_of_name(name, _tags(res.values)),
                billing_mode=str(res.values.get("billing_mode") or "PROVISIONED"),
                table_class=str(table_class),
                pitr=bool(_first(res.values.get("point_in_time_recovery")).get("enabled")),
                read_capacity=_number(res.values.get("read_capacity")) or 0.0,
                write_capacity=_number(res.values.get("write_capacity")) or 0.0,
                indexes=tuple(
                    (
                        str(index.get("name")),
                        _number(index.get("read_capacity")) or 0.0,
                        _number(index.get("write_capacity")) or 0.0,
                    )
                    for index in res.values.get("global_secondary_index") or ()
                ),
                kms_encrypted=bool(sse.get("enabled")),
                scaling=scaling.get(name, {}),
            )
        )
    return tuple(tables)


def _bucket_from_arn(arn: str) -> str | None:
    """ "arn:aws:s3:::name/prefix" -> "name"; "arn:aws:s3" or "arn:aws:s3:::" -> None (all)."""
    rest = arn.split(":::", 1)[1] if ":::" in arn else ""
    return rest.split("/", 1)[0] or None


def _selector_buckets(values: list[Any]) -> tuple[str, ...] | None:
    names = []
    for value in values:
        name = _bucket_from_arn(str(value))
        if name is None:
            return None
        names.append(name)
    return tuple(dict.fromkeys(names))


def _trails(plan: _Plan, buckets: tuple[Bucket, ...]) -> tuple[Trail, ...]:
    trails = []
    for res in plan.of_type("aws_cloudtrail"):
        name = str(res.values.get("name") or res.address)
        target = res.values.get("s3_bucket_name")
        if not isinstance(target, str):
            linked = plan.linked(res, "s3_bucket_name", "aws_s3_bucket")
            target = linked.values.get("bucket") if linked is not None else None
        fallback = tuple(
            bucket.name
            for bucket in buckets
            if bucket.app in TELEMETRY_APPS and bucket.name != target
        ) or tuple(bucket.name for bucket in buckets if bucket.name != target)
        selectors = []
        for selector in res.values.get("event_selector") or ():
            for data in selector.get("data_resource") or ():
                if data.get("type") != "AWS::S3::Object":
                    continue
                values = data.get("values")
                if isinstance(values, list):
                    chosen = _selector_buckets(values)
                else:
                    chosen = fallback
                    plan.notes.append(
                        f"The S3 data-event buckets of trail {name} are only known after apply; "
                        f"assumed: the {len(fallback)} telemetry buckets."
                    )
                selectors.append(
                    TrailSelector(str(selector.get("read_write_type") or "All"), chosen)
                )
        for selector in res.values.get("advanced_event_selector") or ():
            found = {str(item.get("field")): item for item in selector.get("field_selector") or ()}
            if "Data" not in (found.get("eventCategory") or {}).get("equals", ()):
                continue
            if "AWS::S3::Object" not in (found.get("resources.type") or {}).get("equals", ()):
                continue
            read_only = (found.get("readOnly") or {}).get("equals") or ()
            kind = (
                "ReadOnly"
                if "true" in read_only
                else "WriteOnly"
                if "false" in read_only
                else "All"
            )
            prefixes = (found.get("resources.ARN") or {}).get("starts_with")
            selectors.append(TrailSelector(kind, _selector_buckets(prefixes) if prefixes else None))
        trails.append(
            Trail(
                address=res.address,
                name=name,
                selectors=tuple(selectors),
                target_bucket=target if isinstance(target, str) else None,
                key_prefix=str(res.values.get("s3_key_prefix") or ""),
            )
        )
    return tuple(trails)


def _alarms(
    plan: _Plan, buckets: tuple[Bucket, ...], tables: tuple[Table, ...]
) -> tuple[Alarm, ...]:
    app_of_bucket = {bucket.name: bucket.app for bucket in buckets}
    app_of_table = {table.name: table.app for table in tables}
    alarms = []
    for res in plan.of_type("aws_cloudwatch_metric_alarm"):
        values = res.values
        queries = values.get("metric_query") or ()
        if values.get("metric_name"):
            metrics, dimensions, period = 1, values.get("dimensions") or {}, values.get("period")
        else:
            with_metric = [query for query in queries if query.get("metric")]
            metrics = max(1, len(with_metric))
            first_metric = _first(with_metric[0].get("metric")) if with_metric else {}
            dimensions = first_metric.get("dimensions") or {}
            period = first_metric.get("period")
        if values.get("threshold_metric_id"):
            metrics *= 3  # an anomaly-detection alarm bills the metric and its two bands
        app = (
            app_of_bucket.get(str(dimensions.get("BucketName")))
            or app_of_table.get(str(dimensions.get("TableName")))
            or _tags(values).get("lgtm:app")
            or OPERATIONS
        )
        seconds = _number(period)
        alarms.append(
            Alarm(
                address=res.address,
                name=str(values.get("alarm_name") or res.address),
                app=app if app in (*TELEMETRY_APPS, OPERATIONS) else OPERATIONS,
                metrics=metrics,
                high_resolution=seconds is not None and seconds < 60,
            )
        )
    return tuple(alarms)


def inventory_from_plan(plan_json: Mapping[str, Any]) -> Inventory:
    plan = _Plan(plan_json)
    region, region_source = _region(plan)
    buckets = _buckets(plan)
    tables = _tables(plan)
    settings = plan.output("settings")
    retention = settings.get("retention_days") if isinstance(settings, Mapping) else None
    environment = plan.output("environment")
    return Inventory(
        region=region,
        region_source=region_source,
        environment=environment if isinstance(environment, str) else None,
        retention_days={
            app: float(days)
            for app, days in (retention or {}).items()
            if isinstance(days, int | float) and not isinstance(days, bool)
        },
        buckets=buckets,
        keys=_keys(plan),
        tables=tables,
        trails=_trails(plan, buckets),
        alarms=_alarms(plan, buckets, tables),
        notes=tuple(dict.fromkeys(plan.notes)),
    )
