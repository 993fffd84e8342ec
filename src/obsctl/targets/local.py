"""The local target: one workspace's side of the embedded local AWS's lifecycle.

`initialise` starts (and seeds) the local AWS while `terraform init` runs, so the sandbox costs
almost nothing on the critical path; S3-backend roots get their state bucket first. A marker in
the work dir records which sandbox instance the state refers to: a restarted sandbox has lost
every resource, so its state is set aside and the stack re-created. While Terraform runs,
`lost_error` is its watchdog: when the local AWS dies, Terraform is stopped at once instead of
retrying for minutes.
"""

from __future__ import annotations

import contextlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obsctl.errors import NotDeployedError, ObsctlError
from obsctl.model.stack import OPERATIONS
from obsctl.paths import shown
from obsctl.sandbox import Sandbox, SandboxInfo
from obsctl.targets.state_backend import ensure_state_backend
from obsctl.terraform.lockinfo import LockInfo
from obsctl.terraform.locks import local_lock_holder, s3_lock_holder
from obsctl.terraform.runner import Terraform
from obsctl.workspace.clusters import ClusterSeed
from obsctl.workspace.journal import ApplyJournal
from obsctl.workspace.root import LOCAL_STATE_BUCKET, Workspace

if TYPE_CHECKING:
    from obsctl.model import Stack

SANDBOX_REGION = "us-east-1"
SANDBOX_MARKER = "sandbox-instance"


class SandboxLostError(ObsctlError):
    """The local AWS died (or was replaced) while Terraform worked against it."""


@dataclass
class LocalTarget:
    """The local AWS as one workspace uses it."""

    workspace: Workspace
    sandbox: Sandbox
    # The EKS cluster seeded before Terraform runs (the root's eks_cluster_name), if any.
    cluster_to_seed: str | None = None
    # Further clusters the root's `clusters` variable names (workspace/clusters.py).
    further_clusters: tuple[ClusterSeed, ...] = ()
    # The sandbox instance Terraform was pointed at (the watchdog compares against it).
    _instance: str | None = field(default=None, init=False, repr=False)
    # The server this command started, if it had to start one.
    started: SandboxInfo | None = field(default=None, init=False, repr=False)

    def initialise(self, terraform: Terraform) -> list[str]:
        notices = self.forget_lost_state()
        if self.workspace.backend != "local":
            self.prepare(terraform)
            self.init_backend(terraform)
        else:
            # A local backend needs no AWS to initialise: boot and seed the sandbox meanwhile.
            with ThreadPoolExecutor(max_workers=1) as pool:
                sandbox_ready = pool.submit(self.prepare, terraform)
                self.init_backend(terraform)
                sandbox_ready.result()
        if self.started is not None:
            notices.insert(
                0,
                f"Started the local AWS at {self.started.endpoint_url} (pid {self.started.pid}, "
                f"log {shown(self.sandbox.log_path)}); it keeps running until "
                "`obsctl sandbox stop`.",
            )
        return notices

    def init_backend(self, terraform: Terraform) -> None:
        terraform.init(self.workspace.backend_config(SANDBOX_REGION), reconfigure=True)

    def prepare(self, terraform: Terraform) -> None:
        """Start the sandbox if needed, seed the root's cluster, create the state bucket of an
        S3-backend root, and point Terraform at it."""
        info, started = self.sandbox.ensure()
        self.started = info if started else None
        self._instance = info.instance_id
        if self.cluster_to_seed is not None:
            self.sandbox.seed_cluster(self.cluster_to_seed)
        for cluster in self.further_clusters:
            self.sandbox.seed_cluster(
                cluster.name, account=cluster.account, register_issuer=cluster.register_issuer
            )
        if self.workspace.backend == "s3":
            ensure_state_backend(self.sandbox, self.workspace, terraform, self.lost_error)
        terraform.env = self.sandbox.apply_environment(terraform.env)

    def prepare_backend(self, terraform: Terraform) -> None:
        """On the local target the local AWS must run: the backend lives in it."""
        self.sandbox.require()
        terraform.env = self.sandbox.apply_environment(terraform.env)
        self.init_backend(terraform)

    def connect(self, terraform: Terraform) -> None:
        """The sandbox must be the one the last apply went to; otherwise its resources are gone
        and there is nothing to read."""
        self.require_deployed()
        terraform.env = self.sandbox.apply_environment(terraform.env)

    def require_deployed(self) -> None:
        """NotDeployedError unless the running local AWS is the one the last apply went to."""
        running = self.sandbox.running()
        if running is None or self.recorded_instance() != running.instance_id:
            raise NotDeployedError(
                f"Nothing is deployed for {self.workspace.label} on the local target"
                + (" (the local AWS is not running)." if running is None else "."),
                hint=f"Run `obsctl up {self.workspace.flags}` first.",
            )

    def current_lock(self) -> LockInfo | None:
        if self.workspace.backend == "local":
            return local_lock_holder(self.workspace.local_state_path)
        return s3_lock_holder(self.sandbox.client("s3"), LOCAL_STATE_BUCKET, self.state_key())

    def state_key(self) -> str:
        """The key of an S3-backend workspace's state in the local state bucket."""
        return self.workspace.backend_config(SANDBOX_REGION).get(
            "key", f"{self.workspace.label}/terraform.tfstate"
        )

    def instance(self) -> str | None:
        running = self.sandbox.running()
        return running.instance_id if running is not None else None

    def record_apply(self) -> None:
        self._marker.write_text(self.sandbox.require().instance_id, encoding="utf-8")

    def recorded_instance(self) -> str | None:
        """The sandbox instance the workspace's state refers to, if any."""
        marker = self._marker
        return marker.read_text(encoding="utf-8").strip() if marker.exists() else None

    def release(self) -> bool:
        """After a destroy: stop the sandbox when no other root has resources in it."""
        self._marker.unlink(missing_ok=True)
        info = self.sandbox.running()
        if info is None:
            return False
        if deployed_in(info, self.workspace.work_dir.parent):
            return False
        return self.sandbox.stop()

    def empty_operations_buckets(self, stack: Stack) -> list[str]:
        """Before a destroy: stop the local AWS's server access logging on the stack's buckets
        and empty its access-log and audit buckets (every version), returning their names.

        Those objects are what the local AWS wrote by itself (moto logs each request to a
        bucket that has logging on, even Terraform's own); without force_destroy they would
        make the destroy fail on the log bucket, the last one standing. Their TLS-only policy
        goes first: the local AWS ignores its condition, so it would deny the deletes.
        """
        s3 = self.sandbox.client("s3")
        for bucket in stack.buckets:  # every bucket that logs, the audit bucket included
            if bucket.address:
                with contextlib.suppress(s3.exceptions.NoSuchBucket):
                    s3.put_bucket_logging(Bucket=bucket.name, BucketLoggingStatus={})
        emptied = []
        for bucket in stack.buckets:
            if bucket.app != OPERATIONS or not bucket.address:
                continue
            with contextlib.suppress(s3.exceptions.NoSuchBucket):
                s3.delete_bucket_policy(Bucket=bucket.name)
            if _empty_bucket(s3, bucket.name):
                emptied.append(bucket.name)
        return emptied

    def lift_deletion_protection(self, tables: list[str]) -> None:
        """Turn deletion protection off on these tables of the local AWS (before a destroy)."""
        dynamodb = self.sandbox.client("dynamodb")
        for name in tables:
            dynamodb.update_table(TableName=name, DeletionProtectionEnabled=False)

    def lost_error(self, command: str) -> SandboxLostError | None:
        """The error to raise when the sandbox this workspace uses has gone; else None."""
        if self._instance is None:
            return None
        running = self.sandbox.running()
        if running is not None and running.instance_id == self._instance:
            return None
        during = {"apply": "the apply", "plan": "the plan"}.get(command, f"terraform {command}")
        env = "" if self.workspace.label == "dev" else f" {self.workspace.selector}"
        return SandboxLostError(
            f"The local AWS stopped during {during}; start it with `obsctl sandbox start` (or "
            f"run `obsctl up{env}` again), which re-creates the stack from scratch.",
            hint=f"Everything it held is gone with it. Its log: {self.sandbox.log_path}",
        )

    def forget_lost_state(self) -> list[str]:
        """Keep sandbox-held state consistent with the sandbox about to be used.

        A restarted sandbox has lost every resource. A local state file that still lists them
        would make Terraform fail on missing resources, so it is set aside and the stack is
        re-created; S3-held state vanished with the sandbox and starts empty by itself.
        """
        recorded = self.recorded_instance()
        if recorded is None:
            return []
        running = self.sandbox.running()
        if running is not None and recorded == running.instance_id:
            return []
        state = self.workspace.local_state_path
        if state.exists() and _state_has_resources(state):
            state.replace(state.with_name("terraform.tfstate.lost-sandbox"))
        self._marker.unlink()
        ApplyJournal(self.workspace.work_dir).clear()  # the last apply died with that sandbox
        return [
            "The local AWS was restarted since the last apply and its resources are gone; "
            "the stack is re-created from scratch."
        ]

    @property
    def _marker(self) -> Path:
        return self.workspace.work_dir / SANDBOX_MARKER


