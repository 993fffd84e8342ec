"""S3 settings the three storage apps share: endpoint, region, SSE-KMS and retention periods."""

from __future__ import annotations

from typing import Any

from obsctl.errors import UsageError

SSE_KMS = "SSE-KMS"


def s3_endpoint(region: str) -> str:
    """The regional S3 endpoint (set with `region`, so no client calls GetBucketLocation)."""
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"s3.{region}.{suffix}"


def sse(kms_key_arn: str | None) -> dict[str, Any] | None:
    """The `sse` block the apps share, or None when the stack's buckets use no KMS key.

    Always with the full key ARN: Tempo refuses to start with SSE-KMS and no key id, and an
    alias would resolve in the caller's account.
    """
    if kms_key_arn is None:
        return None
    if ":alias/" in kms_key_arn:
        raise UsageError(
            f"the stack contract gives the KMS alias ARN {kms_key_arn} where the key ARN "
            "(…:key/<id>) is needed."
        )
    return {"type": SSE_KMS, "kms_key_id": kms_key_arn}


def hours(days: int) -> str:
    """A retention in hours, the unit every app's duration parser accepts (Go's has no "d")."""
    return f"{days * 24}h"
