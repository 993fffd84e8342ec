"""prod on the aws target: a root never initialised uses its backend.hcl, and without one the
error names the file to write (not a raw "Missing Required Value")."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FAKE = Path(__file__).with_name("fake_terraform.py")
MISSING_BUCKET = {
    "type": "diagnostic",
    "diagnostic": {
        "severity": "error",
        "summary": "Missing Required Value",
        "detail": 'The attribute "bucket" is required by the backend.',
    },
}


def _prod_copy(tmp_path: Path) -> Path:
    root = tmp_path / "prod"
    root.mkdir()
    for source in (REPO / "terraform" / "envs" / "prod").glob("*.tf"):
        shutil.copy(source, root / source.name)
    shutil.copy(REPO / "terraform/envs/prod/backend.hcl.example", root / "backend.hcl.example")
    return root


def _plan(tmp_path: Path, root: Path, init: dict) -> subprocess.CompletedProcess[str]:
    launcher = tmp_path / "terraform"
    launcher.write_text(f'#!/bin/sh\nexec {sys.executable} {FAKE} "$@"\n')
    launcher.chmod(0o755)
    scenario = {
        "version": {"stdout": json.dumps({"terraform_version": "1.11.4"})},
        "init": init,
        "plan": {"exit": 0, "events": []},
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
        [sys.executable, "-m", "obsctl", "plan", "--dir", str(root), "--target", "aws"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_without_backend_settings_the_error_names_backend_hcl(tmp_path: Path) -> None:
    root = _prod_copy(tmp_path)
    result = _plan(tmp_path, root, {"exit": 1, "events": [MISSING_BUCKET]})
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "obsctl: The S3 backend of prod has no bucket, key or region" in lines[-2]
    assert lines[-1] == (
        "  hint: Create the state bucket once (terraform/bootstrap/state-backend), copy "
        "prod/backend.hcl.example to prod/backend.hcl with its name, and run obsctl again (it "
        "runs `terraform init -backend-config=backend.hcl` then)."
    )
    assert "Traceback" not in result.stderr


def test_a_root_never_initialised_gets_its_backend_hcl(tmp_path: Path) -> None:
    root = _prod_copy(tmp_path)
    (root / "backend.hcl").write_text('bucket = "lgtm-tfstate"\n')
    result = _plan(tmp_path, root, {"exit": 0, "events": []})
    assert result.returncode == 0, result.stderr
    calls = [
        json.loads(line) for line in (tmp_path / "scenario.json.calls").read_text().splitlines()
    ]
    init = next(call for call in calls if "init" in call)
    assert f"-backend-config={root / 'backend.hcl'}" in init
