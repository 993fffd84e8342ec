"""S3 lifecycle rules: the one `LifecycleRule`, whichever of its four shapes it is read from.

The stack contract lists each bucket's rules as the modules wrote them (`from_contract`); a
Terraform plan or state holds the inline `lifecycle_rule` blocks of aws_s3_bucket
(`from_inline`) or the `rule` blocks of aws_s3_bucket_lifecycle_configuration
(`from_configuration`); S3 answers GetBucketLifecycleConfiguration (`from_api`). The same rule
reads as the same value from each, so drift is a comparison and every consumer (verify's
controls, the cost model) judges one type. `Lifecycle.policy_for` merges the rules that reach
one stream of objects, as S3 applies them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from obsctl.model.tfjson import first_block

# S3's storage classes, in the order of its lifecycle waterfall [AWS-LC].
STANDARD = "STANDARD"
STANDARD_IA = "STANDARD_IA"
INTELLIGENT_TIERING = "INTELLIGENT_TIERING"
ONEZONE_IA = "ONEZONE_IA"
GLACIER_IR = "GLACIER_IR"
GLACIER = "GLACIER"
DEEP_ARCHIVE = "DEEP_ARCHIVE"
WATERFALL = (
    STANDARD, STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE,
)  # fmt: skip

# transition_default_minimum_object_size [AWS-TDMOS]: the default blocks transitions of objects
# under 128 KB into every class; the alternative still lets them into the two archive classes.
ALL_CLASSES_128K = "all_storage_classes_128K"
VARIES_BY_CLASS = "varies_by_storage_class"


@dataclass(frozen=True)
class Transition:
    days: float
    storage_class: str
    size_filtered: bool = False  # the rule filters on object size, which overrides the default
    date: str | None = None  # a date-based transition (days is then 0); no model prices it


@dataclass(frozen=True)
class LifecycleRule:
    id: str = ""
    enabled: bool = True
    prefix: str = ""
    min_size: float | None = None  # ObjectSizeGreaterThan, bytes (exclusive)
    max_size: float | None = None  # ObjectSizeLessThan, bytes (exclusive)
    tag_filter: bool = False  # object tags are unknown, so a tag-filtered rule reaches no stream
    expiration_days: float | None = None
    expiration_date: str | None = None
    expire_delete_markers: bool = False
    transitions: tuple[Transition, ...] = ()
    noncurrent_expiration_days: float | None = None
    noncurrent_transitions: tuple[Transition, ...] = ()
    abort_multipart_days: float | None = None

    @property
    def narrowed(self) -> bool:
        """A tag or size filter limits the rule to fewer objects than its prefix."""
        return self.tag_filter or self.min_size is not None or self.max_size is not None

    @property
    def whole_bucket(self) -> bool:
        return self.prefix == "" and not self.narrowed

    @property
    def expires_current_objects(self) -> bool:
        return self.expiration_days is not None or self.expiration_date is not None

    def applies_to(self, key_prefix: str, size: float) -> bool:
        """Whether the rule reaches objects of `size` bytes written under `key_prefix`."""
        if not self.enabled or self.tag_filter or not key_prefix.startswith(self.prefix):
            return False
        if self.min_size is not None and not size > self.min_size:
            return False
        return self.max_size is None or size < self.max_size

    def scope(self) -> str:
        where = "the whole bucket" if self.prefix == "" else f"prefix {self.prefix!r}"
        return where + (" (narrowed by tags or size)" if self.narrowed else "")

    def describe(self) -> str:
        parts = []
        if self.expiration_days is not None:
            parts.append(f"expire after {self.expiration_days:g} d")
        if self.expiration_date is not None:
            parts.append(f"expire on {self.expiration_date}")
        if self.expire_delete_markers:
            parts.append("remove expired delete markers")
        if self.noncurrent_expiration_days is not None:
            parts.append(f"noncurrent versions after {self.noncurrent_expiration_days:g} d")
        if self.abort_multipart_days is not None:
            parts.append(f"abort uploads after {self.abort_multipart_days:g} d")
        parts += [_describe_step(step) for step in self.transitions]
        parts += [f"noncurrent {_describe_step(step)}" for step in self.noncurrent_transitions]
        state = "" if self.enabled else ", disabled"
        return f"{self.id} ({self.scope()}{state}: {', '.join(parts) or 'no action'})"


def _describe_step(step: Transition) -> str:
    when = f"on {step.date}" if step.date else f"after {step.days:g} d"
    return f"{step.storage_class} {when}"


@dataclass(frozen=True)
class Policy:
    """The merged effect of every rule that reaches one stream of objects."""

    expiration_days: float | None = None
    transitions: tuple[Transition, ...] = ()
    noncurrent_expiration_days: float | None = None
    noncurrent_transitions: tuple[Transition, ...] = ()


@dataclass(frozen=True)
class Lifecycle:
    """A bucket's lifecycle configuration."""

    rules: tuple[LifecycleRule, ...] = ()
    min_transition_size: str = ALL_CLASSES_128K

    def policy_for(self, key_prefix: str, size: float) -> Policy:
        """Every enabled rule whose filter covers the stream, merged as S3 applies them: the
        earliest expiration wins, and transitions of all rules happen in day order. Dated
        actions are left out (no steady state to model)."""
        rules = [rule for rule in self.rules if rule.applies_to(key_prefix, size)]
        return Policy(
            expiration_days=_earliest([rule.expiration_days for rule in rules]),
            transitions=_in_day_order(step for rule in rules for step in rule.transitions),
            noncurrent_expiration_days=_earliest(
                [rule.noncurrent_expiration_days for rule in rules]
            ),
            noncurrent_transitions=_in_day_order(
                step for rule in rules for step in rule.noncurrent_transitions
            ),
        )


