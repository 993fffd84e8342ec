"""Release a Terraform state lock that a killed run left behind.

  obsctl unlock --env prod --target local 1fb329eb-5e25-e524-9b5e-cefe7e499daa

The LOCK_ID is the one obsctl (or Terraform) printed with "locked by ...". obsctl runs
`terraform force-unlock -force LOCK_ID` in the workspace's own backend, after checking that the
lock is really abandoned: it refuses while another obsctl command holds the workspace, while a
Terraform process on this machine still runs the root module, when the lock was taken on
another machine (it cannot see that machine's processes), and when it cannot read the lock at
all (another backend type, no access): what it cannot see, it cannot prove stale. `--force`
skips those checks; use it only when you know the holder is gone. When the state is not locked
it says so and releases nothing. A local state's lock ends with its process, so there is
nothing to release there: obsctl says which process to stop instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from obsctl.commands.base import Context, Result, Selection, lines
from obsctl.errors import ObsctlError

if TYPE_CHECKING:
    from obsctl.workspace.session import Session


@dataclass
class UnlockReport(Result):
    """What `unlock` did: the lock it released, or why there was nothing to release."""

    released: str | None
    sentence: str

    def text(self) -> str:
        return lines(self.sentence)

    def document(self) -> dict[str, Any]:
        return {"released": self.released, "message": self.sentence}


def unlock(ctx: Context, where: Selection, lock_id: str, *, force: bool = False) -> UnlockReport:
    from obsctl.terraform.holders import judge_lock, terraform_processes
    from obsctl.terraform.locks import LockUnreadableError
    from obsctl.workspace.lock import WorkspaceBusyError

    session = where.open()
    where, root = session.where, session.workspace.root
    try:
        session.lock_workspace()
    except WorkspaceBusyError as busy:
        if not force:
            raise ObsctlError(
                f"Refusing to unlock {where}: {busy.message[0].lower()}{busy.message[1:]}",
                hint="That command's Terraform may hold the lock; wait for it to finish "
                "(or pass --force if you know it is stuck).",
            ) from busy
    if session.workspace.backend == "local" and session.sandbox is not None:
        return _local_backend(session, lock_id)
    if session.sandbox is not None and session.sandbox.running() is None:
        return UnlockReport(
            None,
            f"The local AWS is not running, so nothing is locked for {where}: the locks of its "
            "state lived in it.",
        )
    session.prepare_backend()
    try:
        lock = session.current_lock()
    except LockUnreadableError as unreadable:
        if not force:
            raise ObsctlError(
                f"Refusing to unlock {where}: obsctl cannot read the lock "
                f"({unreadable.message}), so it cannot prove that lock {lock_id} is stale.",
                hint="Check who holds it and that their run is over, then pass --force.",
            ) from unreadable
        session.terraform.force_unlock(lock_id)
        return UnlockReport(lock_id, f"Released lock {lock_id} of {where} (--force, unread).")
    if lock is None:
        return UnlockReport(None, f"{where} is not locked: there is nothing to release.")
    if lock.id and lock.id != lock_id:
        raise ObsctlError(
            f"The state of {where} is locked by {lock.describe()}, not by lock ID {lock_id}.",
            hint="Check the ID in the latest lock error; never release a lock you did not see.",
        )
    if not force:
        busy_processes = terraform_processes(root, session.state_location())
        if busy_processes:
            pids = ", ".join(str(process.pid) for process in busy_processes)
            raise ObsctlError(
                f"Refusing to unlock {where}: Terraform (pid {pids}) on this machine still runs "
                f"{root} and may hold lock {lock_id}.",
                hint="Wait for it to finish, or pass --force if you are sure it does not hold "
                "this lock.",
            )
        if not judge_lock(lock, root).taken_here:
            raise ObsctlError(
                f"Refusing to unlock {where}: lock {lock.id} was taken by {lock.who} on another "
                "machine, and obsctl cannot see whether that run is still going.",
                hint=f"Ask {lock.who}; once their run is over, pass --force.",
            )
    session.terraform.force_unlock(lock_id)
    return UnlockReport(lock_id, f"Released lock {lock_id} of {where} (held by {lock.describe()}).")


def _local_backend(session: Session, lock_id: str) -> UnlockReport:
    """A local state's lock is a record lock of the holder's process: it cannot be stale."""
    from obsctl.terraform.holders import terraform_processes

    lock = session.current_lock()
    if lock is None:
        return UnlockReport(
            None,
            f"{session.where} is not locked: a local state's lock ends with its process, so a "
            "killed run cannot leave one behind.",
        )
    holders = terraform_processes(session.workspace.root, session.state_location())
    pids = ", ".join(str(process.pid) for process in holders) or "unknown"
    raise ObsctlError(
        f"The state of {session.where} is locked by a running process (Terraform pid {pids}, "
        f"lock ID {lock.id or lock_id}); a local state's lock cannot be released from outside.",
        hint="Let that run finish, or stop it with `kill -INT <pid>`: the lock ends with it.",
    )