def deployed_in(info: SandboxInfo, targets: Path) -> list[str]:
    """The labels of the workspaces under `targets` whose last apply went to the server `info`
    (their resources live in it, and nowhere else)."""
    labels = []
    for marker in sorted(targets.glob(f"*/{SANDBOX_MARKER}")):
        try:
            recorded = marker.read_text(encoding="utf-8").strip()
        except OSError:
            continue
        if recorded == info.instance_id:
            labels.append(marker.parent.name)
    return labels


def _empty_bucket(s3: Any, name: str) -> bool:
    """Delete every object version and delete marker of `name`; whether there were any."""
    deleted = False
    try:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            objects = [
                {"Key": item["Key"], "VersionId": item["VersionId"]}
                for kind in ("Versions", "DeleteMarkers")
                for item in page.get(kind, [])
            ]
            for start in range(0, len(objects), 1000):
                answer = s3.delete_objects(
                    Bucket=name, Delete={"Objects": objects[start : start + 1000], "Quiet": True}
                )
                if answer.get("Errors"):
                    first = answer["Errors"][0]
                    raise ObsctlError(
                        f"The local AWS refused to empty {name}: {first.get('Code')} on "
                        f"{first.get('Key')}.",
                        hint="Run `obsctl down` again; if it persists, see the local AWS's log.",
                    )
                deleted = True
    except s3.exceptions.NoSuchBucket:
        return False
    return deleted


def _state_has_resources(path: Path) -> bool:
    try:
        return bool(json.loads(path.read_text(encoding="utf-8")).get("resources"))
    except ValueError:
        return True
