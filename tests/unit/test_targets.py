"""The local target's side of the sandbox lifecycle, with a sandbox that is only a record."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from obsctl.errors import ObsctlError
from obsctl.sandbox import SandboxInfo
from obsctl.targets import state_backend
from obsctl.targets.local import LocalTarget, SandboxLostError
from obsctl.terraform.runner import Terraform
from obsctl.workspace import resolve
from obsctl.workspace.journal import ApplyJournal


@dataclass
class _RecordedSandbox:
    """A sandbox that runs `instance` (or nothing) and never starts anything."""

    instance: str | None
    log_path: Path = Path("/var/log/sandbox.log")
    region: str = "us-east-1"

    def running(self) -> SandboxInfo | None:
        if self.instance is None:
            return None
        return SandboxInfo(pid=1, port=4566, instance_id=self.instance, started_at=0.0)

    def client(self, service: str) -> object:
        raise AssertionError("no AWS call expected")


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OBSCTL_STATE_DIR", str(tmp_path / "obsctl"))
    return resolve("dev", "local", None)


def test_a_restarted_sandbox_sets_the_old_state_aside_and_says_so(workspace) -> None:  # type: ignore[no-untyped-def]
    target = LocalTarget(workspace, _RecordedSandbox("new"))  # type: ignore[arg-type]
    workspace.work_dir.mkdir(parents=True)
    (workspace.work_dir / "sandbox-instance").write_text("old")
    workspace.local_state_path.write_text(json.dumps({"resources": [{"type": "aws_s3_bucket"}]}))
    ApplyJournal(workspace.work_dir).begin(
        label="dev", target="local", root=workspace.root, sandbox_instance="old"
    )
    notices = target.forget_lost_state()
    assert notices == [
        "The local AWS was restarted since the last apply and its resources are gone; "
        "the stack is re-created from scratch."
    ]
    assert not workspace.local_state_path.exists()
    assert workspace.local_state_path.with_name("terraform.tfstate.lost-sandbox").exists()
    assert target.recorded_instance() is None
    assert not ApplyJournal(workspace.work_dir).path.exists()
    assert target.forget_lost_state() == [], "nothing recorded: nothing to forget"


def test_the_same_sandbox_keeps_the_state(workspace) -> None:  # type: ignore[no-untyped-def]
    target = LocalTarget(workspace, _RecordedSandbox("same"))  # type: ignore[arg-type]
    workspace.work_dir.mkdir(parents=True)
    (workspace.work_dir / "sandbox-instance").write_text("same")
    workspace.local_state_path.write_text('{"resources": [{}]}')
    assert target.forget_lost_state() == [] and workspace.local_state_path.exists()


def test_the_watchdog_fires_only_once_terraform_was_pointed_at_a_sandbox_that_is_gone(
    workspace,  # type: ignore[no-untyped-def]
) -> None:
    sandbox = _RecordedSandbox(None)
    target = LocalTarget(workspace, sandbox)  # type: ignore[arg-type]
    assert target.lost_error("apply") is None, "not prepared yet: nothing to lose"
    target._instance = "first"
    sandbox.instance = "first"
    assert target.lost_error("apply") is None
    sandbox.instance = "second"
    error = target.lost_error("apply")
    assert isinstance(error, SandboxLostError)
    assert error.message.startswith("The local AWS stopped during the apply; start it with")
    assert error.hint is not None and str(sandbox.log_path) in error.hint


def test_without_the_bootstrap_root_the_state_bucket_is_one_sentence(
    workspace,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(state_backend, "state_backend_root", lambda: None)
    terraform = Terraform(Path("/bin/false"), workspace.root, dict(os.environ))
    with pytest.raises(ObsctlError, match="created by terraform/bootstrap/state-backend"):
        state_backend.ensure_state_backend(
            _RecordedSandbox("x"),  # type: ignore[arg-type]
            workspace,
            terraform,
            lambda command: None,
        )
