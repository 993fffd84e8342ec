"""`obsctl unlock` fails closed: what it cannot read, it cannot prove stale, so it refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from obsctl.terraform.errors import TerraformError
from obsctl.terraform.locks import LockUnreadableError, backend_lock_holder, s3_lock_holder

FAKE = Path(__file__).with_name("fake_terraform.py")
LOCK_ID = "1fb329eb-5e25-e524-9b5e-cefe7e499daa"


class _S3:
    """A stub S3 client whose get_object fails with one AWS error code."""

    def __init__(self, code: str) -> None:
        self.code = code

    def get_object(self, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": self.code, "Message": "..."}}, "GetObject")


def test_no_lock_object_means_no_lock_and_an_unreadable_one_is_said_so() -> None:
    assert s3_lock_holder(_S3("NoSuchKey"), "bucket", "prod/terraform.tfstate") is None
    with pytest.raises(LockUnreadableError, match=r"tflock failed \(AccessDenied\)"):
        s3_lock_holder(_S3("AccessDenied"), "bucket", "prod/terraform.tfstate")


def test_a_backend_obsctl_cannot_read_is_unreadable_not_unlocked(tmp_path: Path) -> None:
    with pytest.raises(LockUnreadableError, match="has no initialised backend"):
        backend_lock_holder(tmp_path)
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "terraform.tfstate").write_text(
        json.dumps({"backend": {"type": "gcs", "config": {"bucket": "b"}}})
    )
    with pytest.raises(LockUnreadableError, match="not of the gcs backend"):
        backend_lock_holder(tmp_path)


def _unlock(tmp_path: Path, *args: str, force_unlock: dict) -> subprocess.CompletedProcess[str]:
    launcher = tmp_path / "terraform"
    launcher.write_text(f'#!/bin/sh\nexec {sys.executable} {FAKE} "$@"\n')
    launcher.chmod(0o755)
    scenario = {
        "version": {"stdout": json.dumps({"terraform_version": "1.11.4"})},
        "force-unlock": force_unlock,
    }
    (tmp_path / "scenario.json").write_text(json.dumps(scenario))
    env = {
        **os.environ,
        "OBSCTL_TERRAFORM": str(launcher),
        "FAKE_TF_SCENARIO": str(tmp_path / "scenario.json"),
        "OBSCTL_STATE_DIR": str(tmp_path / "state"),
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "example",
    }
    return subprocess.run(
        [sys.executable, "-m", "obsctl", "unlock", "--target", "aws", *args, LOCK_ID],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_unlock_refuses_a_lock_it_cannot_read_unless_forced(tmp_path: Path) -> None:
    refused = _unlock(tmp_path, force_unlock={"exit": 0})
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[0].startswith(
        "obsctl: Refusing to unlock dev on the aws target: obsctl cannot read the lock ("
    )
    assert f"cannot prove that lock {LOCK_ID} is stale" in refused.stderr
    calls = (tmp_path / "scenario.json.calls").read_text()
    assert "force-unlock" not in calls, "nothing released"
    forced = _unlock(tmp_path, "--force", force_unlock={"exit": 0})
    assert forced.returncode == 0, forced.stderr
    assert "force-unlock" in (tmp_path / "scenario.json.calls").read_text()


def test_terraforms_refusal_reaches_the_user_without_ansi_escapes(tmp_path: Path) -> None:
    failed = _unlock(
        tmp_path,
        "--force",
        force_unlock={"exit": 1, "stderr": "\x1b[31m\x1b[1mError: \x1b[0mFailed to unlock state"},
    )
    assert failed.returncode == 1
    assert "\x1b" not in failed.stderr and "Failed to unlock state" in failed.stderr


def test_a_failure_without_diagnostics_is_plain_text() -> None:
    error = TerraformError("state pull", [], "\x1b[31m│\x1b[0m Error: no state\n")
    assert error.message == "terraform state pull failed: Error: no state"
