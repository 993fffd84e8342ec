"""`obsctl tf -- ARGS`: Terraform in the env's own workspace; its output and exit code as is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from obsctl.sandbox import Sandbox


def _terraform_that_reports(tmp_path: Path) -> Path:
    """A terraform that prints where it runs, its arguments and its environment."""
    script = tmp_path / "terraform"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = version ]; then echo \'{"terraform_version": "1.11.4"}\'; exit 0; fi\n'
        'echo "args: $*"\n'
        'echo "endpoint: ${AWS_ENDPOINT_URL:-none}"\n'
        'echo "data dir: ${TF_DATA_DIR:-none}"\n'
        'echo "cluster: ${TF_VAR_eks_cluster_name:-none}"\n'
        'echo "automation: ${TF_IN_AUTOMATION:-off}"\n'
        'for arg in "$@"; do [ "$arg" = state ] && exit 3; done\n'
        "exit 0\n"
    )
    script.chmod(0o755)
    return script


def _tf(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "OBSCTL_TERRAFORM": str(_terraform_that_reports(tmp_path)),
        "OBSCTL_STATE_DIR": str(tmp_path / "state"),
    }
    return subprocess.run(
        [sys.executable, "-m", "obsctl", "tf", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_tf_runs_in_the_local_workspace_with_the_local_aws_and_passes_the_exit_code(
    tmp_path: Path,
) -> None:
    box = Sandbox(tmp_path / "state" / "sandbox")
    info = box.start()
    try:
        shown = _tf(tmp_path, "--env", "dev", "--", "output", "-raw", "name_prefix")
        assert shown.returncode == 0, shown.stderr
        lines = shown.stdout.splitlines()
        assert lines[0].startswith("args: -chdir=") and lines[0].endswith(
            "terraform/envs/dev output -raw name_prefix"
        )
        assert lines[1:] == [
            f"endpoint: {info.endpoint_url}",
            f"data dir: {tmp_path / 'state' / 'targets' / 'local' / 'dev' / 'data'}",
            "cluster: lgtm-dev",
            "automation: off",
        ]
        assert _tf(tmp_path, "--env", "dev", "--", "state", "list").returncode == 3
    finally:
        box.stop()


def test_tf_on_the_local_target_needs_the_local_aws_and_a_command(tmp_path: Path) -> None:
    stopped = _tf(tmp_path, "--env", "dev", "--", "state", "list")
    assert stopped.returncode == 1
    assert stopped.stderr.startswith("obsctl: The local AWS is not running.")
    empty = _tf(tmp_path, "--env", "dev")
    assert empty.returncode == 2 and "Name the Terraform command after `--`" in empty.stderr


def test_tf_on_the_aws_target_is_plain_terraform_in_the_root(tmp_path: Path) -> None:
    env_vars = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "example"}
    os.environ.update(env_vars)
    try:
        shown = _tf(tmp_path, "--env", "prod", "--target", "aws", "--", "output", "-json")
    finally:
        for key in env_vars:
            os.environ.pop(key)
    assert shown.returncode == 0, shown.stderr
    assert "endpoint: none" in shown.stdout and "data dir: none" in shown.stdout
