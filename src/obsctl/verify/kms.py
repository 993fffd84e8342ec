"""Key controls: enabled, rotating, not pending deletion, no public principal, alias in place."""

from __future__ import annotations

import json
from typing import Any

from obsctl.model.stack import Key
from obsctl.verify.collect import KeyLive
from obsctl.verify.model import Result, errored, failed, judged, passed, subject

# Conditions that tie a `*` principal to callers of one account or organization (KMS.5). A
# kms:ViaService condition alone does not: any account's principal can call through S3.
RESTRICTING_KEYS = frozenset(
    {
        "kms:calleraccount",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principalarn",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:principalorgpaths",
    }
)


def _metadata(live: KeyLive) -> dict[str, Any]:
    return live.describe.data.get("KeyMetadata", {}) if live.describe.ok else {}


def check_enabled(key: Key, live: KeyLive) -> Result:
    cid = "kms.enabled"
    if not live.describe.ok:
        return errored(
            cid, subject(key), f"could not describe it ({live.describe.describe_error()})"
        )
    meta = _metadata(live)
    state = meta.get("KeyState")
    if meta.get("Enabled") and state == "Enabled":
        return passed(cid, subject(key), "Enabled")
    return failed(cid, subject(key), f"the key is not enabled (state {state})")


def check_rotation(key: Key, live: KeyLive) -> Result:
    cid = "kms.rotation"
    if not live.rotation.ok:
        return errored(
            cid, subject(key), f"could not read rotation ({live.rotation.describe_error()})"
        )
    if live.rotation.data.get("KeyRotationEnabled"):
        period = live.rotation.data.get("RotationPeriodInDays")
        return passed(cid, subject(key), "rotation on" + (f", every {period} d" if period else ""))
    return failed(cid, subject(key), "automatic rotation is off")


def check_pending_deletion(key: Key, live: KeyLive) -> Result:
    cid = "kms.pending-deletion"
    if not live.describe.ok:
        return errored(
            cid, subject(key), f"could not describe it ({live.describe.describe_error()})"
        )
    meta = _metadata(live)
    if meta.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
        when = meta.get("DeletionDate")
        return failed(
            cid,
            subject(key),
            "the key is scheduled for deletion" + (f" on {str(when)[:10]}" if when else ""),
        )
    return passed(cid, subject(key), f"state {meta.get('KeyState')}")


def _principals(statement: dict[str, Any]) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if not isinstance(principal, dict):
        return []
    found: list[str] = []
    for value in principal.values():
        found += [value] if isinstance(value, str) else [str(v) for v in value]
    return found


def public_statements(policy: dict[str, Any]) -> list[str]:
    """Sids (or positions) of Allow statements open to `*` without an account-scoping condition."""
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    found = []
    for position, statement in enumerate(statements):
        if statement.get("Effect") != "Allow" or "*" not in _principals(statement):
            continue
        condition_keys = {
            key.lower() for block in (statement.get("Condition") or {}).values() for key in block
        }
        if not condition_keys & RESTRICTING_KEYS:
            found.append(statement.get("Sid") or f"#{position + 1}")
    return found


def check_public_principal(key: Key, live: KeyLive) -> Result:
    cid = "kms.public-principal"
    if not live.policy.ok:
        return errored(
            cid, subject(key), f"could not read the key policy ({live.policy.describe_error()})"
        )
    try:
        policy = json.loads(live.policy.data.get("Policy") or "{}")
    except ValueError:
        return failed(cid, subject(key), "the key policy is not valid JSON")
    open_to_all = public_statements(policy)
    problems = [
        f"statement {sid} allows Principal * without an account condition" for sid in open_to_all
    ]
    return judged(cid, subject(key), problems, "no statement allows Principal * unconditioned")


def check_alias(key: Key, live: KeyLive) -> Result:
    cid = "kms.alias"
    if not live.aliases.ok:
        return errored(
            cid, subject(key), f"could not list aliases ({live.aliases.describe_error()})"
        )
    names = {
        alias.get("AliasName"): alias.get("TargetKeyId") for alias in live.aliases.data["Aliases"]
    }
    if key.alias not in names:
        return failed(cid, subject(key), f"alias {key.alias} does not point at this key")
    if names[key.alias] not in (key.key_id, key.arn):
        return failed(cid, subject(key), f"alias {key.alias} points at {names[key.alias]}")
    return passed(cid, subject(key), f"{key.alias}")


def check_key(key: Key, live: KeyLive) -> list[Result]:
    results = [
        check_enabled(key, live),
        check_rotation(key, live),
        check_pending_deletion(key, live),
        check_public_principal(key, live),
    ]
    if key.alias:
        results.append(check_alias(key, live))
    return results
