"""Checks `obsctl up` makes before Terraform changes anything."""

from __future__ import annotations

from typing import Any

from obsctl.errors import ObsctlError
from obsctl.verify.session import clients_for, read_state, sandbox_state
from obsctl.workspace.session import Session


def refuse_keys_pending_deletion(session: Session) -> None:
    """A key of the stack scheduled for deletion looks deleted to Terraform: an apply would
    create a new key and move the buckets to it, and everything written under the old key
    becomes unreadable when the deletion completes. Cancelling the deletion is the repair."""
    try:
        state = sandbox_state(session, None) if session.sandbox is not None else None
    except ValueError:  # a state file a killed Terraform left empty: it tracks no key
        state = None
    if state is None and session.sandbox is None:
        state = read_state(session)
    arns = [arn for arn in _key_arns(state or {}) if arn]
    if not arns:
        return
    region = arns[0].split(":")[3]
    kms = clients_for(session, region)("kms")
    pending = []
    for arn in arns:
        try:
            metadata = kms.describe_key(KeyId=arn)["KeyMetadata"]
        except kms.exceptions.NotFoundException:
            continue
        if metadata["KeyState"] == "PendingDeletion":
            pending.append((arn, metadata.get("DeletionDate")))
    if pending:
        arn, when = pending[0]
        more = f" (and {len(pending) - 1} more)" if len(pending) > 1 else ""
        raise ObsctlError(
            f"The stack's KMS key {arn}{more} is scheduled for deletion"
            + (f" on {when:%Y-%m-%d}" if when else "")
            + "; applying now would replace it, and what it encrypts becomes unreadable "
            "when the deletion completes.",
            hint=f"Cancel the deletion first: aws kms cancel-key-deletion --key-id {arn} && "
            f"aws kms enable-key --key-id {arn}; then run obsctl up again.",
        )


def _key_arns(state: dict[str, Any]) -> list[str]:
    """Key ARNs in a raw state document (`terraform state pull`)."""
    return [
        instance.get("attributes", {}).get("arn", "")
        for resource in state.get("resources", [])
        if resource.get("mode") == "managed" and resource.get("type") == "aws_kms_key"
        for instance in resource.get("instances", [])
    ]
