"""A root module bound to a target, and what obsctl keeps for it while a command runs.

`root` resolves --env/--dir and --target into a `Workspace`; `session` runs Terraform for it
(init, plan, apply, the contract); `lock` keeps a second obsctl off the same workspace, and
`journal` records each apply until it has finished.
"""

from obsctl.workspace.root import LOCAL_STATE_BUCKET, TARGETS, Workspace, resolve

__all__ = ["LOCAL_STATE_BUCKET", "TARGETS", "Workspace", "resolve"]
