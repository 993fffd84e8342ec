"""Drift: what no longer exists, and what differs from what Terraform applied."""

from __future__ import annotations

from obsctl.verify.catalogue.control import APPLY, Control

_STACK = "terraform/modules/stack/main.tf"

DRIFT_CONTROLS: tuple[Control, ...] = (
    Control(
        "drift.missing",
        "Every resource of the contract (bucket, key, role, table, trail, topic, alarm) exists",
        "stack resource",
        "high",
        "Re-apply the stack (`obsctl up`) to recreate it, and find out who deleted it.",
        source=_STACK,
    ),
    Control(
        "drift.tags",
        "Tags are the ones Terraform applied",
        "stack resource",
        "low",
        "Re-apply the stack (`obsctl up`), or add the tags to the configuration.",
        source=_STACK,
    ),
    Control(
        "drift.lifecycle",
        "Lifecycle rules are the ones Terraform applied",
        "S3 bucket",
        "medium",
        "Re-apply the stack (`obsctl up`); change lifecycle rules through the env's settings.",
        source="terraform/modules/s3-kms/lifecycle.tf",
    ),
    Control(
        "drift.policies",
        "Bucket, key, trust and role policies are the ones Terraform applied",
        "stack resource",
        "high",
        "Re-apply the stack (`obsctl up`); remove policies and attachments Terraform does not "
        "manage (an extra inline or attached policy survives a re-apply).",
        source=_STACK,
    ),
    Control(
        "drift.settings",
        "Other settings match the configuration (rotation period, session limits, table class)",
        "stack resource",
        "low",
        APPLY,
        source=_STACK,
    ),
)