def _earliest(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return min(present) if present else None


def _in_day_order(steps: Any) -> tuple[Transition, ...]:
    dated = [step for step in steps if step.date is None]
    return tuple(sorted(dated, key=lambda step: (step.days, WATERFALL.index(step.storage_class))))


# -- reading ---------------------------------------------------------------------------------


def _days(value: Any) -> int | None:
    """Terraform writes 0 (and S3 omits the field) where an action is not set."""
    if value in (None, "", 0) or isinstance(value, bool):
        return None
    return int(value)


def _size(value: Any) -> float | None:
    if value in (None, "", 0) or isinstance(value, bool):
        return None
    return float(value)


def _steps(
    items: Any, days_key: str, class_key: str, date_key: str | None, sized: bool
) -> tuple[Transition, ...]:
    steps = []
    for item in items or ():
        date = item.get(date_key) if date_key else None
        steps.append(
            Transition(
                float(item.get(days_key) or 0),
                str(item.get(class_key)),
                sized,
                str(date)[:10] if date else None,
            )
        )
    return tuple(sorted(steps, key=lambda step: (step.date or "", step.days, step.storage_class)))


def from_api(rule: Mapping[str, Any]) -> LifecycleRule:
    """A rule as GetBucketLifecycleConfiguration returns it (`Filter`, or the legacy `Prefix`)."""
    spec = rule.get("Filter")
    spec = spec if isinstance(spec, Mapping) else {}
    both = spec.get("And") or {}
    prefix = (both or spec).get("Prefix", rule.get("Prefix"))
    min_size = _size(both.get("ObjectSizeGreaterThan") or spec.get("ObjectSizeGreaterThan"))
    max_size = _size(both.get("ObjectSizeLessThan") or spec.get("ObjectSizeLessThan"))
    sized = min_size is not None or max_size is not None
    expiration = rule.get("Expiration") or {}
    date = expiration.get("Date")
    return LifecycleRule(
        id=str(rule.get("ID", "")),
        enabled=rule.get("Status") == "Enabled",
        prefix=prefix or "",
        min_size=min_size,
        max_size=max_size,
        tag_filter=bool(both.get("Tags") or spec.get("Tag")),
        expiration_days=_days(expiration.get("Days")),
        expiration_date=str(date)[:10] if date else None,
        expire_delete_markers=bool(expiration.get("ExpiredObjectDeleteMarker")),
        transitions=_steps(rule.get("Transitions"), "Days", "StorageClass", "Date", sized),
        noncurrent_expiration_days=_days(
            (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
        ),
        noncurrent_transitions=_steps(
            rule.get("NoncurrentVersionTransitions"), "NoncurrentDays", "StorageClass", None, sized
        ),
        abort_multipart_days=_days(
            (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")
        ),
    )


def _from_terraform(
    rule: Mapping[str, Any], noncurrent_days: str, sized: bool, **scope: Any
) -> LifecycleRule:
    """The actions both Terraform resources write alike; `scope` is what they write apart
    (whether the rule is on, its filter, the multipart abort)."""
    expiration = first_block(rule.get("expiration"))
    date = expiration.get("date")
    return LifecycleRule(
        id=str(rule.get("id") or ""),
        expiration_days=_days(expiration.get("days")),
        expiration_date=str(date)[:10] if date else None,
        expire_delete_markers=bool(expiration.get("expired_object_delete_marker")),
        transitions=_steps(rule.get("transition"), "days", "storage_class", "date", sized),
        noncurrent_expiration_days=_days(
            first_block(rule.get("noncurrent_version_expiration")).get(noncurrent_days)
        ),
        noncurrent_transitions=_steps(
            rule.get("noncurrent_version_transition"), noncurrent_days, "storage_class", None, sized
        ),
        **scope,
    )


def from_inline(rule: Mapping[str, Any]) -> LifecycleRule:
    """An inline `lifecycle_rule` block of aws_s3_bucket, in a plan or a state."""
    return _from_terraform(
        rule,
        "days",
        False,
        enabled=bool(rule.get("enabled", True)),
        prefix=str(rule.get("prefix") or ""),
        tag_filter=bool(rule.get("tags")),
        abort_multipart_days=_days(rule.get("abort_incomplete_multipart_upload_days")),
    )


def from_configuration(rule: Mapping[str, Any]) -> LifecycleRule:
    """A `rule` block of aws_s3_bucket_lifecycle_configuration, in a plan or a state."""
    spec = first_block(rule.get("filter"))
    both = first_block(spec.get("and"))
    prefix = both.get("prefix") or spec.get("prefix") or rule.get("prefix") or ""
    min_size = _size(both.get("object_size_greater_than") or spec.get("object_size_greater_than"))
    max_size = _size(both.get("object_size_less_than") or spec.get("object_size_less_than"))
    abort = first_block(rule.get("abort_incomplete_multipart_upload"))
    return _from_terraform(
        rule,
        "noncurrent_days",
        min_size is not None or max_size is not None,
        enabled=str(rule.get("status", "Enabled")) == "Enabled",
        prefix=str(prefix),
        min_size=min_size,
        max_size=max_size,
        tag_filter=bool(first_block(spec.get("tag")) or both.get("tags")),
        abort_multipart_days=_days(abort.get("days_after_initiation")),
    )


def from_contract(rule: Mapping[str, Any]) -> LifecycleRule:
    """A rule of the contract's `buckets.<app>.<store>.lifecycle_rules` (the s3-kms module's
    own shape; every rule it writes is enabled and filtered by prefix only)."""
    return LifecycleRule(
        id=str(rule["id"]),
        prefix=str(rule["prefix"]),
        expiration_days=_days(rule.get("expiration_days")),
        expire_delete_markers=bool(rule.get("expire_delete_markers")),
        transitions=_steps(rule.get("transitions"), "days", "storage_class", None, False),
        noncurrent_expiration_days=_days(rule.get("noncurrent_expire_days")),
        abort_multipart_days=_days(rule.get("abort_after_days")),
    )
