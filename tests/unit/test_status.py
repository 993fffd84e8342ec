"""Drift is what changed outside Terraform and would be set back, nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from obsctl.commands.status import _drifted
from obsctl.errors import ExitCode
from obsctl.status import count_resources


def _event(kind: str, address: str, action: str) -> dict:
    return {"type": kind, "change": {"action": action, "resource": {"addr": address}}}


def test_only_resources_changed_outside_terraform_and_planned_back_are_drift() -> None:
    events = [
        _event("resource_drift", "aws_s3_bucket_policy.this", "delete"),
        _event("planned_change", "aws_s3_bucket_policy.this", "create"),
        _event("resource_drift", "aws_iam_role.this", "update"),  # normalised JSON only
        _event("planned_change", "aws_iam_role.this", "noop"),
        _event("planned_change", "aws_kms_key.this", "update"),  # configuration change
        # A table the configuration no longer has (create_loki_tables unset): its alarm reads
        # back normalised and is planned for deletion; neither is drift.
        _event("resource_drift", "aws_cloudwatch_metric_alarm.this", "update"),
        _event("planned_change", "aws_cloudwatch_metric_alarm.this", "delete"),
    ]
    assert _drifted(events) == [{"address": "aws_s3_bucket_policy.this", "action": "deleted"}]


def test_counting_state_resources_ignores_data_sources() -> None:
    state = {
        "resources": [
            {"mode": "managed", "instances": [{}, {}]},
            {"mode": "data", "instances": [{}]},
        ]
    }
    assert count_resources(state) == 2


def test_drift_on_an_env_with_nothing_deployed_says_so_with_its_own_exit_code(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "OBSCTL_STATE_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "obsctl", "status", "--drift", "--env", "prod"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == ExitCode.NOT_DEPLOYED == 4
    assert "No drift" not in result.stdout + result.stderr
    assert result.stderr.startswith(
        "obsctl: Nothing is deployed for prod on the local target (the local AWS is not running)."
    )
    assert not (tmp_path / "sandbox").exists(), "nothing was started to find that out"
