"""Table controls (legacy index tables, when the env creates them)."""

from __future__ import annotations

from typing import Any

from obsctl.model.stack import Stack, Table
from obsctl.verify.collect import TableLive
from obsctl.verify.model import Result, errored, failed, passed, subject


def _table(live: TableLive) -> dict[str, Any]:
    return live.describe.data.get("Table", {}) if live.describe.ok else {}


def check_pitr(table: Table, live: TableLive) -> Result:
    cid = "dynamodb.pitr"
    if not live.backups.ok:
        return errored(
            cid, subject(table), f"could not read backups ({live.backups.describe_error()})"
        )
    description = live.backups.data.get("ContinuousBackupsDescription", {})
    status = description.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
    if status == "ENABLED":
        return passed(cid, subject(table), "point-in-time recovery ENABLED")
    return failed(cid, subject(table), f"point-in-time recovery is {status or 'DISABLED'}")


def check_cmk_encryption(table: Table, live: TableLive) -> Result:
    cid = "dynamodb.cmk-encryption"
    if not live.describe.ok:
        return errored(
            cid, subject(table), f"could not describe it ({live.describe.describe_error()})"
        )
    sse = _table(live).get("SSEDescription") or {}
    if sse.get("Status") != "ENABLED" or sse.get("SSEType") != "KMS":
        return failed(cid, subject(table), "encrypted with the AWS owned key, not the app's key")
    if sse.get("KMSMasterKeyArn") != table.key_arn:
        return failed(
            cid, subject(table), f"encrypted with {sse.get('KMSMasterKeyArn')}, not {table.key_arn}"
        )
    return passed(cid, subject(table), f"SSE-KMS with {table.key_arn}")


def check_deletion_protection(table: Table, live: TableLive) -> Result:
    cid = "dynamodb.deletion-protection"
    if not live.describe.ok:
        return errored(
            cid, subject(table), f"could not describe it ({live.describe.describe_error()})"
        )
    if _table(live).get("DeletionProtectionEnabled"):
        return passed(cid, subject(table), "deletion protection on")
    return failed(cid, subject(table), "deletion protection is off, though the env asks for it")


def check_billing_mode(table: Table, live: TableLive, wanted: str) -> Result:
    cid = "dynamodb.billing-mode"
    if not live.describe.ok:
        return errored(
            cid, subject(table), f"could not describe it ({live.describe.describe_error()})"
        )
    # Tables created before on-demand existed report no summary: they are PROVISIONED.
    mode = (_table(live).get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    if mode == wanted:
        return passed(cid, subject(table), mode)
    return failed(cid, subject(table), f"billing mode is {mode}, the env configures {wanted}")


def check_table(table: Table, live: TableLive, stack: Stack) -> list[Result]:
    results = [check_pitr(table, live), check_cmk_encryption(table, live)]
    if stack.settings.get("dynamodb_deletion_protection"):
        results.append(check_deletion_protection(table, live))
    wanted = stack.settings.get("dynamodb_billing_mode")
    if wanted:
        results.append(check_billing_mode(table, live, wanted))
    return results
