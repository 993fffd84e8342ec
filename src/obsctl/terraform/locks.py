"""Terraform's backend lock on a state: who holds it, as stored, and how to say so.

Terraform locks a state with a `.tflock` object next to an S3 state (`use_lockfile`), an item
in a DynamoDB table (the older S3 locking), or a POSIX record lock on a local state file. It
works across machines, and a SIGKILLed Terraform leaves the S3 one behind. This module reads
the stored lock (`LockInfo`) and turns a lock conflict into one sentence that names the holder
and the safe way out (`state_lock_error`, judged by `obsctl.terraform.holders`). obsctl's own
workspace lock is `obsctl.workspace.lock`.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

from obsctl.aws.clients import boto3_clients
from obsctl.errors import ObsctlError
from obsctl.terraform.holders import LockVerdict, judge_lock
from obsctl.terraform.lockinfo import LockInfo


class LockUnreadableError(ObsctlError):
    """obsctl could not read the backend's lock, so it cannot tell whether (or by whom) the
    state is locked. Nothing may be judged stale on that basis."""


class StateLockedError(ObsctlError):
    """Terraform could not take the state lock: the sentence names the holder."""

    def __init__(self, message: str, hint: str, verdict: LockVerdict | None) -> None:
        super().__init__(message, hint=hint)
        self.verdict = verdict


def state_lock_error(
    lock: LockInfo | None,
    root: Path,
    where: str,
    unlock: str,
    detail: str | None = None,
    state: str | None = None,
) -> StateLockedError:
    """One sentence naming the holder of the lock on `where`, and the safe way out.

    `where` reads like "prod on the local target"; `unlock` is the command that releases a lock
    of this workspace without its ID (`obsctl unlock --env prod --target local`).
    """
    if lock is None:
        error = StateLockedError(
            f"The state of {where} is locked by another Terraform run.",
            hint="Wait for it to finish; run `-v` to see Terraform's own message.",
            verdict=None,
        )
        error.detail = detail
        return error
    verdict = judge_lock(lock, root, state)
    message = f"The state of {where} is locked by {lock.describe()}."
    if verdict.holders:
        pids = ", ".join(str(process.pid) for process in verdict.holders)
        hint = (
            f"Terraform (pid {pids}) on this machine still runs {root}: wait for it to finish; "
            "never release a lock that is in use."
        )
    elif verdict.taken_here:
        hint = (
            f"No Terraform process on this machine runs {root} any more, so the lock is stale "
            f"(a killed run left it): release it with `{unlock} {lock.id}`."
        )
    else:
        hint = (
            f"It was taken on {lock.host or 'another machine'}, so obsctl cannot tell whether "
            f"that run is alive: ask {lock.who or 'its owner'}, and only once it is over release "
            f"it with `{unlock} {lock.id}`."
        )
    error = StateLockedError(message, hint=hint, verdict=verdict)
    error.detail = detail
    return error


def local_state_locked(state_file: Path) -> bool:
    """Whether a process holds Terraform's lock on a local state file.

    Terraform takes a POSIX record lock (fcntl F_SETLK) on the state file, on Linux and macOS
    alike. Only a probe with that same kind of lock can see it: flock-based locks (filelock's
    among them) are a separate mechanism, so this stays on fcntl.lockf.
    """
    if not state_file.exists():
        return False
    fd = os.open(state_file, os.O_RDONLY)
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


# -- reading a stored backend lock -------------------------------------------------------------


def local_lock_holder(state_file: Path) -> LockInfo | None:
    """The holder of a local state's lock (Terraform writes `.<name>.lock.info` beside it)."""
    if not local_state_locked(state_file):
        return None
    info = state_file.with_name(f".{state_file.name}.lock.info")
    try:
        return LockInfo.from_json(json.loads(info.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return LockInfo(id="")


def s3_lock_holder(s3: Any, bucket: str, key: str) -> LockInfo | None:
    """The `.tflock` object beside an S3 state: None when there is none (or no bucket at all,
    hence no state); LockUnreadableError when S3 does not say (access denied, unreachable...)."""
    try:
        body = s3.get_object(Bucket=bucket, Key=f"{key}.tflock")["Body"].read()
    except Exception as error:
        code = getattr(error, "response", {}).get("Error", {}).get("Code")
        if code in ("NoSuchKey", "NoSuchBucket", "404"):
            return None
        raise LockUnreadableError(
            f"reading s3://{bucket}/{key}.tflock failed ({code or type(error).__name__})"
        ) from error
    try:
        return LockInfo.from_json(json.loads(body))
    except (ValueError, AttributeError) as error:
        raise LockUnreadableError(f"s3://{bucket}/{key}.tflock is not a Terraform lock") from error


def backend_lock_holder(root: Path) -> LockInfo | None:
    """The lock of the S3 backend `terraform init` configured in the root: None when it holds
    none; LockUnreadableError when obsctl cannot read it (another backend type, no access...)."""
    cached = root / ".terraform" / "terraform.tfstate"
    try:
        backend = json.loads(cached.read_text(encoding="utf-8")).get("backend") or {}
    except (OSError, ValueError) as error:
        raise LockUnreadableError(f"{root} has no initialised backend to read") from error
    config = backend.get("config") or {}
    kind = backend.get("type") or "local"
    if kind != "s3" or not config.get("bucket") or not config.get("key"):
        raise LockUnreadableError(
            f"obsctl reads the locks of S3 backends, not of the {kind} backend"
        )
    clients = boto3_clients(config.get("region"), config.get("profile"))
    if config.get("use_lockfile"):
        lock = s3_lock_holder(clients("s3"), config["bucket"], config["key"])
        if lock is not None:
            return lock
    if config.get("dynamodb_table"):
        try:
            item = clients("dynamodb").get_item(
                TableName=config["dynamodb_table"],
                Key={"LockID": {"S": f"{config['bucket']}/{config['key']}"}},
            )
        except Exception as error:
            raise LockUnreadableError(
                f"reading the lock table {config['dynamodb_table']} failed ({error})"
            ) from error
        info = item.get("Item", {}).get("Info", {}).get("S")
        if info:
            return LockInfo.from_json(json.loads(info))
    return None
