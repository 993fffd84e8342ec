"""Key controls: who can use, grant or destroy a key."""

from __future__ import annotations

from obsctl.verify.catalogue.control import APPLY, REMOVE, Control

_KMS = "terraform/modules/s3-kms/kms.tf"

KEY_CONTROLS: tuple[Control, ...] = (
    Control(
        "kms.enabled",
        "The key is enabled",
        "KMS key",
        "high",
        "Enable the key (`aws kms enable-key`); with it disabled the app can neither read nor "
        "write its bucket. " + APPLY,
        checkov=("CKV_AWS_227",),
        source=_KMS,
    ),
    Control(
        "kms.rotation",
        "Automatic key rotation is on",
        "KMS key",
        "medium",
        "Enable automatic rotation (`aws kms enable-key-rotation`). " + APPLY,
        securityhub=("KMS.4",),
        cis=("3.6",),
        checkov=("CKV_AWS_7",),
        source=_KMS,
    ),
    Control(
        "kms.pending-deletion",
        "The key is not scheduled for deletion",
        "KMS key",
        "high",
        "Cancel the deletion (`aws kms cancel-key-deletion`, then enable the key) before the "
        "waiting period ends, or every object encrypted with it is lost.",
        securityhub=("KMS.3",),
        source=_KMS,
    ),
    Control(
        "kms.external-access",
        "The key policy allows no principal outside the account (nor `*` unpinned)",
        "KMS key",
        "high",
        "Remove the Allow for another account or for Principal `*`; a `*` principal must be "
        "pinned to this account (kms:CallerAccount / aws:PrincipalAccount), and another "
        "account's administrator needs kms.external_administrator_accounts. " + APPLY,
        securityhub=("KMS.5",),
        checkov=("CKV_AWS_33",),
        source=_KMS,
    ),
    Control(
        "kms.grants",
        "No grant gives a principal the key outside its policy",
        "KMS key",
        "high",
        "Revoke the grant (`aws kms revoke-grant --key-id KEY --grant-id ID`). " + REMOVE,
        source=_KMS,
    ),
    Control(
        "kms.alias",
        "The key's alias exists and points at it",
        "KMS key",
        "low",
        "Recreate the alias for the key. " + APPLY,
        source=_KMS,
    ),
)
