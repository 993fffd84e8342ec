"""Lifecycle rules in one shape, whether they come from S3's API or from the Terraform state.

S3 answers `Filter: {Prefix: ...}` (or the legacy top-level `Prefix`), the state holds either the
inline `lifecycle_rule` blocks of aws_s3_bucket (what our modules write) or the `rule` blocks of
aws_s3_bucket_lifecycle_configuration. Both become `LifecycleRule`, which drift compares and the
lifecycle controls judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LifecycleRule:
    id: str
    enabled: bool
    prefix: str
    narrowed: bool = False  # a tag or size filter limits it to fewer objects than the prefix
    expiration_days: int | None = None
    expiration_date: str | None = None
    expire_delete_markers: bool = False
    noncurrent_days: int | None = None
    abort_days: int | None = None
    transitions: tuple[tuple[int, str], ...] = ()

    @property
    def whole_bucket(self) -> bool:
        return self.prefix == "" and not self.narrowed

    @property
    def expires_current_objects(self) -> bool:
        return self.expiration_days is not None or self.expiration_date is not None

    def scope(self) -> str:
        where = "the whole bucket" if self.prefix == "" else f"prefix {self.prefix!r}"
        return where + (" (narrowed by tags or size)" if self.narrowed else "")

    def describe(self) -> str:
        parts = []
        if self.expiration_days is not None:
            parts.append(f"expire after {self.expiration_days} d")
        if self.expiration_date is not None:
            parts.append(f"expire on {self.expiration_date}")
        if self.expire_delete_markers:
            parts.append("remove expired delete markers")
        if self.noncurrent_days is not None:
            parts.append(f"noncurrent versions after {self.noncurrent_days} d")
        if self.abort_days is not None:
            parts.append(f"abort uploads after {self.abort_days} d")
        parts += [f"{cls} after {days} d" for days, cls in self.transitions]
        state = "" if self.enabled else ", disabled"
        return f"{self.id} ({self.scope()}{state}: {', '.join(parts) or 'no action'})"


def _positive(value: Any) -> int | None:
    """Terraform writes 0 (and S3 omits the field) where an action is not set."""
    if value in (None, "", 0):
        return None
    return int(value)


def _first(blocks: Any) -> dict[str, Any]:
    return blocks[0] if isinstance(blocks, list) and blocks and blocks[0] else {}


def from_api(rule: dict[str, Any]) -> LifecycleRule:
    """A rule as GetBucketLifecycleConfiguration returns it."""
    prefix = rule.get("Prefix")
    narrowed = False
    spec = rule.get("Filter")
    if isinstance(spec, dict):
        if "And" in spec:
            both = spec["And"]
            prefix = both.get("Prefix", "")
            narrowed = bool(
                both.get("Tags")
                or both.get("ObjectSizeGreaterThan")
                or both.get("ObjectSizeLessThan")
            )
        elif "Tag" in spec or "ObjectSizeGreaterThan" in spec or "ObjectSizeLessThan" in spec:
            prefix, narrowed = spec.get("Prefix", ""), True
        else:
            prefix = spec.get("Prefix", prefix)
    expiration = rule.get("Expiration") or {}
    date = expiration.get("Date")
    return LifecycleRule(
        id=str(rule.get("ID", "")),
        enabled=rule.get("Status") == "Enabled",
        prefix=prefix or "",
        narrowed=narrowed,
        expiration_days=_positive(expiration.get("Days")),
        expiration_date=str(date)[:10] if date else None,
        expire_delete_markers=bool(expiration.get("ExpiredObjectDeleteMarker")),
        noncurrent_days=_positive(
            (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
        ),
        abort_days=_positive(
            (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")
        ),
        transitions=tuple(
            sorted(
                (int(t.get("Days") or 0), str(t.get("StorageClass")))
                for t in rule.get("Transitions") or []
            )
        ),
    )


def from_inline_state(rule: dict[str, Any]) -> LifecycleRule:
    """An inline `lifecycle_rule` block of aws_s3_bucket in the state."""
    expiration = _first(rule.get("expiration"))
    return LifecycleRule(
        id=str(rule.get("id", "")),
        enabled=bool(rule.get("enabled", True)),
        prefix=rule.get("prefix") or "",
        narrowed=bool(rule.get("tags")),
        expiration_days=_positive(expiration.get("days")),
        expiration_date=(expiration.get("date") or None),
        expire_delete_markers=bool(expiration.get("expired_object_delete_marker")),
        noncurrent_days=_positive(_first(rule.get("noncurrent_version_expiration")).get("days")),
        abort_days=_positive(rule.get("abort_incomplete_multipart_upload_days")),
        transitions=tuple(
            sorted(
                (int(t.get("days") or 0), str(t["storage_class"]))
                for t in rule.get("transition") or []
            )
        ),
    )


def from_configuration_state(rule: dict[str, Any]) -> LifecycleRule:
    """A `rule` block of aws_s3_bucket_lifecycle_configuration in the state."""
    spec = _first(rule.get("filter"))
    both = _first(spec.get("and"))
    prefix = both.get("prefix") if both else spec.get("prefix", rule.get("prefix"))
    narrowed = bool(
        _first(spec.get("tag"))
        or spec.get("object_size_greater_than")
        or spec.get("object_size_less_than")
        or (both and (both.get("tags") or both.get("object_size_greater_than")))
    )
    expiration = _first(rule.get("expiration"))
    return LifecycleRule(
        id=str(rule.get("id", "")),
        enabled=rule.get("status") == "Enabled",
        prefix=prefix or "",
        narrowed=narrowed,
        expiration_days=_positive(expiration.get("days")),
        expiration_date=(expiration.get("date") or None),
        expire_delete_markers=bool(expiration.get("expired_object_delete_marker")),
        noncurrent_days=_positive(
            _first(rule.get("noncurrent_version_expiration")).get("noncurrent_days")
        ),
        abort_days=_positive(
            _first(rule.get("abort_incomplete_multipart_upload")).get("days_after_initiation")
        ),
        transitions=tuple(
            sorted(
                (int(t.get("days") or 0), str(t["storage_class"]))
                for t in rule.get("transition") or []
            )
        ),
    )


def differences(expected: tuple[LifecycleRule, ...], live: tuple[LifecycleRule, ...]) -> list[str]:
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
