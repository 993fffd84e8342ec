"""Where a session's stack lives: the embedded local AWS (`local`) or an AWS account (`aws`).

A session asks its target to initialise Terraform, to connect to what is deployed, to read the
state lock, and to watch the place Terraform talks to; the local target also owns the local AWS's
lifecycle for the workspace (start, seed, state bucket, restart detection, stop).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from obsctl.errors import ObsctlError
    from obsctl.sandbox import Sandbox
    from obsctl.terraform.lockinfo import LockInfo
    from obsctl.terraform.runner import Terraform


class Target(Protocol):
    """What a session needs from the place its stack lives."""

    @property
    def sandbox(self) -> Sandbox | None:
        """The local AWS (None on the aws target)."""
        ...

    def initialise(self, terraform: Terraform) -> list[str]:
        """`terraform init` with everything it needs; returns notices for the user."""
        ...

    def init_backend(self, terraform: Terraform) -> None:
        """`terraform init` with the target's backend settings, nothing else."""
        ...

    def prepare_backend(self, terraform: Terraform) -> None:
        """Ready for commands that touch only the backend (starts nothing)."""
        ...

    def connect(self, terraform: Terraform) -> None:
        """Point Terraform at what is deployed, or say that nothing is."""
        ...

    def current_lock(self) -> LockInfo | None:
        """The backend lock on the workspace's state as stored, when obsctl can read it."""
        ...

    def instance(self) -> str | None:
        """The local AWS instance an apply goes to (None on the aws target)."""
        ...

    def record_apply(self) -> None:
        """Remember that the state now refers to this place."""
        ...

    def lost_error(self, command: str) -> ObsctlError | None:
        """The error to raise when the place Terraform talks to has gone; else None."""
        ...
