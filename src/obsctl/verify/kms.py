"""Key controls: enabled, rotating, not pending deletion, opened to nobody outside the account
(by its policy or by grants), alias in place."""

from __future__ import annotations

import json
from typing import Any

from obsctl.model.stack import Key, Stack
from obsctl.verify.collect import KeyLive
from obsctl.verify.model import Result, errored, failed, judged, passed, subject
from obsctl.verify.principals import external_grants


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


def check_external_access(key: Key, live: KeyLive, stack: Stack) -> Result:
    cid = "kms.external-access"
    if not live.policy.ok:
        return errored(
            cid, subject(key), f"could not read the key policy ({live.policy.describe_error()})"
        )
    try:
        policy = json.loads(live.policy.data.get("Policy") or "{}")
    except ValueError:
        return failed(cid, subject(key), "the key policy is not valid JSON")
    if not isinstance(policy, dict):
        return failed(cid, subject(key), "the key policy is not a JSON object")
    allowed = frozenset(stack.settings.get("kms_external_administrator_accounts") or ())
    problems = external_grants(policy, stack.account_id, allowed_accounts=allowed)
    return judged(cid, subject(key), problems, f"allows nobody outside {stack.account_id}")


def _service_principal(principal: str) -> bool:
    return principal.endswith(".amazonaws.com") and ":" not in principal


def check_grants(key: Key, live: KeyLive) -> Result:
    """A grant allows its grantee the listed operations whatever the key policy says. AWS
    services make grants for the resources they encrypt (DynamoDB for a table's key); those
    name the service as grantee. Any other grant is access the stack did not give."""
    cid = "kms.grants"
    if not live.grants.ok:
        return errored(cid, subject(key), f"could not list grants ({live.grants.describe_error()})")
    problems = [
        f"grant {grant.get('Name') or grant.get('GrantId', '?')[:12]} gives "
        f"{grant.get('GranteePrincipal')} {', '.join(grant.get('Operations') or [])}"
        for grant in live.grants.data.get("Grants") or []
        if not _service_principal(str(grant.get("GranteePrincipal", "")))
    ]
    return judged(cid, subject(key), problems, "no grant outside the key policy")


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


def check_key(key: Key, live: KeyLive, stack: Stack) -> list[Result]:
    results = [
        check_enabled(key, live),
        check_rotation(key, live),
        check_pending_deletion(key, live),
        check_external_access(key, live, stack),
        check_grants(key, live),
    ]
    if key.alias:
        results.append(check_alias(key, live))
    return results
