"""Where each env is deployed, read from the states without running a plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from obsctl.model.tfjson import TerraformJSON
from obsctl.paths import ENVS, env_root, state_dir
from obsctl.sandbox import Sandbox
from obsctl.workspace import LOCAL_STATE_BUCKET


def count_resources(state: dict[str, Any]) -> int:
    """Managed resource instances in a Terraform state document."""
    return len(TerraformJSON(state).resources)


def deployments() -> list[dict[str, Any]]:
    rows = []
    sandbox = Sandbox(state_dir() / "sandbox")
    running = sandbox.running()
    for env in ENVS:
        rows.append(_local_row(env, sandbox, running is not None))
        rows.append(_aws_row(env))
    return rows


def _local_row(env: str, sandbox: Sandbox, running: bool) -> dict[str, Any]:
    work_dir = state_dir() / "targets" / "local" / env
    row: dict[str, Any] = {"env": env, "target": "local", "resources": None}
    if not running:
        row["detail"] = "local AWS not running"
        return row
    info = sandbox.require()
    marker = work_dir / "sandbox-instance"
    if not marker.exists() or marker.read_text(encoding="utf-8").strip() != info.instance_id:
        row.update(resources=0, detail=f"nothing applied to the local AWS at {info.endpoint_url}")
        return row
    state = _local_state(work_dir / "terraform.tfstate") or _sandbox_state(sandbox, env)
    row.update(resources=count_resources(state or {}), detail=f"local AWS at {info.endpoint_url}")
    return row


def _aws_row(env: str) -> dict[str, Any]:
    root = env_root(env)
    row: dict[str, Any] = {"env": env, "target": "aws", "resources": None}
    local_state = _local_state(root / "terraform.tfstate")
    if local_state is not None:
        row.update(
            resources=count_resources(local_state), detail=f"state {root / 'terraform.tfstate'}"
        )
        return row
    backend = _cached_backend(root)
    if backend is None:
        row["detail"] = "not initialized (never applied from this checkout)"
    else:
        config = backend.get("config", {})
        where = (
            f"s3://{config.get('bucket')}/{config.get('key')}"
            if backend.get("type") == "s3"
            else backend.get("type")
        )
        row["detail"] = (
            f"remote state {where} (run `obsctl status --drift --env {env} --target aws`)"
        )
    return row


def _local_state(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


def _sandbox_state(sandbox: Sandbox, env: str) -> dict[str, Any] | None:
    s3 = sandbox.client("s3")
    try:
        body = s3.get_object(Bucket=LOCAL_STATE_BUCKET, Key=f"{env}/terraform.tfstate")["Body"]
    except Exception:  # no bucket or no object: nothing stored
        return None
    return json.loads(body.read())


def _cached_backend(root: Path) -> dict[str, Any] | None:
    cached = root / ".terraform" / "terraform.tfstate"
    if not cached.exists():
        return None
    try:
        return json.loads(cached.read_text(encoding="utf-8")).get("backend")
    except ValueError:
        return None
