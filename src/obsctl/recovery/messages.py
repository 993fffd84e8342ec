"""What obsctl says about orphans: counts by kind, the local sentence, the commands to adopt or
delete each one on AWS."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from obsctl.recovery.orphans import KIND_NAMES, REMOVAL_ORDER, Orphan
from obsctl.workspace.journal import ApplyRecord

ACCEPT_ORPHANS_ENV = "OBSCTL_ACCEPT_ORPHANS"


def count_by_kind(orphans: Iterable[Orphan]) -> str:
    """Counts by kind: "3 KMS keys (scheduled for deletion), 2 buckets and 1 IAM role"."""
    counts: dict[str, int] = {}
    for orphan in orphans:
        counts[orphan.kind] = counts.get(orphan.kind, 0) + 1
    parts = []
    for kind in sorted(counts, key=REMOVAL_ORDER.index):
        singular, plural = KIND_NAMES[kind]
        text = f"{counts[kind]} {singular if counts[kind] == 1 else plural}"
        if kind == "keys":
            text += " (scheduled for deletion)"
        parts.append(text)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# What recovery.reconcile.repair_local_state did with a local state a kill cut mid-write.
RESTORED = "restored"  # put back Terraform's backup of the state before the killed run
SET_ASIDE = "set aside"  # no backup (the run began from nothing): Terraform starts empty
STATE_REPAIRS = {
    RESTORED: "put back the state Terraform had backed up (the kill cut its last write)",
    SET_ASIDE: "set aside the state the kill cut mid-write (kept as terraform.tfstate.cut-short; "
    "that apply began from nothing)",
}


def local_sentence(
    record: ApplyRecord,
    where: str,
    removed: list[Orphan],
    released_lock: str | None = None,
    repaired_state: str | None = None,
) -> str:
    """The one sentence the local target prints after reconciling (`repaired_state`: what
    recovery.reconcile.repair_local_state did)."""
    head = f"The last apply of {where} {record.how_it_ended()} ({record.when()})"
    done = [STATE_REPAIRS[repaired_state]] if repaired_state else []
    if released_lock:
        done.append(f"released the state lock it left behind (lock ID {released_lock})")
    if removed:
        done.append(
            f"removed the {count_by_kind(removed)} it had created outside its state: "
            + ", ".join(orphan.name for orphan in removed)
        )
    if not done:
        return f"{head}; it left nothing outside its state."
    return f"{head}; obsctl " + " and ".join(done) + "."


def adoption_commands(orphan: Orphan, root: Path) -> tuple[str, str]:
    """(import, delete) commands for one orphan on AWS."""
    importer = f"terraform -chdir={root} import 'ADDRESS' {_import_id(orphan)}"
    delete = {
        "buckets": f"aws s3 rb s3://{orphan.id} --force",
        "keys": f"aws kms schedule-key-deletion --key-id {orphan.id} --pending-window-in-days 30",
        "aliases": f"aws kms delete-alias --alias-name {orphan.id}",
        "roles": f"aws iam delete-role --role-name {orphan.id} (after deleting its policies)",
        "tables": f"aws dynamodb delete-table --table-name {orphan.id}",
        "trails": f"aws cloudtrail delete-trail --name {orphan.id}",
        "alarms": f"aws cloudwatch delete-alarms --alarm-names {orphan.id}",
        "topics": f"aws sns delete-topic --topic-arn {orphan.id}",
    }[orphan.kind]
    return importer, delete


def _import_id(orphan: Orphan) -> str:
    return orphan.name if orphan.kind == "keys" else orphan.id


def orphan_listing(orphans: list[Orphan], root: Path) -> str:
    lines = []
    for orphan in orphans:
        importer, delete = adoption_commands(orphan, root)
        lines += [f"  {orphan.describe()}", f"    adopt:  {importer}", f"    delete: {delete}"]
    return "\n".join(lines)


def accept_orphans_from_env(environ: dict[str, str] | None = None) -> bool:
    value = (environ if environ is not None else os.environ).get(ACCEPT_ORPHANS_ENV, "")
    return value.strip().lower() in ("1", "true", "yes")
