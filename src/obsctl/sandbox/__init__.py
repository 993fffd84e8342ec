"""The embedded local AWS: a moto server on 127.0.0.1 that tests and the CLI share.

`Sandbox(workdir)` starts the server in the background (pid, port and log in `workdir`), waits
until it answers, seeds EKS clusters with an OIDC issuer, and hands out the environment that
points Terraform's AWS provider and boto3 at it. `stop()` signals only the process it started.
"""

from obsctl.sandbox.control import Sandbox, SandboxInfo
from obsctl.sandbox.seed import ClusterInfo

__all__ = ["ClusterInfo", "Sandbox", "SandboxInfo"]
