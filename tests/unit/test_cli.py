"""The console script's contract: help is fast, bad input is one sentence with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from obsctl.cli import COMMANDS, main


def _obsctl(*args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "obsctl", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_help_lists_every_verb() -> None:
    result = _obsctl("--help")
    assert result.returncode == 0
    for verb in COMMANDS:
        assert f"    {verb}" in result.stdout


def test_help_does_not_import_boto3_moto_or_yaml() -> None:
    code = (
        "import sys; from obsctl.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('boto3','moto','yaml','botocore') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["up", "--env", "staging"], "argument --env: invalid choice: 'staging'"),
        (["up", "--target", "azure"], "argument --target: invalid choice: 'azure'"),
        (["up", "--bogus"], "unrecognized arguments: --bogus"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_flags_exit_2_with_one_sentence(args: list[str], message: str) -> None:
    result = _obsctl(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_terraform_is_one_sentence_and_exit_1(tmp_path: Path) -> None:
    result = _obsctl(
        "plan",
        env={"OBSCTL_TERRAFORM": str(tmp_path / "no-terraform"), "OBSCTL_STATE_DIR": str(tmp_path)},
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"obsctl: The Terraform binary {str(tmp_path / 'no-terraform')!r} was not found."
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "sandbox").exists()


def test_down_prod_without_force_refuses_before_doing_anything(tmp_path: Path) -> None:
    result = _obsctl("down", "--env", "prod", "--yes", env={"OBSCTL_STATE_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.startswith("obsctl: Refusing to destroy prod without --force.")
    assert list(tmp_path.iterdir()) == []


def test_bad_var_syntax_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OBSCTL_STATE_DIR", str(tmp_path))
    assert main(["plan", "--var", "eks_cluster_name"]) == 2
    assert "--var 'eks_cluster_name' is not NAME=VALUE." in capsys.readouterr().err


def test_aws_target_refuses_a_sandbox_endpoint_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OBSCTL_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    assert main(["plan", "--target", "aws"]) == 2
    err = capsys.readouterr().err
    assert "AWS_ENDPOINT_URL points at the local AWS (http://127.0.0.1:4566)" in err


def test_aws_target_without_credentials_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OBSCTL_STATE_DIR", str(tmp_path))
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["plan", "--target", "aws"]) == 1
    assert "No AWS credentials were found for --target aws." in capsys.readouterr().err
